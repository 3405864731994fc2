/**
 * Consumer groups end to end over the wire with kafkajs: a group consumes and commits,
 * the admin client describes and lists it, and committed offsets survive a broker
 * restart (replayed from __consumer_offsets).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

const brokers: TestBroker[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close().catch(() => {});
});

describe('consumer group over the wire', () => {
  it('consumes with a group, commits, and keeps offsets across a restart', async () => {
    const logDir = tempDir();
    const broker = await startTestBroker({ logDirs: [logDir] });
    brokers.push(broker);
    const kafka = new Kafka({ clientId: 'e2e', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'billing', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only got ${seen.length} messages`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === 6) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    expect(seen.sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);

    const described = await admin.describeGroups(['billing']);
    expect(described.groups[0]!.state).toBe('Stable');
    expect(described.groups[0]!.protocolType).toBe('consumer');
    expect(described.groups[0]!.members).toHaveLength(1);
    await consumer.disconnect(); // commits and leaves the group

    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId: 'billing', protocolType: 'consumer' });
    const offsets = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
    expect(offsets[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([[0, '3'], [1, '3']]);
    await admin.disconnect();
    await broker.close();

    const restarted = await startTestBroker({ logDirs: [logDir] });
    brokers.push(restarted);
    const admin2 = new Kafka({ clientId: 'e2e', brokers: [restarted.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin2.connect();
    const after = await admin2.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
    expect(after[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([[0, '3'], [1, '3']]);
    const desc = await admin2.describeGroups(['billing']);
    expect(desc.groups[0]!.state).toBe('Empty');
    await admin2.deleteGroups(['billing']);
    expect((await admin2.listGroups()).groups).toEqual([]);
    await admin2.disconnect();
  });
});
