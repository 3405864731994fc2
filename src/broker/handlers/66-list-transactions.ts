/**
 * ListTransactions (key 66), v0-1 (KIP-664; v1 adds DurationFilter, KIP-994): the
 * transactional ids the coordinator holds, filtered by state, producer id and (v1)
 * how long the transaction has been running. `kafka-transactions.sh list` and
 * Admin.listTransactions call it.
 *
 * As Kafka's TransactionStateManager: Dead ids are never listed; a state filter that
 * names no Kafka state is echoed in unknownStateFilters (and matches nothing); with a
 * duration filter >= 0 only transactions started more than that many ms ago qualify.
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ListTransactionsRequest, ListTransactionsResponse } from '../../protocol/generated/types.js';
import type { TransactionStateName } from '../services/transaction-service.js';

const STATE_NAMES: ReadonlySet<string> = new Set<TransactionStateName>([
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
]);

export default defineHandler<ListTransactionsRequest, ListTransactionsResponse>({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx, services) {
    const unknownStateFilters = request.stateFilters.filter((name) => !STATE_NAMES.has(name));
    const states = new Set(request.stateFilters);
    const producerIds = new Set(request.producerIdFilters.map((id) => Number(id)));
    const durationMs = ctx.apiVersion >= 1 ? int64ToNumber(request.durationFilter) : -1;
    const now = Date.now();
    const transactionStates = services.transactions
      .list()
      .filter(
        (txn) =>
          txn.state !== 'Dead' &&
          (producerIds.size === 0 || producerIds.has(txn.producerId)) &&
          (states.size === 0 || states.has(txn.state)) &&
          (durationMs < 0 || now - txn.startTimestamp > durationMs),
      )
      .map((txn) => ({ transactionalId: txn.transactionalId, producerId: BigInt(txn.producerId), transactionState: txn.state }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  },
});
