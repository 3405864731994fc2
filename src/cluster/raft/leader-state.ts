/**
 * What the leader knows about every replica of the metadata partition (Kafka's
 * LeaderState): each voter's and observer's log end offset from its last Fetch, when
 * it last fetched and when it was last caught up, which voters acknowledged the new
 * epoch, and the high watermark — the end offset a majority of voters (the leader
 * included) has reached, moved only once that is past the epoch's start (the
 * LeaderChangeMessage), so a new leader never commits an older epoch's records by
 * counting alone (Raft §5.4.2).
 */
import type { DescribeQuorumResponseReplicaState } from '../../protocol/generated/types.js';
import { ZERO_UUID } from '../../protocol/primitives.js';

export interface ReplicaProgress {
  readonly id: number;
  /** -1 until it fetched in this epoch */
  endOffset: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
}

/** An observer not heard from for this long is dropped from DescribeQuorum (Kafka's OBSERVER_SESSION_TIMEOUT_MS). */
const OBSERVER_SESSION_TIMEOUT_MS = 5 * 60 * 1000;

export class LeaderState {
  readonly voters = new Map<number, ReplicaProgress>();
  readonly observers = new Map<number, ReplicaProgress>();
  /** voters that acknowledged BeginQuorumEpoch or fetched in this epoch */
  readonly acknowledged = new Set<number>();
  highWatermark = -1;
  /** the first high watermark of the epoch is logged (as Kafka's LeaderState does) */
  highWatermarkLogged = false;
  /** when a majority of voters was last known to follow this leader (check quorum, KIP-595 follow-up KAFKA-15489) */
  lastMajorityContact: number;

  constructor(
    readonly localId: number,
    readonly epoch: number,
    /** offset of this epoch's LeaderChangeMessage */
    readonly epochStartOffset: number,
    voterIds: readonly number[],
    now: number,
  ) {
    for (const id of voterIds) this.voters.set(id, { id, endOffset: -1, lastFetchTimestamp: -1, lastCaughtUpTimestamp: -1 });
    this.acknowledged.add(localId);
    this.lastMajorityContact = now;
  }

  /** The leader's own log end moved (an append, fsynced). Returns true when the high watermark moved. */
  updateLocal(endOffset: number, now: number): boolean {
    const self = this.voters.get(this.localId);
    if (self !== undefined) {
      self.endOffset = endOffset;
      self.lastFetchTimestamp = now;
      self.lastCaughtUpTimestamp = now;
    }
    return this.maybeAdvanceHighWatermark();
  }

  /**
   * A replica fetched from `fetchOffset` (so it has everything below it). Returns true when the
   * high watermark moved.
   */
  updateReplica(replicaId: number, fetchOffset: number, leaderEndOffset: number, now: number): boolean {
    const voter = this.voters.get(replicaId);
    const progress = voter ?? this.observerProgress(replicaId);
    progress.endOffset = fetchOffset;
    progress.lastFetchTimestamp = now;
    if (fetchOffset >= leaderEndOffset) progress.lastCaughtUpTimestamp = now;
    if (voter === undefined) return false;
    this.acknowledged.add(replicaId);
    return this.maybeAdvanceHighWatermark();
  }

  private observerProgress(replicaId: number): ReplicaProgress {
    let progress = this.observers.get(replicaId);
    if (progress === undefined) {
      progress = { id: replicaId, endOffset: -1, lastFetchTimestamp: -1, lastCaughtUpTimestamp: -1 };
      this.observers.set(replicaId, progress);
    }
    return progress;
  }

  private maybeAdvanceHighWatermark(): boolean {
    const offsets = [...this.voters.values()].map((v) => v.endOffset).sort((a, b) => b - a);
    // the largest offset a majority has reached
    const majority = offsets[Math.floor(offsets.length / 2)] ?? -1;
    if (majority > this.epochStartOffset && majority > this.highWatermark) {
      this.highWatermark = majority;
      return true;
    }
    return false;
  }

  /** Whether a majority of voters (the leader included) fetched within `windowMs`; remembers when that was last true. */
  majorityFollowing(now: number, windowMs: number): boolean {
    let count = 0;
    for (const v of this.voters.values()) {
      if (v.id === this.localId || (v.lastFetchTimestamp >= 0 && now - v.lastFetchTimestamp < windowMs)) count++;
    }
    if (count > this.voters.size / 2) this.lastMajorityContact = now;
    return now - this.lastMajorityContact < windowMs;
  }

  /** DescribeQuorum's replica states: voters in id order (the leader as caught up now), then live observers. */
  describe(now: number): { voters: DescribeQuorumResponseReplicaState[]; observers: DescribeQuorumResponseReplicaState[] } {
    const state = (p: ReplicaProgress): DescribeQuorumResponseReplicaState => ({
      replicaId: p.id,
      replicaDirectoryId: ZERO_UUID,
      logEndOffset: BigInt(p.endOffset),
      lastFetchTimestamp: BigInt(p.id === this.localId ? now : p.lastFetchTimestamp),
      lastCaughtUpTimestamp: BigInt(p.id === this.localId ? now : p.lastCaughtUpTimestamp),
    });
    for (const [id, o] of this.observers) {
      if (now - o.lastFetchTimestamp > OBSERVER_SESSION_TIMEOUT_MS) this.observers.delete(id);
    }
    return {
      voters: [...this.voters.values()].sort((a, b) => a.id - b.id).map(state),
      observers: [...this.observers.values()].sort((a, b) => a.id - b.id).map(state),
    };
  }
}
