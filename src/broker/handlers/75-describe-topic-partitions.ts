/**
 * DescribeTopicPartitions (key 75), v0: what Java 3.8+ `Admin.describeTopics` uses
 * instead of Metadata. Topics are answered in name order, from the request's
 * cursor on, with at most ResponsePartitionLimit partitions (capped by Kafka's
 * max.request.partition.size.limit, 2000); when partitions are left over,
 * NextCursor names the topic and partition to continue from.
 *
 * As in Kafka: an empty topic list means all topics (and never reports missing
 * ones); a named topic that does not exist gets UNKNOWN_TOPIC_OR_PARTITION; a
 * cursor whose topic is not in a non-empty topic list is an INVALID_REQUEST.
 * Partitions whose local log is refused are reported offline as Metadata does
 * (reportedPartitionState).
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse,
  DescribeTopicPartitionsResponsePartition,
  DescribeTopicPartitionsResponseTopic,
} from '../../protocol/generated/types.js';
import { reportedPartitionState, type PartitionState } from '../services/metadata-service.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import { ALL_TOPIC_OPERATIONS } from '../authorized-operations.js';

/** max.request.partition.size.limit default */
export const MAX_REQUEST_PARTITION_SIZE_LIMIT = 2000;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function partitionResult(p: PartitionState): DescribeTopicPartitionsResponsePartition {
  return {
    errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    partitionIndex: p.partition,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: [...p.replicas],
    isrNodes: [...p.isr],
    // no KIP-966 eligible leader replicas in a cluster without ELR: empty, as Kafka reports them
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    offlineReplicas: [...p.offlineReplicas],
  };
}

function errorTopic(name: string, errorCode: number): DescribeTopicPartitionsResponseTopic {
  return {
    errorCode,
    name,
    topicId: ZERO_UUID,
    isInternal: name.startsWith('__'),
    partitions: [],
    topicAuthorizedOperations: ALL_TOPIC_OPERATIONS,
  };
}

export default defineHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>({
  apiKey: 75,
  minVersion: 0,
  maxVersion: 0,
  handle(request, _ctx, services) {
    const fetchAll = request.topics.length === 0;
    const cursor = request.cursor;
    const requested = fetchAll ? services.metadata.topics().map((t) => t.name) : request.topics.map((t) => t.name);
    if (cursor !== null && !fetchAll && !requested.includes(cursor.topicName)) {
      return {
        throttleTimeMs: 0,
        topics: requested.map((name) => errorTopic(name, ErrorCode.INVALID_REQUEST)),
        nextCursor: null,
      };
    }
    const names = [...new Set(requested)]
      .filter((name) => cursor === null || name >= cursor.topicName)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let remaining = Math.min(Math.max(request.responsePartitionLimit, 0), MAX_REQUEST_PARTITION_SIZE_LIMIT);
    const topics: DescribeTopicPartitionsResponseTopic[] = [];
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (const name of names) {
      if (remaining === 0) {
        // Every partition of the previous topics fitted: continue at this topic's start.
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const topic = services.metadata.topic(name);
      if (!topic) {
        if (!fetchAll) {
          topics.push(errorTopic(name, LEGAL_TOPIC_NAME.test(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION));
        }
        continue;
      }
      const firstIndex = cursor !== null && name === cursor.topicName ? cursor.partitionIndex : 0;
      const candidates = topic.partitions.filter((p) => p.partition >= firstIndex);
      const taken = candidates.slice(0, remaining);
      topics.push({
        errorCode: ErrorCode.NONE,
        name: topic.name,
        topicId: topic.topicId,
        isInternal: topic.internal,
        partitions: taken.map((p) => partitionResult(reportedPartitionState(services.metadata, topic.name, p))),
        topicAuthorizedOperations: ALL_TOPIC_OPERATIONS,
      });
      if (taken.length < candidates.length) {
        nextCursor = { topicName: name, partitionIndex: candidates[taken.length]!.partition };
        break;
      }
      remaining -= taken.length;
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
