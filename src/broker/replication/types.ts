/**
 * The seams of partition replication: what the metadata publisher tells the replica
 * manager (one committed partition registration per change, as Kafka's
 * ReplicaManager.applyDelta receives them), how a leader asks the controller for an ISR
 * change (AlterPartition, key 56, implemented outside the broker layer), and the
 * replica.* settings the fetchers and the ISR check use.
 */

/** A partition as the committed metadata describes it after a change. */
export interface PartitionStateChange {
  topic: string;
  topicId: string;
  partition: number;
  replicas: readonly number[];
  isr: readonly number[];
  /** -1 when the partition has no leader */
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
}

/** What a leader proposes to the controller. */
export interface AlterPartitionRequest {
  leaderEpoch: number;
  /** the partition epoch the proposal is based on (INVALID_UPDATE_VERSION when stale) */
  partitionEpoch: number;
  newIsr: number[];
}

/** The controller's answer: on NONE, the committed ISR and the partition epoch it got. */
export interface AlterPartitionResult {
  errorCode: number;
  isr: number[];
  leaderEpoch: number;
  partitionEpoch: number;
}

/** Sends an ISR change to the active controller (the ControllerChannel implements it with AlterPartition). */
export interface AlterPartitionSender {
  send(topic: string, topicId: string, partition: number, request: AlterPartitionRequest): Promise<AlterPartitionResult>;
}

/** Where a broker's inter-broker listener is. */
export interface BrokerEndpoint {
  host: string;
  port: number;
}

export interface ReplicationOptions {
  /** The inter-broker listener of a broker (from its registration); undefined while unknown. */
  brokerEndpoint(brokerId: number): BrokerEndpoint | undefined;
  alterPartition: AlterPartitionSender;
  /** False for a fenced or shutting-down broker: it is not added to an ISR (KIP-841). Default: every replica. */
  isReplicaEligible?(brokerId: number): boolean;
  /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR (30000) */
  replicaLagTimeMaxMs?: number;
  /** replica.fetch.wait.max.ms: how long the leader may hold a follower's Fetch (500) */
  replicaFetchWaitMaxMs?: number;
  /** replica.fetch.min.bytes (1) */
  replicaFetchMinBytes?: number;
  /** replica.fetch.max.bytes: per partition (1048576) */
  replicaFetchMaxBytes?: number;
  /** replica.fetch.response.max.bytes: per Fetch (10485760) */
  replicaFetchResponseMaxBytes?: number;
  /** replica.fetch.backoff.ms: pause after a failed fetch (1000) */
  replicaFetchBackoffMs?: number;
  /** replica.socket.timeout.ms: request timeout of the fetchers' connections (30000) */
  replicaSocketTimeoutMs?: number;
  /** client.id of the fetchers' connections; default `broker-<id>-fetcher` */
  clientId?: string;
}

export const REPLICATION_DEFAULTS = {
  replicaLagTimeMaxMs: 30_000,
  replicaFetchWaitMaxMs: 500,
  replicaFetchMinBytes: 1,
  replicaFetchMaxBytes: 1_048_576,
  replicaFetchResponseMaxBytes: 10_485_760,
  replicaFetchBackoffMs: 1000,
  replicaSocketTimeoutMs: 30_000,
} as const;

/** The replica.* settings of a broker's configuration, for startReplication. */
export function replicationTuning(config: {
  brokerId: number;
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMinBytes: number;
  replicaFetchMaxBytes: number;
  replicaFetchResponseMaxBytes: number;
  replicaFetchBackoffMs: number;
}): Omit<ReplicationOptions, 'brokerEndpoint' | 'alterPartition' | 'isReplicaEligible'> {
  return {
    replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
    replicaFetchWaitMaxMs: config.replicaFetchWaitMaxMs,
    replicaFetchMinBytes: config.replicaFetchMinBytes,
    replicaFetchMaxBytes: config.replicaFetchMaxBytes,
    replicaFetchResponseMaxBytes: config.replicaFetchResponseMaxBytes,
    replicaFetchBackoffMs: config.replicaFetchBackoffMs,
    clientId: `broker-${config.brokerId}-fetcher`,
  };
}
