/**
 * acks=all honours min.insync.replicas (topic override or broker default): with
 * fewer in-sync replicas the write is refused with NOT_ENOUGH_REPLICAS before
 * anything is appended; acks=1 is unaffected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

async function produce(b: TestBroker, topic: string, acks: number): Promise<string> {
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({ topic, acks, messages: [{ value: 'x' }] });
    return 'ok';
  } catch (err) {
    const e = err as { type?: string; cause?: { type?: string } };
    return e.type ?? e.cause?.type ?? String(err);
  } finally {
    await producer.disconnect();
  }
}

async function endOffset(b: TestBroker, topic: string): Promise<string> {
  const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets[0].high;
}

describe('min.insync.replicas', () => {
  it('refuses acks=all when the ISR is smaller than the topic override', async () => {
    broker = await startTestBroker();
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'strict', numPartitions: 1, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.createTopics({ topics: [{ topic: 'relaxed', numPartitions: 1 }] });
    await admin.disconnect();
    expect(await produce(broker, 'strict', -1)).toBe('NOT_ENOUGH_REPLICAS');
    expect(await endOffset(broker, 'strict')).toBe('0');
    expect(await produce(broker, 'strict', 1)).toBe('ok');
    expect(await produce(broker, 'relaxed', -1)).toBe('ok');
  });

  it('uses the broker default from server.properties', async () => {
    broker = await startTestBroker({ raw: { 'min.insync.replicas': '2' } });
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'by-default', numPartitions: 1 }] });
    await admin.disconnect();
    expect(await produce(broker, 'by-default', -1)).toBe('NOT_ENOUGH_REPLICAS');
    expect(await produce(broker, 'by-default', 1)).toBe('ok');
  });
});
