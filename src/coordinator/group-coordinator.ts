/**
 * The classic consumer-group coordinator (Kafka's GroupCoordinator): JoinGroup /
 * SyncGroup / Heartbeat / LeaveGroup state machine with delayed joins and session
 * timeouts, committed offsets, and persistence of both in `__consumer_offsets`. A
 * partition's groups are replayed from its log when this broker becomes its leader
 * (onLeaderElected) and dropped when it stops being (onResigned), as Kafka's
 * GroupCoordinator.onElection / onResignation; `load()` takes every partition at once
 * (tests over an in-memory log).
 */
import { randomUUID } from 'node:crypto';
import type { BrokerConfig } from '../broker/config.js';
import type {
  GroupDescription,
  GroupListing,
  GroupService,
  HeartbeatParams,
  JoinGroupParams,
  JoinGroupResult,
  LeaveGroupResult,
  LeavingMember,
  OffsetCommitParams,
  OffsetFetchResult,
  SyncGroupParams,
  SyncGroupResult,
  TopicPartitionResults,
  TxnOffsetCommitParams,
} from '../broker/services/group-service.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { iterateBatches } from '../protocol/records/batch.js';
import {
  buildRecordBatch,
  controlRecordType,
  ControlRecordType,
  decodeRecordBatch,
  type RecordInput,
} from '../protocol/records/record.js';
import { PendingTxnOffsets } from './pending-txn-offsets.js';
import { systemScheduler, type Scheduler } from './clock.js';
import { ClassicGroup, type GroupMember } from './group.js';
import {
  decodeGroupMetadataValue,
  decodeGroupRecordKey,
  decodeOffsetCommitValue,
  decodeSubscriptionTopics,
  type GroupRecordKey,
  type OffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  offsetsPartitionFor,
} from './group-records.js';
import type { OffsetsLog } from './offsets-log.js';
import { coordinatorStoreErrorCode } from './store-errors.js';

export interface GroupCoordinatorConfig {
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  /** Kafka's GroupCoordinator.NewMemberJoinTimeoutMs (5 minutes) */
  newMemberJoinTimeoutMs: number;
  /** bytes read per fetch while replaying */
  loadBufferSize: number;
}

export function groupCoordinatorConfig(config: BrokerConfig): GroupCoordinatorConfig {
  return {
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
    offsetsRetentionMs: config.offsetsRetentionMinutes * 60_000,
    offsetsRetentionCheckIntervalMs: config.offsetsRetentionCheckIntervalMs,
    offsetMetadataMaxBytes: config.offsetMetadataMaxBytes,
    newMemberJoinTimeoutMs: 300_000,
    loadBufferSize: config.offsetsLoadBufferSize,
  };
}

export interface GroupCoordinatorOptions {
  log: OffsetsLog;
  config: GroupCoordinatorConfig;
  scheduler?: Scheduler;
  logger?: (line: string) => void;
}

const EMPTY = Buffer.alloc(0);

function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** Storage failures on the offsets topic (offset commits). */
const storeErrorCode = (err: unknown): number => coordinatorStoreErrorCode(err, true);

export class GroupCoordinator implements GroupService {
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly log: OffsetsLog;
  private readonly config: GroupCoordinatorConfig;
  private readonly scheduler: Scheduler;
  private readonly logger: (line: string) => void;
  private expirationTimer: { cancel(): void } | null = null;
  /** TxnOffsetCommit offsets waiting for their transaction's marker */
  private readonly pendingTxnOffsets = new PendingTxnOffsets();
  /**
   * `__consumer_offsets` partitions this coordinator owns (loaded, their leader is this
   * broker); null until leadership is first reported, when every partition is served (a
   * broker whose offsets topic does not exist yet, unit tests over an in-memory log)
   */
  private owned: Set<number> | null = null;

  constructor(opts: GroupCoordinatorOptions) {
    this.log = opts.log;
    this.config = opts.config;
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.logger = opts.logger ?? (() => {});
  }

  // -------------------------------------------------------------------------
  // lifecycle

  /** Replays every `__consumer_offsets` partition and starts the offset-expiration check (a coordinator owning them all). */
  load(): void {
    for (let partition = 0; partition < this.log.numPartitions; partition++) this.loadPartition(partition);
    this.startup();
  }

  /** Starts the offset-expiration check; partitions then come with onLeaderElected. */
  startup(): void {
    this.scheduleExpirationCheck();
  }

  /**
   * This broker now leads `__consumer_offsets` partition `partition` (Kafka's
   * GroupCoordinator.onElection): its groups and offsets are loaded from the log.
   */
  onLeaderElected(partition: number): void {
    this.owned ??= new Set();
    if (this.owned.has(partition)) return;
    this.loadPartition(partition);
    this.owned.add(partition);
  }

  /**
   * The partition moved away (Kafka's onResignation): its groups are unloaded, members
   * parked in JoinGroup/SyncGroup answered NOT_COORDINATOR, and requests for them answer
   * NOT_COORDINATOR until it comes back.
   */
  onResigned(partition: number): void {
    this.owned ??= new Set(Array.from({ length: this.log.numPartitions }, (_, p) => p));
    this.owned.delete(partition);
    for (const group of [...this.groups.values()]) {
      if (this.partitionFor(group.groupId) !== partition) continue;
      this.cancelGroupTimers(group, ErrorCode.NOT_COORDINATOR);
      this.groups.delete(group.groupId);
    }
    this.pendingTxnOffsets.dropGroups((groupId) => this.partitionFor(groupId) === partition);
  }

  /** Whether a request for the group must go to another broker (its offsets partition is not ours). */
  private notCoordinatorFor(groupId: string): boolean {
    return this.owned !== null && !this.owned.has(this.partitionFor(groupId));
  }

  /** Cancels every timer; parked JoinGroup/SyncGroup calls get NOT_COORDINATOR so clients look again. */
  shutdown(): void {
    this.expirationTimer?.cancel();
    this.expirationTimer = null;
    for (const group of this.groups.values()) this.cancelGroupTimers(group, ErrorCode.NOT_COORDINATOR);
  }

  private cancelGroupTimers(group: ClassicGroup, errorCode: number): void {
    group.joinTimer?.cancel();
    group.joinTimer = null;
    for (const timer of group.pendingMembers.values()) timer.cancel();
    for (const member of group.members.values()) {
      member.sessionTimer?.cancel();
      member.sessionTimer = null;
      this.respondJoin(member, joinError(member.memberId, errorCode));
      this.respondSync(member, syncError(errorCode));
    }
  }

  ensureReady(): void {
    // Idempotent on the log side; called before every append so a topic created late is picked up.
    this.log.ensureReady();
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.log.numPartitions);
  }

  private loadPartition(partition: number): void {
    let offset = this.log.logStartOffset(partition);
    const end = this.log.logEndOffset(partition);
    while (offset < end) {
      const chunk = this.log.read(partition, offset, this.config.loadBufferSize);
      if (chunk.length === 0) break;
      let progressed = false;
      for (const view of iterateBatches(chunk)) {
        if (view.header.lastOffset < offset) continue;
        progressed = true;
        offset = view.header.lastOffset + 1;
        const { header } = view;
        if (header.isControl) {
          // A transaction marker: the producer's pending offsets in this partition become visible or vanish.
          const marker = decodeRecordBatch(view.bytes).records[0];
          if (header.isTransactional && marker) {
            this.completeTransaction(partition, header.producerId, controlRecordType(marker.key) === ControlRecordType.COMMIT);
          }
          continue;
        }
        if (header.isTransactional) {
          for (const record of decodeRecordBatch(view.bytes).records) this.replayPendingRecord(header.producerId, record.key, record.value);
          continue;
        }
        for (const record of decodeRecordBatch(view.bytes).records) this.replayRecord(record.key, record.value);
      }
      if (!progressed) break;
    }
  }

  /** A TxnOffsetCommit record of an open (or not yet replayed) transaction. */
  private replayPendingRecord(producerId: number, keyBytes: Buffer | null, value: Buffer | null): void {
    if (!keyBytes || !value) return;
    try {
      const key = decodeGroupRecordKey(keyBytes);
      const commit = key.type === 'offset' ? decodeOffsetCommitValue(value) : null;
      if (key.type !== 'offset' || !commit) return;
      this.pendingTxnOffsets.add(producerId, { groupId: key.key.group, topic: key.key.topic, partition: key.key.partition, value: commit });
    } catch (err) {
      this.logger(`[GroupCoordinator] skipping an unreadable transactional __consumer_offsets record: ${(err as Error).message}`);
    }
  }

  private replayRecord(keyBytes: Buffer | null, value: Buffer | null): void {
    if (!keyBytes) return;
    try {
      this.applyRecord(decodeGroupRecordKey(keyBytes), value);
    } catch (err) {
      this.logger(`[GroupCoordinator] skipping an unreadable __consumer_offsets record: ${(err as Error).message}`);
    }
  }

  private applyRecord(key: GroupRecordKey, value: Buffer | null): void {
    if (key.type === 'offset') {
      const { group: groupId, topic, partition } = key.key;
      if (value === null) {
        const group = this.groups.get(groupId);
        if (group) this.removeOffset(group, topic, partition);
        return;
      }
      const commit = decodeOffsetCommitValue(value);
      if (!commit) return;
      const group = this.getOrCreateGroup(groupId);
      this.offsetsOf(group, topic).set(partition, commit);
    } else if (key.type === 'group') {
      if (value === null) {
        // The group tombstone follows the offset tombstones: the group is gone.
        const group = this.groups.get(key.group);
        if (group && !group.hasOffsets()) this.groups.delete(key.group);
        else if (group) this.resetLoadedGroup(group, null);
        return;
      }
      const metadata = decodeGroupMetadataValue(value);
      if (!metadata) return;
      const group = this.getOrCreateGroup(key.group);
      this.resetLoadedGroup(group, metadata.protocolType);
      group.generationId = metadata.generation;
      if (metadata.currentStateTimestamp >= 0) group.stateTimestamp = metadata.currentStateTimestamp;
    }
  }

  /** Loaded groups come back Empty: members are not restored (as after a coordinator failover). */
  private resetLoadedGroup(group: ClassicGroup, protocolType: string | null): void {
    group.state = 'Empty';
    group.protocolType = protocolType === '' ? null : protocolType;
    group.protocolName = null;
    group.leaderId = null;
    group.generationId = 0;
  }

  // -------------------------------------------------------------------------
  // JoinGroup

  joinGroup(params: JoinGroupParams): Promise<JoinGroupResult> {
    return new Promise((resolve) => this.handleJoin(params, resolve));
  }

  private handleJoin(p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    if (!p.groupId) return respond(joinError(p.memberId, ErrorCode.INVALID_GROUP_ID));
    if (this.notCoordinatorFor(p.groupId)) return respond(joinError(p.memberId, ErrorCode.NOT_COORDINATOR));
    if (p.sessionTimeoutMs < this.config.minSessionTimeoutMs || p.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return respond(joinError(p.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    const isUnknownMember = p.memberId === '';
    let group = this.groups.get(p.groupId);
    if (!group) {
      if (!isUnknownMember) return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = this.getOrCreateGroup(p.groupId);
    }
    if (group.state === 'Dead') return respond(joinError(p.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols.map((x) => x.name))) {
      return respond(joinError(p.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (isUnknownMember) this.joinNewMember(group, p, respond);
    else this.joinCurrentMember(group, p, respond);
  }

  private joinNewMember(group: ClassicGroup, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    const newMemberId = `${p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) {
      const oldMemberId = group.staticMembers.get(p.groupInstanceId);
      if (oldMemberId !== undefined && group.members.has(oldMemberId)) {
        return this.replaceStaticMember(group, oldMemberId, newMemberId, p, respond);
      }
      return this.addMemberAndRebalance(group, newMemberId, p, respond);
    }
    if (p.requireKnownMemberId) {
      // JoinGroup v4+: hand out the id and expect the member back within its session timeout.
      const timer = this.scheduler.schedule(p.sessionTimeoutMs, () => this.expirePendingMember(group, newMemberId));
      group.pendingMembers.set(newMemberId, timer);
      return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, newMemberId, p, respond);
  }

  private joinCurrentMember(group: ClassicGroup, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    const pending = group.pendingMembers.get(p.memberId);
    if (pending) {
      pending.cancel();
      group.pendingMembers.delete(p.memberId);
      return this.addMemberAndRebalance(group, p.memberId, p, respond);
    }
    const member = group.members.get(p.memberId);
    if (!member) return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) {
      return respond(joinError(p.memberId, ErrorCode.FENCED_INSTANCE_ID));
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p, respond);
      case 'CompletingRebalance':
        // A retried JoinGroup of this generation gets the same answer again.
        if (this.sameProtocols(member, p)) return respond(this.joinResponseFor(group, member));
        return this.updateMemberAndRebalance(group, member, p, respond);
      case 'Stable':
        if (group.leaderId === member.memberId || !this.sameProtocols(member, p)) {
          return this.updateMemberAndRebalance(group, member, p, respond);
        }
        return respond(this.joinResponseFor(group, member));
      default:
        return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private sameProtocols(member: GroupMember, p: JoinGroupParams): boolean {
    if (member.protocols.length !== p.protocols.length) return false;
    return member.protocols.every(
      (proto, i) => proto.name === p.protocols[i]!.name && proto.metadata.equals(p.protocols[i]!.metadata),
    );
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    memberId: string,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    const member: GroupMember = {
      memberId,
      groupInstanceId: p.groupInstanceId,
      clientId: p.clientId,
      clientHost: p.clientHost,
      sessionTimeoutMs: p.sessionTimeoutMs,
      rebalanceTimeoutMs: p.rebalanceTimeoutMs,
      protocolType: p.protocolType,
      protocols: p.protocols,
      assignment: EMPTY,
      awaitingJoin: respond,
      awaitingSync: null,
      isNew: true,
      sessionTimer: null,
    };
    // A second member during the initial delay of a brand-new group extends the delay.
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    if (group.members.size === 0) group.protocolType = p.protocolType;
    group.members.set(memberId, member);
    if (group.leaderId === null) group.leaderId = memberId;
    if (p.groupInstanceId !== null) group.staticMembers.set(p.groupInstanceId, memberId);
    this.scheduleSessionExpiry(group, member, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance(group, `adding new member ${memberId}`);
  }

  private updateMemberAndRebalance(
    group: ClassicGroup,
    member: GroupMember,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    member.protocols = p.protocols;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.clientId = p.clientId;
    member.clientHost = p.clientHost;
    // A duplicate parked join is answered as Kafka does: the older request loses.
    this.respondJoin(member, joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingJoin = respond;
    this.maybePrepareRebalance(group, `updating metadata of member ${member.memberId}`);
  }

  private replaceStaticMember(
    group: ClassicGroup,
    oldMemberId: string,
    newMemberId: string,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    const member = group.members.get(oldMemberId)!;
    // The old incarnation is fenced: its parked calls fail.
    this.respondJoin(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.respondSync(member, syncError(ErrorCode.FENCED_INSTANCE_ID));
    const oldProtocols = member.protocols;
    group.members.delete(oldMemberId);
    member.memberId = newMemberId;
    group.members.set(newMemberId, member);
    group.staticMembers.set(p.groupInstanceId!, newMemberId);
    if (group.leaderId === oldMemberId) group.leaderId = newMemberId;

    if (group.state === 'Stable') {
      // Like Kafka, a static rejoin to a Stable group rebalances only when it would change the
      // group's selected protocol. The subscription bytes themselves may differ (a restarted
      // librdkafka member no longer reports owned partitions), and the leader may be the one
      // rejoining: it is told to skip the assignment (JoinGroup v9) or, on older versions, gets
      // the stored assignment back from SyncGroup whatever it computes.
      member.protocols = p.protocols;
      if (group.selectProtocol() === group.protocolName) {
        member.clientId = p.clientId;
        member.clientHost = p.clientHost;
        member.sessionTimeoutMs = p.sessionTimeoutMs;
        member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
        this.scheduleSessionExpiry(group, member, member.sessionTimeoutMs);
        this.storeGroupSafely(group);
        const response = this.joinResponseFor(group, member);
        return respond({ ...response, skipAssignment: group.leaderId === member.memberId });
      }
      member.protocols = oldProtocols;
    }
    this.updateMemberAndRebalance(group, member, p, respond);
  }

  private joinResponseFor(group: ClassicGroup, member: GroupMember): JoinGroupResult {
    const isLeader = group.leaderId === member.memberId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: group.memberMetadata(m, group.protocolName),
          }))
        : [],
    };
  }

  private expirePendingMember(group: ClassicGroup, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  // -------------------------------------------------------------------------
  // rebalance

  private maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance' || group.state === 'Empty') {
      this.prepareRebalance(group, reason);
    } else if (group.state === 'PreparingRebalance') {
      this.tryCompleteJoin(group);
    }
  }

  private prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      // Followers waiting for the leader's assignment must rejoin.
      for (const m of group.members.values()) {
        m.assignment = EMPTY;
        this.respondSync(m, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      }
    }
    const wasEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance', this.scheduler.now());
    this.logger(
      `[GroupCoordinator] Preparing to rebalance group ${group.groupId} in state PreparingRebalance with old generation ${group.generationId} (reason: ${reason})`,
    );
    group.joinTimer?.cancel();
    const rebalanceTimeoutMs = group.rebalanceTimeoutMs();
    if (wasEmpty) {
      const delay = this.config.initialRebalanceDelayMs;
      group.inInitialDelay = true;
      this.scheduleInitialDelayedJoin(group, delay, Math.max(rebalanceTimeoutMs - delay, 0));
    } else {
      group.joinTimer = this.scheduler.schedule(rebalanceTimeoutMs, () => {
        group.joinTimer = null;
        this.completeJoin(group);
      });
      this.tryCompleteJoin(group);
    }
  }

  /** Kafka's InitialDelayedJoin: wait `delay`; if members kept arriving, wait again until the rebalance timeout is used up. */
  private scheduleInitialDelayedJoin(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    group.joinTimer = this.scheduler.schedule(delayMs, () => {
      group.joinTimer = null;
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        const nextDelay = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelayedJoin(group, nextDelay, Math.max(remainingMs - delayMs, 0));
      } else {
        this.completeJoin(group);
      }
    });
  }

  private tryCompleteJoin(group: ClassicGroup): void {
    if (group.state !== 'PreparingRebalance') return;
    // During the initial delay only the timer completes the join.
    if (group.inInitialDelay) return;
    if (group.hasAllMembersJoined()) {
      group.joinTimer?.cancel();
      group.joinTimer = null;
      this.completeJoin(group);
    }
  }

  private completeJoin(group: ClassicGroup): void {
    group.inInitialDelay = false;
    group.newMemberAdded = false;
    if (group.state !== 'PreparingRebalance') return;
    const now = this.scheduler.now();
    // Dynamic members that did not rejoin in time are dropped; static ones keep their slot.
    for (const m of [...group.members.values()]) {
      if (!m.awaitingJoin && m.groupInstanceId === null) this.removeMember(group, m);
    }
    // The leader must be a member that rejoined (it computes the assignment).
    const leader = group.leaderId !== null ? group.members.get(group.leaderId) : undefined;
    if (!leader || !leader.awaitingJoin) {
      const joined = [...group.members.values()].find((m) => m.awaitingJoin);
      group.leaderId = joined?.memberId ?? group.members.keys().next().value ?? null;
    }

    group.generationId += 1;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.subscribedTopics = null;
      group.transitionTo('Empty', now);
      this.storeGroupSafely(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.subscribedTopics = this.computeSubscribedTopics(group);
    group.transitionTo('CompletingRebalance', now);
    this.logger(
      `[GroupCoordinator] Stabilized group ${group.groupId} generation ${group.generationId} with ${group.members.size} members`,
    );
    for (const m of group.members.values()) {
      if (!m.awaitingJoin) continue;
      const response = this.joinResponseFor(group, m);
      m.isNew = false;
      this.respondJoin(m, response);
      this.scheduleSessionExpiry(group, m, m.sessionTimeoutMs);
    }
  }

  private computeSubscribedTopics(group: ClassicGroup): Set<string> | null {
    if (group.protocolType !== 'consumer' || group.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of group.members.values()) {
      const subscribed = decodeSubscriptionTopics(group.memberMetadata(m, group.protocolName));
      if (subscribed === null) return null;
      for (const t of subscribed) topics.add(t);
    }
    return topics;
  }

  private respondJoin(member: GroupMember, result: JoinGroupResult): void {
    const callback = member.awaitingJoin;
    member.awaitingJoin = null;
    callback?.(result);
  }

  private respondSync(member: GroupMember, result: SyncGroupResult): void {
    const callback = member.awaitingSync;
    member.awaitingSync = null;
    callback?.(result);
  }

  // -------------------------------------------------------------------------
  // membership timeouts and removal

  private scheduleSessionExpiry(group: ClassicGroup, member: GroupMember, timeoutMs: number): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.scheduler.schedule(timeoutMs, () => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      // Members parked in a join or sync are alive by definition, unless they are new
      // and their join has outlived the new-member timeout (the client went away).
      if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) {
        this.scheduleSessionExpiry(group, member, member.sessionTimeoutMs);
        return;
      }
      this.logger(
        `[GroupCoordinator] Member ${member.memberId} in group ${group.groupId} has failed, removing it from the group`,
      );
      this.removeMemberAndUpdateGroup(group, member, `removing member ${member.memberId} on heartbeat expiration`);
    });
  }

  private removeMember(group: ClassicGroup, member: GroupMember): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = null;
    this.respondJoin(member, joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    this.respondSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.members.delete(member.memberId);
    if (member.groupInstanceId !== null && group.staticMembers.get(member.groupInstanceId) === member.memberId) {
      group.staticMembers.delete(member.groupInstanceId);
    }
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }

  private removeMemberAndUpdateGroup(group: ClassicGroup, member: GroupMember, reason: string): void {
    this.removeMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group, reason);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  // -------------------------------------------------------------------------
  // SyncGroup / Heartbeat / LeaveGroup

  syncGroup(params: SyncGroupParams): Promise<SyncGroupResult> {
    return new Promise((resolve) => this.handleSync(params, resolve));
  }

  private handleSync(p: SyncGroupParams, respond: (r: SyncGroupResult) => void): void {
    if (!p.groupId) return respond(syncError(ErrorCode.INVALID_GROUP_ID));
    if (this.notCoordinatorFor(p.groupId)) return respond(syncError(ErrorCode.NOT_COORDINATOR));
    const group = this.groups.get(p.groupId);
    if (!group) return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.state === 'Dead') return respond(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    const member = group.members.get(p.memberId);
    if (!member) return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return respond(syncError(ErrorCode.FENCED_INSTANCE_ID));
    if (p.generationId !== group.generationId) return respond(syncError(ErrorCode.ILLEGAL_GENERATION));
    if (
      (p.protocolType !== null && p.protocolType !== group.protocolType) ||
      (p.protocolName !== null && p.protocolName !== group.protocolName)
    ) {
      return respond(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return respond(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance': {
        this.respondSync(member, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = respond;
        this.scheduleSessionExpiry(group, member, member.sessionTimeoutMs);
        if (group.leaderId === member.memberId) this.completeSync(group, p.assignments);
        return;
      }
      case 'Stable':
        this.scheduleSessionExpiry(group, member, member.sessionTimeoutMs);
        return respond(this.syncResponseFor(group, member));
      default:
        return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private completeSync(group: ClassicGroup, assignments: { memberId: string; assignment: Buffer }[]): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY;
    try {
      this.storeGroup(group);
    } catch (err) {
      const code = storeErrorCode(err);
      for (const m of group.members.values()) {
        m.assignment = EMPTY;
        this.respondSync(m, syncError(code));
      }
      this.prepareRebalance(group, 'failed to store the group assignment');
      return;
    }
    group.transitionTo('Stable', this.scheduler.now());
    for (const m of group.members.values()) {
      if (m.awaitingSync) {
        this.respondSync(m, this.syncResponseFor(group, m));
        this.scheduleSessionExpiry(group, m, m.sessionTimeoutMs);
      }
    }
  }

  private syncResponseFor(group: ClassicGroup, member: GroupMember): SyncGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    };
  }

  heartbeat(p: HeartbeatParams): number {
    if (!p.groupId) return ErrorCode.INVALID_GROUP_ID;
    if (this.notCoordinatorFor(p.groupId)) return ErrorCode.NOT_COORDINATOR;
    const group = this.groups.get(p.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(p.memberId);
    if (!member || group.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleSessionExpiry(group, member, member.sessionTimeoutMs);
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leaveGroup(groupId: string, members: LeavingMember[]): LeaveGroupResult {
    if (!groupId) return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    if (this.notCoordinatorFor(groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
    const group = this.groups.get(groupId);
    const results: LeaveGroupResult['members'] = [];
    if (!group) {
      for (const m of members) results.push({ ...this.leaveId(m), errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
      return { errorCode: ErrorCode.NONE, members: results };
    }
    if (group.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    for (const leaving of members) {
      results.push({ ...this.leaveId(leaving), errorCode: this.leaveOne(group, leaving) });
    }
    return { errorCode: ErrorCode.NONE, members: results };
  }

  private leaveId(m: LeavingMember): { memberId: string; groupInstanceId: string | null } {
    return { memberId: m.memberId, groupInstanceId: m.groupInstanceId };
  }

  private leaveOne(group: ClassicGroup, leaving: LeavingMember): number {
    let memberId = leaving.memberId;
    if (memberId === '' && leaving.groupInstanceId !== null) {
      // LeaveGroup v3+ may name a static member by instance id alone.
      const found = group.staticMembers.get(leaving.groupInstanceId);
      if (found === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      memberId = found;
    }
    const pending = group.pendingMembers.get(memberId);
    if (pending) {
      pending.cancel();
      group.pendingMembers.delete(memberId);
      if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
      return ErrorCode.NONE;
    }
    if (group.isStaticMemberFenced(memberId, leaving.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.logger(`[GroupCoordinator] Member ${memberId} has left group ${group.groupId} through explicit LeaveGroup`);
    this.removeMemberAndUpdateGroup(group, member, `removing member ${memberId} on LeaveGroup`);
    return ErrorCode.NONE;
  }

  // -------------------------------------------------------------------------
  // offsets

  /**
   * The __consumer_offsets records for a commit (OffsetCommit and TxnOffsetCommit alike),
   * with per-partition results: metadata over offset.metadata.max.bytes is refused.
   */
  private offsetCommitRecords(
    groupId: string,
    topics: OffsetCommitParams['topics'],
    now: number,
  ): {
    records: RecordInput[];
    accepted: { topic: string; partition: number; value: OffsetCommitValue }[];
    results: TopicPartitionResults[];
  } {
    const records: RecordInput[] = [];
    const accepted: { topic: string; partition: number; value: OffsetCommitValue }[] = [];
    const results: TopicPartitionResults[] = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((x) => {
        const metadata = x.metadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > this.config.offsetMetadataMaxBytes) {
          return { partition: x.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        }
        const value = { offset: x.offset, leaderEpoch: x.leaderEpoch, metadata, commitTimestamp: now };
        accepted.push({ topic: t.name, partition: x.partition, value });
        records.push({
          key: encodeOffsetCommitKey({ group: groupId, topic: t.name, partition: x.partition }),
          value: encodeOffsetCommitValue(value),
        });
        return { partition: x.partition, errorCode: ErrorCode.NONE };
      }),
    }));
    return { records, accepted, results };
  }

  commitOffsets(p: OffsetCommitParams): TopicPartitionResults[] | Promise<TopicPartitionResults[]> {
    const all = (code: number): TopicPartitionResults[] =>
      p.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((x) => ({ partition: x.partition, errorCode: code })) }));
    if (this.notCoordinatorFor(p.groupId)) return all(ErrorCode.NOT_COORDINATOR);
    let group = this.groups.get(p.groupId);
    if (!group) {
      // Only a commit outside group management (generation -1) may create a group.
      if (p.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = this.getOrCreateGroup(p.groupId);
    }
    if (group.state === 'Dead') return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const simpleCommit = p.generationId < 0 && group.state === 'Empty';
    if (!simpleCommit) {
      if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return all(ErrorCode.FENCED_INSTANCE_ID);
      if (group.state === 'CompletingRebalance') return all(ErrorCode.REBALANCE_IN_PROGRESS);
      const member = group.members.get(p.memberId);
      if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (p.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
      this.scheduleSessionExpiry(group, member, member.sessionTimeoutMs);
    }

    const now = this.scheduler.now();
    const { records, accepted, results } = this.offsetCommitRecords(p.groupId, p.topics, now);
    if (records.length === 0) return results;
    const committed = group;
    // Kafka's order: the offsets become visible once the ISR has the records
    return this.afterAppend(() => this.appendRecords(committed.groupId, records), results, () => {
      for (const a of accepted) this.offsetsOf(committed, a.topic).set(a.partition, a.value);
    });
  }

  /**
   * Runs `append`, then `apply` once it is replicated; a failure marks every partition
   * still NONE in `results` with the store error. Synchronous when the append completes at once.
   */
  private afterAppend(
    append: () => void | Promise<void>,
    results: TopicPartitionResults[],
    apply: () => void,
  ): TopicPartitionResults[] | Promise<TopicPartitionResults[]> {
    const fail = (err: unknown): TopicPartitionResults[] => {
      const code = storeErrorCode(err);
      for (const t of results) for (const x of t.partitions) if (x.errorCode === ErrorCode.NONE) x.errorCode = code;
      return results;
    };
    let done: void | Promise<void>;
    try {
      done = append();
    } catch (err) {
      return fail(err);
    }
    if (done instanceof Promise) {
      return done.then(() => {
        apply();
        return results;
      }, fail);
    }
    apply();
    return results;
  }

  /**
   * TxnOffsetCommit (Kafka's doTxnCommitOffsets): the group is created if missing; a
   * member id / generation, when given (v3+), must match the group. The records go to
   * the group's offsets partition as a transactional batch of the producer.
   */
  commitTransactionalOffsets(p: TxnOffsetCommitParams): TopicPartitionResults[] | Promise<TopicPartitionResults[]> {
    const all = (code: number): TopicPartitionResults[] =>
      p.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((x) => ({ partition: x.partition, errorCode: code })) }));
    if (this.notCoordinatorFor(p.groupId)) return all(ErrorCode.NOT_COORDINATOR);
    const group = this.getOrCreateGroup(p.groupId);
    if (group.state === 'Dead') return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return all(ErrorCode.FENCED_INSTANCE_ID);
    if (p.memberId !== '' && !group.members.has(p.memberId)) return all(ErrorCode.UNKNOWN_MEMBER_ID);
    if (p.generationId >= 0 && p.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);

    const now = this.scheduler.now();
    const { records, accepted, results } = this.offsetCommitRecords(p.groupId, p.topics, now);
    if (records.length === 0) return results;
    const append = (): void | Promise<void> => {
      this.ensureReady();
      const batch = buildRecordBatch(records, {
        timestamp: now,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        transactional: true,
      });
      return this.log.append(this.partitionFor(p.groupId), batch);
    };
    return this.afterAppend(append, results, () => {
      for (const a of accepted) {
        this.pendingTxnOffsets.add(p.producerId, { groupId: p.groupId, topic: a.topic, partition: a.partition, value: a.value });
      }
    });
  }

  completeTransaction(offsetsPartition: number, producerId: number, commit: boolean): void {
    const taken = this.pendingTxnOffsets.take(producerId, (groupId) => this.partitionFor(groupId) === offsetsPartition);
    if (!commit) return;
    for (const pending of taken) {
      this.offsetsOf(this.getOrCreateGroup(pending.groupId), pending.topic).set(pending.partition, pending.value);
    }
  }

  fetchOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[] | null,
    requireStable = false,
  ): OffsetFetchResult {
    if (this.notCoordinatorFor(groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
    if (requireStable) return this.stableOffsets(groupId, this.fetchOffsets(groupId, topics));
    const group = this.groups.get(groupId);
    if (topics === null) {
      if (!group) return { errorCode: ErrorCode.NONE, topics: [] };
      return {
        errorCode: ErrorCode.NONE,
        topics: [...group.offsets].map(([name, partitions]) => ({
          name,
          partitions: [...partitions]
            .sort((a, b) => a[0] - b[0])
            .map(([partition, v]) => ({
              partition,
              offset: v.offset,
              leaderEpoch: v.leaderEpoch,
              metadata: v.metadata,
              errorCode: ErrorCode.NONE,
            })),
        })),
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((partition) => {
          const v = group?.offsets.get(t.name)?.get(partition);
          return v
            ? { partition, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, errorCode: ErrorCode.NONE }
            : { partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  /** RequireStable: a partition with offsets pending in an open transaction cannot be answered yet. */
  private stableOffsets(groupId: string, result: OffsetFetchResult): OffsetFetchResult {
    for (const t of result.topics) {
      for (const p of t.partitions) {
        if (this.pendingTxnOffsets.has(groupId, t.name, p.partition)) {
          Object.assign(p, { offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
        }
      }
    }
    return result;
  }

  deleteOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[],
  ): { errorCode: number; topics: TopicPartitionResults[] } {
    if (!groupId) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    if (this.notCoordinatorFor(groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    // A non-empty group that is not a consumer group: we cannot tell what it uses.
    if (group.state !== 'Empty' && group.protocolType !== 'consumer') {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
    }
    const records: RecordInput[] = [];
    const deletable: { topic: string; partition: number }[] = [];
    const results = topics.map((t) => {
      const subscribed = group.state !== 'Empty' && group.isSubscribedTo(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((partition) => {
          if (subscribed) return { partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
          if (group.offsets.get(t.name)?.has(partition)) {
            deletable.push({ topic: t.name, partition });
            records.push({ key: encodeOffsetCommitKey({ group: groupId, topic: t.name, partition }), value: null });
          }
          return { partition, errorCode: ErrorCode.NONE };
        }),
      };
    });
    if (records.length > 0) {
      try {
        this.inBackground(this.appendRecords(groupId, records), `deleting offsets of group ${groupId}`);
      } catch (err) {
        return { errorCode: storeErrorCode(err), topics: [] };
      }
      for (const d of deletable) this.removeOffset(group, d.topic, d.partition);
    }
    return { errorCode: ErrorCode.NONE, topics: results };
  }

  // -------------------------------------------------------------------------
  // admin: describe / list / delete

  describeGroup(groupId: string): GroupDescription {
    if (this.notCoordinatorFor(groupId)) {
      return { errorCode: ErrorCode.NOT_COORDINATOR, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    }
    const group = this.groups.get(groupId);
    if (!group) {
      return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    }
    const stable = group.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? group.memberMetadata(m, group.protocolName) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  listGroups(statesFilter: string[] = [], typesFilter: string[] = []): GroupListing[] {
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.toLowerCase()));
    if (types.size > 0 && !types.has('classic')) return [];
    const listings: GroupListing[] = [];
    for (const group of this.groups.values()) {
      if (group.state === 'Dead') continue;
      if (states.size > 0 && !states.has(group.state.toLowerCase())) continue;
      listings.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' });
    }
    return listings;
  }

  deleteGroups(groupIds: string[]): { groupId: string; errorCode: number }[] {
    return groupIds.map((groupId) => ({ groupId, errorCode: this.deleteGroup(groupId) }));
  }

  private deleteGroup(groupId: string): number {
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    if (this.notCoordinatorFor(groupId)) return ErrorCode.NOT_COORDINATOR;
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    const records: RecordInput[] = [];
    for (const [topic, partitions] of group.offsets) {
      for (const partition of partitions.keys()) {
        records.push({ key: encodeOffsetCommitKey({ group: groupId, topic, partition }), value: null });
      }
    }
    records.push({ key: encodeGroupMetadataKey(groupId), value: null });
    try {
      this.inBackground(this.appendRecords(groupId, records), `deleting group ${groupId}`);
    } catch (err) {
      return storeErrorCode(err);
    }
    this.markDead(group);
    return ErrorCode.NONE;
  }

  private markDead(group: ClassicGroup): void {
    group.joinTimer?.cancel();
    group.transitionTo('Dead', this.scheduler.now());
    this.groups.delete(group.groupId);
  }

  // -------------------------------------------------------------------------
  // offset retention

  private scheduleExpirationCheck(): void {
    this.expirationTimer?.cancel();
    this.expirationTimer = this.scheduler.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
      this.expirationTimer = null;
      try {
        this.cleanupExpiredOffsets();
      } catch (err) {
        this.logger(`[GroupCoordinator] offset expiration failed: ${(err as Error).message}`);
      }
      this.scheduleExpirationCheck();
    });
  }

  /**
   * Kafka's offset expiration (KIP-211): an Empty consumer group's offsets expire
   * `offsets.retention` after the group became Empty; a simple group's, after each
   * commit; a Stable consumer group's, only for topics no member subscribes to.
   * An Empty group left without offsets is removed (group tombstone).
   * Returns how many offsets expired.
   */
  cleanupExpiredOffsets(now: number = this.scheduler.now()): number {
    let expired = 0;
    for (const group of [...this.groups.values()]) {
      const records: RecordInput[] = [];
      const removed: { topic: string; partition: number }[] = [];
      for (const [topic, partitions] of group.offsets) {
        for (const [partition, v] of partitions) {
          let base: number | null = null;
          if (group.state === 'Empty') {
            base = group.protocolType !== null ? group.stateTimestamp : v.commitTimestamp;
          } else if (group.state === 'Stable' && group.subscribedTopics !== null && !group.subscribedTopics.has(topic)) {
            base = v.commitTimestamp;
          }
          if (base !== null && base + this.config.offsetsRetentionMs <= now) {
            removed.push({ topic, partition });
            records.push({ key: encodeOffsetCommitKey({ group: group.groupId, topic, partition }), value: null });
          }
        }
      }
      // Kafka removes an Empty group once it has no offsets left, expired now or earlier.
      const dropGroup = group.state === 'Empty' && group.pendingMembers.size === 0 && this.countOffsets(group) === removed.length;
      if (dropGroup) records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
      if (records.length === 0) continue;
      this.inBackground(this.appendRecords(group.groupId, records), `expiring offsets of group ${group.groupId}`);
      for (const r of removed) this.removeOffset(group, r.topic, r.partition);
      expired += removed.length;
      if (dropGroup) this.markDead(group);
      this.logger(`[GroupCoordinator] Removed ${removed.length} expired offsets of group ${group.groupId}`);
    }
    return expired;
  }

  private countOffsets(group: ClassicGroup): number {
    let n = 0;
    for (const partitions of group.offsets.values()) n += partitions.size;
    return n;
  }

  // -------------------------------------------------------------------------
  // helpers

  private getOrCreateGroup(groupId: string): ClassicGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new ClassicGroup(groupId, this.scheduler.now());
      this.groups.set(groupId, group);
    }
    return group;
  }

  private offsetsOf(group: ClassicGroup, topic: string): Map<number, OffsetCommitValue> {
    let partitions = group.offsets.get(topic);
    if (!partitions) {
      partitions = new Map();
      group.offsets.set(topic, partitions);
    }
    return partitions;
  }

  private removeOffset(group: ClassicGroup, topic: string, partition: number): void {
    const partitions = group.offsets.get(topic);
    if (!partitions) return;
    partitions.delete(partition);
    if (partitions.size === 0) group.offsets.delete(topic);
  }

  /** Appends to the group's offsets partition; a promise while the ISR catches up (see OffsetsLog.append). */
  private appendRecords(groupId: string, records: RecordInput[]): void | Promise<void> {
    this.ensureReady();
    const batch = buildRecordBatch(records, { timestamp: this.scheduler.now() });
    return this.log.append(this.partitionFor(groupId), batch);
  }

  /** A write whose caller does not wait for its replication: a late failure is logged. */
  private inBackground(done: void | Promise<void>, what: string): void {
    if (done instanceof Promise) done.catch((err: unknown) => this.logger(`[GroupCoordinator] ${what} failed: ${(err as Error).message}`));
  }

  /** Writes the group's GroupMetadataValue (after a rebalance completes). */
  private storeGroup(group: ClassicGroup): void {
    const value = encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: group.stateTimestamp,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: group.memberMetadata(m, group.protocolName),
        assignment: m.assignment,
      })),
    });
    this.inBackground(this.appendRecords(group.groupId, [{ key: encodeGroupMetadataKey(group.groupId), value }]), `storing group ${group.groupId}`);
  }

  private storeGroupSafely(group: ClassicGroup): void {
    try {
      this.storeGroup(group);
    } catch (err) {
      this.logger(`[GroupCoordinator] failed to store metadata of group ${group.groupId}: ${(err as Error).message}`);
    }
  }
}
