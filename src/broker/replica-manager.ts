/**
 * ReplicaManager: the broker's access path to partition logs for Produce,
 * Fetch, ListOffsets and DeleteRecords. It checks leadership, hands batch bytes to the
 * partition log (which validates them, checks and updates its idempotent-producer state
 * and assigns offsets in place), advances the high watermark and wakes long-polling
 * fetches.
 *
 * Replication (Kafka's Partition.maybeIncrementLeaderHW): the high watermark is the
 * smallest log end offset over the ISR, the leader's own LEO included; a follower's LEO
 * is the fetch offset of its last Fetch (replica id ≥ 0, or ReplicaState from v15). A
 * single broker is an ISR of one, so there the high watermark follows each append.
 * acks=all waits in the produce purgatory until the high watermark passes its batch, or
 * answers REQUEST_TIMED_OUT after the request's timeout.ms.
 *
 * In a cluster (startReplication, then applyPartitionStates from each committed metadata
 * batch) the partition states come from the metadata publisher instead of the metadata
 * service, and src/broker/replication runs the rest: follower fetchers with truncation by
 * leader epoch, the leader's ISR expand/shrink through AlterPartition, and the maximal ISR
 * (committed plus in-flight additions) for the high watermark.
 *
 * Transactions: transactional batches are checked with the transaction coordinator
 * (only partitions added to the producer's open transaction, current epoch); each
 * partition log's producer state knows its open transactions (producer id → first
 * offset, kept in the producer snapshots, so a restart never scans the log for them) and
 * the last stable offset (LSO) is the first offset of the earliest open one, or the high
 * watermark; the coordinator's COMMIT/ABORT markers are written here, and aborted
 * transactions go to the segment's `.txnindex` for read_committed fetches.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { iterateBatches } from '../protocol/records/batch.js';
import { buildControlBatch, ControlRecordType } from '../protocol/records/record.js';
import { RecordValidationError } from '../protocol/records/validate.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { AbortedTxn } from '../storage/transaction-index.js';
import type {
  AppendEntry,
  AppendOptions,
  AppendOutcome,
  IsolationLevel,
  ListOffsetOutcome,
  PartitionDataService,
  ProducerDescription,
  ReadOutcome,
  TopicPartitionRef,
} from './services/partition-data-service.js';
import type { MetadataService } from './services/metadata-service.js';
import type { TransactionService } from './services/transaction-service.js';
import { FetchPurgatory } from './fetch-purgatory.js';
import { ProducePurgatory, type PendingPartition } from './produce-purgatory.js';
import { FollowerStates } from './follower-states.js';
import { apiErrorOf } from './api-error.js';
import { isDiskFailure } from '../storage/disk-errors.js';
import type { AppendOrigin } from '../protocol/records/validate.js';
import type { PartitionState } from './services/metadata-service.js';
import type { LocalPartition } from './replication/partition.js';
import { ReplicatedPartitions, type ReplicaManagerHooks } from './replication/replicated-partitions.js';
import type { PartitionStateChange, ReplicationOptions } from './replication/types.js';

export type {
  AlterPartitionRequest,
  AlterPartitionResult,
  AlterPartitionSender,
  BrokerEndpoint,
  PartitionStateChange,
  ReplicationOptions,
} from './replication/types.js';
export { replicationTuning } from './replication/types.js';

const ZSTD = 4;

// ListOffsets special timestamps (ListOffsets v1+; -3 from v7, -4 from v8, -5 from v9)
const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;

/** Transaction bookkeeping of one partition log. */
interface PartitionTxnState {
  /** open transactions: producer id → offset of its first record here (from the log's producer state) */
  ongoing: ReadonlyMap<number, number>;
  /** aborted transactions, oldest first (mirrors the `.txnindex` files) */
  aborted: AbortedTxn[];
}

function errorCodeOf(err: unknown): number {
  if (err instanceof KafkaError) return err.code;
  return isDiskFailure(err) ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** A full or failing disk is reported once per partition per minute, not once per batch. */
const STORAGE_WARNING_INTERVAL_MS = 60_000;

/**
 * A coordinator that owns the partitions of an internal topic this broker leads (Kafka's
 * onLeadershipChange callbacks to the group and transaction coordinators).
 */
export interface PartitionLeadershipListener {
  /** This broker became the partition's leader: load its state from the log. */
  onLeaderElected(partition: number, leaderEpoch: number): void;
  /** This broker no longer leads the partition: unload its state. */
  onResigned(partition: number): void;
}

/** A partition's state and local log as this broker serves it. */
interface ServedPartition {
  state: PartitionState;
  log: PartitionLog;
  /** set for partitions the metadata publisher handed over (applyPartitionStates) */
  local?: LocalPartition;
}

export class ReplicaManager implements PartitionDataService {
  private readonly purgatory = new FetchPurgatory();
  private readonly producePurgatory = new ProducePurgatory((p) => this.checkDelayedProduce(p));
  private readonly followers: FollowerStates;
  /** per listened topic: the listener and the partitions it was told this broker leads */
  private readonly leadershipListeners = new Map<string, { listener: PartitionLeadershipListener; led: Set<number> }>();
  /** aborted transactions per log object (a deleted and recreated topic starts clean), oldest first */
  private readonly abortedTxns = new WeakMap<PartitionLog, AbortedTxn[]>();
  private transactions: Pick<TransactionService, 'verifyTransactionalWrite'> | null = null;
  /** per "topic-partition": when its last storage warning was logged, and failures since */
  private readonly storageWarnings = new Map<string, { loggedAt: number; suppressed: number }>();
  /** partitions the metadata publisher described (replicated cluster); others follow the metadata service directly */
  private readonly replicated: ReplicatedPartitions;

  constructor(
    private readonly brokerId: number,
    private readonly metadata: MetadataService,
    private readonly log: (line: string) => void = () => {},
    /** broker default for topics without a min.insync.replicas override */
    private readonly defaultMinInsyncReplicas = 1,
  ) {
    this.followers = new FollowerStates(brokerId);
    this.replicated = new ReplicatedPartitions(brokerId, this.followers, this.replicationHooks(), log);
  }

  /** min.insync.replicas of a topic: its override, else the broker default. */
  private minInsyncReplicas(topic: string): number {
    const override = Number(this.metadata.topic(topic)?.configs['min.insync.replicas']);
    return Number.isInteger(override) && override > 0 ? override : this.defaultMinInsyncReplicas;
  }

  /** Set once the transaction coordinator exists (it writes its markers through this manager). */
  setTransactionVerifier(transactions: Pick<TransactionService, 'verifyTransactionalWrite'>): void {
    this.transactions = transactions;
  }

  /**
   * The partition's transaction state: open transactions from its producer-state tracker
   * (rebuilt from the newest producer snapshot plus the batch headers after it, never from
   * the whole log), aborted ones from the `.txnindex` files, read once per log.
   */
  private txnState(topic: string, partition: number, log: PartitionLog): PartitionTxnState {
    const ongoing = log.producerState.ongoingTransactions();
    let aborted = this.abortedTxns.get(log);
    if (aborted) {
      // retention moved the log start: forget what can no longer be fetched
      while (aborted.length > 0 && aborted[0]!.lastOffset < log.logStartOffset) aborted.shift();
    } else {
      aborted = log.abortedTxns().filter((a) => a.lastOffset >= log.logStartOffset);
      this.abortedTxns.set(log, aborted);
    }
    return { ongoing, aborted };
  }

  /**
   * First offset of the earliest open transaction, or the high watermark. An open
   * transaction whose first records were deleted (DeleteRecords, retention) holds the LSO
   * at the log start offset, as Kafka's firstUnstableOffset does.
   */
  private lastStableOffset(log: PartitionLog, ongoing: ReadonlyMap<number, number>): number {
    let lso = log.highWatermark;
    for (const firstOffset of ongoing.values()) if (firstOffset < lso) lso = firstOffset;
    return Math.max(lso, log.logStartOffset);
  }

  /** The log of a partition this broker leads, or a Kafka error code. */
  private leaderLog(topic: string, partition: number): PartitionLog | number {
    const found = this.served(topic, partition);
    if (!found) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (found.state.leader !== this.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (!found.log) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return found.log;
  }

  /**
   * The partition's state and log as this broker serves it: what the metadata publisher
   * last applied (applyPartitionStates) for a replicated partition, else the metadata
   * service's state (a single broker, which never starts replication).
   */
  private served(topic: string, partition: number): ServedPartition | undefined {
    const found = this.metadata.getPartition(topic, partition);
    if (!found) return undefined;
    const local = this.replicated.local(topic, partition);
    return local ? { state: local.state, log: found.log, local } : found;
  }

  /**
   * Starts replication (a broker of a cluster): follower fetchers towards the leaders of
   * the partitions this broker follows, and the leader's ISR check every
   * replica.lag.time.max.ms / 2. Call once, before the first applyPartitionStates.
   */
  startReplication(options: ReplicationOptions): void {
    this.replicated.start(options);
  }

  /**
   * The committed metadata changed these partitions (Kafka's ReplicaManager.applyDelta):
   * for each partition this broker hosts, become its leader (follower states reset, the
   * epoch recorded at the log end, the high watermark from the ISR) or its follower
   * (produce answers NOT_LEADER_OR_FOLLOWER, waiting acks=all fail, the fetcher of the
   * new leader truncates then fetches); a partition no longer assigned here stops being
   * fetched. The local log must exist already. Changes older than what was applied
   * (leader epoch, then partition epoch) are ignored. Leadership listeners are told.
   */
  applyPartitionStates(changes: readonly PartitionStateChange[]): void {
    this.replicated.apply(changes);
  }

  /** The partitions' topic was deleted (or they moved away): stop fetching them and forget their state. */
  removePartitions(partitions: ReadonlyArray<{ topic: string; partition: number }>): void {
    this.replicated.remove(partitions);
  }

  /** Stops the fetchers and the ISR check; waits for fetches in flight to end. Call before closing the logs. */
  shutdown(): Promise<void> {
    return this.replicated.shutdown();
  }

  /** The fetch state of a followed partition (tests, diagnostics). */
  followerFetchState(topic: string, partition: number): { state: 'truncating' | 'fetching'; fetchOffset: number } | undefined {
    return this.replicated.followerFetchState(topic, partition);
  }

  /** The periodic ISR check, on demand (it also runs every replica.lag.time.max.ms / 2). */
  maybeShrinkIsr(): void {
    this.replicated.maybeShrinkIsr();
  }

  /** What replication changes mean for this manager's logs, purgatories and listeners. */
  private replicationHooks(): ReplicaManagerHooks {
    return {
      logOf: (topic, partition) => this.metadata.getPartition(topic, partition)?.log,
      partitionChanged: (topic, partition) => {
        const log = this.metadata.getPartition(topic, partition)?.log;
        if (log) this.maybeIncrementHighWatermark(topic, partition, log);
        // acks=all waiting here settle against the new state; long-polling fetches re-check leadership
        this.producePurgatory.checkAndComplete(topic, partition);
        this.purgatory.notify(topic, partition);
      },
      followerLogChanged: (topic, partition, log) => {
        // aborted transactions are cached per log for the leader; re-read them if this broker leads again
        this.abortedTxns.delete(log);
        this.purgatory.notify(topic, partition);
      },
      becameLeader: (log) => {
        this.abortedTxns.delete(log);
      },
      leadershipChanged: () => this.applyLeadershipChanges(),
    };
  }

  /**
   * On start-up a leader whose ISR is only itself owns every record in its log:
   * the high watermark read from replication-offset-checkpoint may be stale
   * after a hard kill, so it moves to the log end offset (as Kafka's leader does
   * once its ISR has caught up).
   */
  advanceSoleLeaderHighWatermarks(): void {
    for (const topic of this.metadata.topics()) {
      for (const state of topic.partitions) {
        if (state.leader !== this.brokerId || state.isr.length > 1) continue;
        const found = this.metadata.getPartition(topic.name, state.partition);
        if (found?.log) found.log.highWatermark = found.log.logEndOffset;
      }
    }
  }

  /**
   * Appends each entry's batches (handlers/00-produce.ts), then answers per acks: at once
   * for acks=0/1, and for acks=all once the high watermark covers every partition's batch
   * (or REQUEST_TIMED_OUT after timeoutMs). Appends happen before this returns, in entry
   * order; what is complete at once is returned as is (no promise, no extra turn).
   */
  appendRecords(entries: readonly AppendEntry[], options: AppendOptions): AppendOutcome[] | Promise<AppendOutcome[]> {
    const outcomes: AppendOutcome[] = new Array<AppendOutcome>(entries.length);
    let pending: PendingPartition[] | null = null;
    for (let i = 0; i < entries.length; i++) {
      const { topic, partition, records } = entries[i]!;
      const outcome = this.appendToLeader(topic, partition, records, options, 'client');
      outcomes[i] = outcome;
      if (options.requiredAcks === -1 && outcome.errorCode === ErrorCode.NONE && outcome.requiredOffset !== undefined) {
        (pending ??= []).push({ topic, partition, requiredOffset: outcome.requiredOffset, outcome });
      }
    }
    if (pending === null) return outcomes;
    return this.producePurgatory.tryCompleteElseWatch(pending, outcomes, options.timeoutMs);
  }

  /**
   * A partition of a delayed produce: done (NONE) once the high watermark reaches its
   * batch, unless the ISR shrank below min.insync.replicas meanwhile; failed when this
   * broker lost the leadership; else still waiting (Kafka's Partition.checkEnoughReplicasReachOffset).
   */
  private checkDelayedProduce(p: PendingPartition): number | null {
    const found = this.served(p.topic, p.partition);
    if (!found?.log || found.state.leader !== this.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (found.log.highWatermark < p.requiredOffset) return null;
    // Kafka checks the maximal ISR here: a shrink the controller has not confirmed still counts
    const isrSize = found.local?.maximalIsr.length ?? found.state.isr.length;
    return isrSize < this.minInsyncReplicas(p.topic) ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE;
  }

  /**
   * A coordinator's write to an internal topic (`__consumer_offsets`, `__transaction_state`):
   * acks=all through the same path as Produce, without the client-only checks (Kafka's
   * AppendOrigin.COORDINATOR). The outcome directly when complete at once.
   */
  appendAsCoordinator(topic: string, partition: number, batch: Buffer, timeoutMs: number): AppendOutcome | Promise<AppendOutcome> {
    const options: AppendOptions = { requiredAcks: -1, allowZstd: true, timeoutMs };
    const outcome = this.appendToLeader(topic, partition, batch, options, 'coordinator');
    if (outcome.errorCode !== ErrorCode.NONE || outcome.requiredOffset === undefined) return outcome;
    const done = this.producePurgatory.tryCompleteElseWatch(
      [{ topic, partition, requiredOffset: outcome.requiredOffset, outcome }],
      [outcome],
      timeoutMs,
    );
    return done instanceof Promise ? done.then((o) => o[0]!) : outcome;
  }

  /** Tells `listener` whenever this broker gains or loses the leadership of a partition of `topic`. */
  addLeadershipListener(topic: string, listener: PartitionLeadershipListener): void {
    this.leadershipListeners.set(topic, { listener, led: new Set() });
    this.applyLeadershipChanges();
  }

  /**
   * Compares the metadata's leaders of the listened topics with what their listeners were
   * told and reports the differences (resignations first). Call after every metadata change
   * (Kafka's ReplicaManager.applyDelta); delayed produces of resigned partitions fail.
   */
  applyLeadershipChanges(): void {
    // acks=all produces waiting on a partition this broker no longer leads fail now
    this.producePurgatory.checkAll();
    for (const [topic, entry] of this.leadershipListeners) {
      const leading = new Map<number, number>();
      for (const state of this.metadata.topic(topic)?.partitions ?? []) {
        const served = this.served(topic, state.partition);
        if (served?.log && served.state.leader === this.brokerId) {
          leading.set(state.partition, served.state.leaderEpoch);
        }
      }
      for (const partition of [...entry.led]) {
        if (leading.has(partition)) continue;
        entry.led.delete(partition);
        entry.listener.onResigned(partition);
      }
      for (const [partition, leaderEpoch] of leading) {
        if (entry.led.has(partition)) continue;
        entry.led.add(partition);
        entry.listener.onLeaderElected(partition, leaderEpoch);
      }
    }
  }

  private appendToLeader(
    topic: string,
    partition: number,
    records: Buffer | null,
    options: AppendOptions,
    origin: AppendOrigin,
  ): AppendOutcome {
    const outcome: AppendOutcome = { errorCode: 0, errorMessage: null, baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') {
      outcome.errorCode = log;
      return outcome;
    }
    outcome.logStartOffset = log.logStartOffset;
    if (options.requiredAcks !== 0 && options.requiredAcks !== 1 && options.requiredAcks !== -1) {
      outcome.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
      return outcome;
    }
    if (!records || records.length === 0) {
      outcome.errorCode = ErrorCode.CORRUPT_MESSAGE;
      outcome.errorMessage = 'empty record set';
      return outcome;
    }
    const state = this.served(topic, partition)!.state;
    // acks=all promises min.insync.replicas copies: refuse before writing when the ISR is smaller
    if (options.requiredAcks === -1) {
      const minIsr = this.minInsyncReplicas(topic);
      if (state.isr.length < minIsr) {
        outcome.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
        outcome.errorMessage = `The size of the current ISR [${state.isr.join(', ')}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${topic}-${partition}`;
        return outcome;
      }
    }
    try {
      // Header-only pass: codec gate and transaction verification (client batches only; a
      // coordinator's own writes are trusted, as Kafka's AppendOrigin.COORDINATOR).
      // Produce requests carry one batch per partition.
      const headers = origin === 'client' ? iterateBatches(records) : [];
      for (const { header: batch } of headers) {
        if (batch.compression === ZSTD && !options.allowZstd) {
          outcome.errorCode = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
          outcome.errorMessage = 'zstd compression needs Produce v7 or later';
          return outcome;
        }
        if (batch.isTransactional && this.transactions) {
          const txnError = this.transactions.verifyTransactionalWrite(
            null,
            batch.producerId,
            batch.producerEpoch,
            topic,
            partition,
          );
          if (txnError !== ErrorCode.NONE) {
            outcome.errorCode = txnError;
            outcome.errorMessage = `Transactional batch of producer ${batch.producerId} rejected for ${topic}-${partition}`;
            return outcome;
          }
        }
      }
      // Kafka's order, all inside the log: validate, check the idempotent producer state, append, update it.
      const info = log.appendAsLeader(records, state.leaderEpoch, undefined, origin);
      outcome.baseOffset = info.baseOffset;
      if (!info.duplicate) {
        outcome.logAppendTime = info.logAppendTime;
        outcome.logStartOffset = log.logStartOffset;
        this.maybeIncrementHighWatermark(topic, partition, log);
        this.purgatory.notify(topic, partition);
      }
      // acks=all waits only while the high watermark is below the batch (a retried batch: below
      // the original, as Kafka's duplicate LogAppendInfo); an ISR of one never waits
      if (options.requiredAcks === -1 && log.highWatermark <= info.lastOffset) outcome.requiredOffset = info.lastOffset + 1;
      return outcome;
    } catch (err) {
      if (errorCodeOf(err) === ErrorCode.KAFKA_STORAGE_ERROR) {
        // Disk full or failing: the log truncated any partial write, so the client may retry
        // (and refresh metadata); appends resume by themselves once space returns.
        this.warnStorageFailure(topic, partition, err);
        outcome.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        outcome.errorMessage = err instanceof KafkaError ? err.message : null;
        return outcome;
      }
      ({ errorCode: outcome.errorCode, errorMessage: outcome.errorMessage } = apiErrorOf(err, this.log, `Append to ${topic}-${partition}`));
      // Produce v8+: which records were refused (Kafka's RecordValidationException)
      if (err instanceof RecordValidationError) outcome.recordErrors = err.recordErrors;
      return outcome;
    }
  }

  /**
   * The high watermark becomes the smallest log end offset over the ISR (the leader's own
   * included; a follower that never fetched holds it back), never moving backwards. When
   * it moves, delayed produces it satisfies complete and long-polling fetches wake.
   */
  private maybeIncrementHighWatermark(topic: string, partition: number, log: PartitionLog): void {
    const found = this.served(topic, partition);
    if (!found || found.state.leader !== this.brokerId || found.log !== log) return;
    const newHw = this.followers.highWatermarkOf(log, found.state, found.local?.maximalIsr);
    if (newHw === null || newHw <= log.highWatermark) return;
    log.highWatermark = newHw;
    this.producePurgatory.checkAndComplete(topic, partition);
    this.purgatory.notify(topic, partition);
  }

  private warnStorageFailure(topic: string, partition: number, err: unknown): void {
    const key = `${topic}-${partition}`;
    const now = Date.now();
    const last = this.storageWarnings.get(key);
    if (last && now - last.loggedAt < STORAGE_WARNING_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    const more = last && last.suppressed > 0 ? ` (${last.suppressed} more failed appends since the last warning)` : '';
    this.storageWarnings.set(key, { loggedAt: now, suppressed: 0 });
    const why = err instanceof Error ? err.message : String(err);
    this.log(`WARN Appends to ${key} fail: ${why}; answering KAFKA_STORAGE_ERROR until the log dir can be written again${more}`);
  }

  readRecords(
    topic: string,
    partition: number,
    fetchOffset: number,
    maxBytes: number,
    options: { isolation: IsolationLevel; minOneMessage: boolean; replicaId?: number },
  ): ReadOutcome {
    const outcome: ReadOutcome = {
      errorCode: 0,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      records: Buffer.alloc(0),
    };
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') {
      outcome.errorCode = log;
      return outcome;
    }
    // A follower's fetch: its fetch offset is its log end offset, and it reads up to ours.
    const fromFollower = options.replicaId !== undefined && options.replicaId >= 0;
    if (fromFollower && fetchOffset >= log.logStartOffset && fetchOffset <= log.logEndOffset) {
      const served = this.served(topic, partition)!;
      const now = Date.now();
      if (!this.followers.update(log, served.state, options.replicaId!, fetchOffset, now)) {
        outcome.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        return outcome;
      }
      if (served.local) this.replicated.onFollowerFetch(served.local, log, options.replicaId!, now);
      this.maybeIncrementHighWatermark(topic, partition, log);
    }
    outcome.highWatermark = log.highWatermark;
    const txn = this.txnState(topic, partition, log);
    outcome.lastStableOffset = this.lastStableOffset(log, txn.ongoing);
    if (options.isolation === 'read_committed') outcome.abortedTransactions = [];
    outcome.logStartOffset = log.logStartOffset;
    const upper = fromFollower
      ? log.logEndOffset
      : options.isolation === 'read_committed'
        ? outcome.lastStableOffset
        : outcome.highWatermark;
    if (fetchOffset < log.logStartOffset || fetchOffset > log.logEndOffset) {
      outcome.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
      return outcome;
    }
    if (fetchOffset >= upper) return outcome;
    try {
      const read = log.read(fetchOffset, maxBytes, { maxOffset: upper, minOneMessage: options.minOneMessage });
      let endOfData = fetchOffset;
      // Stored batches go out as they are, zstd included: Fetch refuses old versions by the
      // topic's compression.type, not by what the batches hold (handlers/01-fetch.ts).
      for (const { header: batch } of iterateBatches(read.records)) endOfData = batch.lastOffset + 1;
      outcome.records = read.records;
      if (options.isolation === 'read_committed') {
        // Fetch v4+: the aborted transactions overlapping the returned range, so the consumer drops their records.
        outcome.abortedTransactions = txn.aborted
          .filter((a) => a.lastOffset >= fetchOffset && a.firstOffset < endOfData)
          .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
      }
    } catch (err) {
      outcome.errorCode = apiErrorOf(err, this.log, `Read of ${topic}-${partition} at offset ${fetchOffset}`).errorCode;
    }
    return outcome;
  }

  waitForData(partitions: TopicPartitionRef[], timeoutMs: number): Promise<void> {
    return this.purgatory.wait(partitions, timeoutMs);
  }

  listOffset(topic: string, partition: number, timestamp: number, isolation: IsolationLevel): ListOffsetOutcome {
    const outcome: ListOffsetOutcome = { errorCode: 0, timestamp: -1, offset: -1, leaderEpoch: -1 };
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') {
      outcome.errorCode = log;
      return outcome;
    }
    outcome.leaderEpoch = this.served(topic, partition)!.state.leaderEpoch;
    const lastStable = this.lastStableOffset(log, log.producerState.ongoingTransactions());
    switch (timestamp) {
      case LATEST:
        outcome.offset = isolation === 'read_committed' ? lastStable : log.highWatermark;
        return outcome;
      case EARLIEST:
      case EARLIEST_LOCAL:
        outcome.offset = log.logStartOffset;
        return outcome;
      case LATEST_TIERED:
        // no tiered storage: Kafka answers -1
        return outcome;
      case MAX_TIMESTAMP: {
        const found = log.offsetOfMaxTimestamp();
        if (found) {
          outcome.offset = found.offset;
          outcome.timestamp = found.timestamp;
        }
        return outcome;
      }
      default: {
        if (timestamp < 0) {
          outcome.errorCode = ErrorCode.INVALID_REQUEST;
          return outcome;
        }
        const found = log.offsetForTimestamp(timestamp);
        if (found && found.offset < (isolation === 'read_committed' ? lastStable : log.highWatermark)) {
          outcome.offset = found.offset;
          outcome.timestamp = found.timestamp;
        }
        return outcome;
      }
    }
  }

  deleteRecords(topic: string, partition: number, offset: number): { errorCode: number; lowWatermark: number } {
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') return { errorCode: log, lowWatermark: -1 };
    // DeleteRecords: -1 means "up to the high watermark"
    const target = offset === -1 ? log.highWatermark : offset;
    if (target < 0 || target > log.highWatermark) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: log.logStartOffset };
    }
    try {
      if (target > log.logStartOffset) log.deleteRecordsBefore(target);
      return { errorCode: 0, lowWatermark: log.logStartOffset };
    } catch (err) {
      return { errorCode: errorCodeOf(err), lowWatermark: log.logStartOffset };
    }
  }

  describeProducers(topic: string, partition: number): { errorCode: number; producers: ProducerDescription[] } {
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') return { errorCode: log, producers: [] };
    const tracker = log.producerState;
    const ongoing = tracker.ongoingTransactions();
    const producers = tracker
      .activeProducers()
      .map((p) => ({ ...p, coordinatorEpoch: -1, currentTxnStartOffset: ongoing.get(p.producerId) ?? -1 }));
    return { errorCode: ErrorCode.NONE, producers };
  }

  /**
   * Appends a COMMIT or ABORT marker for a producer's transaction (the coordinator's
   * WriteTxnMarkers, done locally), closes the transaction on this partition and, for an
   * abort, records it in the `.txnindex`. Returns a Kafka error code.
   */
  writeTxnMarker(marker: {
    topic: string;
    partition: number;
    producerId: number;
    producerEpoch: number;
    commit: boolean;
    coordinatorEpoch: number;
  }): number {
    const { topic, partition, producerId, producerEpoch } = marker;
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') return log;
    const state = this.served(topic, partition)!.state;
    try {
      const txn = this.txnState(topic, partition, log);
      const now = Date.now();
      const batch = buildControlBatch(marker.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, marker.coordinatorEpoch, {
        producerId,
        producerEpoch,
        timestamp: now,
      });
      // The log's producer state takes the marker's epoch as the producer's (writes of older
      // epochs are fenced) and closes the transaction, as a snapshot or a header replay would.
      const info = log.appendAsLeader(batch, state.leaderEpoch, undefined, 'coordinator');
      this.maybeIncrementHighWatermark(topic, partition, log);
      // an ABORT that closed an open transaction is in the log's `.txnindex` now; keep the cache in step
      for (const entry of info.abortedTxns ?? []) txn.aborted.push(entry);
      this.purgatory.notify(topic, partition);
      return ErrorCode.NONE;
    } catch (err) {
      if (!(err instanceof KafkaError)) this.log(`Error writing a transaction marker to ${topic}-${partition}: ${String(err)}`);
      return errorCodeOf(err);
    }
  }

  /**
   * WriteTxnMarkers as Kafka answers it (acks=-1): the marker appended as writeTxnMarker
   * does, then NONE once the high watermark covers it — so a marker the coordinator counts
   * as written survives the leader's loss — or REQUEST_TIMED_OUT / NOT_LEADER_OR_FOLLOWER
   * (the coordinator then retries, a duplicate marker being harmless). The code directly
   * when complete at once (an ISR of one).
   */
  writeTxnMarkerReplicated(marker: Parameters<ReplicaManager['writeTxnMarker']>[0], timeoutMs: number): number | Promise<number> {
    const errorCode = this.writeTxnMarker(marker);
    if (errorCode !== ErrorCode.NONE) return errorCode;
    const log = this.leaderLog(marker.topic, marker.partition);
    if (typeof log === 'number') return log;
    const requiredOffset = log.logEndOffset;
    if (log.highWatermark >= requiredOffset) return ErrorCode.NONE;
    const outcome: AppendOutcome = { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: requiredOffset - 1, logAppendTime: -1, logStartOffset: log.logStartOffset, requiredOffset };
    const done = this.producePurgatory.tryCompleteElseWatch([{ topic: marker.topic, partition: marker.partition, requiredOffset, outcome }], [outcome], timeoutMs);
    return done instanceof Promise ? done.then((o) => o[0]!.errorCode) : done[0]!.errorCode;
  }

  close(): void {
    void this.replicated.shutdown();
    this.producePurgatory.cancelAll();
    this.purgatory.cancelAll();
  }
}
