/**
 * Time index of one log segment (`<baseOffset>.timeindex`): 12-byte entries of
 * timestamp int64 + relative offset int32, as Kafka writes them. Timestamps strictly
 * increase: an entry is added only when the segment's max timestamp so far grew, and
 * maps it to the offset of the batch that carried it. Searching it bounds the scan for
 * ListOffsets by timestamp.
 *
 * Kept in memory and written through to the file (no mmap, no preallocation). Single
 * writer; not concurrency-safe.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { openFlagsForExisting } from './offset-index.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  private entries = Buffer.alloc(TIME_INDEX_ENTRY_SIZE * 64);
  private count = 0;

  private constructor(
    readonly path: string,
    readonly baseOffset: number,
    readonly maxIndexSizeBytes: number,
    private readonly fd: number,
  ) {}

  static open(path: string, baseOffset: number, maxIndexSizeBytes: number, truncate = false): TimeIndex {
    const fd = openSync(path, truncate ? 'w+' : openFlagsForExisting(path));
    const index = new TimeIndex(path, baseOffset, maxIndexSizeBytes, fd);
    if (!truncate) index.load();
    return index;
  }

  private load(): void {
    const size = fstatSync(this.fd).size;
    const whole = size - (size % TIME_INDEX_ENTRY_SIZE);
    this.ensureCapacity(whole);
    if (whole > 0) readSync(this.fd, this.entries, 0, whole, 0);
    this.count = whole / TIME_INDEX_ENTRY_SIZE;
    if (whole !== size) ftruncateSync(this.fd, whole);
  }

  get entryCount(): number {
    return this.count;
  }

  isFull(): boolean {
    return (this.count + 1) * TIME_INDEX_ENTRY_SIZE > this.maxIndexSizeBytes;
  }

  entry(i: number): TimestampOffset {
    const at = i * TIME_INDEX_ENTRY_SIZE;
    return {
      timestamp: Number(this.entries.readBigInt64BE(at)),
      offset: this.baseOffset + this.entries.readInt32BE(at + 8),
    };
  }

  lastEntry(): TimestampOffset | null {
    return this.count === 0 ? null : this.entry(this.count - 1);
  }

  /** Appends when `timestamp` is above the last entry's (Kafka's maybeAppend). */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry();
    if (timestamp < 0 || (last !== null && (timestamp <= last.timestamp || offset < last.offset))) return;
    const at = this.count * TIME_INDEX_ENTRY_SIZE;
    this.ensureCapacity(at + TIME_INDEX_ENTRY_SIZE);
    this.entries.writeBigInt64BE(BigInt(timestamp), at);
    this.entries.writeInt32BE(offset - this.baseOffset, at + 8);
    writeSync(this.fd, this.entries, at, TIME_INDEX_ENTRY_SIZE, at);
    this.count++;
  }

  /**
   * Largest entry whose timestamp is strictly below `timestamp`: every batch up to its
   * offset has a smaller max timestamp, so a search may start there. Null: start at the
   * segment's beginning.
   */
  lookupBefore(timestamp: number): TimestampOffset | null {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entry(mid).timestamp < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : this.entry(found);
  }

  /** Drops entries whose offset is >= `offset`. */
  truncateToOffset(offset: number): void {
    let keep = this.count;
    while (keep > 0 && this.entry(keep - 1).offset >= offset) keep--;
    this.setCount(keep);
  }

  reset(): void {
    this.setCount(0);
  }

  /** Timestamps strictly increasing, offsets non-decreasing and below `nextOffset`. */
  isConsistent(nextOffset: number): boolean {
    let prev: TimestampOffset | null = null;
    for (let i = 0; i < this.count; i++) {
      const e = this.entry(i);
      if (e.offset < this.baseOffset || e.offset >= nextOffset) return false;
      if (prev !== null && (e.timestamp <= prev.timestamp || e.offset < prev.offset)) return false;
      prev = e;
    }
    return true;
  }

  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  private setCount(count: number): void {
    this.count = count;
    ftruncateSync(this.fd, count * TIME_INDEX_ENTRY_SIZE);
  }

  private ensureCapacity(bytes: number): void {
    if (bytes <= this.entries.length) return;
    const grown = Buffer.alloc(Math.max(bytes, this.entries.length * 2));
    this.entries.copy(grown, 0, 0, this.count * TIME_INDEX_ENTRY_SIZE);
    this.entries = grown;
  }
}
