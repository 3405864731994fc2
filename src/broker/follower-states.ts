/**
 * What a leader knows of its followers (Kafka's Replica fetch state in Partition): each
 * follower's log end offset, taken from the fetch offset of its last Fetch, and the
 * high watermark that follows from them: the smallest log end offset over the ISR, the
 * leader's own included. Kept per log object (a deleted and recreated topic starts
 * clean) and forgotten when the leader epoch changes.
 */
import type { PartitionLog } from '../storage/partition-log.js';
import type { PartitionState } from './services/metadata-service.js';

interface EpochFollowers {
  leaderEpoch: number;
  /** replica id → log end offset */
  logEndOffsets: Map<number, number>;
}

export class FollowerStates {
  private readonly byLog = new WeakMap<PartitionLog, EpochFollowers>();

  constructor(private readonly brokerId: number) {}

  /**
   * A follower fetched from `fetchOffset`: everything below is on its log. As Kafka, the
   * fetch offset is its end even when lower than before (it truncated). False when the
   * replica is not assigned to the partition.
   */
  update(log: PartitionLog, state: PartitionState, replicaId: number, fetchOffset: number): boolean {
    if (replicaId === this.brokerId || !state.replicas.includes(replicaId)) return false;
    this.of(log, state.leaderEpoch).logEndOffsets.set(replicaId, Math.min(fetchOffset, log.logEndOffset));
    return true;
  }

  /**
   * The high watermark the ISR supports: the smallest log end offset over it, or null
   * while a follower in the ISR has not fetched in this leader epoch. An ISR of this
   * broker alone supports its log end offset.
   */
  highWatermarkOf(log: PartitionLog, state: PartitionState): number | null {
    let hw = log.logEndOffset;
    const isr = state.isr;
    if (isr.length === 1 && isr[0] === this.brokerId) return hw;
    const followers = this.of(log, state.leaderEpoch);
    for (const replicaId of isr) {
      if (replicaId === this.brokerId) continue;
      const leo = followers.logEndOffsets.get(replicaId);
      if (leo === undefined) return null;
      if (leo < hw) hw = leo;
    }
    return hw;
  }

  private of(log: PartitionLog, leaderEpoch: number): EpochFollowers {
    let followers = this.byLog.get(log);
    if (!followers || followers.leaderEpoch !== leaderEpoch) {
      followers = { leaderEpoch, logEndOffsets: new Map() };
      this.byLog.set(log, followers);
    }
    return followers;
  }
}
