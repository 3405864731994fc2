/**
 * TxnOffsetCommit (key 28), v0-4: a transactional producer commits a consumer group's
 * offsets inside its transaction (after AddOffsetsToTxn). They stay pending until the
 * transaction commits. v2+ carries the leader epoch, v3+ the group generation / member
 * (KIP-447), checked like OffsetCommit. A stale producer epoch gets INVALID_PRODUCER_EPOCH,
 * an offsets partition not added to the transaction INVALID_TXN_STATE.
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/generated/types.js';
import type { OffsetCommitPartition } from '../services/group-service.js';
import { PartitionErrors } from '../partition-errors.js';

export default defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx, services) {
    const producerId = int64ToNumber(request.producerId);
    const offsetsPartition = services.groups.partitionFor(request.groupId);
    // The group's offsets partition must be in the transaction (AddOffsetsToTxn), under the current epoch.
    const txnError = services.transactions.verifyTransactionalWrite(
      request.transactionalId,
      producerId,
      request.producerEpoch,
      '__consumer_offsets',
      offsetsPartition,
    );
    const errors = new PartitionErrors();
    const known: { name: string; partitions: OffsetCommitPartition[] }[] = [];
    for (const topic of request.topics) {
      const state = services.metadata.topic(topic.name);
      const partitions: OffsetCommitPartition[] = [];
      for (const p of topic.partitions) {
        if (!state || p.partitionIndex < 0 || p.partitionIndex >= state.partitions.length) {
          errors.set(topic.name, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        } else if (txnError !== ErrorCode.NONE) {
          errors.set(topic.name, p.partitionIndex, txnError);
        } else {
          partitions.push({
            partition: p.partitionIndex,
            offset: int64ToNumber(p.committedOffset),
            leaderEpoch: ctx.apiVersion >= 2 ? p.committedLeaderEpoch : -1,
            metadata: p.committedMetadata,
          });
        }
      }
      if (partitions.length > 0) known.push({ name: topic.name, partitions });
    }
    const respond = (): TxnOffsetCommitResponse => ({ throttleTimeMs: 0, topics: errors.inRequestOrder(request.topics) });
    if (known.length > 0) {
      const results = services.groups.commitTransactionalOffsets({
        transactionalId: request.transactionalId,
        groupId: request.groupId,
        producerId,
        producerEpoch: request.producerEpoch,
        generationId: ctx.apiVersion >= 3 ? request.generationId : -1,
        memberId: ctx.apiVersion >= 3 ? request.memberId : '',
        groupInstanceId: ctx.apiVersion >= 3 ? request.groupInstanceId : null,
        topics: known,
      });
      // a promise while the commit waits for the ISR of its __consumer_offsets partition
      if (results instanceof Promise) {
        return results.then((r) => {
          errors.setAll(r);
          return respond();
        });
      }
      errors.setAll(results);
    }
    return respond();
  },
});
