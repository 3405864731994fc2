/**
 * validateRecordsAsLeader (Kafka's LogValidator for magic 2): what it refuses, the
 * messages it refuses with, how it sets maxTimestamp, and that it leaves batch bytes
 * alone unless Kafka would rewrite them.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import {
  BATCH_HEADER_SIZE,
  CRC_OFFSET,
  computeBatchCrc,
  validateBatches,
} from '../../src/protocol/records/batch.js';
import { compress, compressionCodecId, type CompressionCodec } from '../../src/protocol/records/compression.js';
import { buildControlBatch, buildRecordBatch, ControlRecordType, decodeRecordBatch, type RecordInput } from '../../src/protocol/records/record.js';
import {
  RecordValidationError,
  validateRecordsAsLeader,
  type LeaderValidationConfig,
} from '../../src/protocol/records/validate.js';

const NOW = 1_750_000_000_000;
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

function config(overrides: Partial<LeaderValidationConfig> = {}): LeaderValidationConfig {
  return {
    topicPartition: 't-0',
    origin: 'client',
    now: NOW,
    timestampType: 'CreateTime',
    timestampBeforeMaxMs: UNBOUNDED,
    timestampAfterMaxMs: UNBOUNDED,
    compactedTopic: false,
    ...overrides,
  };
}

function validate(batch: Buffer, overrides: Partial<LeaderValidationConfig> = {}) {
  return validateRecordsAsLeader(batch, validateBatches(batch, { skipCountCheck: true }), config(overrides));
}

function refused(fn: () => unknown): KafkaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err;
    throw err;
  }
  throw new Error('expected a KafkaError');
}

function records(n: number, ts = (i: number) => NOW - 10_000 + i * 100): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: ts(i) }));
}

function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_OFFSET);
  return batch;
}

/** The uncompressed `batch` with its records compressed by `codec`, header kept (lengths, attributes, CRC fixed). */
function recompressed(batch: Buffer, codec: CompressionCodec): Buffer {
  const body = compress(codec, batch.subarray(BATCH_HEADER_SIZE));
  const out = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), body]);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt16BE((out.readInt16BE(21) & ~0x07) | compressionCodecId(codec), 21);
  return fixCrc(out);
}

/** Overwrites the 1-byte offsetDelta varint of the record at index `i` of small uncompressed records. */
function setOffsetDelta(batch: Buffer, i: number, delta: number): Buffer {
  let pos = BATCH_HEADER_SIZE;
  for (let r = 0; r < i; r++) pos += 1 + (batch[pos]! >> 1); // 1-byte length varint
  // length (1), attributes (1), timestampDelta (1 or 2 bytes)
  const tsStart = pos + 2;
  const tsBytes = (batch[tsStart]! & 0x80) !== 0 ? 2 : 1;
  batch[tsStart + tsBytes] = delta * 2;
  return fixCrc(batch);
}

describe('maxTimestamp normalisation', () => {
  it('computes maxTimestamp from the records when the header says -1 (sarama), fixing only header bytes and the CRC', () => {
    const batch = buildRecordBatch(records(3, (i) => NOW - 5000 + [300, 900, 100][i]!));
    const expected = NOW - 5000 + 900;
    batch.writeBigInt64BE(-1n, 35);
    fixCrc(batch);
    const before = Buffer.from(batch);
    const result = validate(batch);
    expect(result.rebuilt).toBe(false);
    expect(result.records).toBe(batch);
    expect(result.maxTimestamp).toBe(expected);
    expect(result.headers[0]!.maxTimestamp).toBe(expected);
    expect(Number(batch.readBigInt64BE(35))).toBe(expected);
    expect(batch.subarray(BATCH_HEADER_SIZE)).toEqual(before.subarray(BATCH_HEADER_SIZE));
    expect(validateBatches(batch)[0]!.crc).toBe(result.headers[0]!.crc);
  });

  it('leaves a batch whose header is already right byte for byte unchanged', () => {
    for (const codec of ['none', 'lz4', 'zstd', 'gzip', 'snappy'] as const) {
      const batch = buildRecordBatch(records(4), { compression: codec });
      const before = Buffer.from(batch);
      const result = validate(batch);
      expect(result.rebuilt, codec).toBe(false);
      expect(batch.equals(before), codec).toBe(true);
    }
  });

  it('fixes maxTimestamp of a compressed batch without touching its compressed bytes', () => {
    const batch = buildRecordBatch(records(4), { compression: 'lz4' });
    batch.writeBigInt64BE(-1n, 35);
    fixCrc(batch);
    const payload = Buffer.from(batch.subarray(BATCH_HEADER_SIZE));
    const result = validate(batch);
    expect(result.rebuilt).toBe(false);
    expect(result.maxTimestamp).toBe(NOW - 10_000 + 300);
    expect(batch.subarray(BATCH_HEADER_SIZE).equals(payload)).toBe(true);
  });

  it('LogAppendTime topics: maxTimestamp is the append time and the attribute bit is set', () => {
    const batch = buildRecordBatch(records(2));
    const result = validate(batch, { timestampType: 'LogAppendTime' });
    expect(result.maxTimestamp).toBe(NOW);
    expect(result.headers[0]!.timestampType).toBe('LogAppendTime');
    expect(decodeRecordBatch(batch).records.map((r) => r.timestamp)).toEqual([NOW, NOW]);
  });

  it('records without timestamps (-1) leave maxTimestamp at -1 and are never out of bounds', () => {
    const batch = buildRecordBatch(records(2, () => -1), { timestamp: -1 });
    const result = validate(batch, { timestampBeforeMaxMs: 1000, timestampAfterMaxMs: 1000 });
    expect(result.maxTimestamp).toBe(-1);
  });
});

describe('compressed batches Kafka rebuilds', () => {
  it('inner offset deltas other than 0..n-1 are rewritten, same codec, contents kept', () => {
    const plain = setOffsetDelta(buildRecordBatch(records(3)), 1, 5);
    const batch = recompressed(plain, 'gzip');
    const result = validate(batch);
    expect(result.rebuilt).toBe(true);
    const decoded = decodeRecordBatch(result.records);
    expect(decoded.header.compression).toBe(compressionCodecId('gzip'));
    expect(decoded.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.timestamp])).toEqual(
      records(3).map((r, i) => [i, r.key!.toString(), r.value!.toString(), r.timestamp]),
    );
    expect(result.maxTimestamp).toBe(NOW - 10_000 + 200);
  });

  it('uncompressed batches with odd offset deltas are stored as sent (Kafka does not look)', () => {
    const batch = setOffsetDelta(buildRecordBatch(records(3)), 1, 5);
    const before = Buffer.from(batch);
    expect(validate(batch).rebuilt).toBe(false);
    expect(batch.equals(before)).toBe(true);
  });
});

describe('batch-level refusals (INVALID_RECORD, Kafka messages)', () => {
  const header = (field: number, value: number) => fixCrc((() => {
    const b = buildRecordBatch(records(2));
    b.writeInt32BE(value, field);
    return b;
  })());

  it.each([
    ['lastOffsetDelta 0x19000001', 23, 0x19000001, 'Inconsistent batch offset range [0, 419430401] and count of records 2 in topic partition t-0'],
    ['count 0', 57, 0, 'Invalid reported count for record batch: 0 in topic partition t-0'],
    ['count 22', 57, 22, 'Inconsistent batch offset range [0, 1] and count of records 22 in topic partition t-0'],
    ['lastOffsetDelta -1', 23, -1, 'Batch has an invalid offset range: [0, -1] in topic partition t-0'],
  ])('%s', (_name, field, value, message) => {
    const err = refused(() => validate(header(field, value)));
    expect(err.code).toBe(ErrorCode.INVALID_RECORD);
    expect(err.message).toBe(message);
    expect(err).not.toBeInstanceOf(RecordValidationError);
  });

  it('more records declared than present: premature EOF', () => {
    const batch = fixCrc((() => {
      const b = buildRecordBatch(records(2));
      b.writeInt32BE(21, 23);
      b.writeInt32BE(22, 57);
      return b;
    })());
    expect(refused(() => validate(batch)).message).toBe('Incorrect declared batch size, premature EOF reached');
  });

  it('bytes left after the declared records', () => {
    const two = buildRecordBatch(records(2));
    const batch = Buffer.concat([two, Buffer.from([0])]);
    batch.writeInt32BE(batch.length - 12, 8);
    fixCrc(batch);
    expect(refused(() => validate(batch)).message).toBe('Incorrect declared batch size, records still remaining in file');
  });

  it('a record whose length does not match its fields', () => {
    const batch = buildRecordBatch(records(1));
    batch[BATCH_HEADER_SIZE] += 2; // length varint claims 1 byte more than the fields take
    const err = refused(() => validate(fixCrc(batch)));
    expect(err.code).toBe(ErrorCode.INVALID_RECORD);
  });

  it('baseOffset, control batches and missing sequences from clients; coordinators may write markers', () => {
    const moved = fixCrc((() => {
      const b = buildRecordBatch(records(1));
      b.writeBigInt64BE(5n, 0);
      return b;
    })());
    expect(refused(() => validate(moved)).message).toBe('The baseOffset of the record batch in the append to t-0 should be 0, but it is 5');
    const marker = buildControlBatch(ControlRecordType.COMMIT, 0, { producerId: 9, producerEpoch: 0 });
    expect(refused(() => validate(Buffer.from(marker))).message).toBe('Clients are not allowed to write control records in topic partition t-0');
    expect(validate(marker, { origin: 'coordinator' }).rebuilt).toBe(false);
    const noSeq = buildRecordBatch(records(1), { producerId: 7, producerEpoch: 0, baseSequence: -1 });
    expect(refused(() => validate(noSeq)).message).toBe('Invalid sequence number -1 in record batch with producerId 7 in topic partition t-0');
  });

  it('more than one batch', () => {
    const two = Buffer.concat([buildRecordBatch(records(1)), buildRecordBatch(records(1))]);
    expect(refused(() => validate(two)).message).toBe('Compressed outer record has more than one batch');
  });
});

describe('record-level refusals (record_errors)', () => {
  it('keyless records on a compacted topic: every one listed, the message shows the first three', () => {
    const batch = buildRecordBatch(
      Array.from({ length: 5 }, (_, i) => ({ key: i === 1 ? Buffer.from('k') : null, value: Buffer.from('v') })),
      { compression: 'zstd' },
    );
    const err = refused(() => validate(batch, { compactedTopic: true }));
    expect(err).toBeInstanceOf(RecordValidationError);
    expect(err.code).toBe(ErrorCode.INVALID_RECORD);
    const m = 'Compacted topic cannot accept message without key in topic partition t-0';
    expect((err as RecordValidationError).recordErrors).toEqual([0, 2, 3, 4].map((batchIndex) => ({ batchIndex, message: m })));
    expect(err.message).toBe(
      'One or more records have been rejected due to 4 record errors in total, and only showing the first three errors at most: ' +
        `[RecordError(batchIndex=0, message='${m}'), RecordError(batchIndex=2, message='${m}'), RecordError(batchIndex=3, message='${m}')]`,
    );
  });

  it('a timestamp before the bound: INVALID_TIMESTAMP, bounds printed with Java long arithmetic', () => {
    const batch = buildRecordBatch(records(2, (i) => (i === 1 ? NOW - 7_200_000 : NOW)));
    const err = refused(() => validate(batch, { timestampBeforeMaxMs: 3_600_000 })) as RecordValidationError;
    expect(err.code).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(err.message).toBe('One or more records have been rejected due to invalid timestamp');
    // now + Long.MAX_VALUE overflows in Kafka's message
    const upper = BigInt.asIntN(64, BigInt(NOW) + 0x7fffffffffffffffn);
    expect(err.recordErrors).toEqual([
      {
        batchIndex: 1,
        message: `Timestamp ${NOW - 7_200_000} of message with offset 1 is out of range. The timestamp should be within [${NOW - 3_600_000}, ${upper}]`,
      },
    ]);
  });

  it('a timestamp after the bound', () => {
    const batch = buildRecordBatch(records(1, () => NOW + 120_000), { compression: 'snappy' });
    const err = refused(() => validate(batch, { timestampAfterMaxMs: 60_000 })) as RecordValidationError;
    expect(err.code).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(err.recordErrors[0]!.batchIndex).toBe(0);
  });

  it('a producer that sets LogAppendTime on a LogAppendTime topic', () => {
    const batch = buildRecordBatch(records(1), { timestampType: 'LogAppendTime' });
    const err = refused(() => validate(batch, { timestampType: 'LogAppendTime' })) as RecordValidationError;
    expect(err.code).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(err.recordErrors[0]!.message).toBe(
      `Invalid timestamp type in message DefaultRecord(offset=0, timestamp=${NOW - 10_000}, key=2 bytes, value=2 bytes). Producer should not set timestamp type to LogAppendTime.`,
    );
  });
});
