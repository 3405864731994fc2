/**
 * Produce/fetch access to the partitions this broker leads. Implemented in the
 * broker layer by ReplicaManager; handlers (Produce, Fetch, ListOffsets,
 * DeleteRecords) translate the wire format to these calls.
 */

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface AppendOutcome {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  /** -1 unless the topic uses LogAppendTime */
  logAppendTime: number;
  logStartOffset: number;
  /** Produce v8+ record_errors: the records that made the batch fail validation */
  recordErrors?: { batchIndex: number; message: string | null }[];
  /** acks=all only, when the high watermark is still below the batch: the one it waits for (last offset + 1) */
  requiredOffset?: number;
}

/** One partition's batches of a Produce request. */
export interface AppendEntry {
  topic: string;
  partition: number;
  records: Buffer | null;
}

export interface AppendOptions {
  /** 0, 1 or -1 (all); anything else is INVALID_REQUIRED_ACKS */
  requiredAcks: number;
  /** Produce v7+: zstd batches accepted */
  allowZstd: boolean;
  /** Produce timeout.ms: how long acks=all waits for the ISR before REQUEST_TIMED_OUT */
  timeoutMs: number;
}

export interface ReadOutcome {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** whole record batches as stored; empty (never null) when there is nothing to return */
  records: Buffer;
  /** read_committed only: aborted transactions overlapping the returned range (Fetch v4+) */
  abortedTransactions?: { producerId: number; firstOffset: number }[];
}

export interface ListOffsetOutcome {
  errorCode: number;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/** DescribeProducers: a producer's idempotence state plus its open transaction here. */
export interface ProducerDescription {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  /** -1: not tracked per producer (every coordinator epoch here is 0) */
  coordinatorEpoch: number;
  /** first offset of the producer's open transaction on this partition, -1 when none */
  currentTxnStartOffset: number;
}

export interface PartitionDataService {
  /**
   * Appends every entry now, in order, and answers one outcome per entry per acks: for
   * 0/1 at once, for -1 once the high watermark covers each batch or timeoutMs passes (a
   * promise then; outcomes complete at once come back directly, so the response is
   * written in the same turn).
   */
  appendRecords(entries: readonly AppendEntry[], options: AppendOptions): AppendOutcome[] | Promise<AppendOutcome[]>;
  readRecords(
    topic: string,
    partition: number,
    fetchOffset: number,
    maxBytes: number,
    /** replicaId ≥ 0: a follower's fetch (reads up to the log end; its fetch offset is its log end offset) */
    options: { isolation: IsolationLevel; minOneMessage: boolean; replicaId?: number },
  ): ReadOutcome;
  /** Resolves when any of the partitions gets new data, or after timeoutMs. */
  waitForData(partitions: TopicPartitionRef[], timeoutMs: number): Promise<void>;
  listOffset(topic: string, partition: number, timestamp: number, isolation: IsolationLevel): ListOffsetOutcome;
  deleteRecords(topic: string, partition: number, offset: number): { errorCode: number; lowWatermark: number };
  /** DescribeProducers: the active producers of a partition this broker leads. */
  describeProducers(topic: string, partition: number): { errorCode: number; producers: ProducerDescription[] };
  /**
   * WriteTxnMarkers: appends a transaction coordinator's COMMIT/ABORT marker to a partition
   * this broker leads (coordinator origin) and answers once the ISR has it (acks=-1, at most
   * timeoutMs); NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT etc. otherwise.
   */
  writeTxnMarkerReplicated(marker: TxnMarker, timeoutMs: number): number | Promise<number>;
}

/** One COMMIT/ABORT control record for one partition (WriteTxnMarkers, or the coordinator's own broker). */
export interface TxnMarker {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}
