/**
 * The storage engine seen through the wire, on an in-process broker with small
 * settings: segment roll (bytes, index full, segment.ms), retention by time and by
 * size (log start moves, ListOffsets earliest follows, fetching below it is out of
 * range), and compaction (latest value per key, offsets preserved, tombstones gone
 * after delete.retention.ms, `__consumer_offsets` compacted). kafkajs produces; the
 * project's codec fetches, so every record the broker serves is visible.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { decodeRecordBatches } from '../../src/protocol/records/index.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { WireClient } from '../broker/fetch-wire.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let broker: TestBroker | undefined;
let wire: WireClient | undefined;
afterEach(async () => {
  wire?.close();
  wire = undefined;
  await broker?.close();
  broker = undefined;
});

async function start(raw: Record<string, string> = {}): Promise<{ kafka: Kafka; wire: WireClient; broker: TestBroker }> {
  broker = await startTestBroker({
    logRetentionCheckIntervalMs: 200,
    logCleanerEnable: true,
    raw: { 'log.cleaner.backoff.ms': '50', ...raw },
  });
  wire = await WireClient.connect(broker.port);
  const kafka = new Kafka({ clientId: 'storage-e2e', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  return { kafka, wire, broker };
}

async function createTopic(kafka: Kafka, topic: string, configs: Record<string, string>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
  });
  await admin.disconnect();
}

function segmentFiles(b: TestBroker, topic: string): string[] {
  return readdirSync(join(b.logDir, `${topic}-0`))
    .filter((f) => f.endsWith('.log'))
    .sort();
}

async function earliestOffset(c: WireClient, topic: string): Promise<number> {
  const res = await c.send(2, 5, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
  });
  return Number(res.topics[0].partitions[0].offset);
}

interface Fetched {
  errorCode: number;
  logStartOffset: number;
  highWatermark: number;
  records: { offset: number; key: string | null; value: string | null }[];
}

async function fetchOnce(c: WireClient, topic: string, fetchOffset: number): Promise<Fetched> {
  const res = await c.send(1, 5, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 4 * 1024 * 1024,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: BigInt(fetchOffset), logStartOffset: -1n, partitionMaxBytes: 4 * 1024 * 1024 }] }],
  });
  const p = res.responses[0].partitions[0];
  return {
    errorCode: p.errorCode,
    logStartOffset: Number(p.logStartOffset),
    highWatermark: Number(p.highWatermark),
    records: decodeRecordBatches(p.records ?? Buffer.alloc(0)).flatMap((b) =>
      b.records.map((r) => ({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null })),
    ),
  };
}

/** Every record from `from` to the high watermark. */
async function fetchAll(c: WireClient, topic: string, from: number): Promise<Fetched['records']> {
  const out: Fetched['records'] = [];
  let offset = from;
  for (;;) {
    const res = await fetchOnce(c, topic, offset);
    if (res.errorCode !== 0) throw new Error(`fetch ${topic} at ${offset}: error ${res.errorCode}`);
    if (res.records.length === 0) return out;
    out.push(...res.records.filter((r) => r.offset >= offset));
    offset = res.records[res.records.length - 1]!.offset + 1;
    if (offset >= res.highWatermark) return out;
  }
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 6000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const payload = (n: number) => 'x'.repeat(n);

describe('segment roll through the wire', () => {
  it('rolls by segment.bytes into 20-digit files named by base offset', async () => {
    const { kafka, wire: c, broker: b } = await start();
    await createTopic(kafka, 'roll', { 'segment.bytes': '10240' });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 40; i++) {
      await producer.send({ topic: 'roll', messages: Array.from({ length: 5 }, (_, j) => ({ value: `${i}-${j}-${payload(200)}` })) });
    }
    await producer.disconnect();
    const files = segmentFiles(b, 'roll');
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(f).toMatch(/^\d{20}\.log$/);
    expect(files[0]).toBe('00000000000000000000.log');
    const bases = files.map((f) => Number(f.slice(0, 20)));
    // Each later segment starts where the previous one's batches ended: contiguous offsets.
    const all = await fetchAll(c, 'roll', 0);
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (const base of bases.slice(1)) expect(base % 5).toBe(0);
    for (const f of files) {
      const base = f.slice(0, 20);
      expect(existsSync(join(b.logDir, 'roll-0', `${base}.index`))).toBe(true);
      expect(existsSync(join(b.logDir, 'roll-0', `${base}.timeindex`))).toBe(true);
    }
    // partition.metadata carries the topic id Metadata v12 reports; leader-epoch-checkpoint the first epoch.
    const metadata = await c.send(3, 12, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'roll' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const topicId = metadata.topics[0].topicId as string;
    expect(topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(readFileSync(join(b.logDir, 'roll-0', 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${topicId}\n`);
    expect(readFileSync(join(b.logDir, 'roll-0', 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n0 0\n');
  });

  it('rolls when the offset index is full (segment.index.bytes) and by segment.ms', async () => {
    const { kafka } = await start();
    await createTopic(kafka, 'roll-index', { 'segment.index.bytes': '16', 'index.interval.bytes': '100' });
    await createTopic(kafka, 'roll-time', { 'segment.ms': '1000' });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 12; i++) await producer.send({ topic: 'roll-index', messages: [{ value: payload(150) }] });
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 4; i++) {
      // Record time moves 2 s per batch: segment.ms counts record time since the segment's first batch.
      await producer.send({ topic: 'roll-time', messages: [{ value: `t${i}`, timestamp: String(t0 + i * 2000) }] });
    }
    await producer.disconnect();
    expect(segmentFiles(broker!, 'roll-index').length).toBeGreaterThanOrEqual(3);
    expect(segmentFiles(broker!, 'roll-time').map((f) => Number(f.slice(0, 20)))).toEqual([0, 1, 2, 3]);
  });
});

describe('retention through the wire', () => {
  it('deletes segments older than retention.ms; earliest offset and fetch follow the new log start', async () => {
    const { kafka, wire: c, broker: b } = await start();
    await createTopic(kafka, 'old', { 'segment.bytes': '10240', 'retention.ms': '60000' });
    const producer = kafka.producer();
    await producer.connect();
    const hourAgo = String(Date.now() - 3_600_000);
    for (let i = 0; i < 30; i++) {
      await producer.send({ topic: 'old', messages: Array.from({ length: 5 }, () => ({ value: payload(200), timestamp: hourAgo })) });
    }
    await producer.disconnect();
    // Retention runs every 200 ms, so it may already have started while we produced.
    const activeBase = Number(segmentFiles(b, 'old').at(-1)!.slice(0, 20));
    expect(activeBase).toBeGreaterThan(0); // 150 records of 200 bytes rolled 10 KB segments
    await waitFor('time retention', () => segmentFiles(b, 'old').length === 1);
    expect(segmentFiles(b, 'old')).toEqual([`${String(activeBase).padStart(20, '0')}.log`]);
    expect(await earliestOffset(c, 'old')).toBe(activeBase);
    expect((await fetchOnce(c, 'old', 0)).errorCode).toBe(1); // OFFSET_OUT_OF_RANGE
    const fromStart = await fetchAll(c, 'old', activeBase);
    expect(fromStart[0]!.offset).toBe(activeBase);
    expect(fromStart.at(-1)!.offset).toBe(149);

    // A consumer reading from the beginning starts at the new log start.
    const consumer = kafka.consumer({ groupId: 'retention-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'old', fromBeginning: true });
    const firstSeen = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('consumer saw nothing')), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(Number(message.offset));
        },
      });
    });
    await consumer.disconnect();
    expect(firstSeen).toBe(activeBase);
  });

  it('deletes the oldest segments beyond retention.bytes, never the active one', async () => {
    const { kafka, wire: c, broker: b } = await start();
    await createTopic(kafka, 'big', { 'segment.bytes': '10240', 'retention.bytes': '20480' });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 60; i++) {
      await producer.send({ topic: 'big', messages: Array.from({ length: 5 }, () => ({ value: payload(200) })) });
    }
    await producer.disconnect();
    // About 65 KB were written into 10 KB segments; retention may already be trimming them.
    const sizeOf = () =>
      segmentFiles(b, 'big').reduce((sum, f) => sum + readFileSync(join(b.logDir, 'big-0', f)).length, 0);
    await waitFor('size retention', () => sizeOf() <= 20480 + 10240);
    const earliest = await earliestOffset(c, 'big');
    expect(earliest).toBe(Number(segmentFiles(b, 'big')[0]!.slice(0, 20)));
    expect(earliest).toBeGreaterThan(0);
    const rest = await fetchAll(c, 'big', earliest);
    expect(rest[0]!.offset).toBe(earliest);
    expect(rest.at(-1)!.offset).toBe(299);
  });
});

describe('compaction through the wire', () => {
  it('keeps the latest value per key with its original offset; tombstones go after delete.retention.ms', async () => {
    const { kafka, wire: c, broker: b } = await start();
    const deleteRetentionMs = 3000;
    await createTopic(kafka, 'profiles', {
      'cleanup.policy': 'compact',
      'segment.bytes': '1024',
      'min.cleanable.dirty.ratio': '0.01',
      'delete.retention.ms': String(deleteRetentionMs),
    });
    const producer = kafka.producer();
    await producer.connect();
    const latestOffsetOf = new Map<string, number>();
    for (let round = 0; round < 8; round++) {
      const meta = await producer.send({
        topic: 'profiles',
        messages: Array.from({ length: 10 }, (_, k) => ({ key: `k${k}`, value: `r${round}` })),
      });
      const base = Number(meta[0]!.baseOffset);
      for (let k = 0; k < 10; k++) latestOffsetOf.set(`k${k}`, base + k);
    }
    const tombstones = await producer.send({
      topic: 'profiles',
      messages: [
        { key: 'k0', value: null },
        { key: 'k1', value: null },
      ],
    });
    const tombstoneBase = Number(tombstones[0]!.baseOffset);
    const tombstonesWrittenAt = Date.now();
    // Filler under other keys, so the updates and tombstones leave the active segment.
    for (let i = 0; i < 12; i++) await producer.send({ topic: 'profiles', messages: [{ key: `filler${i}`, value: payload(150) }] });
    await producer.disconnect();
    const endOffset = (await fetchOnce(c, 'profiles', 0)).highWatermark;
    expect(endOffset).toBe(8 * 10 + 2 + 12);

    const checkpoint = join(b.logDir, 'cleaner-offset-checkpoint');
    const cleanedUpTo = () => Number(/^profiles 0 (\d+)$/m.exec(existsSync(checkpoint) ? readFileSync(checkpoint, 'utf8') : '')?.[1] ?? -1);
    // The cleaner may already have run while we produced; wait for a pass past the tombstones.
    await waitFor('a cleaner pass over the tombstones', () => cleanedUpTo() > tombstoneBase + 1);
    const compacted = await fetchAll(c, 'profiles', 0);
    const updates = compacted.filter((r) => r.key !== null && /^k\d$/.test(r.key));
    // One record per key: the latest, at the offset it was written at.
    expect(updates.filter((r) => r.value !== null).map((r) => [r.key, r.offset, r.value])).toEqual(
      Array.from({ length: 8 }, (_, i) => [`k${i + 2}`, latestOffsetOf.get(`k${i + 2}`), 'r7']),
    );
    // The tombstones survive this first pass (consumers may still need to see the deletes).
    expect(updates.filter((r) => r.value === null).map((r) => [r.key, r.offset])).toEqual([
      ['k0', tombstoneBase],
      ['k1', tombstoneBase + 1],
    ]);
    const offsets = compacted.map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(compacted.length).toBeLessThan(endOffset);
    expect((await fetchOnce(c, 'profiles', 0)).highWatermark).toBe(endOffset);

    await waitFor(
      'tombstone removal',
      async () => (await fetchAll(c, 'profiles', 0)).every((r) => r.key !== 'k0' && r.key !== 'k1'),
      deleteRetentionMs + 6000,
    );
    // The first pass that kept them ran after they were written; the horizon counts from it.
    expect(Date.now() - tombstonesWrittenAt).toBeGreaterThanOrEqual(deleteRetentionMs);
    const final = await fetchAll(c, 'profiles', 0);
    expect(final.filter((r) => r.key?.startsWith('k')).map((r) => r.key)).toEqual(
      Array.from({ length: 8 }, (_, i) => `k${i + 2}`),
    );

    // kafkajs reads the compacted log (batches with offset gaps) the same way.
    const consumer = kafka.consumer({ groupId: 'profiles-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'profiles', fromBeginning: true });
    const seen: [number, string | null][] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumer saw ${seen.length}`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push([Number(message.offset), message.key?.toString() ?? null]);
          if (Number(message.offset) === endOffset - 1) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual(final.map((r) => [r.offset, r.key]));
  });

  it('compacts __consumer_offsets: many commits of one group shrink to the latest', async () => {
    const { kafka, wire: c, broker: b } = await start({ 'offsets.topic.segment.bytes': '1024' });
    await createTopic(kafka, 'tracked', {});
    const commit = async (offset: number) => {
      const res = await c.send(8, 2, {
        groupId: 'committer',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        retentionTimeMs: -1n,
        topics: [{ name: 'tracked', partitions: [{ partitionIndex: 0, committedOffset: BigInt(offset), committedMetadata: '' }] }],
      });
      expect(res.topics[0].partitions[0].errorCode).toBe(0);
    };
    // FindCoordinator creates __consumer_offsets on first use, as in Kafka.
    await waitFor('the group coordinator', async () => {
      const res = await c.send(10, 1, { key: 'committer', keyType: 0 });
      return res.errorCode === 0;
    });
    for (let i = 1; i <= 60; i++) await commit(i);
    const checkpoint = join(b.logDir, 'cleaner-offset-checkpoint');
    await waitFor('__consumer_offsets cleaned', () => existsSync(checkpoint) && readFileSync(checkpoint, 'utf8').includes('__consumer_offsets'));
    const admin = kafka.admin();
    await admin.connect();
    const [fetched] = await admin.fetchOffsets({ groupId: 'committer', topics: ['tracked'] });
    await admin.disconnect();
    expect(fetched!.partitions[0]!.offset).toBe('60');
    const partition = /__consumer_offsets (\d+) /.exec(readFileSync(checkpoint, 'utf8'))![1];
    const dir = join(b.logDir, `__consumer_offsets-${partition}`);
    const bytes = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .reduce((sum, f) => sum + readFileSync(join(dir, f)).length, 0);
    // 60 commit records of roughly 100 bytes would be about 6 KB; most are gone.
    expect(bytes).toBeLessThan(4000);
  });
});
