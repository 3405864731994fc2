/**
 * kafkajs (a client not written here) against our broker: admin, producer,
 * consumer groups, offsets surviving a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

function client(b: TestBroker): Kafka {
  return new Kafka({ clientId: 'interop-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

describe('kafkajs interop', () => {
  it('admin creates, lists, describes and deletes topics', async () => {
    broker = await startTestBroker();
    const admin = client(broker).admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] })).toBe(true);
    expect(await admin.listTopics()).toContain('orders');
    const md = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(md.topics[0].partitions).toHaveLength(3);
    expect(md.topics[0].partitions.every((p) => p.leader === 0)).toBe(true);
    await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] });
    const md2 = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(md2.topics[0].partitions).toHaveLength(5);
    await admin.deleteTopics({ topics: ['orders'] });
    expect(await admin.listTopics()).not.toContain('orders');
    await admin.disconnect();
  });

  it('produces and consumes keyed records with headers, gzip and none', async () => {
    broker = await startTestBroker();
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: `x${i}` } }));
    await producer.send({ topic: 'events', messages: messages.slice(0, 25) });
    await producer.send({ topic: 'events', messages: messages.slice(25), compression: CompressionTypes.GZIP });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'g-events' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'events', fromBeginning: true });
    const seen: { key: string; value: string; header: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${seen.length}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ key: String(message.key), value: String(message.value), header: String(message.headers?.h) });
          if (seen.length === 50) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(seen.map((m) => m.value).sort()).toEqual(messages.map((m) => m.value).sort());
    for (const m of seen) expect(m.header).toBe('x' + m.value.slice(1));

    // committed offsets are visible to the admin client
    const admin2 = kafka.admin();
    await admin2.connect();
    const offsets = await admin2.fetchOffsets({ groupId: 'g-events', topics: ['events'] });
    const total = offsets[0].partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(50);
    const groups = await admin2.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain('g-events');
    await admin2.disconnect();
  });

  it('idempotent producer and list offsets', async () => {
    broker = await startTestBroker();
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 1 }] });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'idem', messages: [{ value: `m${i}` }] });
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets('idem');
    expect(offsets[0]).toMatchObject({ partition: 0, low: '0', high: '5', offset: '5' });
    await admin.disconnect();
  });
});
