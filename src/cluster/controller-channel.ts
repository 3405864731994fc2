/**
 * The broker's line to the active controller (Kafka's NodeToControllerChannelManager):
 * one NetworkClient to the controller quorum. The active controller is the quorum
 * leader: its endpoint comes from the voters list (or the quorum, when it knows the
 * leader's address); while it is unknown the channel tries the voters and bootstrap
 * servers in turn. An answer of NOT_CONTROLLER, a lost connection or a refused connect
 * means "ask elsewhere": the channel moves on and retries, with a short backoff, until
 * the request's deadline. When this node itself is the active controller the request
 * never leaves the process.
 *
 * Also the replication layer's AlterPartitionSender: a partition leader's ISR changes
 * go to the controller as AlterPartition (56) v2 (topic ids) with this broker's epoch.
 */
import { ApiKey } from '../protocol/generated/api-keys.js';
import { ErrorCode, KafkaError, errorName } from '../protocol/errors.js';
import type { AllocateProducerIdsResponse, AlterPartitionRequest, AlterPartitionResponse } from '../protocol/generated/types.js';
import { NetworkClient, NetworkError, formatEndpoint, type Endpoint } from '../network/index.js';
import type { ControllerService } from '../broker/services/controller-service.js';
import type { MetadataQuorum } from '../metadata/index.js';
import type { AlterPartitionResult, AlterPartitionSender } from '../broker/replication/types.js';

export interface ControllerChannelOptions {
  /** the quorum, for the leader's id; absent before the node has joined one (learning the cluster id) */
  quorum?: MetadataQuorum;
  /** controller voters with their addresses (KRaft controller.quorum.voters, ZooKeeper-style server.N) */
  voters: readonly { id: number; host: string; port: number }[];
  /** the address of a node the quorum has learned (an observer learns the leader's from Fetch answers) */
  endpointOf?: (nodeId: number) => { host: string; port: number } | undefined;
  /** where to look when the voters are not known (controller.quorum.bootstrap.servers, zookeeper.connect) */
  bootstrap: readonly { host: string; port: number }[];
  /** the controller on this node, used in-process while it is active */
  local?: ControllerService;
  /** this broker's id and current broker epoch (AlterPartition names them) */
  brokerId: number;
  brokerEpoch?: () => bigint;
  clientId?: string;
  /** how long one request may keep retrying (Kafka's request.timeout.ms for controller requests) */
  requestTimeoutMs?: number;
  retryBackoffMs?: number;
  log?: (line: string) => void;
}

export interface ChannelSendOptions<T> {
  minVersion?: number;
  maxVersion?: number;
  /** true when the answer says the receiver is not the active controller */
  notController(response: T): boolean;
  /** overall deadline for this request (defaults to the channel's requestTimeoutMs) */
  timeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** AlterPartition v2: topics by id, a plain ISR list. */
const ALTER_PARTITION_VERSION = 2;

export class ControllerChannel {
  private readonly client: NetworkClient;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  /** the endpoint that last answered as the controller */
  private sticky: Endpoint | undefined;
  private rotation = 0;
  private closed = false;

  private readonly options: ControllerChannelOptions;

  constructor(options: ControllerChannelOptions) {
    this.options = { ...options };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.client = new NetworkClient({
      clientId: options.clientId ?? `broker-${options.brokerId}-to-controller`,
      connectTimeoutMs: 2_000,
      requestTimeoutMs: Math.min(this.requestTimeoutMs, 10_000),
      reconnectBackoffMs: 50,
      reconnectBackoffMaxMs: 1_000,
    });
  }

  /** The quorum once the node has joined it (the cluster id may have to be learned first). */
  setQuorum(quorum: MetadataQuorum): void {
    this.options.quorum = quorum;
  }

  /** This node's own controller, answered in-process while it is the active one. */
  setLocalController(local: ControllerService | undefined): void {
    this.options.local = local;
  }

  /** The in-process controller while it is the active one. */
  localController(): ControllerService | undefined {
    const local = this.options.local;
    return local !== undefined && local.isActive() ? local : undefined;
  }

  /** Every address a controller may answer at: the leader's first when known. */
  private candidates(): Endpoint[] {
    const out: Endpoint[] = [];
    const leaderId = this.options.quorum?.leaderAndEpoch().leaderId ?? null;
    const leader = this.options.voters.find((v) => v.id === leaderId) ?? (leaderId === null ? undefined : this.learned(leaderId));
    if (leader !== undefined) out.push({ host: leader.host, port: leader.port, nodeId: leader.id });
    if (this.sticky !== undefined) out.push(this.sticky);
    for (const v of this.options.voters) out.push({ host: v.host, port: v.port, nodeId: v.id });
    for (const b of this.options.bootstrap) out.push({ host: b.host, port: b.port });
    const seen = new Set<string>();
    // never this node itself: its own controller is asked in-process (asking it over the network would only loop back)
    if (this.options.local !== undefined) {
      for (const v of this.options.voters) if (v.id === this.options.brokerId) seen.add(formatEndpoint(v.host, v.port));
    }
    return out.filter((e) => {
      const key = formatEndpoint(e.host, e.port);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private learned(nodeId: number): { id: number; host: string; port: number } | undefined {
    const endpoint = this.options.endpointOf?.(nodeId);
    return endpoint === undefined ? undefined : { id: nodeId, ...endpoint };
  }

  /** Where the controller was looked for, for error lines. */
  describeTargets(): string {
    return this.candidates().map((e) => formatEndpoint(e.host, e.port)).join(',');
  }

  /**
   * Sends one request to the active controller, moving on to the next candidate after
   * NOT_CONTROLLER or a network failure, until the deadline; then rejects with the last
   * failure (a NetworkError, or KafkaError NOT_CONTROLLER).
   */
  async send<T>(apiKey: number, body: unknown, options: ChannelSendOptions<T>): Promise<{ version: number; response: T }> {
    const deadline = Date.now() + (options.timeoutMs ?? this.requestTimeoutMs);
    let lastError: Error = new KafkaError(ErrorCode.NOT_CONTROLLER, 'No active controller answered.');
    for (let attempt = 0; !this.closed; attempt++) {
      const candidates = this.candidates();
      const leaderKnown = (this.options.quorum?.leaderAndEpoch().leaderId ?? null) !== null || this.sticky !== undefined;
      const target = attempt === 0 && leaderKnown ? candidates[0] : candidates[this.rotation++ % candidates.length];
      if (target === undefined) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'No controller address is configured.');
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        const result = await this.client.send<T>(target, apiKey, body, {
          minVersion: options.minVersion,
          maxVersion: options.maxVersion,
          timeoutMs: Math.max(100, Math.min(remaining, 10_000)),
        });
        if (!options.notController(result.response)) {
          this.sticky = target;
          return result;
        }
        lastError = new KafkaError(ErrorCode.NOT_CONTROLLER, `${formatEndpoint(target.host, target.port)} is not the active controller.`);
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        lastError = err;
      }
      if (this.sticky === target) this.sticky = undefined;
      if (Date.now() + this.retryBackoffMs >= deadline) break;
      await sleep(this.retryBackoffMs);
    }
    throw lastError;
  }

  /** The replication layer's AlterPartitionSender: ISR changes of partitions this broker leads. */
  alterPartitionSender(): AlterPartitionSender {
    return {
      send: async (_topic, topicId, partition, proposal): Promise<AlterPartitionResult> => {
        const request: AlterPartitionRequest = {
          brokerId: this.options.brokerId,
          brokerEpoch: this.options.brokerEpoch?.() ?? -1n,
          topics: [
            {
              topicName: _topic,
              topicId,
              partitions: [
                {
                  partitionIndex: partition,
                  leaderEpoch: proposal.leaderEpoch,
                  newIsr: [...proposal.newIsr],
                  newIsrWithEpochs: [],
                  leaderRecoveryState: 0,
                  partitionEpoch: proposal.partitionEpoch,
                },
              ],
            },
          ],
        };
        const response = await this.alterPartitionRequest(request, ALTER_PARTITION_VERSION);
        const p = response.topics[0]?.partitions[0];
        if (response.errorCode !== ErrorCode.NONE || p === undefined) {
          return { errorCode: response.errorCode !== ErrorCode.NONE ? response.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR, isr: [], leaderEpoch: -1, partitionEpoch: -1 };
        }
        return { errorCode: p.errorCode, isr: p.isr, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch };
      },
    };
  }

  async alterPartitionRequest(request: AlterPartitionRequest, version: number): Promise<AlterPartitionResponse> {
    const local = this.localController();
    if (local !== undefined) return local.alterPartition(request, version);
    const { response } = await this.send<AlterPartitionResponse>(ApiKey.AlterPartition, request, {
      minVersion: version,
      maxVersion: version,
      notController: (r) => r.errorCode === ErrorCode.NOT_CONTROLLER,
    });
    return response;
  }

  /**
   * The next block of producer ids for this broker (AllocateProducerIds 67, KIP-730), from
   * the active controller (in-process when it is this node). Rejects with a KafkaError
   * carrying the controller's error (STALE_BROKER_EPOCH before registration) or a network
   * failure; the ProducerIdManager retries.
   */
  async allocateProducerIds(): Promise<{ start: bigint; length: number }> {
    const request = { brokerId: this.options.brokerId, brokerEpoch: this.options.brokerEpoch?.() ?? -1n };
    const local = this.localController();
    const response =
      local !== undefined
        ? await local.allocateProducerIds(request)
        : (
            await this.send<AllocateProducerIdsResponse>(ApiKey.AllocateProducerIds, request, {
              minVersion: 0,
              maxVersion: 0,
              notController: (r) => r.errorCode === ErrorCode.NOT_CONTROLLER,
            })
          ).response;
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, `AllocateProducerIds failed: ${errorName(response.errorCode)}`);
    return { start: response.producerIdStart, length: response.producerIdLen };
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }
}
