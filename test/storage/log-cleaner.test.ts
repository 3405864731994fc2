/** LogCleaner: batch filtering, whole passes over a LogManager, dirty ratio and lag, crash-safe swap, aborts. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DELETE_HORIZON_FLAG_MASK,
  buildControlBatch,
  buildRecordBatch,
  decodeRecordBatch,
  decodeRecordBatches,
  readBatchHeader,
  validateBatches,
  ControlRecordType,
  type CompressionCodec,
} from '../../src/protocol/records/index.js';
import {
  CLEANER_OFFSET_CHECKPOINT_FILE,
  LogCleaner,
  cleanBatch,
  cleanableRange,
  installCleanedSegmentFiles,
} from '../../src/storage/log-cleaner.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { LogSegment } from '../../src/storage/log-segment.js';
import { PartitionLog, type LogConfig } from '../../src/storage/partition-log.js';
import { smallConfig, tempDir } from './helpers.js';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ root, cleanup } = tempDir());
});
afterEach(() => cleanup());

const T0 = 1_700_000_000_000;

function keyed(
  entries: [string, string | null][],
  opts: { timestamp?: number; compression?: CompressionCodec; producerId?: number } = {},
): Buffer {
  return buildRecordBatch(
    entries.map(([key, value], i) => ({
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      headers: [{ key: 'h', value: Buffer.from(`${key}:${i}`) }],
      timestamp: (opts.timestamp ?? T0) + i,
    })),
    {
      compression: opts.compression ?? 'none',
      producerId: opts.producerId ?? -1,
      producerEpoch: opts.producerId === undefined ? -1 : 3,
      baseSequence: opts.producerId === undefined ? -1 : 7,
    },
  );
}

/** Every record of the log from its start: [offset, key, value]. */
function contents(log: PartitionLog): [number, string, string | null][] {
  const out: [number, string, string | null][] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, 1 << 20);
    if (records.length === 0) break;
    for (const batch of decodeRecordBatches(records)) {
      for (const r of batch.records) out.push([r.offset, r.key?.toString() ?? '', r.value?.toString() ?? null]);
      offset = batch.header.lastOffset + 1;
    }
  }
  return out;
}

/** Appends as leader and advances the high watermark (a sole replica's acknowledgement). */
function acked(log: PartitionLog, batch: Buffer): void {
  // as the coordinator: some of these are transaction markers, which clients may not write
  log.appendAsLeader(batch, 0, undefined, 'coordinator');
  log.highWatermark = log.logEndOffset;
}

function compactConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return smallConfig({ cleanupPolicy: 'compact', segmentBytes: 600, minCleanableDirtyRatio: 0.5, ...overrides });
}

describe('cleanBatch', () => {
  it('keeps only the latest record per key with offsets, timestamps, headers, codec and producer fields intact', () => {
    for (const codec of ['none', 'gzip', 'zstd', 'lz4', 'snappy'] as const) {
      const batch = keyed(
        [
          ['a', 'a1'],
          ['b', 'b1'],
          ['a', 'a2'],
          ['c', 'c1'],
        ],
        { compression: codec, producerId: 42 },
      );
      batch.writeBigInt64BE(100n, 0); // as if appended at offset 100
      const latest = new Map([
        ['a', 102],
        ['b', 101],
        ['c', 110],
      ]);
      const result = cleanBatch(batch, { latestOffsetOf: (k) => latest.get(k.toString()), now: T0, deleteRetentionMs: 1000 });
      expect(result.recordsRemoved).toBe(2);
      const bytes = result.bytes!;
      expect(validateBatches(bytes)).toHaveLength(1); // CRC and framing valid
      const { header, records } = decodeRecordBatch(bytes);
      expect(header.compression).toBe(readBatchHeader(batch, 0).compression);
      expect([header.baseOffset, header.lastOffset, header.recordCount]).toEqual([100, 103, 2]);
      expect([header.producerId, header.producerEpoch, header.baseSequence]).toEqual([42, 3, 7]);
      expect(records.map((r) => [r.offset, r.key!.toString(), r.value!.toString(), r.timestamp])).toEqual([
        [101, 'b', 'b1', T0 + 1],
        [102, 'a', 'a2', T0 + 2],
      ]);
      expect(records.map((r) => r.headers[0]!.value!.toString())).toEqual(['b:1', 'a:2']);
      expect(header.maxTimestamp).toBe(T0 + 2);
    }
  });

  it('copies a batch byte for byte when every record stays, drops it when none does, keeps control batches', () => {
    const batch = keyed([
      ['x', '1'],
      ['y', '2'],
    ]);
    const context = (map: Record<string, number>) => ({
      latestOffsetOf: (k: Buffer) => map[k.toString()],
      now: T0,
      deleteRetentionMs: 1000,
    });
    expect(cleanBatch(batch, context({ x: 0, y: 1 })).bytes).toBe(batch);
    expect(cleanBatch(batch, context({})).bytes).toBe(batch); // keys only in the clean section stay
    expect(cleanBatch(batch, context({ x: 5, y: 6 })).bytes).toBeNull();
    const marker = buildControlBatch(ControlRecordType.COMMIT, 0, { producerId: 9, producerEpoch: 0 });
    expect(cleanBatch(marker, context({})).bytes).toBe(marker);
    const keyless = buildRecordBatch([{ key: null, value: Buffer.from('v') }]);
    expect(cleanBatch(keyless, context({})).bytes).toBeNull();
  });

  it("keeps an emptied batch, with no records, when it is its producer's last", () => {
    const batch = keyed([['a', '1']], { producerId: 8 });
    const superseded = { latestOffsetOf: () => 99, now: T0, deleteRetentionMs: 0 };
    const last = cleanBatch(batch, { ...superseded, isLastBatchOfProducer: () => true });
    const { header, records } = decodeRecordBatch(last.bytes!);
    expect(records).toEqual([]);
    expect([header.recordCount, header.baseOffset, header.lastOffset, header.producerId, header.baseSequence]).toEqual([0, 0, 0, 8, 7]);
    expect(validateBatches(last.bytes!)).toHaveLength(1);
    // Cleaning the empty batch again keeps it as is while it is still the last one.
    expect(cleanBatch(last.bytes!, { ...superseded, isLastBatchOfProducer: () => true }).bytes).toBe(last.bytes);
    expect(cleanBatch(batch, { ...superseded, isLastBatchOfProducer: () => false }).bytes).toBeNull();
  });

  it('keeps a tombstone one pass with a delete horizon, then drops it once the horizon passes', () => {
    const batch = keyed([
      ['k', null],
      ['m', 'v'],
    ]);
    const latest = (k: Buffer) => (k.toString() === 'k' ? 0 : 1);
    const first = cleanBatch(batch, { latestOffsetOf: latest, now: T0 + 50, deleteRetentionMs: 1000 });
    expect(first.deleteHorizonMs).toBe(T0 + 1050);
    const header = readBatchHeader(first.bytes!, 0);
    expect(header.attributes & DELETE_HORIZON_FLAG_MASK).toBe(DELETE_HORIZON_FLAG_MASK);
    expect(header.baseTimestamp).toBe(T0 + 1050);
    // Record timestamps survive being re-based on the horizon.
    expect(decodeRecordBatch(first.bytes!).records.map((r) => r.timestamp)).toEqual([T0, T0 + 1]);

    const early = cleanBatch(first.bytes!, { latestOffsetOf: latest, now: T0 + 1049, deleteRetentionMs: 1000 });
    expect(early.bytes).toBe(first.bytes); // unchanged, horizon kept
    const late = cleanBatch(first.bytes!, { latestOffsetOf: latest, now: T0 + 1050, deleteRetentionMs: 1000 });
    const kept = decodeRecordBatch(late.bytes!);
    expect(kept.records.map((r) => [r.offset, r.key!.toString()])).toEqual([[1, 'm']]);
    expect(kept.header.attributes & DELETE_HORIZON_FLAG_MASK).toBe(0);
    expect(late.deleteHorizonMs).toBeNull();
  });
});

describe('LogCleaner passes', () => {
  function setup(config: LogConfig = compactConfig(), clock = () => T0 + 10_000) {
    const manager = new LogManager([root], config);
    const log = manager.createLog('compacted', 0, config);
    const cleaner = new LogCleaner(manager, { clock, bytesPerTick: 256 });
    return { manager, log, cleaner };
  }

  /** 3 keys, 10 rounds of updates, one batch per update: several segments. */
  function produceUpdates(log: PartitionLog, rounds: number, from = 0): void {
    for (let round = from; round < from + rounds; round++) {
      for (const key of ['a', 'b', 'c']) acked(log, keyed([[key, `${key}${round}`]]));
    }
  }

  it('keeps the latest value per key, preserves offsets and leaves the active segment alone', () => {
    const { manager, log, cleaner } = setup();
    produceUpdates(log, 10);
    const endBefore = log.logEndOffset;
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    const activeBefore = contents(log).filter(([offset]) => offset >= activeBase);
    expect(log.numberOfSegments).toBeGreaterThan(3);

    const segmentsBefore = log.numberOfSegments;
    expect(cleaner.cleanUntilIdle()).toBe(1);
    const after = contents(log);
    expect(log.logEndOffset).toBe(endBefore);
    // Segments left empty are gone, except the first (it anchors the log start).
    expect(log.numberOfSegments).toBeLessThan(segmentsBefore);
    expect(log.segmentBaseOffsets()[0]).toBe(0);
    expect(log.logStartOffset).toBe(0);
    // Offsets strictly increase and every key's latest value (in the cleaned part) is there.
    expect(after.map(([o]) => o)).toEqual([...after.map(([o]) => o)].sort((x, y) => x - y));
    const cleanedPart = after.filter(([offset]) => offset < activeBase);
    const keys = cleanedPart.map(([, key]) => key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(after.filter(([offset]) => offset >= activeBase)).toEqual(activeBefore);
    // Whatever key is read last wins, as it did before cleaning.
    const latest = new Map(after.map(([, key, value]) => [key, value]));
    expect(Object.fromEntries(latest)).toEqual({ a: 'a9', b: 'b9', c: 'c9' });
    for (const [offset, key, value] of cleanedPart) expect(value).toBe(`${key}${Math.floor(offset / 3)}`);

    // Checkpoint in Kafka's format, at the first uncleanable offset (the active segment's base).
    const text = readFileSync(join(root, CLEANER_OFFSET_CHECKPOINT_FILE), 'utf8');
    expect(text).toBe(`0\n1\ncompacted 0 ${activeBase}\n`);
    expect(cleaner.checkpointOf('compacted', 0)).toBe(activeBase);
    expect(readdirSync(log.dir).filter((f) => /cleaned|swap/.test(f))).toEqual([]);

    // A restart reads the same compacted log (indexes and files consistent).
    manager.shutdown();
    const reopened = PartitionLog.open(log.dir, compactConfig(), { recoveryPoint: 0 });
    expect(contents(reopened)).toEqual(after);
    reopened.close();
  });

  it('honours min.cleanable.dirty.ratio and reloads its checkpoint', () => {
    const { manager, log, cleaner } = setup();
    produceUpdates(log, 10);
    cleaner.cleanUntilIdle();
    const firstCheckpoint = cleaner.checkpointOf('compacted', 0)!;
    produceUpdates(log, 3, 10);
    const { dirtyRatio, dirtyBytes, cleanBytes } = cleanableRange(log, firstCheckpoint, T0 + 10_000);
    expect(dirtyBytes).toBeGreaterThan(0);
    expect(cleanBytes).toBeGreaterThan(0);
    // A new cleaner (a restart) starts from the checkpoint file.
    const again = new LogCleaner(manager, { clock: () => T0 + 10_000 });
    expect(again.checkpointOf('compacted', 0)).toBe(firstCheckpoint);
    log.updateConfig(compactConfig({ minCleanableDirtyRatio: Math.min(1, dirtyRatio + 0.01) }));
    expect(again.cleanUntilIdle()).toBe(0);
    expect(again.checkpointOf('compacted', 0)).toBe(firstCheckpoint);
    log.updateConfig(compactConfig({ minCleanableDirtyRatio: dirtyRatio }));
    expect(again.cleanUntilIdle()).toBe(1);
    expect(again.checkpointOf('compacted', 0)).toBeGreaterThan(firstCheckpoint);
  });

  it('honours min.compaction.lag.ms: segments younger than the lag are not cleaned', () => {
    let now = T0 + 10;
    const { log, cleaner } = setup(compactConfig({ minCompactionLagMs: 5_000 }), () => now);
    produceUpdates(log, 10);
    expect(cleanableRange(log, 0, now).segments).toEqual([]);
    expect(cleaner.cleanUntilIdle()).toBe(0);
    now = T0 + 60_000;
    expect(cleaner.cleanUntilIdle()).toBe(1);
  });

  it('removes a tombstone only after delete.retention.ms, in a later pass', () => {
    let now = T0 + 10_000;
    const { log, cleaner } = setup(compactConfig({ deleteRetentionMs: 1000 }), () => now);
    produceUpdates(log, 4);
    acked(log, keyed([['b', null]]));
    produceUpdates(log, 4, 4); // b comes back later...
    acked(log, keyed([['c', null]])); // ...c does not
    produceUpdates(log, 1, 8);
    const deletedC = () => contents(log).filter(([, k]) => k === 'c');
    log.roll();
    for (let i = 0; i < 3; i++) acked(log, keyed([['z', `z${i}`]]));
    log.roll();
    expect(cleaner.cleanUntilIdle()).toBe(1);
    const afterFirst = contents(log);
    const cTombstone = afterFirst.find(([, k, v]) => k === 'c' && v === null);
    expect(cTombstone).toBeUndefined(); // c8 came after the tombstone, so it shadows it
    expect(deletedC().map(([, , v]) => v)).toEqual(['c8']);

    // Now a tombstone that is the latest for its key.
    acked(log, keyed([['a', null]]));
    for (let i = 0; i < 20; i++) acked(log, keyed([['filler', `f${i}`]]));
    log.roll();
    expect(cleaner.cleanUntilIdle()).toBeGreaterThanOrEqual(1);
    expect(contents(log).filter(([, k]) => k === 'a').map(([, , v]) => v)).toEqual([null]);
    now += 999;
    cleaner.cleanUntilIdle();
    expect(contents(log).filter(([, k]) => k === 'a').map(([, , v]) => v)).toEqual([null]);
    now += 1;
    expect(cleaner.cleanUntilIdle()).toBe(1); // due by its horizon, with no new dirty data
    expect(contents(log).filter(([, k]) => k === 'a')).toEqual([]);
  });

  it('abandons a pass whose segment retention deleted, removing its .cleaned files', () => {
    const config = compactConfig({ cleanupPolicy: 'compact,delete', retentionMs: 1 });
    const { log, cleaner } = setup(config);
    produceUpdates(log, 10);
    cleaner.tick(); // one bounded step: the pass is under way
    expect(cleaner.busy).toBe(true);
    // Run until the clean phase has a .cleaned file, then let retention remove the segments.
    while (cleaner.busy && !readdirSync(log.dir).some((f) => f.endsWith('.cleaned'))) cleaner.tick();
    expect(log.runRetention(T0 + 100_000_000)).toBeGreaterThan(0);
    cleaner.tick();
    expect(cleaner.busy).toBe(false);
    expect(cleaner.stats.passesAborted).toBe(1);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.cleaned'))).toEqual([]);
  });

  it('reads at most bytesPerTick (plus one batch) per tick, so requests are never held up long', () => {
    const { log, cleaner } = setup();
    produceUpdates(log, 10);
    const batchSize = keyed([['a', 'a0']]).length;
    let ticks = 0;
    let last = 0;
    while (cleaner.tick()) {
      ticks++;
      expect(cleaner.stats.bytesRead - last).toBeLessThan(256 + batchSize + 1);
      last = cleaner.stats.bytesRead;
    }
    expect(ticks).toBeGreaterThan(5);
    expect(cleaner.stats.passesCompleted).toBe(1);
  });

  it('keeps transaction markers and transactional records that are still the latest', () => {
    const { log, cleaner } = setup();
    const txn = buildRecordBatch([{ key: Buffer.from('t'), value: Buffer.from('t0') }], {
      producerId: 77,
      producerEpoch: 1,
      baseSequence: 0,
      transactional: true,
    });
    acked(log, txn);
    acked(log, buildControlBatch(ControlRecordType.COMMIT, 0, { producerId: 77, producerEpoch: 1 }));
    produceUpdates(log, 10);
    cleaner.cleanUntilIdle();
    const first = decodeRecordBatches(log.read(0, 1 << 20).records).slice(0, 2);
    expect(first.map((b) => [b.header.baseOffset, b.header.isTransactional, b.header.isControl, b.header.producerId])).toEqual([
      [0, true, false, 77],
      [1, true, true, 77],
    ]);
    expect(first[0]!.records[0]!.value!.toString()).toBe('t0');
  });

  it('stops before an open transaction and drops aborted transactional records', () => {
    const { log, cleaner } = setup();
    const txnBatch = (value: string, producerId: number) =>
      buildRecordBatch([{ key: Buffer.from('a'), value: Buffer.from(value), timestamp: T0 }], {
        producerId,
        producerEpoch: 0,
        baseSequence: 0,
        transactional: true,
      });
    const filler = (n: number) => {
      for (let i = 0; i < n; i++) acked(log, keyed([[`f${i}`, 'x'.repeat(40)]]));
    };
    acked(log, keyed([['a', 'committed']]));
    filler(12);
    // An aborted transaction writes a = aborted.
    acked(log, txnBatch('aborted', 5));
    const abortedFirst = log.logEndOffset - 1;
    acked(log, buildControlBatch(ControlRecordType.ABORT, 0, { producerId: 5, producerEpoch: 0 }));
    log.appendAbortedTxn({ producerId: 5, firstOffset: abortedFirst, lastOffset: log.logEndOffset - 1, lastStableOffset: log.logEndOffset });
    filler(12);
    // A transaction still open writes a = pending.
    acked(log, txnBatch('pending', 6));
    const openAt = log.logEndOffset - 1;
    filler(24);
    expect(cleaner.cleanUntilIdle()).toBe(1);
    const valuesOfA = contents(log).filter(([, key]) => key === 'a').map(([offset, , value]) => [offset, value]);
    // 'committed' is still the latest committed value: neither the aborted nor the open write shadows it.
    expect(valuesOfA).toEqual([
      [0, 'committed'],
      [openAt, 'pending'],
    ]);
    expect(cleaner.checkpointOf('compacted', 0)).toBeLessThanOrEqual(openAt);
    // The marker stays.
    const markers = decodeRecordBatches(log.read(abortedFirst, 1 << 20).records).filter((b) => b.header.isControl);
    expect(markers[0]?.header.baseOffset).toBe(abortedFirst + 1);
  });

  it('forgets a deleted log: a topic recreated under the same name starts uncleaned', () => {
    const manager = new LogManager([root], compactConfig());
    manager.startBackgroundTasks({ retentionCheckIntervalMs: 60_000, flushSchedulerIntervalMs: 60_000, logCleaner: { backoffMs: 60_000 } });
    const cleaner = manager.cleaner!;
    produceUpdates(manager.createLog('reused', 0, compactConfig()), 10);
    cleaner.cleanUntilIdle();
    expect(cleaner.checkpointOf('reused', 0)).toBeGreaterThan(0);
    manager.deleteLog('reused', 0);
    expect(cleaner.checkpointOf('reused', 0)).toBeUndefined();
    expect(readFileSync(join(root, CLEANER_OFFSET_CHECKPOINT_FILE), 'utf8')).toBe('0\n0\n');
    const recreated = manager.createLog('reused', 0, compactConfig());
    produceUpdates(recreated, 10);
    expect(cleaner.cleanUntilIdle()).toBe(1);
    expect(new Set(contents(recreated).filter(([o]) => o < recreated.segmentBaseOffsets().at(-1)!).map(([, k]) => k)).size).toBe(
      contents(recreated).filter(([o]) => o < recreated.segmentBaseOffsets().at(-1)!).length,
    );
    manager.shutdown();
  });

  it('is started and stopped by LogManager background tasks', async () => {
    const manager = new LogManager([root], compactConfig());
    const log = manager.createLog('__consumer_offsets', 0, compactConfig());
    produceUpdates(log, 10);
    const sizeBefore = log.sizeInBytes();
    manager.startBackgroundTasks({ retentionCheckIntervalMs: 60_000, flushSchedulerIntervalMs: 60_000, logCleaner: { backoffMs: 10 } });
    expect(manager.cleaner).not.toBeNull();
    const deadline = Date.now() + 5000;
    while (log.sizeInBytes() >= sizeBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(log.sizeInBytes()).toBeLessThan(sizeBefore);
    expect(existsSync(join(root, CLEANER_OFFSET_CHECKPOINT_FILE))).toBe(true);
    manager.shutdown();
    expect(manager.cleaner).toBeNull();
  });
});

describe('crash during the segment swap', () => {
  /** A two-segment log plus a flushed `.cleaned` replacement for segment 0 (keys dedup'd). */
  function prepare(): { dir: string; config: LogConfig; before: [number, string, string | null][]; cleaned: [number, string, string | null][] } {
    const config = compactConfig({ segmentBytes: 100_000 });
    const dir = join(root, 't-0');
    const log = PartitionLog.open(dir, config);
    for (let i = 0; i < 30; i++) acked(log, keyed([[`k${i % 3}`, `v${i}`]]));
    log.roll();
    acked(log, keyed([['tail', 'x']]));
    log.flush();
    const before = contents(log);
    const latest = new Map(before.map(([offset, key]) => [key, offset]));
    const segment = log.segmentList()[0]!;
    const replacement = LogSegment.createCleaned(dir, 0, { indexIntervalBytes: config.indexIntervalBytes, maxIndexSizeBytes: config.maxIndexSizeBytes }, T0);
    let position = 0;
    for (;;) {
      const header = segment.readHeaderAt(position);
      if (header === null) break;
      const result = cleanBatch(segment.readBytes(position, header.sizeInBytes), {
        latestOffsetOf: (k) => latest.get(k.toString()),
        now: T0,
        deleteRetentionMs: 0,
      });
      if (result.bytes) replacement.append(result.bytes, [readBatchHeader(result.bytes, 0)]);
      position += header.sizeInBytes;
    }
    replacement.onBecomeInactive();
    replacement.flush();
    replacement.close();
    log.close();
    const cleaned = before.filter(([offset, key]) => offset >= 30 || latest.get(key) === offset);
    return { dir, config, before, cleaned };
  }

  it('leaves the old segment when the crash comes before the log file is replaced, the new one after', () => {
    for (const [step, expectNew] of [
      [0, false],
      [1, false],
      [2, false],
      [3, true],
      [4, true],
    ] as const) {
      const { dir, config, before, cleaned } = prepare();
      if (step > 0) installCleanedSegmentFiles(dir, 0, step);
      const reopened = PartitionLog.open(dir, config, { recoveryPoint: 0 });
      expect(contents(reopened), `crash after step ${step}`).toEqual(expectNew ? cleaned : before);
      expect(reopened.logEndOffset).toBe(31);
      expect(readdirSync(dir).filter((f) => /cleaned|swap/.test(f))).toEqual([]);
      expect(readdirSync(dir).filter((f) => f.startsWith('00000000000000000000')).sort()).toEqual([
        '00000000000000000000.index',
        '00000000000000000000.log',
        '00000000000000000000.timeindex',
      ]);
      // Lookups through the (rebuilt) index still land on the right batches.
      expect(reopened.read(29, 1 << 20).firstOffset).toBeLessThanOrEqual(29);
      reopened.close();
      cleanup();
      ({ root, cleanup } = tempDir());
    }
  });
});
