/**
 * OffsetCommit (key 8), v1-9: stores a group's committed offsets. v1 carries a
 * per-partition commit timestamp and v2-4 a retention time, both ignored as in Kafka
 * 2.1+ (the broker stamps commits itself). v6+ adds the leader epoch, v7+ the static
 * member's groupInstanceId. Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION.
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/generated/types.js';
import type { OffsetCommitPartition, TopicPartitionResults } from '../services/group-service.js';
import { PartitionErrors } from '../partition-errors.js';

export default defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  minVersion: 1,
  maxVersion: 9,
  handle(request, ctx, services) {
    const known: { name: string; partitions: OffsetCommitPartition[] }[] = [];
    for (const topic of request.topics) {
      const state = services.metadata.topic(topic.name);
      const partitions: OffsetCommitPartition[] = [];
      for (const p of topic.partitions) {
        // a partition of an unknown topic is answered UNKNOWN_TOPIC_OR_PARTITION below
        if (!state || p.partitionIndex < 0 || p.partitionIndex >= state.partitions.length) continue;
        partitions.push({
          partition: p.partitionIndex,
          offset: int64ToNumber(p.committedOffset),
          leaderEpoch: ctx.apiVersion >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
        });
      }
      if (partitions.length > 0) known.push({ name: topic.name, partitions });
    }
    const respond = (committed: TopicPartitionResults[]): OffsetCommitResponse => {
      const errors = new PartitionErrors();
      errors.setAll(committed);
      // Answer in request order, whatever path each partition took.
      return { throttleTimeMs: 0, topics: errors.inRequestOrder(request.topics) };
    };
    if (known.length === 0) return respond([]);
    const committed = services.groups.commitOffsets({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch,
      memberId: request.memberId,
      groupInstanceId: ctx.apiVersion >= 7 ? request.groupInstanceId : null,
      topics: known,
    });
    // a promise while the commit waits for the ISR of its __consumer_offsets partition
    return committed instanceof Promise ? committed.then(respond) : respond(committed);
  },
});
