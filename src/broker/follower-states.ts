/**
 * What a leader knows of its followers (Kafka's Replica fetch state in Partition): each
 * follower's log end offset, taken from the fetch offset of its last Fetch, when it was
 * last caught up, and the high watermark that follows: the smallest log end offset over
 * the ISR, the leader's own included. Kept per log object (a deleted and recreated topic
 * starts clean) and forgotten when the leader epoch changes.
 *
 * Caught up (Kafka's Replica.updateFetchStateOrThrow / isCaughtUp): a fetch at or past
 * the leader's log end offset makes the follower caught up at the time of that fetch; a
 * fetch at or past the leader's log end offset of the follower's previous fetch makes it
 * caught up at the time of the previous fetch. A follower is in sync while its log end
 * equals the leader's or it was caught up within replica.lag.time.max.ms.
 */
import type { PartitionLog } from '../storage/partition-log.js';
import type { PartitionState } from './services/metadata-service.js';

interface ReplicaFetchState {
  /** -1 until the follower fetched in this leader epoch */
  logEndOffset: number;
  lastCaughtUpTimeMs: number;
  lastFetchTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
}

interface EpochFollowers {
  leaderEpoch: number;
  replicas: Map<number, ReplicaFetchState>;
}

const UNKNOWN_OFFSET = -1;

function freshState(lastCaughtUpTimeMs: number): ReplicaFetchState {
  return { logEndOffset: UNKNOWN_OFFSET, lastCaughtUpTimeMs, lastFetchTimeMs: 0, lastFetchLeaderLogEndOffset: UNKNOWN_OFFSET };
}

export class FollowerStates {
  private readonly byLog = new WeakMap<PartitionLog, EpochFollowers>();

  constructor(private readonly brokerId: number) {}

  /**
   * This broker became the leader at `leaderEpoch` (Kafka's makeLeader →
   * resetReplicaState): follower log end offsets are unknown until they fetch, and the
   * ISR members count as caught up now, so they are not shrunk before they could fetch.
   */
  reset(log: PartitionLog, leaderEpoch: number, isr: readonly number[], now: number): void {
    const replicas = new Map<number, ReplicaFetchState>();
    for (const id of isr) if (id !== this.brokerId) replicas.set(id, freshState(now));
    this.byLog.set(log, { leaderEpoch, replicas });
  }

  /**
   * A follower fetched from `fetchOffset`: everything below is on its log. As Kafka, the
   * fetch offset is its end even when lower than before (it truncated). False when the
   * replica is not assigned to the partition.
   */
  update(log: PartitionLog, state: PartitionState, replicaId: number, fetchOffset: number, now: number = Date.now()): boolean {
    if (replicaId === this.brokerId || !state.replicas.includes(replicaId)) return false;
    const followers = this.of(log, state.leaderEpoch);
    let replica = followers.replicas.get(replicaId);
    if (!replica) followers.replicas.set(replicaId, (replica = freshState(0)));
    const leaderEnd = log.logEndOffset;
    const offset = Math.min(fetchOffset, leaderEnd);
    if (offset >= leaderEnd) replica.lastCaughtUpTimeMs = Math.max(replica.lastCaughtUpTimeMs, now);
    else if (offset >= replica.lastFetchLeaderLogEndOffset) {
      replica.lastCaughtUpTimeMs = Math.max(replica.lastCaughtUpTimeMs, replica.lastFetchTimeMs);
    }
    replica.logEndOffset = offset;
    replica.lastFetchLeaderLogEndOffset = leaderEnd;
    replica.lastFetchTimeMs = now;
    return true;
  }

  /** The follower's log end offset as of its last Fetch in this leader epoch, -1 when unknown. */
  logEndOffsetOf(log: PartitionLog, leaderEpoch: number, replicaId: number): number {
    return this.of(log, leaderEpoch).replicas.get(replicaId)?.logEndOffset ?? UNKNOWN_OFFSET;
  }

  /** Kafka's Replica.isCaughtUp: at the leader's log end, or caught up within `maxLagMs`. */
  isCaughtUp(log: PartitionLog, leaderEpoch: number, replicaId: number, now: number, maxLagMs: number): boolean {
    const replica = this.of(log, leaderEpoch).replicas.get(replicaId);
    if (!replica) return false;
    return replica.logEndOffset === log.logEndOffset || now - replica.lastCaughtUpTimeMs <= maxLagMs;
  }

  /**
   * The high watermark the ISR supports: the smallest log end offset over `isr` (the
   * committed ISR by default; a leader passes its maximal ISR while a change is in
   * flight), or null while a follower in it has not fetched in this leader epoch. An
   * ISR of this broker alone supports its log end offset.
   */
  highWatermarkOf(log: PartitionLog, state: PartitionState, isr: readonly number[] = state.isr): number | null {
    let hw = log.logEndOffset;
    if (isr.length === 1 && isr[0] === this.brokerId) return hw;
    const followers = this.of(log, state.leaderEpoch);
    for (const replicaId of isr) {
      if (replicaId === this.brokerId) continue;
      const leo = followers.replicas.get(replicaId)?.logEndOffset ?? UNKNOWN_OFFSET;
      if (leo === UNKNOWN_OFFSET) return null;
      if (leo < hw) hw = leo;
    }
    return hw;
  }

  private of(log: PartitionLog, leaderEpoch: number): EpochFollowers {
    let followers = this.byLog.get(log);
    if (!followers || followers.leaderEpoch !== leaderEpoch) {
      followers = { leaderEpoch, replicas: new Map() };
      this.byLog.set(log, followers);
    }
    return followers;
  }
}
