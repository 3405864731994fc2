/**
 * The transaction coordinator (Kafka's TransactionCoordinator + TransactionStateManager,
 * for a cluster of one): per transactional id a stable producer id and epoch, the
 * transaction state machine
 *   Empty/CompleteCommit/CompleteAbort → Ongoing → PrepareCommit|PrepareAbort → CompleteCommit|CompleteAbort
 * persisted in `__transaction_state` before it takes effect, COMMIT/ABORT markers written
 * to every partition of a transaction on EndTxn, fencing of older epochs on
 * InitProducerId, and aborts of transactions that outlive their timeout.
 *
 * A single broker writes markers synchronously through the injected writer (every
 * partition is local), so Prepare* states only persist across a crash; in a cluster the
 * marker channel sends them to each partition's leader (WriteTxnMarkers) and the
 * transaction completes once all are written. Loading a partition
 * (onLeaderElected when this broker becomes its leader, or `load()` for all) completes
 * them. A partition this broker stops leading is forgotten (onResigned) and its
 * transactional ids answer NOT_COORDINATOR.
 */
import type { BrokerConfig } from '../broker/config.js';
import type { InitProducerIdParams, InitProducerIdResult } from '../broker/services/group-service.js';
import type {
  TransactionDescription,
  TransactionMarkerWriter,
  TransactionService,
  TransactionStateName,
  TxnTopicPartition,
} from '../broker/services/transaction-service.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { iterateBatches } from '../protocol/records/batch.js';
import { buildRecordBatch, decodeRecordBatch } from '../protocol/records/record.js';
import { systemScheduler, type Scheduler, type TimerHandle } from './clock.js';
import type { OffsetsLog } from './offsets-log.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  transactionPartitionFor,
  type TransactionLogValue,
} from './transaction-records.js';
import { coordinatorStoreErrorCode } from './store-errors.js';
import type { TransactionMarkerChannelManager } from './transaction-marker-channel.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
/** Kafka moves to a fresh producer id once the epoch would reach Short.MAX_VALUE. */
const MAX_PRODUCER_EPOCH = 32767;
/** A single broker never changes its coordinator epoch for a partition. */
const COORDINATOR_EPOCH = 0;

export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms */
  transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutTransactionsIntervalMs: number;
  /** bytes read per fetch while replaying */
  loadBufferSize: number;
}

/** The coordinator's settings from the broker's `transaction.*` keys. */
export function transactionCoordinatorConfig(
  config: Pick<BrokerConfig, 'transactionMaxTimeoutMs' | 'transactionAbortTimedOutTransactionCleanupIntervalMs' | 'transactionStateLogLoadBufferSize'>,
): TransactionCoordinatorConfig {
  return {
    transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
    abortTimedOutTransactionsIntervalMs: config.transactionAbortTimedOutTransactionCleanupIntervalMs,
    loadBufferSize: config.transactionStateLogLoadBufferSize,
  };
}

export interface TransactionCoordinatorOptions {
  /** `__transaction_state`, numPartitions = transaction.state.log.num.partitions */
  log: OffsetsLog;
  /** creates `__transaction_state` (and waits for it) */
  ensureTopic: () => Promise<void>;
  /** a fresh producer id (shared with idempotent producers); throws KafkaError COORDINATOR_LOAD_IN_PROGRESS while none is at hand */
  generateProducerId: () => number;
  /** writes a marker to a partition this broker leads (the single broker: every partition) */
  writeMarker: TransactionMarkerWriter;
  /**
   * A cluster's marker channel (TransactionMarkerChannelManager): markers go to each
   * partition's leader asynchronously, and the transaction completes once all are written.
   * Absent: markers are written synchronously through `writeMarker`.
   */
  markerChannel?: Pick<TransactionMarkerChannelManager, 'writeMarkers'>;
  /** the `__consumer_offsets` partition of a group (AddOffsetsToTxn) */
  offsetsPartitionFor: (groupId: string) => number;
  config: TransactionCoordinatorConfig;
  scheduler?: Scheduler;
  logger?: (line: string) => void;
}

interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TransactionStateName;
  /** keyed by `${topic}\0${partition}` */
  partitions: Map<string, TxnTopicPartition>;
  startTimestamp: number;
  lastUpdateTimestamp: number;
}

function partitionKey(tp: TxnTopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

const storeErrorCode = (err: unknown): number => coordinatorStoreErrorCode(err);

export class TransactionCoordinator implements TransactionService {
  private readonly transactions = new Map<string, TxnMetadata>();
  private readonly byProducerId = new Map<number, TxnMetadata>();
  private readonly log: OffsetsLog;
  private readonly opts: TransactionCoordinatorOptions;
  private readonly scheduler: Scheduler;
  private readonly logger: (line: string) => void;
  private timeoutTimer: TimerHandle | null = null;
  /** transactional ids whose markers the channel is writing right now */
  private readonly markersInFlight = new Set<string>();
  private stopped = false;
  /**
   * `__transaction_state` partitions this coordinator owns (loaded, led by this broker);
   * null until leadership is first reported, when every partition is served
   */
  private owned: Set<number> | null = null;

  constructor(opts: TransactionCoordinatorOptions) {
    this.opts = opts;
    this.log = opts.log;
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.logger = opts.logger ?? (() => {});
  }

  // -------------------------------------------------------------------------
  // lifecycle

  /**
   * Replays `__transaction_state` (the last value per transactional id wins), finishes
   * transactions caught in PrepareCommit/PrepareAbort by a crash, and starts the
   * timed-out-transaction check.
   */
  load(): void {
    const loaded = new Map<string, TransactionLogValue | null>();
    for (let partition = 0; partition < this.log.numPartitions; partition++) this.loadPartition(partition, loaded);
    this.adopt(loaded);
    this.startup();
  }

  /** Starts the timed-out-transaction check; partitions then come with onLeaderElected. */
  startup(): void {
    this.scheduleTimeoutCheck();
  }

  /** This broker now leads a `__transaction_state` partition: load its transactions (Kafka's onElection). */
  onLeaderElected(partition: number): void {
    this.owned ??= new Set();
    if (this.owned.has(partition)) return;
    const loaded = new Map<string, TransactionLogValue | null>();
    this.loadPartition(partition, loaded);
    this.owned.add(partition);
    this.adopt(loaded);
  }

  /** The partition moved away: forget its transactions; their requests answer NOT_COORDINATOR (Kafka's onResignation). */
  onResigned(partition: number): void {
    this.owned ??= new Set(Array.from({ length: this.log.numPartitions }, (_, p) => p));
    this.owned.delete(partition);
    for (const meta of [...this.transactions.values()]) {
      if (transactionPartitionFor(meta.transactionalId, this.log.numPartitions) !== partition) continue;
      this.transactions.delete(meta.transactionalId);
      if (this.byProducerId.get(meta.producerId) === meta) this.byProducerId.delete(meta.producerId);
    }
  }

  /** true while this broker coordinates every `__transaction_state` partition (a single broker) */
  private coordinatesEveryPartition(): boolean {
    return this.owned === null || this.owned.size >= this.log.numPartitions;
  }

  /** Whether requests for the transactional id belong to another broker's coordinator. */
  private notCoordinatorFor(transactionalId: string): boolean {
    return this.owned !== null && !this.owned.has(transactionPartitionFor(transactionalId, this.log.numPartitions));
  }

  /** Indexes loaded transactions and completes those a crash left in PrepareCommit/PrepareAbort. */
  private adopt(loaded: Map<string, TransactionLogValue | null>): void {
    const adopted: TxnMetadata[] = [];
    for (const [transactionalId, value] of loaded) {
      if (value === null || value.state === 'Dead') continue;
      const meta: TxnMetadata = {
        transactionalId,
        producerId: value.producerId,
        producerEpoch: value.producerEpoch,
        timeoutMs: value.transactionTimeoutMs,
        state: value.state,
        partitions: new Map(value.partitions.map((tp) => [partitionKey(tp), tp])),
        startTimestamp: value.startTimestamp,
        lastUpdateTimestamp: value.lastUpdateTimestamp,
      };
      this.index(meta);
      adopted.push(meta);
    }
    for (const meta of adopted) {
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        this.logger(`[TransactionCoordinator] completing ${meta.state} of ${meta.transactionalId} after restart`);
        this.completeTransaction(meta);
      }
    }
  }

  shutdown(): void {
    this.stopped = true;
    this.timeoutTimer?.cancel();
    this.timeoutTimer = null;
  }

  async ensureReady(): Promise<void> {
    await this.opts.ensureTopic();
    this.log.ensureReady();
  }

  /** The `__transaction_state` partition of a transactional id (its coordinator is that partition's leader). */
  partitionFor(transactionalId: string): number {
    return transactionPartitionFor(transactionalId, this.log.numPartitions);
  }

  private loadPartition(partition: number, into: Map<string, TransactionLogValue | null>): void {
    let offset = this.log.logStartOffset(partition);
    const end = this.log.logEndOffset(partition);
    while (offset < end) {
      const chunk = this.log.read(partition, offset, this.opts.config.loadBufferSize);
      if (chunk.length === 0) break;
      let progressed = false;
      for (const view of iterateBatches(chunk)) {
        if (view.header.lastOffset < offset) continue;
        progressed = true;
        offset = view.header.lastOffset + 1;
        if (view.header.isControl) continue;
        for (const record of decodeRecordBatch(view.bytes).records) {
          if (!record.key) continue;
          try {
            const transactionalId = decodeTransactionLogKey(record.key);
            if (transactionalId === null) continue;
            into.set(transactionalId, record.value === null ? null : decodeTransactionLogValue(record.value));
          } catch (err) {
            this.logger(`[TransactionCoordinator] skipping an unreadable ${TRANSACTION_STATE_TOPIC} record: ${(err as Error).message}`);
          }
        }
      }
      if (!progressed) break;
    }
  }

  private index(meta: TxnMetadata): void {
    const previous = this.transactions.get(meta.transactionalId);
    if (previous && previous.producerId !== meta.producerId) this.byProducerId.delete(previous.producerId);
    this.transactions.set(meta.transactionalId, meta);
    this.byProducerId.set(meta.producerId, meta);
  }

  // -------------------------------------------------------------------------
  // persistence: every transition is written before it takes effect

  /** Writes `next` to `__transaction_state`, then makes it the in-memory state. Throws KafkaError. */
  private transition(next: TxnMetadata): void {
    const value = encodeTransactionLogValue({
      producerId: next.producerId,
      producerEpoch: next.producerEpoch,
      transactionTimeoutMs: next.timeoutMs,
      state: next.state,
      partitions: [...next.partitions.values()],
      lastUpdateTimestamp: next.lastUpdateTimestamp,
      startTimestamp: next.startTimestamp,
    });
    const batch = buildRecordBatch([{ key: encodeTransactionLogKey(next.transactionalId), value }], {
      timestamp: this.scheduler.now(),
    });
    this.log.ensureReady();
    const done = this.log.append(transactionPartitionFor(next.transactionalId, this.log.numPartitions), batch);
    // The state takes effect now; with followers in the ISR a write that then fails to
    // replicate is only logged (the coordinator's responses do not wait for the ISR yet).
    if (done instanceof Promise) {
      done.catch((err: unknown) => this.logger(`[TransactionCoordinator] replicating ${next.transactionalId} ${next.state} failed: ${(err as Error).message}`));
    }
    this.index(next);
  }

  private withState(meta: TxnMetadata, state: TransactionStateName, changes: Partial<TxnMetadata> = {}): TxnMetadata {
    return { ...meta, partitions: new Map(meta.partitions), ...changes, state, lastUpdateTimestamp: this.scheduler.now() };
  }

  // -------------------------------------------------------------------------
  // InitProducerId

  initProducerId(params: InitProducerIdParams): InitProducerIdResult {
    const fail = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    const transactionalId = params.transactionalId;
    if (transactionalId === null || transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (this.notCoordinatorFor(transactionalId)) return fail(ErrorCode.NOT_COORDINATOR);
    if (params.transactionTimeoutMs <= 0 || params.transactionTimeoutMs > this.opts.config.transactionMaxTimeoutMs) {
      return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    const now = this.scheduler.now();
    try {
      const current = this.transactions.get(transactionalId);
      if (!current) {
        const fresh: TxnMetadata = {
          transactionalId,
          producerId: this.opts.generateProducerId(),
          producerEpoch: 0,
          timeoutMs: params.transactionTimeoutMs,
          state: 'Empty',
          partitions: new Map(),
          startTimestamp: -1,
          lastUpdateTimestamp: now,
        };
        this.transition(fresh);
        return { errorCode: ErrorCode.NONE, producerId: fresh.producerId, producerEpoch: fresh.producerEpoch };
      }
      // KIP-360 (v3+): a producer naming its id/epoch must still be the current one.
      if (
        params.producerId >= 0 &&
        (params.producerId !== current.producerId || params.producerEpoch !== current.producerEpoch)
      ) {
        return fail(ErrorCode.PRODUCER_FENCED);
      }
      let meta = current;
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        // A marker write failed earlier; try to finish before handing out a new epoch.
        if (!this.completeTransaction(meta)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
        meta = this.transactions.get(transactionalId)!;
      }
      if (meta.state === 'Ongoing') {
        // The previous producer left a transaction open: fence it (epoch bump) and abort.
        if (!this.abortWithFencing(meta)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
        meta = this.transactions.get(transactionalId)!;
      }
      const exhausted = meta.producerEpoch + 1 >= MAX_PRODUCER_EPOCH;
      const next = this.withState(meta, 'Empty', {
        producerId: exhausted ? this.opts.generateProducerId() : meta.producerId,
        producerEpoch: exhausted ? 0 : meta.producerEpoch + 1,
        timeoutMs: params.transactionTimeoutMs,
        partitions: new Map(),
        startTimestamp: -1,
      });
      this.transition(next);
      return { errorCode: ErrorCode.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch };
    } catch (err) {
      this.logger(`[TransactionCoordinator] InitProducerId for ${transactionalId} failed: ${(err as Error).message}`);
      return fail(storeErrorCode(err));
    }
  }

  // -------------------------------------------------------------------------
  // AddPartitionsToTxn / AddOffsetsToTxn

  /** The transaction of an id, or the error Kafka answers for a producer that does not own it. */
  private ownedTransaction(transactionalId: string, producerId: number, producerEpoch: number): TxnMetadata | number {
    if (this.notCoordinatorFor(transactionalId)) return ErrorCode.NOT_COORDINATOR;
    const meta = this.transactions.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    return meta;
  }

  addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: TxnTopicPartition[]): number {
    const meta = this.ownedTransaction(transactionalId, producerId, producerEpoch);
    if (typeof meta === 'number') return meta;
    switch (meta.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
        return ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'Dead':
      case 'PrepareEpochFence':
        return ErrorCode.INVALID_TXN_STATE;
      default:
        break;
    }
    if (meta.state === 'Ongoing' && partitions.every((tp) => meta.partitions.has(partitionKey(tp)))) return ErrorCode.NONE;
    const now = this.scheduler.now();
    const next = this.withState(meta, 'Ongoing', {
      startTimestamp: meta.state === 'Ongoing' ? meta.startTimestamp : now,
      partitions: meta.state === 'Ongoing' ? new Map(meta.partitions) : new Map(),
    });
    for (const tp of partitions) next.partitions.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition });
    try {
      this.transition(next);
      return ErrorCode.NONE;
    } catch (err) {
      return storeErrorCode(err);
    }
  }

  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    return this.addPartitions(transactionalId, producerId, producerEpoch, [
      { topic: CONSUMER_OFFSETS_TOPIC, partition: this.opts.offsetsPartitionFor(groupId) },
    ]);
  }

  // -------------------------------------------------------------------------
  // EndTxn

  endTransaction(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): number {
    const meta = this.ownedTransaction(transactionalId, producerId, producerEpoch);
    if (typeof meta === 'number') return meta;
    switch (meta.state) {
      case 'Ongoing':
        break;
      case 'CompleteCommit':
        // A retried EndTxn whose first attempt completed.
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case 'PrepareCommit':
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      default:
        return ErrorCode.INVALID_TXN_STATE;
    }
    try {
      const prepared = this.withState(meta, commit ? 'PrepareCommit' : 'PrepareAbort');
      this.transition(prepared);
      // Once Prepare* is durable the outcome is decided; markers are (re)tried until written.
      this.completeTransaction(prepared);
      return ErrorCode.NONE;
    } catch (err) {
      return storeErrorCode(err);
    }
  }

  /**
   * Writes the markers of a PrepareCommit/PrepareAbort transaction and moves it to
   * CompleteCommit/CompleteAbort. Partitions whose topic is gone are skipped, as Kafka
   * does. Returns false (state left in Prepare*, retried by the timer) when a write fails.
   */
  private completeTransaction(meta: TxnMetadata): boolean {
    if (this.opts.markerChannel !== undefined) return this.sendMarkers(meta, this.opts.markerChannel);
    const commit = meta.state === 'PrepareCommit';
    let allWritten = true;
    for (const tp of meta.partitions.values()) {
      const errorCode = this.opts.writeMarker({
        topic: tp.topic,
        partition: tp.partition,
        producerId: meta.producerId,
        producerEpoch: meta.producerEpoch,
        commit,
        coordinatorEpoch: COORDINATOR_EPOCH,
      });
      if (errorCode !== ErrorCode.NONE && errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        this.logger(
          `[TransactionCoordinator] ${commit ? 'COMMIT' : 'ABORT'} marker for ${meta.transactionalId} to ${tp.topic}-${tp.partition} failed with error ${errorCode}`,
        );
        allWritten = false;
      }
    }
    if (!allWritten) return false;
    try {
      this.transition(
        this.withState(meta, commit ? 'CompleteCommit' : 'CompleteAbort', { partitions: new Map(), startTimestamp: -1 }),
      );
      return true;
    } catch (err) {
      this.logger(`[TransactionCoordinator] could not complete ${meta.transactionalId}: ${(err as Error).message}`);
      return false;
    }
  }

  /**
   * A cluster's completion (Kafka's TransactionMarkerChannelManager): the channel writes
   * the markers to each partition's leader, retrying until all are written; then
   * CompleteCommit/CompleteAbort is written. Returns false at once (the transaction stays
   * in Prepare*, so its producer is answered CONCURRENT_TRANSACTIONS meanwhile); gives up
   * when this broker no longer coordinates the transaction or the state moved on.
   */
  private sendMarkers(meta: TxnMetadata, channel: Pick<TransactionMarkerChannelManager, 'writeMarkers'>): boolean {
    const id = meta.transactionalId;
    if (this.markersInFlight.has(id)) return false;
    const commit = meta.state === 'PrepareCommit';
    const stillWanted = (): boolean => !this.stopped && this.transactions.get(id) === meta;
    this.markersInFlight.add(id);
    void channel
      .writeMarkers(
        {
          transactionalId: id,
          producerId: meta.producerId,
          producerEpoch: meta.producerEpoch,
          commit,
          coordinatorEpoch: COORDINATOR_EPOCH,
          partitions: [...meta.partitions.values()],
        },
        stillWanted,
      )
      .then(
        (written) => {
          this.markersInFlight.delete(id);
          if (!written || !stillWanted()) return;
          try {
            this.transition(this.withState(meta, commit ? 'CompleteCommit' : 'CompleteAbort', { partitions: new Map(), startTimestamp: -1 }));
          } catch (err) {
            this.logger(`[TransactionCoordinator] could not complete ${id}: ${(err as Error).message}`);
          }
        },
        (err: unknown) => {
          this.markersInFlight.delete(id);
          this.logger(`[TransactionCoordinator] sending the markers of ${id} failed: ${(err as Error).message}`);
        },
      );
    return false;
  }

  /** Kafka's prepareFenceProducerEpoch + abort: the open transaction is aborted under epoch+1. */
  private abortWithFencing(meta: TxnMetadata): boolean {
    const epoch = meta.producerEpoch + 1 >= MAX_PRODUCER_EPOCH ? meta.producerEpoch : meta.producerEpoch + 1;
    const prepared = this.withState(meta, 'PrepareAbort', { producerEpoch: epoch });
    this.transition(prepared);
    return this.completeTransaction(prepared);
  }

  // -------------------------------------------------------------------------
  // transaction timeouts

  private scheduleTimeoutCheck(): void {
    this.timeoutTimer?.cancel();
    this.timeoutTimer = this.scheduler.schedule(this.opts.config.abortTimedOutTransactionsIntervalMs, () => {
      this.timeoutTimer = null;
      this.abortTimedOutTransactions();
      this.scheduleTimeoutCheck();
    });
  }

  /**
   * Aborts (and fences) every Ongoing transaction older than its timeout, and retries
   * markers of transactions stuck in Prepare*. Returns the ids aborted for timing out.
   */
  abortTimedOutTransactions(now: number = this.scheduler.now()): string[] {
    const aborted: string[] = [];
    for (const meta of [...this.transactions.values()]) {
      try {
        if (meta.state === 'Ongoing' && meta.startTimestamp + meta.timeoutMs <= now) {
          this.logger(
            `[TransactionCoordinator] aborting transaction of ${meta.transactionalId} (producer ${meta.producerId}): it exceeded its ${meta.timeoutMs} ms timeout`,
          );
          this.abortWithFencing(meta);
          aborted.push(meta.transactionalId);
        } else if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
          this.completeTransaction(meta);
        }
      } catch (err) {
        this.logger(`[TransactionCoordinator] timeout check for ${meta.transactionalId} failed: ${(err as Error).message}`);
      }
    }
    return aborted;
  }

  // -------------------------------------------------------------------------
  // write verification (Produce, TxnOffsetCommit)

  verifyTransactionalWrite(
    transactionalId: string | null,
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
  ): number {
    // In a cluster the producer's coordinator may be another broker: a partition leader
    // (or group coordinator) then takes the write as Kafka does before KIP-890, the
    // partition's producer state fencing older epochs; the transaction's markers settle it.
    if (transactionalId !== null ? this.notCoordinatorFor(transactionalId) : !this.byProducerId.has(producerId) && !this.coordinatesEveryPartition()) {
      return ErrorCode.NONE;
    }
    const meta = transactionalId !== null ? this.transactions.get(transactionalId) : this.byProducerId.get(producerId);
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch < meta.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (producerEpoch !== meta.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (meta.state !== 'Ongoing' || !meta.partitions.has(partitionKey({ topic, partition }))) {
      return ErrorCode.INVALID_TXN_STATE;
    }
    return ErrorCode.NONE;
  }

  describe(transactionalId: string): TransactionDescription | undefined {
    const meta = this.transactions.get(transactionalId);
    return meta ? this.descriptionOf(meta) : undefined;
  }

  list(): TransactionDescription[] {
    return [...this.transactions.values()].map((meta) => this.descriptionOf(meta));
  }

  private descriptionOf(meta: TxnMetadata): TransactionDescription {
    return {
      transactionalId: meta.transactionalId,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      state: meta.state,
      timeoutMs: meta.timeoutMs,
      startTimestamp: meta.startTimestamp,
      partitions: [...meta.partitions.values()],
    };
  }
}
