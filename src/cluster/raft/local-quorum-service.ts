/**
 * The raft APIs of a node whose metadata quorum is a LocalQuorum (one voter, itself,
 * always the leader: the single broker with its embedded controller). DescribeQuorum
 * answers as Kafka's single combined node does — this node the leader and only voter,
 * the high watermark at the log end, no observers — so `kafka-metadata-quorum
 * describe` works against it. Nobody else can vote, lead or follow here: Vote is not
 * granted, BeginQuorumEpoch/EndQuorumEpoch from another node are INCONSISTENT_VOTER_SET,
 * and a metadata Fetch or FetchSnapshot is answered NOT_LEADER_OR_FOLLOWER naming this
 * node (a node that others follow runs a RaftQuorum, even with one voter).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type {
  BeginQuorumEpochResponse,
  DescribeQuorumRequest,
  DescribeQuorumResponse,
  EndQuorumEpochResponse,
  FetchRequest,
  FetchResponse,
  FetchSnapshotResponse,
  VoteResponse,
} from '../../protocol/generated/types.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import type { LocalQuorum } from '../../metadata/local-quorum.js';
import { METADATA_TOPIC_ID, METADATA_TOPIC_NAME, type QuorumService } from '../../broker/services/quorum-service.js';

export interface LocalQuorumServiceOptions {
  /**
   * Serve Vote/BeginQuorumEpoch/EndQuorumEpoch/FetchSnapshot (advertised in ApiVersions)?
   * Default false: the single broker's listener is a broker listener, where Kafka does not
   * enable them (its ApiVersions stays Kafka's broker list plus DescribeQuorum).
   */
  controllerApis?: boolean;
  /** controller.listener.names: with controllerApis, the listeners those APIs are served on */
  controllerListenerNames?: readonly string[];
  /** where this node's controller listener is, for DescribeQuorum v2 `nodes` */
  endpoint?: { listenerName: string; host: string; port: number };
  clock?: () => number;
}

export function localQuorumService(quorum: LocalQuorum, options: LocalQuorumServiceOptions = {}): QuorumService {
  const clock = options.clock ?? Date.now;
  const leader = (): { leaderId: number; leaderEpoch: number } => ({ leaderId: quorum.nodeId, leaderEpoch: quorum.leaderAndEpoch().epoch });
  const nodeEndpoints = (): { nodeId: number; host: string; port: number }[] =>
    options.endpoint ? [{ nodeId: quorum.nodeId, host: options.endpoint.host, port: options.endpoint.port }] : [];
  const raftAnswer = (errorCode: number): BeginQuorumEpochResponse & EndQuorumEpochResponse => ({
    errorCode: ErrorCode.NONE,
    topics: [{ topicName: METADATA_TOPIC_NAME, partitions: [{ partitionIndex: 0, errorCode, ...leader() }] }],
    nodeEndpoints: nodeEndpoints(),
  });
  return {
    controllerApis: options.controllerApis ?? false,
    controllerListenerNames: options.controllerListenerNames,
    vote(): VoteResponse {
      return {
        errorCode: ErrorCode.NONE,
        topics: [{ topicName: METADATA_TOPIC_NAME, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, ...leader(), voteGranted: false }] }],
        nodeEndpoints: nodeEndpoints(),
      };
    },
    beginQuorumEpoch: () => raftAnswer(ErrorCode.INCONSISTENT_VOTER_SET),
    endQuorumEpoch: () => raftAnswer(ErrorCode.INCONSISTENT_VOTER_SET),
    describeQuorum(request: DescribeQuorumRequest, version: number): DescribeQuorumResponse {
      const asked = request.topics.length === 1 && request.topics[0]!.topicName === METADATA_TOPIC_NAME && request.topics[0]!.partitions.length === 1 ? request.topics[0]!.partitions[0]! : null;
      if (asked === null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'DescribeQuorum names only __cluster_metadata-0', topics: [], nodes: [] };
      const now = BigInt(clock());
      const end = BigInt(quorum.metadataLog.endOffset);
      const known = asked.partitionIndex === 0;
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topics: [
          {
            topicName: METADATA_TOPIC_NAME,
            partitions: [
              {
                partitionIndex: asked.partitionIndex,
                errorCode: known ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                errorMessage: null,
                leaderId: known ? quorum.nodeId : -1,
                leaderEpoch: known ? quorum.leaderAndEpoch().epoch : -1,
                highWatermark: known ? end : -1n,
                currentVoters: known ? [{ replicaId: quorum.nodeId, replicaDirectoryId: ZERO_UUID, logEndOffset: end, lastFetchTimestamp: now, lastCaughtUpTimestamp: now }] : [],
                observers: [],
              },
            ],
          },
        ],
        nodes:
          version >= 2 && options.endpoint
            ? [{ nodeId: quorum.nodeId, listeners: [{ name: options.endpoint.listenerName, host: options.endpoint.host, port: options.endpoint.port }] }]
            : [],
      };
    },
    fetchSnapshot(): FetchSnapshotResponse {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        topics: [
          {
            name: METADATA_TOPIC_NAME,
            partitions: [
              { index: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, snapshotId: { endOffset: -1n, epoch: -1 }, currentLeader: leader(), size: -1n, position: -1n, unalignedRecords: Buffer.alloc(0) },
            ],
          },
        ],
        nodeEndpoints: nodeEndpoints(),
      };
    },
    async fetch(request: FetchRequest, version: number): Promise<FetchResponse> {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: [
          {
            topic: METADATA_TOPIC_NAME,
            topicId: METADATA_TOPIC_ID,
            partitions: request.topics.flatMap((t) =>
              t.partitions.map((p) => ({
                partitionIndex: p.partition,
                errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
                highWatermark: -1n,
                lastStableOffset: -1n,
                logStartOffset: -1n,
                divergingEpoch: { epoch: -1, endOffset: -1n },
                currentLeader: leader(),
                snapshotId: { endOffset: -1n, epoch: -1 },
                abortedTransactions: null,
                preferredReadReplica: -1,
                records: Buffer.alloc(0),
              })),
            ),
          },
        ],
        nodeEndpoints: version >= 16 ? nodeEndpoints().map((e) => ({ ...e, rack: null })) : [],
      };
    },
  };
}
