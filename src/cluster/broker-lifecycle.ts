/**
 * A broker's life with the active controller (Kafka's BrokerLifecycleManager, KIP-631):
 * register (BrokerRegistration: cluster id, a fresh incarnation id, the advertised
 * listeners, rack) and get a broker epoch, then heartbeat every
 * broker.heartbeat.interval.ms with the offset of the metadata it has applied. The
 * controller registers it fenced and unfences it once it has caught up; a heartbeat
 * answered STALE_BROKER_EPOCH (the controller lost the registration, e.g. it fenced us
 * and we came back) registers again. At shutdown WantShutDown asks the controller to
 * move leadership away first (controlled shutdown) and waits, bounded, for its go.
 *
 * A registration refused as a duplicate id or for another cluster id is fatal: the
 * broker must not serve. Not reaching any controller for `connectTimeoutMs` (the
 * ZooKeeper-style brokers' zookeeper.connection.timeout.ms) is fatal too.
 */
import { ErrorCode, errorName, KafkaError } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type {
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
} from '../protocol/generated/types.js';
import type { MetadataQuorum } from '../metadata/index.js';
import { NetworkError } from '../network/index.js';
import type { ControllerChannel } from './controller-channel.js';
import { randomUuid } from './ids.js';

export interface BrokerLifecycleOptions {
  brokerId: number;
  channel: ControllerChannel;
  quorum: MetadataQuorum;
  clusterId: () => string;
  listeners: readonly { name: string; host: string; port: number; securityProtocol: number }[];
  rack: string | null;
  /** broker.heartbeat.interval.ms (2000) */
  heartbeatIntervalMs: number;
  /** how long registration may fail to reach any controller before giving up (null: keep trying) */
  connectTimeoutMs: number | null;
  /** how long DUPLICATE_BROKER_REGISTRATION is retried (the previous incarnation's session may still be open) */
  duplicateRetryMs: number;
  log?: (line: string) => void;
}

/** Registration refused for good, or no controller reachable in time: the broker must stop. */
export class BrokerLifecycleError extends Error {
  constructor(
    message: string,
    readonly errorCode: number,
  ) {
    super(message);
    this.name = 'BrokerLifecycleError';
  }
}

/** The metadata.version range this broker supports (KIP-778): 3.3-IV3 (7) .. 3.9 (21). */
const METADATA_VERSION_RANGE = { name: 'metadata.version', minSupportedVersion: 7, maxSupportedVersion: 21 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class BrokerLifecycleManager {
  readonly incarnationId = randomUuid();
  private epoch = -1n;
  private fenced = true;
  private timer: NodeJS.Timeout | undefined;
  private heartbeating = false;
  private stopped = false;
  private wantShutDown = false;
  private readonly logLine: (line: string) => void;
  private readonly unfencedWaiters: (() => void)[] = [];

  constructor(private readonly options: BrokerLifecycleOptions) {
    this.logLine = options.log ?? (() => {});
  }

  get brokerEpoch(): bigint {
    return this.epoch;
  }

  get isFenced(): boolean {
    return this.fenced;
  }

  /** Registers (retrying while no controller answers) and starts heartbeating. Rejects with BrokerLifecycleError. */
  async start(): Promise<void> {
    await this.register();
    this.schedule(0);
  }

  /** Resolves when the controller has unfenced this broker (or the manager stops). */
  whenUnfenced(): Promise<void> {
    if (!this.fenced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.unfencedWaiters.push(resolve));
  }

  private async register(): Promise<void> {
    const started = Date.now();
    const { brokerId } = this.options;
    let duplicateLogged = false;
    for (;;) {
      if (this.stopped) return;
      const request: BrokerRegistrationRequest = {
        brokerId,
        clusterId: this.options.clusterId(),
        incarnationId: this.incarnationId,
        listeners: this.options.listeners.map((l) => ({ ...l })),
        features: [METADATA_VERSION_RANGE],
        rack: this.options.rack,
        isMigratingZkBroker: false,
        logDirs: [],
        previousBrokerEpoch: this.epoch,
      };
      let response: BrokerRegistrationResponse;
      try {
        response = await this.registration(request);
      } catch (err) {
        const elapsed = Date.now() - started;
        if (this.options.connectTimeoutMs !== null && elapsed >= this.options.connectTimeoutMs) {
          throw new BrokerLifecycleError(
            `Timed out waiting for connection to the controller at ${this.options.channel.describeTargets()} after ${this.options.connectTimeoutMs} ms`,
            ErrorCode.REQUEST_TIMED_OUT,
          );
        }
        if (!(err instanceof NetworkError) && !(err instanceof KafkaError && err.code === ErrorCode.NOT_CONTROLLER)) throw err;
        await sleep(200);
        continue;
      }
      if (response.errorCode === ErrorCode.NONE) {
        this.epoch = response.brokerEpoch;
        this.logLine(`INFO [BrokerLifecycleManager id=${brokerId}] Registered with the controller: broker epoch ${this.epoch}, incarnation ${this.incarnationId}`);
        return;
      }
      if (response.errorCode === ErrorCode.DUPLICATE_BROKER_REGISTRATION) {
        // Kafka retries: the id may be this broker's own previous incarnation (killed -9, or restarted at once)
        // whose session the controller keeps for broker.session.timeout.ms. A broker that is really running
        // keeps its session alive, so after twice that time the id is taken for good.
        const elapsed = Date.now() - started;
        if (elapsed < this.options.duplicateRetryMs) {
          if (!duplicateLogged) {
            this.logLine(`WARN [BrokerLifecycleManager id=${brokerId}] The controller says broker id ${brokerId} is registered by a live broker; retrying until its session expires (up to ${this.options.duplicateRetryMs} ms)`);
            duplicateLogged = true;
          }
          await sleep(500);
          continue;
        }
        throw new BrokerLifecycleError(
          `Another broker is registered with broker id ${brokerId}: give this broker its own broker.id (or node.id) or stop the other one`,
          response.errorCode,
        );
      }
      if (response.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID) {
        throw new BrokerLifecycleError(
          `The controller refused cluster id ${request.clusterId} of this broker's log dirs: they belong to another cluster (use empty log.dirs, or the cluster's own controller)`,
          response.errorCode,
        );
      }
      // NOT_CONTROLLER after the channel's own retries, or a transient error: try again
      this.logLine(`WARN [BrokerLifecycleManager id=${brokerId}] Registration answered ${errorName(response.errorCode)}; retrying`);
      await sleep(500);
    }
  }

  private async registration(request: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse> {
    const local = this.options.channel.localController();
    if (local !== undefined) return local.brokerRegistration(request);
    const { response } = await this.options.channel.send<BrokerRegistrationResponse>(ApiKey.BrokerRegistration, request, {
      minVersion: 0,
      maxVersion: 3,
      notController: (r) => r.errorCode === ErrorCode.NOT_CONTROLLER,
      timeoutMs: 5_000,
    });
    return response;
  }

  private async heartbeat(): Promise<BrokerHeartbeatResponse> {
    const request: BrokerHeartbeatRequest = {
      brokerId: this.options.brokerId,
      brokerEpoch: this.epoch,
      currentMetadataOffset: BigInt(Math.max(-1, this.options.quorum.image().provenance.lastContainedOffset)),
      wantFence: false,
      wantShutDown: this.wantShutDown,
      offlineLogDirs: [],
    };
    const local = this.options.channel.localController();
    if (local !== undefined) return local.brokerHeartbeat(request);
    const { response } = await this.options.channel.send<BrokerHeartbeatResponse>(ApiKey.BrokerHeartbeat, request, {
      minVersion: 0,
      maxVersion: 1,
      notController: (r) => r.errorCode === ErrorCode.NOT_CONTROLLER,
      timeoutMs: Math.max(1_000, this.options.heartbeatIntervalMs * 2),
    });
    return response;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.beat(), delayMs);
    this.timer.unref();
  }

  private async beat(): Promise<BrokerHeartbeatResponse | undefined> {
    if (this.stopped || this.heartbeating) return undefined;
    this.heartbeating = true;
    let next = this.options.heartbeatIntervalMs;
    try {
      const response = await this.heartbeat();
      if (response.errorCode === ErrorCode.STALE_BROKER_EPOCH) {
        this.logLine(`WARN [BrokerLifecycleManager id=${this.options.brokerId}] The controller no longer knows broker epoch ${this.epoch}; registering again`);
        this.setFenced(true);
        await this.register();
        next = 0;
      } else if (response.errorCode === ErrorCode.NONE) {
        this.setFenced(response.isFenced);
        // while fenced and catching up, ask again sooner (Kafka heartbeats immediately after catching up)
        if (response.isFenced) next = Math.min(next, 200);
        return response;
      }
    } catch (err) {
      this.logLine(`WARN [BrokerLifecycleManager id=${this.options.brokerId}] Heartbeat failed: ${(err as Error).message}`);
      next = Math.min(next, 500);
    } finally {
      this.heartbeating = false;
      if (!this.wantShutDown) this.schedule(next);
    }
    return undefined;
  }

  private setFenced(fenced: boolean): void {
    if (this.fenced && !fenced) {
      this.logLine(`INFO [BrokerLifecycleManager id=${this.options.brokerId}] The controller unfenced this broker`);
      for (const resolve of this.unfencedWaiters.splice(0)) resolve();
    }
    this.fenced = fenced;
  }

  /**
   * Controlled shutdown: heartbeats with WantShutDown until the controller says the
   * broker leads nothing any more (shouldShutDown), at most `timeoutMs`.
   */
  async controlledShutdown(timeoutMs = 5_000): Promise<boolean> {
    if (this.stopped || this.epoch < 0n) return false;
    this.wantShutDown = true;
    clearTimeout(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      while (this.heartbeating) await sleep(20);
      const response = await this.beat();
      if (response?.shouldShutDown) {
        this.logLine(`INFO [BrokerLifecycleManager id=${this.options.brokerId}] Controlled shutdown complete: the controller moved leadership away`);
        return true;
      }
      await sleep(100);
    }
    this.logLine(`WARN [BrokerLifecycleManager id=${this.options.brokerId}] Controlled shutdown did not complete within ${timeoutMs} ms; shutting down anyway`);
    return false;
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const resolve of this.unfencedWaiters.splice(0)) resolve();
  }
}
