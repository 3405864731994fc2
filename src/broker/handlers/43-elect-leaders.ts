/**
 * ElectLeaders (key 43), v0-2 (KIP-183, KIP-460): preferred (0) or unclean (1) leader
 * election (`kafka-leader-election.sh`, Admin.electLeaders). v0 has no election type
 * (always preferred); v1 adds the top-level error code; v2 is flexible.
 *
 * The controller decides (cluster/controller/leadership.ts electLeaders, as Kafka's
 * ReplicationControlManager.electLeaders): ELECTION_NOT_NEEDED, UNKNOWN_TOPIC_OR_PARTITION,
 * PREFERRED_LEADER_NOT_AVAILABLE / ELIGIBLE_LEADERS_NOT_AVAILABLE, or a new leader
 * recorded in the metadata log. This handler only translates, grouping the results by
 * topic in request order; with a null partition list every topic is listed, even when
 * none of its partitions needed an election.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { ElectLeadersRequest, ElectLeadersResponse, ElectLeadersResponseReplicaElectionResult } from '../../protocol/generated/types.js';
import type { ElectionResult, PartitionRef } from '../services/metadata-service.js';

const PREFERRED = 0;

export default defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx, services) {
    const electionType = ctx.apiVersion >= 1 ? request.electionType : PREFERRED;
    const metadata = services.metadata;
    const wanted: PartitionRef[] | null =
      request.topicPartitions === null
        ? null
        : request.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    let results: ElectionResult[];
    try {
      results = await metadata.electLeaders(electionType, wanted);
    } catch (err) {
      if (!(err instanceof KafkaError) || err.code !== ErrorCode.INVALID_REQUEST) throw err;
      // Kafka fails the whole request (InvalidRequestException): every partition carries the error.
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: err.code, errorMessage: err.message })),
        })),
      };
    }
    const byTopic = new Map<string, ElectLeadersResponseReplicaElectionResult>();
    const topicOrder = request.topicPartitions === null ? metadata.topics().map((t) => t.name) : request.topicPartitions.map((t) => t.topic);
    for (const topic of topicOrder) if (!byTopic.has(topic)) byTopic.set(topic, { topic, partitionResult: [] });
    for (const r of results) {
      const entry = byTopic.get(r.topic) ?? { topic: r.topic, partitionResult: [] };
      byTopic.set(r.topic, entry);
      entry.partitionResult.push({ partitionId: r.partition, errorCode: r.errorCode, errorMessage: r.errorMessage });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [...byTopic.values()] };
  },
});
