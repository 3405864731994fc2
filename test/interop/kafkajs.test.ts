/**
 * kafkajs (a client not written here) against our broker: admin, producer,
 * consumer groups, a two-member group resuming after a restart, list offsets
 * and seek. Records kafkajs writes in every codec are read back by the other
 * clients' suites (kcat, kafka-python, confluent-kafka-python, sarama,
 * @platformatic/kafka).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { restartBroker } from './clients/harness.js';

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

  it('two group members split the partitions, commit, and resume after a broker restart', async () => {
    broker = await startTestBroker();
    const topic = 'js-group';
    const admin = client(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();
    const producer = client(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `first-${i}` })) });
    await producer.disconnect();

    const assignments = new Map<number, number[]>();
    const seen: string[] = [];
    const consumers = [0, 1].map((n) => {
      const c = client(broker!).consumer({ groupId: 'js-group-1', maxWaitTimeInMs: 200 });
      c.on(c.events.GROUP_JOIN, (e) => assignments.set(n, e.payload.memberAssignment[topic] ?? []));
      return c;
    });
    for (const c of consumers) {
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      void c.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    }
    const deadline = Date.now() + 30_000;
    const split = () => [0, 1].every((n) => (assignments.get(n) ?? []).length === 2);
    while ((!split() || new Set(seen).size < 40) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect([...(assignments.get(0) ?? []), ...(assignments.get(1) ?? [])].sort()).toEqual([0, 1, 2, 3]);
    expect(new Set(seen).size).toBe(40);
    await Promise.all(consumers.map((c) => c.disconnect())); // commits on the way out

    broker = await restartBroker(broker);
    const producer2 = client(broker).producer();
    await producer2.connect();
    await producer2.send({ topic, messages: Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: `second-${i}` })) });
    await producer2.disconnect();
    const resumed: string[] = [];
    const again = client(broker).consumer({ groupId: 'js-group-1', maxWaitTimeInMs: 200 });
    await again.connect();
    await again.subscribe({ topic, fromBeginning: true });
    void again.run({ eachMessage: async ({ message }) => void resumed.push(String(message.value)) });
    const deadline2 = Date.now() + 30_000;
    while (resumed.length < 8 && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    await again.disconnect();
    expect(resumed.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `second-${i}`).sort());
  });

  it('lists offsets by time and seeks', async () => {
    broker = await startTestBroker();
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'js-seek', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const before = Date.now();
    await producer.send({ topic: 'js-seek', messages: Array.from({ length: 10 }, (_, i) => ({ value: `s${i}`, timestamp: String(before + i * 1000) })) });
    await producer.disconnect();
    expect(await admin.fetchTopicOffsetsByTimestamp('js-seek', before + 4500)).toEqual([{ partition: 0, offset: '5' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp('js-seek', before + 60_000)).toEqual([{ partition: 0, offset: '10' }]);
    await admin.disconnect();

    const consumer = kafka.consumer({ groupId: 'js-seek-group', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'js-seek' });
    const got: string[] = [];
    void consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void got.push(`${message.offset}:${String(message.value)}`) });
    consumer.seek({ topic: 'js-seek', partition: 0, offset: '7' });
    const deadline = Date.now() + 20_000;
    while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    expect(got).toEqual(['7:s7', '8:s8', '9:s9']);
  });
});
