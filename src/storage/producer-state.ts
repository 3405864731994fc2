/**
 * Idempotent-producer state of one partition (Kafka's ProducerStateManager, reduced):
 * per producer id the current epoch and the last 5 batches' sequence ranges and
 * offsets, so a retried batch is answered with its original offsets instead of being
 * written twice, and gaps or stale epochs are refused; and the first offset of the
 * producer's open transaction (Kafka's currentTxnFirstOffset), from which the partition's
 * last stable offset follows without reading the log.
 *
 * Durability (as Kafka's ProducerStateManager): once attached to its partition log,
 * the table is loaded from the newest `<offset>.snapshot` file at or below the log end
 * and the batch headers after it are replayed. A snapshot is written when the log
 * rolls a segment (noticed at the next update) and on clean shutdown.
 *
 * Snapshot bytes (our own layout, not Kafka's): int16 version 2, uint32 CRC-32C of
 * what follows, int32 producer count, then per producer int64 producerId, int16
 * epoch, int64 currentTxnFirstOffset (-1: no open transaction), int32 batch count and
 * per batch int32 firstSeq, int32 lastSeq, int64 firstOffset, int64 lastOffset, int64
 * timestamp. All five retained batches are kept (Kafka keeps only the last), so any of
 * them is still recognised as a duplicate. Version 1 is the same without
 * currentTxnFirstOffset; after loading one, open transactions are recovered by a
 * header-only scan of the log below the snapshot.
 */
import { ErrorCode } from '../protocol/errors.js';
import { crc32c } from '../protocol/records/crc32c.js';
import type { PartitionLog } from './partition-log.js';
import { batchHeadersFrom } from './batch-headers.js';
import {
  deleteProducerSnapshot,
  listProducerSnapshots,
  pruneProducerSnapshots,
  readProducerSnapshot,
  writeProducerSnapshot,
} from './producer-snapshot-file.js';

/** What a partition's producer-state table says about an incoming idempotent batch. */
export type ProducerBatchCheck =
  | { kind: 'append' }
  /** a retry of one of the producer's last 5 batches: answer with its original offsets */
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number; timestamp: number }
  | { kind: 'error'; errorCode: number; message: string };

/** The batch-header fields producer state is rebuilt from (storage's BatchHeader fits). */
export interface ProducerBatchHeader {
  baseOffset: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isControl: boolean;
  /** transactional batches open the producer's transaction; absent means false */
  isTransactional?: boolean;
}

/** One producer with state on a partition, as DescribeProducers (v0) reports it. */
export interface ActiveProducerState {
  producerId: number;
  producerEpoch: number;
  /** last sequence of the newest retained batch, -1 when none (markers carry no sequence) */
  lastSequence: number;
  /** max timestamp of the newest retained batch, -1 when none */
  lastTimestamp: number;
}

/**
 * Per-partition idempotent-producer bookkeeping, owned by the partition log (Kafka's
 * UnifiedLog + ProducerStateManager): `check` before appending, `update` with the assigned
 * offsets afterwards, both inside PartitionLog.appendAsLeader.
 */
export interface ProducerStateTracker {
  /** `isTransactional`: a transactional data batch (others are refused while the producer's transaction is open) */
  check(producerId: number, producerEpoch: number, baseSequence: number, lastSequence: number, isTransactional?: boolean): ProducerBatchCheck;
  update(
    producerId: number,
    producerEpoch: number,
    baseSequence: number,
    lastSequence: number,
    firstOffset: number,
    lastOffset: number,
    timestamp: number,
    /** a transactional data batch: opens the producer's transaction at firstOffset if none is open */
    isTransactional?: boolean,
  ): void;
  /**
   * A COMMIT/ABORT marker of the producer written at markerOffset: its epoch becomes
   * current and its open transaction closes. Returns that transaction's first offset, or -1.
   */
  completeTransaction(producerId: number, producerEpoch: number, markerOffset: number): number;
  /** Open transactions: producer id → first offset of the transaction here (kept in producer snapshots). */
  ongoingTransactions(): ReadonlyMap<number, number>;
  /** Rebuilds from the batches of a log being opened, so de-duplication survives restarts. */
  rebuild(batches: Iterable<ProducerBatchHeader>): void;
  /** Drops all state (partition deleted or truncated to empty). */
  clear(): void;
  /** Read-only view of every producer with state here (DescribeProducers). */
  activeProducers(): ActiveProducerState[];
}

/** A transaction closed by a COMMIT/ABORT marker appended to the log. */
export interface CompletedTxn {
  producerId: number;
  /** first offset of the transaction here, -1 when none was open */
  firstOffset: number;
  /** offset of the marker */
  lastOffset: number;
}

const NO_COMPLETED_TXNS: readonly CompletedTxn[] = [];

/** Kafka keeps the metadata of this many recent batches per producer. */
export const NUM_BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;
const NO_PRODUCER_EPOCH = -1;
const NO_SEQUENCE = -1;
const SNAPSHOT_VERSION = 2;
/** snapshots written before open transactions were tracked: no currentTxnFirstOffset */
const SNAPSHOT_VERSION_NO_TXN = 1;
/** snapshots kept per partition: the newest, plus one fallback should it be unreadable */
const SNAPSHOTS_RETAINED = 2;
const PRODUCER_HEADER_BYTES = 8 + 2 + 8 + 4;
const PRODUCER_HEADER_BYTES_V1 = 8 + 2 + 4;
const NO_TXN = -1;
const BATCH_ENTRY_BYTES = 4 + 4 + 8 + 8 + 8;

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

interface ProducerEntry {
  producerEpoch: number;
  /** oldest first */
  batches: BatchMetadata[];
}

/** Last sequence of a batch whose sequences wrap after Int32.MAX back to 0. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  if (baseSequence < 0) return -1;
  return baseSequence > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1 : baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateTable implements ProducerStateTracker {
  private readonly producers = new Map<number, ProducerEntry>();
  /**
   * open transactions: producer id → offset of the transaction's first batch here (Kafka's
   * currentTxnFirstOffset); a producer listed here always has an entry in `producers`
   */
  private readonly ongoing = new Map<number, number>();
  /** the partition log snapshots are written for, once attached */
  private log: PartitionLog | null = null;
  /** base offset of the log's active segment when last looked at (roll detection) */
  private activeSegmentBase = -1;

  check(
    producerId: number,
    producerEpoch: number,
    baseSequence: number,
    lastSequence: number,
    isTransactional = false,
  ): ProducerBatchCheck {
    // Non-idempotent batches are not tracked.
    if (producerId < 0) return { kind: 'append' };
    const entry = this.producers.get(producerId);
    const currentEpoch = entry?.producerEpoch ?? NO_PRODUCER_EPOCH;

    if (entry && producerEpoch === currentEpoch) {
      const dup = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === lastSequence);
      if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, timestamp: dup.timestamp };
    }
    if (producerEpoch < currentEpoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch of producer ${producerId} is ${producerEpoch}, which is smaller than the last seen epoch ${currentEpoch}`,
      };
    }
    if (producerEpoch !== currentEpoch) {
      // A bumped epoch restarts at sequence 0. A producer with no state here may start at
      // any sequence (KIP-360, Kafka 2.5+): its earlier batches may have gone with retention
      // or DeleteRecords. Kafka 2.4 answered UNKNOWN_PRODUCER_ID instead.
      if (baseSequence !== 0 && currentEpoch !== NO_PRODUCER_EPOCH) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `Invalid sequence number for new epoch of producer ${producerId}: ${producerEpoch} (request epoch), ${baseSequence} (seq. number), ${currentEpoch} (current producer epoch)`,
        };
      }
      return this.checkTransactionState(producerId, isTransactional);
    }
    // Same epoch. Without a known epoch (none stored, or the producer writes with epoch -1)
    // Kafka accepts any sequence; `entry` may be missing here.
    if (entry !== undefined && currentEpoch !== NO_PRODUCER_EPOCH) {
      const lastSeq = entry.batches[entry.batches.length - 1]?.lastSeq ?? NO_SEQUENCE;
      if (!inSequence(lastSeq, baseSequence)) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `Out of order sequence number for producer ${producerId}: ${baseSequence} (incoming seq. number), ${lastSeq} (current end sequence number)`,
        };
      }
    }
    return this.checkTransactionState(producerId, isTransactional);
  }

  /** Kafka's ProducerAppendInfo: a producer with an open transaction here writes only transactional batches. */
  private checkTransactionState(producerId: number, isTransactional: boolean): ProducerBatchCheck {
    if (!isTransactional && this.ongoing.has(producerId)) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_TXN_STATE,
        message: `Expected transactional write from producer ${producerId}`,
      };
    }
    return { kind: 'append' };
  }

  update(
    producerId: number,
    producerEpoch: number,
    baseSequence: number,
    lastSequence: number,
    firstOffset: number,
    lastOffset: number,
    timestamp: number,
    isTransactional = false,
  ): void {
    if (producerId < 0) return;
    this.snapshotIfRolled(firstOffset);
    const entry = this.entryForEpoch(producerId, producerEpoch);
    // the first transactional batch opens the transaction; it stays open until a marker
    if (isTransactional && !this.ongoing.has(producerId)) this.ongoing.set(producerId, firstOffset);
    if (baseSequence < 0) return;
    entry.batches.push({ firstSeq: baseSequence, lastSeq: lastSequence, firstOffset, lastOffset, timestamp });
    if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift();
  }

  /**
   * A COMMIT or ABORT marker of the producer was written at `markerOffset`: its epoch is
   * now the producer's (older epochs are fenced) and its open transaction is closed.
   * Returns the closed transaction's first offset, or -1 when none was open.
   */
  completeTransaction(producerId: number, producerEpoch: number, markerOffset: number): number {
    if (producerId < 0) return NO_TXN;
    this.snapshotIfRolled(markerOffset);
    this.entryForEpoch(producerId, producerEpoch);
    const firstOffset = this.ongoing.get(producerId) ?? NO_TXN;
    this.ongoing.delete(producerId);
    return firstOffset;
  }

  /** Open transactions: producer id → offset of the transaction's first batch here (a live view). */
  ongoingTransactions(): ReadonlyMap<number, number> {
    return this.ongoing;
  }

  /**
   * The producer's entry, reset for a newer epoch: retained batches belong to the old
   * epoch, but an open transaction stays open (only a marker closes it; a coordinator
   * that bumps the epoch of a producer with an open transaction aborts it with a marker).
   */
  private entryForEpoch(producerId: number, producerEpoch: number): ProducerEntry {
    let entry = this.producers.get(producerId);
    if (!entry || producerEpoch > entry.producerEpoch) {
      entry = { producerEpoch, batches: [] };
      this.producers.set(producerId, entry);
    }
    return entry;
  }

  /**
   * Batches just appended to the log, leader or follower alike (Kafka's
   * ProducerStateManager.update after UnifiedLog.append): data batches of idempotent or
   * transactional producers are recorded, markers close their producer's transaction.
   * Returns the transactions the markers closed (first offset -1: none was open here).
   */
  onAppend(batches: readonly ProducerBatchHeader[]): readonly CompletedTxn[] {
    let completed: CompletedTxn[] | null = null;
    for (const b of batches) {
      if (b.producerId < 0) continue;
      if (b.isControl) {
        const firstOffset = this.completeTransaction(b.producerId, b.producerEpoch, b.baseOffset);
        (completed ??= []).push({ producerId: b.producerId, firstOffset, lastOffset: b.baseOffset });
        continue;
      }
      if (b.baseSequence < 0 && b.isTransactional !== true) continue;
      this.update(
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        lastSequenceOf(b.baseSequence, b.lastOffsetDelta),
        b.baseOffset,
        b.baseOffset + b.lastOffsetDelta,
        b.maxTimestamp,
        b.isTransactional === true,
      );
    }
    return completed ?? NO_COMPLETED_TXNS;
  }

  rebuild(batches: Iterable<ProducerBatchHeader>): void {
    this.producers.clear();
    this.ongoing.clear();
    this.replay(batches);
  }

  /** Applies batch headers in log order on top of the current state. */
  replay(batches: Iterable<ProducerBatchHeader>): void {
    for (const b of batches) {
      if (b.producerId < 0) continue;
      if (b.isControl) {
        // Transaction markers carry the epoch but no sequence, and close the transaction.
        this.entryForEpoch(b.producerId, b.producerEpoch);
        this.ongoing.delete(b.producerId);
        continue;
      }
      this.update(
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        lastSequenceOf(b.baseSequence, b.lastOffsetDelta),
        b.baseOffset,
        b.baseOffset + b.lastOffsetDelta,
        b.maxTimestamp,
        b.isTransactional === true,
      );
    }
  }

  /**
   * Only the transaction effect of batch headers (open on a transactional batch, close on
   * a marker), for producers already in the table or not: recovers the open transactions
   * below a version-1 snapshot, which did not record them.
   */
  private replayTransactions(batches: Iterable<ProducerBatchHeader>, below: number): void {
    for (const b of batches) {
      if (b.baseOffset >= below) break;
      if (b.producerId < 0 || b.isTransactional !== true) continue;
      if (b.isControl) {
        this.ongoing.delete(b.producerId);
      } else if (!this.ongoing.has(b.producerId)) {
        this.ongoing.set(b.producerId, b.baseOffset);
        // keep "every open transaction has an entry"; the snapshot's entry, if any, wins
        if (!this.producers.has(b.producerId)) this.producers.set(b.producerId, { producerEpoch: b.producerEpoch, batches: [] });
      }
    }
  }

  clear(): void {
    this.producers.clear();
    this.ongoing.clear();
  }

  /** Producer ids with state here (tests). */
  producerIds(): number[] {
    return [...this.producers.keys()];
  }

  activeProducers(): ActiveProducerState[] {
    return [...this.producers].map(([producerId, entry]) => {
      const last = entry.batches[entry.batches.length - 1];
      return {
        producerId,
        producerEpoch: entry.producerEpoch,
        lastSequence: last?.lastSeq ?? -1,
        lastTimestamp: last?.timestamp ?? -1,
      };
    });
  }

  /** The table as snapshot bytes (layout in the file header). */
  toSnapshot(): Buffer {
    let size = 2 + 4 + 4;
    for (const entry of this.producers.values()) size += PRODUCER_HEADER_BYTES + entry.batches.length * BATCH_ENTRY_BYTES;
    const buf = Buffer.alloc(size);
    buf.writeInt16BE(SNAPSHOT_VERSION, 0);
    let pos = 6;
    buf.writeInt32BE(this.producers.size, pos);
    pos += 4;
    for (const [producerId, entry] of this.producers) {
      buf.writeBigInt64BE(BigInt(producerId), pos);
      buf.writeInt16BE(entry.producerEpoch, pos + 8);
      buf.writeBigInt64BE(BigInt(this.ongoing.get(producerId) ?? NO_TXN), pos + 10);
      buf.writeInt32BE(entry.batches.length, pos + 18);
      pos += PRODUCER_HEADER_BYTES;
      for (const b of entry.batches) {
        buf.writeInt32BE(b.firstSeq, pos);
        buf.writeInt32BE(b.lastSeq, pos + 4);
        buf.writeBigInt64BE(BigInt(b.firstOffset), pos + 8);
        buf.writeBigInt64BE(BigInt(b.lastOffset), pos + 16);
        buf.writeBigInt64BE(BigInt(b.timestamp), pos + 24);
        pos += BATCH_ENTRY_BYTES;
      }
    }
    buf.writeUInt32BE(crc32c(buf.subarray(6)), 2);
    return buf;
  }

  /**
   * Replaces the table with a snapshot's contents; throws on a bad version, CRC or length.
   * Returns the snapshot's version (1: open transactions were not recorded).
   */
  loadSnapshot(buf: Buffer): number {
    if (buf.length < 10) throw new Error(`producer snapshot of ${buf.length} bytes is truncated`);
    const version = buf.readInt16BE(0);
    if (version !== SNAPSHOT_VERSION && version !== SNAPSHOT_VERSION_NO_TXN) {
      throw new Error(`unsupported producer snapshot version ${version}`);
    }
    const hasTxn = version !== SNAPSHOT_VERSION_NO_TXN;
    if (buf.readUInt32BE(2) !== crc32c(buf.subarray(6))) throw new Error('producer snapshot CRC mismatch');
    const producers = new Map<number, ProducerEntry>();
    const ongoing = new Map<number, number>();
    let pos = 6;
    const count = buf.readInt32BE(pos);
    pos += 4;
    for (let i = 0; i < count; i++) {
      const producerId = Number(buf.readBigInt64BE(pos));
      const producerEpoch = buf.readInt16BE(pos + 8);
      const currentTxnFirstOffset = hasTxn ? Number(buf.readBigInt64BE(pos + 10)) : NO_TXN;
      const batchCount = buf.readInt32BE(pos + (hasTxn ? 18 : 10));
      pos += hasTxn ? PRODUCER_HEADER_BYTES : PRODUCER_HEADER_BYTES_V1;
      const batches: BatchMetadata[] = [];
      for (let j = 0; j < batchCount; j++) {
        batches.push({
          firstSeq: buf.readInt32BE(pos),
          lastSeq: buf.readInt32BE(pos + 4),
          firstOffset: Number(buf.readBigInt64BE(pos + 8)),
          lastOffset: Number(buf.readBigInt64BE(pos + 16)),
          timestamp: Number(buf.readBigInt64BE(pos + 24)),
        });
        pos += BATCH_ENTRY_BYTES;
      }
      producers.set(producerId, { producerEpoch, batches });
      if (currentTxnFirstOffset !== NO_TXN) ongoing.set(producerId, currentTxnFirstOffset);
    }
    if (pos !== buf.length) throw new Error(`producer snapshot has ${buf.length - pos} trailing bytes`);
    this.producers.clear();
    this.ongoing.clear();
    for (const [id, entry] of producers) this.producers.set(id, entry);
    for (const [id, firstOffset] of ongoing) this.ongoing.set(id, firstOffset);
    return version;
  }

  /**
   * Binds the table to its partition log and rebuilds it: the newest readable snapshot
   * at or below the log end offset (snapshots above it describe data that is gone and
   * are deleted), then the batch headers from that offset on. Only headers are read, so
   * this costs the batches after the snapshot, not the size of the log.
   */
  attachLog(log: PartitionLog, warn: (msg: string) => void = () => {}): void {
    this.log = log;
    this.activeSegmentBase = log.segmentFor(log.logEndOffset).baseOffset;
    this.producers.clear();
    this.ongoing.clear();
    let replayFrom = log.logStartOffset;
    const snapshots = listProducerSnapshots(log.dir);
    for (let i = snapshots.length - 1; i >= 0; i--) {
      const offset = snapshots[i]!;
      if (offset > log.logEndOffset) {
        deleteProducerSnapshot(log.dir, offset);
        continue;
      }
      try {
        const version = this.loadSnapshot(readProducerSnapshot(log.dir, offset));
        replayFrom = Math.max(offset, log.logStartOffset);
        // an old snapshot without open transactions: find them in the headers below it (once)
        if (version === SNAPSHOT_VERSION_NO_TXN) this.replayTransactions(batchHeadersFrom(log, log.logStartOffset), replayFrom);
        break;
      } catch (err) {
        warn(`${log.dir}: skipping producer snapshot at ${offset}: ${(err as Error).message}`);
        deleteProducerSnapshot(log.dir, offset);
        this.producers.clear();
        this.ongoing.clear();
      }
    }
    this.replay(batchHeadersFrom(log, replayFrom));
  }

  /** Writes `<offset>.snapshot` of the current state into the attached log's directory. */
  takeSnapshot(offset: number): void {
    if (!this.log) return;
    writeProducerSnapshot(this.log.dir, offset, this.toSnapshot());
    pruneProducerSnapshots(this.log.dir, SNAPSHOTS_RETAINED);
  }

  /** Clean shutdown: a snapshot at the log end offset, so a restart replays nothing. */
  snapshotAtLogEnd(): void {
    if (this.log) this.takeSnapshot(this.log.logEndOffset);
  }

  /**
   * The log rolled since the last update: the state before this update is the state as
   * of the new segment's base offset (the roll happened at an append boundary, and every
   * idempotent batch below `nextOffset` has been applied), so snapshot it there as Kafka
   * does on roll.
   */
  private snapshotIfRolled(nextOffset: number): void {
    if (!this.log) return;
    const base = this.log.segmentFor(this.log.logEndOffset).baseOffset;
    if (base === this.activeSegmentBase) return;
    this.activeSegmentBase = base;
    if (base <= nextOffset) this.takeSnapshot(base);
  }
}
