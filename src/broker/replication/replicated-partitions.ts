/**
 * The partitions of a replicated cluster as this broker hosts them (Kafka's
 * ReplicaManager.applyDelta → makeLeaders / makeFollowers, plus the isr-expiration task):
 * the metadata publisher hands over committed partition registrations, and each local
 * replica becomes leader (follower states reset, the epoch recorded at the log end) or
 * follower (its fetcher moves to the new leader and truncates first); a partition no
 * longer assigned here stops being fetched. The ReplicaManager owns the logs and the
 * purgatories and is told through ReplicaManagerHooks whenever a partition's state, ISR
 * or follower log changed.
 */
import type { PartitionLog } from '../../storage/partition-log.js';
import type { FollowerStates } from '../follower-states.js';
import { IsrManager, LocalPartition } from './partition.js';
import { ReplicaFetcherManager } from './replica-fetcher-manager.js';
import type { FollowedPartition } from './replica-fetcher.js';
import { REPLICATION_DEFAULTS, type PartitionStateChange, type ReplicationOptions } from './types.js';

/** What the ReplicaManager does when replication changes a partition. */
export interface ReplicaManagerHooks {
  /** the local log of a partition, when this broker has one */
  logOf(topic: string, partition: number): PartitionLog | undefined;
  /** the partition's leader, epoch or ISR changed: recompute its high watermark if led, settle delayed produces, wake fetches */
  partitionChanged(topic: string, partition: number): void;
  /** a follower log was appended to or truncated by its fetcher */
  followerLogChanged(topic: string, partition: number, log: PartitionLog): void;
  /** this broker became the leader of the log at a new epoch (caches of the log go stale) */
  becameLeader(log: PartitionLog): void;
  /** after a batch of changes: leadership listeners (coordinators) are told */
  leadershipChanged(): void;
}

interface Running {
  fetchers: ReplicaFetcherManager;
  isr: IsrManager;
  isrCheck: NodeJS.Timeout;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}-${partition}`;

export class ReplicatedPartitions {
  private readonly partitions = new Map<string, LocalPartition>();
  private running: Running | null = null;

  constructor(
    private readonly brokerId: number,
    private readonly followers: FollowerStates,
    private readonly hooks: ReplicaManagerHooks,
    private readonly log: (line: string) => void,
  ) {}

  /** The partition as last applied, when the publisher described it. */
  local(topic: string, partition: number): LocalPartition | undefined {
    return this.partitions.get(partitionKey(topic, partition));
  }

  start(options: ReplicationOptions): void {
    if (this.running) return;
    const d = REPLICATION_DEFAULTS;
    const lagMs = options.replicaLagTimeMaxMs ?? d.replicaLagTimeMaxMs;
    const backoffMs = options.replicaFetchBackoffMs ?? d.replicaFetchBackoffMs;
    const fetchers = new ReplicaFetcherManager(
      {
        brokerId: this.brokerId,
        maxWaitMs: options.replicaFetchWaitMaxMs ?? d.replicaFetchWaitMaxMs,
        minBytes: options.replicaFetchMinBytes ?? d.replicaFetchMinBytes,
        partitionMaxBytes: options.replicaFetchMaxBytes ?? d.replicaFetchMaxBytes,
        responseMaxBytes: options.replicaFetchResponseMaxBytes ?? d.replicaFetchResponseMaxBytes,
        backoffMs,
      },
      (brokerId) => options.brokerEndpoint(brokerId),
      { onFollowerLogChanged: (p: FollowedPartition) => this.hooks.followerLogChanged(p.topic, p.partition, p.log) },
      this.log,
      {
        clientId: options.clientId ?? `broker-${this.brokerId}-fetcher`,
        requestTimeoutMs: options.replicaSocketTimeoutMs ?? d.replicaSocketTimeoutMs,
        reconnectBackoffMs: 50,
        reconnectBackoffMaxMs: Math.max(50, backoffMs),
      },
    );
    const isr = new IsrManager(
      this.brokerId,
      this.followers,
      options.alterPartition,
      {
        replicaLagTimeMaxMs: lagMs,
        retryBackoffMs: backoffMs,
        isReplicaEligible: (id) => options.isReplicaEligible?.(id) ?? true,
      },
      (local) => this.hooks.partitionChanged(local.topic, local.partition),
      this.log,
    );
    // Kafka's isr-expiration task runs every replica.lag.time.max.ms / 2
    const isrCheck = setInterval(() => this.maybeShrinkIsr(), Math.max(1, Math.floor(lagMs / 2)));
    isrCheck.unref();
    this.running = { fetchers, isr, isrCheck };
  }

  apply(changes: readonly PartitionStateChange[]): void {
    const now = Date.now();
    for (const change of changes) {
      const { topic, partition } = change;
      const key = partitionKey(topic, partition);
      if (!change.replicas.includes(this.brokerId)) {
        this.stopReplica(key);
        continue;
      }
      let local = this.partitions.get(key);
      if (local && local.topicId !== change.topicId) {
        // the topic was deleted and created again under the same name
        this.stopReplica(key);
        local = undefined;
      }
      if (local?.isStale(change)) continue;
      const log = this.hooks.logOf(topic, partition);
      if (!log) {
        this.log(`WARN [ReplicaManager broker=${this.brokerId}] No local log for ${key}, assigned to this broker; not serving it`);
        continue;
      }
      const previous = local ? { leader: local.leader, leaderEpoch: local.leaderEpoch, partitionEpoch: local.partitionEpoch } : null;
      if (local) local.update(change);
      else this.partitions.set(key, (local = new LocalPartition(key, change)));
      if (!previous || previous.leaderEpoch !== change.leaderEpoch || previous.partitionEpoch !== change.partitionEpoch) {
        // a newer registration replaces any ISR change still in flight (Kafka's makeLeader)
        local.pendingIsr = null;
        local.alterPartitionRetryAt = 0;
      }
      const epochChanged = !previous || previous.leader !== change.leader || previous.leaderEpoch !== change.leaderEpoch;
      if (change.leader === this.brokerId) {
        if (epochChanged) this.becomeLeader(local, log, now);
      } else if (epochChanged) {
        this.becomeFollower(local, log);
      }
      this.hooks.partitionChanged(topic, partition);
    }
    this.hooks.leadershipChanged();
  }

  remove(partitions: ReadonlyArray<{ topic: string; partition: number }>): void {
    for (const { topic, partition } of partitions) this.stopReplica(partitionKey(topic, partition));
    this.hooks.leadershipChanged();
  }

  /** A follower's Fetch reached this leader: it may join the ISR. */
  onFollowerFetch(local: LocalPartition, log: PartitionLog, replicaId: number, now: number): void {
    this.running?.isr.maybeExpand(local, log, replicaId, now);
  }

  /** The periodic ISR check of the partitions this broker leads. */
  maybeShrinkIsr(): void {
    const running = this.running;
    if (!running) return;
    const now = Date.now();
    for (const local of this.partitions.values()) {
      if (local.leader !== this.brokerId) continue;
      const log = this.hooks.logOf(local.topic, local.partition);
      if (log) running.isr.maybeShrink(local, log, now);
    }
  }

  followerFetchState(topic: string, partition: number): { state: 'truncating' | 'fetching'; fetchOffset: number } | undefined {
    const followed = this.running?.fetchers.followed(partitionKey(topic, partition));
    return followed ? { state: followed.state, fetchOffset: followed.fetchOffset } : undefined;
  }

  async shutdown(): Promise<void> {
    const running = this.running;
    this.running = null;
    if (!running) return;
    clearInterval(running.isrCheck);
    await running.fetchers.shutdown();
  }

  private becomeLeader(local: LocalPartition, log: PartitionLog, now: number): void {
    this.running?.fetchers.removePartition(local.key);
    try {
      log.assignLeaderEpoch(local.leaderEpoch);
    } catch (err) {
      this.log(`WARN [Partition ${local.key} broker=${this.brokerId}] Could not record leader epoch ${local.leaderEpoch}: ${String(err)}`);
    }
    local.leaderEpochStartOffset = log.logEndOffset;
    this.followers.reset(log, local.leaderEpoch, local.isr, now);
    this.hooks.becameLeader(log);
    this.log(`[Partition ${local.key} broker=${this.brokerId}] ${local.key} starts at leader epoch ${local.leaderEpoch} from offset ${log.logEndOffset} with partition epoch ${local.partitionEpoch}, high watermark ${log.highWatermark}, ISR [${local.isr.join(',')}]`);
  }

  private becomeFollower(local: LocalPartition, log: PartitionLog): void {
    const fetchers = this.running?.fetchers;
    if (!fetchers) {
      this.log(`WARN [ReplicaManager broker=${this.brokerId}] ${local.key} is to follow broker ${local.leader} but replication was not started`);
      return;
    }
    if (local.leader < 0) {
      fetchers.removePartition(local.key);
      return;
    }
    this.log(`[ReplicaManager broker=${this.brokerId}] Follower ${local.key} starts at leader epoch ${local.leaderEpoch} from offset ${log.logEndOffset} with partition epoch ${local.partitionEpoch} and high watermark ${log.highWatermark}. Current leader ${local.leader}.`);
    fetchers.addPartition({
      key: local.key,
      topic: local.topic,
      topicId: local.topicId,
      partition: local.partition,
      log,
      leaderId: local.leader,
      leaderEpoch: local.leaderEpoch,
    });
  }

  private stopReplica(key: string): void {
    this.running?.fetchers.removePartition(key);
    const local = this.partitions.get(key);
    if (!local) return;
    this.partitions.delete(key);
    this.hooks.partitionChanged(local.topic, local.partition);
  }
}
