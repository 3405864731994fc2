/**
 * Produce batches validated as Kafka's LogValidator does, over the wire: malformed
 * batch headers are INVALID_RECORD and nothing moves; keyless records on a compacted
 * topic and timestamps outside message.timestamp.before/after.max.ms are refused with
 * Kafka's message and, from Produce v8, record_errors naming the records; a producer id
 * with no state here may start at any sequence (KIP-360), also with epoch -1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { CRC_OFFSET, computeBatchCrc } from '../../src/protocol/records/batch.js';
import { buildRecordBatch, type RecordInput } from '../../src/protocol/records/record.js';
import { WireClient } from './fetch-wire.js';

let broker: TestBroker;
let client: WireClient;

async function createTopic(name: string, configs: Record<string, string> = {}): Promise<void> {
  const res = await client.send(19, 7, {
    topics: [
      {
        name,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(res.topics[0].errorCode).toBe(0);
}

beforeAll(async () => {
  broker = await startTestBroker();
  client = await WireClient.connect(broker.port);
});
afterAll(async () => {
  client.close();
  await broker.close();
});

type PartitionResponse = {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
  recordErrors?: { batchIndex: number; batchIndexErrorMessage: string | null }[];
};

async function produce(topic: string, records: Buffer, version = 9): Promise<PartitionResponse> {
  const res = await client.send(0, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0].partitionResponses[0] as PartitionResponse;
}

async function highWatermark(topic: string): Promise<number> {
  const res = await client.send(2, 1, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
  return Number(res.topics[0].partitions[0].offset);
}

async function offsetForTime(topic: string, timestamp: number): Promise<number> {
  const res = await client.send(2, 1, {
    replicaId: -1,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: BigInt(timestamp) }] }],
  });
  return Number(res.topics[0].partitions[0].offset);
}

function twoRecords(extra: Partial<RecordInput> = {}): RecordInput[] {
  return [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), ...extra },
    { key: Buffer.from('k1'), value: Buffer.from('v1'), ...extra },
  ];
}

/** A valid batch with one int32 header field overwritten and the CRC recomputed (so only that field is wrong). */
function withHeaderInt(batch: Buffer, offset: number, value: number): Buffer {
  batch.writeInt32BE(value, offset);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_OFFSET);
  return batch;
}

const LAST_OFFSET_DELTA = 23;
const RECORD_COUNT = 57;

describe('Produce: malformed batch headers', () => {
  const cases: [string, () => Buffer][] = [
    ['lastOffsetDelta 0x19000001 over 2 records', () => withHeaderInt(buildRecordBatch(twoRecords()), LAST_OFFSET_DELTA, 0x19000001)],
    ['record count 0 over 2 records', () => withHeaderInt(buildRecordBatch(twoRecords()), RECORD_COUNT, 0)],
    ['record count 22 over 2 records', () => withHeaderInt(buildRecordBatch(twoRecords()), RECORD_COUNT, 22)],
    [
      'lastOffsetDelta 21 and count 22 over 2 records',
      () => withHeaderInt(withHeaderInt(buildRecordBatch(twoRecords()), LAST_OFFSET_DELTA, 21), RECORD_COUNT, 22),
    ],
    ['a negative lastOffsetDelta', () => withHeaderInt(buildRecordBatch(twoRecords()), LAST_OFFSET_DELTA, -1)],
    ['a baseOffset other than 0', () => withHeaderInt(buildRecordBatch(twoRecords()), 4, 5)],
  ];
  for (const [name, build] of cases) {
    it(`${name} is INVALID_RECORD at v7 and v9; the high watermark stays`, async () => {
      const topic = `malformed-${name.replace(/[^a-z0-9]+/gi, '-')}`;
      await createTopic(topic);
      expect((await produce(topic, buildRecordBatch(twoRecords()))).errorCode).toBe(0);
      expect(await highWatermark(topic)).toBe(2);
      for (const version of [7, 9]) {
        expect((await produce(topic, build(), version)).errorCode).toBe(ErrorCode.INVALID_RECORD);
        expect(await highWatermark(topic)).toBe(2);
      }
    });
  }

  it('lz4 batches with the same header faults are INVALID_RECORD too', async () => {
    const topic = 'malformed-lz4';
    await createTopic(topic);
    const lz4 = (): Buffer => buildRecordBatch(twoRecords(), { compression: 'lz4' });
    for (const bad of [withHeaderInt(lz4(), LAST_OFFSET_DELTA, 0x19000001), withHeaderInt(lz4(), RECORD_COUNT, 22)]) {
      expect((await produce(topic, bad)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    }
    expect(await highWatermark(topic)).toBe(0);
  });

  it('two batches in one partition request are INVALID_RECORD, as Kafka takes one', async () => {
    const topic = 'malformed-two-batches';
    await createTopic(topic);
    const both = Buffer.concat([buildRecordBatch(twoRecords()), buildRecordBatch(twoRecords())]);
    expect((await produce(topic, both)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(await highWatermark(topic)).toBe(0);
  });
});

describe('Produce: record errors', () => {
  it('a keyless record on a compacted topic is INVALID_RECORD with Kafka message and record_errors (v9); v7 gets the code', async () => {
    const topic = 'compacted';
    await createTopic(topic, { 'cleanup.policy': 'compact' });
    const records = [{ key: Buffer.from('a'), value: Buffer.from('1') }, { key: null, value: Buffer.from('2') }];
    const recordMessage = 'Compacted topic cannot accept message without key in topic partition compacted-0';
    const v9 = await produce(topic, buildRecordBatch(records));
    expect(v9.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(v9.errorMessage).toBe(
      `One or more records have been rejected due to 1 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${recordMessage}')]`,
    );
    expect(v9.recordErrors).toEqual([{ batchIndex: 1, batchIndexErrorMessage: recordMessage }]);
    const v7 = await produce(topic, buildRecordBatch(records, { compression: 'gzip' }), 7);
    expect(v7.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(await highWatermark(topic)).toBe(0);
    expect((await produce(topic, buildRecordBatch(twoRecords()))).errorCode).toBe(0);
    expect(await highWatermark(topic)).toBe(2);
  });

  it('timestamps outside message.timestamp.before/after.max.ms are INVALID_TIMESTAMP with record_errors', async () => {
    const topic = 'bounded-time';
    await createTopic(topic, { 'message.timestamp.before.max.ms': '3600000', 'message.timestamp.after.max.ms': '60000' });
    const now = Date.now();
    const old = now - 2 * 3_600_000;
    const future = now + 600_000;
    const records: RecordInput[] = [
      { key: null, value: Buffer.from('ok'), timestamp: now },
      { key: null, value: Buffer.from('old'), timestamp: old },
      { key: null, value: Buffer.from('future'), timestamp: future },
    ];
    for (const compression of ['none', 'snappy'] as const) {
      const res = await produce(topic, buildRecordBatch(records, { compression }));
      expect(res.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
      expect(res.errorMessage).toBe('One or more records have been rejected due to invalid timestamp');
      expect(res.recordErrors!.map((e) => e.batchIndex)).toEqual([1, 2]);
      expect(res.recordErrors![0]!.batchIndexErrorMessage).toMatch(
        new RegExp(`^Timestamp ${old} of message with offset 1 is out of range\\. The timestamp should be within \\[\\d+, \\d+\\]$`),
      );
      expect(res.recordErrors![1]!.batchIndexErrorMessage).toMatch(new RegExp(`^Timestamp ${future} of message with offset 2 is out of range`));
    }
    expect(await highWatermark(topic)).toBe(0);
    expect((await produce(topic, buildRecordBatch([records[0]!]))).errorCode).toBe(0);
  });

  it('message.timestamp.difference.max.ms bounds both sides when before/after are unset (Kafka 3.6+)', async () => {
    const topic = 'difference-time';
    await createTopic(topic, { 'message.timestamp.difference.max.ms': '60000' });
    const res = await produce(topic, buildRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() + 3_600_000 }]));
    expect(res.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(res.recordErrors).toHaveLength(1);
  });
});

describe('Produce: batch max timestamp', () => {
  it('a batch sent with maxTimestamp -1 is indexed by its records: ListOffsets by time finds them', async () => {
    const topic = 'max-ts-minus-one';
    await createTopic(topic);
    const base = Date.now() - 60_000;
    for (let b = 0; b < 3; b++) {
      const batch = buildRecordBatch(
        [0, 1, 2].map((i) => ({ key: null, value: Buffer.from(`v${b}${i}`), timestamp: base + (b * 3 + i) * 1000 })),
      );
      batch.writeBigInt64BE(-1n, 35); // what sarama 1.22 sends
      batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_OFFSET);
      expect((await produce(topic, batch)).errorCode).toBe(0);
    }
    expect(await offsetForTime(topic, base)).toBe(0);
    expect(await offsetForTime(topic, base + 4_500)).toBe(5);
    expect(await offsetForTime(topic, base + 8_000)).toBe(8);
    expect(await offsetForTime(topic, base + 8_001)).toBe(-1);
  });
});

describe('Produce: idempotent producers without state here', () => {
  it('a non-zero first sequence is accepted (KIP-360), with epoch 0 and with epoch -1', async () => {
    const topic = 'unknown-producer';
    await createTopic(topic);
    for (const [producerId, producerEpoch] of [[4242, 0], [4343, -1]] as const) {
      const res = await produce(topic, buildRecordBatch(twoRecords(), { producerId, producerEpoch, baseSequence: 17 }));
      expect(res.errorCode, `producer ${producerId} epoch ${producerEpoch}`).toBe(0);
      expect(res.errorMessage).toBeNull();
    }
    expect(await highWatermark(topic)).toBe(4);
    // the sequence continues from there; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER
    expect((await produce(topic, buildRecordBatch(twoRecords(), { producerId: 4242, producerEpoch: 0, baseSequence: 19 }))).errorCode).toBe(0);
    expect((await produce(topic, buildRecordBatch(twoRecords(), { producerId: 4242, producerEpoch: 0, baseSequence: 30 }))).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    // a retried batch is answered with its first offset, not written again
    const retry = await produce(topic, buildRecordBatch(twoRecords(), { producerId: 4242, producerEpoch: 0, baseSequence: 19 }));
    expect(retry.errorCode).toBe(0);
    expect(Number(retry.baseOffset)).toBe(4);
    expect(await highWatermark(topic)).toBe(6);
  });

  it('no combination of producer fields reaches UNKNOWN_SERVER_ERROR (no exception in the append path)', async () => {
    const topic = 'producer-fields';
    await createTopic(topic);
    const seen = new Set<number>();
    for (const producerId of [-1, 0, 5, 2 ** 40])
      for (const producerEpoch of [-1, 0, 32767])
        for (const baseSequence of [-1, 0, 5, 0x7fffffff])
          for (const transactional of [false, true]) {
            const batch = buildRecordBatch(twoRecords(), { producerId, producerEpoch, baseSequence, transactional });
            const res = await produce(topic, batch);
            expect(res.errorCode, JSON.stringify({ producerId, producerEpoch, baseSequence, transactional, message: res.errorMessage })).not.toBe(
              ErrorCode.UNKNOWN_SERVER_ERROR,
            );
            seen.add(res.errorCode);
          }
    // accepted, INVALID_RECORD (id without sequence) and INVALID_PRODUCER_ID_MAPPING (unknown transactional producer) all occur
    expect([...seen].sort((a, b) => a - b)).toEqual(
      expect.arrayContaining([ErrorCode.NONE, ErrorCode.INVALID_RECORD, ErrorCode.INVALID_PRODUCER_ID_MAPPING]),
    );
  });

  it('a producer id with a negative base sequence is INVALID_RECORD', async () => {
    const topic = 'no-sequence';
    await createTopic(topic);
    const res = await produce(topic, buildRecordBatch(twoRecords(), { producerId: 77, producerEpoch: 0, baseSequence: -1 }));
    expect(res.errorCode).toBe(ErrorCode.INVALID_RECORD);
  });
});

describe('Produce: internal topics', () => {
  it('a client cannot append to __consumer_offsets: INVALID_TOPIC_EXCEPTION with Kafka\'s message', async () => {
    // the first OffsetCommit-free way to make the topic exist: FindCoordinator creates it
    await client.send(10, 1, { key: 'g', keyType: 0 });
    const response = await produce('__consumer_offsets', buildRecordBatch(twoRecords()));
    expect(response.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(response.errorMessage).toBe('Cannot append to internal topic __consumer_offsets');
  });
});
