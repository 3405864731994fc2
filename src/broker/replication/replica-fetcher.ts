/**
 * One follower fetcher per source broker (Kafka's ReplicaFetcherThread): it replicates
 * every partition this broker follows whose leader is that broker.
 *
 * A partition starts in `truncating`: the follower asks the leader (OffsetForLeaderEpoch,
 * key 23, with its replica id) where its latest leader epoch ends and cuts its log there
 * (truncation.ts), then moves to `fetching`. Fetching is one sessionless Fetch for all
 * partitions at a time, with the replica id (ReplicaId below v15, ReplicaState from v15)
 * so the leader reads past its high watermark and counts the fetch offset as this
 * follower's log end; the leader holds it up to replica.fetch.wait.max.ms. Fetched
 * batches are appended as they are (the leader's offsets and epochs kept: producer state,
 * `.txnindex` and the leader-epoch cache follow from them) and the follower's high
 * watermark becomes min(leader's high watermark, own log end).
 *
 * Errors, as Kafka's fetcher: OFFSET_OUT_OF_RANGE below the leader's log start restarts
 * the log there; above the leader's log end truncates to the leader's high watermark;
 * NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH and the rest back the
 * partition off for replica.fetch.backoff.ms until the metadata moves it; a failed
 * connection backs the whole fetcher off.
 */
import { ErrorCode, errorName } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type {
  FetchResponse,
  OffsetForLeaderEpochResponse,
} from '../../protocol/generated/types.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import { iterateBatches } from '../../protocol/records/batch.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { NetworkClient } from '../../network/index.js';
import type { BrokerEndpoint } from './types.js';
import { latestEpochOf, truncationFor } from './truncation.js';

/** first Fetch version naming topics by id */
const TOPIC_ID_VERSION = 13;
/** Fetch versions our own handler serves (handlers/01-fetch.ts) */
const FETCH_MIN_VERSION = 4;
const FETCH_MAX_VERSION = 17;
/** OffsetForLeaderEpoch v3 is the first with ReplicaId */
const OFFSET_FOR_LEADER_EPOCH_MIN_VERSION = 3;
const OFFSET_FOR_LEADER_EPOCH_MAX_VERSION = 4;

/** The whole batches of a fetched record set (a response may end with a partial one). */
function wholeBatches(records: Buffer | null): Buffer {
  if (!records || records.length === 0) return Buffer.alloc(0);
  let end = 0;
  for (const batch of iterateBatches(records)) end = batch.position + batch.bytes.length;
  return end === records.length ? records : records.subarray(0, end);
}

export interface FetcherSettings {
  brokerId: number;
  maxWaitMs: number;
  minBytes: number;
  partitionMaxBytes: number;
  responseMaxBytes: number;
  backoffMs: number;
}

/** A followed partition as its fetcher tracks it. */
export interface FollowedPartition {
  readonly key: string;
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly log: PartitionLog;
  /** the leader epoch this broker follows in (sent as CurrentLeaderEpoch) */
  readonly leaderEpoch: number;
  state: 'truncating' | 'fetching';
  fetchOffset: number;
  /** no request for the partition before this time (replica.fetch.backoff.ms after an error) */
  delayedUntil: number;
  /** the error it last backed off for, so a partition waiting for the metadata is reported once */
  lastError?: number;
}

export interface FetcherListener {
  /** The follower's log changed (appended or truncated); `truncated` when records went. */
  onFollowerLogChanged(partition: FollowedPartition, truncated: boolean): void;
}

export class ReplicaFetcher {
  private readonly partitions = new Map<string, FollowedPartition>();
  private running: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private fetcherDelayedUntil = 0;
  /** the last failure logged, so a broker that stays down is reported once */
  private lastFailure: string | null = null;

  constructor(
    readonly sourceBrokerId: number,
    private readonly client: NetworkClient,
    private readonly endpointOf: (brokerId: number) => BrokerEndpoint | undefined,
    private readonly settings: FetcherSettings,
    private readonly listener: FetcherListener,
    private readonly log: (line: string) => void,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  has(key: string): FollowedPartition | undefined {
    return this.partitions.get(key);
  }

  /** Follows `partition` from this fetcher's broker, starting with truncation. */
  addPartition(partition: Omit<FollowedPartition, 'state' | 'fetchOffset' | 'delayedUntil'>): FollowedPartition {
    const followed: FollowedPartition = { ...partition, state: 'truncating', fetchOffset: partition.log.logEndOffset, delayedUntil: 0 };
    this.partitions.set(partition.key, followed);
    this.start();
    this.signal();
    return followed;
  }

  removePartition(key: string): void {
    this.partitions.delete(key);
    this.signal();
  }

  /** Stops after the request in flight; resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signal();
    await this.running;
  }

  private start(): void {
    if (this.running || this.stopped) return;
    this.running = this.run().catch((err: unknown) => {
      this.log(`ERROR [ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] stopped: ${String(err)}`);
    });
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits for a partition change or `ms`, whichever comes first. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, Math.max(1, ms));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      if (now < this.fetcherDelayedUntil) {
        await this.idle(this.fetcherDelayedUntil - now);
        continue;
      }
      const ready = [...this.partitions.values()].filter((p) => p.delayedUntil <= now);
      if (ready.length === 0) {
        const next = Math.min(...[...this.partitions.values()].map((p) => p.delayedUntil));
        await this.idle(Number.isFinite(next) ? next - now : 60_000);
        continue;
      }
      const endpoint = this.endpointOf(this.sourceBrokerId);
      if (!endpoint) {
        this.failed(`no endpoint known for broker ${this.sourceBrokerId}`);
        continue;
      }
      try {
        const truncating = ready.filter((p) => p.state === 'truncating');
        if (truncating.length > 0) await this.truncate(endpoint, truncating);
        const fetching = ready.filter((p) => p.state === 'fetching' && this.partitions.get(p.key) === p);
        if (fetching.length > 0) await this.fetch(endpoint, fetching);
        this.lastFailure = null;
      } catch (err) {
        if (this.stopped) return;
        this.failed(err instanceof Error ? err.message : String(err));
      }
    }
  }

  private failed(reason: string): void {
    if (reason !== this.lastFailure) {
      this.log(`WARN [ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] Error in fetch: ${reason}; retrying in ${this.settings.backoffMs} ms`);
      this.lastFailure = reason;
    }
    this.fetcherDelayedUntil = Date.now() + this.settings.backoffMs;
  }

  private backOff(p: FollowedPartition, errorCode: number, what: string): void {
    p.delayedUntil = Date.now() + this.settings.backoffMs;
    if (p.lastError === errorCode) return;
    p.lastError = errorCode;
    this.log(`WARN [ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] ${what} of ${p.topic}-${p.partition} failed with ${errorName(errorCode)}; retrying in ${this.settings.backoffMs} ms`);
  }

  /** OffsetForLeaderEpoch for the partitions that must truncate before fetching. */
  private async truncate(endpoint: BrokerEndpoint, partitions: FollowedPartition[]): Promise<void> {
    const asking: { p: FollowedPartition; epoch: number }[] = [];
    for (const p of partitions) {
      const epoch = latestEpochOf(p.log);
      if (epoch === null) {
        // no epoch history (an empty log, or one older than epochs): the high watermark is what is known to be shared
        this.truncateLog(p, Math.min(p.log.highWatermark, p.log.logEndOffset));
        this.startFetching(p);
      } else {
        asking.push({ p, epoch });
      }
    }
    if (asking.length === 0) return;
    const byTopic = new Map<string, { topic: string; partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[] }>();
    for (const { p, epoch } of asking) {
      let topic = byTopic.get(p.topic);
      if (!topic) byTopic.set(p.topic, (topic = { topic: p.topic, partitions: [] }));
      topic.partitions.push({ partition: p.partition, currentLeaderEpoch: p.leaderEpoch, leaderEpoch: epoch });
    }
    const { response } = await this.client.send<OffsetForLeaderEpochResponse>(
      { ...endpoint, nodeId: this.sourceBrokerId },
      ApiKey.OffsetForLeaderEpoch,
      { replicaId: this.settings.brokerId, topics: [...byTopic.values()] },
      { minVersion: OFFSET_FOR_LEADER_EPOCH_MIN_VERSION, maxVersion: OFFSET_FOR_LEADER_EPOCH_MAX_VERSION },
    );
    if (this.stopped) return;
    for (const { p, epoch } of asking) {
      if (this.partitions.get(p.key) !== p || p.state !== 'truncating') continue;
      const result = response.topics.find((t) => t.topic === p.topic)?.partitions.find((r) => r.partition === p.partition);
      if (!result) continue;
      if (result.errorCode !== ErrorCode.NONE) {
        this.backOff(p, result.errorCode, 'OffsetForLeaderEpoch');
        continue;
      }
      const decision = truncationFor(p.log, { leaderEpoch: result.leaderEpoch, endOffset: Number(result.endOffset) });
      if (decision.offset < p.log.logEndOffset) {
        this.log(`[ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] Truncating partition ${p.topic}-${p.partition} with TruncationState(offset=${decision.offset}, completed=${decision.completed}) due to leader epoch and offset EpochEndOffset(leaderEpoch=${result.leaderEpoch}, endOffset=${result.endOffset}) for epoch ${epoch}`);
      }
      this.truncateLog(p, decision.offset);
      if (decision.completed) this.startFetching(p);
    }
  }

  private truncateLog(p: FollowedPartition, offset: number): void {
    if (offset >= p.log.logEndOffset) return;
    p.log.truncateTo(offset);
    this.listener.onFollowerLogChanged(p, true);
  }

  private startFetching(p: FollowedPartition): void {
    p.state = 'fetching';
    p.fetchOffset = p.log.logEndOffset;
  }

  private async fetch(endpoint: BrokerEndpoint, partitions: FollowedPartition[]): Promise<void> {
    const requested = new Map(partitions.map((p) => [p.key, p.fetchOffset]));
    const settings = this.settings;
    // topic ids only from v13: without one for every partition, stay below it
    const allHaveIds = partitions.every((p) => p.topicId !== '' && p.topicId !== ZERO_UUID);
    const body = (version: number) => {
      const topics = new Map<string, { topic: string; topicId: string; partitions: unknown[] }>();
      for (const p of partitions) {
        const topicKey = version >= TOPIC_ID_VERSION ? p.topicId : p.topic;
        let topic = topics.get(topicKey);
        if (!topic) topics.set(topicKey, (topic = { topic: p.topic, topicId: p.topicId, partitions: [] }));
        topic.partitions.push({
          partition: p.partition,
          currentLeaderEpoch: p.leaderEpoch,
          fetchOffset: BigInt(p.fetchOffset),
          lastFetchedEpoch: -1,
          logStartOffset: BigInt(p.log.logStartOffset),
          partitionMaxBytes: settings.partitionMaxBytes,
          replicaDirectoryId: ZERO_UUID,
        });
      }
      return {
        clusterId: null,
        replicaId: settings.brokerId,
        replicaState: { replicaId: settings.brokerId, replicaEpoch: -1n },
        maxWaitMs: settings.maxWaitMs,
        minBytes: settings.minBytes,
        maxBytes: settings.responseMaxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics.values()],
        forgottenTopicsData: [],
        rackId: '',
      };
    };
    const { version, response } = await this.client.send<FetchResponse>(
      { ...endpoint, nodeId: this.sourceBrokerId },
      ApiKey.Fetch,
      body,
      { minVersion: FETCH_MIN_VERSION, maxVersion: allHaveIds ? FETCH_MAX_VERSION : TOPIC_ID_VERSION - 1 },
    );
    if (this.stopped) return;
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`Fetch answered ${errorName(response.errorCode)}`);
    for (const topic of response.responses) {
      for (const data of topic.partitions) {
        const p = partitions.find(
          (c) => (version >= TOPIC_ID_VERSION ? c.topicId === topic.topicId : c.topic === topic.topic) && c.partition === data.partitionIndex,
        );
        // moved, removed or re-added while the fetch was out: its answer is stale
        if (!p || this.partitions.get(p.key) !== p || p.state !== 'fetching' || p.fetchOffset !== requested.get(p.key)) continue;
        this.processPartition(p, data);
      }
    }
  }

  private processPartition(p: FollowedPartition, data: FetchResponse['responses'][number]['partitions'][number]): void {
    const log = p.log;
    const leaderHw = Number(data.highWatermark);
    const leaderLogStart = Number(data.logStartOffset);
    switch (data.errorCode) {
      case ErrorCode.NONE: {
        const records = wholeBatches(data.records);
        if (records.length > 0) {
          try {
            const first = iterateBatches(records).next().value!.header;
            if (log.logEndOffset === log.logStartOffset && first.baseOffset < log.logEndOffset && first.lastOffset >= log.logEndOffset) {
              // the leader's log start is in the middle of this batch (DeleteRecords): an empty
              // follower log starts at the batch instead, as Kafka's follower append does
              this.log(`[ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] Unexpected offset in append to ${p.topic}-${p.partition}. First offset ${first.baseOffset} is less than log start offset ${log.logStartOffset}. Since this is the first record to be appended to the follower's log, will start the log from offset ${first.baseOffset}.`);
              log.truncateFullyAndStartAt(first.baseOffset);
            }
            log.appendAsFollower(records);
          } catch (err) {
            this.log(`ERROR [ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] Follower append to ${p.topic}-${p.partition} at offset ${p.fetchOffset} failed: ${err instanceof Error ? err.message : String(err)}`);
            p.delayedUntil = Date.now() + this.settings.backoffMs;
            return;
          }
          this.listener.onFollowerLogChanged(p, false);
          // fetched partitions go to the end of the next request, so one whose batch exceeds what
          // is left of the response is first (and gets at least a whole batch, KIP-74) in time
          this.partitions.delete(p.key);
          this.partitions.set(p.key, p);
        }
        p.fetchOffset = log.logEndOffset;
        p.lastError = undefined;
        // the follower's high watermark: what the leader committed, as far as this log has it
        log.highWatermark = Math.min(leaderHw, log.logEndOffset);
        // DeleteRecords and retention on the leader move the follower's log start too
        if (leaderLogStart > log.logStartOffset && leaderLogStart <= log.highWatermark) log.deleteRecordsBefore(leaderLogStart);
        return;
      }
      case ErrorCode.OFFSET_OUT_OF_RANGE: {
        if (p.fetchOffset < leaderLogStart) {
          // behind the leader's log start: nothing below it can be fetched any more
          this.log(`WARN [ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] Reset fetch offset for partition ${p.topic}-${p.partition} from ${p.fetchOffset} to the leader's log start offset ${leaderLogStart}`);
          log.truncateFullyAndStartAt(leaderLogStart);
        } else {
          // ahead of the leader's log end (an unclean election): keep only what the leader committed
          // (below this log's start, the log restarts there: PartitionLog.truncateTo)
          const offset = Math.min(leaderHw, log.logEndOffset);
          this.log(`WARN [ReplicaFetcher replicaId=${this.settings.brokerId}, leaderId=${this.sourceBrokerId}] Truncating partition ${p.topic}-${p.partition} from ${log.logEndOffset} to the leader's high watermark ${offset}: fetch offset ${p.fetchOffset} is past the leader's log end`);
          log.truncateTo(offset);
        }
        this.listener.onFollowerLogChanged(p, true);
        p.fetchOffset = log.logEndOffset;
        return;
      }
      default:
        this.backOff(p, data.errorCode, 'Fetch');
    }
  }
}
