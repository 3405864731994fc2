/**
 * OffsetDelete (key 47), v0: deletes committed offsets of a group; partitions of
 * topics an active member subscribes to get GROUP_SUBSCRIBED_TO_TOPIC.
 */
import { defineHandler } from '../handler.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/generated/types.js';

export default defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  handle(request, _ctx, services) {
    const result = services.groups.deleteOffsets(
      request.groupId,
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    );
    return {
      errorCode: result.errorCode,
      throttleTimeMs: 0,
      topics: result.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
      })),
    };
  },
});
