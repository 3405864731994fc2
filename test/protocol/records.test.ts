/** RecordBatch v2 framing, records and codecs: round trips, CRC checks, in-place patching. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { compressSync as snappyRaw } from 'snappy';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_CODECS,
  ControlRecordType,
  buildControlBatch,
  buildRecordBatch,
  controlRecordType,
  crc32c,
  decodeControlRecordValue,
  decodeRecordBatch,
  decodeRecordBatches,
  decompress,
  iterateBatches,
  readBatchHeader,
  readVarint,
  readVarlong,
  setBaseOffset,
  setMaxTimestamp,
  setPartitionLeaderEpoch,
  sizeOfVarlong,
  validateBatches,
  writeVarint,
  writeVarlong,
  type RecordInput,
} from '../../src/protocol/records/index.js';

const sampleRecords: RecordInput[] = [
  { key: Buffer.from('k1'), value: Buffer.from('hello'), timestamp: 1_700_000_000_000 },
  { key: null, value: Buffer.from('no key'), timestamp: 1_700_000_000_005 },
  { key: Buffer.from('tombstone'), value: null, timestamp: 1_699_999_999_990 },
  {
    key: Buffer.from('h'),
    value: Buffer.alloc(300, 'x'),
    headers: [
      { key: 'trace-id', value: Buffer.from('abc') },
      { key: 'empty', value: null },
    ],
    timestamp: 1_700_000_000_010,
  },
];

function expectKafkaError(fn: () => unknown, code: number): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(code);
    return;
  }
  throw new Error('expected a KafkaError');
}

describe('crc32c', () => {
  it('matches the CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

describe('varints', () => {
  it('round-trips zig-zag varints and varlongs including large and negative values', () => {
    const buf = Buffer.alloc(16);
    for (const v of [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)]) {
      const end = writeVarint(buf, 0, v);
      expect(readVarint(buf, 0)).toEqual({ value: v, next: end });
    }
    for (const v of [0, -1, 1_700_000_000_000, -1_700_000_000_000, 2 ** 53 - 1]) {
      const end = writeVarlong(buf, 0, v);
      expect(end).toBe(sizeOfVarlong(v));
      expect(readVarlong(buf, 0)).toEqual({ value: v, next: end });
    }
    // zig-zag: -1 encodes as 1, 1 as 2
    writeVarint(buf, 0, -1);
    expect(buf[0]).toBe(1);
    writeVarint(buf, 0, 1);
    expect(buf[0]).toBe(2);
  });

  it('rejects a varint that runs off the end', () => {
    expectKafkaError(() => readVarint(Buffer.from([0x80, 0x80]), 0), ErrorCode.CORRUPT_MESSAGE);
  });
});

describe('build → validate → decode', () => {
  for (const codec of COMPRESSION_CODECS) {
    it(`round-trips with ${codec}`, () => {
      const batch = buildRecordBatch(sampleRecords, {
        baseOffset: 100,
        compression: codec,
        producerId: 7,
        producerEpoch: 2,
        baseSequence: 11,
      });
      const [header] = validateBatches(batch);
      expect(header).toMatchObject({
        baseOffset: 100,
        magic: 2,
        recordCount: 4,
        lastOffsetDelta: 3,
        lastOffset: 103,
        baseTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_010,
        producerId: 7,
        producerEpoch: 2,
        baseSequence: 11,
        compression: COMPRESSION_CODECS.indexOf(codec),
        timestampType: 'CreateTime',
        isTransactional: false,
        isControl: false,
        sizeInBytes: batch.length,
      });
      const { records } = decodeRecordBatch(batch);
      expect(records.map((r) => r.offset)).toEqual([100, 101, 102, 103]);
      expect(records.map((r) => r.timestamp)).toEqual(sampleRecords.map((r) => r.timestamp));
      expect(records.map((r) => r.key?.toString() ?? null)).toEqual(['k1', null, 'tombstone', 'h']);
      expect(records[2]!.value).toBeNull();
      expect(records[3]!.value!.equals(Buffer.alloc(300, 'x'))).toBe(true);
      expect(records[3]!.headers).toEqual([
        { key: 'trace-id', value: Buffer.from('abc') },
        { key: 'empty', value: null },
      ]);
      expect(records[0]!.headers).toEqual([]);
    });
  }

  it('compresses repetitive data below the uncompressed size', () => {
    const plain = buildRecordBatch(sampleRecords);
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      expect(buildRecordBatch(sampleRecords, { compression: codec }).length).toBeLessThan(plain.length);
    }
  });

  it('decodes Java xerial-framed snappy', () => {
    const payload = Buffer.from('records inside two xerial chunks '.repeat(20));
    const half = payload.length >> 1;
    const chunks = [payload.subarray(0, half), payload.subarray(half)].map((c) => snappyRaw(c));
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const parts: Buffer[] = [header];
    for (const c of chunks) {
      const len = Buffer.alloc(4);
      len.writeInt32BE(c.length);
      parts.push(len, c);
    }
    expect(decompress('snappy', Buffer.concat(parts)).equals(payload)).toBe(true);
  });

  it('decodes several concatenated batches', () => {
    const a = buildRecordBatch([{ key: null, value: Buffer.from('a') }], { baseOffset: 0 });
    const b = buildRecordBatch([{ key: null, value: Buffer.from('b') }], { baseOffset: 1, compression: 'lz4' });
    const decoded = decodeRecordBatches(Buffer.concat([a, b]));
    expect(decoded.map((d) => d.records[0]!.value!.toString())).toEqual(['a', 'b']);
    expect(decoded.map((d) => d.records[0]!.offset)).toEqual([0, 1]);
  });
});

describe('validateBatches', () => {
  it('detects a flipped byte via the CRC', () => {
    const batch = buildRecordBatch(sampleRecords);
    batch[batch.length - 3]! ^= 0x01;
    expectKafkaError(() => validateBatches(batch), ErrorCode.CORRUPT_MESSAGE);
  });

  it('detects truncation and bad lengths', () => {
    const batch = buildRecordBatch(sampleRecords);
    expectKafkaError(() => validateBatches(batch.subarray(0, batch.length - 1)), ErrorCode.CORRUPT_MESSAGE);
    expectKafkaError(() => validateBatches(batch.subarray(0, 10)), ErrorCode.CORRUPT_MESSAGE);
    const bad = Buffer.from(batch);
    bad.writeInt32BE(10, 8);
    expectKafkaError(() => validateBatches(bad), ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects old magic and enforces the max batch size', () => {
    const batch = buildRecordBatch(sampleRecords);
    const old = Buffer.from(batch);
    old.writeInt8(1, 16);
    expectKafkaError(() => validateBatches(old), ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    expectKafkaError(() => validateBatches(batch, { maxBatchSize: batch.length - 1 }), ErrorCode.MESSAGE_TOO_LARGE);
    expect(validateBatches(batch, { maxBatchSize: batch.length })).toHaveLength(1);
  });
});

describe('iterateBatches', () => {
  it('stops at a truncated tail batch', () => {
    const a = buildRecordBatch([{ key: null, value: Buffer.from('a') }], { baseOffset: 5 });
    const b = buildRecordBatch([{ key: null, value: Buffer.from('b') }], { baseOffset: 6 });
    const buf = Buffer.concat([a, b, b.subarray(0, b.length - 4)]);
    const views = [...iterateBatches(buf)];
    expect(views.map((v) => [v.position, v.header.baseOffset])).toEqual([
      [0, 5],
      [a.length, 6],
    ]);
    expect([...iterateBatches(Buffer.concat([a, b.subarray(0, 20)]))]).toHaveLength(1);
  });
});

describe('in-place patching', () => {
  it('setBaseOffset and setPartitionLeaderEpoch keep the CRC valid', () => {
    const a = buildRecordBatch(sampleRecords, { compression: 'gzip' });
    const b = buildRecordBatch(sampleRecords);
    const buf = Buffer.concat([a, b]);
    setBaseOffset(buf, a.length, 12_345_678_901);
    setPartitionLeaderEpoch(buf, a.length, 9);
    const headers = validateBatches(buf);
    expect(headers[1]).toMatchObject({ baseOffset: 12_345_678_901, partitionLeaderEpoch: 9 });
    expect(decodeRecordBatch(buf.subarray(a.length)).records[3]!.offset).toBe(12_345_678_904);
  });

  it('setMaxTimestamp sets LogAppendTime and recomputes the CRC', () => {
    const batch = buildRecordBatch(sampleRecords, { compression: 'snappy' });
    const crcBefore = readBatchHeader(batch, 0).crc;
    setMaxTimestamp(batch, 0, 1_800_000_000_000);
    const [header] = validateBatches(batch);
    expect(header!.crc).not.toBe(crcBefore);
    expect(header!.timestampType).toBe('LogAppendTime');
    expect(header!.maxTimestamp).toBe(1_800_000_000_000);
    expect(decodeRecordBatch(batch).records.every((r) => r.timestamp === 1_800_000_000_000)).toBe(true);
  });
});

describe('control records', () => {
  it('builds and reads a COMMIT marker', () => {
    const batch = buildControlBatch(ControlRecordType.COMMIT, 4, { producerId: 99, producerEpoch: 1 });
    const [header] = validateBatches(batch);
    expect(header).toMatchObject({ isControl: true, isTransactional: true, producerId: 99 });
    const [record] = decodeRecordBatch(batch).records;
    expect(controlRecordType(record!.key)).toBe(ControlRecordType.COMMIT);
    expect(decodeControlRecordValue(record!.value)).toEqual({ version: 0, coordinatorEpoch: 4 });
  });

  it('header size constant matches the layout', () => {
    const empty = buildRecordBatch([]);
    expect(empty.length).toBe(BATCH_HEADER_SIZE);
    expect(validateBatches(empty)[0]!.recordCount).toBe(0);
  });
});

describe('interop with kafkajs (our installed dependency)', () => {
  // kafkajs ships CommonJS internals without types; load them through createRequire.
  const require = createRequire(import.meta.url);
  const kafkajsRecordBatch = (
    require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
      RecordBatch: (args: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
    }
  ).RecordBatch;
  const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
    args: Record<string, unknown>,
  ) => unknown;
  const kafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => unknown;
  const kafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
    decoder: unknown,
  ) => Promise<{ records: { key: Buffer | null; value: Buffer | null; offset: string; headers: Record<string, Buffer> }[] }>;

  it('validates and decodes a gzip batch built by kafkajs', async () => {
    const records = [
      kafkajsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('a'), value: Buffer.from('one'), headers: { h: Buffer.from('v') } }),
      kafkajsRecord({ offsetDelta: 1, timestampDelta: 3, key: null, value: Buffer.from('two') }),
    ];
    const encoder = await kafkajsRecordBatch({
      compression: 1,
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_003,
      lastOffsetDelta: 1,
      records,
    });
    const [header] = validateBatches(encoder.buffer);
    expect(header).toMatchObject({ compression: 1, recordCount: 2, lastOffsetDelta: 1 });
    const decoded = decodeRecordBatch(encoder.buffer).records;
    expect(decoded.map((r) => r.value!.toString())).toEqual(['one', 'two']);
    expect(decoded[1]!.timestamp).toBe(1_700_000_000_003);
    expect(decoded[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('v') }]);
  });

  it('kafkajs decodes a batch we built', async () => {
    const batch = buildRecordBatch(sampleRecords, { baseOffset: 40 });
    const { records } = await kafkajsBatchDecoder(new kafkajsDecoder(batch));
    expect(records.map((r) => r.offset)).toEqual(['40', '41', '42', '43']);
    expect(records[3]!.headers['trace-id']!.toString()).toBe('abc');
    expect(records[2]!.value).toBeNull();
  });
});
