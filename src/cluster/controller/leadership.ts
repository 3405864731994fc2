/**
 * Leadership decisions of the controller, as pure functions over the metadata
 * image that return the records to append (Kafka's PartitionChangeBuilder and the
 * parts of ReplicationControlManager that use it): leader choice from the ISR,
 * preferred and unclean elections (ElectLeaders, KIP-460), what a broker joining
 * or being fenced does to the partitions it hosts, and the checks of a replica
 * reassignment (KIP-455). Nothing here touches disk or the network: the caller
 * appends the records to the metadata log and every broker follows the image.
 */
import { cancelReassignment, isReassigning, startReassignment } from './reassignment.js';
import type { ElectionResult, PartitionRef } from '../../broker/services/metadata-service.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import {
  LeaderRecoveryState,
  NO_LEADER,
  metadataRecord,
  partitionChangeRecord,
  partitionsOf,
  type BrokerRegistration,
  type MetadataImage,
  type MetadataRecord,
  type PartitionRegistration,
} from '../../metadata/index.js';

/** ElectLeaders ElectionType (KIP-460). */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

/**
 * PartitionChangeBuilder.Election: ONLINE keeps a valid leader or takes the first
 * live ISR member; PREFERRED takes the first replica when it is a live ISR member;
 * UNCLEAN, when no ISR member is live, takes any live replica (data may be lost).
 */
export type Election = 'online' | 'preferred' | 'unclean';

/** BrokerRegistrationChangeRecord.Fenced values (BrokerRegistrationFencingChange). */
const FENCE = 1;

/** A broker that may lead: registered, unfenced and not shutting down (ReplicationControlManager.isActive). */
export function isActiveBroker(image: MetadataImage, brokerId: number): boolean {
  const broker = image.brokers.get(brokerId);
  return broker !== undefined && !broker.fenced && !broker.inControlledShutdown;
}

/** Ids of the brokers that may host new replicas, ascending. */
export function activeBrokerIds(image: MetadataImage): number[] {
  return [...image.brokers.values()]
    .filter((b) => !b.fenced && !b.inControlledShutdown)
    .map((b) => b.id)
    .sort((a, b) => a - b);
}

export interface LeaderChoice {
  /** the leader to name, NO_LEADER (-1) when none can lead */
  leader: number;
  /** true when the leader was not in the ISR (an unclean election) */
  unclean: boolean;
}

/**
 * Which replica leads `partition` once its ISR is `targetIsr`, following Kafka's
 * PartitionChangeBuilder.electLeader: the current leader stays while it is a valid
 * choice (a live ISR member), except that a preferred election moves leadership
 * to the first replica whenever that one is valid.
 */
export function chooseLeader(
  partition: Pick<PartitionRegistration, 'replicas' | 'leader'>,
  targetIsr: readonly number[],
  isActive: (brokerId: number) => boolean,
  election: Election,
): LeaderChoice {
  const valid = (id: number): boolean => targetIsr.includes(id) && isActive(id);
  const preferred = partition.replicas[0];
  if (election === 'preferred' && preferred !== undefined && valid(preferred)) return { leader: preferred, unclean: false };
  if (valid(partition.leader)) return { leader: partition.leader, unclean: false };
  const fromIsr = partition.replicas.find(valid);
  if (fromIsr !== undefined) return { leader: fromIsr, unclean: false };
  if (election === 'unclean') {
    const any = partition.replicas.find(isActive);
    if (any !== undefined) return { leader: any, unclean: true };
  }
  return { leader: NO_LEADER, unclean: false };
}

/**
 * The change record for a partition whose ISR becomes `targetIsr` (default: as is):
 * the leader chosen by `election`, a new leader epoch only when the leader changes,
 * and after an unclean election an ISR of the new leader alone, recovering (KIP-704).
 * Null when nothing changes.
 */
export function partitionChange(
  image: MetadataImage,
  topicId: string,
  partition: PartitionRegistration,
  options: { targetIsr?: readonly number[]; election: Election },
): MetadataRecord | null {
  const targetIsr = options.targetIsr ?? partition.isr;
  const choice = chooseLeader(partition, targetIsr, (id) => isActiveBroker(image, id), options.election);
  const isr = choice.unclean ? [choice.leader] : [...targetIsr];
  return partitionChangeRecord(topicId, partition, {
    replicas: partition.replicas,
    isr,
    leader: choice.leader,
    // the same leader keeps its epoch; a new one (or none) starts the next epoch
    leaderEpoch: choice.leader === partition.leader ? partition.leaderEpoch : partition.leaderEpoch + 1,
    leaderRecoveryState: choice.unclean ? LeaderRecoveryState.RECOVERING : partition.leaderRecoveryState,
  });
}

/**
 * A new partition's ISR and leader: its live replicas, led by the first of them
 * (the preferred replica when it is live), at leader and partition epoch 0.
 */
export function newPartitionLeadership(
  image: MetadataImage,
  replicas: readonly number[],
): { isr: number[]; leader: number } {
  const isr = replicas.filter((id) => isActiveBroker(image, id));
  return { isr, leader: isr[0] ?? NO_LEADER };
}

/**
 * Fences a broker (it stopped heartbeating, or is gone for good in a cluster of
 * one): BrokerRegistrationChangeRecord, then for every partition it is in the ISR
 * of, the ISR without it and a new leader if it led. As in KRaft (KIP-841) the
 * ISR never becomes empty: the last member stays, leaderless, so that when it
 * comes back it leads again with nothing lost.
 */
export function fenceBrokerRecords(image: MetadataImage, broker: BrokerRegistration): MetadataRecord[] {
  if (broker.fenced) return [];
  const fenced: MetadataImage = {
    ...image,
    brokers: new Map(image.brokers).set(broker.id, { ...broker, fenced: true }),
  };
  const out: MetadataRecord[] = [
    metadataRecord('BrokerRegistrationChangeRecord', { brokerId: broker.id, brokerEpoch: broker.epoch, fenced: FENCE, inControlledShutdown: 0 }),
  ];
  for (const topic of image.topicsById.values()) {
    for (const p of partitionsOf(topic)) {
      if (!p.isr.includes(broker.id) && p.leader !== broker.id) continue;
      const without = p.isr.filter((id) => id !== broker.id);
      const change = partitionChange(fenced, topic.topicId, p, { targetIsr: without.length > 0 ? without : p.isr, election: 'online' });
      if (change !== null) out.push(change);
    }
  }
  return out;
}

/**
 * Leaders for leaderless partitions once `image` (already holding a broker's
 * registration or unfencing) has that broker active again (ReplicationControlManager
 * handleBrokerUnfenced): every partition without a leader whose ISR names it.
 */
export function brokerUnfencedRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const topic of image.topicsById.values()) {
    for (const p of partitionsOf(topic)) {
      if (p.leader !== NO_LEADER || !p.isr.includes(brokerId)) continue;
      const change = partitionChange(image, topic.topicId, p, { election: 'online' });
      if (change !== null) out.push(change);
    }
  }
  return out;
}

/**
 * ElectLeaders (ReplicationControlManager.electLeaders/electLeader): per partition
 * UNKNOWN_TOPIC_OR_PARTITION, ELECTION_NOT_NEEDED when the preferred replica already
 * leads (PREFERRED) or any replica leads (UNCLEAN), the change record when an
 * election moves leadership, otherwise PREFERRED_LEADER_NOT_AVAILABLE or
 * ELIGIBLE_LEADERS_NOT_AVAILABLE. `partitions` null means every partition, and then
 * the ones needing no election are left out of the results.
 */
export function electLeaders(
  image: MetadataImage,
  electionType: number,
  partitions: readonly PartitionRef[] | null,
): { records: MetadataRecord[]; results: ElectionResult[] } {
  if (electionType !== ElectionType.PREFERRED && electionType !== ElectionType.UNCLEAN) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown election type ${electionType}`);
  }
  const all = partitions === null;
  const wanted =
    partitions ??
    [...image.topicsByName.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((t) => partitionsOf(t).map((p) => ({ topic: t.name, partition: p.partition })));
  const records: MetadataRecord[] = [];
  const results: ElectionResult[] = [];
  for (const ref of wanted) {
    const result = (errorCode: number, errorMessage: string | null = null): ElectionResult => ({ ...ref, errorCode, errorMessage });
    const topic = image.topicsByName.get(ref.topic);
    if (topic === undefined) {
      results.push(result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${ref.topic}`));
      continue;
    }
    const p = topic.partitions.get(ref.partition);
    if (p === undefined) {
      results.push(result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${ref.topic}-${ref.partition}`));
      continue;
    }
    const hasLeader = p.leader !== NO_LEADER;
    if (electionType === ElectionType.PREFERRED ? hasLeader && p.leader === p.replicas[0] : hasLeader) {
      if (!all) results.push(result(ErrorCode.ELECTION_NOT_NEEDED));
      continue;
    }
    const change = partitionChange(image, topic.topicId, p, { election: electionType === ElectionType.PREFERRED ? 'preferred' : 'unclean' });
    if (change === null || (change.type === 'PartitionChangeRecord' && change.data.leader === -2)) {
      results.push(
        result(electionType === ElectionType.PREFERRED ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE),
      );
      continue;
    }
    records.push(change);
    results.push(result(ErrorCode.NONE));
  }
  return { records, results };
}

/** Kafka's message for NO_REASSIGNMENT_IN_PROGRESS (Errors.NO_REASSIGNMENT_IN_PROGRESS.message()). */
const NO_REASSIGNMENT_MESSAGE = 'No partition reassignment is in progress.';

/**
 * AlterPartitionReassignments for one partition, checked as ReplicationControlManager
 * checks it: unknown topic or partition, a cancel (null target) with nothing in
 * progress, an empty target, an unregistered or repeated broker. A target equal to
 * the current replicas completes at once with no records; any other starts (or replaces)
 * a reassignment (reassignment.ts), which completes when the new replicas have joined
 * the ISR. Throws KafkaError; returns the records.
 */
export function reassignPartition(image: MetadataImage, topicName: string, partition: number, target: readonly number[] | null): MetadataRecord[] {
  const invalid = (message: string): KafkaError => new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
  const topic = image.topicsByName.get(topicName);
  if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topicName}.`);
  const p = topic.partitions.get(partition);
  if (p === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${topicName}:${partition}.`);
  if (target === null) {
    if (p.addingReplicas.length === 0 && p.removingReplicas.length === 0) {
      throw new KafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, NO_REASSIGNMENT_MESSAGE);
    }
    return cancelReassignment(image, topic.topicId, p);
  }
  if (target.length === 0) throw invalid('The manual partition assignment includes an empty replica list.');
  const sorted = [...target].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const brokerId = sorted[i]!;
    if (!image.brokers.has(brokerId)) {
      throw invalid(`The manual partition assignment includes broker ${brokerId}, but no such broker is registered.`);
    }
    if (i > 0 && sorted[i - 1] === brokerId) {
      throw invalid(`The manual partition assignment includes the broker ${brokerId} more than once.`);
    }
  }
  const same = !isReassigning(p) && target.length === p.replicas.length && target.every((b, i) => b === p.replicas[i]);
  if (same) return [];
  return startReassignment(image, topic.topicId, p, target);
}
