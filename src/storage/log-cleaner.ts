/**
 * The log cleaner: compaction of `cleanup.policy=compact` (and `compact,delete`) logs,
 * Kafka's LogCleaner reduced to one event loop.
 *
 * A pass over one log: (1) build an offset map key → latest offset from the dirty
 * section [cleaner checkpoint, firstUncleanableOffset); (2) rewrite every cleanable
 * segment (logStart .. firstUncleanableOffset, never the active segment, never at or
 * past the high watermark, never younger than min.compaction.lag.ms) keeping only the
 * records that are still the latest for their key; (3) swap each rewritten segment in;
 * (4) record firstUncleanableOffset in the log dir's `cleaner-offset-checkpoint`. A log
 * is picked when dirty bytes / cleanable bytes ≥ min.cleanable.dirty.ratio, or when a
 * delete horizon it wrote has passed.
 *
 * Segments are rewritten one for one (Kafka also merges small neighbours; we do not),
 * except that a segment left empty is deleted unless it is the first one.
 *
 * Offsets never change: a rewritten batch keeps its baseOffset, lastOffsetDelta,
 * producer id/epoch, base sequence, leader epoch, codec and attributes; kept records keep
 * their offset deltas, timestamps and headers (a batch may so have gaps). A batch whose
 * records all survive is copied byte for byte. Records without a key are dropped (Kafka
 * rejects them on compacted topics). A batch left with no records goes, unless it is its
 * idempotent producer's last known batch: then it stays empty (Kafka does the same, so
 * the producer's sequence survives a restart). Transactions: a pass stops before the first
 * transaction still open (it may abort); batches of aborted transactions (per the
 * `.txnindex` files) neither enter the offset map nor survive; control batches
 * (transaction markers) are kept.
 *
 * Tombstones (null value), Kafka 3.x's rule: the first pass that keeps a tombstone sets
 * the batch's delete-horizon flag (attributes bit 6) with baseTimestamp = now +
 * delete.retention.ms; a later pass after that time drops it. So a tombstone survives at
 * least one pass plus delete.retention.ms, and consumers that started before can see it.
 *
 * Incremental: each timer tick reads at most `bytesPerTick` of segment data (at least
 * one batch), so produce/fetch wait a few milliseconds at most; between ticks the job
 * re-checks that its log and segment are unchanged (retention, truncation or deletion
 * abort it). Crash safety of the swap: see installCleanedSegmentFiles.
 *
 * Runs on the broker's event loop with the logs it cleans; not concurrency-safe.
 */
import { existsSync, fsyncSync, openSync, closeSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  CRC_OFFSET,
  DELETE_HORIZON_FLAG_MASK,
  LOG_OVERHEAD,
  RECORD_BATCH_MAGIC,
  computeBatchCrc,
  readBatchHeader,
  type BatchHeader,
} from '../protocol/records/batch.js';
import { compress, compressionCodecFromId } from '../protocol/records/compression.js';
import {
  decodeRecordBatch,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  type DecodedRecord,
} from '../protocol/records/record.js';
import { readOffsetCheckpoint, topicPartitionKey, writeOffsetCheckpoint } from './checkpoint-file.js';
import {
  CLEANED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  LogSegment,
  SWAP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  segmentFileName,
} from './log-segment.js';
import type { LogConfig, PartitionLog } from './partition-log.js';
import type { AbortedTxn } from './transaction-index.js';

export const CLEANER_OFFSET_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

/** Budget charged for reading one batch header in the transaction scan. */
const SCAN_COST_PER_BATCH = 1024;

function abortedByProducer(aborted: readonly AbortedTxn[]): Map<number, AbortedTxn[]> {
  const byProducer = new Map<number, AbortedTxn[]>();
  for (const txn of aborted) {
    const list = byProducer.get(txn.producerId) ?? [];
    list.push(txn);
    byProducer.set(txn.producerId, list);
  }
  return byProducer;
}

/** A transactional data batch lying inside one of its producer's aborted transactions. */
function isAbortedBatch(aborted: Map<number, AbortedTxn[]>, header: BatchHeader): boolean {
  if (!header.isTransactional || header.isControl) return false;
  return (aborted.get(header.producerId) ?? []).some((t) => header.baseOffset >= t.firstOffset && header.lastOffset < t.lastOffset);
}

/** What the cleaner needs from the LogManager (which satisfies it structurally). */
export interface CleanerLogSource {
  readonly logDirs: string[];
  allLogs(): PartitionLog[];
  getLog(topic: string, partition: number): PartitionLog | undefined;
  logDirOf(topic: string, partition: number): string | undefined;
}

export interface LogCleanerOptions {
  /** log.cleaner.backoff.ms: sleep when no log needs cleaning. Default 15000. */
  backoffMs?: number;
  /** Segment bytes read per tick (at least one batch). Default 1 MiB. */
  bytesPerTick?: number;
  /** Pause between ticks while a pass is under way, letting requests in. Default 1 ms. */
  busyIntervalMs?: number;
  /** Distinct keys one pass may map (Kafka's dedupe buffer); the dirty section is cut at a segment end beyond it. Default 1,000,000. */
  maxMapEntries?: number;
  clock?: () => number;
  logger?: (msg: string) => void;
}

export function isCompacted(config: LogConfig): boolean {
  return config.cleanupPolicy.split(',').some((p) => p.trim() === 'compact');
}

/** The part of a log a pass may touch, and how dirty it is. */
export interface CleanableRange {
  /** Where the dirty section starts (the checkpoint, clamped into the cleanable range). */
  firstDirtyOffset: number;
  /** The first offset the cleaner may not touch: base of the first uncleanable segment. */
  firstUncleanableOffset: number;
  /** Non-active segments below firstUncleanableOffset, oldest first. */
  segments: LogSegment[];
  /** Those of `segments` holding offsets at or after firstDirtyOffset. */
  dirtySegments: LogSegment[];
  cleanBytes: number;
  dirtyBytes: number;
  /** dirtyBytes / (cleanBytes + dirtyBytes); 0 when there is nothing. */
  dirtyRatio: number;
}

/**
 * The cleanable range of `log` given its cleaner checkpoint: stops at the active
 * segment, at the first segment reaching the high watermark or `firstUnstableOffset`
 * (an open transaction), and at the first segment whose newest record is younger than
 * min.compaction.lag.ms.
 */
export function cleanableRange(
  log: PartitionLog,
  checkpoint: number,
  now: number,
  firstUnstableOffset: number = Number.POSITIVE_INFINITY,
): CleanableRange {
  const all = log.segmentList();
  const lagMs = log.config.minCompactionLagMs ?? 0;
  const segments: LogSegment[] = [];
  let firstUncleanableOffset = all[all.length - 1]!.baseOffset;
  for (const segment of all.slice(0, -1)) {
    if (
      segment.nextOffset > Math.min(log.highWatermark, firstUnstableOffset) ||
      (lagMs > 0 && now - segment.largestTimestamp < lagMs)
    ) {
      firstUncleanableOffset = segment.baseOffset;
      break;
    }
    segments.push(segment);
  }
  const firstDirtyOffset = Math.min(Math.max(checkpoint, log.logStartOffset), firstUncleanableOffset);
  const dirtySegments = segments.filter((s) => s.nextOffset > firstDirtyOffset);
  const dirtyBytes = dirtySegments.reduce((sum, s) => sum + s.sizeInBytes, 0);
  const cleanBytes = segments.reduce((sum, s) => sum + s.sizeInBytes, 0) - dirtyBytes;
  const total = cleanBytes + dirtyBytes;
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    segments,
    dirtySegments,
    cleanBytes,
    dirtyBytes,
    dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
  };
}

/** Decides, for one batch being rewritten, which records stay. */
export interface BatchCleaningContext {
  /** The latest offset of `key` in the dirty section, or undefined when it is not there. */
  latestOffsetOf(key: Buffer): number | undefined;
  /** Wall clock of this pass (delete horizons are compared with it). */
  now: number;
  deleteRetentionMs: number;
  /** True for a transactional batch of an aborted transaction: dropped whole. Default: none are. */
  isAborted?: (header: BatchHeader) => boolean;
  /**
   * True when no later batch of this batch's producer is known: an emptied batch is then
   * kept with no records, so the producer's last sequence and epoch survive a restart.
   */
  isLastBatchOfProducer?: (header: BatchHeader) => boolean;
}

export interface CleanedBatch {
  /** The batch to write (the input itself when nothing changed), or null to drop it. */
  bytes: Buffer | null;
  /** The delete horizon the written batch carries, or null. */
  deleteHorizonMs: number | null;
  recordsRemoved: number;
}

/** Filters one whole batch (see the file header for the rules). */
export function cleanBatch(batch: Buffer, context: BatchCleaningContext): CleanedBatch {
  const header = readBatchHeader(batch, 0);
  if (header.isControl) return { bytes: batch, deleteHorizonMs: null, recordsRemoved: 0 };
  if (context.isAborted?.(header)) return { bytes: null, deleteHorizonMs: null, recordsRemoved: header.recordCount };
  const { records } = decodeRecordBatch(batch);
  const existingHorizon = (header.attributes & DELETE_HORIZON_FLAG_MASK) !== 0 ? header.baseTimestamp : null;
  const retained = records.filter((record) => {
    if (record.key === null) return false;
    const latest = context.latestOffsetOf(record.key);
    if (latest !== undefined && latest > record.offset) return false;
    return record.value !== null || existingHorizon === null || context.now < existingHorizon;
  });
  const removed = records.length - retained.length;
  if (retained.length === 0) {
    if (header.producerId >= 0 && context.isLastBatchOfProducer?.(header)) {
      return { bytes: removed === 0 ? batch : encodeCompactedBatch(header, [], null), deleteHorizonMs: null, recordsRemoved: removed };
    }
    return { bytes: null, deleteHorizonMs: null, recordsRemoved: removed };
  }
  const keepsTombstones = retained.some((r) => r.value === null);
  if (removed === 0 && (existingHorizon !== null || !keepsTombstones)) {
    return { bytes: batch, deleteHorizonMs: keepsTombstones ? existingHorizon : null, recordsRemoved: 0 };
  }
  const deleteHorizonMs = keepsTombstones ? (existingHorizon ?? context.now + context.deleteRetentionMs) : null;
  return { bytes: encodeCompactedBatch(header, retained, deleteHorizonMs), deleteHorizonMs, recordsRemoved: removed };
}

/**
 * Re-encodes the kept records of a batch with the original header fields, offsets
 * (deltas from the original baseOffset) and codec. With a delete horizon, baseTimestamp
 * holds it and record timestamp deltas are taken from it (Kafka 3.x, KIP-534 era).
 */
export function encodeCompactedBatch(
  original: BatchHeader,
  records: readonly DecodedRecord[],
  deleteHorizonMs: number | null,
): Buffer {
  const logAppendTime = original.timestampType === 'LogAppendTime';
  const first = records[0];
  const baseTimestamp = deleteHorizonMs ?? (logAppendTime || first === undefined ? original.baseTimestamp : first.timestamp);
  const maxTimestamp =
    logAppendTime || first === undefined ? original.maxTimestamp : Math.max(...records.map((r) => r.timestamp));
  const body = Buffer.concat(
    records.map((r) =>
      encodeRecord(r, r.offset - original.baseOffset, (logAppendTime ? original.baseTimestamp : r.timestamp) - baseTimestamp),
    ),
  );
  const payload = compress(compressionCodecFromId(original.compression), body);
  let attributes = original.attributes & ~DELETE_HORIZON_FLAG_MASK;
  if (deleteHorizonMs !== null) attributes |= DELETE_HORIZON_FLAG_MASK;
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + payload.length);
  batch.writeBigInt64BE(BigInt(original.baseOffset), 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8);
  batch.writeInt32BE(original.partitionLeaderEpoch, 12);
  batch.writeInt8(RECORD_BATCH_MAGIC, 16);
  batch.writeInt16BE(attributes, 21);
  // lastOffsetDelta stays: the batch still ends where it did (producer state relies on it).
  batch.writeInt32BE(original.lastOffsetDelta, 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeBigInt64BE(BigInt(original.producerId), 43);
  batch.writeInt16BE(original.producerEpoch, 51);
  batch.writeInt32BE(original.baseSequence, 53);
  batch.writeInt32BE(records.length, 57);
  payload.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_OFFSET);
  return batch;
}

function encodeRecord(record: DecodedRecord, offsetDelta: number, timestampDelta: number): Buffer {
  const headerKeys = record.headers.map((h) => Buffer.from(h.key, 'utf8'));
  const sizeOfBytes = (b: Buffer | null) => (b === null ? sizeOfVarint(-1) : sizeOfVarint(b.length) + b.length);
  let bodySize = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(record.key);
  bodySize += sizeOfBytes(record.value) + sizeOfVarint(record.headers.length);
  record.headers.forEach((h, i) => (bodySize += sizeOfBytes(headerKeys[i]!) + sizeOfBytes(h.value)));
  const out = Buffer.alloc(sizeOfVarint(bodySize) + bodySize);
  const writeBytes = (pos: number, b: Buffer | null): number => {
    if (b === null) return writeVarint(out, pos, -1);
    pos = writeVarint(out, pos, b.length);
    b.copy(out, pos);
    return pos + b.length;
  };
  let pos = writeVarint(out, 0, bodySize);
  out.writeInt8(record.attributes, pos++);
  pos = writeVarlong(out, pos, timestampDelta);
  pos = writeVarint(out, pos, offsetDelta);
  pos = writeBytes(pos, record.key);
  pos = writeBytes(pos, record.value);
  pos = writeVarint(out, pos, record.headers.length);
  record.headers.forEach((h, i) => {
    pos = writeBytes(pos, headerKeys[i]!);
    pos = writeBytes(pos, h.value);
  });
  return out;
}

/**
 * Moves a flushed `<base>.{log,index,timeindex}.cleaned` set into place. Order, so a crash
 * at any point leaves either the old segment or the new one (recovery deletes `.cleaned`
 * and `.swap` leftovers and rebuilds missing indexes):
 *   1. `.cleaned` → `.swap` (all three)   crash: leftovers deleted, old segment intact
 *   2. delete the old `.index`/`.timeindex`  crash: old log, indexes rebuilt from it
 *   3. `.log.swap` → `.log` (atomic replace) crash: new log, indexes rebuilt from it
 *   4. `.index.swap` → `.index`, `.timeindex.swap` → `.timeindex`; fsync the directory.
 * `stopAfterStep` (1–4) stops early, for crash tests.
 */
export function installCleanedSegmentFiles(dir: string, baseOffset: number, stopAfterStep = 4): void {
  const path = (suffix: string, extra = '') => join(dir, segmentFileName(baseOffset, suffix) + extra);
  const suffixes = [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX];
  for (const suffix of suffixes) renameSync(path(suffix, CLEANED_FILE_SUFFIX), path(suffix, SWAP_FILE_SUFFIX));
  fsyncDirectory(dir);
  if (stopAfterStep <= 1) return;
  for (const suffix of [INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX]) {
    if (existsSync(path(suffix))) unlinkSync(path(suffix));
  }
  if (stopAfterStep <= 2) return;
  renameSync(path(LOG_FILE_SUFFIX, SWAP_FILE_SUFFIX), path(LOG_FILE_SUFFIX));
  fsyncDirectory(dir);
  if (stopAfterStep <= 3) return;
  renameSync(path(INDEX_FILE_SUFFIX, SWAP_FILE_SUFFIX), path(INDEX_FILE_SUFFIX));
  renameSync(path(TIME_INDEX_FILE_SUFFIX, SWAP_FILE_SUFFIX), path(TIME_INDEX_FILE_SUFFIX));
  fsyncDirectory(dir);
}

function fsyncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not possible on every platform; the renames still stand
  }
}

function removeCleanedFiles(dir: string, baseOffset: number): void {
  for (const suffix of [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX]) {
    for (const extra of [CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX]) {
      const path = join(dir, segmentFileName(baseOffset, suffix) + extra);
      if (existsSync(path)) unlinkSync(path);
    }
  }
}

/** Counters over the cleaner's life (tests and diagnostics). */
export interface CleanerStats {
  passesCompleted: number;
  passesAborted: number;
  segmentsCleaned: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRemoved: number;
}

interface CleaningPass {
  log: PartitionLog;
  key: string;
  now: number;
  range: CleanableRange;
  phase: 'scan' | 'map' | 'clean';
  /** producerId → first offset of its transaction still open at the scan position */
  openTxns: Map<number, number>;
  /** aborted transactions by producer (from the .txnindex files) */
  aborted: Map<number, AbortedTxn[]>;
  /** producerId → lastOffset of its last batch seen while mapping */
  lastBatchOfProducer: Map<number, number>;
  /** how many of range.dirtySegments the map may cover (stops before the first open transaction) */
  mapLimit: number;
  /** the log end offset when the pass began */
  logEndOffset: number;
  /** key (bytes as latin1) → latest offset in the mapped dirty segments */
  offsetMap: Map<string, number>;
  /** how many of range.segments this pass rewrites */
  segmentsToClean: number;
  /** the checkpoint written when the pass completes */
  endOffset: number;
  /** segment being read (index into dirtySegments in 'map', segments in 'clean') */
  segmentIndex: number;
  position: number;
  /** size of the segment being read when the pass reached it; a change aborts */
  segmentSize: number;
  cleaned: LogSegment | null;
  minDeleteHorizon: number;
}

export class LogCleaner {
  private readonly checkpoints = new Map<string, { topic: string; partition: number; offset: number }>();
  /** Earliest delete horizon written per log: a pass is due then even with no new dirty data. */
  private readonly deleteHorizons = new Map<string, number>();
  private readonly uncleanable = new Set<string>();
  /** The log object each key's state belongs to: a recreated topic must not inherit it. */
  private readonly stateOwner = new Map<string, PartitionLog>();
  /**
   * Logs whose last pass stopped at an open transaction: its first offset, and the log
   * end offset then. Until the log grows the transaction cannot have closed, so the
   * range stays capped there (otherwise the same pass would repeat forever).
   */
  private readonly openTransactionAt = new Map<string, { firstUnstableOffset: number; logEndOffset: number }>();
  private pass: CleaningPass | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly backoffMs: number;
  private readonly bytesPerTick: number;
  private readonly busyIntervalMs: number;
  private readonly maxMapEntries: number;
  private readonly clock: () => number;
  private readonly logger: (msg: string) => void;
  readonly stats: CleanerStats = {
    passesCompleted: 0,
    passesAborted: 0,
    segmentsCleaned: 0,
    bytesRead: 0,
    bytesWritten: 0,
    recordsRemoved: 0,
  };

  constructor(
    private readonly source: CleanerLogSource,
    options: LogCleanerOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? 15_000;
    this.bytesPerTick = options.bytesPerTick ?? 1024 * 1024;
    this.busyIntervalMs = options.busyIntervalMs ?? 1;
    this.maxMapEntries = options.maxMapEntries ?? 1_000_000;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? (() => {});
    for (const logDir of source.logDirs) {
      try {
        for (const [key, entry] of readOffsetCheckpoint(join(logDir, CLEANER_OFFSET_CHECKPOINT_FILE))) {
          this.checkpoints.set(key, entry);
        }
      } catch (err) {
        this.logger(`${(err as Error).message}; cleaning those logs from their start`);
      }
    }
  }

  /** Runs passes on an unref'd timer until stop(). */
  start(): void {
    if (this.timer !== null) return;
    const loop = (): void => {
      let busy = false;
      try {
        busy = this.tick();
      } catch (err) {
        this.logger(`log cleaner: ${(err as Error).message}`);
      }
      this.timer = setTimeout(loop, busy ? this.busyIntervalMs : this.backoffMs);
      this.timer.unref();
    };
    this.timer = setTimeout(loop, this.busyIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and abandons a pass under way (its `.cleaned` files are removed). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pass !== null) this.abort(this.pass, null);
  }

  /**
   * The partition's log was deleted (LogManager.deleteLog): drop its checkpoint and state
   * so a topic recreated under the same name starts from scratch.
   */
  forget(topic: string, partition: number): void {
    const key = topicPartitionKey(topic, partition);
    if (this.pass?.key === key) this.abort(this.pass, null);
    const hadCheckpoint = this.checkpoints.has(key);
    this.forgetKey(key);
    this.stateOwner.delete(key);
    if (hadCheckpoint) for (const logDir of this.source.logDirs) this.writeCheckpoint(logDir);
  }

  private forgetKey(key: string): void {
    this.checkpoints.delete(key);
    this.deleteHorizons.delete(key);
    this.openTransactionAt.delete(key);
    this.uncleanable.delete(key);
  }

  /** The cleaner checkpoint of a partition (offset below which it was cleaned), if any. */
  checkpointOf(topic: string, partition: number): number | undefined {
    return this.checkpoints.get(topicPartitionKey(topic, partition))?.offset;
  }

  /** True while a pass is under way. */
  get busy(): boolean {
    return this.pass !== null;
  }

  /**
   * One bounded step: picks a log if no pass is under way, then reads up to bytesPerTick.
   * Returns whether there may be more work right away.
   */
  tick(): boolean {
    if (this.pass === null) {
      this.pass = this.pickLog(this.clock());
      if (this.pass === null) return false;
    }
    const pass = this.pass;
    try {
      let budget = this.bytesPerTick;
      while (budget > 0 && this.pass === pass) budget -= this.step(pass);
    } catch (err) {
      this.uncleanable.add(pass.key);
      this.abort(pass, `cleaning ${pass.key} failed, marking it uncleanable: ${(err as Error).message}`);
    }
    return true;
  }

  /** Ticks until no log needs cleaning (tests, tools); returns passes completed meanwhile. */
  cleanUntilIdle(maxTicks = 1_000_000): number {
    const before = this.stats.passesCompleted;
    for (let i = 0; i < maxTicks && this.tick(); i++);
    return this.stats.passesCompleted - before;
  }

  private pickLog(now: number): CleaningPass | null {
    let best: { log: PartitionLog; key: string; range: CleanableRange; score: number } | null = null;
    for (const log of this.source.allLogs()) {
      if (!isCompacted(log.config)) continue;
      const key = topicPartitionKey(log.topic, log.partition);
      if (this.uncleanable.has(key)) continue;
      const owner = this.stateOwner.get(key);
      if (owner !== log) {
        if (owner !== undefined) this.forgetKey(key);
        this.stateOwner.set(key, log);
      }
      const stored = this.checkpoints.get(key)?.offset ?? log.logStartOffset;
      const checkpoint = stored > log.logEndOffset ? log.logStartOffset : stored;
      const blocked = this.openTransactionAt.get(key);
      if (blocked !== undefined && log.logEndOffset !== blocked.logEndOffset) this.openTransactionAt.delete(key);
      const range = cleanableRange(log, checkpoint, now, this.openTransactionAt.get(key)?.firstUnstableOffset);
      if (range.segments.length === 0) continue;
      const horizonDue = (this.deleteHorizons.get(key) ?? Number.POSITIVE_INFINITY) <= now;
      const ratioMet = range.dirtyBytes > 0 && range.dirtyRatio >= (log.config.minCleanableDirtyRatio ?? 0.5);
      if (!ratioMet && !horizonDue) continue;
      const score = ratioMet ? range.dirtyRatio : 0;
      if (best === null || score > best.score) best = { log, key, range, score };
    }
    if (best === null) return null;
    return {
      log: best.log,
      key: best.key,
      now,
      range: best.range,
      phase: 'scan',
      openTxns: new Map(),
      aborted: abortedByProducer(best.log.abortedTxns()),
      lastBatchOfProducer: new Map(),
      mapLimit: best.range.dirtySegments.length,
      logEndOffset: best.log.logEndOffset,
      offsetMap: new Map(),
      segmentsToClean: best.range.segments.length,
      endOffset: best.range.firstUncleanableOffset,
      segmentIndex: 0,
      position: 0,
      segmentSize: best.range.dirtySegments[0]?.sizeInBytes ?? 0,
      cleaned: null,
      minDeleteHorizon: Number.POSITIVE_INFINITY,
    };
  }

  /** Processes one batch (or one phase transition); returns the bytes it read. */
  private step(pass: CleaningPass): number {
    if (pass.phase === 'scan') return this.scanStep(pass);
    if (pass.phase === 'map') return this.mapStep(pass);
    return this.cleanStep(pass);
  }

  /** False (and the pass is aborted) when the log or the segment changed under the pass. */
  private stillValid(pass: CleaningPass, segment: LogSegment): boolean {
    const log = this.source.getLog(pass.log.topic, pass.log.partition);
    const segments = pass.log.segmentList();
    const valid =
      log === pass.log &&
      isCompacted(log.config) &&
      segments.includes(segment) &&
      segment !== segments[segments.length - 1] &&
      segment.sizeInBytes === pass.segmentSize;
    if (!valid) this.abort(pass, null);
    return valid;
  }

  /**
   * Batch headers of the dirty section: where does the first transaction still open at
   * the end of it start? The map (and so the pass) stops at the segment holding it, as
   * Kafka never cleans past the first unstable offset: an open transaction may abort.
   */
  private scanStep(pass: CleaningPass): number {
    const segment = pass.range.dirtySegments[pass.segmentIndex];
    if (segment === undefined) {
      const firstUnstable = Math.min(...pass.openTxns.values());
      if (Number.isFinite(firstUnstable)) {
        pass.mapLimit = pass.range.dirtySegments.findIndex((s) => s.nextOffset > firstUnstable);
      }
      pass.phase = 'map';
      pass.segmentIndex = 0;
      pass.position = 0;
      pass.segmentSize = pass.range.dirtySegments[0]?.sizeInBytes ?? 0;
      return 0;
    }
    if (!this.stillValid(pass, segment)) return 0;
    const header = segment.readHeaderAt(pass.position);
    if (header === null) {
      pass.segmentIndex++;
      pass.position = 0;
      pass.segmentSize = pass.range.dirtySegments[pass.segmentIndex]?.sizeInBytes ?? 0;
      return 0;
    }
    if (header.isTransactional && header.producerId >= 0) {
      if (header.isControl) pass.openTxns.delete(header.producerId);
      else if (!pass.openTxns.has(header.producerId)) pass.openTxns.set(header.producerId, header.baseOffset);
    }
    pass.position += header.sizeInBytes;
    // A header read costs far less than a decode; count it as a small fixed amount.
    return SCAN_COST_PER_BATCH;
  }

  private mapStep(pass: CleaningPass): number {
    const segment = pass.range.dirtySegments[pass.segmentIndex];
    if (
      segment === undefined ||
      pass.segmentIndex >= pass.mapLimit ||
      (pass.position === 0 && pass.offsetMap.size > this.maxMapEntries)
    ) {
      // Done mapping (all dirty segments, or the map is full at a segment boundary).
      if (segment !== undefined) {
        pass.endOffset = segment.baseOffset;
        pass.segmentsToClean = pass.range.segments.indexOf(segment);
      }
      pass.phase = 'clean';
      pass.segmentIndex = 0;
      pass.position = 0;
      pass.segmentSize = pass.range.segments[0]?.sizeInBytes ?? 0;
      return 0;
    }
    if (!this.stillValid(pass, segment)) return 0;
    const batch = this.readBatch(segment, pass.position);
    if (batch === null) {
      pass.segmentIndex++;
      pass.position = 0;
      pass.segmentSize = pass.range.dirtySegments[pass.segmentIndex]?.sizeInBytes ?? 0;
      return 0;
    }
    const header = readBatchHeader(batch, 0);
    if (header.producerId >= 0) pass.lastBatchOfProducer.set(header.producerId, header.lastOffset);
    if (!header.isControl && header.lastOffset >= pass.range.firstDirtyOffset && !isAbortedBatch(pass.aborted, header)) {
      for (const record of decodeRecordBatch(batch).records) {
        if (record.key !== null) pass.offsetMap.set(record.key.toString('latin1'), record.offset);
      }
    }
    pass.position += batch.length;
    this.stats.bytesRead += batch.length;
    return batch.length;
  }

  private cleanStep(pass: CleaningPass): number {
    if (pass.segmentIndex >= pass.segmentsToClean) {
      this.complete(pass);
      return 0;
    }
    const segment = pass.range.segments[pass.segmentIndex]!;
    if (!this.stillValid(pass, segment)) return 0;
    if (segment.isEmpty) {
      this.nextCleanSegment(pass);
      return 0;
    }
    pass.cleaned ??= LogSegment.createCleaned(
      segment.dir,
      segment.baseOffset,
      { indexIntervalBytes: pass.log.config.indexIntervalBytes, maxIndexSizeBytes: pass.log.config.maxIndexSizeBytes },
      pass.now,
    );
    const batch = this.readBatch(segment, pass.position);
    if (batch === null) {
      this.swap(pass, segment, pass.cleaned);
      this.nextCleanSegment(pass);
      return 0;
    }
    const result = cleanBatch(batch, {
      latestOffsetOf: (key) => pass.offsetMap.get(key.toString('latin1')),
      now: pass.now,
      deleteRetentionMs: pass.log.config.deleteRetentionMs,
      isAborted: (header) => isAbortedBatch(pass.aborted, header),
      isLastBatchOfProducer: (header) => (pass.lastBatchOfProducer.get(header.producerId) ?? -1) <= header.lastOffset,
    });
    if (result.bytes !== null) {
      pass.cleaned.append(result.bytes, [readBatchHeader(result.bytes, 0)]);
      this.stats.bytesWritten += result.bytes.length;
    }
    if (result.deleteHorizonMs !== null) pass.minDeleteHorizon = Math.min(pass.minDeleteHorizon, result.deleteHorizonMs);
    this.stats.recordsRemoved += result.recordsRemoved;
    pass.position += batch.length;
    this.stats.bytesRead += batch.length;
    return batch.length;
  }

  private nextCleanSegment(pass: CleaningPass): void {
    pass.segmentIndex++;
    pass.position = 0;
    pass.cleaned = null;
    pass.segmentSize = pass.range.segments[pass.segmentIndex]?.sizeInBytes ?? 0;
  }

  /** The whole batch at `position`, or null at the end of the segment. */
  private readBatch(segment: LogSegment, position: number): Buffer | null {
    const header = segment.readHeaderAt(position);
    if (header === null) return null;
    return segment.readBytes(position, header.sizeInBytes);
  }

  private swap(pass: CleaningPass, old: LogSegment, cleaned: LogSegment): void {
    if (cleaned.isEmpty && pass.log.segmentList()[0] !== old) {
      // Nothing survived: drop the segment instead of keeping an empty file set (a crash
      // before the delete leaves the old, still valid segment).
      cleaned.close();
      removeCleanedFiles(old.dir, old.baseOffset);
      pass.log.removeEmptiedSegment(old);
      this.stats.segmentsCleaned++;
      return;
    }
    cleaned.onBecomeInactive();
    cleaned.flush();
    cleaned.close();
    // Keep the file time: retention falls back to it when a segment has no timestamps.
    const { atime, mtime } = statSync(old.logPath);
    utimesSync(join(old.dir, segmentFileName(old.baseOffset, LOG_FILE_SUFFIX) + CLEANED_FILE_SUFFIX), atime, mtime);
    installCleanedSegmentFiles(old.dir, old.baseOffset);
    const options = { indexIntervalBytes: pass.log.config.indexIntervalBytes, maxIndexSizeBytes: pass.log.config.maxIndexSizeBytes };
    const { segment } = LogSegment.open(old.dir, old.baseOffset, options, false, (msg) => this.logger(msg));
    pass.log.replaceSegment(old, segment);
    pass.range.segments[pass.segmentIndex] = segment;
    this.stats.segmentsCleaned++;
  }

  private complete(pass: CleaningPass): void {
    this.pass = null;
    this.stats.passesCompleted++;
    const { topic, partition } = pass.log;
    this.checkpoints.set(pass.key, { topic, partition, offset: pass.endOffset });
    const firstUnstableOffset = Math.min(...pass.openTxns.values());
    if (Number.isFinite(firstUnstableOffset)) {
      this.openTransactionAt.set(pass.key, { firstUnstableOffset, logEndOffset: pass.logEndOffset });
    }
    if (Number.isFinite(pass.minDeleteHorizon)) this.deleteHorizons.set(pass.key, pass.minDeleteHorizon);
    else this.deleteHorizons.delete(pass.key);
    const logDir = this.source.logDirOf(topic, partition);
    if (logDir !== undefined) this.writeCheckpoint(logDir);
  }

  /** Rewrites `cleaner-offset-checkpoint` of one log dir with the logs it still holds. */
  private writeCheckpoint(logDir: string): void {
    const entries = [...this.checkpoints.values()].filter(
      (e) => this.source.getLog(e.topic, e.partition) !== undefined && this.source.logDirOf(e.topic, e.partition) === logDir,
    );
    writeOffsetCheckpoint(join(logDir, CLEANER_OFFSET_CHECKPOINT_FILE), entries);
  }

  private abort(pass: CleaningPass, reason: string | null): void {
    if (reason !== null) this.logger(reason);
    this.pass = null;
    this.stats.passesAborted++;
    const segment = pass.phase === 'clean' ? pass.range.segments[pass.segmentIndex] : undefined;
    if (pass.cleaned !== null && segment !== undefined) {
      try {
        pass.cleaned.close();
        removeCleanedFiles(segment.dir, segment.baseOffset);
      } catch {
        // the directory may be gone with its log; recovery removes leftovers anyway
      }
    }
  }
}
