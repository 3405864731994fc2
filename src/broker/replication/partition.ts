/**
 * A partition this broker hosts in a replicated cluster, as the committed metadata last
 * described it (Kafka's Partition + PartitionState): leader, epochs, replicas and the
 * ISR, plus, on the leader, the ISR change it has asked the controller for.
 *
 * ISR management on the leader (Kafka's maybeExpandIsr / maybeShrinkIsr): a follower
 * joins when its log end reaches the high watermark and the start of the current leader
 * epoch (and it is eligible: not fenced, not shutting down); an ISR member leaves when it
 * has not been caught up for replica.lag.time.max.ms. One change at a time goes to the
 * controller (AlterPartition); until it answers, the high watermark is computed over the
 * maximal ISR (the committed one plus a replica being added; a replica being removed
 * still counts), so a pending change never lets it move past what the outcome may keep.
 */
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { PartitionState } from '../services/metadata-service.js';
import type { FollowerStates } from '../follower-states.js';
import type { AlterPartitionSender, PartitionStateChange } from './types.js';

interface PendingIsrChange {
  proposal: number[];
  /** what the high watermark counts while the change is in flight */
  maximal: number[];
}

export class LocalPartition {
  readonly key: string;
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  replicas: number[] = [];
  /** the committed ISR */
  isr: number[] = [];
  leader = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  /** the log end offset when this broker became leader of the current epoch */
  leaderEpochStartOffset = 0;
  pendingIsr: PendingIsrChange | null = null;
  /** no new ISR change proposed before this time (after a failed AlterPartition) */
  alterPartitionRetryAt = 0;
  /** why the last AlterPartition failed, so a controller that stays away is reported once */
  lastAlterPartitionFailure: string | null = null;
  /** the view handed to the rest of the broker, rebuilt on every change */
  state!: PartitionState;

  constructor(key: string, change: PartitionStateChange) {
    this.key = key;
    this.topic = change.topic;
    this.topicId = change.topicId;
    this.partition = change.partition;
    this.update(change);
  }

  update(change: PartitionStateChange): void {
    this.replicas = [...change.replicas];
    this.isr = [...change.isr];
    this.leader = change.leader;
    this.leaderEpoch = change.leaderEpoch;
    this.partitionEpoch = change.partitionEpoch;
    this.refreshView();
  }

  /** Whether `change` is older than what was applied (a replayed or reordered registration). */
  isStale(change: PartitionStateChange): boolean {
    if (change.leaderEpoch !== this.leaderEpoch) return change.leaderEpoch < this.leaderEpoch;
    return change.partitionEpoch < this.partitionEpoch;
  }

  get maximalIsr(): readonly number[] {
    return this.pendingIsr?.maximal ?? this.isr;
  }

  refreshView(): void {
    this.state = {
      partition: this.partition,
      leader: this.leader,
      leaderEpoch: this.leaderEpoch,
      partitionEpoch: this.partitionEpoch,
      replicas: this.replicas,
      isr: this.isr,
      offlineReplicas: [],
    };
  }
}

export interface IsrSettings {
  replicaLagTimeMaxMs: number;
  /** wait after a failed AlterPartition before proposing again */
  retryBackoffMs: number;
  isReplicaEligible: (brokerId: number) => boolean;
}

export class IsrManager {
  constructor(
    private readonly brokerId: number,
    private readonly followers: FollowerStates,
    private readonly sender: AlterPartitionSender,
    private readonly settings: IsrSettings,
    /** the ISR (committed or maximal) changed: recompute the high watermark, settle delayed produces */
    private readonly onIsrChanged: (local: LocalPartition) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** After a follower's fetch: add it to the ISR once it has caught up (Kafka's isFollowerInSync). */
  maybeExpand(local: LocalPartition, log: PartitionLog, replicaId: number, now: number): void {
    if (local.leader !== this.brokerId || local.pendingIsr !== null || now < local.alterPartitionRetryAt) return;
    if (local.isr.includes(replicaId) || !local.replicas.includes(replicaId)) return;
    const leo = this.followers.logEndOffsetOf(log, local.leaderEpoch, replicaId);
    if (leo < 0 || leo < log.highWatermark || leo < local.leaderEpochStartOffset) return;
    if (!this.settings.isReplicaEligible(replicaId)) return;
    const proposal = [...local.isr, replicaId];
    this.log(`[Partition ${local.topic}-${local.partition} broker=${this.brokerId}] Expanding ISR from ${local.isr.join(',')} to ${proposal.join(',')}`);
    this.propose(local, proposal, proposal);
  }

  /** Periodic (replica.lag.time.max.ms / 2): drop ISR members that have not caught up for too long. */
  maybeShrink(local: LocalPartition, log: PartitionLog, now: number): void {
    if (local.leader !== this.brokerId || local.pendingIsr !== null || now < local.alterPartitionRetryAt) return;
    const outOfSync = local.isr.filter(
      (id) => id !== this.brokerId && !this.followers.isCaughtUp(log, local.leaderEpoch, id, now, this.settings.replicaLagTimeMaxMs),
    );
    if (outOfSync.length === 0) return;
    const proposal = local.isr.filter((id) => !outOfSync.includes(id));
    const lagging = outOfSync
      .map((id) => `(brokerId: ${id}, endOffset: ${this.followers.logEndOffsetOf(log, local.leaderEpoch, id)})`)
      .join(', ');
    this.log(`[Partition ${local.topic}-${local.partition} broker=${this.brokerId}] Shrinking ISR from ${local.isr.join(',')} to ${proposal.join(',')}. Leader: (highWatermark: ${log.highWatermark}, endOffset: ${log.logEndOffset}). Out of sync replicas: ${lagging}.`);
    // the replicas being removed still count for the high watermark until the controller agrees
    this.propose(local, proposal, local.isr);
  }

  private propose(local: LocalPartition, proposal: number[], maximal: number[]): void {
    const pending: PendingIsrChange = { proposal, maximal: [...maximal] };
    local.pendingIsr = pending;
    const leaderEpoch = local.leaderEpoch;
    this.onIsrChanged(local);
    const settle = (committed: { isr: number[]; partitionEpoch: number } | null, why: string | null): void => {
      // the metadata replaced the pending state meanwhile: it is the truth now
      if (local.pendingIsr !== pending) return;
      local.pendingIsr = null;
      if (committed && local.leaderEpoch === leaderEpoch && committed.partitionEpoch > local.partitionEpoch) {
        local.isr = [...committed.isr];
        local.partitionEpoch = committed.partitionEpoch;
        local.refreshView();
        local.lastAlterPartitionFailure = null;
        this.log(`[Partition ${local.topic}-${local.partition} broker=${this.brokerId}] ISR updated to ${local.isr.join(',')} and version updated to ${local.partitionEpoch}`);
      } else if (why !== null) {
        local.alterPartitionRetryAt = Date.now() + this.settings.retryBackoffMs;
        const failure = `Failed to update ISR to ${proposal.join(',')}: ${why}`;
        if (failure !== local.lastAlterPartitionFailure) {
          this.log(`WARN [Partition ${local.topic}-${local.partition} broker=${this.brokerId}] ${failure}; retrying in ${this.settings.retryBackoffMs} ms unless the metadata changes first`);
        }
        local.lastAlterPartitionFailure = failure;
      }
      this.onIsrChanged(local);
    };
    this.sender
      .send(local.topic, local.topicId, local.partition, { leaderEpoch, partitionEpoch: local.partitionEpoch, newIsr: proposal })
      .then(
        (result) => {
          if (result.errorCode === ErrorCode.NONE) settle({ isr: result.isr, partitionEpoch: result.partitionEpoch }, null);
          else settle(null, `the controller answered ${errorName(result.errorCode)}`);
        },
        (err: unknown) => settle(null, err instanceof Error ? err.message : String(err)),
      );
  }
}
