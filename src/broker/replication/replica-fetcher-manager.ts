/**
 * The follower fetchers of one broker (Kafka's ReplicaFetcherManager with
 * num.replica.fetchers=1): one ReplicaFetcher per source broker, created when the first
 * partition led by that broker is followed and stopped when its last one goes. All
 * fetchers share one NetworkClient (one connection per leader).
 */
import { NetworkClient } from '../../network/index.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import { ReplicaFetcher, type FetcherListener, type FetcherSettings, type FollowedPartition } from './replica-fetcher.js';
import type { BrokerEndpoint } from './types.js';

const SHUTDOWN_WAIT_MS = 2000;

export interface FollowRequest {
  key: string;
  topic: string;
  topicId: string;
  partition: number;
  log: PartitionLog;
  leaderId: number;
  leaderEpoch: number;
}

export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  /** partition key → the broker it is fetched from */
  private readonly sources = new Map<string, number>();
  private readonly client: NetworkClient;
  private closed = false;

  constructor(
    private readonly settings: FetcherSettings,
    private readonly endpointOf: (brokerId: number) => BrokerEndpoint | undefined,
    private readonly listener: FetcherListener,
    private readonly log: (line: string) => void,
    clientOptions: { clientId: string; requestTimeoutMs: number; reconnectBackoffMs: number; reconnectBackoffMaxMs: number },
  ) {
    this.client = new NetworkClient(clientOptions);
  }

  /** The partition's fetch state while it is followed (tests, diagnostics). */
  followed(key: string): FollowedPartition | undefined {
    const source = this.sources.get(key);
    return source === undefined ? undefined : this.fetchers.get(source)?.has(key);
  }

  /** Follows a partition from `leaderId` at `leaderEpoch`, replacing any earlier fetch of it (truncation first). */
  addPartition(request: FollowRequest): void {
    if (this.closed) return;
    // a new epoch of the same leader replaces the partition in its fetcher (which keeps running)
    if (this.sources.get(request.key) !== request.leaderId) this.removePartition(request.key);
    let fetcher = this.fetchers.get(request.leaderId);
    if (!fetcher) {
      fetcher = new ReplicaFetcher(request.leaderId, this.client, this.endpointOf, this.settings, this.listener, this.log);
      this.fetchers.set(request.leaderId, fetcher);
    }
    const { leaderId: _leader, ...partition } = request;
    fetcher.addPartition(partition);
    this.sources.set(request.key, request.leaderId);
  }

  removePartition(key: string): void {
    const source = this.sources.get(key);
    if (source === undefined) return;
    this.sources.delete(key);
    const fetcher = this.fetchers.get(source);
    if (!fetcher) return;
    fetcher.removePartition(key);
    if (fetcher.size === 0) {
      this.fetchers.delete(source);
      void fetcher.stop();
    }
  }

  /**
   * Stops every fetcher and closes their connections (a request in flight fails as
   * closed). A connect still in progress to an unreachable leader is not waited for
   * beyond SHUTDOWN_WAIT_MS: its fetcher ignores whatever comes back once stopped.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    const stopping = [...this.fetchers.values()].map((f) => f.stop());
    this.fetchers.clear();
    this.sources.clear();
    this.client.close();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)));
    await Promise.race([Promise.all(stopping), gaveUp]);
    clearTimeout(timer);
  }
}
