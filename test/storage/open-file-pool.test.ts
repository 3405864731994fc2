/**
 * Segment and index files hold descriptors from a bounded LRU (open-file-pool.ts): a
 * broker with more partitions than its fd budget writes and reads every one of them,
 * reloads them after a restart, and never holds more descriptors than the bound.
 * Descriptors are counted in /proc/self/fd, so the test sees what the kernel sees.
 */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { OpenFilePool, PooledFile, defaultOpenFileCapacity, openFilePool, processFdLimit } from '../../src/storage/open-file-pool.js';
import { batchOf, offsetsAndValues, smallConfig, tempDir } from './helpers.js';

const hasProcFd = existsSync('/proc/self/fd');

/** Every record of the log as [offset, value], reading segment after segment as a consumer does. */
function readAll(log: PartitionLog): [number, string][] {
  const out: [number, string][] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const values = offsetsAndValues(log.read(offset, 1 << 20).records);
    if (values.length === 0) break;
    out.push(...values);
    offset = values[values.length - 1]![0] + 1;
  }
  return out;
}

/** Descriptors this process holds on files under `root`. */
function fdsUnder(root: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(join('/proc/self/fd', fd)).startsWith(root)) n++;
    } catch {
      // the fd readdir itself used, already closed
    }
  }
  return n;
}

describe('open file pool', () => {
  let dirs: ReturnType<typeof tempDir>;
  const originalCapacity = openFilePool.capacity;
  beforeEach(() => {
    dirs = tempDir();
  });
  afterEach(() => {
    openFilePool.setCapacity(originalCapacity);
    dirs.cleanup();
  });

  it.runIf(hasProcFd)('writes and reads more partitions than the fd budget, and reloads them within it', async () => {
    const budget = 12;
    openFilePool.setCapacity(budget);
    const partitions = 150;
    const config = smallConfig({ segmentBytes: 256 });
    const logs = new LogManager([dirs.root], config);
    logs.loadLogs();
    // several segments per partition (segment.bytes 256), written round-robin so every file is evicted and reopened
    for (let round = 0; round < 6; round++) {
      for (let p = 0; p < partitions; p++) {
        const log = logs.createLog('many', p, config);
        log.appendAsLeader(batchOf(3, `p${p}r${round}`), 0);
        // rolled segments' fsyncs in flight keep their descriptors (pinned) until they settle
        expect(fdsUnder(dirs.root)).toBeLessThanOrEqual(Math.max(budget, openFilePool.pinnedCount + 1));
      }
      await Promise.all(logs.allLogs().map((l) => l.rolledSegmentFlushes()));
      expect(openFilePool.pinnedCount).toBe(0);
      expect(fdsUnder(dirs.root)).toBeLessThanOrEqual(budget);
    }
    expect(logs.getLog('many', 0)!.numberOfSegments).toBeGreaterThan(1);
    expect(openFilePool.evictions).toBeGreaterThan(0);
    for (let p = 0; p < partitions; p++) {
      const values = readAll(logs.getLog('many', p)!);
      expect(values).toHaveLength(18);
      expect(values[0]).toEqual([0, `p${p}r0-0`]);
      expect(values[17]).toEqual([17, `p${p}r5-2`]);
    }
    expect(fdsUnder(dirs.root)).toBeLessThanOrEqual(budget);
    logs.shutdown();
    expect(fdsUnder(dirs.root)).toBe(0);

    // start-up loads every log within the budget and then holds no segment descriptor at all
    const reloaded = new LogManager([dirs.root], config);
    expect(reloaded.loadLogs()).toHaveLength(partitions);
    expect(fdsUnder(dirs.root)).toBe(0);
    for (let p = partitions - 1; p >= 0; p--) {
      const log = reloaded.getLog('many', p)!;
      log.appendAsLeader(batchOf(1, `after${p}`), 1);
      const values = readAll(log);
      expect(values[17]).toEqual([17, `p${p}r5-2`]);
      expect(values[18]).toEqual([18, `after${p}-0`]);
    }
    await Promise.all(reloaded.allLogs().map((l) => l.rolledSegmentFlushes()));
    expect(fdsUnder(dirs.root)).toBeLessThanOrEqual(budget);
    reloaded.shutdown();
  });

  it('keeps the most recently used file open and evicts the idle ones', () => {
    const pool = new OpenFilePool(2);
    const a = new PooledFile(join(dirs.root, 'a'), 'w+', pool);
    const b = new PooledFile(join(dirs.root, 'b'), 'w+', pool);
    a.fd(); // a is now the most recently used
    const c = new PooledFile(join(dirs.root, 'c'), 'w+', pool);
    expect([a.isOpen, b.isOpen, c.isOpen]).toEqual([true, false, true]);
    expect(pool.openCount).toBe(2);
    b.fd(); // reopened by path, evicting a (least recently used)
    expect([a.isOpen, b.isOpen, c.isOpen]).toEqual([false, true, true]);
    for (const f of [a, b, c]) f.close();
    expect(pool.openCount).toBe(0);
    expect(() => a.fd()).toThrow(/closed/);
  });

  it('closeIdle closes the files not used since the previous sweep, so idle partitions hold none', () => {
    const pool = new OpenFilePool(10);
    const hot = new PooledFile(join(dirs.root, 'hot'), 'w+', pool);
    const idle = new PooledFile(join(dirs.root, 'idle'), 'w+', pool);
    pool.closeIdle(); // both used (opened) in this interval: kept
    expect([hot.isOpen, idle.isOpen]).toEqual([true, true]);
    pool.closeIdle(); // neither used since: closed
    expect([hot.isOpen, idle.isOpen]).toEqual([false, false]);
    hot.fd();
    idle.fd();
    pool.closeIdle();
    expect([hot.isOpen, idle.isOpen]).toEqual([true, true]);
    hot.fd();
    pool.closeIdle(); // only hot was used again
    expect([hot.isOpen, idle.isOpen]).toEqual([true, false]);
    pool.closeIdle(true);
    expect(hot.isOpen).toBe(false);
    hot.close();
    idle.close();
  });

  it('never evicts a descriptor pinned by asynchronous I/O; a close while pinned waits for the unpin', () => {
    const pool = new OpenFilePool(1);
    const a = new PooledFile(join(dirs.root, 'a'), 'w+', pool);
    a.pin();
    const b = new PooledFile(join(dirs.root, 'b'), 'w+', pool);
    expect([a.isOpen, b.isOpen]).toEqual([true, true]); // over the bound rather than closing a's fd under an fsync
    a.close();
    expect(a.isOpen).toBe(true);
    a.unpin();
    expect(a.isOpen).toBe(false);
    b.close();
  });

  it('derives its default bound from the process fd limit', () => {
    const limit = processFdLimit();
    if (limit !== null) expect(defaultOpenFileCapacity()).toBe(Math.max(16, Math.floor(limit / 2)));
    expect(defaultOpenFileCapacity()).toBeGreaterThanOrEqual(16);
  });
});
