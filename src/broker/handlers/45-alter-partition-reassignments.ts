/**
 * AlterPartitionReassignments (key 45), v0 (KIP-455): start or cancel replica
 * reassignments (`kafka-reassign-partitions.sh --execute/--cancel`,
 * Admin.alterPartitionReassignments).
 *
 * The controller checks each partition (cluster/controller/leadership.ts
 * reassignPartition, as Kafka's ReplicationControlManager): unknown topic or partition,
 * a cancel with nothing in progress, an empty target, an unregistered or repeated
 * broker. This handler only translates its answer per partition.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  AlterPartitionReassignmentsResponseReassignablePartitionResponse,
  AlterPartitionReassignmentsResponseReassignableTopicResponse,
} from '../../protocol/generated/types.js';
import { errorResult } from '../services/metadata-service.js';

export default defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, _ctx, services) {
    const responses: AlterPartitionReassignmentsResponseReassignableTopicResponse[] = [];
    for (const topic of request.topics) {
      const partitions: AlterPartitionReassignmentsResponseReassignablePartitionResponse[] = [];
      for (const p of topic.partitions) {
        try {
          await services.metadata.alterPartitionReassignment(topic.name, p.partitionIndex, p.replicas);
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null });
        } catch (err) {
          partitions.push({ partitionIndex: p.partitionIndex, ...errorResult(err, services.log, `AlterPartitionReassignments ${topic.name}-${p.partitionIndex}`) });
        }
      }
      responses.push({ name: topic.name, partitions });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
});
