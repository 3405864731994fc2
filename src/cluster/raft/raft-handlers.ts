/**
 * The inbound side of the raft (KafkaRaftClient's handle*Request): Vote,
 * BeginQuorumEpoch, EndQuorumEpoch, Fetch and FetchSnapshot of the metadata partition,
 * and DescribeQuorum. Every request is checked for the cluster id
 * (INCONSISTENT_CLUSTER_ID) and the partition; a request at an older epoch is answered
 * FENCED_LEADER_EPOCH with the current leader, a newer epoch is adopted first. Every
 * answer names the leader and epoch this node knows, so the asker can follow it.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  DescribeQuorumRequest,
  DescribeQuorumResponse,
  DescribeQuorumResponsePartitionData,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  FetchRequest,
  FetchResponse,
  FetchResponsePartitionData,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  VoteRequest,
  VoteResponse,
} from '../../protocol/generated/types.js';
import { METADATA_TOPIC_ID, METADATA_TOPIC_NAME, type QuorumService } from '../../broker/services/quorum-service.js';
import type { RaftQuorum } from './raft-quorum.js';

const NO_SNAPSHOT = { endOffset: -1n, epoch: -1 };
const NO_DIVERGENCE = { epoch: -1, endOffset: -1n };

type FetchOutcome =
  | { kind: 'error'; errorCode: number }
  | { kind: 'snapshot'; endOffset: number; epoch: number }
  | { kind: 'diverging'; epoch: number; endOffset: number }
  | { kind: 'records'; records: Buffer };

export class RaftRequestHandler implements QuorumService {
  constructor(private readonly raft: RaftQuorum) {}

  /** voters serve the controller-only raft APIs; an observer (broker-only node) does not */
  get controllerApis(): boolean {
    return this.raft.isVoter;
  }

  /** the listener the voters reach this node on (RaftQuorumOptions.controllerListenerNames) */
  get controllerListenerNames(): readonly string[] | undefined {
    return this.raft.controllerListenerNames;
  }

  private clusterMatches(clusterId: string | null): boolean {
    return clusterId === null || clusterId === '' || clusterId === this.raft.clusterId;
  }

  private leaderFields(): { leaderId: number; leaderEpoch: number } {
    const { leaderId, epoch } = this.raft.leaderAndEpoch();
    return { leaderId: leaderId ?? -1, leaderEpoch: epoch };
  }

  private nodeEndpoints(): { nodeId: number; host: string; port: number }[] {
    return this.raft.nodeEndpoint(this.raft.leaderAndEpoch().leaderId);
  }

  /** FENCED_LEADER_EPOCH below our epoch, UNKNOWN_LEADER_EPOCH above it, NOT_LEADER_OR_FOLLOWER when not the leader. */
  private leaderOnlyError(requestEpoch: number): number | null {
    const s = this.raft.state;
    if (requestEpoch < s.epoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (requestEpoch > s.epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    if (this.raft.isClosed || s.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return null;
  }

  // ---- Vote (52) ----------------------------------------------------------------------

  vote(request: VoteRequest, version: number): VoteResponse {
    const answer = (errorCode: number, voteGranted: boolean, partitionIndex = 0): VoteResponse => ({
      errorCode: ErrorCode.NONE,
      topics: [{ topicName: METADATA_TOPIC_NAME, partitions: [{ partitionIndex, errorCode, ...this.leaderFields(), voteGranted }] }],
      nodeEndpoints: this.nodeEndpoints(),
    });
    if (!this.clusterMatches(request.clusterId)) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, topics: [], nodeEndpoints: [] };
    const p = singlePartition(request.topics, (t) => t.topicName);
    if (p === null) return { errorCode: ErrorCode.INVALID_REQUEST, topics: [], nodeEndpoints: [] };
    if (p.partitionIndex !== 0) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, false, p.partitionIndex);
    if (version >= 1 && request.voterId >= 0 && request.voterId !== this.raft.nodeId) return answer(ErrorCode.INCONSISTENT_VOTER_SET, false);
    if (p.lastOffset < 0n || p.lastOffsetEpoch < 0 || p.lastOffsetEpoch > p.candidateEpoch) return answer(ErrorCode.INVALID_REQUEST, false);
    if (p.candidateEpoch < this.raft.state.epoch) return answer(ErrorCode.FENCED_LEADER_EPOCH, false);
    if (this.raft.isClosed) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER, false);
    // an observer has no vote and takes its epochs from the leader only
    if (!this.raft.isVoter) return answer(ErrorCode.NONE, false);
    // a newer epoch is entered first, whoever wins it (a leader steps down here)
    this.raft.moveToEpoch(p.candidateEpoch);
    const s = this.raft.state;
    let granted = false;
    if (this.raft.isVoter && this.raft.voterIds.includes(p.candidateId) && s.role === 'unattached') {
      if (s.votedId !== null) {
        granted = s.votedId === p.candidateId;
      } else {
        const log = this.raft.metadataLog;
        const ourEpoch = log.lastFetchedEpoch;
        // Raft §5.4.1: only a candidate whose log is at least as up to date as ours
        granted = p.lastOffsetEpoch > ourEpoch || (p.lastOffsetEpoch === ourEpoch && Number(p.lastOffset) >= log.endOffset);
        if (granted) {
          this.raft.recordVote(p.candidateId);
          this.raft.log(`Voted for ${p.candidateId} in epoch ${p.candidateEpoch}`);
        }
      }
    }
    return answer(ErrorCode.NONE, granted);
  }

  // ---- BeginQuorumEpoch (53) ---------------------------------------------------------

  beginQuorumEpoch(request: BeginQuorumEpochRequest, version: number): BeginQuorumEpochResponse {
    const answer = (errorCode: number, partitionIndex = 0): BeginQuorumEpochResponse => ({
      errorCode: ErrorCode.NONE,
      topics: [{ topicName: METADATA_TOPIC_NAME, partitions: [{ partitionIndex, errorCode, ...this.leaderFields() }] }],
      nodeEndpoints: this.nodeEndpoints(),
    });
    if (!this.clusterMatches(request.clusterId)) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, topics: [], nodeEndpoints: [] };
    const p = singlePartition(request.topics, (t) => t.topicName);
    if (p === null) return { errorCode: ErrorCode.INVALID_REQUEST, topics: [], nodeEndpoints: [] };
    if (p.partitionIndex !== 0) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, p.partitionIndex);
    if (version >= 1 && request.voterId >= 0 && request.voterId !== this.raft.nodeId) return answer(ErrorCode.INCONSISTENT_VOTER_SET);
    if (p.leaderEpoch < this.raft.state.epoch) return answer(ErrorCode.FENCED_LEADER_EPOCH);
    if (p.leaderId === this.raft.nodeId || p.leaderId < 0) return answer(ErrorCode.INVALID_REQUEST);
    const endpoint = version >= 1 ? request.leaderEndpoints[0] : undefined;
    this.raft.learnLeader(p.leaderId, p.leaderEpoch, endpoint ? { host: endpoint.host, port: endpoint.port } : undefined);
    return answer(ErrorCode.NONE);
  }

  // ---- EndQuorumEpoch (54) -----------------------------------------------------------

  endQuorumEpoch(request: EndQuorumEpochRequest, version: number): EndQuorumEpochResponse {
    const answer = (errorCode: number, partitionIndex = 0): EndQuorumEpochResponse => ({
      errorCode: ErrorCode.NONE,
      topics: [{ topicName: METADATA_TOPIC_NAME, partitions: [{ partitionIndex, errorCode, ...this.leaderFields() }] }],
      nodeEndpoints: this.nodeEndpoints(),
    });
    if (!this.clusterMatches(request.clusterId)) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, topics: [], nodeEndpoints: [] };
    const p = singlePartition(request.topics, (t) => t.topicName);
    if (p === null) return { errorCode: ErrorCode.INVALID_REQUEST, topics: [], nodeEndpoints: [] };
    if (p.partitionIndex !== 0) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, p.partitionIndex);
    const s = this.raft.state;
    if (p.leaderEpoch < s.epoch) return answer(ErrorCode.FENCED_LEADER_EPOCH);
    this.raft.learnLeader(p.leaderId, p.leaderEpoch);
    const now = this.raft.state;
    if (now.epoch === p.leaderEpoch && now.leaderId === p.leaderId) {
      const successors = version >= 1 ? p.preferredCandidates.map((c) => c.candidateId) : p.preferredSuccessors;
      this.raft.expediteElection(successors.indexOf(this.raft.nodeId), successors.length);
    }
    return answer(ErrorCode.NONE);
  }

  // ---- DescribeQuorum (55) -----------------------------------------------------------

  describeQuorum(request: DescribeQuorumRequest, version: number, viaBrokerListener = false): DescribeQuorumResponse | Promise<DescribeQuorumResponse> {
    const p = singlePartition(request.topics, (t) => t.topicName);
    if (p === null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'DescribeQuorum names only __cluster_metadata-0', topics: [], nodes: [] };
    const partition = (errorCode: number, fill: Partial<DescribeQuorumResponsePartitionData> = {}): DescribeQuorumResponse => ({
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [
        {
          topicName: METADATA_TOPIC_NAME,
          partitions: [
            { partitionIndex: p.partitionIndex, errorCode, errorMessage: null, leaderId: -1, leaderEpoch: -1, highWatermark: -1n, currentVoters: [], observers: [], ...fill },
          ],
        },
      ],
      nodes: [],
    });
    if (p.partitionIndex !== 0) return partition(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const s = this.raft.state;
    if (s.role === 'leader' && s.leader !== null && !this.raft.isClosed) {
      const { voters, observers } = s.leader.describe(this.raft.clock());
      const response = partition(ErrorCode.NONE, {
        leaderId: this.raft.nodeId,
        leaderEpoch: s.epoch,
        highWatermark: BigInt(this.raft.highWatermark),
        currentVoters: voters,
        observers,
      });
      if (version >= 2) {
        response.nodes = this.raft.voterIds.flatMap((id) => {
          const e = this.raft.endpoints.get(id);
          return e === undefined ? [] : [{ nodeId: id, listeners: [{ name: this.raft.listenerName, host: e.host, port: e.port }] }];
        });
      }
      return response;
    }
    // a broker (an observer, or a combined node's broker listener) asks the leader, as
    // Kafka's broker forwards DescribeQuorum to the controller
    const leader = s.leaderId === null ? undefined : this.raft.endpoints.get(s.leaderId);
    if ((!this.raft.isVoter || viaBrokerListener) && leader !== undefined) {
      return this.raft.sendTo<DescribeQuorumResponse>(leader, ApiKey.DescribeQuorum, request, 0).then((r) => r ?? partition(ErrorCode.NOT_LEADER_OR_FOLLOWER, this.leaderFields()));
    }
    return partition(ErrorCode.NOT_LEADER_OR_FOLLOWER, this.leaderFields());
  }

  // ---- Fetch (1) of __cluster_metadata ----------------------------------------------

  async fetch(request: FetchRequest, version: number): Promise<FetchResponse> {
    const topic = request.topics[0]!;
    const partitions = topic.partitions;
    const respond = (parts: FetchResponsePartitionData[], errorCode: number = ErrorCode.NONE): FetchResponse => ({
      throttleTimeMs: 0,
      errorCode,
      sessionId: 0,
      responses: errorCode === ErrorCode.NONE ? [{ topic: METADATA_TOPIC_NAME, topicId: METADATA_TOPIC_ID, partitions: parts }] : [],
      nodeEndpoints: version >= 16 ? this.nodeEndpoints().map((e) => ({ ...e, rack: null })) : [],
    });
    if (!this.clusterMatches(version >= 12 ? request.clusterId : null)) return respond([], ErrorCode.INCONSISTENT_CLUSTER_ID);
    const p = request.topics.length === 1 && partitions.length === 1 ? partitions[0]! : null;
    if (p === null || p.partition !== 0) {
      return respond(partitions.map((q) => this.fetchPartition(q.partition, { kind: 'error', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })));
    }
    const replicaId = version >= 15 ? request.replicaState.replicaId : request.replicaId;
    const fetchOffset = Number(p.fetchOffset);
    const maxBytes = Math.max(0, Math.min(request.maxBytes, p.partitionMaxBytes));
    let waited = false;
    for (;;) {
      const error = this.leaderOnlyError(p.currentLeaderEpoch);
      if (error !== null) return respond([this.fetchPartition(0, { kind: 'error', errorCode: error })]);
      if (fetchOffset < 0 || p.lastFetchedEpoch < 0 || p.lastFetchedEpoch > p.currentLeaderEpoch) {
        return respond([this.fetchPartition(0, { kind: 'error', errorCode: ErrorCode.INVALID_REQUEST })]);
      }
      const outcome = this.validateOffsetAndEpoch(fetchOffset, p.lastFetchedEpoch);
      if (outcome !== null) return respond([this.fetchPartition(0, outcome)]);
      const leader = this.raft.state.leader!;
      const movedHighWatermark = replicaId >= 0 ? this.raft.onReplicaFetch(leader, replicaId, fetchOffset) : false;
      let records: Buffer;
      try {
        records = this.raft.metadataLog.readBatches(fetchOffset, maxBytes);
      } catch {
        // past the log end: the follower is ahead of a log we have not written (cannot happen after validation)
        return respond([this.fetchPartition(0, { kind: 'error', errorCode: ErrorCode.OFFSET_OUT_OF_RANGE })]);
      }
      if (records.length > 0 || movedHighWatermark || waited || request.maxWaitMs <= 0) {
        return respond([this.fetchPartition(0, { kind: 'records', records })]);
      }
      // long poll: wait for new records, a new high watermark or a new state
      await this.raft.waitForChange(request.maxWaitMs);
      waited = true;
    }
  }

  /**
   * KafkaMetadataLog.validateOffsetAndEpoch: behind the snapshot → fetch the snapshot; an epoch
   * whose end on this log is before the fetch offset, or that this log does not have → diverging;
   * else null (serve records).
   */
  private validateOffsetAndEpoch(fetchOffset: number, lastFetchedEpoch: number): FetchOutcome | null {
    const log = this.raft.metadataLog;
    const start = log.logStartOffset;
    if (start === 0 && fetchOffset === 0) return null;
    // we keep one snapshot: it is both the oldest and the latest
    const snapshot = log.latestSnapshotId();
    if (snapshot !== undefined && (fetchOffset < start || (fetchOffset === start && lastFetchedEpoch !== snapshot.epoch) || lastFetchedEpoch < snapshot.epoch)) {
      return { kind: 'snapshot', endOffset: snapshot.endOffset, epoch: snapshot.epoch };
    }
    if (fetchOffset < start) return { kind: 'error', errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
    const end = log.endOffsetForEpoch(lastFetchedEpoch);
    if (end.epoch !== lastFetchedEpoch || end.endOffset < fetchOffset) return { kind: 'diverging', epoch: end.epoch, endOffset: end.endOffset };
    return null;
  }

  private fetchPartition(partitionIndex: number, outcome: FetchOutcome): FetchResponsePartitionData {
    const log = this.raft.metadataLog;
    const isLeader = this.raft.isLeader();
    return {
      partitionIndex,
      errorCode: outcome.kind === 'error' ? outcome.errorCode : ErrorCode.NONE,
      highWatermark: BigInt(isLeader ? this.raft.highWatermark : -1),
      lastStableOffset: -1n,
      logStartOffset: BigInt(isLeader ? log.logStartOffset : -1),
      divergingEpoch: outcome.kind === 'diverging' ? { epoch: outcome.epoch, endOffset: BigInt(outcome.endOffset) } : NO_DIVERGENCE,
      currentLeader: this.leaderFields(),
      snapshotId: outcome.kind === 'snapshot' ? { endOffset: BigInt(outcome.endOffset), epoch: outcome.epoch } : NO_SNAPSHOT,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: outcome.kind === 'records' ? outcome.records : Buffer.alloc(0),
    };
  }

  // ---- FetchSnapshot (59) ------------------------------------------------------------

  fetchSnapshot(request: FetchSnapshotRequest, version: number): FetchSnapshotResponse {
    const respond = (errorCode: number, fill: Partial<FetchSnapshotResponse['topics'][number]['partitions'][number]> = {}, partition = 0): FetchSnapshotResponse => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      topics: [
        {
          name: METADATA_TOPIC_NAME,
          partitions: [
            { index: partition, errorCode, snapshotId: NO_SNAPSHOT, currentLeader: this.leaderFields(), size: -1n, position: -1n, unalignedRecords: Buffer.alloc(0), ...fill },
          ],
        },
      ],
      nodeEndpoints: version >= 1 ? this.nodeEndpoints() : [],
    });
    if (!this.clusterMatches(request.clusterId)) return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, topics: [], nodeEndpoints: [] };
    const p = singlePartition(request.topics, (t) => t.name);
    if (p === null) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, topics: [], nodeEndpoints: [] };
    if (p.partition !== 0) return respond(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, {}, p.partition);
    const error = this.leaderOnlyError(p.currentLeaderEpoch);
    if (error !== null) return respond(error);
    const id = { endOffset: Number(p.snapshotId.endOffset), epoch: p.snapshotId.epoch };
    const position = Number(p.position);
    const chunk = this.raft.metadataLog.readSnapshotChunk(id, position, Math.max(0, Math.min(request.maxBytes, 8 * 1024 * 1024)));
    if (chunk === null) return respond(ErrorCode.SNAPSHOT_NOT_FOUND);
    if (position < 0 || position >= chunk.size) return respond(ErrorCode.POSITION_OUT_OF_RANGE);
    return respond(ErrorCode.NONE, {
      snapshotId: { endOffset: BigInt(id.endOffset), epoch: id.epoch },
      size: BigInt(chunk.size),
      position: BigInt(position),
      unalignedRecords: chunk.bytes,
    });
  }
}

/** The one partition of a raft request (these RPCs carry exactly `__cluster_metadata`, one partition); null otherwise. */
function singlePartition<T extends { partitions: unknown[] }>(topics: readonly T[], nameOf: (t: T) => string): T['partitions'][number] | null {
  if (topics.length !== 1 || nameOf(topics[0]!) !== METADATA_TOPIC_NAME || topics[0]!.partitions.length !== 1) return null;
  return topics[0]!.partitions[0]!;
}
