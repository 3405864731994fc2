/**
 * Issue 8, "Done when" 4: a restarted broker rebuilds its metadata from the metadata
 * log (__cluster_metadata-0) — topic ids, partitions, leaders and epochs, configs,
 * deletions — from the log alone, from a snapshot plus the records after it, and
 * from an old __cluster_metadata.json imported once. ClusterMetadata over storage's
 * real LogManager, closed and reopened as kafka-server-start does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerConfig, type BrokerConfig } from '../../src/broker/config.js';
import { ConfigResourceType } from '../../src/broker/services/metadata-service.js';
import { ClusterMetadata } from '../../src/cluster/cluster-metadata.js';
import { listSnapshots, readSnapshot } from '../../src/metadata/snapshot-file.js';
import { LogManager, readMetaProperties } from '../../src/storage/log-manager.js';
import { defaultLogConfig } from '../../src/storage/partition-log.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

interface Running {
  cluster: ClusterMetadata;
  logs: LogManager;
  lines: string[];
  stop(): void;
}

async function start(dir: string, overrides: Partial<BrokerConfig> = {}): Promise<Running> {
  const config = brokerConfig({ logDirs: [dir], brokerId: 0, ...overrides });
  const lines: string[] = [];
  const logs = new LogManager([dir], defaultLogConfig());
  logs.loadLogs();
  const cluster = new ClusterMetadata({ config, logs, log: (l) => lines.push(l) });
  await cluster.load();
  return {
    cluster,
    logs,
    lines,
    stop() {
      cluster.close();
      logs.shutdown();
    },
  };
}

/** Everything a client can learn about the metadata, in a comparable form. */
function described(cluster: ClusterMetadata) {
  return {
    clusterId: cluster.clusterId,
    brokers: cluster.brokers(),
    topics: cluster
      .topics()
      .map((t) => ({ name: t.name, topicId: t.topicId, internal: t.internal, configs: t.configs, partitions: t.partitions }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

const metadataDir = (dir: string) => path.join(dir, '__cluster_metadata-0');

/** Topics, partitions, configs, a deletion and a re-creation under the same name. */
async function makeChanges(cluster: ClusterMetadata): Promise<void> {
  await cluster.createTopic('orders', { numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '60000' } });
  await cluster.createPartitions('orders', 5);
  await cluster.incrementalAlterConfigs(ConfigResourceType.TOPIC, 'orders', [
    { name: 'cleanup.policy', op: 'SET', value: 'compact' },
    { name: 'retention.ms', op: 'DELETE', value: null },
  ]);
  await cluster.createTopic('gone', { numPartitions: 3, replicationFactor: 1 });
  await cluster.createTopic('payments', { numPartitions: 1, replicationFactor: 1 });
  await cluster.replaceConfigs(ConfigResourceType.TOPIC, 'payments', { 'segment.ms': '3600000', 'max.message.bytes': '2048' });
  await cluster.deleteTopic('gone');
  await cluster.createTopic('again', { numPartitions: 1, replicationFactor: 1 });
  await cluster.deleteTopic('again');
  await cluster.createTopic('again', { numPartitions: 2, replicationFactor: 1 });
  await cluster.ensureInternalTopic('__consumer_offsets');
}

describe('metadata rebuilt from the metadata log on restart', () => {
  it('from the log alone: same ids, partitions, leaders, epochs and configs; deleted topics stay deleted', async () => {
    const dir = tempDir();
    const first = await start(dir, { offsetsTopicNumPartitions: 3 });
    await makeChanges(first.cluster);
    const before = described(first.cluster);
    expect(before.topics.map((t) => t.name)).toEqual(['__consumer_offsets', 'again', 'orders', 'payments']);
    expect(before.topics.find((t) => t.name === 'orders')!.configs).toEqual({ 'cleanup.policy': 'compact' });
    first.stop();
    expect(listSnapshots(metadataDir(dir))).toEqual([]);

    const second = await start(dir, { offsetsTopicNumPartitions: 3 });
    expect(described(second.cluster)).toEqual(before);
    // the partition logs are opened with the rebuilt configs; the deleted topic's are gone
    expect(second.cluster.getPartition('orders', 4)?.log.config.cleanupPolicy).toBe('compact');
    expect(second.cluster.getPartition('payments', 0)?.log.config.maxMessageBytes).toBe(2048);
    expect(fs.existsSync(path.join(dir, 'gone-0'))).toBe(false);
    expect(readMetaProperties(dir)?.clusterId).toBe(before.clusterId);
    second.stop();
  });

  it('from a snapshot plus the records after it, with leader epochs moved by a broker that left and came back', async () => {
    const dir = tempDir();
    // a snapshot every ~1 KiB of records, in 2 KiB segments
    const small = { offsetsTopicNumPartitions: 3, metadataLogMaxRecordBytesBetweenSnapshots: 1024, metadataLogSegmentBytes: 2048 };
    const first = await start(dir, small);
    await makeChanges(first.cluster);
    first.stop();
    // broker.id 7 on the same dir: broker 0 is fenced, its partitions are leaderless at the next leader epoch
    const other = await start(dir, { ...small, brokerId: 7 });
    expect(other.cluster.topic('orders')!.partitions[0]).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [0], offlineReplicas: [0] });
    other.stop();
    const back = await start(dir, small);
    // later records, after the newest snapshot
    await back.cluster.createTopic('late', { numPartitions: 2, replicationFactor: 1, configs: { 'retention.bytes': '1000' } });
    const before = described(back.cluster);
    expect(before.topics.find((t) => t.name === 'orders')!.partitions[0]).toMatchObject({ leader: 0, leaderEpoch: 2, partitionEpoch: 2, isr: [0] });
    back.stop();

    const snapshots = listSnapshots(metadataDir(dir));
    expect(snapshots).toHaveLength(1);
    const snapshot = readSnapshot(metadataDir(dir), snapshots[0]!);
    // the topic created last is only in the log, after the snapshot
    expect(snapshot.records.some((r) => r.type === 'TopicRecord' && r.data.name === 'orders')).toBe(true);
    expect(snapshot.records.some((r) => r.type === 'TopicRecord' && r.data.name === 'late')).toBe(false);
    // segments wholly behind the snapshot were deleted, so the snapshot is needed to rebuild
    const segments = fs.readdirSync(metadataDir(dir)).filter((f) => f.endsWith('.log'));
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every((f) => Number(f.slice(0, 20)) > 0)).toBe(true);

    const again = await start(dir, small);
    expect(described(again.cluster)).toEqual(before);
    again.stop();
  });

  it('imports an old __cluster_metadata.json once, keeping ids, epochs and configs, and sets it aside', async () => {
    const dir = tempDir();
    const legacy = {
      version: 1,
      clusterId: 'Xq1w2e3r4t5y6u7i8o9p0a',
      brokers: [{ nodeId: 0, host: 'localhost', port: 9092, rack: null }],
      topics: [
        {
          name: 'old',
          topicId: 'Ab3dEfGhIjKlMnOpQrStUw',
          internal: false,
          partitions: [
            { partition: 0, leader: 0, leaderEpoch: 3, replicas: [0], isr: [0], offlineReplicas: [] },
            { partition: 1, leader: 0, leaderEpoch: 0, replicas: [0], isr: [0], offlineReplicas: [] },
          ],
          configs: { 'retention.ms': '1000' },
        },
      ],
    };
    fs.writeFileSync(path.join(dir, '__cluster_metadata.json'), JSON.stringify(legacy));
    // a log the old file knows, and one left behind by an interrupted deletion
    const seed = new LogManager([dir], defaultLogConfig());
    seed.createLog('old', 0, defaultLogConfig());
    seed.createLog('stray', 0, defaultLogConfig());
    seed.shutdown();

    const first = await start(dir);
    expect(first.cluster.clusterId).toBe(legacy.clusterId);
    const old = first.cluster.topic('old')!;
    expect(old.topicId).toBe('Ab3dEfGhIjKlMnOpQrStUw');
    expect(old.configs).toEqual({ 'retention.ms': '1000' });
    expect(old.partitions.map((p) => [p.partition, p.leader, p.leaderEpoch, p.isr])).toEqual([
      [0, 0, 3, [0]],
      [1, 0, 0, [0]],
    ]);
    expect(fs.existsSync(path.join(dir, 'stray-0'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'old-1'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '__cluster_metadata.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '__cluster_metadata.json.migrated'))).toBe(true);
    expect(first.lines.some((l) => l.startsWith('Imported 1 topics from the old metadata file'))).toBe(true);
    const before = described(first.cluster);
    first.stop();

    // the next start reads the metadata log; the set-aside file is not imported again
    fs.writeFileSync(path.join(dir, '__cluster_metadata.json.migrated'), '{"version":1,"clusterId":"x","topics":[]}');
    const second = await start(dir);
    expect(described(second.cluster)).toEqual(before);
    expect(second.lines.some((l) => l.startsWith('Imported'))).toBe(false);
    second.stop();
  });

  it('a corrupt old file stops the start with its path instead of starting an empty cluster', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '__cluster_metadata.json'), '{"version":1,"clu');
    await expect(start(dir)).rejects.toThrow(`Unreadable cluster metadata file ${path.join(dir, '__cluster_metadata.json')}`);
  });
});
