/**
 * EndTxn (key 26), v0-4: commits or aborts the producer's transaction; the coordinator
 * writes the COMMIT/ABORT markers to every partition before answering. v5 (Kafka 4's
 * transaction version 2 epoch bump) is not served. PRODUCER_FENCED is answered as
 * INVALID_PRODUCER_EPOCH below v2 (KIP-588).
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { EndTxnRequest, EndTxnResponse } from '../../protocol/generated/types.js';

export default defineHandler<EndTxnRequest, EndTxnResponse>({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx, services) {
    let errorCode = services.transactions.endTransaction(
      request.transactionalId,
      int64ToNumber(request.producerId),
      request.producerEpoch,
      request.committed,
    );
    if (errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
  },
});
