/**
 * Replaying metadata records onto the image, record type by record type, with
 * Kafka's semantics (PartitionRegistration.merge, ConfigurationsDelta, ClusterDelta).
 */
import { describe, expect, it } from 'vitest';
import { metadataRecord } from '../../src/protocol/metadata-records.js';
import { applyRecord, applyRecords, MetadataReplayError } from '../../src/metadata/apply.js';
import { ConfigResourceType, emptyImage, partitionsOf, resourceConfigs, type MetadataImage } from '../../src/metadata/image.js';
import { imageRecords, partitionChangeRecord, registerBrokerRecord, topicRecords } from '../../src/metadata/records.js';

const T1 = 'Ab3dEfGhIjKlMnOpQrStUw';
const T2 = 'ZYxwVUtSrQpOnMlKjIhGfA';

function withTopic(): MetadataImage {
  return applyRecords(emptyImage('cluster-1'), [
    metadataRecord('TopicRecord', { name: 'orders', topicId: T1 }),
    metadataRecord('PartitionRecord', { partitionId: 0, topicId: T1, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    metadataRecord('PartitionRecord', { partitionId: 1, topicId: T1, replicas: [2, 3, 1], isr: [2, 3, 1], leader: 2, leaderEpoch: 0, partitionEpoch: 0 }),
  ]);
}

function partition(image: MetadataImage, topic: string, index: number) {
  const p = image.topicsByName.get(topic)?.partitions.get(index);
  if (p === undefined) throw new Error(`no partition ${topic}-${index}`);
  return p;
}

describe('applyRecord', () => {
  it('TopicRecord and PartitionRecord create a topic, found by name and by id', () => {
    const image = withTopic();
    expect(image.topicsByName.get('orders')).toBe(image.topicsById.get(T1));
    expect(partitionsOf(image.topicsById.get(T1)!).map((p) => [p.partition, p.leader, p.replicas])).toEqual([
      [0, 1, [1, 2, 3]],
      [1, 2, [2, 3, 1]],
    ]);
    expect(partition(image, 'orders', 0)).toMatchObject({ leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0, elr: [] });
  });

  it('never changes the image it was given', () => {
    const before = withTopic();
    const after = applyRecord(before, metadataRecord('PartitionChangeRecord', { partitionId: 0, topicId: T1, isr: [1] }));
    expect(partition(before, 'orders', 0).isr).toEqual([1, 2, 3]);
    expect(partition(after, 'orders', 0).isr).toEqual([1]);
    // untouched parts are shared, not copied
    expect(after.brokers).toBe(before.brokers);
    expect(after.topicsByName.get('orders')!.partitions.get(1)).toBe(before.topicsByName.get('orders')!.partitions.get(1));
  });

  it('a duplicate topic name or id, or a partition of an unknown topic, is a replay error', () => {
    const image = withTopic();
    expect(() => applyRecord(image, metadataRecord('TopicRecord', { name: 'orders', topicId: T2 }))).toThrow(MetadataReplayError);
    expect(() => applyRecord(image, metadataRecord('TopicRecord', { name: 'other', topicId: T1 }))).toThrow(MetadataReplayError);
    expect(() => applyRecord(image, metadataRecord('PartitionRecord', { partitionId: 0, topicId: T2, replicas: [1], isr: [1], leader: 1 }))).toThrow(
      /unknown topic id/,
    );
    expect(() => applyRecord(image, metadataRecord('PartitionChangeRecord', { partitionId: 9, topicId: T1, isr: [1] }))).toThrow(/unknown partition 9/);
  });

  it('RemoveTopicRecord removes the topic and its configs', () => {
    let image = applyRecords(withTopic(), [
      metadataRecord('ConfigRecord', { resourceType: ConfigResourceType.TOPIC, resourceName: 'orders', name: 'retention.ms', value: '1000' }),
    ]);
    expect(resourceConfigs(image, ConfigResourceType.TOPIC, 'orders')).toEqual({ 'retention.ms': '1000' });
    image = applyRecord(image, metadataRecord('RemoveTopicRecord', { topicId: T1 }));
    expect(image.topicsByName.size).toBe(0);
    expect(image.topicsById.size).toBe(0);
    expect(image.configs.size).toBe(0);
    expect(() => applyRecord(image, metadataRecord('RemoveTopicRecord', { topicId: T1 }))).toThrow(MetadataReplayError);
    // the name is free again
    image = applyRecord(image, metadataRecord('TopicRecord', { name: 'orders', topicId: T2 }));
    expect(image.topicsByName.get('orders')!.topicId).toBe(T2);
  });

  it('ConfigRecord sets and, with a null value, deletes an override; broker defaults have an empty name', () => {
    const set = (resourceType: number, resourceName: string, name: string, value: string | null) =>
      metadataRecord('ConfigRecord', { resourceType, resourceName, name, value });
    let image = applyRecords(emptyImage('c'), [
      set(ConfigResourceType.TOPIC, 'orders', 'cleanup.policy', 'compact'),
      set(ConfigResourceType.TOPIC, 'orders', 'retention.ms', '5'),
      set(ConfigResourceType.BROKER, '', 'log.retention.ms', '100'),
      set(ConfigResourceType.BROKER, '1', 'log.cleaner.threads', '2'),
    ]);
    expect(resourceConfigs(image, ConfigResourceType.TOPIC, 'orders')).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '5' });
    expect(resourceConfigs(image, ConfigResourceType.BROKER, '')).toEqual({ 'log.retention.ms': '100' });
    expect(resourceConfigs(image, ConfigResourceType.BROKER, '1')).toEqual({ 'log.cleaner.threads': '2' });
    const before = image;
    image = applyRecord(image, set(ConfigResourceType.TOPIC, 'orders', 'retention.ms', null));
    expect(resourceConfigs(image, ConfigResourceType.TOPIC, 'orders')).toEqual({ 'cleanup.policy': 'compact' });
    expect(resourceConfigs(before, ConfigResourceType.TOPIC, 'orders')).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '5' });
    image = applyRecord(image, set(ConfigResourceType.TOPIC, 'orders', 'cleanup.policy', null));
    expect(image.configs.has('2:orders')).toBe(false);
  });

  it('RegisterBrokerRecord, fencing, BrokerRegistrationChangeRecord and UnregisterBrokerRecord follow the broker epoch', () => {
    const broker = {
      id: 1,
      epoch: 10n,
      incarnationId: T1,
      endpoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0 }],
      supportedFeatures: { 'metadata.version': [1, 21] as const },
      rack: 'r1',
      fenced: true,
      inControlledShutdown: false,
    };
    let image = applyRecord(emptyImage('c'), registerBrokerRecord(broker));
    expect(image.brokers.get(1)).toEqual(broker);
    image = applyRecord(image, metadataRecord('UnfenceBrokerRecord', { id: 1, epoch: 10n }));
    expect(image.brokers.get(1)!.fenced).toBe(false);
    image = applyRecord(image, metadataRecord('FenceBrokerRecord', { id: 1, epoch: 10n }));
    expect(image.brokers.get(1)!.fenced).toBe(true);
    image = applyRecord(image, metadataRecord('BrokerRegistrationChangeRecord', { brokerId: 1, brokerEpoch: 10n, fenced: -1, inControlledShutdown: 1 }));
    expect(image.brokers.get(1)).toMatchObject({ fenced: false, inControlledShutdown: true });
    // a stale epoch (an older incarnation of the broker) is refused
    expect(() => applyRecord(image, metadataRecord('FenceBrokerRecord', { id: 1, epoch: 9n }))).toThrow(/epoch 9/);
    expect(() => applyRecord(image, metadataRecord('UnregisterBrokerRecord', { brokerId: 2, brokerEpoch: 10n }))).toThrow(/not registered/);
    // re-registration replaces the old registration
    image = applyRecord(image, registerBrokerRecord({ ...broker, epoch: 20n, fenced: false }));
    expect(image.brokers.get(1)).toMatchObject({ epoch: 20n, fenced: false, inControlledShutdown: false });
    image = applyRecord(image, metadataRecord('UnregisterBrokerRecord', { brokerId: 1, brokerEpoch: 20n }));
    expect(image.brokers.size).toBe(0);
  });

  it('FeatureLevelRecord sets a finalized level, level 0 removes it; ProducerIdsRecord only moves forward', () => {
    let image = applyRecords(emptyImage('c'), [
      metadataRecord('FeatureLevelRecord', { name: 'metadata.version', featureLevel: 21 }),
      metadataRecord('FeatureLevelRecord', { name: 'transaction.version', featureLevel: 2 }),
      metadataRecord('FeatureLevelRecord', { name: 'transaction.version', featureLevel: 0 }),
      metadataRecord('ProducerIdsRecord', { brokerId: 1, brokerEpoch: 3n, nextProducerId: 1000n }),
    ]);
    expect([...image.features]).toEqual([['metadata.version', 21]]);
    expect(image.producerIds).toEqual({ brokerId: 1, brokerEpoch: 3n, nextProducerId: 1000n });
    expect(() => applyRecord(image, metadataRecord('ProducerIdsRecord', { brokerId: 1, brokerEpoch: 3n, nextProducerId: 999n }))).toThrow(
      MetadataReplayError,
    );
    image = applyRecord(image, metadataRecord('NoOpRecord', {}));
    expect(image.producerIds.nextProducerId).toBe(1000n);
  });
});

describe('PartitionChangeRecord semantics', () => {
  const change = (data: Record<string, unknown>) => metadataRecord('PartitionChangeRecord', { partitionId: 0, topicId: T1, ...data });

  it('an ISR change bumps the partition epoch only', () => {
    const image = applyRecord(withTopic(), change({ isr: [1, 2] }));
    expect(partition(image, 'orders', 0)).toMatchObject({ isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 1 });
  });

  it('a new leader bumps both epochs; naming the same leader again still starts a new leader epoch', () => {
    let image = applyRecord(withTopic(), change({ leader: 2, isr: [2, 3] }));
    expect(partition(image, 'orders', 0)).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 1, partitionEpoch: 1 });
    image = applyRecord(image, change({ leader: 2 }));
    expect(partition(image, 'orders', 0)).toMatchObject({ leader: 2, leaderEpoch: 2, partitionEpoch: 2 });
  });

  it('leader -1 leaves the partition offline at a new leader epoch; LEADER_RECOVERY state -1 means unchanged', () => {
    let image = applyRecord(withTopic(), change({ leader: -1, isr: [], leaderRecoveryState: 1 }));
    expect(partition(image, 'orders', 0)).toMatchObject({ leader: -1, isr: [], leaderEpoch: 1, partitionEpoch: 1, leaderRecoveryState: 1 });
    image = applyRecord(image, change({ isr: [3] }));
    expect(partition(image, 'orders', 0)).toMatchObject({ leader: -1, leaderRecoveryState: 1, leaderEpoch: 1, partitionEpoch: 2 });
    image = applyRecord(image, change({ leader: 3, leaderRecoveryState: 0 }));
    expect(partition(image, 'orders', 0)).toMatchObject({ leader: 3, leaderRecoveryState: 0, leaderEpoch: 2, partitionEpoch: 3 });
  });

  it('replica reassignment fields replace the lists they carry and leave the others', () => {
    const image = applyRecord(withTopic(), change({ replicas: [1, 2, 3, 4], addingReplicas: [4], removingReplicas: [1] }));
    expect(partition(image, 'orders', 0)).toMatchObject({
      replicas: [1, 2, 3, 4],
      addingReplicas: [4],
      removingReplicas: [1],
      isr: [1, 2, 3],
      partitionEpoch: 1,
      leaderEpoch: 0,
    });
    expect(partition(image, 'orders', 1).partitionEpoch).toBe(0);
  });

  it('partitionChangeRecord() names the leader only when it changes or a new epoch is wanted', () => {
    const before = partition(withTopic(), 'orders', 0);
    expect(partitionChangeRecord(T1, before, { ...before })).toBeNull();
    const shrink = partitionChangeRecord(T1, before, { ...before, isr: [1] })!;
    expect(shrink.data).toMatchObject({ isr: [1], leader: -2, replicas: null });
    const bump = partitionChangeRecord(T1, before, { ...before, leaderEpoch: before.leaderEpoch + 1 })!;
    expect(bump.data).toMatchObject({ isr: null, leader: 1 });
    const image = applyRecord(withTopic(), bump);
    expect(partition(image, 'orders', 0)).toMatchObject({ leader: 1, leaderEpoch: 1, partitionEpoch: 1 });
  });
});

describe('imageRecords', () => {
  it('rebuilds an equal image from empty (what a snapshot holds)', () => {
    let image = applyRecords(withTopic(), [
      metadataRecord('FeatureLevelRecord', { name: 'metadata.version', featureLevel: 21 }),
      registerBrokerRecord({ id: 1, epoch: 4n, incarnationId: T2, endpoints: [], rack: null, fenced: false, inControlledShutdown: true }),
      metadataRecord('PartitionChangeRecord', { partitionId: 1, topicId: T1, leader: 3, isr: [3], eligibleLeaderReplicas: [2] }),
      metadataRecord('ConfigRecord', { resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '7' }),
      metadataRecord('ConfigRecord', { resourceType: 4, resourceName: '', name: 'log.retention.ms', value: '8' }),
      metadataRecord('ProducerIdsRecord', { brokerId: 1, brokerEpoch: 4n, nextProducerId: 2000n }),
      ...topicRecords({ name: 'audit', topicId: T2, partitions: [{ partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 5, partitionEpoch: 6 }], configs: { 'cleanup.policy': 'compact' } }),
    ]);
    const rebuilt = applyRecords(emptyImage('cluster-1'), imageRecords(image), image.provenance);
    expect(rebuilt).toEqual(image);
    expect(imageRecords(image)[0]).toMatchObject({ type: 'FeatureLevelRecord' });
    image = applyRecord(image, metadataRecord('RemoveTopicRecord', { topicId: T1 }));
    expect(applyRecords(emptyImage('cluster-1'), imageRecords(image))).toEqual(image);
  });
});
