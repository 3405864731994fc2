/**
 * BrokerMetadataPublisher: logs created for partitions newly assigned to this broker,
 * removed with their topic, and stray logs (topic gone, moved away, or an earlier topic
 * of the same name) removed once the broker has caught up.
 */
import { describe, expect, it } from 'vitest';
import { BrokerMetadataPublisher, type PublishedReplicas } from '../../src/cluster/broker-metadata-publisher.js';
import type { ClusterMetadata } from '../../src/cluster/cluster-metadata.js';
import { defaultLogConfig } from '../../src/storage/partition-log.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { emptyImage, type MetadataImage } from '../../src/metadata/image.js';
import type { PartitionStateChange } from '../../src/broker/replication/types.js';
import { FakeLogStore } from './helpers.js';
import { brokers, image, topic, TOPIC_IDS } from './controller/helpers.js';

function publisherFor(current: () => MetadataImage) {
  const logs = new FakeLogStore();
  const applied: PartitionStateChange[] = [];
  const removed: string[] = [];
  const replicas: PublishedReplicas = {
    applyPartitionStates: (changes) => void applied.push(...changes),
    removePartitions: (ps) => void removed.push(...ps.map((p) => `${p.topic}-${p.partition}`)),
  };
  const metadata = { metadataImage: current, logConfigFor: () => defaultLogConfig(), onCommittedBatch: () => undefined } as unknown as ClusterMetadata;
  const publisher = new BrokerMetadataPublisher({ brokerId: 1, metadata, logs, replicas });
  return { publisher, logs, applied, removed };
}

describe('BrokerMetadataPublisher', () => {
  it('creates the logs of partitions assigned here, tells the replica manager, removes them with their topic', async () => {
    const withTopic = image(brokers([0, 1]), topic('t', TOPIC_IDS[0], [{ replicas: [1, 0] }, { replicas: [0] }]));
    const { publisher, logs, applied, removed } = publisherFor(() => withTopic);
    await publisher.publish(withTopic, emptyImage('cluster'));
    expect([...logs.logs.keys()]).toEqual(['t-0']);
    expect(applied.map((c) => [c.topic, c.partition, c.leader])).toEqual([['t', 0, 1]]);
    const without = image(brokers([0, 1]));
    await publisher.publish(without, withTopic);
    expect(logs.deleted).toEqual(['t-0']);
    expect(removed).toEqual(['t-0']);
  });

  it('removes stray logs once caught up: topic gone, or no longer assigned here', async () => {
    const current = image(brokers([0, 1]), topic('kept', TOPIC_IDS[0], [{ replicas: [1] }]), topic('moved', TOPIC_IDS[1], [{ replicas: [0] }]));
    const { publisher, logs } = publisherFor(() => current);
    for (const name of ['kept', 'moved', 'gone']) logs.createLog(name, 0, defaultLogConfig());
    await publisher.removeStrayLogs([...logs.logs.values()] as unknown as PartitionLog[]);
    expect([...logs.logs.keys()]).toEqual(['kept-0']);
    expect(logs.deleted.sort()).toEqual(['gone-0', 'moved-0']);
  });
});
