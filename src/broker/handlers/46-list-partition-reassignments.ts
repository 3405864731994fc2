/**
 * ListPartitionReassignments (key 46), v0 (KIP-455): the partitions whose reassignment is
 * in progress, with their replicas and the replicas being added and removed, from the
 * metadata image; null topics = every topic. `kafka-reassign-partitions --list/--verify`
 * read it. A named partition that does not exist or is not reassigning is left out, as
 * Kafka does.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
  ListPartitionReassignmentsResponseOngoingTopicReassignment,
} from '../../protocol/generated/types.js';

export default defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  handle(request, _ctx, services) {
    const wanted = request.topics === null ? null : new Map(request.topics.map((t) => [t.name, new Set(t.partitionIndexes)]));
    const topics: ListPartitionReassignmentsResponseOngoingTopicReassignment[] = [];
    for (const topic of services.metadata.topics()) {
      const partitions = wanted === null ? null : wanted.get(topic.name);
      if (partitions === undefined) continue;
      const ongoing = topic.partitions
        .filter((p) => (partitions === null || partitions.has(p.partition)) && ((p.addingReplicas?.length ?? 0) > 0 || (p.removingReplicas?.length ?? 0) > 0))
        .map((p) => ({ partitionIndex: p.partition, replicas: [...p.replicas], addingReplicas: [...(p.addingReplicas ?? [])], removingReplicas: [...(p.removingReplicas ?? [])] }));
      if (ongoing.length > 0) topics.push({ name: topic.name, partitions: ongoing });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics };
  },
});
