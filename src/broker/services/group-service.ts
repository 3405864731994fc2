/**
 * What the group and producer-id request handlers need from the coordinator layer,
 * in domain terms (no wire structs). Declared here because the broker layer may not
 * import src/coordinator; GroupCoordinator and ProducerIdManager implement these.
 *
 * Offsets, producer ids and timestamps are JS numbers (safe below 2^53); handlers
 * convert from/to the wire's int64 bigint.
 */

/** Classic-protocol group states, named as Kafka names them in DescribeGroups/ListGroups. */
export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupParams {
  groupId: string;
  /** '' for a member joining for the first time */
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** JoinGroup v0 has none: Kafka uses the session timeout */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  /** JoinGroup v4+: a first join gets MEMBER_ID_REQUIRED and must rejoin with the id given */
  requireKnownMemberId: boolean;
  reason?: string | null;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  /** JoinGroup v9: the static leader rejoined while Stable and must not reassign */
  skipAssignment: boolean;
  memberId: string;
  /** only the leader gets the member list */
  members: JoinGroupMember[];
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5: checked against the group when not null */
  protocolType: string | null;
  protocolName: string | null;
  /** only the leader sends these */
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveGroupResult {
  /** group-level error (COORDINATOR_NOT_AVAILABLE, INVALID_GROUP_ID...) */
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface OffsetCommitPartition {
  partition: number;
  offset: number;
  /** -1 when the client does not know it (OffsetCommit < v6) */
  leaderEpoch: number;
  metadata: string | null;
}

export interface OffsetCommitParams {
  groupId: string;
  /** -1: a "simple" (admin/standalone) commit, allowed only while the group has no members */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: { name: string; partitions: OffsetCommitPartition[] }[];
}

export interface TxnOffsetCommitParams {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  /** TxnOffsetCommit v3+ (KIP-447); -1 / '' / null from older clients = not checked */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: { name: string; partitions: OffsetCommitPartition[] }[];
}

export interface PartitionResult {
  partition: number;
  errorCode: number;
}

export interface TopicPartitionResults {
  name: string;
  partitions: PartitionResult[];
}

export interface FetchedOffset {
  partition: number;
  /** -1 when nothing is committed */
  offset: number;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResult {
  errorCode: number;
  topics: { name: string; partitions: FetchedOffset[] }[];
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** metadata of the selected protocol; empty unless the group is Stable */
  metadata: Buffer;
  /** empty unless the group is Stable */
  assignment: Buffer;
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  groupState: GroupStateName;
  protocolType: string;
  /** selected protocol, '' unless Stable */
  protocolData: string;
  members: GroupMemberDescription[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  groupState: GroupStateName;
  /** ListGroups v5: every group here is a classic group */
  groupType: 'classic';
}

export interface GroupService {
  /** Creates `__consumer_offsets` if missing (FindCoordinator does this in Kafka). */
  ensureReady(): void;
  /** `__consumer_offsets` partition holding the group: abs(String.hashCode) % partitions */
  partitionFor(groupId: string): number;
  joinGroup(params: JoinGroupParams): Promise<JoinGroupResult>;
  syncGroup(params: SyncGroupParams): Promise<SyncGroupResult>;
  heartbeat(params: HeartbeatParams): number;
  leaveGroup(groupId: string, members: LeavingMember[]): LeaveGroupResult;
  /** a promise while the commit waits for the ISR (acks=all on __consumer_offsets) */
  commitOffsets(params: OffsetCommitParams): TopicPartitionResults[] | Promise<TopicPartitionResults[]>;
  /** topics null = every committed partition of the group */
  /**
   * topics null = every committed partition of the group. requireStable (OffsetFetch v7+):
   * partitions with offsets pending in an open transaction answer UNSTABLE_OFFSET_COMMIT.
   */
  fetchOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[] | null,
    requireStable?: boolean,
  ): OffsetFetchResult;
  /**
   * TxnOffsetCommit: writes the offsets as a transactional batch of the producer; they
   * become the group's committed offsets when the transaction commits.
   */
  commitTransactionalOffsets(params: TxnOffsetCommitParams): TopicPartitionResults[] | Promise<TopicPartitionResults[]>;
  /** A COMMIT/ABORT marker landed on `__consumer_offsets` partition `offsetsPartition` for the producer. */
  completeTransaction(offsetsPartition: number, producerId: number, commit: boolean): void;
  describeGroup(groupId: string): GroupDescription;
  /** statesFilter (ListGroups v4) and typesFilter (v5) match case-insensitively; empty = all */
  listGroups(statesFilter?: string[], typesFilter?: string[]): GroupListing[];
  deleteGroups(groupIds: string[]): { groupId: string; errorCode: number }[];
  deleteOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[],
  ): { errorCode: number; topics: TopicPartitionResults[] };
}

export interface InitProducerIdParams {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** InitProducerId v3+ (KIP-360): the id/epoch the producer already has, -1 if none */
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export type {
  ActiveProducerState,
  ProducerBatchCheck,
  ProducerBatchHeader,
  ProducerStateTracker,
} from '../../storage/producer-state.js';

export interface ProducerIdService {
  initProducerId(params: InitProducerIdParams): InitProducerIdResult;
}
