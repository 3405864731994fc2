/**
 * AlterPartitionReassignments (key 45), v0 (KIP-455): start or cancel replica
 * reassignments (`kafka-reassign-partitions.sh --execute/--cancel`,
 * Admin.alterPartitionReassignments).
 *
 * Checked as Kafka's controller checks them (ReplicationControlManager): unknown topic
 * or partition → UNKNOWN_TOPIC_OR_PARTITION; null replicas (cancel) with nothing in
 * progress → NO_REASSIGNMENT_IN_PROGRESS; an empty target, an unregistered broker or a
 * repeated broker → INVALID_REPLICA_ASSIGNMENT. A valid target that equals the current
 * replicas completes at once with no change. In a cluster of one that is the only
 * valid target, so no reassignment is ever in progress and ListPartitionReassignments
 * (46) stays empty; any other target is refused rather than left pending.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  AlterPartitionReassignmentsResponseReassignablePartitionResponse,
} from '../../protocol/generated/types.js';
import { errorResult, type MetadataService } from '../services/metadata-service.js';

/** Kafka's message for NO_REASSIGNMENT_IN_PROGRESS (Errors.NO_REASSIGNMENT_IN_PROGRESS.message()). */
const NO_REASSIGNMENT_MESSAGE = 'No partition reassignment is in progress.';

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
}

/** Throws a KafkaError when the reassignment is refused; returns when it is done. */
function reassign(metadata: MetadataService, topic: string, partition: number, target: number[] | null): void {
  const topicState = metadata.topic(topic);
  if (!topicState) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topic}.`);
  const state = topicState.partitions.find((p) => p.partition === partition);
  if (!state) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${topic}:${partition}.`);
  if (target === null) throw new KafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, NO_REASSIGNMENT_MESSAGE);
  if (target.length === 0) throw invalid('The manual partition assignment includes an empty replica list.');
  const registered = new Set(metadata.brokers().map((b) => b.nodeId));
  const sorted = [...target].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const brokerId = sorted[i]!;
    if (!registered.has(brokerId)) {
      throw invalid(`The manual partition assignment includes broker ${brokerId}, but no such broker is registered.`);
    }
    if (i > 0 && sorted[i - 1] === brokerId) {
      throw invalid(`The manual partition assignment includes the broker ${brokerId} more than once.`);
    }
  }
  const same = target.length === state.replicas.length && target.every((b, i) => b === state.replicas[i]);
  if (!same) {
    throw invalid(`Unable to move ${topic}:${partition} from replicas [${state.replicas.join(',')}] to [${target.join(',')}]: this broker does not run reassignments.`);
  }
}

export default defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  handle(request, _ctx, services) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): AlterPartitionReassignmentsResponseReassignablePartitionResponse => {
          try {
            reassign(services.metadata, topic.name, p.partitionIndex, p.replicas);
            return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
          } catch (err) {
            return { partitionIndex: p.partitionIndex, ...errorResult(err, services.log, `AlterPartitionReassignments ${topic.name}-${p.partitionIndex}`) };
          }
        }),
      })),
    };
  },
});
