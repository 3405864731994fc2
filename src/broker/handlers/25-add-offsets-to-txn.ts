/**
 * AddOffsetsToTxn (key 25), v0-4: adds the group's `__consumer_offsets` partition to the
 * producer's transaction, so a following TxnOffsetCommit is committed or aborted with it.
 * PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH below v2 (KIP-588).
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../protocol/generated/types.js';

export default defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: 25,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx, services) {
    try {
      await services.metadata.ensureInternalTopic('__consumer_offsets');
      services.groups.ensureReady();
    } catch (err) {
      services.log(`AddOffsetsToTxn: cannot create __consumer_offsets: ${(err as Error).message}`);
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    }
    let errorCode = services.transactions.addOffsets(
      request.transactionalId,
      int64ToNumber(request.producerId),
      request.producerEpoch,
      request.groupId,
    );
    if (errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode };
  },
});
