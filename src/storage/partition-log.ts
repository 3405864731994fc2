/**
 * The log of one topic partition: a directory `<topic>-<partition>/` of LogSegments in
 * base-offset order, the last one active (the only one appended to).
 *
 * Offsets: logStartOffset ≤ highWatermark ≤ logEndOffset. appendAsLeader validates the
 * batches as Kafka's LogValidator (compressed ones are decompressed to see their records),
 * fixes maxTimestamp, assigns offsets in place (baseOffset and partitionLeaderEpoch sit
 * outside the CRC) and stores the batches as they came unless Kafka would rebuild them. recoveryPoint is the
 * offset below which data is known to be fsynced; on open, segments at or above it are
 * re-validated and a torn tail is cut off.
 *
 * Idempotent-producer state belongs to the log (Kafka's UnifiedLog + ProducerStateManager):
 * appendAsLeader checks each batch against it after validation and updates it after the
 * append, appendAsFollower updates it from the batches the leader assigned, truncation
 * rebuilds it. It is loaded on first use from the newest `.snapshot` file and the batch
 * headers after it.
 *
 * Owned by the broker's single event loop: all calls are synchronous, one writer, no
 * locks, not concurrency-safe. Offsets and timestamps are JS numbers (safe below 2^53).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import {
  setBaseOffset,
  setPartitionLeaderEpoch,
  validateBatches,
  type BatchHeader,
} from '../protocol/records/batch.js';
import { validateRecordsAsLeader, type AppendOrigin } from '../protocol/records/validate.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { asDiskError, isDiskFailure } from './disk-errors.js';
import { CorruptSegmentError, LogSegment, type LogSegmentOptions } from './log-segment.js';
import { appendAbortedTxn, readAbortedTxns, type AbortedTxn } from './transaction-index.js';
import { ProducerStateTable, lastSequenceOf, type CompletedTxn } from './producer-state.js';
import { ControlRecordType, controlRecordType, decodeRecordBatch } from '../protocol/records/record.js';
import { deleteProducerSnapshot, listProducerSnapshots } from './producer-snapshot-file.js';

export interface LogConfig {
  /** segment.bytes */
  segmentBytes: number;
  /** segment.ms */
  segmentMs: number;
  /** retention.ms; negative = unlimited */
  retentionMs: number;
  /** retention.bytes; negative = unlimited */
  retentionBytes: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
  /** segment.index.bytes */
  maxIndexSizeBytes: number;
  /** flush.messages */
  flushIntervalMessages: number;
  /** flush.ms */
  flushIntervalMs: number;
  /** cleanup.policy: "delete", "compact" or "compact,delete" */
  cleanupPolicy: string;
  /** delete.retention.ms */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: the cleaner compacts once dirty bytes / all cleanable bytes reach it. Default 0.5. */
  minCleanableDirtyRatio?: number;
  /** min.compaction.lag.ms: records younger than this stay uncompacted. Default 0. */
  minCompactionLagMs?: number;
  /** segment.jitter.ms: each segment rolls up to this much before segment.ms (spreads rolls). Default 0. */
  segmentJitterMs?: number;
  /** message.timestamp.type */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /**
   * message.timestamp.before.max.ms (or message.timestamp.difference.max.ms when only that is
   * set, as Kafka 3.6+): how far in the past a CreateTime may be. Default unbounded.
   */
  messageTimestampBeforeMaxMs?: number;
  /** message.timestamp.after.max.ms (same fallback): how far in the future. Default unbounded. */
  messageTimestampAfterMaxMs?: number;
  /** max.message.bytes: the largest record batch accepted */
  maxMessageBytes: number;
}

/** Kafka's topic-level defaults (Long.MAX_VALUE becomes Number.MAX_SAFE_INTEGER). */
export function defaultLogConfig(): LogConfig {
  return {
    segmentBytes: 1024 * 1024 * 1024,
    segmentMs: 7 * 24 * 60 * 60 * 1000,
    retentionMs: 7 * 24 * 60 * 60 * 1000,
    retentionBytes: -1,
    indexIntervalBytes: 4096,
    maxIndexSizeBytes: 10 * 1024 * 1024,
    flushIntervalMessages: Number.MAX_SAFE_INTEGER,
    flushIntervalMs: Number.MAX_SAFE_INTEGER,
    cleanupPolicy: 'delete',
    deleteRetentionMs: 24 * 60 * 60 * 1000,
    minCleanableDirtyRatio: 0.5,
    minCompactionLagMs: 0,
    messageTimestampType: 'CreateTime',
    maxMessageBytes: 1024 * 1024 + 12,
  };
}

export interface AppendInfo {
  /** Offset of the first appended batch (LEO before the append when nothing was appended). */
  baseOffset: number;
  lastOffset: number;
  /** The broker time written into the batches for LogAppendTime topics; -1 for CreateTime. */
  logAppendTime: number;
  maxTimestamp: number;
  batches: BatchHeader[];
  /**
   * The batch retried a recent one of its idempotent producer: nothing was appended and
   * baseOffset/lastOffset are the original batch's (Kafka's duplicate-sequence answer).
   */
  duplicate?: boolean;
  /** transactions closed by the COMMIT/ABORT markers appended */
  completedTxns?: readonly CompletedTxn[];
  /** the aborted transactions among them, as written to the `.txnindex` */
  abortedTxns?: AbortedTxn[];
}

/** Batches that passed validateAsLeader, waiting for appendValidated. */
export interface ValidatedAppend {
  records: Buffer;
  headers: BatchHeader[];
  /** the broker time written into LogAppendTime batches; -1 for CreateTime */
  logAppendTime: number;
  now: number;
}

export interface PartitionLogOpenOptions {
  /** Offset below which data is known flushed; segments from here on are re-validated. Default 0. */
  recoveryPoint?: number;
  /** From log-start-offset-checkpoint; raised to the first segment's base offset if lower. */
  logStartOffset?: number;
  /** From replication-offset-checkpoint; default logEndOffset. Clamped into [logStartOffset, logEndOffset]. */
  highWatermark?: number;
  /** Skip re-validation (the broker shut down cleanly); indexes are still sanity-checked. */
  hadCleanShutdown?: boolean;
  /** One-line warnings (recovery, rebuilt indexes). Default: silent. */
  logger?: (msg: string) => void;
  /** Wall clock, for tests. Default Date.now. */
  clock?: () => number;
}

export interface ReadOptions {
  /** Exclusive upper bound on offsets returned (e.g. the high watermark). */
  maxOffset?: number;
  /** Return the first batch whole even if it exceeds maxBytes (Fetch v3+). Default true. */
  minOneMessage?: boolean;
}

/** Splits a partition directory name at its last '-': topics may contain '-'. */
export function parseTopicPartitionDir(dirName: string): { topic: string; partition: number } | null {
  const dash = dirName.lastIndexOf('-');
  if (dash <= 0) return null;
  const partitionText = dirName.slice(dash + 1);
  if (!/^\d+$/.test(partitionText)) return null;
  return { topic: dirName.slice(0, dash), partition: Number(partitionText) };
}

const MAX_RELATIVE_OFFSET = 0x7fffffff;

/** Kafka's per-segment roll jitter: uniform in [0, min(segment.jitter.ms, segment.ms)). */
function drawRollJitter(config: LogConfig): number {
  const jitter = Math.min(config.segmentJitterMs ?? 0, config.segmentMs);
  return jitter > 0 ? Math.floor(Math.random() * jitter) : 0;
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  private segments: LogSegment[] = [];
  private startOffset = 0;
  private endOffset = 0;
  private hw = 0;
  private recoveredTo = 0;
  private lastFlushMs: number;
  /** segment.jitter.ms drawn for the active segment, as Kafka draws one per segment. */
  private rollJitterMs = 0;
  /**
   * fsyncs of rolled segments in flight, oldest first. The recovery point passes a rolled
   * segment only once its fsync and those of every older one have completed.
   */
  private rollFlushes: { upTo: number; done: boolean }[] = [];
  /** the same fsyncs as promises that never reject (rolledSegmentFlushes) */
  private readonly rollFlushesInFlight = new Set<Promise<void>>();
  /** Set when corruption was found in the middle of the log: Produce and Fetch get KAFKA_STORAGE_ERROR. */
  private offline: string | null = null;
  /** leader-epoch-checkpoint: which leader epoch started at which offset. */
  private epochCache!: LeaderEpochCache;
  /** idempotent-producer state, loaded on first use */
  private producers: ProducerStateTable | null = null;
  private readonly logger: (msg: string) => void;
  private readonly clock: () => number;

  private constructor(
    readonly dir: string,
    public config: LogConfig,
    opts: PartitionLogOpenOptions,
  ) {
    const parsed = parseTopicPartitionDir(basename(dir));
    if (parsed === null) throw new Error(`partition directory ${dir} is not named <topic>-<partition>`);
    this.topic = parsed.topic;
    this.partition = parsed.partition;
    this.logger = opts.logger ?? (() => {});
    this.clock = opts.clock ?? Date.now;
    this.lastFlushMs = this.clock();
  }

  /** Opens (creating if missing) and recovers the log in `dir`. */
  static open(dir: string, config: LogConfig, opts: PartitionLogOpenOptions = {}): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(dir, config, opts);
    log.load(opts);
    log.rollJitterMs = drawRollJitter(config);
    return log;
  }

  private load(opts: PartitionLogOpenOptions): void {
    const baseOffsets: number[] = [];
    for (const name of readdirSync(this.dir)) {
      // Leftovers of interrupted deletes/compactions (Kafka's .deleted, .cleaned, .swap).
      if (/\.(deleted|cleaned|swap)$/.test(name)) {
        rmSync(join(this.dir, name), { force: true });
        continue;
      }
      const match = /^(\d{20})\.log$/.exec(name);
      if (match) baseOffsets.push(Number(match[1]));
    }
    // Index files without a log file are stale.
    for (const name of readdirSync(this.dir)) {
      const match = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(name);
      if (match && !baseOffsets.includes(Number(match[1]))) unlinkSync(join(this.dir, name));
    }
    baseOffsets.sort((a, b) => a - b);

    const recoveryPoint = opts.recoveryPoint ?? 0;
    let corruptionFound = false;
    for (let i = 0; i < baseOffsets.length; i++) {
      const baseOffset = baseOffsets[i]!;
      if (corruptionFound) {
        // Everything after a corrupt segment is suspect: Kafka deletes it too.
        this.logger(`${this.dir}: deleting segment ${baseOffset} after a corrupt segment`);
        LogSegment.open(this.dir, baseOffset, this.segmentOptions(), false, () => {}).segment.deleteFiles();
        continue;
      }
      const nextBase = baseOffsets[i + 1] ?? Number.POSITIVE_INFINITY;
      if (this.offline !== null) {
        // Keep what follows a mid-log corruption untouched for inspection (kafka-dump-log).
        this.segments.push(LogSegment.open(this.dir, baseOffset, this.segmentOptions(), false, () => {}).segment);
        continue;
      }
      const needsRecovery = !opts.hadCleanShutdown && nextBase > recoveryPoint;
      const isLast = i === baseOffsets.length - 1;
      // A rolled segment is fsynced in the background: until the recovery point passed it
      // (checkpointed), a crash may have left its tail torn even though a successor exists.
      const { segment, recovery } = LogSegment.open(this.dir, baseOffset, this.segmentOptions(), needsRecovery, (msg) =>
        this.logger(msg),
      isLast || needsRecovery);
      if (recovery !== null && recovery.corruptPosition !== null) {
        // Not a torn tail: truncating would silently drop acknowledged data after it.
        this.markOffline(`${segment.logPath} at position ${recovery.corruptPosition} (${recovery.reason})`);
        this.segments.push(segment);
        continue;
      }
      if (recovery !== null && recovery.truncatedBytes > 0) {
        this.logger(
          `${this.dir}: truncated ${recovery.truncatedBytes} bytes from segment ${baseOffset} during recovery (${recovery.reason})`,
        );
        corruptionFound = true;
      }
      const previous = this.segments[this.segments.length - 1];
      if (previous !== undefined && segment.baseOffset < previous.nextOffset) {
        this.logger(`${this.dir}: segment ${baseOffset} overlaps the previous one, deleting it and later segments`);
        segment.deleteFiles();
        corruptionFound = true;
        continue;
      }
      if (segment.isEmpty && this.segments.length > 0 && i < baseOffsets.length - 1) {
        // An empty segment in the middle holds nothing; keep the layout simple.
        segment.deleteFiles();
        continue;
      }
      this.segments.push(segment);
    }

    const firstBase = this.segments[0]?.baseOffset ?? opts.logStartOffset ?? 0;
    if (this.segments.length === 0) {
      this.segments.push(LogSegment.create(this.dir, firstBase, this.segmentOptions(), this.clock()));
    }
    const active = this.activeSegment;
    this.endOffset = active.nextOffset;
    this.startOffset = Math.min(Math.max(opts.logStartOffset ?? firstBase, firstBase), this.endOffset);
    this.recoveredTo = this.endOffset;
    this.hw = this.clampHighWatermark(opts.highWatermark ?? this.endOffset);
    this.epochCache = LeaderEpochCache.load(this.dir, (msg) => this.logger(msg));
    this.epochCache.truncateFromEnd(this.endOffset);
    this.epochCache.truncateFromStart(this.startOffset);
  }

  private segmentOptions(): LogSegmentOptions {
    return { indexIntervalBytes: this.config.indexIntervalBytes, maxIndexSizeBytes: this.config.maxIndexSizeBytes };
  }

  private get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
    for (const segment of this.segments) segment.updateOptions(this.segmentOptions());
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this.endOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Set by replication; kept within [logStartOffset, logEndOffset] as Kafka does. */
  set highWatermark(offset: number) {
    this.hw = this.clampHighWatermark(offset);
  }

  /** This partition's producer state (loaded from the newest snapshot and the headers after it on first use). */
  get producerState(): ProducerStateTable {
    if (this.producers === null) {
      const table = new ProducerStateTable();
      table.attachLog(this, this.logger);
      this.producers = table;
    }
    return this.producers;
  }

  /** Clean shutdown: a producer snapshot at the log end, so a restart replays nothing. */
  takeProducerSnapshot(): void {
    if (this.producers !== null && this.offline === null) this.producers.snapshotAtLogEnd();
  }

  /** The leader-epoch-checkpoint entries, oldest first. */
  leaderEpochEntries(): { epoch: number; startOffset: number }[] {
    return this.epochCache.entries();
  }

  /**
   * A new leader records that its epoch starts at its log end (Kafka's
   * maybeAssignEpochStartOffset), so OffsetForLeaderEpoch answers for that epoch before
   * anything is written in it. Ignored for an epoch not above the latest recorded one.
   */
  assignLeaderEpoch(epoch: number, startOffset: number = this.endOffset): void {
    this.epochCache.assign(epoch, startOffset);
  }

  /** Why this partition is refused (corrupt batch in the middle of the log); null when it is served. */
  get offlineReason(): string | null {
    return this.offline;
  }

  private markOffline(where: string): void {
    if (this.offline !== null) return;
    this.offline = where;
    this.logger(`Found a corrupt record batch in the middle of the log of ${this.topic}-${this.partition}: ${where}; refusing to serve this partition (KAFKA_STORAGE_ERROR) until the segment is repaired or removed`);
  }

  private ensureOnline(): void {
    if (this.offline !== null) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${this.topic}-${this.partition} is offline: corrupt record batch in ${this.offline}`);
    }
  }

  get recoveryPoint(): number {
    return this.recoveredTo;
  }

  get numberOfSegments(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  private clampHighWatermark(offset: number): number {
    return Math.min(Math.max(offset, this.startOffset), this.endOffset);
  }

  /**
   * Produce path, first half: framing, CRC-32C, magic 2 and max.message.bytes, then Kafka's
   * LogValidator checks and normalisation (validate.ts: record count and offset range, keys on
   * compacted topics, timestamp bounds, maxTimestamp from the records or LogAppendTime).
   * Nothing is appended and no offset assigned, so the caller can still refuse the batch
   * (idempotent producer state) in between, as Kafka checks it after validation.
   */
  validateAsLeader(records: Buffer, now: number = this.clock(), origin: AppendOrigin = 'client'): ValidatedAppend {
    this.ensureOnline();
    const maxBatchSize = this.config.maxMessageBytes;
    const headers = validateBatches(records, { maxBatchSize, skipCountCheck: true });
    const validated = validateRecordsAsLeader(records, headers, {
      topicPartition: `${this.topic}-${this.partition}`,
      origin,
      now,
      timestampType: this.config.messageTimestampType,
      timestampBeforeMaxMs: this.config.messageTimestampBeforeMaxMs ?? Number.MAX_SAFE_INTEGER,
      timestampAfterMaxMs: this.config.messageTimestampAfterMaxMs ?? Number.MAX_SAFE_INTEGER,
      compactedTopic: this.config.cleanupPolicy.split(',').some((p) => p.trim() === 'compact'),
    });
    if (validated.rebuilt) {
      for (const header of validated.headers) {
        if (header.sizeInBytes > maxBatchSize) {
          throw new KafkaError(
            ErrorCode.MESSAGE_TOO_LARGE,
            `Message batch size is ${header.sizeInBytes} bytes in append to partition ${this.topic}-${this.partition} which exceeds the maximum configured size of ${maxBatchSize}.`,
          );
        }
      }
    }
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime' ? now : -1;
    return { records: validated.records, headers: validated.headers, logAppendTime, now };
  }

  /**
   * Produce path, second half: the idempotent-producer check (a retried batch is answered
   * with its original offsets, a gap or a fenced epoch throws), then offsets from
   * logEndOffset and the leader epoch in place (both outside the CRC), the append, and the
   * producer-state update. `validated` must come from validateAsLeader on this log with
   * nothing appended in between. Coordinator appends skip the sequence check, as Kafka's.
   */
  appendValidated(validated: ValidatedAppend, leaderEpoch: number, origin: AppendOrigin = 'client'): AppendInfo {
    this.ensureOnline();
    const { records, headers } = validated;
    let producers: ProducerStateTable | null = this.producers;
    for (const header of headers) {
      if (header.producerId < 0) continue;
      producers ??= this.producerState;
      if (origin !== 'client' || header.baseSequence < 0 || header.isControl) continue;
      const lastSequence = lastSequenceOf(header.baseSequence, header.lastOffsetDelta);
      const check = producers.check(header.producerId, header.producerEpoch, header.baseSequence, lastSequence, header.isTransactional);
      if (check.kind === 'duplicate') {
        return {
          baseOffset: check.firstOffset,
          lastOffset: check.lastOffset,
          logAppendTime: -1,
          maxTimestamp: check.timestamp,
          batches: [],
          duplicate: true,
        };
      }
      if (check.kind === 'error') throw new KafkaError(check.errorCode, check.message);
    }
    let offset = this.endOffset;
    let position = 0;
    for (const header of headers) {
      setBaseOffset(records, position, offset);
      setPartitionLeaderEpoch(records, position, leaderEpoch);
      header.baseOffset = offset;
      header.lastOffset = offset + header.lastOffsetDelta;
      header.partitionLeaderEpoch = leaderEpoch;
      offset = header.lastOffset + 1;
      position += header.sizeInBytes;
    }
    const info = this.append(records, headers, validated.logAppendTime, validated.now);
    if (producers !== null) this.updateProducers(producers, records, info);
    return info;
  }

  /** validateAsLeader then appendValidated (coordinators, tests, tools). */
  appendAsLeader(records: Buffer, leaderEpoch: number, now: number = this.clock(), origin: AppendOrigin = 'client'): AppendInfo {
    return this.appendValidated(this.validateAsLeader(records, now, origin), leaderEpoch, origin);
  }

  /**
   * Replication path: batches keep the offsets the leader assigned. They must start at
   * or after logEndOffset and increase.
   */
  appendAsFollower(records: Buffer): AppendInfo {
    this.ensureOnline();
    const headers = validateBatches(records);
    let expected = this.endOffset;
    for (const header of headers) {
      if (header.baseOffset < expected) {
        throw new KafkaError(
          ErrorCode.UNKNOWN_SERVER_ERROR,
          `${this.topic}-${this.partition}: follower append at offset ${header.baseOffset} is below the expected ${expected}`,
        );
      }
      expected = header.lastOffset + 1;
    }
    // a follower rebuilds the leader's producer state (and `.txnindex`) from the batches themselves
    const producers = this.producers ?? (headers.some((h) => h.producerId >= 0) ? this.producerState : null);
    const info = this.append(records, headers, -1, this.clock());
    if (producers !== null) this.updateProducers(producers, records, info);
    return info;
  }

  /**
   * After an append, leader or follower (Kafka's UnifiedLog.append → ProducerStateManager
   * update, then the transaction index): producer state takes the batches, and each ABORT
   * marker that closed an open transaction goes to the `.txnindex` with the last stable
   * offset after it (the first offset of another open transaction, else the marker + 1).
   */
  private updateProducers(producers: ProducerStateTable, records: Buffer, info: AppendInfo): void {
    const completed = producers.onAppend(info.batches);
    if (completed.length === 0) return;
    info.completedTxns = completed;
    let position = 0;
    for (const header of info.batches) {
      const at = position;
      position += header.sizeInBytes;
      if (!header.isControl || header.producerId < 0) continue;
      const txn = completed.find((t) => t.lastOffset === header.baseOffset && t.producerId === header.producerId);
      if (!txn || txn.firstOffset < 0) continue;
      const marker = decodeRecordBatch(records.subarray(at, at + header.sizeInBytes)).records[0];
      if (!marker || controlRecordType(marker.key) !== ControlRecordType.ABORT) continue;
      let lastStableOffset = txn.lastOffset + 1;
      for (const firstOffset of producers.ongoingTransactions().values()) if (firstOffset < lastStableOffset) lastStableOffset = firstOffset;
      const entry: AbortedTxn = { producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset, lastStableOffset };
      this.appendAbortedTxn(entry);
      (info.abortedTxns ??= []).push(entry);
    }
  }

  private append(records: Buffer, headers: BatchHeader[], logAppendTime: number, now: number): AppendInfo {
    if (headers.length === 0) {
      return { baseOffset: this.endOffset, lastOffset: this.endOffset - 1, logAppendTime, maxTimestamp: -1, batches: [] };
    }
    if (records.length > this.config.segmentBytes) {
      throw new KafkaError(
        ErrorCode.RECORD_LIST_TOO_LARGE,
        `${records.length} bytes of records exceed segment.bytes ${this.config.segmentBytes}`,
      );
    }
    const first = headers[0]!;
    const last = headers[headers.length - 1]!;
    const maxTimestamp = Math.max(...headers.map((h) => h.maxTimestamp));
    try {
      this.maybeRoll(records.length, first, last, maxTimestamp, now);
      // Before the append, as Kafka; per batch, not per record: the file is rewritten only
      // when a new epoch starts.
      for (const header of headers) this.epochCache.assign(header.partitionLeaderEpoch, header.baseOffset);
      // all or nothing: a failed write (disk full) is cut off the segment before this throws
      this.activeSegment.append(records, headers);
    } catch (err) {
      this.forgetEpochsFromFailedAppend();
      throw asDiskError(err, `appending to ${this.topic}-${this.partition}`);
    }
    this.endOffset = last.lastOffset + 1;
    if (this.endOffset - this.recoveredTo >= this.config.flushIntervalMessages) this.flush();
    return { baseOffset: first.baseOffset, lastOffset: last.lastOffset, logAppendTime, maxTimestamp, batches: headers };
  }

  /**
   * An epoch recorded for an append that then failed starts past the log end: drop it. If
   * even that rewrite fails, the old checkpoint stays (atomic replace) and a restart drops
   * the entry the same way (truncateFromEnd on load).
   */
  private forgetEpochsFromFailedAppend(): void {
    try {
      this.epochCache.truncateFromEnd(this.endOffset);
    } catch {
      // the in-memory cache is already right
    }
  }

  /** Rolls a new active segment when the append would not fit the current one (Kafka's rules). */
  private maybeRoll(size: number, first: BatchHeader, last: BatchHeader, maxTimestamp: number, now: number): void {
    const active = this.activeSegment;
    if (active.isEmpty) {
      // A follower's first batch may sit far past the empty segment's base (compacted leader).
      if (last.lastOffset - active.baseOffset > MAX_RELATIVE_OFFSET) this.roll(first.baseOffset, now);
      return;
    }
    const reason =
      active.sizeInBytes + size > this.config.segmentBytes
        ? 'segment.bytes'
        : active.timeWaitedForRoll(now, maxTimestamp) > this.config.segmentMs - this.rollJitterMs
          ? 'segment.ms'
          : active.isIndexFull()
            ? 'segment.index.bytes'
            : last.lastOffset - active.baseOffset > MAX_RELATIVE_OFFSET
              ? 'relative offset overflow'
              : null;
    if (reason !== null) this.roll(first.baseOffset, now);
  }

  /**
   * Starts a new active segment at `baseOffset`. The old one is fsynced in the background
   * (Kafka flushes on roll, from its scheduler): a synchronous fsync of a whole segment
   * (1 GB by default) would stall the broker's event loop. The recovery point passes the
   * old segment once that fsync has completed.
   */
  roll(baseOffset: number = this.endOffset, now: number = this.clock()): void {
    const old = this.activeSegment;
    if (old.isEmpty && old.baseOffset === baseOffset) return;
    old.onBecomeInactive();
    if (old.isEmpty) {
      // Replace an empty active segment instead of leaving an empty one behind.
      old.deleteFiles();
      this.segments.pop();
    } else {
      this.flushInBackground(old);
    }
    this.segments.push(LogSegment.create(this.dir, baseOffset, this.segmentOptions(), now));
    this.rollJitterMs = drawRollJitter(this.config);
  }

  private flushInBackground(segment: LogSegment): void {
    const pending = { upTo: Math.min(segment.nextOffset, this.endOffset), done: false };
    this.rollFlushes.push(pending);
    const settled = segment.flushAsync().then(
      () => {
        pending.done = true;
        // in order: a newer segment's fsync finishing first proves nothing about older ones
        while (this.rollFlushes[0]?.done === true) {
          const flushed = this.rollFlushes.shift()!;
          this.recoveredTo = Math.max(this.recoveredTo, Math.min(flushed.upTo, this.endOffset));
        }
      },
      (err: unknown) => {
        // The entry stays pending: the recovery point waits for the next full flush().
        this.logger(`${segment.logPath}: fsync after roll failed: ${(err as Error).message}; recovery point stays at ${this.recoveredTo}`);
      },
    );
    this.rollFlushesInFlight.add(settled);
    void settled.finally(() => this.rollFlushesInFlight.delete(settled));
  }

  /** Settles when the background fsyncs of rolled segments started so far have (tests, diagnostics). */
  async rolledSegmentFlushes(): Promise<void> {
    await Promise.all([...this.rollFlushesInFlight]);
  }

  /**
   * Whole batches from the one containing `fetchOffset`, up to `maxBytes` (the first batch
   * whole even if larger when minOneMessage), with offsets below `maxOffset`. At
   * logEndOffset: an empty Buffer. Outside [logStartOffset, logEndOffset]: OFFSET_OUT_OF_RANGE.
   */
  read(fetchOffset: number, maxBytes: number, opts: ReadOptions = {}): { records: Buffer; firstOffset: number } {
    this.ensureOnline();
    if (fetchOffset < this.startOffset || fetchOffset > this.endOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside [${this.startOffset}, ${this.endOffset}] for ${this.topic}-${this.partition}`,
      );
    }
    const maxOffset = opts.maxOffset ?? Number.POSITIVE_INFINITY;
    const minOneMessage = opts.minOneMessage ?? true;
    const empty = { records: Buffer.alloc(0), firstOffset: fetchOffset };
    if (fetchOffset === this.endOffset || fetchOffset >= maxOffset) return empty;
    for (let i = this.floorSegmentIndex(fetchOffset); i < this.segments.length; i++) {
      let records: Buffer | null;
      try {
        records = this.segments[i]!.read(fetchOffset, maxBytes, maxOffset, minOneMessage);
      } catch (err) {
        if (err instanceof CorruptSegmentError) this.markOffline(`${err.file} at position ${err.position} (found on read)`);
        throw err;
      }
      if (records === null) continue;
      const firstOffset = records.length > 0 ? Number(records.readBigInt64BE(0)) : fetchOffset;
      return { records, firstOffset };
    }
    return empty;
  }

  /** Index of the last segment whose baseOffset <= offset (0 if none). */
  private floorSegmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * ListOffsets by timestamp: the first record (at or after logStartOffset) whose
   * timestamp is >= `timestamp`, found via the segments' max timestamps and time indexes.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const segment of this.segments) {
      if (segment.maxTimestampSoFar < timestamp) continue;
      const found = segment.findOffsetByTimestamp(timestamp, this.startOffset);
      if (found !== null) return found;
    }
    return null;
  }

  /** ListOffsets MAX_TIMESTAMP (KIP-734): the record with the largest timestamp, earliest if tied. */
  offsetOfMaxTimestamp(): { offset: number; timestamp: number } | null {
    let best: LogSegment | null = null;
    for (const segment of this.segments) {
      if (segment.maxTimestampSoFar >= 0 && (best === null || segment.maxTimestampSoFar > best.maxTimestampSoFar)) {
        best = segment;
      }
    }
    return best === null ? null : best.offsetOfMaxTimestampSoFar();
  }

  /**
   * DeleteRecords: raises logStartOffset to `offset` and deletes segments that lie wholly
   * below it (never the active one). The caller checks `offset` against the high watermark.
   */
  deleteRecordsBefore(offset: number): void {
    if (offset > this.endOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `cannot delete records before ${offset}: log end offset is ${this.endOffset}`,
      );
    }
    if (offset <= this.startOffset) return;
    this.startOffset = offset;
    this.hw = this.clampHighWatermark(this.hw);
    if (this.recoveredTo < offset) this.recoveredTo = offset;
    this.epochCache.truncateFromStart(offset);
    this.deleteSegmentsWhile((segment, next) => next !== undefined && next.baseOffset <= this.startOffset);
  }

  /** Removes everything at or after `offset` (follower truncation to the leader's log). */
  truncateTo(offset: number): void {
    if (offset >= this.endOffset) return;
    if (offset < this.startOffset) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    while (this.segments.length > 1 && this.activeSegment.baseOffset > offset) {
      this.segments.pop()!.deleteFiles();
    }
    this.activeSegment.truncateTo(offset);
    this.endOffset = offset;
    this.epochCache.truncateFromEnd(offset);
    this.hw = this.clampHighWatermark(this.hw);
    this.recoveredTo = Math.min(this.recoveredTo, this.endOffset);
    // fsyncs in flight covered data that is gone; offsets reused later are not theirs
    this.rollFlushes = [];
    // producer state of the removed batches goes with them (snapshots above the end are deleted)
    this.producers?.attachLog(this, this.logger);
  }

  /** Drops all data and restarts the log at `offset` (follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    for (const segment of this.segments) segment.deleteFiles();
    this.segments = [LogSegment.create(this.dir, offset, this.segmentOptions(), this.clock())];
    this.startOffset = offset;
    this.endOffset = offset;
    this.hw = offset;
    this.recoveredTo = offset;
    this.rollFlushes = [];
    this.epochCache.clear();
    if (this.producers !== null) {
      for (const offset of listProducerSnapshots(this.dir)) deleteProducerSnapshot(this.dir, offset);
      this.producers.attachLog(this, this.logger);
    }
  }

  /**
   * Time and size retention (cleanup.policy containing "delete"), then segments wholly
   * below logStartOffset. Only segments entirely below the high watermark go, and never
   * the active segment. Returns how many segments were deleted.
   */
  runRetention(now: number): number {
    // Deleting segments of a corrupt log would move logStartOffset past evidence; leave it.
    if (this.offline !== null) return 0;
    let deleted = 0;
    if (this.config.cleanupPolicy.split(',').some((p) => p.trim() === 'delete')) {
      const retentionMs = this.config.retentionMs;
      if (retentionMs >= 0) {
        deleted += this.deleteSegmentsWhile(
          (segment, next) =>
            next !== undefined && next.baseOffset <= this.hw && now - segment.largestTimestamp > retentionMs,
        );
      }
      const retentionBytes = this.config.retentionBytes;
      if (retentionBytes >= 0) {
        let excess = this.sizeInBytes() - retentionBytes;
        deleted += this.deleteSegmentsWhile((segment, next) => {
          if (next === undefined || next.baseOffset > this.hw || excess < segment.sizeInBytes) return false;
          excess -= segment.sizeInBytes;
          return true;
        });
      }
    }
    deleted += this.deleteSegmentsWhile((_segment, next) => next !== undefined && next.baseOffset <= this.startOffset);
    return deleted;
  }

  /** Deletes segments from the oldest while `predicate` holds; raises logStartOffset past them. */
  private deleteSegmentsWhile(predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean): number {
    let count = 0;
    while (this.segments.length > 1 && predicate(this.segments[0]!, this.segments[1])) {
      const segment = this.segments.shift()!;
      segment.deleteFiles();
      count++;
    }
    if (count > 0) {
      const firstBase = this.segments[0]!.baseOffset;
      if (this.startOffset < firstBase) this.startOffset = firstBase;
      this.hw = this.clampHighWatermark(this.hw);
      if (this.recoveredTo < this.startOffset) this.recoveredTo = this.startOffset;
      this.epochCache.truncateFromStart(this.startOffset);
    }
    return count;
  }

  /**
   * fsyncs segments holding unflushed data (rolled ones whose background fsync is still in
   * flight included) and advances recoveryPoint to logEndOffset.
   */
  flush(): void {
    for (const segment of this.segments) {
      if (segment.nextOffset > this.recoveredTo || segment === this.activeSegment) segment.flush();
    }
    this.recoveredTo = this.endOffset;
    this.rollFlushes = [];
    this.lastFlushMs = this.clock();
  }

  /** flush.ms: flushes when that long has passed since the last flush. Returns whether it flushed. */
  flushIfDue(now: number): boolean {
    if (this.recoveredTo >= this.endOffset) {
      this.lastFlushMs = now;
      return false;
    }
    if (now - this.lastFlushMs < this.config.flushIntervalMs) return false;
    this.flush();
    return true;
  }

  /** Bytes in all segment files. */
  sizeInBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.sizeInBytes, 0);
  }

  close(): void {
    for (const segment of this.segments) {
      try {
        segment.onBecomeInactive();
      } catch (err) {
        // a full disk must not leave files open: the last time-index entry is checked on the next open
        if (!isDiskFailure(err)) throw err;
        this.logger(`${segment.logPath}: could not write its last time index entry on close: ${(err as Error).message}`);
      }
      segment.close();
    }
    this.segments = [];
  }

  /** Closes and removes the whole partition directory. */
  deleteFiles(): void {
    for (const segment of this.segments) segment.close();
    this.segments = [];
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Records an aborted transaction in the `.txnindex` of the segment holding its ABORT marker. */
  appendAbortedTxn(entry: AbortedTxn): void {
    appendAbortedTxn(this.dir, this.segmentFor(entry.lastOffset).baseOffset, entry);
  }

  /** Every aborted transaction in the segments' `.txnindex` files, oldest first (reload after restart). */
  abortedTxns(): AbortedTxn[] {
    return this.segments.flatMap((s) => readAbortedTxns(this.dir, s.baseOffset));
  }

  /** For tools and tests: the segment files, oldest first. */
  segmentFiles(): string[] {
    return this.segments.map((s) => s.logPath);
  }

  /** The segments, oldest first; the last is the active one. For the log cleaner and tools. */
  segmentList(): readonly LogSegment[] {
    return [...this.segments];
  }

  /**
   * Log cleaner: `replacement` (same base offset, files already renamed into place)
   * takes the place of `old`, which is closed. False, and nothing changes, when `old`
   * is no longer a segment of this log or is the active one.
   */
  replaceSegment(old: LogSegment, replacement: LogSegment): boolean {
    const index = this.segments.indexOf(old);
    if (index < 0 || index === this.segments.length - 1 || replacement.baseOffset !== old.baseOffset) return false;
    this.segments[index] = replacement;
    old.close();
    return true;
  }

  /**
   * Log cleaner: drops `old`, which compaction emptied. Never the first segment (it
   * anchors logStartOffset) nor the active one; reads skip the gap. False when refused.
   */
  removeEmptiedSegment(old: LogSegment): boolean {
    const index = this.segments.indexOf(old);
    if (index <= 0 || index === this.segments.length - 1) return false;
    this.segments.splice(index, 1);
    old.deleteFiles();
    return true;
  }

  /** Exposed for tests and diagnostics: the segment holding `offset`. */
  segmentFor(offset: number): LogSegment {
    return this.segments[this.floorSegmentIndex(offset)]!;
  }
}
