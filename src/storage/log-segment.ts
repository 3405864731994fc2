/**
 * One log segment, Kafka's on-disk unit: `<20-digit baseOffset>.log` holding RecordBatch
 * v2 bytes exactly as appended, plus a sparse `.index` (offset → position) and a
 * `.timeindex` (max timestamp → offset).
 *
 * Invariants: batches are contiguous, each starts where the previous ended, and their
 * offsets strictly increase from `baseOffset`; index entries point at batch starts.
 * Reads return file bytes (never re-encoded). Writes go through a descriptor with sync
 * fs calls: the broker is one event loop and a segment has one writer (its PartitionLog).
 * Descriptors come from the process's bounded pool (open-file-pool.ts): a segment not
 * used lately holds none and reopens its files by path on the next read or append.
 * Not concurrency-safe; only PartitionLog should call it. The log cleaner builds a
 * replacement with `LogSegment.createCleaned` and swaps the files in (log-cleaner.ts).
 */
import { existsSync, ftruncateSync, readSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  RECORD_BATCH_MAGIC,
  computeBatchCrc,
  readBatchHeader,
  type BatchHeader,
} from '../protocol/records/batch.js';
import { decodeRecordBatch } from '../protocol/records/record.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { syncFile, syncFileAsync } from './index-file.js';
import { writeFully } from './disk-errors.js';
import { OffsetIndex } from './offset-index.js';
import { PooledFile } from './open-file-pool.js';
import { TimeIndex } from './time-index.js';

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
/** Suffixes of the log cleaner's half-built and ready-to-swap files (Kafka's names). */
export const CLEANED_FILE_SUFFIX = '.cleaned';
export const SWAP_FILE_SUFFIX = '.swap';

/** Kafka names segment files by base offset, zero-padded to 20 digits. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

export interface LogSegmentOptions {
  indexIntervalBytes: number;
  maxIndexSizeBytes: number;
}

/** A batch located in the segment file. */
export interface BatchLocation {
  position: number;
  header: BatchHeader;
}

/** Result of scanning a segment during recovery. */
export interface SegmentRecoveryResult {
  /** Bytes cut from the end of the file (torn or corrupt tail). */
  truncatedBytes: number;
  /** Why the scan stopped early; null when the whole file was valid. */
  reason: string | null;
  /**
   * Set when the bad batch is not a torn tail (a valid batch follows it, or the segment
   * is not the last one): the file is left untouched and the log must not be served.
   */
  corruptPosition: number | null;
}

/** Framing of the batch at `position` cannot be right (found while reading, not recovering). */
export class CorruptSegmentError extends KafkaError {
  constructor(readonly file: string, readonly position: number, detail: string) {
    super(ErrorCode.KAFKA_STORAGE_ERROR, `corrupt record batch in ${file} at position ${position}: ${detail}`);
  }
}

/** How far past a bad batch recovery looks for a valid one before calling the rest a torn tail. */
const MAX_TORN_TAIL_SCAN_BYTES = 64 * 1024 * 1024;

const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;

export class LogSegment {
  private size: number;
  private next: number;
  private maxTimestamp = -1;
  private offsetOfMaxTimestamp = -1;
  private bytesSinceLastIndexEntry = 0;
  private firstBatchMaxTimestamp: number | null = null;
  /** a failed append could not cut its partial bytes off the file: the next append does */
  private tailToDiscard = false;
  /** flushAsync calls not yet settled; while any is, the fds stay open */
  private fsyncsInFlight = 0;
  /** close() came while fsyncs were in flight: the last one to settle closes the files */
  private closeWhenFlushed = false;
  private readonly headerScratch = Buffer.alloc(BATCH_HEADER_SIZE);
  /** Batch headers read from the file by lookups and scans (observability and tests). */
  batchHeadersScanned = 0;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private options: LogSegmentOptions,
    private readonly file: PooledFile,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    /** Wall-clock creation time; the roll clock when the first batch has no timestamp. */
    readonly createdMs: number,
  ) {
    this.size = statSync(file.path).size;
    this.next = baseOffset;
  }

  get logPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, LOG_FILE_SUFFIX));
  }

  /** Creates an empty segment, replacing any files with the same base offset. */
  static create(dir: string, baseOffset: number, options: LogSegmentOptions, now: number): LogSegment {
    const file = new PooledFile(join(dir, segmentFileName(baseOffset, LOG_FILE_SUFFIX)), 'w+');
    const offsetIndex = OffsetIndex.open(
      join(dir, segmentFileName(baseOffset, INDEX_FILE_SUFFIX)),
      baseOffset,
      options.maxIndexSizeBytes,
      true,
    );
    const timeIndex = TimeIndex.open(
      join(dir, segmentFileName(baseOffset, TIME_INDEX_FILE_SUFFIX)),
      baseOffset,
      options.maxIndexSizeBytes,
      true,
    );
    return new LogSegment(dir, baseOffset, options, file, offsetIndex, timeIndex, now);
  }

  /**
   * The log cleaner's replacement for segment `baseOffset`: the same three files with a
   * `.cleaned` suffix (recovery deletes such leftovers). Append to it, flush, close, then
   * rename the files into place and `open` the result.
   */
  static createCleaned(dir: string, baseOffset: number, options: LogSegmentOptions, now: number): LogSegment {
    const path = (suffix: string) => join(dir, segmentFileName(baseOffset, suffix) + CLEANED_FILE_SUFFIX);
    const file = new PooledFile(path(LOG_FILE_SUFFIX), 'w+');
    const offsetIndex = OffsetIndex.open(path(INDEX_FILE_SUFFIX), baseOffset, options.maxIndexSizeBytes, true);
    const timeIndex = TimeIndex.open(path(TIME_INDEX_FILE_SUFFIX), baseOffset, options.maxIndexSizeBytes, true);
    return new LogSegment(dir, baseOffset, options, file, offsetIndex, timeIndex, now);
  }

  /**
   * Opens an existing segment. Without `recover`, the indexes are sanity-checked and the
   * tail after the last index entry is scanned to find the next offset; anything
   * inconsistent makes this call recover the segment anyway. `onWarning` hears why.
   */
  static open(
    dir: string,
    baseOffset: number,
    options: LogSegmentOptions,
    recover: boolean,
    onWarning: (msg: string) => void,
    /** False for a segment known to be on disk whole (below the recovery point): an invalid tail is corruption. */
    tailMayBeTorn = true,
  ): { segment: LogSegment; recovery: SegmentRecoveryResult | null } {
    const logPath = join(dir, segmentFileName(baseOffset, LOG_FILE_SUFFIX));
    const indexPath = join(dir, segmentFileName(baseOffset, INDEX_FILE_SUFFIX));
    const timeIndexPath = join(dir, segmentFileName(baseOffset, TIME_INDEX_FILE_SUFFIX));
    const indexMissing = !existsSync(indexPath) || !existsSync(timeIndexPath);
    const file = new PooledFile(logPath, 'r+');
    const offsetIndex = OffsetIndex.open(indexPath, baseOffset, options.maxIndexSizeBytes);
    const timeIndex = TimeIndex.open(timeIndexPath, baseOffset, options.maxIndexSizeBytes);
    const segment = new LogSegment(dir, baseOffset, options, file, offsetIndex, timeIndex, statSync(logPath).mtimeMs);

    let mustRecover = recover;
    if (indexMissing) {
      onWarning(`${logPath}: index files missing, rebuilding`);
      mustRecover = true;
    }
    if (!mustRecover && !offsetIndex.isConsistent(segment.size)) {
      onWarning(`${logPath}: offset index is corrupt, rebuilding`);
      mustRecover = true;
    }
    if (!mustRecover && !segment.loadTailState()) {
      onWarning(`${logPath}: log tail does not parse, recovering`);
      mustRecover = true;
    }
    if (!mustRecover && !timeIndex.isConsistent(segment.next)) {
      onWarning(`${logPath}: time index is corrupt, rebuilding`);
      mustRecover = true;
    }
    const recovery = mustRecover ? segment.recover(tailMayBeTorn) : null;
    return { segment, recovery };
  }

  get sizeInBytes(): number {
    return this.size;
  }

  /** The offset after the last batch; baseOffset while empty. */
  get nextOffset(): number {
    return this.next;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  get maxTimestampSoFar(): number {
    return this.maxTimestamp;
  }

  /** Retention clock: the largest record timestamp, or the file's mtime when there is none. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : statSync(this.logPath).mtimeMs;
  }

  /**
   * segment.ms clock, Kafka's rule: record time elapsed since the first batch
   * (incoming max timestamp minus the first batch's), so replicas roll alike and old
   * producer timestamps do not force a roll per append; wall-clock age when the first
   * batch carries no timestamp.
   */
  timeWaitedForRoll(now: number, incomingMaxTimestamp: number): number {
    return this.firstBatchMaxTimestamp !== null && this.firstBatchMaxTimestamp >= 0
      ? incomingMaxTimestamp - this.firstBatchMaxTimestamp
      : now - this.createdMs;
  }

  updateOptions(options: LogSegmentOptions): void {
    this.options = options;
  }

  /** True when another offset or time index entry may not fit in segment.index.bytes. */
  isIndexFull(): boolean {
    return this.offsetIndex.isFull() || this.timeIndex.isFull();
  }

  /**
   * Appends whole, already validated batches (`headers` describes them in order) at the
   * end of the file and indexes them.
   */
  append(batches: Buffer, headers: readonly BatchHeader[]): void {
    if (batches.length === 0) return;
    // A failed write (disk full) may have landed part of the bytes or index entries: undo
    // everything at once, so the file never holds a partial batch and appends resume cleanly.
    const before = this.appendState();
    try {
      if (this.tailToDiscard) this.truncateFileTo(this.size);
      this.tailToDiscard = false;
      writeFully(this.file.fdForWrite(), this.file.path, batches, 0, batches.length, this.size);
      let position = this.size;
      for (const header of headers) {
        this.indexBatch(header, position);
        position += header.sizeInBytes;
      }
    } catch (err) {
      this.rollBackAppend(before);
      throw err;
    }
    this.size += batches.length;
  }

  private appendState() {
    return {
      next: this.next,
      maxTimestamp: this.maxTimestamp,
      offsetOfMaxTimestamp: this.offsetOfMaxTimestamp,
      bytesSinceLastIndexEntry: this.bytesSinceLastIndexEntry,
      firstBatchMaxTimestamp: this.firstBatchMaxTimestamp,
      offsetIndexEntries: this.offsetIndex.entryCount,
      timeIndexEntries: this.timeIndex.entryCount,
    };
  }

  private rollBackAppend(before: ReturnType<LogSegment['appendState']>): void {
    this.next = before.next;
    this.maxTimestamp = before.maxTimestamp;
    this.offsetOfMaxTimestamp = before.offsetOfMaxTimestamp;
    this.bytesSinceLastIndexEntry = before.bytesSinceLastIndexEntry;
    this.firstBatchMaxTimestamp = before.firstBatchMaxTimestamp;
    try {
      this.offsetIndex.truncateToEntries(before.offsetIndexEntries);
      this.timeIndex.truncateToEntries(before.timeIndexEntries);
      this.truncateFileTo(this.size);
    } catch {
      // Shrinking a file needs no space, so this is rare; the next append retries the cut.
      this.tailToDiscard = true;
    }
  }

  private indexBatch(header: BatchHeader, position: number): void {
    if (this.firstBatchMaxTimestamp === null) this.firstBatchMaxTimestamp = header.maxTimestamp;
    if (header.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = header.maxTimestamp;
      this.offsetOfMaxTimestamp = header.lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.options.indexIntervalBytes) {
      this.offsetIndex.append(header.lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += header.sizeInBytes;
    this.next = header.lastOffset + 1;
  }

  /** Reads the batch header at `position`, or null if no whole header fits there. */
  readHeaderAt(position: number): BatchHeader | null {
    if (position + BATCH_HEADER_SIZE > this.size) return null;
    readSync(this.file.fd(), this.headerScratch, 0, BATCH_HEADER_SIZE, position);
    this.batchHeadersScanned++;
    return readBatchHeader(this.headerScratch, 0);
  }

  /**
   * The first batch whose lastOffset >= `offset` (the batch containing it, or the next
   * one): binary search in the offset index, then a scan of at most about one
   * index interval of batch headers. Null when the segment ends before `offset`.
   */
  lookup(offset: number): BatchLocation | null {
    if (offset >= this.next) return null;
    let position = this.offsetIndex.lookup(offset)?.position ?? 0;
    while (position < this.size) {
      const header = this.readHeaderAt(position);
      if (header === null) return null;
      this.checkFraming(header, position);
      if (header.lastOffset >= offset) return { position, header };
      position += header.sizeInBytes;
    }
    return null;
  }

  /**
   * Whole batches starting with the one containing `startOffset`, at most `maxBytes`
   * (unless `minOneMessage` lets the first batch exceed it), and only batches whose
   * lastOffset is below `maxOffset`. Null when the segment holds nothing at or after
   * `startOffset`; an empty Buffer when the limits admit nothing.
   */
  read(startOffset: number, maxBytes: number, maxOffset: number, minOneMessage: boolean): Buffer | null {
    const first = this.lookup(startOffset);
    if (first === null) return null;
    if (first.header.lastOffset >= maxOffset) return Buffer.alloc(0);
    let length = Math.min(Math.max(maxBytes, 0), this.size - first.position);
    if (length < first.header.sizeInBytes) {
      if (!minOneMessage) return Buffer.alloc(0);
      length = first.header.sizeInBytes;
    }
    const bytes = this.readBytes(first.position, length);
    // Keep whole batches below maxOffset; drop a partial tail cut by maxBytes.
    let end = 0;
    while (end + BATCH_HEADER_SIZE <= bytes.length) {
      const header = readBatchHeader(bytes, end);
      this.checkFraming(header, first.position + end);
      if (header.lastOffset >= maxOffset || end + header.sizeInBytes > bytes.length) break;
      end += header.sizeInBytes;
    }
    return bytes.subarray(0, end);
  }

  /** Raw file bytes (used by reads and by tools such as a dump-log command). */
  readBytes(position: number, length: number): Buffer {
    const bytes = Buffer.alloc(Math.max(0, Math.min(length, this.size - position)));
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(this.file.fd(), bytes, read, bytes.length - read, position + read);
      if (n === 0) break;
      read += n;
    }
    return read === bytes.length ? bytes : bytes.subarray(0, read);
  }

  /**
   * The first record at or after `startingOffset` whose timestamp is >= `timestamp`
   * (ListOffsets by timestamp). The time index bounds where the scan starts; only the
   * matching batch is decoded, to find the record inside it.
   */
  findOffsetByTimestamp(timestamp: number, startingOffset: number): { offset: number; timestamp: number } | null {
    if (this.maxTimestamp < timestamp) return null;
    const hint = this.timeIndex.lookupBefore(timestamp);
    const from = Math.max(hint?.offset ?? this.baseOffset, startingOffset);
    let location = this.lookup(from);
    while (location !== null) {
      const { header, position } = location;
      if (header.maxTimestamp >= timestamp) {
        const { records } = decodeRecordBatch(this.readBytes(position, header.sizeInBytes));
        const match = records.find((r) => r.timestamp >= timestamp && r.offset >= startingOffset);
        if (match) return { offset: match.offset, timestamp: match.timestamp };
      }
      const nextPosition = position + header.sizeInBytes;
      const nextHeader = this.readHeaderAt(nextPosition);
      location = nextHeader === null ? null : { position: nextPosition, header: nextHeader };
    }
    return null;
  }

  /** The record carrying this segment's largest timestamp (ListOffsets MAX_TIMESTAMP, KIP-734). */
  offsetOfMaxTimestampSoFar(): { offset: number; timestamp: number } | null {
    if (this.maxTimestamp < 0) return null;
    const location = this.lookup(this.offsetOfMaxTimestamp);
    if (location === null) return null;
    const { records } = decodeRecordBatch(this.readBytes(location.position, location.header.sizeInBytes));
    const match = records.find((r) => r.timestamp === this.maxTimestamp);
    return { offset: match?.offset ?? this.offsetOfMaxTimestamp, timestamp: this.maxTimestamp };
  }

  /**
   * Removes every batch whose lastOffset >= `offset` (a batch containing `offset` goes
   * whole, as in Kafka). Returns the bytes removed.
   */
  truncateTo(offset: number): number {
    const location = this.lookup(offset);
    if (location === null) return 0;
    const removed = this.size - location.position;
    this.truncateFileTo(location.position);
    this.offsetIndex.truncateToPosition(location.position);
    this.timeIndex.truncateToOffset(offset);
    this.loadTailState();
    return removed;
  }

  /**
   * A header read on the fetch path whose framing is impossible means the file is
   * corrupt below what recovery re-validated: refuse rather than serve garbage (or loop).
   */
  private checkFraming(header: BatchHeader, position: number): void {
    if (header.magic !== RECORD_BATCH_MAGIC || header.batchLength < MIN_BATCH_LENGTH || position + header.sizeInBytes > this.size) {
      throw new CorruptSegmentError(this.logPath, position, `magic ${header.magic}, batch length ${header.batchLength}`);
    }
  }

  /**
   * Re-validates every batch (framing, magic 2, CRC-32C, offsets increasing and not
   * below baseOffset) and rebuilds both indexes. At the first bad batch: a torn tail
   * (nothing valid after it, in the last segment) is truncated; anything else is
   * corruption in the middle of the log, reported in `corruptPosition` with the file
   * left as it is.
   */
  recover(tailMayBeTorn = true): SegmentRecoveryResult {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.resetState();
    let position = 0;
    let reason: string | null = null;
    while (position < this.size) {
      reason = this.checkBatchAt(position);
      if (reason !== null) break;
      const header = readBatchHeader(this.headerScratch, 0);
      this.indexBatch(header, position);
      position += header.sizeInBytes;
    }
    if (reason !== null && (!tailMayBeTorn || this.validBatchFollows(position))) {
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      return { truncatedBytes: 0, reason, corruptPosition: position };
    }
    const truncatedBytes = this.size - position;
    if (truncatedBytes > 0) this.truncateFileTo(position);
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    return { truncatedBytes, reason, corruptPosition: null };
  }

  /**
   * Whether a whole valid batch (magic 2, sane length, CRC-32C, offset not below the
   * last good one) starts anywhere after the bad batch at `badPosition`. A torn write
   * leaves only a prefix of what was appended, so a valid batch after the damage means
   * the damage is not a torn tail. Scans at most MAX_TORN_TAIL_SCAN_BYTES.
   */
  private validBatchFollows(badPosition: number): boolean {
    const window = this.readBytes(badPosition + 1, MAX_TORN_TAIL_SCAN_BYTES);
    for (let p = 0; p + BATCH_HEADER_SIZE <= window.length; p++) {
      if (window[p + 16] !== RECORD_BATCH_MAGIC) continue;
      const header = readBatchHeader(window, p);
      if (header.batchLength < MIN_BATCH_LENGTH || p + header.sizeInBytes > window.length) continue;
      if (header.baseOffset < this.next || header.lastOffsetDelta < 0) continue;
      if (computeBatchCrc(window, p, header.sizeInBytes) === header.crc) return true;
    }
    return false;
  }

  /** Validates the batch at `position` (header left in headerScratch); returns why it is bad. */
  private checkBatchAt(position: number): string | null {
    const remaining = this.size - position;
    if (remaining < BATCH_HEADER_SIZE) return `torn batch header at position ${position}`;
    readSync(this.file.fd(), this.headerScratch, 0, BATCH_HEADER_SIZE, position);
    const header = readBatchHeader(this.headerScratch, 0);
    if (header.magic !== RECORD_BATCH_MAGIC) return `magic ${header.magic} at position ${position}`;
    if (header.batchLength < MIN_BATCH_LENGTH) return `batch length ${header.batchLength} at position ${position}`;
    if (header.sizeInBytes > remaining) return `torn batch at position ${position}`;
    if (header.lastOffsetDelta < 0) return `negative lastOffsetDelta at position ${position}`;
    // this.next is baseOffset before the first batch, then the previous lastOffset + 1.
    if (header.baseOffset < this.next) {
      return `offset ${header.baseOffset} at position ${position} is not above the previous batch`;
    }
    if (header.lastOffset - this.baseOffset > 0x7fffffff) return `offset ${header.lastOffset} does not fit the segment`;
    const bytes = this.readBytes(position, header.sizeInBytes);
    if (computeBatchCrc(bytes, 0, header.sizeInBytes) !== header.crc) return `CRC mismatch at position ${position}`;
    return null;
  }

  /**
   * Restores nextOffset and max timestamp from the indexes plus a scan of the batches
   * after the last offset-index entry. False when that tail does not parse.
   */
  private loadTailState(): boolean {
    this.resetState();
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime !== null) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
    if (this.size > 0) {
      const first = this.readHeaderAt(0);
      if (first === null || first.magic !== RECORD_BATCH_MAGIC) return false;
      this.firstBatchMaxTimestamp = first.maxTimestamp;
    }
    let position = this.offsetIndex.lastEntry()?.position ?? 0;
    while (position < this.size) {
      const header = this.readHeaderAt(position);
      if (
        header === null ||
        header.magic !== RECORD_BATCH_MAGIC ||
        header.batchLength < MIN_BATCH_LENGTH ||
        position + header.sizeInBytes > this.size ||
        header.baseOffset < this.next
      ) {
        return false;
      }
      if (header.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = header.maxTimestamp;
        this.offsetOfMaxTimestamp = header.lastOffset;
      }
      this.next = header.lastOffset + 1;
      position += header.sizeInBytes;
    }
    // Pessimistic: the next index entry comes one interval after the tail we just read.
    this.bytesSinceLastIndexEntry = this.size - (this.offsetIndex.lastEntry()?.position ?? 0);
    return true;
  }

  private resetState(): void {
    this.next = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
    this.firstBatchMaxTimestamp = null;
  }

  private truncateFileTo(position: number): void {
    ftruncateSync(this.file.fdForWrite(), position);
    this.size = position;
  }

  /** Called when a newer segment takes over: record the final max timestamp (Kafka does too). */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
  }

  /** fsyncs the files written since their last fsync (an idle segment costs nothing, not even a descriptor). */
  flush(): void {
    syncFile(this.file);
    this.offsetIndex.flush();
    this.timeIndex.flush();
  }

  /**
   * fsyncs the `.log` and both indexes on libuv's threadpool, so the event loop is not
   * held for as long as a whole segment takes to reach the disk (Kafka flushes a rolled
   * segment from its scheduler, not on the append path). Until every fsync has settled,
   * close() and deleteFiles() leave the fds open (an fsync must never reach a closed,
   * possibly reused, fd number); the files may be unlinked meanwhile. Rejects with the
   * first fsync error, after all three settled.
   */
  async flushAsync(): Promise<void> {
    this.fsyncsInFlight++;
    try {
      const results = await Promise.allSettled([
        syncFileAsync(this.file),
        this.offsetIndex.flushAsync(),
        this.timeIndex.flushAsync(),
      ]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      this.fsyncsInFlight--;
      if (this.fsyncsInFlight === 0 && this.closeWhenFlushed) this.closeFiles();
    }
  }

  /** Closes the files now, or once the fsyncs in flight (flushAsync) have settled. */
  close(): void {
    if (this.fsyncsInFlight > 0) {
      this.closeWhenFlushed = true;
      return;
    }
    this.closeFiles();
  }

  private closeFiles(): void {
    this.closeWhenFlushed = false;
    this.file.close();
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  /** Closes and unlinks the segment's files (the `.txnindex` too, when there is one). */
  deleteFiles(): void {
    this.close();
    const txnIndex = this.logPath.replace(/\.log$/, '.txnindex');
    for (const path of [this.logPath, this.offsetIndex.path, this.timeIndex.path, txnIndex]) {
      if (existsSync(path)) unlinkSync(path);
    }
  }
}
