/**
 * Offset index of one log segment (`<baseOffset>.index`): a sparse map from offset to
 * file position. Format, as Kafka writes it: 8-byte entries of relative offset int32
 * (offset - segment baseOffset) + physical position int32, both strictly increasing.
 * The broker adds an entry whenever more than index.interval.bytes have been appended
 * since the last one, keyed by the batch's last offset and pointing at the batch start.
 *
 * No mmap in Node: entries live in an in-memory Buffer and every append is written
 * through to the file at the same place, so the file never holds padding (Kafka
 * preallocates and trims; we do not need to). Single writer; not concurrency-safe.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex {
  private entries = Buffer.alloc(OFFSET_INDEX_ENTRY_SIZE * 64);
  private count = 0;
  private fd: number;

  private constructor(
    readonly path: string,
    readonly baseOffset: number,
    readonly maxIndexSizeBytes: number,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens (or creates) the index file and loads its entries; `truncate` starts it empty. */
  static open(path: string, baseOffset: number, maxIndexSizeBytes: number, truncate = false): OffsetIndex {
    const fd = openSync(path, truncate ? 'w+' : openFlagsForExisting(path));
    const index = new OffsetIndex(path, baseOffset, maxIndexSizeBytes, fd);
    if (!truncate) index.load();
    return index;
  }

  private load(): void {
    const size = fstatSync(this.fd).size;
    const whole = size - (size % OFFSET_INDEX_ENTRY_SIZE);
    this.ensureCapacity(whole);
    if (whole > 0) readSync(this.fd, this.entries, 0, whole, 0);
    this.count = whole / OFFSET_INDEX_ENTRY_SIZE;
    if (whole !== size) ftruncateSync(this.fd, whole);
  }

  get entryCount(): number {
    return this.count;
  }

  get sizeInBytes(): number {
    return this.count * OFFSET_INDEX_ENTRY_SIZE;
  }

  isFull(): boolean {
    return this.sizeInBytes + OFFSET_INDEX_ENTRY_SIZE > this.maxIndexSizeBytes;
  }

  entry(i: number): OffsetPosition {
    const at = i * OFFSET_INDEX_ENTRY_SIZE;
    return { offset: this.baseOffset + this.entries.readInt32BE(at), position: this.entries.readInt32BE(at + 4) };
  }

  lastEntry(): OffsetPosition | null {
    return this.count === 0 ? null : this.entry(this.count - 1);
  }

  append(offset: number, position: number): void {
    const last = this.lastEntry();
    if (last !== null && (offset <= last.offset || position <= last.position)) return;
    const at = this.count * OFFSET_INDEX_ENTRY_SIZE;
    this.ensureCapacity(at + OFFSET_INDEX_ENTRY_SIZE);
    this.entries.writeInt32BE(offset - this.baseOffset, at);
    this.entries.writeInt32BE(position, at + 4);
    writeSync(this.fd, this.entries, at, OFFSET_INDEX_ENTRY_SIZE, at);
    this.count++;
  }

  /** Largest entry with offset <= target, or null when every entry is above it. */
  lookup(targetOffset: number): OffsetPosition | null {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entry(mid).offset <= targetOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : this.entry(found);
  }

  /** Drops entries pointing at or after `position` (the log was truncated there). */
  truncateToPosition(position: number): void {
    let keep = this.count;
    while (keep > 0 && this.entry(keep - 1).position >= position) keep--;
    this.setCount(keep);
  }

  reset(): void {
    this.setCount(0);
  }

  /**
   * Kafka's sanity check: whole entries, offsets and positions strictly increasing,
   * positions inside the log file.
   */
  isConsistent(logSize: number): boolean {
    let prev: OffsetPosition | null = null;
    for (let i = 0; i < this.count; i++) {
      const e = this.entry(i);
      if (e.offset < this.baseOffset || e.position < 0 || e.position >= logSize) return false;
      if (prev !== null && (e.offset <= prev.offset || e.position <= prev.position)) return false;
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
    ftruncateSync(this.fd, count * OFFSET_INDEX_ENTRY_SIZE);
  }

  private ensureCapacity(bytes: number): void {
    if (bytes <= this.entries.length) return;
    const grown = Buffer.alloc(Math.max(bytes, this.entries.length * 2));
    this.entries.copy(grown, 0, 0, this.count * OFFSET_INDEX_ENTRY_SIZE);
    this.entries = grown;
  }
}

/** 'r+' when the file exists, else 'w+' (create). */
export function openFlagsForExisting(path: string): string {
  return existsSync(path) ? 'r+' : 'w+';
}
