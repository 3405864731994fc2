/**
 * CreateTopics (key 19), v2-7. Each topic succeeds or fails on its own with
 * Kafka's error code and message. v4+ allows -1 partitions / replication factor
 * (broker defaults); v5+ returns the partition count, replication factor and the
 * topic's configs; v7 returns the topic id. validateOnly checks without creating.
 */
import { defineHandler } from '../handler.js';
import { errorResult } from '../services/metadata-service.js';
import { duplicateNames } from './duplicate-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  CreateTopicsRequest,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
} from '../../protocol/generated/types.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function failed(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
}

export default defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  minVersion: 2,
  maxVersion: 7,
  async handle(request, ctx, services) {
    const duplicates = duplicateNames(request.topics.map((t) => t.name));

    const results: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const t of request.topics) {
      if (duplicates.has(t.name)) continue;
      // -1 = broker default (num.partitions / default.replication.factor). Clients only send it
      // from v4 (KIP-464), but Kafka's broker accepts it at every version and kafkajs (v3) relies on that.
      const noAssignments = t.assignments.length === 0;
      const configs: Record<string, string | null> = {};
      for (const c of t.configs) configs[c.name] = c.value;
      try {
        const topic = await services.metadata.createTopic(
          t.name,
          {
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
            assignments: noAssignments ? null : t.assignments.map((a) => ({ partition: a.partitionIndex, brokerIds: a.brokerIds })),
            configs,
          },
          request.validateOnly,
        );
        const described = services.metadata.describeTopicConfigs(topic);
        results.push({
          name: t.name,
          topicId: topic.topicId,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          topicConfigErrorCode: ErrorCode.NONE,
          numPartitions: topic.partitions.length,
          replicationFactor: topic.partitions[0]?.replicas.length ?? -1,
          configs: described.map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: c.source,
            isSensitive: c.isSensitive,
          })),
        });
      } catch (err) {
        const { errorCode, errorMessage } = errorResult(err, services.log, `CreateTopics ${t.name}`);
        results.push(failed(t.name, errorCode, errorMessage));
      }
    }
    // A name given more than once is created by no entry and answered ONCE, after the others, as
    // Kafka's controller does (CreateTopics): librdkafka rejects a response that names a topic twice.
    for (const name of duplicates) results.push(failed(name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
    return { throttleTimeMs: 0, topics: results };
  },
});
