/**
 * Record-batch compression codecs (attribute bits 0-2 of RecordBatch v2):
 * 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. Everything here is synchronous so the
 * broker's single event loop and the CLI can call it inline. Standalone on purpose:
 * the CLI wraps these functions as kafkajs codecs too.
 *
 * Wire formats, as Kafka's Java client writes them:
 * - gzip: an ordinary gzip stream (possibly several members);
 * - snappy: Java uses xerial's framing (magic 0x82 "SNAPPY" 0, two int32 versions, then
 *   [int32 length, raw snappy chunk]*); librdkafka/kafkajs write one raw snappy block.
 *   We decode both and encode raw, which every client accepts;
 * - lz4: the standard LZ4 frame format (magic 0x184D2204);
 * - zstd: a standard zstd frame.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { ErrorCode, KafkaError } from '../errors.js';

export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Codecs indexed by their attribute id (RecordBatch attributes bits 0-2). */
export const COMPRESSION_CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The attribute id (0..4) of a codec. */
export function compressionCodecId(codec: CompressionCodec): number {
  const id = COMPRESSION_CODECS.indexOf(codec);
  if (id < 0) throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${String(codec)}`);
  return id;
}

/** The codec for an attribute id; ids 5..7 are undefined in Kafka and rejected. */
export function compressionCodecFromId(id: number): CompressionCodec {
  const codec = COMPRESSION_CODECS[id];
  if (codec === undefined) throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression type id ${id}`);
  return codec;
}

/** Compresses one block of serialized records. */
export function compress(codec: CompressionCodec, data: Buffer): Buffer {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return snappyCompress(data);
    case 'lz4':
      return compressFrameSync(data);
    case 'zstd':
      return zstdCompress(data);
    default:
      throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${String(codec)}`);
  }
}

/** Decompresses one block; any codec failure becomes CORRUPT_MESSAGE. */
export function decompress(codec: CompressionCodec, data: Buffer): Buffer {
  try {
    switch (codec) {
      case 'none':
        return data;
      case 'gzip':
        return gunzipSync(data);
      case 'snappy':
        return isXerialSnappy(data) ? decodeXerialSnappy(data) : toBuffer(snappyUncompress(data, { asBuffer: true }));
      case 'lz4':
        return decompressFrameSync(data);
      case 'zstd':
        return zstdDecompress(data);
    }
  } catch (err) {
    if (err instanceof KafkaError) throw err;
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${codec} decompression failed: ${(err as Error).message}`);
  }
  throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${String(codec)}`);
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic (8) + version int32 + compatible-version int32. */
const XERIAL_HEADER_SIZE = 16;

function isXerialSnappy(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

function decodeXerialSnappy(data: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'truncated xerial snappy chunk length');
    const chunkLength = data.readInt32BE(pos);
    pos += 4;
    if (chunkLength < 0 || pos + chunkLength > data.length) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'truncated xerial snappy chunk');
    }
    chunks.push(toBuffer(snappyUncompress(data.subarray(pos, pos + chunkLength), { asBuffer: true })));
    pos += chunkLength;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function toBuffer(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}
