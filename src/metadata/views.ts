/**
 * The image as request handlers see the cluster (BrokerInfo, TopicState,
 * PartitionState: the shapes the broker layer's MetadataService hands out). The
 * cluster layer builds them from each new image; the controller changes the image
 * only by appending records.
 */
import {
  ConfigResourceType,
  partitionsOf,
  resourceConfigs,
  type BrokerRegistration,
  type MetadataImage,
  type TopicImage,
} from './image.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionState {
  partition: number;
  /** broker id of the leader, -1 when none */
  leader: number;
  leaderEpoch: number;
  /** bumped on every change to the partition (KRaft); absent in states built before the metadata log */
  partitionEpoch?: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** replicas a reassignment in progress adds / removes (KIP-455); absent when none runs */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface TopicState {
  name: string;
  /** 22-char URL-safe base64 display form of the topic's Uuid; never all-zero */
  topicId: string;
  internal: boolean;
  /** ordered by partition index */
  partitions: PartitionState[];
  /** topic-level overrides only (what DescribeConfigs reports as DYNAMIC_TOPIC_CONFIG) */
  configs: Record<string, string>;
}

/** Kafka's Topic.isInternal: the two topics its coordinators own. */
export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}

/** A registered broker as Metadata responses list it (its first listener, or `listenerName`'s). */
export function brokerInfo(broker: BrokerRegistration, listenerName?: string): BrokerInfo {
  const endpoint = broker.endpoints.find((e) => e.name === listenerName) ?? broker.endpoints[0];
  return { nodeId: broker.id, host: endpoint?.host ?? '', port: endpoint?.port ?? -1, rack: broker.rack };
}

/** Unfenced brokers, by id. */
export function brokerInfos(image: MetadataImage, listenerName?: string): BrokerInfo[] {
  return [...image.brokers.values()]
    .filter((b) => !b.fenced)
    .sort((a, b) => a.id - b.id)
    .map((b) => brokerInfo(b, listenerName));
}

/** A topic of the image as a TopicState; replicas on unregistered or fenced brokers are offline. */
export function topicState(image: MetadataImage, topic: TopicImage): TopicState {
  const alive = (id: number): boolean => image.brokers.get(id)?.fenced === false;
  return {
    name: topic.name,
    topicId: topic.topicId,
    internal: isInternalTopic(topic.name),
    partitions: partitionsOf(topic).map((p) => ({
      partition: p.partition,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      replicas: [...p.replicas],
      isr: [...p.isr],
      offlineReplicas: p.replicas.filter((id) => !alive(id)),
      // only while a reassignment runs, so settled partitions look as they always did
      ...(p.addingReplicas.length > 0 || p.removingReplicas.length > 0
        ? { addingReplicas: [...p.addingReplicas], removingReplicas: [...p.removingReplicas] }
        : {}),
    })),
    configs: { ...resourceConfigs(image, ConfigResourceType.TOPIC, topic.name) },
  };
}

/** Every topic of the image, by name. */
export function topicStates(image: MetadataImage): TopicState[] {
  return [...image.topicsByName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((t) => topicState(image, t));
}
