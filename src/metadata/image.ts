/**
 * The metadata image: everything the cluster knows about itself — the cluster id,
 * finalized features, registered brokers, topics with their partitions (replicas,
 * ISR, leader, leader and partition epochs) and dynamic configs — as plain
 * read-only data, in the shape of Kafka's MetadataImage (ClusterImage, TopicsImage,
 * ConfigurationsImage, FeaturesImage, ProducerIdsImage).
 *
 * An image is never mutated: it changes only by replaying metadata records
 * (apply.ts), which yields a new image sharing every untouched part with the old
 * one. Readers may keep an image as long as they like.
 */
import { EMPTY_SECURITY_IMAGE, type SecurityImage } from './security-image.js';

/** A listener a broker registered (RegisterBrokerRecord.EndPoints). */
export interface BrokerEndpoint {
  /** listener name, e.g. PLAINTEXT */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** SecurityProtocol id: 0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL */
  readonly securityProtocol: number;
}

/** Kafka's BrokerRegistration: one broker as the controller registered it. */
export interface BrokerRegistration {
  readonly id: number;
  /** the broker epoch: the offset of its RegisterBrokerRecord in the metadata log */
  readonly epoch: bigint;
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
  /** feature name → [min, max] supported version */
  readonly supportedFeatures: Readonly<Record<string, readonly [number, number]>>;
  readonly rack: string | null;
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
}

/** LeaderRecoveryState (KIP-704): 0 RECOVERED, 1 RECOVERING; -1 in a change record = no change. */
export const LeaderRecoveryState = { RECOVERED: 0, RECOVERING: 1, NO_CHANGE: -1 } as const;

/** PartitionChangeRecord.Leader: -2 leaves the leader (and leader epoch) as they are. */
export const NO_LEADER_CHANGE = -2;
/** No leader (offline partition). */
export const NO_LEADER = -1;

/** Kafka's PartitionRegistration: the state of one partition. */
export interface PartitionRegistration {
  readonly partition: number;
  readonly replicas: readonly number[];
  /** log directory id of each replica (PartitionRecord v1+); empty when unknown */
  readonly directories: readonly string[];
  readonly isr: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly addingReplicas: readonly number[];
  /** broker id of the leader, -1 when none */
  readonly leader: number;
  readonly leaderRecoveryState: number;
  /** bumped whenever a change names a leader (even the same one) */
  readonly leaderEpoch: number;
  /** bumped on every change to the partition */
  readonly partitionEpoch: number;
  /** eligible leader replicas (KIP-966) */
  readonly elr: readonly number[];
  readonly lastKnownElr: readonly number[];
}

export interface TopicImage {
  readonly name: string;
  /** 22-char display form of the topic's Uuid */
  readonly topicId: string;
  /** partition index → state */
  readonly partitions: ReadonlyMap<number, PartitionRegistration>;
}

/** ConfigRecord.ResourceType ids (ConfigResource.Type). */
export const ConfigResourceType = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

/** Which record the image was built up to: Kafka's MetadataProvenance. */
export interface MetadataProvenance {
  /** offset of the last record applied; -1 for an empty image */
  readonly lastContainedOffset: number;
  /** raft epoch of the batch holding that record; -1 for an empty image */
  readonly lastContainedEpoch: number;
  /** append time of that batch (ms); -1 for an empty image */
  readonly lastContainedLogTimeMs: number;
}

export interface ProducerIdsImage {
  /** the first producer id not yet handed out (ProducerIdsRecord.NextProducerId) */
  readonly nextProducerId: bigint;
  /** who took the last block, and at which broker epoch; -1 before the first */
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

export interface MetadataImage {
  /**
   * Kept in meta.properties, not in the log, as in Kafka: the log belongs to the
   * cluster the directory was formatted for.
   */
  readonly clusterId: string;
  readonly provenance: MetadataProvenance;
  /** finalized feature levels (FeatureLevelRecord), e.g. metadata.version → 21 */
  readonly features: ReadonlyMap<string, number>;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly topicsById: ReadonlyMap<string, TopicImage>;
  readonly topicsByName: ReadonlyMap<string, TopicImage>;
  /** configResourceKey(type, name) → overrides (name → value); absent when there are none */
  readonly configs: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly producerIds: ProducerIdsImage;
  /** SCRAM credentials and ACL bindings (security-image.ts) */
  readonly security: SecurityImage;
}

export const EMPTY_PROVENANCE: MetadataProvenance = {
  lastContainedOffset: -1,
  lastContainedEpoch: -1,
  lastContainedLogTimeMs: -1,
};

/** The image of a cluster whose log holds nothing yet. */
export function emptyImage(clusterId: string): MetadataImage {
  return {
    clusterId,
    provenance: EMPTY_PROVENANCE,
    features: new Map(),
    brokers: new Map(),
    topicsById: new Map(),
    topicsByName: new Map(),
    configs: new Map(),
    producerIds: { nextProducerId: 0n, brokerId: -1, brokerEpoch: -1n },
    security: EMPTY_SECURITY_IMAGE,
  };
}

/** Map key of a config resource: "<type>:<name>" (the broker-wide default is "4:"). */
export function configResourceKey(resourceType: number, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}

/** The dynamic config overrides of one resource ({} when none). */
export function resourceConfigs(image: MetadataImage, resourceType: number, resourceName: string): Readonly<Record<string, string>> {
  return image.configs.get(configResourceKey(resourceType, resourceName)) ?? {};
}

/** A topic's partitions ordered by index. */
export function partitionsOf(topic: TopicImage): PartitionRegistration[] {
  return [...topic.partitions.values()].sort((a, b) => a.partition - b.partition);
}
