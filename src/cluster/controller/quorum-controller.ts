/**
 * The active controller (Kafka's QuorumController): runs on every node with the
 * controller role and acts while this node leads the metadata quorum. Each decision is
 * taken by the pure functions beside it (topics.ts, leadership.ts, brokers.ts,
 * alter-partition.ts) over the committed image and appended through
 * MetadataQuorum.append; decisions are serialised, each one waiting for the previous
 * batch to commit, so no decision is based on an image another one is about to change.
 *
 * Broker lifecycle (KIP-631): BrokerRegistration gives a broker its epoch (duplicate
 * live ids refused, cluster id checked), BrokerHeartbeat keeps its session and unfences
 * it once it has caught up with the log, a broker silent for broker.session.timeout.ms
 * is fenced and its partitions get leaders from their ISR, WantShutDown moves its
 * leadership away before it may stop (controlled shutdown). Periodically: preferred
 * leaders are restored (auto.leader.rebalance.enable, every
 * leader.imbalance.check.interval.seconds) and leaderless partitions elect an
 * out-of-sync replica where unclean.leader.election.enable allows it.
 */
import type { BrokerConfig } from '../../broker/config.js';
import type { ControllerService } from '../../broker/services/controller-service.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type {
  AllocateProducerIdsRequest,
  AllocateProducerIdsResponse,
  AlterPartitionRequest,
  AlterPartitionResponse,
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
} from '../../protocol/generated/types.js';
import {
  applyRecords,
  NO_LEADER,
  partitionsOf,
  resourceConfigs,
  ConfigResourceType,
  type MetadataImage,
  type MetadataQuorum,
  type MetadataRecord,
} from '../../metadata/index.js';
import { alterPartition } from './alter-partition.js';
import { allocateProducerIds } from './producer-ids.js';
import { BrokerHeartbeats } from './broker-heartbeats.js';
import { controlledShutdownRecords, fenceBrokerById, partitionsLedBy, registerBrokerRecords, unfenceBrokerRecords } from './brokers.js';
import { electLeaders, ElectionType, partitionChange } from './leadership.js';

export interface QuorumControllerOptions {
  quorum: MetadataQuorum;
  config: BrokerConfig;
  /** the cluster id brokers must register with */
  clusterId: () => string;
  log?: (line: string) => void;
  now?: () => number;
  /**
   * A broker in this process that registered itself through the log (the embedded single
   * node): it never heartbeats over the network, so its session never expires.
   */
  inProcessBrokerId?: number;
}

/** A decision queued or deciding longer than this is reported (diagnostics of a stuck controller). */
const SLOW_DECISION_MS = 2000;

/** How long a decision waits for its batch to commit before failing (Kafka's controller write timeout is of this order). */
const APPEND_COMMIT_TIMEOUT_MS = 15_000;

/** How often the controller looks for expired sessions (Kafka checks on a similar short period). */
const SESSION_CHECK_INTERVAL_MS = 1000;

/** A decision over the committed image: the records to append and what to answer once they are committed. */
export interface ControllerDecision<T> {
  records: readonly MetadataRecord[];
  result: (committed: MetadataImage) => T;
}

export class QuorumController implements ControllerService {
  private readonly quorum: MetadataQuorum;
  private readonly config: BrokerConfig;
  private readonly logLine: (line: string) => void;
  private readonly now: () => number;
  private readonly heartbeats: BrokerHeartbeats;
  private readonly sessionTimeoutMs: number;
  private tail: Promise<unknown> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private active = false;
  private closed = false;

  constructor(private readonly options: QuorumControllerOptions) {
    this.quorum = options.quorum;
    this.config = options.config;
    this.logLine = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    this.sessionTimeoutMs = options.config.brokerSessionTimeoutMs ?? 9000;
    this.heartbeats = new BrokerHeartbeats(this.sessionTimeoutMs, this.now);
  }

  /** Starts following the quorum's leadership and the periodic checks. */
  start(): void {
    this.quorum.addListener({ onLeaderChange: () => this.leadershipChanged() });
    this.leadershipChanged();
    const sessionCheck = setInterval(() => void this.checkSessions(), Math.min(SESSION_CHECK_INTERVAL_MS, Math.max(100, this.sessionTimeoutMs / 4)));
    sessionCheck.unref();
    this.timers.push(sessionCheck);
    if (this.config.autoLeaderRebalanceEnable ?? true) {
      const seconds = this.config.leaderImbalanceCheckIntervalSeconds ?? 300;
      const rebalance = setInterval(() => void this.rebalanceLeaders(), seconds * 1000);
      rebalance.unref();
      this.timers.push(rebalance);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  isActive(): boolean {
    return !this.closed && this.quorum.isLeader();
  }

  /**
   * Runs `decide` over the committed image once every earlier decision has committed,
   * appends its records and answers from the image they produced. Rejects NOT_CONTROLLER
   * when this node does not lead the quorum.
   */
  write<T>(decide: (image: MetadataImage) => ControllerDecision<T> | Promise<ControllerDecision<T>>): Promise<T> {
    const queuedAt = this.now();
    const run = this.tail.then(async () => {
      if (!this.isActive()) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
      const startedAt = this.now();
      if (startedAt - queuedAt > SLOW_DECISION_MS) {
        this.logLine(`WARN [QuorumController id=${this.quorum.nodeId}] A decision waited ${startedAt - queuedAt} ms for the ones before it`);
      }
      const decision = await decide(this.quorum.image());
      if (decision.records.length > 0) await this.commitWithin(decision.records, APPEND_COMMIT_TIMEOUT_MS);
      return decision.result(this.quorum.image());
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Appends and waits for the commit, at most `timeoutMs`: a batch the quorum cannot
   * commit (a majority of voters unreachable) fails with REQUEST_TIMED_OUT rather than
   * holding every later decision (heartbeats included) behind it.
   */
  private commitWithin(records: readonly MetadataRecord[], timeoutMs: number): Promise<bigint> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `The metadata quorum did not commit the change within ${timeoutMs} ms (are a majority of the controllers up?).`)),
        timeoutMs,
      );
      timer.unref();
    });
    return Promise.race([this.quorum.append(records), timeout]).finally(() => clearTimeout(timer));
  }

  /** Appends records decided over the current image (no answer needed). */
  private writeRecords(decide: (image: MetadataImage) => MetadataRecord[], what: string): Promise<void> {
    return this.write((image) => ({ records: decide(image), result: () => undefined })).catch((err: unknown) => {
      if (err instanceof KafkaError && err.code === ErrorCode.NOT_CONTROLLER) return;
      this.logLine(`WARN [QuorumController id=${this.quorum.nodeId}] ${what} failed: ${(err as Error).message}`);
    });
  }

  // ---- broker lifecycle ----------------------------------------------------

  brokerRegistration(request: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse> {
    const refuse = (errorCode: number, message: string): BrokerRegistrationResponse => {
      this.logLine(`WARN [QuorumController id=${this.quorum.nodeId}] Refused the registration of broker ${request.brokerId}: ${message}`);
      return { throttleTimeMs: 0, errorCode, brokerEpoch: -1n };
    };
    return this.write((image) => {
      const clusterId = this.options.clusterId();
      if (request.clusterId !== clusterId) {
        return { records: [], result: () => refuse(ErrorCode.INCONSISTENT_CLUSTER_ID, `Expected cluster ID ${clusterId}, but got cluster ID ${request.clusterId}`) };
      }
      const existing = image.brokers.get(request.brokerId);
      // a fenced broker (session expired, or its controlled shutdown completed) has no live session: a new incarnation may take its id
      if (existing !== undefined && !existing.fenced && existing.incarnationId !== request.incarnationId && this.hasLiveSession(request.brokerId, image)) {
        return { records: [], result: () => refuse(ErrorCode.DUPLICATE_BROKER_REGISTRATION, 'Another broker is registered with that broker id.') };
      }
      const brokerEpoch = nextBrokerEpoch(image);
      const records = registerBrokerRecords(image, request, brokerEpoch);
      this.heartbeats.touch(request.brokerId);
      return {
        records,
        result: (): BrokerRegistrationResponse => {
          this.logLine(`INFO [QuorumController id=${this.quorum.nodeId}] Registered broker ${request.brokerId} (incarnation ${request.incarnationId}) at broker epoch ${brokerEpoch}`);
          return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, brokerEpoch };
        },
      };
    });
  }

  brokerHeartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    const answer = (errorCode: number, image: MetadataImage | null, caughtUp = false, shouldShutDown = false): BrokerHeartbeatResponse => ({
      throttleTimeMs: 0,
      errorCode,
      isCaughtUp: caughtUp,
      isFenced: image?.brokers.get(request.brokerId)?.fenced ?? true,
      shouldShutDown,
    });
    return this.write((image) => {
      const broker = image.brokers.get(request.brokerId);
      if (broker === undefined || broker.epoch !== request.brokerEpoch) return { records: [], result: () => answer(ErrorCode.STALE_BROKER_EPOCH, null) };
      this.heartbeats.touch(request.brokerId);
      // caught up once it has replayed its own registration (Kafka: the RegisterBrokerRecord offset)
      const caughtUp = request.currentMetadataOffset >= broker.epoch;
      let records: MetadataRecord[] = [];
      let shutDown = false;
      if (request.wantShutDown) {
        if (broker.fenced) shutDown = true;
        else {
          // leadership moves away first; once the broker leads nothing it is fenced and may stop
          // (Kafka: SHUTDOWN_NOW fences it, so a restart with a new incarnation is accepted at once)
          records = controlledShutdownRecords(image, broker.id);
          const after = applyRecords(image, records);
          if (partitionsLedBy(after, broker.id) === 0) {
            records = [...records, ...fenceBrokerById(after, broker.id)];
            shutDown = true;
            this.heartbeats.remove(broker.id);
          }
        }
      } else if (request.wantFence) {
        records = fenceBrokerById(image, broker.id);
      } else if (broker.fenced && caughtUp) {
        records = unfenceBrokerRecords(image, broker.id);
        this.logLine(`INFO [QuorumController id=${this.quorum.nodeId}] Unfenced broker ${broker.id}: it has caught up with the metadata log`);
      }
      return {
        records,
        result: (committed) => {
          return answer(ErrorCode.NONE, committed, caughtUp, shutDown);
        },
      };
    });
  }

  alterPartition(request: AlterPartitionRequest, version: number): Promise<AlterPartitionResponse> {
    return this.write((image) => {
      const decision = alterPartition(image, request, version);
      return { records: decision.records, result: (committed) => decision.response(committed) };
    });
  }

  /** KIP-730: a block of producer ids for a broker, taken from the image's next id; granted once its ProducerIdsRecord commits. */
  allocateProducerIds(request: AllocateProducerIdsRequest): Promise<AllocateProducerIdsResponse> {
    return this.write((image) => {
      const decision = allocateProducerIds(image, request.brokerId, request.brokerEpoch);
      return {
        records: decision.records,
        result: (): AllocateProducerIdsResponse => ({
          throttleTimeMs: 0,
          errorCode: decision.errorCode,
          producerIdStart: decision.block?.start ?? -1n,
          producerIdLen: decision.block?.length ?? 0,
        }),
      };
    });
  }

  // ---- periodic work -------------------------------------------------------

  private hasLiveSession(brokerId: number, image: MetadataImage): boolean {
    if (brokerId === this.options.inProcessBrokerId) return image.brokers.get(brokerId)?.fenced === false;
    return this.heartbeats.hasValidSession(brokerId);
  }

  /** On becoming the active controller every registered broker gets a fresh session (ClusterControlManager.activate). */
  private leadershipChanged(): void {
    const active = this.isActive();
    if (active && !this.active) {
      this.heartbeats.clear();
      for (const broker of this.quorum.image().brokers.values()) {
        if (broker.id !== this.options.inProcessBrokerId) this.heartbeats.touch(broker.id);
      }
      this.logLine(`INFO [QuorumController id=${this.quorum.nodeId}] Became the active controller at epoch ${this.quorum.leaderAndEpoch().epoch}`);
    }
    this.active = active;
  }

  /** Fences brokers whose session expired and elects unclean leaders where allowed. */
  async checkSessions(): Promise<void> {
    this.leadershipChanged();
    if (!this.isActive()) return;
    for (const brokerId of this.heartbeats.expired()) {
      this.heartbeats.remove(brokerId);
      await this.writeRecords((image) => {
        const broker = image.brokers.get(brokerId);
        if (broker === undefined || broker.fenced) return [];
        this.logLine(`INFO [QuorumController id=${this.quorum.nodeId}] Fencing broker ${brokerId}: no heartbeat for ${this.sessionTimeoutMs} ms (broker.session.timeout.ms)`);
        return fenceBrokerById(image, brokerId);
      }, `fencing broker ${brokerId}`);
    }
    await this.writeRecords((image) => this.uncleanElections(image), 'unclean leader election');
  }

  /** Leaderless partitions whose topic (or the broker default) allows unclean.leader.election.enable. */
  private uncleanElections(image: MetadataImage): MetadataRecord[] {
    const out: MetadataRecord[] = [];
    for (const topic of image.topicsByName.values()) {
      const override = resourceConfigs(image, ConfigResourceType.TOPIC, topic.name)['unclean.leader.election.enable'];
      const allowed = override !== undefined ? override === 'true' : this.config.uncleanLeaderElectionEnable === true;
      if (!allowed) continue;
      for (const p of partitionsOf(topic)) {
        if (p.leader !== NO_LEADER) continue;
        const change = partitionChange(image, topic.topicId, p, { election: 'unclean' });
        if (change !== null) {
          this.logLine(`WARN [QuorumController id=${this.quorum.nodeId}] Unclean leader election for ${topic.name}-${p.partition}: records not in the last ISR may be lost`);
          out.push(change);
        }
      }
    }
    return out;
  }

  /** auto.leader.rebalance.enable: moves leadership back to each partition's preferred replica when it is in the ISR. */
  async rebalanceLeaders(): Promise<void> {
    if (!this.isActive()) return;
    await this.writeRecords((image) => electLeaders(image, ElectionType.PREFERRED, null).records, 'preferred leader election');
  }
}

/**
 * A new registration's broker epoch: above every epoch handed out and every offset of
 * the committed log. Kafka uses the offset of the RegisterBrokerRecord itself; ours is
 * at least that offset (decisions are serialised, so nothing else is in flight), which
 * keeps epochs increasing and the "caught up to its registration" test the same.
 */
export function nextBrokerEpoch(image: MetadataImage): bigint {
  let epoch = BigInt(image.provenance.lastContainedOffset + 1);
  for (const broker of image.brokers.values()) if (broker.epoch >= epoch) epoch = broker.epoch + 1n;
  return epoch;
}
