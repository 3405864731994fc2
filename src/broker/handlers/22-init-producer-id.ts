/**
 * InitProducerId (key 22), v0-5: a new producer id (epoch 0) for idempotent
 * producers; for a transactional id, its stable id with the epoch bumped. v3+ may
 * name the id/epoch the producer already has (KIP-360).
 */
import { defineHandler } from '../handler.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/generated/types.js';

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx, services) {
    const result = services.producerIds.initProducerId({
      transactionalId: request.transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      producerId: ctx.apiVersion >= 3 ? Number(request.producerId) : -1,
      producerEpoch: ctx.apiVersion >= 3 ? request.producerEpoch : -1,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      producerId: BigInt(result.producerId),
      producerEpoch: result.producerEpoch,
    };
  },
});
