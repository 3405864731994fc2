/**
 * Partition reassignment as KRaft runs it (KIP-455; ReplicationControlManager with
 * PartitionReassignmentReplicas and PartitionChangeBuilder): pure functions over the image
 * that return PartitionChangeRecords.
 *
 * - start: the replica set becomes target + the replicas being removed (target order
 *   first), `addingReplicas` = target − current, `removingReplicas` = current − target. The
 *   new replicas' brokers create the partition and follow the leader; its ISR grows as they
 *   catch up (AlterPartition from the leader).
 * - complete: once every target replica is in the ISR, the replica set becomes the target,
 *   the ISR keeps only target replicas, and a leader being removed hands over to the first
 *   target replica in the ISR (new leader epoch).
 * - cancel: back to the replicas before the reassignment (the adding ones leave replicas and ISR).
 * A target without new replicas (a reorder or a shrink) completes at once.
 */
import { NO_LEADER, partitionChangeRecord, type MetadataImage, type MetadataRecord, type PartitionRegistration } from '../../metadata/index.js';
import { isActiveBroker } from './leadership.js';

function without(list: readonly number[], remove: readonly number[]): number[] {
  return list.filter((id) => !remove.includes(id));
}

/** The replica set before the reassignment in progress (or the current one when none is). */
export function originalReplicas(p: PartitionRegistration): number[] {
  return without(p.replicas, p.addingReplicas);
}

export function isReassigning(p: PartitionRegistration): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
}

/**
 * The settled state of `p` with replica set `target`: the ISR restricted to the target (never
 * empty while a target replica is in it), the leader kept when it stays, else the first
 * target replica that is in the ISR and alive (a new leader epoch), else no leader.
 */
function settle(image: MetadataImage, p: PartitionRegistration, target: readonly number[]): PartitionRegistration {
  const isr = p.isr.filter((id) => target.includes(id));
  let leader = p.leader;
  if (!target.includes(leader) || !isr.includes(leader)) {
    leader = target.find((id) => isr.includes(id) && isActiveBroker(image, id)) ?? NO_LEADER;
  }
  return {
    ...p,
    replicas: [...target],
    isr: isr.length > 0 ? isr : p.isr.filter((id) => id === p.leader),
    leader,
    leaderEpoch: leader === p.leader ? p.leaderEpoch : p.leaderEpoch + 1,
    addingReplicas: [],
    removingReplicas: [],
  };
}

function change(topicId: string, before: PartitionRegistration, after: PartitionRegistration): MetadataRecord[] {
  const record = partitionChangeRecord(topicId, before, after);
  return record === null ? [] : [record];
}

/** AlterPartitionReassignments with a target (already validated: registered brokers, no duplicates, not empty). */
export function startReassignment(image: MetadataImage, topicId: string, p: PartitionRegistration, target: readonly number[]): MetadataRecord[] {
  // a new target replaces one in progress, from the replicas the partition had before it
  const current = originalReplicas(p);
  const base: PartitionRegistration = isReassigning(p)
    ? { ...p, replicas: current, isr: without(p.isr, p.addingReplicas).length > 0 ? without(p.isr, p.addingReplicas) : p.isr, addingReplicas: [], removingReplicas: [] }
    : p;
  const adding = without(target, current);
  const removing = without(current, target);
  if (adding.length === 0) return change(topicId, p, settle(image, base, target));
  return change(topicId, p, {
    ...base,
    replicas: [...target, ...removing],
    addingReplicas: adding,
    removingReplicas: removing,
  });
}

/** AlterPartitionReassignments with a null target: the partition goes back to its original replicas. */
export function cancelReassignment(image: MetadataImage, topicId: string, p: PartitionRegistration): MetadataRecord[] {
  return change(topicId, p, settle(image, p, originalReplicas(p)));
}

/**
 * After an ISR change: the record that completes the partition's reassignment when every
 * target replica has joined the ISR, else none.
 */
export function completeReassignmentIfDone(image: MetadataImage, topicId: string, p: PartitionRegistration): MetadataRecord[] {
  if (!isReassigning(p)) return [];
  const target = without(p.replicas, p.removingReplicas);
  if (!target.every((id) => p.isr.includes(id))) return [];
  return change(topicId, p, settle(image, p, target));
}
