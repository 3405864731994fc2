/**
 * WriteTxnMarkers (key 27), v0-1: a transaction coordinator on another broker asks this
 * partition leader to append COMMIT/ABORT markers for a producer's transaction (Kafka's
 * TransactionMarkerChannelManager sends them to each partition's leader). Each marker is
 * appended as the leader, with coordinator origin, and answered per partition
 * (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, … for the coordinator to retry
 * where the leader moved). A marker on `__consumer_offsets` also settles the group
 * coordinator's pending TxnOffsetCommits of that producer, as the coordinator's own
 * broker does for its local partitions.
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/generated/types.js';

const OFFSETS_TOPIC = '__consumer_offsets';

/** How long a marker waits for the partition's ISR (Kafka waits request.timeout.ms; the sender's request outlasts this). */
const MARKER_ACK_TIMEOUT_MS = 15_000;

export default defineHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>({
  apiKey: 27,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _ctx, services) {
    const markers = await Promise.all(
      request.markers.map(async (marker) => {
        const producerId = int64ToNumber(marker.producerId);
        const topics = await Promise.all(
          marker.topics.map(async (topic) => ({
            name: topic.name,
            partitions: await Promise.all(
              topic.partitionIndexes.map(async (partition) => {
                const errorCode = await services.data.writeTxnMarkerReplicated(
                  { topic: topic.name, partition, producerId, producerEpoch: marker.producerEpoch, commit: marker.transactionResult, coordinatorEpoch: marker.coordinatorEpoch },
                  MARKER_ACK_TIMEOUT_MS,
                );
                if (errorCode === ErrorCode.NONE && topic.name === OFFSETS_TOPIC) {
                  services.groups.completeTransaction(partition, producerId, marker.transactionResult);
                }
                return { partitionIndex: partition, errorCode };
              }),
            ),
          })),
        );
        return { producerId: marker.producerId, topics };
      }),
    );
    return { markers };
  },
});
