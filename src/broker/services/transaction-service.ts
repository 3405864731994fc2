/**
 * What the transaction request handlers (InitProducerId with a transactional id,
 * AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit) and the produce path
 * need from the transaction coordinator, in domain terms. Declared in the broker layer
 * and implemented by TransactionCoordinator in src/coordinator.
 *
 * Epoch mismatches are reported as PRODUCER_FENCED; handlers of request versions that
 * predate KIP-588 map it to INVALID_PRODUCER_EPOCH, as Kafka does.
 */
import type { InitProducerIdParams, InitProducerIdResult } from './group-service.js';

/** Kafka's TransactionState names; the ids are the TransactionStatus values in `__transaction_state`. */
export type TransactionStateName =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

export interface TxnTopicPartition {
  topic: string;
  partition: number;
}

export interface TransactionDescription {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  state: TransactionStateName;
  timeoutMs: number;
  /** -1 unless a transaction is open */
  startTimestamp: number;
  partitions: TxnTopicPartition[];
}

export interface TransactionService {
  /** Creates `__transaction_state` if missing (FindCoordinator / InitProducerId do this in Kafka). */
  ensureReady(): Promise<void>;
  /** the `__transaction_state` partition of a transactional id: FindCoordinator answers its leader */
  partitionFor(transactionalId: string): number;
  /** InitProducerId for a non-empty transactional id: stable producer id, epoch bumped, old epoch fenced. */
  initProducerId(params: InitProducerIdParams): InitProducerIdResult;
  /** AddPartitionsToTxn v0-3: one error code for the whole set (partition-level errors are the handler's). */
  addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: TxnTopicPartition[]): number;
  /** AddOffsetsToTxn: adds the group's `__consumer_offsets` partition to the transaction. */
  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number;
  /** EndTxn: writes COMMIT/ABORT markers to every partition of the transaction, then completes it. */
  endTransaction(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): number;
  /**
   * Whether a transactional write (Produce batch or TxnOffsetCommit) by this producer may
   * go to the partition: NONE, or INVALID_PRODUCER_EPOCH / PRODUCER_FENCED / INVALID_TXN_STATE.
   * `transactionalId` null = look the producer up by id (Produce batches carry no id).
   */
  verifyTransactionalWrite(
    transactionalId: string | null,
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
  ): number;
  /** Current metadata of a transactional id (DescribeTransactions). */
  describe(transactionalId: string): TransactionDescription | undefined;
  /** Every transactional id the coordinator holds, Dead ones included (ListTransactions filters). */
  list(): TransactionDescription[];
}

/**
 * Writes a transaction marker to one partition this broker leads. Implemented by the
 * broker (ReplicaManager, plus the group coordinator for `__consumer_offsets`);
 * returns a Kafka error code.
 */
export type TransactionMarkerWriter = (marker: {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}) => number;
