/**
 * Leader-side validation of produced record batches, as Kafka's LogValidator does it for
 * magic-2 batches (after framing, size and CRC passed validateBatches):
 *
 * - batch level (client appends only): baseOffset 0, lastOffsetDelta + 1 == recordCount > 0,
 *   no control batches, a producer id implies a sequence; one batch per partition request.
 *   Failures are INVALID_RECORD for the whole request (Kafka sends no error message for them);
 * - record level, every record walked with varint reads (uncompressed batches in place, no
 *   allocation per record; compressed ones decompressed once, as Kafka must to see the
 *   records): structure, a key on compacted topics, CreateTime within
 *   message.timestamp.before/after.max.ms. These errors are collected per record and
 *   answered together (Produce v8+ record_errors) with INVALID_TIMESTAMP when any is a
 *   timestamp error, else INVALID_RECORD;
 * - normalisation: maxTimestamp becomes the largest record timestamp (or the append time for
 *   LogAppendTime topics) — clients such as sarama send -1 — rewriting attributes and CRC
 *   only when they change. A compressed batch whose inner offset deltas are not 0..n-1 is
 *   the one case Kafka rebuilds (and recompresses with the same codec); nothing else is
 *   re-encoded.
 *
 * Messages are Kafka's, word for word, with topic partitions printed as `topic-partition`.
 */
import { ErrorCode, KafkaError } from '../errors.js';
import {
  ATTRIBUTES_OFFSET,
  BATCH_HEADER_SIZE,
  CRC_OFFSET,
  readBatchHeader,
  setMaxTimestamp,
  type BatchHeader,
  type TimestampType,
} from './batch.js';
import { compressionCodecFromId, decompress } from './compression.js';
import { buildRecordBatch, decodeRecordBatch } from './record.js';

/** Who appends (Kafka's AppendOrigin): coordinators skip the client-only batch checks. */
export type AppendOrigin = 'client' | 'coordinator';

/** One rejected record of a batch (Produce v8+ BatchIndexAndErrorMessage). */
export interface RecordError {
  batchIndex: number;
  message: string | null;
}

/**
 * Record-level rejection (Kafka's RecordValidationException): the whole batch is refused,
 * `recordErrors` names the records and the message is the one Kafka puts in the response.
 */
export class RecordValidationError extends KafkaError {
  constructor(
    code: number,
    message: string,
    readonly recordErrors: RecordError[],
  ) {
    super(code, message);
    this.name = 'RecordValidationError';
  }
}

export interface LeaderValidationConfig {
  /** `topic-partition`, as Kafka prints a TopicPartition in its messages */
  topicPartition: string;
  origin: AppendOrigin;
  /** the broker clock for this append (timestamp bounds, LogAppendTime) */
  now: number;
  /** message.timestamp.type of the topic */
  timestampType: TimestampType;
  /** message.timestamp.before.max.ms (Number.MAX_SAFE_INTEGER or above: unbounded) */
  timestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms (Number.MAX_SAFE_INTEGER or above: unbounded) */
  timestampAfterMaxMs: number;
  /** cleanup.policy contains compact: every record needs a key */
  compactedTopic: boolean;
}

export interface ValidatedRecords {
  /** the batches to append: the input buffer patched in place, or a rebuilt batch */
  records: Buffer;
  /** their headers, maxTimestamp/attributes/crc updated */
  headers: BatchHeader[];
  /** largest batch maxTimestamp (-1 when no record has a timestamp) */
  maxTimestamp: number;
  /** true when a batch was rebuilt (sizes may have changed: the caller re-checks max.message.bytes) */
  rebuilt: boolean;
}

const NO_TIMESTAMP = -1;

/** Kafka's InvalidRecordException for a batch (no record_errors, no message on the wire). */
function invalidRecord(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, message);
}

/**
 * Validates and normalises the batches of one leader append (headers from validateBatches,
 * in order). Throws KafkaError (INVALID_RECORD) for batch-level faults and
 * RecordValidationError for record-level ones. Offsets are not assigned here.
 */
export function validateRecordsAsLeader(
  records: Buffer,
  headers: BatchHeader[],
  config: LeaderValidationConfig,
): ValidatedRecords {
  if (headers.length === 0) throw invalidRecord('Record batch has no batches at all');
  if (headers.length > 1) throw invalidRecord('Compressed outer record has more than one batch');
  const header = headers[0]!;
  validateBatch(header, config);
  if (header.compression === 0) {
    const maxTimestamp = walkRecords(records, BATCH_HEADER_SIZE, header.sizeInBytes, header, config, false);
    normaliseMaxTimestamp(records, header, config, maxTimestamp);
    return { records, headers, maxTimestamp: header.maxTimestamp, rebuilt: false };
  }
  const body = decompress(compressionCodecFromId(header.compression), records.subarray(BATCH_HEADER_SIZE, header.sizeInBytes));
  const maxTimestamp = walkRecords(body, 0, body.length, header, config, true);
  if (walk.offsetsInOrder) {
    normaliseMaxTimestamp(records, header, config, maxTimestamp);
    return { records, headers, maxTimestamp: header.maxTimestamp, rebuilt: false };
  }
  const rebuilt = rebuildBatch(records, header, config);
  const rebuiltHeader = readBatchHeader(rebuilt, 0);
  return { records: rebuilt, headers: [rebuiltHeader], maxTimestamp: rebuiltHeader.maxTimestamp, rebuilt: true };
}

/** Kafka's LogValidator.validateBatch for magic 2 (the client-only part skipped for coordinators). */
function validateBatch(header: BatchHeader, config: LeaderValidationConfig): void {
  if (config.origin !== 'client') return;
  const tp = config.topicPartition;
  // UnifiedLog.analyzeAndValidateRecords: clients leave offset assignment to the broker
  if (header.baseOffset !== 0) {
    throw invalidRecord(`The baseOffset of the record batch in the append to ${tp} should be 0, but it is ${header.baseOffset}`);
  }
  const countFromOffsets = header.lastOffsetDelta + 1;
  const range = `[${header.baseOffset}, ${header.baseOffset + header.lastOffsetDelta}]`;
  if (countFromOffsets <= 0) throw invalidRecord(`Batch has an invalid offset range: ${range} in topic partition ${tp}`);
  if (header.recordCount <= 0) {
    throw invalidRecord(`Invalid reported count for record batch: ${header.recordCount} in topic partition ${tp}`);
  }
  if (countFromOffsets !== header.recordCount) {
    throw invalidRecord(`Inconsistent batch offset range ${range} and count of records ${header.recordCount} in topic partition ${tp}`);
  }
  if (header.isControl) throw invalidRecord(`Clients are not allowed to write control records in topic partition ${tp}`);
  if (header.producerId >= 0 && header.baseSequence < 0) {
    throw invalidRecord(
      `Invalid sequence number ${header.baseSequence} in record batch with producerId ${header.producerId} in topic partition ${tp}`,
    );
  }
}

/**
 * Sets maxTimestamp (and the timestamp type) the way Kafka's in-place paths do: the append
 * time for LogAppendTime topics, else the largest record timestamp. DefaultRecordBatch
 * rewrites attributes and CRC only when something changes.
 */
function normaliseMaxTimestamp(records: Buffer, header: BatchHeader, config: LeaderValidationConfig, maxTimestamp: number): void {
  const type = config.timestampType;
  const target = type === 'LogAppendTime' ? config.now : maxTimestamp;
  if (header.timestampType === type && header.maxTimestamp === target) return;
  setMaxTimestamp(records, 0, target, type);
  header.maxTimestamp = target;
  header.timestampType = type;
  header.attributes = records.readInt16BE(ATTRIBUTES_OFFSET);
  header.crc = records.readUInt32BE(CRC_OFFSET);
}

/**
 * Kafka rebuilds a compressed batch whose inner offsets are not 0..n-1 (clients that got
 * them wrong were historically fixed up, not refused): same codec, producer fields and
 * record contents, offsets and timestamp deltas rewritten.
 */
function rebuildBatch(records: Buffer, header: BatchHeader, config: LeaderValidationConfig): Buffer {
  const decoded = decodeRecordBatch(records.subarray(0, header.sizeInBytes));
  const rebuilt = buildRecordBatch(
    decoded.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    {
      compression: compressionCodecFromId(header.compression),
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      transactional: header.isTransactional,
      timestamp: NO_TIMESTAMP,
    },
  );
  if (config.timestampType === 'LogAppendTime') setMaxTimestamp(rebuilt, 0, config.now, 'LogAppendTime');
  return rebuilt;
}

// ---------------------------------------------------------------------------
// the record walk: module-level cursor and results, so no object is allocated per record
// (the walk is synchronous and never re-entered)

const walk = {
  pos: 0,
  /** compressed batches: every record's offset is baseOffset + its index */
  offsetsInOrder: true,
};

function structureError(): KafkaError {
  return invalidRecord('Found invalid record structure');
}

/** Zig-zag varint (int32), at most 5 bytes, within `end`. */
function readVarint(buf: Buffer, end: number): number {
  let raw = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (walk.pos >= end) throw structureError();
    const b = buf[walk.pos++]!;
    raw |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1);
  }
  throw structureError();
}

/** Zig-zag varlong, at most 10 bytes (exact within ±2^53), within `end`. */
function readVarlong(buf: Buffer, end: number): number {
  let raw = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    if (walk.pos >= end) throw structureError();
    const b = buf[walk.pos++]!;
    raw += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    multiplier *= 128;
  }
  throw structureError();
}

/** Skips a varint-length-prefixed byte field; returns its length (-1 = null). */
function skipBytes(buf: Buffer, end: number): number {
  const length = readVarint(buf, end);
  if (length >= 0) {
    if (end - walk.pos < length) throw structureError();
    walk.pos += length;
  }
  return length;
}

/** Java's long arithmetic for the bounds Kafka prints (Long.MAX_VALUE ± now wraps). */
function javaLongSum(a: number, b: number): string {
  const big = (n: number): bigint => (n >= Number.MAX_SAFE_INTEGER ? 0x7fffffffffffffffn : BigInt(n));
  return BigInt.asIntN(64, BigInt(a) + big(b)).toString();
}

function javaLongDiff(a: number, b: number): string {
  const big = (n: number): bigint => (n >= Number.MAX_SAFE_INTEGER ? 0x7fffffffffffffffn : BigInt(n));
  return BigInt.asIntN(64, BigInt(a) - big(b)).toString();
}

/**
 * Walks the `recordCount` records in buf[start, end), checking structure (as Kafka's
 * DefaultRecord.readFrom) and each record (key on compacted topics, timestamp), and returns
 * the largest record timestamp. Record errors are thrown together after the walk.
 */
function walkRecords(
  buf: Buffer,
  start: number,
  end: number,
  header: BatchHeader,
  config: LeaderValidationConfig,
  compressed: boolean,
): number {
  const logAppendTimeBatch = header.timestampType === 'LogAppendTime';
  const createTimeTopic = config.timestampType === 'CreateTime';
  const now = config.now;
  let maxTimestamp = NO_TIMESTAMP;
  let errors: RecordError[] | null = null;
  let timestampError = false;
  walk.pos = start;
  walk.offsetsInOrder = true;
  const count = header.recordCount;
  for (let index = 0; index < count; index++) {
    if (walk.pos >= end) throw invalidRecord('Incorrect declared batch size, premature EOF reached');
    const size = readVarint(buf, end);
    const recordStart = walk.pos;
    if (size < 0 || end - recordStart < size) {
      throw invalidRecord(
        `Invalid record size: expected ${size} bytes in record payload, but instead the buffer has only ${end - recordStart} remaining bytes.`,
      );
    }
    const recordEnd = recordStart + size;
    walk.pos++; // attributes: unused in magic 2
    const timestampDelta = readVarlong(buf, recordEnd);
    const offsetDelta = readVarint(buf, recordEnd);
    const keySize = skipBytes(buf, recordEnd);
    const valueSize = skipBytes(buf, recordEnd);
    const headerCount = readVarint(buf, recordEnd);
    if (headerCount < 0) throw invalidRecord(`Found invalid number of record headers ${headerCount}`);
    if (headerCount > recordEnd - walk.pos) {
      throw invalidRecord(`Found invalid number of record headers. ${headerCount} is larger than the remaining size of the buffer`);
    }
    for (let h = 0; h < headerCount; h++) {
      const headerKeySize = readVarint(buf, recordEnd);
      if (headerKeySize < 0) throw invalidRecord(`Invalid negative header key size ${headerKeySize}`);
      if (recordEnd - walk.pos < headerKeySize) throw structureError();
      walk.pos += headerKeySize;
      skipBytes(buf, recordEnd);
    }
    if (walk.pos !== recordEnd) {
      throw invalidRecord(
        `Invalid record size: expected to read ${size} bytes in record payload, but instead read ${walk.pos - recordStart}`,
      );
    }

    const timestamp = logAppendTimeBatch ? header.maxTimestamp : header.baseTimestamp + timestampDelta;
    const offset = header.baseOffset + offsetDelta;
    let error: string | null = null;
    if (config.compactedTopic && keySize < 0) {
      error = `Compacted topic cannot accept message without key in topic partition ${config.topicPartition}`;
    } else if (createTimeTopic && timestamp !== NO_TIMESTAMP) {
      const diff = now - timestamp;
      if (diff > config.timestampBeforeMaxMs || -diff > config.timestampAfterMaxMs) {
        timestampError = true;
        error =
          `Timestamp ${timestamp} of message with offset ${offset} is out of range. The timestamp should be within ` +
          `[${javaLongDiff(now, config.timestampBeforeMaxMs)}, ${javaLongSum(now, config.timestampAfterMaxMs)}]`;
      }
    } else if (logAppendTimeBatch) {
      timestampError = true;
      const kind = compressed ? 'PartialDefaultRecord' : 'DefaultRecord';
      const keyBytes = compressed ? keySize : Math.max(keySize, 0);
      const valueBytes = compressed ? valueSize : Math.max(valueSize, 0);
      error =
        `Invalid timestamp type in message ${kind}(offset=${offset}, timestamp=${timestamp}, key=${keyBytes} bytes, ` +
        `value=${valueBytes} bytes). Producer should not set timestamp type to LogAppendTime.`;
    }
    if (error !== null) {
      (errors ??= []).push({ batchIndex: index, message: error });
    } else {
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      if (offset !== index) walk.offsetsInOrder = false;
    }
  }
  if (walk.pos !== end) throw invalidRecord('Incorrect declared batch size, records still remaining in file');
  if (errors !== null) throw recordValidationError(errors, timestampError);
  return maxTimestamp;
}

/** Kafka's LogValidator.processRecordErrors. */
function recordValidationError(errors: RecordError[], timestampError: boolean): RecordValidationError {
  if (timestampError) {
    return new RecordValidationError(ErrorCode.INVALID_TIMESTAMP, 'One or more records have been rejected due to invalid timestamp', errors);
  }
  const shown = errors
    .slice(0, 3)
    .map((e) => `RecordError(batchIndex=${e.batchIndex}, message=${e.message === null ? 'null' : `'${e.message}'`})`)
    .join(', ');
  return new RecordValidationError(
    ErrorCode.INVALID_RECORD,
    `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown}]`,
    errors,
  );
}
