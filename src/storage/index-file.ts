/**
 * The common part of a segment's index files (`.index`, `.timeindex`), like Kafka's
 * AbstractIndex: fixed-size entries, strictly ordered by a search key, kept in an
 * in-memory Buffer and written through to the file at the same place (no mmap in
 * Node; no preallocation, so the file never holds padding). A torn last entry is
 * trimmed on load. Lookups never touch the file, so an idle index holds no descriptor
 * (open-file-pool.ts). Single writer; not concurrency-safe.
 */
import { existsSync, fstatSync, fsync, fsyncSync, ftruncateSync, readSync } from 'node:fs';
import { writeFully } from './disk-errors.js';
import { PooledFile } from './open-file-pool.js';

export abstract class IndexFile<Entry> {
  private entries: Buffer;
  private count = 0;

  protected constructor(
    readonly path: string,
    readonly baseOffset: number,
    readonly maxIndexSizeBytes: number,
    private readonly entrySize: number,
    private readonly file: PooledFile,
    truncate: boolean,
  ) {
    this.entries = Buffer.alloc(entrySize * 64);
    if (!truncate) this.load();
  }

  /** Flags to open an index file: existing content kept unless `truncate`. */
  protected static openFile(path: string, truncate: boolean): PooledFile {
    return new PooledFile(path, truncate ? 'w+' : existsSync(path) ? 'r+' : 'w+');
  }

  protected abstract decode(buf: Buffer, at: number): Entry;
  protected abstract encode(buf: Buffer, at: number, entry: Entry): void;

  private load(): void {
    const size = fstatSync(this.file.fd()).size;
    const whole = size - (size % this.entrySize);
    this.ensureCapacity(whole);
    let read = 0;
    while (read < whole) {
      const n = readSync(this.file.fd(), this.entries, read, whole - read, read);
      if (n === 0) break;
      read += n;
    }
    this.count = Math.floor(read / this.entrySize);
    if (this.count * this.entrySize !== size) ftruncateSync(this.file.fdForWrite(), this.count * this.entrySize);
  }

  get entryCount(): number {
    return this.count;
  }

  get sizeInBytes(): number {
    return this.count * this.entrySize;
  }

  isFull(): boolean {
    return this.sizeInBytes + this.entrySize > this.maxIndexSizeBytes;
  }

  entry(i: number): Entry {
    return this.decode(this.entries, i * this.entrySize);
  }

  lastEntry(): Entry | null {
    return this.count === 0 ? null : this.entry(this.count - 1);
  }

  protected appendEntry(entry: Entry): void {
    const at = this.count * this.entrySize;
    this.ensureCapacity(at + this.entrySize);
    this.encode(this.entries, at, entry);
    writeFully(this.file.fdForWrite(), this.path, this.entries, at, this.entrySize, at);
    this.count++;
  }

  /** Back to the first `count` entries, cutting the file too (undoes a failed append's partial entry). */
  truncateToEntries(count: number): void {
    this.setCount(Math.min(count, this.count));
  }

  /** The last entry for which `below(entry)` holds, by binary search (entries are ordered). */
  protected lastWhere(below: (entry: Entry) => boolean): Entry | null {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (below(this.entry(mid))) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : this.entry(found);
  }

  /** Drops entries from the end while `drop(entry)` holds. */
  protected truncateWhile(drop: (entry: Entry) => boolean): void {
    let keep = this.count;
    while (keep > 0 && drop(this.entry(keep - 1))) keep--;
    this.setCount(keep);
  }

  /** Whether every entry passes `valid` and every neighbour pair passes `ordered`. */
  protected everyEntry(valid: (entry: Entry) => boolean, ordered: (prev: Entry, next: Entry) => boolean): boolean {
    let prev: Entry | null = null;
    for (let i = 0; i < this.count; i++) {
      const e = this.entry(i);
      if (!valid(e) || (prev !== null && !ordered(prev, e))) return false;
      prev = e;
    }
    return true;
  }

  reset(): void {
    this.setCount(0);
  }

  /** fsync, skipped when nothing was written since the last one (idle indexes stay closed). */
  flush(): void {
    syncFile(this.file);
  }

  /** fsync off the event loop; the descriptor is pinned until it settles. */
  flushAsync(): Promise<void> {
    return syncFileAsync(this.file);
  }

  close(): void {
    this.file.close();
  }

  private setCount(count: number): void {
    this.count = count;
    ftruncateSync(this.file.fdForWrite(), count * this.entrySize);
  }

  private ensureCapacity(bytes: number): void {
    if (bytes <= this.entries.length) return;
    const grown = Buffer.alloc(Math.max(bytes, this.entries.length * 2));
    this.entries.copy(grown, 0, 0, this.count * this.entrySize);
    this.entries = grown;
  }
}

/** fsyncs a pooled file unless every write to it is covered by a completed fsync. */
export function syncFile(file: PooledFile): void {
  if (!file.needsSync) return;
  const covered = file.syncStarting();
  fsyncSync(file.fd());
  file.syncCompleted(covered);
}

/** syncFile on libuv's threadpool, the descriptor pinned (never closed or reused) meanwhile. */
export function syncFileAsync(file: PooledFile): Promise<void> {
  if (!file.needsSync) return Promise.resolve();
  const covered = file.syncStarting();
  const fd = file.pin();
  return new Promise((resolve, reject) =>
    fsync(fd, (err) => {
      file.unpin();
      if (err) {
        reject(err);
      } else {
        file.syncCompleted(covered);
        resolve();
      }
    }),
  );
}
