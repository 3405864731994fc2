/**
 * The KRaft quorum of `__cluster_metadata` as request handlers reach it: the raft
 * RPCs of KIP-595 (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch and FetchSnapshot of
 * the metadata partition) and DescribeQuorum (KIP-642). Implemented in
 * src/cluster/raft; absent when the node runs no quorum, and then these APIs are
 * neither advertised nor answered (as a Kafka broker listener, which does not
 * enable the controller-only APIs).
 */
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  DescribeQuorumRequest,
  DescribeQuorumResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  VoteRequest,
  VoteResponse,
} from '../../protocol/generated/types.js';

export interface QuorumService {
  /**
   * Whether the controller-only raft APIs (Vote, BeginQuorumEpoch, EndQuorumEpoch,
   * FetchSnapshot) are served here: a voter's controller listener. Observers (broker-only
   * nodes) and a broker listener serve only DescribeQuorum and the metadata Fetch, as
   * Kafka's message specs list them ("listeners": ["controller"] vs ["broker", "controller"]).
   */
  readonly controllerApis: boolean;
  /**
   * controller.listener.names: when given, the controller-only APIs are served on these
   * listeners only (a combined node's broker listener answers as a Kafka broker's does).
   */
  readonly controllerListenerNames?: readonly string[];
  vote(request: VoteRequest, version: number): VoteResponse;
  beginQuorumEpoch(request: BeginQuorumEpochRequest, version: number): BeginQuorumEpochResponse;
  endQuorumEpoch(request: EndQuorumEpochRequest, version: number): EndQuorumEpochResponse;
  /**
   * answered by the leader; another voter says NOT_LEADER_OR_FOLLOWER on its controller
   * listener, while an observer or a broker listener (`viaBrokerListener`) asks the leader,
   * as Kafka's brokers forward DescribeQuorum to the active controller
   */
  describeQuorum(request: DescribeQuorumRequest, version: number, viaBrokerListener?: boolean): DescribeQuorumResponse | Promise<DescribeQuorumResponse>;
  fetchSnapshot(request: FetchSnapshotRequest, version: number): FetchSnapshotResponse;
  /** a Fetch of the metadata partition (see isMetadataFetch), long-polled by the leader up to MaxWaitMs */
  fetch(request: FetchRequest, version: number): Promise<FetchResponse>;
}

/** Kafka's Uuid.METADATA_TOPIC_ID: the fixed topic id of `__cluster_metadata` in Fetch v13+. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
export const METADATA_TOPIC_NAME = '__cluster_metadata';

/** Kafka's controller-listener-only raft APIs: Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot. */
export const CONTROLLER_QUORUM_API_KEYS: ReadonlySet<number> = new Set([52, 53, 54, 59]);
/** DescribeQuorum: on broker and controller listeners, but only where a quorum runs. */
export const DESCRIBE_QUORUM_API_KEY = 55;

/**
 * Whether ApiVersions lists `apiKey` on `listenerName` (the connection's listener; unknown in
 * handler unit tests) given the node's quorum service (or its absence).
 */
export function quorumApiAdvertised(apiKey: number, quorum: QuorumService | undefined, listenerName?: string): boolean {
  if (CONTROLLER_QUORUM_API_KEYS.has(apiKey)) {
    if (quorum?.controllerApis !== true) return false;
    const names = quorum.controllerListenerNames;
    return listenerName === undefined || names === undefined || names.length === 0 || names.includes(listenerName);
  }
  if (apiKey === DESCRIBE_QUORUM_API_KEY) return quorum !== undefined;
  return true;
}

/** Whether a Fetch names only the metadata partition (by name below v13, by its fixed id from v13). */
export function isMetadataFetch(request: FetchRequest, version: number): boolean {
  return (
    request.topics.length > 0 &&
    request.topics.every((t) => (version >= 13 ? t.topicId === METADATA_TOPIC_ID : t.topic === METADATA_TOPIC_NAME))
  );
}

/**
 * The same quorum as seen from a broker listener of a combined node: DescribeQuorum and
 * the metadata Fetch, not the controller-only raft APIs (Kafka enables those only on
 * the controller listener).
 */
export function onBrokerListener(service: QuorumService): QuorumService {
  return {
    controllerApis: false,
    vote: (request, version) => service.vote(request, version),
    beginQuorumEpoch: (request, version) => service.beginQuorumEpoch(request, version),
    endQuorumEpoch: (request, version) => service.endQuorumEpoch(request, version),
    describeQuorum: (request, version) => service.describeQuorum(request, version, true),
    fetchSnapshot: (request, version) => service.fetchSnapshot(request, version),
    fetch: (request, version) => service.fetch(request, version),
  };
}
