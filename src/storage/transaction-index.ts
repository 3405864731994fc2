/**
 * The aborted-transaction index of a log segment (`<20-digit baseOffset>.txnindex`),
 * in Kafka's on-disk format: fixed 34-byte entries, each
 *   int16 version (0) | int64 producerId | int64 firstOffset | int64 lastOffset | int64 lastStableOffset
 * appended when an ABORT marker lands in the segment (lastOffset = the marker's offset).
 * Fetch at read_committed returns the aborted transactions overlapping the fetched range,
 * so consumers can drop the aborted records; after a restart this file is the source.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFully } from './disk-errors.js';

export const TXN_INDEX_FILE_SUFFIX = '.txnindex';
export const TXN_INDEX_ENTRY_SIZE = 34;
const TXN_INDEX_VERSION = 0;

export interface AbortedTxn {
  producerId: number;
  /** offset of the transaction's first record in this partition */
  firstOffset: number;
  /** offset of the ABORT marker */
  lastOffset: number;
  /** the partition's last stable offset once the marker was written */
  lastStableOffset: number;
}

/** Path of the `.txnindex` file of the segment starting at `baseOffset` in `dir`. */
export function txnIndexPath(dir: string, baseOffset: number): string {
  return join(dir, String(baseOffset).padStart(20, '0') + TXN_INDEX_FILE_SUFFIX);
}

export function encodeAbortedTxn(entry: AbortedTxn): Buffer {
  const buf = Buffer.alloc(TXN_INDEX_ENTRY_SIZE);
  buf.writeInt16BE(TXN_INDEX_VERSION, 0);
  buf.writeBigInt64BE(BigInt(entry.producerId), 2);
  buf.writeBigInt64BE(BigInt(entry.firstOffset), 10);
  buf.writeBigInt64BE(BigInt(entry.lastOffset), 18);
  buf.writeBigInt64BE(BigInt(entry.lastStableOffset), 26);
  return buf;
}

/** Decodes whole entries; a torn tail (crash mid-append) or an unknown version ends the list. */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const entries: AbortedTxn[] = [];
  for (let pos = 0; pos + TXN_INDEX_ENTRY_SIZE <= buf.length; pos += TXN_INDEX_ENTRY_SIZE) {
    if (buf.readInt16BE(pos) !== TXN_INDEX_VERSION) break;
    entries.push({
      producerId: Number(buf.readBigInt64BE(pos + 2)),
      firstOffset: Number(buf.readBigInt64BE(pos + 10)),
      lastOffset: Number(buf.readBigInt64BE(pos + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(pos + 26)),
    });
  }
  return entries;
}

/**
 * Appends one entry to the segment's index (created on first abort, as Kafka does). A failed
 * write (disk full) is cut off again, so the file holds whole entries only.
 */
export function appendAbortedTxn(dir: string, baseOffset: number, entry: AbortedTxn): void {
  const path = txnIndexPath(dir, baseOffset);
  const fd = openSync(path, 'a+');
  try {
    const size = fstatSync(fd).size;
    const bytes = encodeAbortedTxn(entry);
    try {
      writeFully(fd, path, bytes, 0, bytes.length, null);
    } catch (err) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // a torn last entry is ignored on read (decodeAbortedTxns)
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
}

/** The entries of one segment's index; none when the segment never saw an abort. */
export function readAbortedTxns(dir: string, baseOffset: number): AbortedTxn[] {
  const path = txnIndexPath(dir, baseOffset);
  if (!existsSync(path)) return [];
  return decodeAbortedTxns(readFileSync(path));
}
