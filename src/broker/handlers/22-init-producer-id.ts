/**
 * InitProducerId (key 22), v0-5: a new producer id (epoch 0) for idempotent
 * producers; for a transactional id, the transaction coordinator's stable id with the
 * epoch bumped (fencing the previous producer and aborting its open transaction). v3+
 * may name the id/epoch the producer already has (KIP-360). PRODUCER_FENCED is
 * answered as INVALID_PRODUCER_EPOCH below v4 (KIP-588).
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/generated/types.js';

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx, services) {
    const params = {
      transactionalId: request.transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      producerId: ctx.apiVersion >= 3 ? int64ToNumber(request.producerId) : -1,
      producerEpoch: ctx.apiVersion >= 3 ? request.producerEpoch : -1,
    };
    let result;
    if (params.transactionalId === null || params.transactionalId === '') {
      result = services.producerIds.initProducerId(params);
    } else {
      try {
        await services.transactions.ensureReady();
        result = services.transactions.initProducerId(params);
      } catch (err) {
        services.log(`InitProducerId: cannot create __transaction_state: ${(err as Error).message}`);
        result = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
      }
      if (result.errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 4) result.errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    }
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      producerId: BigInt(result.producerId),
      producerEpoch: result.producerEpoch,
    };
  },
});
