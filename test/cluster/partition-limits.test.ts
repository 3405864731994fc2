/**
 * Topic creation within what the broker can hold (issue 7, item 10), over storage's real
 * LogManager: max.broker.partitions refuses a request before anything is allocated (internal
 * topics exempt, so groups keep working), and creating a topic or adding partitions is all or
 * nothing: when a partition log cannot be made, the ones already made are removed, the
 * topic is not listed, not persisted, and a restart finds nothing of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerConfig, type BrokerConfig } from '../../src/broker/config.js';
import { ClusterMetadata } from '../../src/cluster/cluster-metadata.js';
import { CONSUMER_OFFSETS_TOPIC } from '../../src/cluster/topic-name.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { defaultLogConfig, type LogConfig, type PartitionLog } from '../../src/storage/partition-log.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

/** LogManager whose createLog fails like a process out of descriptors from the `failAt`-th call on. */
class FailingLogManager extends LogManager {
  calls = 0;
  failAt = Number.POSITIVE_INFINITY;
  override createLog(topic: string, partition: number, config: LogConfig): PartitionLog {
    if (++this.calls >= this.failAt) {
      throw Object.assign(new Error(`EMFILE: too many open files, open '${topic}-${partition}/00000000000000000000.log'`), { code: 'EMFILE' });
    }
    return super.createLog(topic, partition, config);
  }
}

async function start(dir: string, overrides: Partial<BrokerConfig> = {}) {
  const config = brokerConfig({ logDirs: [dir], brokerId: 0, offsetsTopicNumPartitions: 50, ...overrides });
  const logs = new FailingLogManager([dir], defaultLogConfig());
  logs.loadLogs();
  const cluster = new ClusterMetadata({ config, logs });
  await cluster.load();
  return { cluster, logs };
}

async function errorOf(promise: Promise<unknown>): Promise<KafkaError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KafkaError);
  return err as KafkaError;
}

const partitionDirs = (dir: string, topic: string) =>
  fs.readdirSync(dir).filter((d) => d.startsWith(`${topic}-`) && fs.statSync(path.join(dir, d)).isDirectory());

describe('partition limits', () => {
  it('refuses 100000 partitions under the default max.broker.partitions before allocating anything', async () => {
    const dir = tempDir();
    const { cluster, logs } = await start(dir);
    const err = await errorOf(cluster.createTopic('huge', { numPartitions: 100000, replicationFactor: 1 }));
    expect(err.code).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(err.message).toBe(
      'Creating topic huge with 100000 partition(s) would give broker 0 100000 partition replicas, more than max.broker.partitions=10000 allows (0 hosted now). Use fewer partitions, delete unused topics, or raise max.broker.partitions in server.properties.',
    );
    expect(logs.calls).toBe(0);
    // validateOnly reports it too, and a forged 2^28 costs nothing either
    expect((await errorOf(cluster.createTopic('huge', { numPartitions: 100000, replicationFactor: 1 }, true))).code).toBe(ErrorCode.INVALID_PARTITIONS);
    expect((await errorOf(cluster.createTopic('f1c', { numPartitions: 436207618, replicationFactor: 1 }))).code).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(cluster.topic('huge')).toBeUndefined();
    expect(partitionDirs(dir, 'huge')).toEqual([]);
    logs.shutdown();
  });

  it('counts what the broker hosts, for CreateTopics, explicit assignments and CreatePartitions; internal topics are exempt', async () => {
    const dir = tempDir();
    const { cluster, logs } = await start(dir, { maxBrokerPartitions: 10 });
    await cluster.createTopic('six', { numPartitions: 6, replicationFactor: 1 });
    const tooMany = await errorOf(cluster.createTopic('five', { numPartitions: 5, replicationFactor: 1 }));
    expect(tooMany.code).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(tooMany.message).toContain('would give broker 0 11 partition replicas, more than max.broker.partitions=10 allows (6 hosted now)');
    const assigned = Array.from({ length: 5 }, (_, partition) => ({ partition, brokerIds: [0] }));
    expect((await errorOf(cluster.createTopic('five', { numPartitions: -1, replicationFactor: -1, assignments: assigned }))).code).toBe(
      ErrorCode.INVALID_PARTITIONS,
    );
    const grow = await errorOf(cluster.createPartitions('six', 11));
    expect(grow.code).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(grow.message).toContain('Adding 5 partition(s) to six');
    expect(cluster.topic('six')!.partitions).toHaveLength(6);
    await cluster.createPartitions('six', 10);
    expect(cluster.topic('six')!.partitions).toHaveLength(10);
    // __consumer_offsets (50 partitions) is still created at the limit: without it no group works
    await cluster.ensureInternalTopic(CONSUMER_OFFSETS_TOPIC);
    expect(cluster.topic(CONSUMER_OFFSETS_TOPIC)!.partitions).toHaveLength(50);
    expect((await errorOf(cluster.createTopic('one', { numPartitions: 1, replicationFactor: 1 }))).message).toContain('(60 hosted now)');
    logs.shutdown();
  });

  it('creates a topic all or nothing: a failing log removes the ones made, lists and persists nothing', async () => {
    const dir = tempDir();
    const { cluster, logs } = await start(dir);
    logs.failAt = logs.calls + 4; // the 4th partition fails
    const err = await errorOf(cluster.createTopic('half', { numPartitions: 8, replicationFactor: 1 }));
    expect(err.code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(err.message).toBe(
      "Could not create partition 3 of half in the log dirs (EMFILE: too many open files, open 'half-3/00000000000000000000.log'); nothing was created.",
    );
    expect(cluster.topic('half')).toBeUndefined();
    expect(cluster.topics().map((t) => t.name)).not.toContain('half');
    expect([...cluster.metadataImage().topicsByName.keys()]).not.toContain('half');
    expect(partitionDirs(dir, 'half')).toEqual([]);
    for (let p = 0; p < 8; p++) expect(logs.getLog('half', p)).toBeUndefined();

    // the broker goes on: a new topic, then the same name once the cause is gone
    logs.failAt = Number.POSITIVE_INFINITY;
    await cluster.createTopic('after', { numPartitions: 2, replicationFactor: 1 });
    await cluster.createTopic('half', { numPartitions: 8, replicationFactor: 1 });
    expect(partitionDirs(dir, 'half')).toHaveLength(8);

    // adding partitions is all or nothing too
    logs.failAt = logs.calls + 3;
    const grow = await errorOf(cluster.createPartitions('after', 6));
    expect(grow.code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(cluster.topic('after')!.partitions).toHaveLength(2);
    expect(cluster.metadataImage().topicsByName.get('after')!.partitions.size).toBe(2);
    expect(partitionDirs(dir, 'after').sort()).toEqual(['after-0', 'after-1']);
    logs.shutdown();
    cluster.close();

    // and a restart finds exactly what was acknowledged
    const restarted = await start(dir);
    expect(restarted.cluster.topics().map((t) => t.name).sort()).toEqual(['after', 'half']);
    expect(restarted.cluster.topic('after')!.partitions).toHaveLength(2);
    restarted.logs.shutdown();
  });
});
