/**
 * DescribeTransactions (key 65), v0 (KIP-664): state, producer id/epoch, timeout,
 * start time and partitions of each transactional id, from the transaction
 * coordinator (`kafka-transactions.sh describe`, Admin.describeTransactions).
 *
 * An unknown id answers TRANSACTIONAL_ID_NOT_FOUND with the other fields at their
 * wire defaults (empty state, zeros), as Kafka's TransactionCoordinator does.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  DescribeTransactionsResponseTopicData,
  DescribeTransactionsResponseTransactionState,
} from '../../protocol/generated/types.js';
import type { TxnTopicPartition } from '../services/transaction-service.js';

/** Partitions grouped by topic, in first-seen order (the response's Topics is keyed by name). */
function topicsOf(partitions: TxnTopicPartition[]): DescribeTransactionsResponseTopicData[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}

export default defineHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  handle(request, _ctx, services) {
    const transactionStates = request.transactionalIds.map((transactionalId): DescribeTransactionsResponseTransactionState => {
      const txn = services.transactions.describe(transactionalId);
      if (!txn) {
        return {
          errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
          transactionalId,
          transactionState: '',
          transactionTimeoutMs: 0,
          transactionStartTimeMs: 0n,
          producerId: 0n,
          producerEpoch: 0,
          topics: [],
        };
      }
      return {
        errorCode: ErrorCode.NONE,
        transactionalId,
        transactionState: txn.state,
        transactionTimeoutMs: txn.timeoutMs,
        transactionStartTimeMs: BigInt(txn.startTimestamp),
        producerId: BigInt(txn.producerId),
        producerEpoch: txn.producerEpoch,
        topics: topicsOf(txn.partitions),
      };
    });
    return { throttleTimeMs: 0, transactionStates };
  },
});
