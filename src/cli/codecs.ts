/**
 * Teaches kafkajs the snappy, lz4 and zstd codecs (it ships gzip only) by
 * wrapping the project's own record-batch codecs, so the console producer can
 * write and the console consumer can read every Kafka compression type.
 */
import kafkajs from 'kafkajs';
import type { CompressionTypes as CompressionTypesEnum } from 'kafkajs';
import { UsageError } from './errors.js';
import { compress, decompress, type CompressionCodec } from '../protocol/records/compression.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** kafkajs hands codecs an Encoder whose `buffer` holds the serialized records. */
interface EncoderLike {
  buffer: Buffer;
}

function adapter(codec: CompressionCodec): () => { compress(encoder: EncoderLike): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> } {
  return () => ({
    async compress(encoder: EncoderLike): Promise<Buffer> {
      return compress(codec, encoder.buffer);
    },
    async decompress(buffer: Buffer): Promise<Buffer> {
      return decompress(codec, buffer);
    },
  });
}

let registered = false;

/** Registers the adapters once per process. */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = adapter('snappy');
  CompressionCodecs[CompressionTypes.LZ4] = adapter('lz4');
  CompressionCodecs[CompressionTypes.ZSTD] = adapter('zstd');
}

/** Maps Kafka's `compression.type` / `--compression-codec` names to kafkajs' enum. */
export function compressionTypeFor(name: string): CompressionTypesEnum {
  switch (name.trim().toLowerCase()) {
    case '':
    case 'none':
    case 'uncompressed':
    case 'producer':
      return CompressionTypes.None;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'snappy':
      return CompressionTypes.Snappy;
    case 'lz4':
      return CompressionTypes.LZ4;
    case 'zstd':
      return CompressionTypes.ZSTD;
    default:
      throw new UsageError(`Unknown compression codec '${name}': use none, gzip, snappy, lz4 or zstd`);
  }
}
