/**
 * DescribeProducers (key 61), v0 (KIP-664): the active idempotent/transactional
 * producers of each requested partition this broker leads: epoch, last sequence and
 * timestamp, and the first offset of an open transaction. `kafka-transactions.sh
 * describe-producers` and Admin.describeProducers call it; the admin client uses it
 * to find hanging transactions.
 *
 * Errors per partition as Kafka's ReplicaManager.activeProducerState answers them:
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER; the message stays null.
 */
import { defineHandler } from '../handler.js';
import type { DescribeProducersRequest, DescribeProducersResponse } from '../../protocol/generated/types.js';

export default defineHandler<DescribeProducersRequest, DescribeProducersResponse>({
  apiKey: 61,
  minVersion: 0,
  maxVersion: 0,
  handle(request, _ctx, services) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitionIndexes.map((partitionIndex) => {
          const { errorCode, producers } = services.data.describeProducers(topic.name, partitionIndex);
          return {
            partitionIndex,
            errorCode,
            errorMessage: null,
            activeProducers: producers.map((p) => ({
              producerId: BigInt(p.producerId),
              producerEpoch: p.producerEpoch,
              lastSequence: p.lastSequence,
              lastTimestamp: BigInt(p.lastTimestamp),
              coordinatorEpoch: p.coordinatorEpoch,
              currentTxnStartOffset: BigInt(p.currentTxnStartOffset),
            })),
          };
        }),
      })),
    };
  },
});
