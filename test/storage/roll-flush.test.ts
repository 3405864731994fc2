/**
 * A rolled segment is fsynced in the background, not with fsyncSync on the append path:
 * fs.fsync / fs.fsyncSync are wrapped (fs.fsync callbacks held back and released by the
 * test, in any order) to check that a roll makes no synchronous fsync, that the recovery
 * point passes a rolled segment only once its fsync and every older one completed, that
 * closing or deleting a segment while its fsync is in flight keeps the fd open until it
 * settles, and that a clean shutdown still fsyncs everything before checkpointing.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { LogManager, RECOVERY_POINT_CHECKPOINT_FILE } from '../../src/storage/log-manager.js';
import { readOffsetCheckpoint, topicPartitionKey } from '../../src/storage/checkpoint-file.js';
import { batchOf, offsetsAndValues, smallConfig, tempDir } from './helpers.js';

type FsyncCallback = (err: NodeJS.ErrnoException | null) => void;

/** fs.fsync calls held back until released; fs.fsyncSync calls counted by fd. */
class FsyncSpy {
  readonly held: { fd: number; callback: FsyncCallback }[] = [];
  readonly syncFds: number[] = [];
  private readonly originalFsync = fs.fsync;
  private readonly originalFsyncSync = fs.fsyncSync;

  install(): void {
    fs.fsync = ((fd: number, callback: FsyncCallback) => {
      this.held.push({ fd, callback });
    }) as typeof fs.fsync;
    fs.fsyncSync = ((fd: number) => {
      this.syncFds.push(fd);
      this.originalFsyncSync(fd);
    }) as typeof fs.fsyncSync;
    syncBuiltinESMExports();
  }

  restore(): void {
    fs.fsync = this.originalFsync;
    fs.fsyncSync = this.originalFsyncSync;
    syncBuiltinESMExports();
  }

  /** Runs the real fsync of the held calls `from..to` (in that order) and waits for their callbacks. */
  async release(from = 0, to = this.held.length): Promise<void> {
    const calls = this.held.slice(from, to);
    await Promise.all(
      calls.map(
        ({ fd, callback }) =>
          new Promise<void>((resolve) =>
            this.originalFsync(fd, (err) => {
              callback(err);
              resolve();
            }),
          ),
      ),
    );
    // let the segment's and the log's promise continuations run
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}

function isOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

let dirs: ReturnType<typeof tempDir>;
let spy: FsyncSpy;
beforeEach(() => {
  dirs = tempDir();
  spy = new FsyncSpy();
  spy.install();
});
afterEach(async () => {
  await spy.release(0, spy.held.length).catch(() => {});
  spy.restore();
  dirs.cleanup();
});

/**
 * Appends 3-record batches until the log has `segments` segments. The first append of
 * a log writes its leader-epoch-checkpoint (fsynced, as every checkpoint file is), so
 * fsyncSync calls are counted from the second append on.
 */
function appendUntil(log: PartitionLog, segments: number): void {
  for (let i = 0; log.numberOfSegments < segments; i++) {
    log.appendAsLeader(batchOf(3, `b${i}`), 0);
    if (i === 0) spy.syncFds.length = 0;
  }
}

describe('flush on roll', () => {
  it('fsyncs the rolled segment in the background; the recovery point waits for it', async () => {
    const log = PartitionLog.open(join(dirs.root, 't-0'), smallConfig());
    appendUntil(log, 2);
    const rolledAt = log.segmentBaseOffsets()[1]!;
    // no synchronous fsync on the append path; the .log, .index and .timeindex fsyncs are in flight
    expect(spy.syncFds).toEqual([]);
    expect(spy.held).toHaveLength(3);
    expect(log.recoveryPoint).toBe(0);
    await spy.release();
    await log.rolledSegmentFlushes();
    expect(log.recoveryPoint).toBe(rolledAt);
    log.close();
  });

  it('passes a rolled segment only once every older rolled segment is on disk too', async () => {
    const log = PartitionLog.open(join(dirs.root, 't-0'), smallConfig());
    appendUntil(log, 3);
    const [, second, third] = log.segmentBaseOffsets();
    expect(spy.held).toHaveLength(6);
    // the newer segment's fsyncs finish first: proves nothing about the older one
    await spy.release(3, 6);
    expect(log.recoveryPoint).toBe(0);
    await spy.release(0, 3);
    await log.rolledSegmentFlushes();
    expect(log.recoveryPoint).toBe(third);
    expect(second).toBeLessThan(third!);
    expect(spy.syncFds).toEqual([]);
    log.close();
  });

  it('keeps the fds of a closed or deleted segment open until its fsync settles', async () => {
    const log = PartitionLog.open(join(dirs.root, 't-0'), smallConfig());
    appendUntil(log, 2);
    const fds = spy.held.map((h) => h.fd);
    expect(fds).toHaveLength(3);
    // DeleteRecords past the first segment deletes its files while the fsync is in flight
    log.deleteRecordsBefore(log.segmentBaseOffsets()[1]!);
    expect(log.numberOfSegments).toBe(1);
    expect(fds.every(isOpen)).toBe(true);
    await spy.release();
    await log.rolledSegmentFlushes();
    expect(fds.some(isOpen)).toBe(false);

    // close() of the whole log while a roll's fsync is in flight
    appendUntil(log, 2);
    const moreFds = spy.held.slice(3).map((h) => h.fd);
    log.close();
    expect(moreFds.every(isOpen)).toBe(true);
    await spy.release(3);
    expect(moreFds.some(isOpen)).toBe(false);
  });

  it('a clean shutdown fsyncs rolled segments whose background fsync has not finished', async () => {
    const logs = new LogManager([dirs.root], smallConfig());
    logs.loadLogs();
    const log = logs.createLog('t', 0, smallConfig());
    appendUntil(log, 3);
    const logEndOffset = log.logEndOffset;
    const rolledFds = new Set(spy.held.map((h) => h.fd));
    expect(rolledFds.size).toBe(6);
    logs.shutdown();
    // every rolled file was fsynced synchronously by the shutdown flush, and the checkpoint says so
    for (const fd of rolledFds) expect(spy.syncFds).toContain(fd);
    const recoveryPoints = readOffsetCheckpoint(join(dirs.root, RECOVERY_POINT_CHECKPOINT_FILE));
    expect(recoveryPoints.get(topicPartitionKey('t', 0))?.offset).toBe(logEndOffset);
    await spy.release();
    expect([...rolledFds].some(isOpen)).toBe(false);

    const reopened = PartitionLog.open(join(dirs.root, 't-0'), smallConfig(), { hadCleanShutdown: true, recoveryPoint: logEndOffset });
    expect(reopened.logEndOffset).toBe(logEndOffset);
    expect(offsetsAndValues(reopened.read(0, 1 << 20).records)[0]).toEqual([0, 'b0-0']);
    reopened.close();
  });

  it('after a crash, a torn tail in a rolled segment above the recovery point is truncated, not taken for corruption', async () => {
    const dir = join(dirs.root, 't-0');
    const log = PartitionLog.open(dir, smallConfig());
    appendUntil(log, 3);
    const [first, second] = log.segmentFiles();
    const secondBase = log.segmentBaseOffsets()[1]!;
    await spy.release();
    log.close();
    // power loss before the background fsync of the first rolled segment: its last bytes are gone
    const firstSize = fs.statSync(first!).size;
    fs.truncateSync(first!, firstSize - 7);
    const lines: string[] = [];
    const reopened = PartitionLog.open(dir, smallConfig(), { recoveryPoint: 0, logger: (l) => lines.push(l) });
    expect(reopened.offlineReason).toBeNull();
    // Kafka's recovery: truncate to the last whole batch and drop the segments after it
    expect(reopened.logEndOffset).toBeLessThan(secondBase);
    expect(fs.existsSync(second!)).toBe(false);
    expect(lines.some((l) => l.includes('truncated'))).toBe(true);
    reopened.close();
  });
});
