/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2 (magic 2). Kafka computes it
 * over the batch from the attributes field (byte 21) to the end of the batch.
 * Thin wrapper so callers do not depend on the native package directly.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C of `bytes` as an unsigned 32-bit number; `initial` continues a running CRC. */
export function crc32c(bytes: Uint8Array, initial?: number): number {
  return nativeCrc32c(bytes, initial) >>> 0;
}
