/**
 * AddPartitionsToTxn (key 24), v0-3: adds partitions to the producer's open transaction
 * (starting it). Versions 4-5 are broker-to-broker (batched, verifyOnly) and are not
 * advertised (VERSIONS.md P4). As in Kafka, if any partition is unknown, those get
 * UNKNOWN_TOPIC_OR_PARTITION and the rest OPERATION_NOT_ATTEMPTED, and nothing is added.
 * PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH below v2 (KIP-588).
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../protocol/generated/types.js';
import type { TxnTopicPartition } from '../services/transaction-service.js';

export default defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: 24,
  minVersion: 0,
  maxVersion: 3,
  handle(request, ctx, services) {
    const unknown = new Set<string>();
    const partitions: TxnTopicPartition[] = [];
    for (const topic of request.v3AndBelowTopics) {
      for (const partition of topic.partitions) {
        // known to the cluster's metadata: the partition may be led (and hosted) by another broker
        if (services.metadata.topic(topic.name)?.partitions[partition] !== undefined) partitions.push({ topic: topic.name, partition });
        else unknown.add(`${topic.name}\u0000${partition}`);
      }
    }
    let errorCode: number;
    if (unknown.size > 0) {
      errorCode = ErrorCode.OPERATION_NOT_ATTEMPTED;
    } else {
      errorCode = services.transactions.addPartitions(
        request.v3AndBelowTransactionalId,
        int64ToNumber(request.v3AndBelowProducerId),
        request.v3AndBelowProducerEpoch,
        partitions,
      );
      if (errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      resultsByTransaction: [],
      resultsByTopicV3AndBelow: request.v3AndBelowTopics.map((topic) => ({
        name: topic.name,
        resultsByPartition: topic.partitions.map((partitionIndex) => ({
          partitionIndex,
          partitionErrorCode: unknown.has(`${topic.name}\u0000${partitionIndex}`)
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : errorCode,
        })),
      })),
    };
  },
});
