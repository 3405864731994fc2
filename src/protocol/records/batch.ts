/**
 * RecordBatch v2 (magic 2) framing: header parsing, header+CRC validation, in-place
 * patching of the fields the broker owns, and iteration over concatenated batches.
 *
 * Layout (byte offsets): baseOffset int64 @0, batchLength int32 @8 (bytes after it),
 * partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC-32C of bytes
 * 21..end), attributes int16 @21, lastOffsetDelta int32 @23, baseTimestamp int64 @27,
 * maxTimestamp int64 @35, producerId int64 @43, producerEpoch int16 @51,
 * baseSequence int32 @53, recordCount int32 @57, records @61.
 *
 * Because the CRC starts at attributes, baseOffset and partitionLeaderEpoch can be
 * rewritten without touching it; maxTimestamp/attributes changes need a new CRC.
 * Nothing here decompresses. Offsets and timestamps are JS numbers (safe below 2^53).
 */
import { ErrorCode, KafkaError } from '../errors.js';
import { crc32c } from './crc32c.js';

export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength (Kafka's LOG_OVERHEAD). */
export const LOG_OVERHEAD = 12;
export const RECORD_BATCH_MAGIC = 2;
/** Smallest legal batchLength: the header minus LOG_OVERHEAD, with no records. */
const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;

/** Attribute bits of RecordBatch v2. */
export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** Compression codec id from attributes bits 0-2 (0 none .. 4 zstd). */
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  /** Whole batch on disk/wire: batchLength + LOG_OVERHEAD. */
  sizeInBytes: number;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number;
}

/** One batch found in a buffer: where it starts, its header and a view of its bytes. */
export interface BatchView {
  position: number;
  header: BatchHeader;
  bytes: Buffer;
}

/**
 * Parses the 61-byte header at `pos` (no CRC or magic check). Throws CORRUPT_MESSAGE
 * when fewer than 61 bytes remain.
 */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  if (pos < 0 || pos + BATCH_HEADER_SIZE > buf.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch header truncated at position ${pos}`);
  }
  const baseOffset = Number(buf.readBigInt64BE(pos + BASE_OFFSET_OFFSET));
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET),
    magic: buf.readInt8(pos + MAGIC_OFFSET),
    crc: buf.readUInt32BE(pos + CRC_OFFSET),
    attributes,
    lastOffsetDelta,
    baseTimestamp: Number(buf.readBigInt64BE(pos + BASE_TIMESTAMP_OFFSET)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + MAX_TIMESTAMP_OFFSET)),
    producerId: Number(buf.readBigInt64BE(pos + PRODUCER_ID_OFFSET)),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
    recordCount: buf.readInt32BE(pos + RECORD_COUNT_OFFSET),
    compression: attributes & COMPRESSION_CODEC_MASK,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (attributes & CONTROL_FLAG_MASK) !== 0,
    sizeInBytes: batchLength + LOG_OVERHEAD,
    lastOffset: baseOffset + lastOffsetDelta,
  };
}

/** CRC-32C the batch at `pos` should carry (bytes 21..end). */
export function computeBatchCrc(buf: Buffer, pos: number, sizeInBytes: number): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + sizeInBytes));
}

export interface ValidateBatchesOptions {
  /** Largest allowed batch (sizeInBytes), e.g. max.message.bytes; MESSAGE_TOO_LARGE above it. */
  maxBatchSize?: number;
  /**
   * Leave negative recordCount / lastOffsetDelta to the caller: the leader's record
   * validation (validate.ts) answers them with INVALID_RECORD, as Kafka's LogValidator.
   */
  skipCountCheck?: boolean;
}

/**
 * Checks every batch in `buf` (which must hold whole batches only): framing, magic,
 * size limit and CRC-32C. Never decompresses. Errors, as Kafka's Produce path reports them:
 * CORRUPT_MESSAGE (truncation, bad length, bad CRC, unknown magic), UNSUPPORTED_FOR_MESSAGE_FORMAT
 * (magic 0/1 message sets, which storage does not keep), MESSAGE_TOO_LARGE,
 * UNSUPPORTED_COMPRESSION_TYPE (codec id 5..7).
 */
export function validateBatches(buf: Buffer, opts: ValidateBatchesOptions = {}): BatchHeader[] {
  const headers: BatchHeader[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const remaining = buf.length - pos;
    if (remaining < LOG_OVERHEAD + 5) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `truncated record batch at position ${pos}`);
    }
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    const magic = buf.readInt8(pos + MAGIC_OFFSET);
    if (magic < RECORD_BATCH_MAGIC && magic >= 0) {
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        `magic ${magic} message sets are not supported; expected record batch magic 2`,
      );
    }
    if (magic !== RECORD_BATCH_MAGIC) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `unknown record batch magic ${magic} at position ${pos}`);
    }
    if (batchLength < MIN_BATCH_LENGTH) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch length ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`);
    }
    const sizeInBytes = batchLength + LOG_OVERHEAD;
    if (opts.maxBatchSize !== undefined && sizeInBytes > opts.maxBatchSize) {
      throw new KafkaError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `record batch of ${sizeInBytes} bytes exceeds the maximum of ${opts.maxBatchSize}`,
      );
    }
    if (sizeInBytes > remaining) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at position ${pos} is truncated (${remaining} of ${sizeInBytes} bytes)`);
    }
    const header = readBatchHeader(buf, pos);
    const actualCrc = computeBatchCrc(buf, pos, sizeInBytes);
    if (actualCrc !== header.crc) {
      throw new KafkaError(
        ErrorCode.CORRUPT_MESSAGE,
        `record batch at position ${pos} has CRC ${header.crc.toString(16)}, computed ${actualCrc.toString(16)}`,
      );
    }
    if (!opts.skipCountCheck && (header.lastOffsetDelta < 0 || header.recordCount < 0)) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at position ${pos} has a negative record count or offset delta`);
    }
    if (header.compression > 4) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression type id ${header.compression}`);
    }
    headers.push(header);
    pos += sizeInBytes;
  }
  return headers;
}

/**
 * Iterates the batches in `buf`, stopping silently at a trailing partial batch (as a
 * Fetch response may end with one, cut by maxBytes) or at a length that cannot be a batch.
 * No CRC check.
 */
export function* iterateBatches(buf: Buffer, startPosition = 0): Generator<BatchView> {
  let pos = startPosition;
  while (pos + BATCH_HEADER_SIZE <= buf.length) {
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH) return;
    const sizeInBytes = batchLength + LOG_OVERHEAD;
    if (pos + sizeInBytes > buf.length) return;
    yield { position: pos, header: readBatchHeader(buf, pos), bytes: buf.subarray(pos, pos + sizeInBytes) };
    pos += sizeInBytes;
  }
}

/** Sets baseOffset in place; the CRC does not cover it. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos + BASE_OFFSET_OFFSET);
}

/** Sets partitionLeaderEpoch in place; the CRC does not cover it. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, partitionLeaderEpoch: number): void {
  buf.writeInt32BE(partitionLeaderEpoch, pos + PARTITION_LEADER_EPOCH_OFFSET);
}

/**
 * Sets maxTimestamp and the timestamp-type attribute bit in place and recomputes the CRC
 * (both are covered by it). The broker uses this for message.timestamp.type=LogAppendTime,
 * where every record's timestamp becomes the batch's maxTimestamp.
 */
export function setMaxTimestamp(
  buf: Buffer,
  pos: number,
  maxTimestamp: number,
  timestampType: TimestampType = 'LogAppendTime',
): void {
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  const sizeInBytes = batchLength + LOG_OVERHEAD;
  if (batchLength < MIN_BATCH_LENGTH || pos + sizeInBytes > buf.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at position ${pos} is truncated`);
  }
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  const newAttributes =
    timestampType === 'LogAppendTime' ? attributes | TIMESTAMP_TYPE_MASK : attributes & ~TIMESTAMP_TYPE_MASK;
  buf.writeInt16BE(newAttributes, pos + ATTRIBUTES_OFFSET);
  buf.writeBigInt64BE(BigInt(maxTimestamp), pos + MAX_TIMESTAMP_OFFSET);
  buf.writeUInt32BE(computeBatchCrc(buf, pos, sizeInBytes), pos + CRC_OFFSET);
}
