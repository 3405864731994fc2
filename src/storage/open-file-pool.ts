/**
 * A bounded LRU of open segment and index file descriptors, so the number of
 * partitions a broker hosts is not limited by `ulimit -n`.
 *
 * Kafka keeps every segment's `.log` open and maps its indexes lazily (LazyIndex), so a
 * broker with many partitions needs a very high fd limit; here each `.log`, `.index`
 * and `.timeindex` is a PooledFile that holds a descriptor only while it is among the
 * `capacity` most recently used. An evicted file is reopened by path on its next use
 * (same inode: segments are renamed only after being closed, see log-cleaner.ts), so
 * idle partitions cost no descriptors and a hot partition's active segment stays open.
 *
 * fsync through a reopened descriptor flushes the pages written through the evicted one
 * (POSIX syncs the file, not the descriptor); a writeback error that struck while no
 * descriptor was open may go unreported, as for any process that closes its files.
 *
 * The broker is one event loop: a descriptor returned by `fd()` stays valid until the
 * next `fd()`/`pin()` of any pooled file, which is all synchronous I/O needs.
 * Asynchronous I/O (fsync on the threadpool) must `pin()` it, so it is never closed,
 * and its number never reused, while the call is in flight.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';

/** Part of the process fd limit left to sockets, the log dir locks, checkpoints and the runtime. */
const FD_SHARE_FOR_FILES = 0.5;
const MIN_CAPACITY = 16;

/**
 * The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start-up),
 * read from /proc/self/limits on Linux; null where that file does not exist.
 */
export function processFdLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === undefined) return null;
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const n = Number(soft);
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Half the process fd limit (1024 assumed where it cannot be read, macOS's launchd default is lower). */
export function defaultOpenFileCapacity(): number {
  const limit = processFdLimit() ?? 1024;
  return Math.max(MIN_CAPACITY, Math.floor(limit * FD_SHARE_FOR_FILES));
}

function isOutOfDescriptors(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EMFILE' || code === 'ENFILE';
}

export class OpenFilePool {
  /** open files, least recently used first (Map keeps insertion order; a use re-inserts) */
  private readonly lru = new Map<PooledFile, true>();
  private cap: number;
  /** advanced by each closeIdle(); a file remembers the generation it was last used in */
  private generation = 0;
  /** Descriptors opened and closed over the pool's life (tests, diagnostics). */
  opens = 0;
  evictions = 0;

  constructor(capacity: number = defaultOpenFileCapacity()) {
    this.cap = Math.max(1, Math.floor(capacity));
  }

  get capacity(): number {
    return this.cap;
  }

  /** Changes the bound (tests, or a broker that knows better); closes idle files above it now. */
  setCapacity(capacity: number): void {
    this.cap = Math.max(1, Math.floor(capacity));
    this.trim();
  }

  /** @internal closes idle files while above the bound (after pins held it over) */
  trim(): void {
    while (this.lru.size > this.cap && this.evictOne()) {
      /* evicting */
    }
  }

  /** Files holding a descriptor now. */
  get openCount(): number {
    return this.lru.size;
  }

  /** Open files pinned by asynchronous I/O (fsyncs in flight); the pool exceeds its bound by at most these. */
  get pinnedCount(): number {
    let n = 0;
    for (const file of this.lru.keys()) if (file.pinned) n++;
    return n;
  }

  /** @internal PooledFile's side of the bookkeeping */
  touch(file: PooledFile): void {
    file.usedInGeneration = this.generation;
    this.lru.delete(file);
    this.lru.set(file, true);
  }

  /**
   * Closes every unpinned file not used since the previous call (all of them when
   * `everything`): the log manager calls it after start-up and on a timer, so partitions
   * nobody produces to or fetches from hold no descriptor at all, not just fewer than the bound.
   */
  closeIdle(everything = false): number {
    let closed = 0;
    for (const file of [...this.lru.keys()]) {
      if (file.pinned || (!everything && file.usedInGeneration === this.generation)) continue;
      this.lru.delete(file);
      file.releaseDescriptor();
      closed++;
    }
    this.generation++;
    return closed;
  }

  /** @internal opens `path`, evicting idle files to stay within capacity (and on EMFILE) */
  open(file: PooledFile, path: string, flags: string): number {
    while (this.lru.size >= this.cap && this.evictOne()) {
      /* evicting */
    }
    for (;;) {
      try {
        const fd = openSync(path, flags);
        this.opens++;
        file.usedInGeneration = this.generation;
        this.lru.set(file, true);
        return fd;
      } catch (err) {
        // Sockets share the limit with us: give one idle file back and retry.
        if (isOutOfDescriptors(err) && this.evictOne()) continue;
        throw err;
      }
    }
  }

  /** @internal */
  forget(file: PooledFile): void {
    this.lru.delete(file);
  }

  /** Closes the least recently used file not pinned by asynchronous I/O; false when there is none. */
  private evictOne(): boolean {
    for (const file of this.lru.keys()) {
      if (file.pinned) continue;
      this.lru.delete(file);
      file.releaseDescriptor();
      this.evictions++;
      return true;
    }
    return false;
  }
}

/** The process-wide pool every LogSegment and index file uses: the fd limit is per process. */
export const openFilePool = new OpenFilePool();

export class PooledFile {
  private descriptor: number | null = null;
  /** @internal the pool's closeIdle() generation of the last use */
  usedInGeneration = 0;
  private pins = 0;
  private closed = false;
  /** writes so far, and how many of them a completed fsync covers */
  private writes = 0;
  private syncedWrites = 0;

  /**
   * Opens `path` now with `createFlags` ('w+' creates or empties it; 'r+' needs it to
   * exist), so the file is on disk as Kafka lays it out; later reopens use 'r+'.
   */
  constructor(
    readonly path: string,
    createFlags: 'w+' | 'r+',
    private readonly pool: OpenFilePool = openFilePool,
  ) {
    this.descriptor = pool.open(this, path, createFlags);
  }

  /** A descriptor for reading, valid until the next pooled open; reopens the file if evicted. */
  fd(): number {
    if (this.closed) throw new Error(`${this.path} is closed`);
    if (this.descriptor === null) {
      this.descriptor = this.pool.open(this, this.path, 'r+');
    } else {
      this.pool.touch(this);
    }
    return this.descriptor;
  }

  /** As fd(), for a write or truncate: the next sync has something to flush. */
  fdForWrite(): number {
    const fd = this.fd();
    this.writes++;
    return fd;
  }

  /** Whether a write is not yet covered by a completed fsync (an idle partition has nothing to fsync). */
  get needsSync(): boolean {
    return this.writes > this.syncedWrites;
  }

  /** Call right before an fsync; pass the answer to syncCompleted once it succeeded. */
  syncStarting(): number {
    return this.writes;
  }

  syncCompleted(writesCovered: number): void {
    this.syncedWrites = Math.max(this.syncedWrites, writesCovered);
  }

  /** Keeps the descriptor open (not evictable) until unpin(); for asynchronous I/O. */
  pin(): number {
    const fd = this.fd();
    this.pins++;
    return fd;
  }

  unpin(): void {
    this.pins--;
    if (this.pins > 0) return;
    if (this.closed) this.releaseDescriptor();
    else this.pool.trim();
  }

  get pinned(): boolean {
    return this.pins > 0;
  }

  get isOpen(): boolean {
    return this.descriptor !== null;
  }

  /** Final: later fd() calls throw. A pinned descriptor is closed when the last pin goes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.forget(this);
    if (this.pins === 0) this.releaseDescriptor();
  }

  /** @internal the pool's eviction, or the final close */
  releaseDescriptor(): void {
    if (this.descriptor === null) return;
    const fd = this.descriptor;
    this.descriptor = null;
    closeSync(fd);
  }
}
