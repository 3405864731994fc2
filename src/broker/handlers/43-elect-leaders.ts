/**
 * ElectLeaders (key 43), v0-2 (KIP-183, KIP-460): preferred (0) or unclean (1) leader
 * election (`kafka-leader-election.sh`, Admin.electLeaders). v0 has no election type
 * (always preferred); v1 adds the top-level error code; v2 is flexible.
 *
 * As Kafka's controller (ReplicationControlManager.electLeaders): a partition whose
 * leader is already its preferred replica (PREFERRED), or that has a leader at all
 * (UNCLEAN), answers ELECTION_NOT_NEEDED; unknown topics/partitions answer
 * UNKNOWN_TOPIC_OR_PARTITION; a null partition list means every partition, and then
 * partitions needing no election are left out (their topic is still listed).
 *
 * This broker never moves leadership (in a cluster of one every partition's leader is
 * its only replica), so a partition that would need an election answers
 * PREFERRED_LEADER_NOT_AVAILABLE / ELIGIBLE_LEADERS_NOT_AVAILABLE, as Kafka does when
 * no eligible replica can be chosen.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  ElectLeadersRequest,
  ElectLeadersResponse,
  ElectLeadersResponsePartitionResult,
} from '../../protocol/generated/types.js';
import type { MetadataService } from '../services/index.js';

const PREFERRED = 0;
const UNCLEAN = 1;

function electLeader(metadata: MetadataService, topic: string, partition: number, electionType: number): ElectLeadersResponsePartitionResult {
  const result = (errorCode: number, errorMessage: string | null = null): ElectLeadersResponsePartitionResult => ({
    partitionId: partition,
    errorCode,
    errorMessage,
  });
  const topicState = metadata.topic(topic);
  if (!topicState) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${topic}`);
  const state = topicState.partitions.find((p) => p.partition === partition);
  if (!state) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${topic}-${partition}`);
  const hasLeader = state.leader !== -1;
  const hasPreferredLeader = hasLeader && state.leader === state.replicas[0];
  if ((electionType === PREFERRED && hasPreferredLeader) || (electionType === UNCLEAN && hasLeader)) {
    return result(ErrorCode.ELECTION_NOT_NEEDED);
  }
  return result(electionType === PREFERRED ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
}

export default defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx, services) {
    const electionType = ctx.apiVersion >= 1 ? request.electionType : PREFERRED;
    const metadata = services.metadata;
    if (electionType !== PREFERRED && electionType !== UNCLEAN) {
      // Kafka fails the whole request (InvalidRequestException): every partition carries the error.
      const errorMessage = `Unknown election type ${electionType}`;
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage })),
        })),
      };
    }
    if (request.topicPartitions === null) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        replicaElectionResults: metadata.topics().map((t) => ({
          topic: t.name,
          partitionResult: t.partitions
            .map((p) => electLeader(metadata, t.name, p.partition, electionType))
            .filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED),
        })),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: request.topicPartitions.map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partition) => electLeader(metadata, t.topic, partition, electionType)),
      })),
    };
  },
});
