/**
 * The KRaft quorum of `__cluster_metadata-0` (KIP-595, as Kafka's KafkaRaftClient):
 * voters elect a leader with Vote at a new epoch when they stop hearing from one
 * (election timeout, randomised; fetch timeout for followers), the winner writes a
 * LeaderChangeMessage and announces itself with BeginQuorumEpoch, followers and
 * observers pull the log with Fetch (truncating a divergent uncommitted tail the
 * leader points at, or installing a snapshot when they are behind its log start),
 * and the high watermark — what a majority of voters has — is what gets committed:
 * only then do records reach image() and listeners. A leader that shuts down
 * cleanly sends EndQuorumEpoch so the others elect at once; one that loses touch
 * with the majority resigns (check quorum). Election state survives restarts in
 * quorum-state.
 *
 * One event loop owns it: state changes happen in request handlers, response
 * callbacks and a 20 ms tick, never concurrently. This file holds the state machine
 * and the outbound side; raft-handlers.ts answers the inbound RPCs.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type {
  BeginQuorumEpochResponse,
  EndQuorumEpochResponse,
  VoteResponse,
} from '../../protocol/generated/types.js';
import { encodeRaftControlRecord, type MetadataRecord } from '../../protocol/metadata-records.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import { emptyImage, type MetadataImage } from '../../metadata/image.js';
import { MetadataLog } from '../../metadata/metadata-log.js';
import type { CommittedBatch, LeaderAndEpoch, MetadataQuorum, MetadataQuorumListener } from '../../metadata/quorum.js';
import { imageRecords } from '../../metadata/records.js';
import { NetworkClient, NetworkError, type Endpoint } from '../../network/index.js';
import { METADATA_TOPIC_NAME } from '../../broker/services/quorum-service.js';
import { LeaderState } from './leader-state.js';
import { QuorumStateFile } from './quorum-state-file.js';
import {
  DEFAULT_ELECTION_BACKOFF_MAX_MS,
  DEFAULT_ELECTION_TIMEOUT_MS,
  DEFAULT_FETCH_MAX_WAIT_MS,
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_BACKOFF_MS,
  type HostPort,
  type QuorumVoter,
  type RaftQuorumOptions,
} from './raft-config.js';
import { RaftFetcher } from './raft-fetcher.js';
import { RaftRequestHandler } from './raft-handlers.js';

export type RaftRole = 'unattached' | 'candidate' | 'leader' | 'follower' | 'resigned';

/** The election state (persisted part: epoch, leaderId, votedId) plus the role's timers. */
export interface RaftState {
  readonly role: RaftRole;
  readonly epoch: number;
  readonly leaderId: number | null;
  readonly votedId: number | null;
  /** voters: when an unattached voter or a candidate starts the next election */
  electionDeadline: number;
  /** followers: when the leader counts as gone without a successful Fetch */
  fetchDeadline: number;
  /** candidate: voters that granted / refused */
  readonly granted: Set<number>;
  readonly rejected: Set<number>;
  /** candidate: waiting out the backoff after a lost election */
  backingOff: boolean;
  /** leader only */
  readonly leader: LeaderState | null;
}

const TICK_MS = 20;

interface PendingAppend {
  readonly lastOffset: number;
  resolve(offset: bigint): void;
  reject(err: Error): void;
}

export class RaftQuorum implements MetadataQuorum {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly isVoter: boolean;
  readonly voterIds: readonly number[];
  readonly metadataLog: MetadataLog;
  /** the inbound RPCs (register as BrokerServices.quorum) */
  readonly service: RaftRequestHandler;
  readonly electionTimeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly electionBackoffMaxMs: number;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly fetchMaxWaitMs: number;
  readonly listenerName: string;
  readonly controllerListenerNames: readonly string[] | undefined;
  /** where each node listens: the voters from the configuration, others as learned (Fetch NodeEndpoints, BeginQuorumEpoch) */
  readonly endpoints = new Map<number, HostPort>();
  private readonly bootstrap: readonly HostPort[];
  private bootstrapIndex = 0;
  private stateValue: RaftState;
  /** bumped on every transition: a response to a request sent in an older state is not acted on */
  private generation = 0;
  private readonly stateFile: QuorumStateFile;
  private readonly network: NetworkClient;
  private readonly listeners = new Set<MetadataQuorumListener>();
  private lastAnnounced: LeaderAndEpoch | null = null;
  private appends: PendingAppend[] = [];
  /** long-polling Fetches waiting for new records or a new high watermark */
  private readonly waiters = new Set<() => void>();
  private readonly fetcher: RaftFetcher;
  private lastBeginQuorumEpochSent = 0;
  private timer: NodeJS.Timeout | null = null;
  private tickScheduled = false;
  /** a timeout seen expired on the last tick, acted on only if still expired on the next (confirmTimeout) */
  private suspectedTimeout: string | null = null;
  private suspectedGeneration = -1;
  /** the leader's high watermark as first heard (followers, observers): caught up once committed to it */
  private catchUpTarget: number | null = null;
  private markCaughtUp!: () => void;
  private readonly caughtUpPromise = new Promise<void>((resolve) => (this.markCaughtUp = resolve));
  private closed = false;
  readonly log: (line: string) => void;
  private readonly random: () => number;
  readonly clock: () => number;

  private constructor(options: RaftQuorumOptions) {
    this.nodeId = options.nodeId;
    this.clusterId = options.clusterId;
    this.voterIds = [...new Set(options.voters.map((v) => v.id))].sort((a, b) => a - b);
    this.isVoter = this.voterIds.includes(options.nodeId);
    for (const v of options.voters) this.endpoints.set(v.id, { host: v.host, port: v.port });
    // a voter does not ask itself
    this.bootstrap = options.bootstrapServers?.length
      ? options.bootstrapServers
      : options.voters.filter((v: QuorumVoter) => v.id !== options.nodeId).map((v) => ({ host: v.host, port: v.port }));
    this.electionTimeoutMs = options.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    this.electionBackoffMaxMs = options.electionBackoffMaxMs ?? DEFAULT_ELECTION_BACKOFF_MAX_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.retryBackoffMs = options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
    this.fetchMaxWaitMs = options.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS;
    this.listenerName = options.listenerName ?? 'CONTROLLER';
    this.controllerListenerNames = options.controllerListenerNames ?? (options.listenerName !== undefined ? [options.listenerName] : undefined);
    const prefix = `[RaftManager id=${options.nodeId}] `;
    const logger = options.logger ?? (() => {});
    this.log = (line) => logger(prefix + line);
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? Date.now;
    this.metadataLog = MetadataLog.open({
      logDir: options.logDir,
      nodeId: options.nodeId,
      clusterId: options.clusterId,
      raft: true,
      logger,
      clock: this.clock,
      ...options.metadataLog,
    });
    this.stateFile = new QuorumStateFile(this.metadataLog.dir);
    this.network = new NetworkClient({
      clientId: `raft-client-${options.nodeId}`,
      requestTimeoutMs: this.requestTimeoutMs,
      connectTimeoutMs: this.requestTimeoutMs,
      reconnectBackoffMs: 50,
      reconnectBackoffMaxMs: this.electionBackoffMaxMs,
    });
    this.metadataLog.onChange((image, change) => {
      const batch: CommittedBatch = { image, previous: change.previous, records: change.records, lastOffset: BigInt(change.lastOffset) };
      for (const l of [...this.listeners]) l.onCommit?.(batch);
    });
    try {
      this.stateValue = this.initialState();
    } catch (err) {
      this.metadataLog.close();
      throw err;
    }
    this.service = new RaftRequestHandler(this);
    this.fetcher = new RaftFetcher(this);
  }

  /**
   * Opens the metadata log and the election state and starts taking part: a voter
   * elects or follows, an observer finds the leader through the bootstrap servers.
   * Inbound RPCs reach it through `service`.
   */
  static open(options: RaftQuorumOptions): RaftQuorum {
    // an observer may know only where to ask (zookeeper.connect / controller.quorum.bootstrap.servers, KIP-853)
    if (options.voters.length === 0 && !options.bootstrapServers?.length) throw new Error('A raft quorum needs at least one voter (controller.quorum.voters)');
    const quorum = new RaftQuorum(options);
    try {
      quorum.start();
    } catch (err) {
      // e.g. quorum-state not writable: nothing may stay open
      void quorum.close({ resign: false });
      throw err;
    }
    return quorum;
  }

  /** As Kafka's QuorumState.initialize: the stored election state, moved up to the log's epoch when that is ahead. */
  private initialState(): RaftState {
    let stored = null;
    try {
      stored = this.stateFile.read();
    } catch (err) {
      this.log(`${(err as Error).message}; starting from the epoch in the log`);
    }
    const logEpoch = this.metadataLog.lastFetchedEpoch;
    const now = this.clock();
    if (stored === null || stored.epoch < logEpoch) return this.makeState('unattached', logEpoch, null, null, now);
    if (stored.leaderId === this.nodeId) {
      // A leader cannot resume after a restart (its uncommitted appends are unknown): it resigned.
      return this.makeState('unattached', stored.epoch, null, this.nodeId, now);
    }
    if (stored.leaderId !== null) return this.makeState('follower', stored.epoch, stored.leaderId, stored.votedId, now);
    return this.makeState('unattached', stored.epoch, null, stored.votedId, now);
  }

  private makeState(role: RaftRole, epoch: number, leaderId: number | null, votedId: number | null, now: number, leader: LeaderState | null = null): RaftState {
    return {
      role,
      epoch,
      leaderId,
      votedId,
      electionDeadline: now + this.randomElectionTimeoutMs(),
      fetchDeadline: now + this.fetchTimeoutMs,
      granted: new Set(),
      rejected: new Set(),
      backingOff: false,
      leader,
    };
  }

  private start(): void {
    const s = this.stateValue;
    this.log(
      `Starting as ${this.isVoter ? 'voter' : 'observer'} of [${this.voterIds.join(', ')}] at epoch ${s.epoch} ` +
        `(${s.role}${s.leaderId !== null ? `, leader ${s.leaderId}` : ''}), log end ${this.metadataLog.endOffset}`,
    );
    this.persist();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    // a quorum of one elects itself at once (Kafka: the only voter becomes candidate on start)
    if (this.isVoter && this.voterIds.length === 1) this.startElection();
    this.ensureFetching();
    this.announceLeader();
  }

  // ---- MetadataQuorum ---------------------------------------------------------------

  image(): MetadataImage {
    return this.metadataLog.image();
  }

  leaderAndEpoch(): LeaderAndEpoch {
    return { leaderId: this.stateValue.leaderId, epoch: this.stateValue.epoch };
  }

  /**
   * True once this node leads AND its image holds everything committed before its epoch
   * (its first high watermark, past the epoch's LeaderChangeMessage, is known) — as Kafka's
   * raft client tells its listener about its own leadership only after the listener has
   * read up to the epoch start, so the controller never decides on an image older than
   * the quorum's. Appends are accepted from the moment of election.
   */
  isLeader(): boolean {
    const s = this.stateValue;
    return !this.closed && s.role === 'leader' && s.leader !== null && s.leader.highWatermark >= 0;
  }

  /** What listeners hear: this node's own leadership only once isLeader() holds. */
  private announcedLeader(): LeaderAndEpoch {
    const s = this.stateValue;
    if (s.role === 'leader' && !this.isLeader()) return { leaderId: null, epoch: s.epoch };
    return this.leaderAndEpoch();
  }

  /** The current election state (tests, DescribeQuorum, tools). */
  get state(): Readonly<RaftState> {
    return this.stateValue;
  }

  /** The committed offset boundary: everything below it is in image(). */
  get highWatermark(): number {
    return this.metadataLog.highWatermark;
  }

  /** The offset the next record appended to this node's log gets (on the leader: the next append's first offset). */
  get endOffset(): number {
    return this.metadataLog.endOffset;
  }

  /**
   * Resolves once image() holds everything committed when this node first heard from a
   * leader: on a leader when its first high watermark is known, on a follower or observer
   * when it has committed up to the leader's high watermark of its first successful Fetch
   * (a restarted broker should not act on an image older than the quorum's).
   */
  caughtUp(): Promise<void> {
    return this.caughtUpPromise;
  }

  /** A Fetch answer carried the leader's high watermark `hw` and this node committed what it could. */
  noteLeaderHighWatermark(hw: number): void {
    this.catchUpTarget ??= hw;
    if (this.metadataLog.highWatermark >= this.catchUpTarget) this.markCaughtUp();
  }

  append(records: readonly MetadataRecord[]): Promise<bigint> {
    const s = this.stateValue;
    if (this.closed || s.role !== 'leader' || s.leader === null) {
      return Promise.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, `node ${this.nodeId} is not the metadata quorum leader (leader: ${s.leaderId ?? 'unknown'}, epoch ${s.epoch})`));
    }
    if (records.length === 0) return Promise.resolve(BigInt(this.metadataLog.endOffset - 1));
    let lastOffset: number;
    try {
      lastOffset = this.metadataLog.appendAsLeader(records, s.epoch).lastOffset;
    } catch (err) {
      return Promise.reject(err);
    }
    const promise = new Promise<bigint>((resolve, reject) => this.appends.push({ lastOffset, resolve, reject }));
    this.onLocalAppend();
    return promise;
  }

  /**
   * The new listener first hears the committed state so far as one onCommit from the empty
   * image (Kafka's handleLoadSnapshot), then the current leader; after that every committed
   * batch in order and every leader change.
   */
  addListener(listener: MetadataQuorumListener): void {
    this.listeners.add(listener);
    const image = this.metadataLog.image();
    if (image.provenance.lastContainedOffset >= 0) {
      listener.onCommit?.({ image, previous: emptyImage(image.clusterId), records: imageRecords(image), lastOffset: BigInt(image.provenance.lastContainedOffset) });
    }
    listener.onLeaderChange?.(this.announcedLeader());
  }

  /**
   * Stops taking part. A leader first sends EndQuorumEpoch (unless `resign: false`, which
   * leaves as a crash would) so the others elect without waiting out the fetch timeout.
   */
  async close(options: { resign?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    const s = this.stateValue;
    if (options.resign !== false && s.role === 'leader' && s.leader !== null) {
      this.transition(this.makeState('resigned', s.epoch, this.nodeId, s.votedId, this.clock()));
      await this.sendEndQuorumEpoch(s.epoch, s.leader);
    }
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.failAppends(`node ${this.nodeId} is shutting down`);
    this.wakeWaiters();
    this.network.close();
    this.listeners.clear();
    this.metadataLog.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- transitions --------------------------------------------------------------------

  private transition(next: RaftState): void {
    const prev = this.stateValue;
    if (prev.role === 'leader' && next.role !== 'leader') this.failAppends(`node ${this.nodeId} is no longer the leader of epoch ${prev.epoch}`);
    this.stateValue = next;
    this.generation++;
    this.persist();
    if (prev.role !== next.role || prev.epoch !== next.epoch || prev.leaderId !== next.leaderId) {
      this.log(`Completed transition to ${describeState(next)} from ${describeState(prev)}`);
    }
    this.wakeWaiters();
    this.announceLeader();
    this.ensureFetching();
  }

  private persist(): void {
    const s = this.stateValue;
    this.stateFile.write({ epoch: s.epoch, leaderId: s.leaderId, votedId: s.votedId, voters: this.voterIds });
  }

  private announceLeader(): void {
    const now = this.announcedLeader();
    const last = this.lastAnnounced;
    if (last !== null && last.leaderId === now.leaderId && last.epoch === now.epoch) return;
    this.lastAnnounced = now;
    for (const l of [...this.listeners]) l.onLeaderChange?.(now);
  }

  /** Another node (in a request or a response) names a leader or a newer epoch: follow it (Kafka's maybeTransition). */
  learnLeader(leaderId: number, epoch: number, leaderEndpoint?: HostPort): void {
    if (this.closed) return;
    const known = leaderId >= 0 ? leaderId : null;
    if (known !== null && leaderEndpoint !== undefined && known !== this.nodeId) this.endpoints.set(known, leaderEndpoint);
    const s = this.stateValue;
    const now = this.clock();
    if (epoch > s.epoch) {
      if (known !== null && known !== this.nodeId) this.transition(this.makeState('follower', epoch, known, null, now));
      else this.transition(this.makeState('unattached', epoch, null, null, now));
    } else if (epoch === s.epoch && known !== null && known !== this.nodeId && s.leaderId === null && s.role !== 'leader') {
      this.transition(this.makeState('follower', epoch, known, s.votedId, now));
    }
  }

  /** A Vote at a higher epoch: leave the current epoch, leader or not, with no vote cast yet. */
  moveToEpoch(epoch: number): void {
    if (epoch > this.stateValue.epoch) this.transition(this.makeState('unattached', epoch, null, null, this.clock()));
  }

  /** Grant this epoch's one vote (persisted before the answer goes out). */
  recordVote(candidateId: number): void {
    const s = this.stateValue;
    this.transition(this.makeState('unattached', s.epoch, null, candidateId, this.clock()));
  }

  /**
   * EndQuorumEpoch from the leader this node follows: elect sooner, the best-placed of the
   * preferred successors (position 0, or not named) at once, the others after a strictly
   * exponential share of controller.quorum.election.backoff.max.ms (Kafka's
   * endEpochElectionBackoff), so the most up-to-date voter usually wins without a split vote.
   */
  expediteElection(position: number, successors: number): void {
    const s = this.stateValue;
    if (!this.isVoter || (s.role !== 'follower' && s.role !== 'unattached')) return;
    let delay = 0;
    if (position > 0) {
      delay = position >= successors ? this.electionBackoffMaxMs : Math.min(this.electionBackoffMaxMs, Math.floor((this.electionBackoffMaxMs * 2 ** (position - 1)) / 2 ** (successors - 1)));
    }
    const at = this.clock() + delay;
    if (s.role === 'follower') s.fetchDeadline = Math.min(s.fetchDeadline, at);
    else s.electionDeadline = Math.min(s.electionDeadline, at);
  }

  private randomElectionTimeoutMs(): number {
    return this.electionTimeoutMs + Math.floor(this.random() * this.electionTimeoutMs);
  }

  private electionBackoffMs(): number {
    return 1 + Math.floor(this.random() * this.electionBackoffMaxMs);
  }

  /**
   * The timer fires in the event loop's timers phase; the timeouts are judged in the check
   * phase after it (setImmediate), once the poll phase has handled any answer or request
   * that arrived meanwhile — after an event-loop stall (a loaded machine) a Fetch response
   * already in the socket must count before "no fetch response for fetch.timeout.ms" does.
   */
  private tick(): void {
    if (this.tickScheduled || this.closed) return;
    this.tickScheduled = true;
    setImmediate(() => {
      this.tickScheduled = false;
      this.checkTimeouts();
    });
  }

  private checkTimeouts(): void {
    if (this.closed) return;
    const s = this.stateValue;
    const now = this.clock();
    switch (s.role) {
      case 'unattached':
        if (this.isVoter && now >= s.electionDeadline) this.startElection();
        break;
      case 'follower':
        // confirmed on a second tick: a response that arrived during a stall gets one loop turn to count
        if (now >= s.fetchDeadline && this.confirmTimeout(`fetch:${s.fetchDeadline}`)) {
          if (this.isVoter) {
            this.log(`No fetch response from leader ${s.leaderId} within ${this.fetchTimeoutMs} ms; starting an election`);
            this.startElection();
          } else {
            this.transition(this.makeState('unattached', s.epoch, null, null, now));
          }
        }
        break;
      case 'candidate':
        if (now >= s.electionDeadline) {
          if (s.backingOff) this.startElection();
          else this.backOff(s, now);
        }
        break;
      case 'leader': {
        const leader = s.leader!;
        if (this.voterIds.length > 1 && !leader.majorityFollowing(now, this.fetchTimeoutMs * 1.5) && this.confirmTimeout(`quorum:${s.epoch}`)) {
          this.log(`Lost contact with a majority of voters for ${this.fetchTimeoutMs * 1.5} ms; resigning leadership of epoch ${s.epoch}`);
          // it already voted in this epoch (for itself), so it cannot vote again in it
          this.transition(this.makeState('unattached', s.epoch, null, this.nodeId, now));
          break;
        }
        if (now - this.lastBeginQuorumEpochSent >= this.electionTimeoutMs / 2) this.sendBeginQuorumEpoch(s, leader);
        break;
      }
      case 'resigned':
        break;
    }
  }

  /**
   * True when the same timeout (`key`) was already seen expired on the previous tick and
   * nothing reset it since; the first sighting only records it.
   */
  private confirmTimeout(key: string): boolean {
    const confirmed = this.suspectedTimeout === key && this.suspectedGeneration === this.generation;
    this.suspectedTimeout = key;
    this.suspectedGeneration = this.generation;
    return confirmed;
  }

  private backOff(s: RaftState, now: number): void {
    s.backingOff = true;
    s.electionDeadline = now + this.electionBackoffMs();
  }

  private hasMajority(ids: ReadonlySet<number>): boolean {
    return [...ids].filter((id) => this.voterIds.includes(id)).length > this.voterIds.length / 2;
  }

  // ---- elections ----------------------------------------------------------------------

  private startElection(): void {
    const epoch = this.stateValue.epoch + 1;
    const now = this.clock();
    const next = this.makeState('candidate', epoch, null, this.nodeId, now);
    next.granted.add(this.nodeId);
    this.transition(next);
    if (this.hasMajority(next.granted)) {
      this.becomeLeader();
      return;
    }
    const generation = this.generation;
    const lastEpoch = this.metadataLog.lastFetchedEpoch;
    const endOffset = this.metadataLog.endOffset;
    for (const voter of this.voterIds) {
      if (voter === this.nodeId) continue;
      const body = {
        clusterId: this.clusterId,
        voterId: voter,
        topics: [
          {
            topicName: METADATA_TOPIC_NAME,
            partitions: [
              {
                partitionIndex: 0,
                candidateEpoch: epoch,
                candidateId: this.nodeId,
                candidateDirectoryId: ZERO_UUID,
                voterDirectoryId: ZERO_UUID,
                lastOffsetEpoch: lastEpoch,
                lastOffset: BigInt(endOffset),
              },
            ],
          },
        ],
      };
      void this.send<VoteResponse>(voter, ApiKey.Vote, body).then((response) => {
        if (response === null || this.closed) return;
        const p = response.topics[0]?.partitions[0];
        if (response.errorCode !== ErrorCode.NONE || p === undefined) return;
        this.learnLeader(p.leaderId, p.leaderEpoch, this.endpointFrom(response.nodeEndpoints, p.leaderId));
        const s = this.stateValue;
        if (this.generation !== generation || s.role !== 'candidate') return;
        if (p.errorCode === ErrorCode.NONE && p.voteGranted) {
          s.granted.add(voter);
          if (this.hasMajority(s.granted)) this.becomeLeader();
        } else {
          s.rejected.add(voter);
          if (this.hasMajority(s.rejected) && !s.backingOff) this.backOff(s, this.clock());
        }
      });
    }
  }

  private becomeLeader(): void {
    const s = this.stateValue;
    const now = this.clock();
    const voters = this.voterIds.map((voterId) => ({ voterId, voterDirectoryId: ZERO_UUID }));
    const granting = [...s.granted].sort((a, b) => a - b).map((voterId) => ({ voterId, voterDirectoryId: ZERO_UUID }));
    // The epoch starts with a LeaderChangeMessage: once a majority has it, everything before it is committed too.
    const { baseOffset } = this.metadataLog.appendControl(
      encodeRaftControlRecord('LeaderChangeMessage', { leaderId: this.nodeId, voters, grantingVoters: granting }),
      s.epoch,
    );
    const leader = new LeaderState(this.nodeId, s.epoch, baseOffset, this.voterIds, now);
    this.transition(this.makeState('leader', s.epoch, this.nodeId, s.votedId, now, leader));
    this.lastBeginQuorumEpochSent = 0;
    this.sendBeginQuorumEpoch(this.stateValue, leader);
    this.onLocalAppend();
  }

  private sendBeginQuorumEpoch(s: RaftState, leader: LeaderState): void {
    this.lastBeginQuorumEpochSent = this.clock();
    const self = this.endpoints.get(this.nodeId);
    for (const voter of this.voterIds) {
      if (voter === this.nodeId || leader.acknowledged.has(voter)) continue;
      const body = {
        clusterId: this.clusterId,
        voterId: voter,
        topics: [{ topicName: METADATA_TOPIC_NAME, partitions: [{ partitionIndex: 0, voterDirectoryId: ZERO_UUID, leaderId: this.nodeId, leaderEpoch: s.epoch }] }],
        leaderEndpoints: self ? [{ name: this.listenerName, host: self.host, port: self.port }] : [],
      };
      void this.send<BeginQuorumEpochResponse>(voter, ApiKey.BeginQuorumEpoch, body).then((response) => {
        if (response === null || this.closed) return;
        const p = response.topics[0]?.partitions[0];
        if (response.errorCode !== ErrorCode.NONE || p === undefined) return;
        this.learnLeader(p.leaderId, p.leaderEpoch, this.endpointFrom(response.nodeEndpoints, p.leaderId));
        if (p.errorCode === ErrorCode.NONE && this.stateValue.leader === leader) leader.acknowledged.add(voter);
      });
    }
  }

  /** Graceful shutdown of a leader: tell every voter, best first, so one elects at once (bounded by the request timeout). */
  private async sendEndQuorumEpoch(epoch: number, leader: LeaderState): Promise<void> {
    const successors = [...leader.voters.values()]
      .filter((v) => v.id !== this.nodeId)
      .sort((a, b) => b.endOffset - a.endOffset || a.id - b.id)
      .map((v) => v.id);
    const self = this.endpoints.get(this.nodeId);
    const body = {
      clusterId: this.clusterId,
      topics: [
        {
          topicName: METADATA_TOPIC_NAME,
          partitions: [
            {
              partitionIndex: 0,
              leaderId: this.nodeId,
              leaderEpoch: epoch,
              preferredSuccessors: successors,
              preferredCandidates: successors.map((candidateId) => ({ candidateId, candidateDirectoryId: ZERO_UUID })),
            },
          ],
        },
      ],
      leaderEndpoints: self ? [{ name: this.listenerName, host: self.host, port: self.port }] : [],
    };
    this.log(`Resigning leadership of epoch ${epoch}: EndQuorumEpoch to ${successors.join(', ') || 'nobody'}`);
    await Promise.all(successors.map((voter) => this.send<EndQuorumEpochResponse>(voter, ApiKey.EndQuorumEpoch, body)));
  }

  // ---- the leader's log --------------------------------------------------------------

  private onLocalAppend(): void {
    const leader = this.stateValue.leader;
    if (leader === null) return;
    if (leader.updateLocal(this.metadataLog.endOffset, this.clock())) this.onHighWatermark(leader);
    this.wakeWaiters();
  }

  /** A follower fetched from `fetchOffset`: it has everything below. */
  onReplicaFetch(leader: LeaderState, replicaId: number, fetchOffset: number): boolean {
    if (!leader.updateReplica(replicaId, fetchOffset, this.metadataLog.endOffset, this.clock())) return false;
    this.onHighWatermark(leader);
    return true;
  }

  private onHighWatermark(leader: LeaderState): void {
    if (!leader.highWatermarkLogged) {
      leader.highWatermarkLogged = true;
      const ends = [...leader.voters.values()].map((v) => `${v.id}:${v.endOffset}`).join(', ');
      this.log(`High watermark set to ${leader.highWatermark} for the first time for epoch ${leader.epoch} (voter end offsets ${ends})`);
    }
    this.commitTo(leader.highWatermark);
    this.markCaughtUp();
    // the first high watermark of the epoch makes this node's leadership usable (isLeader)
    this.announceLeader();
    const hw = this.metadataLog.highWatermark;
    const done = this.appends.filter((a) => a.lastOffset < hw);
    this.appends = this.appends.filter((a) => a.lastOffset >= hw);
    for (const a of done) a.resolve(BigInt(a.lastOffset));
    this.wakeWaiters();
  }

  /** Commits up to `offset` (a follower: the leader's high watermark); a record that does not apply is logged. */
  commitTo(offset: number): void {
    try {
      this.metadataLog.commitTo(offset);
    } catch (err) {
      this.log(`Cannot apply committed metadata records: ${(err as Error).message}`);
    }
  }

  private failAppends(why: string): void {
    const failed = this.appends;
    this.appends = [];
    for (const a of failed) a.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, why));
  }

  /** Parks a long-polling Fetch until the log or the high watermark moves, the state changes, or `ms` pass. */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wakeWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  // ---- following: Fetch and FetchSnapshot (raft-fetcher.ts) --------------------------

  /** Followers, and observers looking for the leader, pull the log in one loop. */
  private ensureFetching(): void {
    if (this.fetcher.running || this.closed || this.fetchTarget() === null) return;
    void this.fetcher.run().finally(() => {
      // the state may have moved to another fetch target as the loop ended
      if (!this.closed && this.fetchTarget() !== null) this.ensureFetching();
    });
  }

  /**
   * Where to fetch from now: the leader; or, knowing none, the next bootstrap server — an
   * observer to find the leader, and an unattached voter too (as KIP-853 voters do), so a
   * restarted voter learns the current leader from any voter's answer before its election
   * timeout would disturb a working quorum; null: nowhere (candidate, leader).
   */
  fetchTarget(): HostPort | null {
    const s = this.stateValue;
    if (s.role === 'follower' && s.leaderId !== null) return this.endpoints.get(s.leaderId) ?? this.nextBootstrap();
    if (s.role === 'unattached' && s.leaderId === null) return this.nextBootstrap();
    return null;
  }

  private nextBootstrap(): HostPort | null {
    if (this.bootstrap.length === 0) return null;
    return this.bootstrap[this.bootstrapIndex % this.bootstrap.length]!;
  }

  /** A fetch failed while no leader is known: try the next bootstrap server. */
  nextBootstrapServer(): void {
    if (this.stateValue.leaderId === null) this.bootstrapIndex++;
  }

  /** A successful response from the leader: it is alive, the election waits. */
  resetFetchTimeout(): void {
    this.stateValue.fetchDeadline = this.clock() + this.fetchTimeoutMs;
  }

  /** The number of transitions so far: a response to a request sent in an older state is not acted on. */
  get generationNumber(): number {
    return this.generation;
  }

  // ---- network ------------------------------------------------------------------------

  endpointFrom(nodes: ReadonlyArray<{ nodeId: number; host: string; port: number }> | undefined, nodeId: number): HostPort | undefined {
    const n = nodes?.find((e) => e.nodeId === nodeId);
    return n === undefined ? undefined : { host: n.host, port: n.port };
  }

  /** Endpoint of `nodeId` for NodeEndpoints fields: known voters and learned leaders. */
  nodeEndpoint(nodeId: number | null): { nodeId: number; host: string; port: number }[] {
    if (nodeId === null) return [];
    const e = this.endpoints.get(nodeId);
    return e === undefined ? [] : [{ nodeId, host: e.host, port: e.port }];
  }

  private send<T>(nodeId: number, apiKey: number, body: unknown): Promise<T | null> {
    const endpoint = this.endpoints.get(nodeId);
    if (endpoint === undefined) return Promise.resolve(null);
    return this.sendTo<T>({ ...endpoint, nodeId } as Endpoint, apiKey, body);
  }

  /** Sends one request; null when it could not be sent or answered (the raft retries on its own schedule). */
  async sendTo<T>(endpoint: HostPort, apiKey: number, body: unknown, minVersion = 0, timeoutMs = this.requestTimeoutMs): Promise<T | null> {
    if (this.closed) return null;
    try {
      const { response } = await this.network.send<T>({ host: endpoint.host, port: endpoint.port }, apiKey, body, { minVersion, timeoutMs });
      return response;
    } catch (err) {
      if (!(err instanceof NetworkError) && !(err instanceof Error && err.name === 'UnsupportedVersionError')) {
        this.log(`${apiKey} request to ${endpoint.host}:${endpoint.port} failed: ${(err as Error).message}`);
      }
      return null;
    }
  }
}

function describeState(s: RaftState): string {
  switch (s.role) {
    case 'leader':
      return `LeaderState(epoch=${s.epoch})`;
    case 'follower':
      return `FollowerState(epoch=${s.epoch}, leaderId=${s.leaderId})`;
    case 'candidate':
      return `CandidateState(epoch=${s.epoch})`;
    case 'resigned':
      return `ResignedState(epoch=${s.epoch})`;
    default:
      return s.votedId !== null ? `UnattachedState(epoch=${s.epoch}, votedId=${s.votedId})` : `UnattachedState(epoch=${s.epoch})`;
  }
}
