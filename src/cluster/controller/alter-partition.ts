/**
 * AlterPartition (56) on the active controller, as a pure function over the image
 * (Kafka's ReplicationControlManager.alterPartition / validateAlterPartitionData): the
 * partition leader proposes a new ISR; the controller checks that the sender is the
 * registered broker at that epoch (STALE_BROKER_EPOCH), that the topic and partition
 * exist, that the leader epoch is current (FENCED_LEADER_EPOCH), that the sender leads
 * (INVALID_REQUEST), that the proposal is based on the current partition epoch
 * (INVALID_UPDATE_VERSION), that the ISR is a non-empty subset of the replicas holding
 * the leader (INVALID_REQUEST) and names only active brokers at their current epochs
 * (INELIGIBLE_REPLICA; OPERATION_NOT_ATTEMPTED before v1, KIP-841). Accepted changes
 * become PartitionChangeRecords; the answer carries each partition's state after them.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { AlterPartitionRequest, AlterPartitionResponse, AlterPartitionResponsePartitionData } from '../../protocol/generated/types.js';
import {
  applyRecords,
  LeaderRecoveryState,
  partitionChangeRecord,
  type MetadataImage,
  type MetadataRecord,
  type PartitionRegistration,
} from '../../metadata/index.js';
import { isActiveBroker } from './leadership.js';
import { completeReassignmentIfDone } from './reassignment.js';

export interface AlterPartitionDecision {
  records: MetadataRecord[];
  /** builds the answer from the image once the records are committed */
  response(committed: MetadataImage): AlterPartitionResponse;
}

export function alterPartition(image: MetadataImage, request: AlterPartitionRequest, version: number): AlterPartitionDecision {
  const sender = image.brokers.get(request.brokerId);
  if (sender === undefined || sender.epoch !== request.brokerEpoch) {
    return { records: [], response: () => ({ throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] }) };
  }
  const records: MetadataRecord[] = [];
  let next = image;
  /** per topic and partition: an error decided now, or null to report the committed state */
  const outcome: { topicName: string; topicId: string; partitions: { partitionIndex: number; errorCode: number }[] }[] = [];
  for (const t of request.topics) {
    const topic = version >= 2 ? image.topicsById.get(t.topicId) : image.topicsByName.get(t.topicName);
    const entry = { topicName: t.topicName, topicId: t.topicId, partitions: [] as { partitionIndex: number; errorCode: number }[] };
    outcome.push(entry);
    for (const p of t.partitions) {
      if (topic === undefined) {
        entry.partitions.push({ partitionIndex: p.partitionIndex, errorCode: version >= 2 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      const current = next.topicsById.get(topic.topicId)?.partitions.get(p.partitionIndex);
      const newIsr = version >= 3 ? p.newIsrWithEpochs.map((b) => b.brokerId) : p.newIsr;
      const epochs = version >= 3 ? new Map(p.newIsrWithEpochs.map((b) => [b.brokerId, b.brokerEpoch])) : null;
      const errorCode =
        current === undefined
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : validate(next, request.brokerId, current, { ...p, newIsr }, epochs, version);
      if (errorCode === ErrorCode.NONE) {
        const change = partitionChangeRecord(topic.topicId, current!, {
          replicas: current!.replicas,
          isr: newIsr,
          leader: current!.leader,
          leaderEpoch: current!.leaderEpoch,
          leaderRecoveryState: version >= 1 ? p.leaderRecoveryState : current!.leaderRecoveryState,
        });
        if (change !== null) {
          records.push(change);
          next = applyRecords(next, [change]);
          // the new replicas of a reassignment have all joined the ISR: it completes (KIP-455)
          const updated = next.topicsById.get(topic.topicId)?.partitions.get(p.partitionIndex);
          const completion = updated === undefined ? [] : completeReassignmentIfDone(next, topic.topicId, updated);
          if (completion.length > 0) {
            records.push(...completion);
            next = applyRecords(next, completion);
          }
        }
      }
      entry.partitions.push({ partitionIndex: p.partitionIndex, errorCode });
    }
  }
  return {
    records,
    response(committed) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        topics: outcome.map((t) => {
          const topic = version >= 2 ? committed.topicsById.get(t.topicId) : committed.topicsByName.get(t.topicName);
          return {
            topicName: t.topicName,
            topicId: t.topicId,
            partitions: t.partitions.map(({ partitionIndex, errorCode }): AlterPartitionResponsePartitionData => {
              const state = topic?.partitions.get(partitionIndex);
              if (errorCode !== ErrorCode.NONE || state === undefined) {
                return { partitionIndex, errorCode, leaderId: -1, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1 };
              }
              return {
                partitionIndex,
                errorCode,
                leaderId: state.leader,
                leaderEpoch: state.leaderEpoch,
                isr: [...state.isr],
                leaderRecoveryState: state.leaderRecoveryState,
                partitionEpoch: state.partitionEpoch,
              };
            }),
          };
        }),
      };
    },
  };
}

function validate(
  image: MetadataImage,
  brokerId: number,
  partition: PartitionRegistration,
  proposal: { leaderEpoch: number; partitionEpoch: number; newIsr: readonly number[]; leaderRecoveryState: number },
  epochs: ReadonlyMap<number, bigint> | null,
  version: number,
): number {
  if (proposal.leaderEpoch !== partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (brokerId !== partition.leader) return ErrorCode.INVALID_REQUEST;
  if (proposal.partitionEpoch !== partition.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const isr = proposal.newIsr;
  if (isr.length === 0 || new Set(isr).size !== isr.length || !isr.every((id) => partition.replicas.includes(id))) return ErrorCode.INVALID_REQUEST;
  if (!isr.includes(partition.leader)) return ErrorCode.INVALID_REQUEST;
  if (version >= 1) {
    // a leader never moves a partition back into recovery, and a recovering one has an ISR of one (KIP-704)
    if (proposal.leaderRecoveryState === LeaderRecoveryState.RECOVERING && partition.leaderRecoveryState === LeaderRecoveryState.RECOVERED) return ErrorCode.INVALID_REQUEST;
    if (proposal.leaderRecoveryState === LeaderRecoveryState.RECOVERING && isr.length > 1) return ErrorCode.INVALID_REQUEST;
  }
  const ineligible = isr.some((id) => {
    if (id === partition.leader || partition.isr.includes(id)) return false;
    if (!isActiveBroker(image, id)) return true;
    const epoch = epochs?.get(id);
    return epoch !== undefined && epoch !== -1n && image.brokers.get(id)!.epoch !== epoch;
  });
  if (ineligible) return version >= 1 ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.OPERATION_NOT_ATTEMPTED;
  return ErrorCode.NONE;
}
