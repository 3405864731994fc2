/**
 * Records inside a RecordBatch v2: zig-zag varint/varlong helpers, building a batch from
 * plain records (any codec), decoding a batch back to records, and control records
 * (transaction markers).
 *
 * Record layout: length varint, attributes int8, timestampDelta varlong, offsetDelta
 * varint, key (varint length, -1 = null), value (varint length, -1 = null), header count
 * varint, then per header: key (varint length + UTF-8), value (varint length, -1 = null).
 * All varints are zig-zag. Control record key = int16 version + int16 type
 * (0 abort, 1 commit); value = int16 version + int32 coordinatorEpoch.
 *
 * Decoders distrust every length field: nothing is read past the batch's end.
 */
import { ErrorCode, KafkaError } from '../errors.js';
import {
  BATCH_HEADER_SIZE,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  LOG_OVERHEAD,
  RECORD_BATCH_MAGIC,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  computeBatchCrc,
  iterateBatches,
  readBatchHeader,
  type BatchHeader,
  type TimestampType,
} from './batch.js';
import {
  compress,
  compressionCodecFromId,
  compressionCodecId,
  decompress,
  type CompressionCodec,
} from './compression.js';

// ---------------------------------------------------------------------------
// zig-zag varints

/** Zig-zag varint (int32) size in bytes. */
export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarlong(zigZagEncode(value));
}

/** Zig-zag varlong size in bytes (values within ±2^53). */
export function sizeOfVarlong(value: number): number {
  return sizeOfUnsignedVarlong(zigZagEncode(value));
}

/** Zig-zag encodes a safe integer as a non-negative number (2n for n ≥ 0, -2n-1 otherwise). */
export function zigZagEncode(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function zigZagDecode(encoded: number): number {
  return encoded % 2 === 0 ? encoded / 2 : -(encoded + 1) / 2;
}

function sizeOfUnsignedVarlong(encoded: number): number {
  let size = 1;
  while (encoded >= 0x80) {
    encoded = Math.floor(encoded / 128);
    size++;
  }
  return size;
}

/** Writes a zig-zag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  return writeUnsignedVarlong(buf, pos, zigZagEncode(value));
}

/** Writes a zig-zag varlong (values within ±2^53) at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  return writeUnsignedVarlong(buf, pos, zigZagEncode(value));
}

function writeUnsignedVarlong(buf: Buffer, pos: number, encoded: number): number {
  // Division instead of bit operators: JS bit operators truncate to 32 bits.
  while (encoded >= 0x80) {
    buf[pos++] = (encoded % 128) | 0x80;
    encoded = Math.floor(encoded / 128);
  }
  buf[pos++] = encoded;
  return pos;
}

/** A decoded varint and the position just after it. */
export interface VarintRead {
  value: number;
  next: number;
}

/** Reads a zig-zag varint (at most 5 bytes, int32 range). */
export function readVarint(buf: Buffer, pos: number, end: number = buf.length): VarintRead {
  const read = readUnsignedVarlong(buf, pos, end, 5);
  return { value: zigZagDecode(read.value), next: read.next };
}

/** Reads a zig-zag varlong (at most 10 bytes; exact within ±2^53). */
export function readVarlong(buf: Buffer, pos: number, end: number = buf.length): VarintRead {
  const read = readUnsignedVarlong(buf, pos, end, 10);
  return { value: zigZagDecode(read.value), next: read.next };
}

function readUnsignedVarlong(buf: Buffer, pos: number, end: number, maxBytes: number): VarintRead {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (pos >= end) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'varint runs past the end of the record');
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, next: pos };
    multiplier *= 128;
  }
  throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `varint longer than ${maxBytes} bytes`);
}

// ---------------------------------------------------------------------------
// building batches

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** CreateTime in ms; defaults to the batch's `timestamp` option, then Date.now(). */
  timestamp?: number;
}

export interface BuildRecordBatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  compression?: CompressionCodec;
  /** Default timestamp for records that carry none. */
  timestamp?: number;
  timestampType?: TimestampType;
}

/**
 * Serializes records into one RecordBatch v2 with a valid CRC-32C. Offsets are relative
 * to `baseOffset` (default 0; the broker reassigns it on append). An empty `records`
 * list yields a batch with recordCount 0, which Kafka only writes after compaction.
 */
export function buildRecordBatch(records: readonly RecordInput[], opts: BuildRecordBatchOptions = {}): Buffer {
  const defaultTimestamp = opts.timestamp ?? Date.now();
  const timestamps = records.map((r) => r.timestamp ?? defaultTimestamp);
  const baseTimestamp = timestamps.length > 0 ? timestamps[0]! : defaultTimestamp;
  const maxTimestamp = timestamps.length > 0 ? Math.max(...timestamps) : -1;

  const encodedRecords = records.map((record, i) => encodeRecord(record, i, timestamps[i]! - baseTimestamp));
  const codec = opts.compression ?? 'none';
  const body = compress(codec, Buffer.concat(encodedRecords));

  let attributes = compressionCodecId(codec);
  if (opts.timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_MASK;
  if (opts.transactional) attributes |= TRANSACTIONAL_FLAG_MASK;
  if (opts.control) attributes |= CONTROL_FLAG_MASK;

  const batch = Buffer.alloc(BATCH_HEADER_SIZE + body.length);
  batch.writeBigInt64BE(BigInt(opts.baseOffset ?? 0), 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8);
  batch.writeInt32BE(opts.partitionLeaderEpoch ?? -1, 12);
  batch.writeInt8(RECORD_BATCH_MAGIC, 16);
  batch.writeInt16BE(attributes, 21);
  batch.writeInt32BE(Math.max(records.length - 1, 0), 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeBigInt64BE(BigInt(opts.producerId ?? -1), 43);
  batch.writeInt16BE(opts.producerEpoch ?? -1, 51);
  batch.writeInt32BE(opts.baseSequence ?? -1, 53);
  batch.writeInt32BE(records.length, 57);
  body.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_OFFSET);
  return batch;
}

function encodeRecord(record: RecordInput, offsetDelta: number, timestampDelta: number): Buffer {
  const headers = record.headers ?? [];
  const headerKeys = headers.map((h) => Buffer.from(h.key, 'utf8'));
  let bodySize = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  bodySize += sizeOfBytes(record.key) + sizeOfBytes(record.value) + sizeOfVarint(headers.length);
  headers.forEach((h, i) => {
    bodySize += sizeOfBytes(headerKeys[i]!) + sizeOfBytes(h.value);
  });

  const out = Buffer.alloc(sizeOfVarint(bodySize) + bodySize);
  let pos = writeVarint(out, 0, bodySize);
  out[pos++] = 0; // record attributes: unused by Kafka so far
  pos = writeVarlong(out, pos, timestampDelta);
  pos = writeVarint(out, pos, offsetDelta);
  pos = writeBytes(out, pos, record.key);
  pos = writeBytes(out, pos, record.value);
  pos = writeVarint(out, pos, headers.length);
  headers.forEach((h, i) => {
    pos = writeBytes(out, pos, headerKeys[i]!);
    pos = writeBytes(out, pos, h.value);
  });
  return out;
}

function sizeOfBytes(bytes: Buffer | null): number {
  return bytes === null ? sizeOfVarint(-1) : sizeOfVarint(bytes.length) + bytes.length;
}

function writeBytes(out: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, bytes.length);
  bytes.copy(out, pos);
  return pos + bytes.length;
}

// ---------------------------------------------------------------------------
// decoding batches

export interface DecodedRecord {
  offset: number;
  /** CreateTime (baseTimestamp + delta), or the batch's maxTimestamp for LogAppendTime. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  attributes: number;
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

/**
 * Decodes the batch at the start of `buf` (decompressing any codec). No CRC check:
 * use validateBatches first for untrusted input. Malformed records throw CORRUPT_MESSAGE.
 */
export function decodeRecordBatch(buf: Buffer): DecodedBatch {
  const header = readBatchHeader(buf, 0);
  if (header.magic !== RECORD_BATCH_MAGIC) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `cannot decode record batch magic ${header.magic}`);
  }
  if (header.sizeInBytes > buf.length || header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'record batch is truncated');
  }
  const codec = compressionCodecFromId(header.compression);
  const body = decompress(codec, buf.subarray(BATCH_HEADER_SIZE, header.sizeInBytes));
  const records: DecodedRecord[] = [];
  let pos = 0;
  for (let i = 0; i < header.recordCount; i++) {
    const { record, next } = decodeRecord(body, pos, header);
    records.push(record);
    pos = next;
  }
  return { header, records };
}

/** Decodes every whole batch in `buf` (a trailing partial batch is ignored). */
export function decodeRecordBatches(buf: Buffer): DecodedBatch[] {
  return Array.from(iterateBatches(buf), (view) => decodeRecordBatch(view.bytes));
}

function decodeRecord(body: Buffer, pos: number, header: BatchHeader): { record: DecodedRecord; next: number } {
  const length = readVarint(body, pos);
  const end = length.next + length.value;
  if (length.value < 0 || end > body.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'record length runs past the end of the batch');
  }
  pos = length.next;
  if (pos >= end) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'empty record');
  const attributes = body.readInt8(pos++);
  const timestampDelta = readVarlong(body, pos, end);
  const offsetDelta = readVarint(body, timestampDelta.next, end);
  const key = readBytes(body, offsetDelta.next, end);
  const value = readBytes(body, key.next, end);
  const headerCount = readVarint(body, value.next, end);
  if (headerCount.value < 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'negative record header count');
  pos = headerCount.next;
  const headers: RecordHeader[] = [];
  for (let h = 0; h < headerCount.value; h++) {
    const headerKey = readBytes(body, pos, end);
    if (headerKey.bytes === null) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'null record header key');
    const headerValue = readBytes(body, headerKey.next, end);
    headers.push({ key: headerKey.bytes.toString('utf8'), value: headerValue.bytes });
    pos = headerValue.next;
  }
  if (pos !== end) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'record length does not match its fields');
  const timestamp =
    header.timestampType === 'LogAppendTime' ? header.maxTimestamp : header.baseTimestamp + timestampDelta.value;
  return {
    record: {
      offset: header.baseOffset + offsetDelta.value,
      timestamp,
      key: key.bytes,
      value: value.bytes,
      headers,
      attributes,
    },
    next: end,
  };
}

function readBytes(body: Buffer, pos: number, end: number): { bytes: Buffer | null; next: number } {
  const length = readVarint(body, pos, end);
  if (length.value < 0) return { bytes: null, next: length.next };
  const stop = length.next + length.value;
  if (stop > end) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'record field runs past the end of the record');
  return { bytes: body.subarray(length.next, stop), next: stop };
}

// ---------------------------------------------------------------------------
// control records (transaction markers, written by the transaction coordinator)

export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;
export type ControlRecordTypeId = (typeof ControlRecordType)[keyof typeof ControlRecordType];

/** Control record key: int16 version (0) + int16 type. */
export function encodeControlRecordKey(type: ControlRecordTypeId): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** Control record value (EndTransactionMarker): int16 version (0) + int32 coordinatorEpoch. */
export function encodeControlRecordValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The control type id in a control record key (0 abort, 1 commit; other ids are unknown types). */
export function controlRecordType(key: Buffer | null): number {
  if (key === null || key.length < 4) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'control record key too short');
  return key.readInt16BE(2);
}

/** Parses an end-transaction marker value. */
export function decodeControlRecordValue(value: Buffer | null): { version: number; coordinatorEpoch: number } {
  if (value === null || value.length < 6) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'control record value too short');
  return { version: value.readInt16BE(0), coordinatorEpoch: value.readInt32BE(2) };
}

/** A control batch holding one end-transaction marker (COMMIT or ABORT). */
export function buildControlBatch(
  type: ControlRecordTypeId,
  coordinatorEpoch: number,
  opts: Omit<BuildRecordBatchOptions, 'control' | 'compression'> & { producerId: number; producerEpoch: number },
): Buffer {
  return buildRecordBatch(
    [{ key: encodeControlRecordKey(type), value: encodeControlRecordValue(coordinatorEpoch) }],
    { transactional: true, ...opts, control: true },
  );
}
