/** ClusterMetadata: topic lifecycle, persistence, validation and placement. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { isDisplayUuid, ZERO_UUID } from '../../src/cluster/ids.js';
import { assignReplicas } from '../../src/cluster/controller/replica-placement.js';
import { openCluster, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

async function rejection(p: Promise<unknown>): Promise<KafkaError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KafkaError) return err;
    throw err;
  }
  throw new Error('expected a KafkaError');
}

describe('ClusterMetadata topics', () => {
  it('creates a topic with replicas, leader, ISR, epoch and a topic id, and opens its logs', async () => {
    const { cluster, logs } = await openCluster(tempDir(), { brokerId: 3 });
    const topic = await cluster.createTopic('demo', { numPartitions: 3, replicationFactor: 1 });
    expect(topic.partitions).toHaveLength(3);
    expect(isDisplayUuid(topic.topicId)).toBe(true);
    expect(topic.topicId).not.toBe(ZERO_UUID);
    for (const [i, p] of topic.partitions.entries()) {
      expect(p).toEqual({ partition: i, leader: 3, leaderEpoch: 0, partitionEpoch: 0, replicas: [3], isr: [3], offlineReplicas: [] });
      expect(logs.fake('demo', i)).toBeDefined();
      expect(cluster.getPartition('demo', i)?.state).toBe(p);
    }
    expect(cluster.topic('demo')).toBe(topic);
    expect(cluster.topicById(topic.topicId)).toBe(topic);
    expect(cluster.controllerId).toBe(3);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cluster.getPartition('demo', 3)).toBeUndefined();
  });

  it('uses broker defaults for -1 and rejects duplicates with Kafka\'s message', async () => {
    const { cluster } = await openCluster(tempDir(), { numPartitions: 4 });
    const t = await cluster.createTopic('d', { numPartitions: -1, replicationFactor: -1 });
    expect(t.partitions).toHaveLength(4);
    const err = await rejection(cluster.createTopic('d', { numPartitions: 1, replicationFactor: 1 }));
    expect(err.code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(err.message).toBe("Topic 'd' already exists.");
  });

  it('validates names, partition counts, replication factor and configs', async () => {
    const { cluster } = await openCluster(tempDir());
    const spec = { numPartitions: 1, replicationFactor: 1 };
    for (const bad of ['', '.', '..', 'a b', 'x'.repeat(250), 'ä']) {
      expect((await rejection(cluster.createTopic(bad, spec))).code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    }
    await cluster.createTopic('x'.repeat(249), spec);
    expect((await rejection(cluster.createTopic('p', { numPartitions: 0, replicationFactor: 1 }))).code).toBe(
      ErrorCode.INVALID_PARTITIONS,
    );
    const rf = await rejection(cluster.createTopic('r', { numPartitions: 1, replicationFactor: 4 }));
    expect(rf.code).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(rf.message).toBe('Replication factor: 4 larger than available brokers: 1.');
    const unknown = await rejection(cluster.createTopic('c', { ...spec, configs: { 'no.such.key': '1' } }));
    expect(unknown.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(unknown.message).toBe('Unknown topic config name: no.such.key');
    const badValue = await rejection(cluster.createTopic('c', { ...spec, configs: { 'retention.ms': 'abc' } }));
    expect(badValue.message).toBe('Invalid value abc for configuration retention.ms: Not a number of type LONG');
    const badPolicy = await rejection(cluster.createTopic('c', { ...spec, configs: { 'cleanup.policy': 'shred' } }));
    expect(badPolicy.message).toBe('Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete');
    expect(cluster.topic('c')).toBeUndefined();
  });

  it('validateOnly creates nothing', async () => {
    const { cluster, logs } = await openCluster(tempDir());
    const t = await cluster.createTopic('v', { numPartitions: 2, replicationFactor: 1 }, true);
    expect(t.partitions).toHaveLength(2);
    expect(cluster.topic('v')).toBeUndefined();
    expect(logs.logs.size).toBe(0);
  });

  it('deletes a topic and its logs; recreation gets a new topic id', async () => {
    const { cluster, logs } = await openCluster(tempDir());
    const first = await cluster.createTopic('t', { numPartitions: 2, replicationFactor: 1 });
    await cluster.deleteTopic('t');
    expect(cluster.topic('t')).toBeUndefined();
    expect(cluster.topicById(first.topicId)).toBeUndefined();
    expect(logs.deleted.sort()).toEqual(['t-0', 't-1']);
    const second = await cluster.createTopic('t', { numPartitions: 1, replicationFactor: 1 });
    expect(second.topicId).not.toBe(first.topicId);
    expect((await rejection(cluster.deleteTopic('nope'))).code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('refuses deletion when delete.topic.enable=false and for internal topics', async () => {
    const off = await openCluster(tempDir(), { deleteTopicEnable: false });
    await off.cluster.createTopic('t', { numPartitions: 1, replicationFactor: 1 });
    expect((await rejection(off.cluster.deleteTopic('t'))).code).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
    const on = await openCluster(tempDir(), { offsetsTopicNumPartitions: 5 });
    const offsets = await on.cluster.ensureInternalTopic('__consumer_offsets');
    expect(offsets.internal).toBe(true);
    expect(offsets.partitions).toHaveLength(5);
    expect(offsets.configs).toEqual({ 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' });
    expect(await on.cluster.ensureInternalTopic('__consumer_offsets')).toBe(offsets);
    expect((await rejection(on.cluster.deleteTopic('__consumer_offsets'))).code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('grows partitions and rejects non-increases', async () => {
    const { cluster, logs } = await openCluster(tempDir());
    await cluster.createTopic('g', { numPartitions: 2, replicationFactor: 1 });
    const grown = await cluster.createPartitions('g', 5);
    expect(grown.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4]);
    expect(logs.fake('g', 4)).toBeDefined();
    const same = await rejection(cluster.createPartitions('g', 5));
    expect(same.code).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(same.message).toBe('Topic already has 5 partition(s).');
    const fewer = await rejection(cluster.createPartitions('g', 3));
    expect(fewer.message).toBe('The topic g currently has 5 partition(s); 3 would not be an increase.');
    expect((await rejection(cluster.createPartitions('none', 3))).code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('auto-creates only when auto.create.topics.enable', async () => {
    const on = await openCluster(tempDir(), { numPartitions: 2 });
    expect((await on.cluster.autoCreateTopic('auto')).partitions).toHaveLength(2);
    const off = await openCluster(tempDir(), { autoCreateTopicsEnable: false });
    expect((await rejection(off.cluster.autoCreateTopic('auto'))).code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('serialises concurrent creates of the same topic', async () => {
    const { cluster } = await openCluster(tempDir());
    const results = await Promise.allSettled([
      cluster.createTopic('race', { numPartitions: 1, replicationFactor: 1 }),
      cluster.createTopic('race', { numPartitions: 1, replicationFactor: 1 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('ClusterMetadata persistence', () => {
  it('survives a reload: topics, ids, partition counts, configs and cluster id', async () => {
    const dir = tempDir();
    const a = await openCluster(dir);
    const t = await a.cluster.createTopic('keep', {
      numPartitions: 2,
      replicationFactor: 1,
      configs: { 'retention.ms': '1000' },
    });
    await a.cluster.createPartitions('keep', 3);
    await a.cluster.incrementalAlterConfigs(2, 'keep', [{ name: 'cleanup.policy', op: 'SET', value: 'compact' }]);
    await a.cluster.createTopic('gone', { numPartitions: 1, replicationFactor: 1 });
    await a.cluster.deleteTopic('gone');
    // the metadata log, as KRaft keeps it; no JSON file
    expect(fs.existsSync(path.join(dir, '__cluster_metadata-0', '00000000000000000000.log'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '__cluster_metadata.json'))).toBe(false);
    a.cluster.close();

    const b = await openCluster(dir);
    expect(b.cluster.clusterId).toBe(a.cluster.clusterId);
    const again = b.cluster.topic('keep');
    expect(again?.topicId).toBe(t.topicId);
    expect(again?.partitions).toHaveLength(3);
    expect(again?.configs).toEqual({ 'retention.ms': '1000', 'cleanup.policy': 'compact' });
    expect(b.cluster.topic('gone')).toBeUndefined();
    // logs of hosted partitions are opened on load, with the topic's config
    expect(b.logs.fake('keep', 2)?.config.retentionMs).toBe(1000);
    expect(b.logs.fake('keep', 0)?.config.cleanupPolicy).toBe('compact');
  });

  it('a new dir gets a new cluster id', async () => {
    const a = await openCluster(tempDir());
    const b = await openCluster(tempDir());
    expect(a.cluster.clusterId).not.toBe(b.cluster.clusterId);
  });
});

describe('replica placement', () => {
  it('spreads leaders round-robin and shifts followers like Kafka', () => {
    expect(assignReplicas([1, 2, 3], 3, 3, { startIndex: 0, replicaShift: 0 })).toEqual([
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
    ]);
    const six = assignReplicas([3, 1, 2], 6, 2, { startIndex: 0, replicaShift: 0 });
    expect(six.map((r) => r[0])).toEqual([1, 2, 3, 1, 2, 3]);
    // after wrapping the broker list the follower shift grows by one
    expect(six[0]).toEqual([1, 2]);
    expect(six[3]).toEqual([1, 3]);
    for (const r of assignReplicas([0, 1, 2, 3], 20, 3)) expect(new Set(r).size).toBe(3);
  });

  it('rejects a replication factor above the broker count with Kafka\'s message', () => {
    expect(() => assignReplicas([1, 2, 3], 1, 4)).toThrow('Replication factor: 4 larger than available brokers: 3.');
  });
});

describe('leadership after restart', () => {
  it('keeps leader and epoch when the same broker comes back; a vanished broker is fenced, and leads again when it returns', async () => {
    const dir = tempDir();
    const a = await openCluster(dir, { brokerId: 0 });
    await a.cluster.createTopic('l', { numPartitions: 1, replicationFactor: 1 });
    a.cluster.close();
    const same = await openCluster(dir, { brokerId: 0 });
    expect(same.cluster.topic('l')?.partitions[0]).toMatchObject({ leader: 0, leaderEpoch: 0, isr: [0], offlineReplicas: [] });
    same.cluster.close();
    const other = await openCluster(dir, { brokerId: 5 });
    // KIP-841: the last ISR member stays in the ISR, leaderless, so nothing acknowledged is lost
    expect(other.cluster.topic('l')?.partitions[0]).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [0], offlineReplicas: [0] });
    expect(other.cluster.getPartition('l', 0)).toBeUndefined();
    expect(other.cluster.brokers().map((b) => b.nodeId)).toEqual([5]);
    other.cluster.close();
    const back = await openCluster(dir, { brokerId: 0 });
    expect(back.cluster.topic('l')?.partitions[0]).toMatchObject({ leader: 0, leaderEpoch: 2, isr: [0], offlineReplicas: [] });
    expect(back.cluster.brokers().map((b) => b.nodeId)).toEqual([0]);
    back.cluster.close();
  });
});
