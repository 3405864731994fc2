/**
 * The image seen as the broker's TopicState/BrokerInfo, and recordsToReach: the
 * records that take an image to the state the cluster layer holds, so persisting
 * that state is one append to the metadata log.
 */
import { describe, expect, it } from 'vitest';
import { applyRecords } from '../../src/metadata/apply.js';
import { emptyImage, type MetadataImage } from '../../src/metadata/image.js';
import { brokerInfos, recordsToReach, topicStates, type ClusterState, type TopicState } from '../../src/metadata/views.js';

const IDS = ['Ab3dEfGhIjKlMnOpQrStUw', 'ZYxwVUtSrQpOnMlKjIhGfA', 'q1w2e3r4t5y6u7i8o9p0aQ'];

function topic(name: string, topicId: string, partitions: number, configs: Record<string, string> = {}): TopicState {
  return {
    name,
    topicId,
    internal: name === '__consumer_offsets',
    partitions: Array.from({ length: partitions }, (_, partition) => ({
      partition,
      leader: 0,
      leaderEpoch: 0,
      replicas: [0],
      isr: [0],
      offlineReplicas: [],
    })),
    configs,
  };
}

function reach(image: MetadataImage, state: ClusterState): MetadataImage {
  const records = recordsToReach(image, state, { nextOffset: image.provenance.lastContainedOffset + 1 });
  return applyRecords(image, records);
}

/** TopicState as the image reports it, without the partition epochs the caller does not track. */
function withoutPartitionEpochs(states: TopicState[]): TopicState[] {
  return states.map((t) => ({ ...t, partitions: t.partitions.map(({ partitionEpoch: _e, ...p }) => p) }));
}

describe('recordsToReach', () => {
  const self = { nodeId: 0, host: 'localhost', port: 9092, rack: null };

  it('creates brokers, topics, partitions and configs from an empty image; then has nothing more to say', () => {
    const state: ClusterState = { brokers: [self], topics: [topic('orders', IDS[0]!, 3, { 'retention.ms': '5' }), topic('__consumer_offsets', IDS[1]!, 2, { 'cleanup.policy': 'compact' })] };
    const image = reach(emptyImage('c'), state);
    expect(brokerInfos(image)).toEqual([self]);
    expect(withoutPartitionEpochs(topicStates(image))).toEqual([...state.topics].sort((a, b) => (a.name < b.name ? -1 : 1)));
    expect(topicStates(image)[1]!.partitions[0]!.partitionEpoch).toBe(0);
    expect(recordsToReach(image, state, { nextOffset: 10 })).toEqual([]);
  });

  it('turns each kind of change into the matching record and the image follows', () => {
    const start: ClusterState = { brokers: [self], topics: [topic('orders', IDS[0]!, 2, { 'retention.ms': '5' }), topic('gone', IDS[1]!, 1)] };
    let image = reach(emptyImage('c'), start);
    const orders = topic('orders', IDS[0]!, 3, { 'cleanup.policy': 'compact' });
    orders.partitions[0] = { ...orders.partitions[0]!, isr: [] , leader: -1, leaderEpoch: 1 };
    const next: ClusterState = {
      brokers: [{ ...self, port: 9093 }],
      topics: [orders, topic('gone', IDS[2]!, 1)], // same name, new id: deleted and re-created
    };
    const records = recordsToReach(image, next, { nextOffset: 100 });
    expect(records.map((r) => r.type)).toEqual([
      'RegisterBrokerRecord',
      'RemoveTopicRecord',
      'ConfigRecord', // retention.ms deleted
      'ConfigRecord', // cleanup.policy set
      'PartitionChangeRecord',
      'PartitionRecord',
      'TopicRecord',
      'PartitionRecord',
    ]);
    expect(records[0]!.data).toMatchObject({ brokerId: 0, brokerEpoch: 100n });
    image = applyRecords(image, records);
    expect(brokerInfos(image)).toEqual([{ ...self, port: 9093 }]);
    expect(withoutPartitionEpochs(topicStates(image))).toEqual([topic('gone', IDS[2]!, 1), orders]);
    expect(topicStates(image)[1]!.partitions.map((p) => p.partitionEpoch)).toEqual([1, 0, 0]);
    expect(recordsToReach(image, next, { nextOffset: 200 })).toEqual([]);
  });

  it('unregisters a broker that is gone and reports replicas on it offline', () => {
    let image = reach(emptyImage('c'), { brokers: [self], topics: [topic('orders', IDS[0]!, 1)] });
    image = reach(image, { brokers: [{ ...self, nodeId: 5 }], topics: [topic('orders', IDS[0]!, 1)] });
    expect([...image.brokers.keys()]).toEqual([5]);
    expect(topicStates(image)[0]!.partitions[0]!.offlineReplicas).toEqual([0]);
  });
});
