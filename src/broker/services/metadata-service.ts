/**
 * Cluster metadata as request handlers see it: brokers, topics, partitions with
 * replicas / leader / ISR / leader epoch, and topic and broker configs. The service
 * is declared here (broker layer) and implemented by ClusterMetadata in src/cluster,
 * so that handlers never import the cluster layer; the shapes it hands out are the
 * metadata layer's views of the metadata image.
 *
 * Mutations throw KafkaError carrying the Kafka error code and message to return.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { apiErrorOf, type ApiError } from '../api-error.js';
import type { LogConfig, PartitionLog } from '../../storage/partition-log.js';
import { ConfigResourceType as RecordConfigResourceType } from '../../metadata/image.js';
import type { BrokerInfo, PartitionState, TopicState } from '../../metadata/views.js';

/**
 * The cluster's own types are the metadata layer's views of its image
 * (src/metadata/views.ts); handlers keep importing them from here.
 */
export type { BrokerInfo, PartitionState, TopicState } from '../../metadata/views.js';

export interface ReplicaAssignment {
  partition: number;
  brokerIds: number[];
}

export interface CreateTopicSpec {
  /** -1 = the broker's num.partitions (CreateTopics v4+) */
  numPartitions: number;
  /** -1 = the broker's default.replication.factor (CreateTopics v4+) */
  replicationFactor: number;
  /** manual placement; when given, numPartitions and replicationFactor must be -1 */
  assignments?: ReplicaAssignment[] | null;
  /** topic config overrides; validated against Kafka's topic config keys */
  configs?: Record<string, string | null>;
}

/**
 * DescribeConfigs / AlterConfigs ResourceType ids: Kafka's ConfigResource.Type
 * (UNKNOWN 0, TOPIC 2, BROKER 4, BROKER_LOGGER 8, CLIENT_METRICS 16, GROUP 32 from
 * KIP-848), the same ids ConfigRecord uses. The ACL ResourceType (GROUP 3) is another enum.
 */
export const ConfigResourceType = { UNKNOWN: 0, ...RecordConfigResourceType } as const;

export interface ConfigSynonymEntry {
  name: string;
  value: string | null;
  /** DescribeConfigs ConfigSource id */
  source: number;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  /** ConfigSource: 1 DYNAMIC_TOPIC_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG, ... */
  source: number;
  readOnly: boolean;
  isSensitive: boolean;
  /** DescribeConfigs v0 field: true when the source is DEFAULT_CONFIG */
  isDefault: boolean;
  /** DescribeConfigs v3+ ConfigType id */
  configType: number;
  documentation: string;
  /** ordered by precedence; the first entry is the source of the value */
  synonyms: ConfigSynonymEntry[];
}

/** IncrementalAlterConfigs operation types (OpType values 0..3). */
export type AlterConfigOpType = 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT';

export interface AlterConfigOp {
  name: string;
  op: AlterConfigOpType;
  value: string | null;
}

export interface PartitionRef {
  topic: string;
  partition: number;
}

/** One partition's ElectLeaders outcome. */
export interface ElectionResult extends PartitionRef {
  errorCode: number;
  errorMessage: string | null;
}

export interface MetadataService {
  readonly clusterId: string;
  /** a real broker id (kafka-python's admin client fails on -1) */
  readonly controllerId: number;
  /** this broker's id */
  readonly brokerId: number;

  /** registered brokers with their endpoint on `listenerName` (the client's listener), else their first */
  brokers(listenerName?: string): BrokerInfo[];
  topics(): TopicState[];
  topic(name: string): TopicState | undefined;
  topicById(topicId: string): TopicState | undefined;
  /** the partition's state and its local log when this broker hosts it */
  getPartition(topic: string, partition: number): { state: PartitionState; log: PartitionLog } | undefined;
  /** broker defaults overlaid with the topic's overrides */
  logConfigFor(topic: string): LogConfig;

  /**
   * CreateTopics: validates name, counts, assignments and configs, then (unless
   * validateOnly) creates the partition logs and persists. Returns the new (or
   * would-be) topic; topicId is a fresh id.
   */
  createTopic(name: string, spec: CreateTopicSpec, validateOnly?: boolean): Promise<TopicState>;
  /** Metadata auto-creation: checks auto.create.topics.enable and uses broker defaults */
  autoCreateTopic(name: string): Promise<TopicState>;
  /** __consumer_offsets / __transaction_state, created with Kafka's internal settings if absent */
  ensureInternalTopic(name: string): Promise<TopicState>;
  /** DeleteTopics: removes the topic and its logs; returns the deleted topic */
  deleteTopic(name: string): Promise<TopicState>;
  /** CreatePartitions: grows the topic to `totalCount` partitions */
  createPartitions(
    name: string,
    totalCount: number,
    assignments?: number[][] | null,
    validateOnly?: boolean,
  ): Promise<TopicState>;

  /** DescribeConfigs for a TOPIC (2) or BROKER (4) resource; `names` null/empty = all */
  describeConfigs(resourceType: number, resourceName: string, names?: readonly string[] | null): DescribedConfig[];
  /** every topic config of a topic (also a would-be topic from a validateOnly create), as DescribeConfigs reports them */
  describeTopicConfigs(topic: TopicState): DescribedConfig[];
  /** AlterConfigs: replaces the resource's whole override set */
  replaceConfigs(
    resourceType: number,
    resourceName: string,
    configs: Record<string, string | null>,
    validateOnly?: boolean,
  ): Promise<void>;
  /** IncrementalAlterConfigs: applies SET/DELETE/APPEND/SUBTRACT to the overrides */
  incrementalAlterConfigs(
    resourceType: number,
    resourceName: string,
    ops: readonly AlterConfigOp[],
    validateOnly?: boolean,
  ): Promise<void>;
  /**
   * ElectLeaders: electionType 0 PREFERRED, 1 UNCLEAN (anything else: INVALID_REQUEST thrown);
   * `partitions` null = every partition, leaving out the ones that need no election
   */
  electLeaders(electionType: number, partitions: readonly PartitionRef[] | null): Promise<ElectionResult[]>;
  /** AlterPartitionReassignments for one partition (null replicas = cancel); throws KafkaError when refused */
  alterPartitionReassignment(topic: string, partition: number, replicas: readonly number[] | null): Promise<void>;
}

/**
 * The (errorCode, errorMessage) pair for a per-resource result, decided in one place
 * (../api-error.ts): a KafkaError keeps its code and message; anything else is logged
 * with its stack and answered UNKNOWN_SERVER_ERROR (-1) with no message.
 */
export function errorResult(err: unknown, log: (line: string) => void, what: string): ApiError {
  return apiErrorOf(err, log, what);
}

/**
 * A partition as Metadata and DescribeTopicPartitions report it. A local replica whose log
 * is refused (PartitionLog.offlineReason: a corrupt batch in the middle of the log, found
 * at start-up or on a read) is offline, as a replica on a failed log dir is in Kafka: it
 * is listed in offlineReplicas, and a partition it led has no leader (-1), which Kafka's
 * metadata cache answers with LEADER_NOT_AVAILABLE. The stored state is left as it is, so
 * the partition is led again once the segment is repaired and the broker restarted.
 */
export function reportedPartitionState(
  metadata: Pick<MetadataService, 'brokerId' | 'getPartition'>,
  topic: string,
  state: PartitionState,
): PartitionState {
  const offline = (metadata.getPartition(topic, state.partition)?.log.offlineReason ?? null) !== null;
  if (!offline) return state;
  const self = metadata.brokerId;
  return {
    ...state,
    leader: state.leader === self ? -1 : state.leader,
    offlineReplicas: state.offlineReplicas.includes(self) ? [...state.offlineReplicas] : [...state.offlineReplicas, self],
  };
}
