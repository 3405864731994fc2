/**
 * @platformatic/kafka 1.x (a client that speaks only recent protocol versions:
 * Metadata 9-12, Fetch 12-17 by topic id, JoinGroup 6-9, flexible everything)
 * against our broker, in process: keyed records with headers in every codec it
 * has on this Node both ways with kafkajs, the idempotent producer, a
 * two-member group resuming after a broker restart, ListOffsets with a seek,
 * and the admin client.
 * Its zstd needs node:zlib's zstd (Node 22.15+); on older Nodes that codec is
 * skipped with a printed reason. Skips everything when the package is absent.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import {
  committedOffsets,
  consumeWithKafkajs,
  contentOf,
  createTopic,
  expectedRecords,
  produceWithKafkajs,
  restartBroker,
  type ConsumedRecord,
} from './clients/harness.js';
import { recordSkip } from '../helpers/skips.js';

// Type-only imports are erased, so the file still loads when the package is missing.
import type { Consumer, Message } from '@platformatic/kafka';

type Platformatic = typeof import('@platformatic/kafka');
type PlatformaticConsumer = Consumer<string, string, string, string>;
type PlatformaticMessage = Message<string, string, string, string>;

let pk: Platformatic | undefined;
try {
  pk = await import('@platformatic/kafka');
} catch {
  recordSkip({ suite: '@platformatic/kafka interop', reason: 'the package is not installed', package: '@platformatic/kafka', install: 'npm install' });
}
const hasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
// not a missing package: Node itself lacks the codec, so CI does not fail on it
if (pk && !hasZstd) recordSkip({ suite: '@platformatic/kafka interop (zstd)', reason: `node:zlib has no zstd on Node ${process.versions.node} (22.15+ has)` });

let broker: TestBroker;
beforeAll(async () => {
  if (pk) broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.close();
});

const base = () => ({ clientId: 'platformatic-interop', bootstrapBrokers: [broker.bootstrap], retries: 5, retryDelay: 100 });

function toRecord(m: PlatformaticMessage): ConsumedRecord {
  return { partition: m.partition, offset: Number(m.offset), key: m.key, value: m.value, headers: Object.fromEntries(m.headers) };
}

async function produce(topic: string, codec: string, prefix: string, count: number, idempotent = false): Promise<number[]> {
  const producer = new pk!.Producer({ ...base(), serializers: pk!.stringSerializers, idempotent });
  try {
    const result = await producer.send({
      messages: expectedRecords(prefix, count).map((r) => ({ topic, key: r.key, value: r.value, headers: r.headers })),
      compression: codec as 'none',
      acks: -1,
    });
    return (result.offsets ?? []).map((o) => Number(o.offset));
  } finally {
    await producer.close();
  }
}

function newConsumer(groupId: string): PlatformaticConsumer {
  return new pk!.Consumer({ ...base(), groupId, deserializers: pk!.stringDeserializers, maxWaitTime: 200, sessionTimeout: 10_000, heartbeatInterval: 500 });
}

/** A group member that records what it reads and commits every record. */
async function member(groupId: string, topic: string) {
  const consumer = newConsumer(groupId);
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
  const records: ConsumedRecord[] = [];
  stream.on('data', (m) => {
    records.push(toRecord(m));
    void m.commit();
  });
  const assignment = () => (consumer.assignments ?? []).flatMap((a) => a.partitions).sort((x, y) => x - y);
  return { consumer, records, assignment, close: () => consumer.close(true) };
}

async function waitUntil(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads `count` records from the beginning without committing. */
async function consume(topic: string, count: number): Promise<ConsumedRecord[]> {
  const m = await (async () => {
    const consumer = newConsumer(`pk-reader-${topic}`);
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const records: ConsumedRecord[] = [];
    stream.on('data', (msg) => records.push(toRecord(msg)));
    return { consumer, records };
  })();
  try {
    await waitUntil(`${count} records of ${topic} (have ${m.records.length})`, () => m.records.length >= count);
  } finally {
    await m.consumer.close(true);
  }
  return m.records;
}

describe.skipIf(!pk)('@platformatic/kafka interop', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it.skipIf(codec === 'zstd' && !hasZstd)(`produces keyed records with headers (${codec}); kafkajs reads them back`, async () => {
      const topic = `pk-produce-${codec}`;
      await createTopic(broker.bootstrap, topic, 3);
      await produce(topic, codec, `pk-${codec}`, 60);
      expect(contentOf(await consumeWithKafkajs(broker.bootstrap, topic, 60))).toEqual(contentOf(expectedRecords(`pk-${codec}`, 60)));
    });
  }

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    it.skipIf(codec === 'zstd' && !hasZstd)(`reads back what kafkajs wrote (${codec})`, async () => {
      const topic = `pk-consume-${codec}`;
      await createTopic(broker.bootstrap, topic, 2);
      await produceWithKafkajs(broker.bootstrap, topic, codec, `js-${codec}`, 40);
      expect(contentOf(await consume(topic, 40))).toEqual(contentOf(expectedRecords(`js-${codec}`, 40)));
    });
  }

  it('the idempotent producer writes every record exactly once', async () => {
    const topic = 'pk-idempotent';
    await createTopic(broker.bootstrap, topic, 1);
    for (let i = 0; i < 3; i++) await produce(topic, 'lz4', `idem${i}`, 20, true);
    const got = await consumeWithKafkajs(broker.bootstrap, topic, 60);
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(contentOf(got)).toEqual(contentOf([0, 1, 2].flatMap((i) => expectedRecords(`idem${i}`, 20))));
  });

  it('two group members split the partitions, commit, and resume after a broker restart', async () => {
    const topic = 'pk-group';
    const groupId = 'pk-group-1';
    await createTopic(broker.bootstrap, topic, 4);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'first', 40);
    const members = [await member(groupId, topic), await member(groupId, topic)];
    try {
      await waitUntil('a 2/2 split', () => members.every((m) => m.assignment().length === 2));
      expect([...members[0]!.assignment(), ...members[1]!.assignment()].sort()).toEqual([0, 1, 2, 3]);
      await waitUntil('all 40 records', () => new Set(members.flatMap((m) => m.records.map((r) => r.value))).size >= 40);
      // commits are asynchronous: poll until they add up
      const deadline = Date.now() + 20_000;
      let committedTotal = 0;
      while (committedTotal !== 40 && Date.now() < deadline) {
        const committed = await committedOffsets(broker.bootstrap, groupId, topic);
        committedTotal = Object.values(committed).reduce((a, b) => a + b, 0);
        if (committedTotal !== 40) await new Promise((r) => setTimeout(r, 100));
      }
      expect(committedTotal).toBe(40);
    } finally {
      await Promise.all(members.map((m) => m.close()));
    }
    broker = await restartBroker(broker);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'second', 12);
    const again = await member(groupId, topic);
    try {
      await waitUntil('the 12 new records', () => again.records.length >= 12);
      await new Promise((r) => setTimeout(r, 300));
      expect(again.assignment()).toEqual([0, 1, 2, 3]);
    } finally {
      await again.close();
    }
    expect(contentOf(again.records)).toEqual(contentOf(expectedRecords('second', 12)));
  });

  it('lists earliest, latest and by-time offsets and seeks', async () => {
    const topic = 'pk-offsets';
    await createTopic(broker.bootstrap, topic, 1);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'off', 10);
    const consumer = newConsumer('pk-offsets-reader');
    try {
      expect((await consumer.listOffsets({ topics: [topic] })).get(topic)).toEqual([10n]);
      expect((await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic)).toEqual([0n]);
      expect((await consumer.listOffsets({ topics: [topic], timestamp: 0n })).get(topic)).toEqual([0n]);
      const stream = await consumer.consume({ topics: [topic], mode: 'manual', offsets: [{ topic, partition: 0, offset: 7n }], autocommit: false });
      const seen: ConsumedRecord[] = [];
      stream.on('data', (m) => seen.push(toRecord(m)));
      await waitUntil('the record at offset 7', () => seen.length >= 3);
      expect(seen[0]).toEqual({ partition: 0, offset: 7, key: 'off-k7', value: 'off-v7', headers: { h: 'off-h7', n: '7' } });
      expect(seen.map((r) => r.offset)).toEqual([7, 8, 9]);
    } finally {
      await consumer.close(true);
    }
  });

  it('the admin client creates, describes and deletes topics and lists groups', async () => {
    const admin = new pk!.Admin(base());
    try {
      const created = await admin.createTopics({ topics: ['pk-admin'], partitions: 3, replicas: 1 });
      expect(created[0]).toMatchObject({ name: 'pk-admin', partitions: 3 });
      expect(created[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
      const md = await admin.metadata({ topics: ['pk-admin'] });
      expect(md.topics.get('pk-admin')?.partitionsCount).toBe(3);
      const groups = await admin.listGroups();
      expect([...groups.keys()]).toContain('pk-group-1');
      await admin.deleteTopics({ topics: ['pk-admin'] });
      const after = await admin.metadata({ topics: [], forceUpdate: true });
      expect([...after.topics.keys()]).not.toContain('pk-admin');
    } finally {
      await admin.close();
    }
  });
});
