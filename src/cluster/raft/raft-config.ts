/**
 * How a RaftQuorum is set up: who the voters are and where they listen, where an
 * observer looks for the leader, and the timeouts of KIP-595 under Kafka's names
 * and defaults (controller.quorum.*).
 */
import type { MetadataLogOptions } from '../../metadata/metadata-log.js';

/** A voter of controller.quorum.voters: `id@host:port`. */
export interface QuorumVoter {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** controller.quorum.election.timeout.ms */
export const DEFAULT_ELECTION_TIMEOUT_MS = 1000;
/** controller.quorum.fetch.timeout.ms */
export const DEFAULT_FETCH_TIMEOUT_MS = 2000;
/** controller.quorum.election.backoff.max.ms */
export const DEFAULT_ELECTION_BACKOFF_MAX_MS = 1000;
/** controller.quorum.request.timeout.ms */
export const DEFAULT_REQUEST_TIMEOUT_MS = 2000;
/** controller.quorum.retry.backoff.ms */
export const DEFAULT_RETRY_BACKOFF_MS = 20;
/** KafkaRaftClient's fetch max wait (its fetchMaxWaitMs, 500 ms) */
export const DEFAULT_FETCH_MAX_WAIT_MS = 500;
/** KafkaRaftClient.MAX_FETCH_SIZE_BYTES / MAX_BATCH_SIZE_BYTES */
export const MAX_FETCH_BYTES = 8 * 1024 * 1024;

export interface RaftQuorumOptions {
  /** node.id (broker.id); a voter when it is one of `voters`, else an observer */
  nodeId: number;
  /** the cluster id, checked against every raft request's ClusterId */
  clusterId: string;
  /** metadata.log.dir: the log is `<logDir>/__cluster_metadata-0`, with quorum-state beside it */
  logDir: string;
  /** controller.quorum.voters */
  voters: readonly QuorumVoter[];
  /** controller.quorum.bootstrap.servers: where an observer asks for the leader (default: the voters) */
  bootstrapServers?: readonly HostPort[];
  /** the listener name sent with this voter's endpoint in BeginQuorumEpoch/EndQuorumEpoch v1 (controller.listener.names' first) */
  listenerName?: string;
  /**
   * controller.listener.names: Vote/BeginQuorumEpoch/EndQuorumEpoch/FetchSnapshot are served
   * (and advertised) on these listeners only, as Kafka. Default: [listenerName] when that is
   * given, else every listener.
   */
  controllerListenerNames?: readonly string[];
  electionTimeoutMs?: number;
  fetchTimeoutMs?: number;
  electionBackoffMaxMs?: number;
  requestTimeoutMs?: number;
  retryBackoffMs?: number;
  fetchMaxWaitMs?: number;
  /** snapshot and segment settings of the metadata log */
  metadataLog?: Pick<MetadataLogOptions, 'maxBytesBetweenSnapshots' | 'maxSnapshotIntervalMs' | 'segmentBytes'>;
  logger?: (line: string) => void;
  /** a number in [0, 1) for election timeout randomisation; Math.random unless a test pins it */
  random?: () => number;
  clock?: () => number;
}
