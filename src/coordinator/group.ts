/**
 * In-memory state of one classic-protocol consumer group and its members (Kafka's
 * GroupMetadata/MemberMetadata): membership, generation, selected protocol, leader,
 * static-member mapping and committed offsets. The GroupCoordinator drives it.
 */
import type {
  GroupProtocol,
  GroupStateName,
  JoinGroupResult,
  SyncGroupResult,
} from '../broker/services/group-service.js';
import type { TimerHandle } from './clock.js';
import type { OffsetCommitValue } from './group-records.js';

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  /** in the member's order of preference */
  protocols: GroupProtocol[];
  assignment: Buffer;
  /** set while a JoinGroup is parked until the rebalance completes */
  awaitingJoin: ((result: JoinGroupResult) => void) | null;
  /** set while a SyncGroup waits for the leader's assignments */
  awaitingSync: ((result: SyncGroupResult) => void) | null;
  /** joined during the current rebalance: not kept alive past the new-member timeout */
  isNew: boolean;
  sessionTimer: TimerHandle | null;
}

export class ClassicGroup {
  state: GroupStateName = 'Empty';
  /** when the group entered its current state (GroupMetadataValue.currentStateTimestamp) */
  stateTimestamp: number;
  generationId = 0;
  /** null for "simple" groups created by a standalone offset commit */
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** insertion order = join order; the first member becomes leader */
  readonly members = new Map<string, GroupMember>();
  /** member ids handed out with MEMBER_ID_REQUIRED, waiting for the second JoinGroup */
  readonly pendingMembers = new Map<string, TimerHandle>();
  /** groupInstanceId → memberId */
  readonly staticMembers = new Map<string, string>();
  /** topic → partition → committed offset */
  readonly offsets = new Map<string, Map<number, OffsetCommitValue>>();
  /** topics the members subscribe to (consumer protocol), null = unknown (treat all as subscribed) */
  subscribedTopics: Set<string> | null = null;
  /** the pending DelayedJoin / InitialDelayedJoin timer */
  joinTimer: TimerHandle | null = null;
  /** an InitialDelayedJoin is pending: only its timer completes the join */
  inInitialDelay = false;
  /** InitialDelayedJoin: a member arrived during the initial delay */
  newMemberAdded = false;

  constructor(
    readonly groupId: string,
    now: number,
  ) {
    this.stateTimestamp = now;
  }

  transitionTo(state: GroupStateName, now: number): void {
    this.state = state;
    this.stateTimestamp = now;
  }

  /** Kafka's group rebalance timeout: the largest of the members' rebalance timeouts. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  hasAllMembersJoined(): boolean {
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return this.pendingMembers.size === 0;
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    let candidates: string[] | null = null;
    for (const m of this.members.values()) {
      const names = m.protocols.map((p) => p.name);
      candidates = candidates === null ? names : candidates.filter((n) => names.includes(n));
    }
    return new Set(candidates ?? []);
  }

  supportsProtocols(protocolType: string, protocolNames: string[]): boolean {
    if (this.state === 'Empty' || this.members.size === 0) return protocolType.length > 0 && protocolNames.length > 0;
    if (this.protocolType !== protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocolNames.some((n) => candidates.has(n));
  }

  /**
   * Each member votes for its most preferred protocol among those all support; the most
   * votes wins, ties going to the earlier-joined member's vote.
   */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const vote = m.protocols.find((p) => candidates.has(p.name));
      if (vote) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = 0;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }

  memberMetadata(member: GroupMember, protocolName: string | null): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? Buffer.alloc(0);
  }

  hasOffsets(): boolean {
    for (const partitions of this.offsets.values()) if (partitions.size > 0) return true;
    return false;
  }

  isSubscribedTo(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /** A known member id whose groupInstanceId now maps to a different member id. */
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }
}
