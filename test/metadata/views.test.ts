/**
 * The image seen as the broker's BrokerInfo/TopicState: unfenced brokers only,
 * topics by name with partitions in order, partition epochs, configs, and replicas
 * on fenced or unregistered brokers reported offline.
 */
import { describe, expect, it } from 'vitest';
import { applyRecords } from '../../src/metadata/apply.js';
import { ConfigResourceType, emptyImage } from '../../src/metadata/image.js';
import { configRecord, partitionChangeRecord, registerBrokerRecord, SecurityProtocol, topicRecords } from '../../src/metadata/records.js';
import { brokerInfos, topicStates } from '../../src/metadata/views.js';

const IDS = ['Ab3dEfGhIjKlMnOpQrStUw', 'ZYxwVUtSrQpOnMlKjIhGfA'];

function broker(id: number, fenced = false) {
  return registerBrokerRecord({
    id,
    epoch: BigInt(id),
    incarnationId: IDS[0]!,
    endpoints: [
      { name: 'PLAINTEXT', host: `h${id}`, port: 9000 + id, securityProtocol: SecurityProtocol.PLAINTEXT },
      { name: 'INTERNAL', host: `i${id}`, port: 19000 + id, securityProtocol: SecurityProtocol.PLAINTEXT },
    ],
    rack: id === 2 ? 'r2' : null,
    fenced,
    inControlledShutdown: false,
  });
}

const image = applyRecords(emptyImage('c'), [
  broker(2),
  broker(1),
  broker(3, true),
  ...topicRecords({
    name: 'orders',
    topicId: IDS[0]!,
    configs: { 'retention.ms': '5' },
    partitions: [
      { partition: 1, replicas: [3, 1], isr: [1], leader: 1, leaderEpoch: 2 },
      { partition: 0, replicas: [1, 2, 4], isr: [1, 2], leader: 1, leaderEpoch: 0 },
    ],
  }),
  ...topicRecords({ name: '__consumer_offsets', topicId: IDS[1]!, partitions: [{ partition: 0, replicas: [2], isr: [2], leader: 2, leaderEpoch: 0 }] }),
  configRecord(ConfigResourceType.TOPIC, '__consumer_offsets', 'cleanup.policy', 'compact'),
]);

describe('views of the image', () => {
  it('lists unfenced brokers by id at their first listener, or the one named', () => {
    expect(brokerInfos(image)).toEqual([
      { nodeId: 1, host: 'h1', port: 9001, rack: null },
      { nodeId: 2, host: 'h2', port: 9002, rack: 'r2' },
    ]);
    expect(brokerInfos(image, 'INTERNAL').map((b) => `${b.host}:${b.port}`)).toEqual(['i1:19001', 'i2:19002']);
  });

  it('lists topics by name with partitions in order, epochs, configs and offline replicas', () => {
    const [offsets, orders] = topicStates(image);
    expect(offsets).toMatchObject({ name: '__consumer_offsets', internal: true, configs: { 'cleanup.policy': 'compact' } });
    expect(orders).toEqual({
      name: 'orders',
      topicId: IDS[0],
      internal: false,
      configs: { 'retention.ms': '5' },
      partitions: [
        // 4 was never registered, 3 is fenced
        { partition: 0, leader: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1, 2, 4], isr: [1, 2], offlineReplicas: [4] },
        { partition: 1, leader: 1, leaderEpoch: 2, partitionEpoch: 0, replicas: [3, 1], isr: [1], offlineReplicas: [3] },
      ],
    });
  });

  it('follows a partition change: new leader, next leader epoch, next partition epoch', () => {
    const p0 = image.topicsById.get(IDS[0]!)!.partitions.get(0)!;
    const change = partitionChangeRecord(IDS[0]!, p0, { replicas: p0.replicas, isr: [2], leader: 2, leaderEpoch: 1 })!;
    const [, orders] = topicStates(applyRecords(image, [change]));
    expect(orders!.partitions[0]).toMatchObject({ leader: 2, leaderEpoch: 1, partitionEpoch: 1, isr: [2] });
  });
});
