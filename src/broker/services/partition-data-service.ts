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
  appendRecords(
    topic: string,
    partition: number,
    records: Buffer | null,
    options: { requiredAcks: number; allowZstd: boolean },
  ): AppendOutcome;
  readRecords(
    topic: string,
    partition: number,
    fetchOffset: number,
    maxBytes: number,
    options: { isolation: IsolationLevel; minOneMessage: boolean; replicaId?: number },
  ): ReadOutcome;
  /** Resolves when any of the partitions gets new data, or after timeoutMs. */
  waitForData(partitions: TopicPartitionRef[], timeoutMs: number): Promise<void>;
  listOffset(topic: string, partition: number, timestamp: number, isolation: IsolationLevel): ListOffsetOutcome;
  deleteRecords(topic: string, partition: number, offset: number): { errorCode: number; lowWatermark: number };
  /** DescribeProducers: the active producers of a partition this broker leads. */
  describeProducers(topic: string, partition: number): { errorCode: number; producers: ProducerDescription[] };
}
