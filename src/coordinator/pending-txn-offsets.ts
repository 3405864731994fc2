/**
 * Offsets committed inside transactions (TxnOffsetCommit) that are not visible yet:
 * per producer id, per group, the offsets written to `__consumer_offsets` as a
 * transactional batch. The COMMIT marker on the group's offsets partition makes them
 * the group's committed offsets; ABORT drops them (Kafka's pendingTransactionalOffsetCommits).
 */
import type { OffsetCommitValue } from './group-records.js';

export interface PendingOffset {
  groupId: string;
  topic: string;
  partition: number;
  value: OffsetCommitValue;
}

export class PendingTxnOffsets {
  /** producerId → groupId → `${topic}\0${partition}` → offset */
  private readonly byProducer = new Map<number, Map<string, Map<string, PendingOffset>>>();

  add(producerId: number, offset: PendingOffset): void {
    let groups = this.byProducer.get(producerId);
    if (!groups) {
      groups = new Map();
      this.byProducer.set(producerId, groups);
    }
    let partitions = groups.get(offset.groupId);
    if (!partitions) {
      partitions = new Map();
      groups.set(offset.groupId, partitions);
    }
    partitions.set(`${offset.topic}\u0000${offset.partition}`, offset);
  }

  /**
   * Removes and returns the producer's pending offsets of the groups `inPartition`
   * accepts (a marker only completes the groups stored in its offsets partition).
   */
  take(producerId: number, inPartition: (groupId: string) => boolean): PendingOffset[] {
    const groups = this.byProducer.get(producerId);
    if (!groups) return [];
    const taken: PendingOffset[] = [];
    for (const [groupId, partitions] of groups) {
      if (!inPartition(groupId)) continue;
      taken.push(...partitions.values());
      groups.delete(groupId);
    }
    if (groups.size === 0) this.byProducer.delete(producerId);
    return taken;
  }

  /** Forgets every producer's pending offsets of the groups `inPartition` accepts (partition unloaded). */
  dropGroups(inPartition: (groupId: string) => boolean): void {
    for (const producerId of [...this.byProducer.keys()]) this.take(producerId, inPartition);
  }

  /** Whether some open transaction holds an offset for the group's partition (OffsetFetch RequireStable). */
  has(groupId: string, topic: string, partition: number): boolean {
    const key = `${topic}\u0000${partition}`;
    for (const groups of this.byProducer.values()) if (groups.get(groupId)?.has(key)) return true;
    return false;
  }

  /** Whether any open transaction holds offsets of the group (the group must not be deleted or expired). */
  hasGroup(groupId: string): boolean {
    for (const groups of this.byProducer.values()) if (groups.has(groupId)) return true;
    return false;
  }
}
