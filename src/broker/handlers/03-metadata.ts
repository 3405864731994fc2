/**
 * Metadata (key 3), v0-12: brokers, cluster id, controller and the requested
 * topics with their partitions' leader / epoch / replicas / ISR.
 *
 * Topic selection: v0 empty list = all topics; v1+ null = all, empty = none.
 * v10+ returns topic ids; v12 may look topics up by id (UNKNOWN_TOPIC_ID when
 * absent). Missing topics are auto-created when the broker allows it and the
 * request does (allowAutoTopicCreation, v4+; always allowed below v4). Creation
 * is synchronous here, so the created topic is returned with its leader.
 *
 * A partition whose local log is refused (corrupt batch mid-log) is reported with this
 * broker in offlineReplicas and, if it led it, leader -1 / LEADER_NOT_AVAILABLE
 * (reportedPartitionState).
 */
import { defineHandler } from '../handler.js';
import type { BrokerServices } from '../services/index.js';
import { errorResult, reportedPartitionState, type MetadataService, type TopicState } from '../services/metadata-service.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type {
  MetadataRequest,
  MetadataResponse,
  MetadataResponseTopic,
} from '../../protocol/generated/types.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import { OPERATIONS_NOT_REQUESTED, ALL_TOPIC_OPERATIONS, ALL_CLUSTER_OPERATIONS } from '../authorized-operations.js';


function topicResult(metadata: MetadataService, topic: TopicState, topicOperations: number): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.internal,
    partitions: topic.partitions.map((stored) => reportedPartitionState(metadata, topic.name, stored)).map((p) => ({
      errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: [...p.offlineReplicas],
    })),
    topicAuthorizedOperations: topicOperations,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

async function lookupOrCreate(
  name: string,
  allowAutoCreate: boolean,
  services: BrokerServices,
  topicOperations: number,
): Promise<MetadataResponseTopic> {
  const existing = services.metadata.topic(name);
  if (existing) return topicResult(services.metadata, existing, topicOperations);
  if (!allowAutoCreate || !services.config.autoCreateTopicsEnable) {
    return errorTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  try {
    const created = await services.metadata.autoCreateTopic(name);
    return topicResult(services.metadata, created, topicOperations);
  } catch (err) {
    const { errorCode, errorMessage } = errorResult(err, services.log, `Metadata auto-creation of ${name}`);
    return errorTopic(name, ZERO_UUID, errorCode);
  }
}

export default defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, ctx, services) {
    const version = ctx.apiVersion;
    const metadata = services.metadata;
    const topicOperations = request.includeTopicAuthorizedOperations ? ALL_TOPIC_OPERATIONS : OPERATIONS_NOT_REQUESTED;
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
    // below v4 there is no flag and Kafka always allowed auto-creation
    const allowAutoCreate = version < 4 ? true : request.allowAutoTopicCreation;

    const topics: MetadataResponseTopic[] = [];
    // v10-11 carry TopicId but Kafka serves topic ids only from v12 (KafkaApis.handleTopicMetadataRequest):
    // a null name there is an invalid request (answered per topic by the dispatcher), an id is refused per topic.
    if (version < 12 && !allTopics && request.topics) {
      if (request.topics.some((t) => t.name === null)) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Topic name can not be null for version ${version}`);
      }
      if (request.topics.some((t) => t.topicId !== ZERO_UUID)) {
        return response(request.topics.map((t) => errorTopic(t.name, ZERO_UUID, ErrorCode.INVALID_REQUEST)));
      }
    }
    if (allTopics) {
      for (const topic of metadata.topics()) topics.push(topicResult(metadata, topic, topicOperations));
    } else {
      for (const requested of request.topics ?? []) {
        const byId = requested.name === null || requested.name === '';
        if (byId && version >= 10 && requested.topicId !== ZERO_UUID) {
          const topic = metadata.topicById(requested.topicId);
          topics.push(
            topic ? topicResult(metadata, topic, topicOperations) : errorTopic(null, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID),
          );
        } else if (requested.name === null) {
          topics.push(errorTopic(null, requested.topicId, ErrorCode.INVALID_REQUEST));
        } else {
          topics.push(await lookupOrCreate(requested.name, allowAutoCreate, services, topicOperations));
        }
      }
    }

    return response(topics);

    function response(topicResults: MetadataResponseTopic[]): MetadataResponse {
      return {
        throttleTimeMs: 0,
        brokers: metadata.brokers(ctx.session?.listener.name).map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
        clusterId: metadata.clusterId,
        controllerId: metadata.controllerId,
        topics: topicResults,
        clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
          ? ALL_CLUSTER_OPERATIONS
          : OPERATIONS_NOT_REQUESTED,
      };
    }
  },
});
