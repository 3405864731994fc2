/**
 * The image as request handlers see the cluster today (BrokerInfo, TopicState,
 * PartitionState: the shapes MetadataService hands out), and the way back: the
 * records that take an image to a wanted state. Together they let the cluster
 * layer keep its mutable model and persist it by appending
 * `recordsToReach(image, state)` instead of rewriting one JSON file, then move
 * to building records directly operation by operation.
 */
import { randomBytes } from 'node:crypto';
import { metadataRecord, type MetadataRecord } from '../protocol/metadata-records.js';
import { uuidToString } from '../protocol/primitives.js';
import {
  ConfigResourceType,
  partitionsOf,
  resourceConfigs,
  type BrokerRegistration,
  type MetadataImage,
  type TopicImage,
} from './image.js';
import { configRecord, partitionChangeRecord, partitionRecord, registerBrokerRecord, SecurityProtocol, topicRecords } from './records.js';

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
    })),
    configs: { ...resourceConfigs(image, ConfigResourceType.TOPIC, topic.name) },
  };
}

/** Every topic of the image, by name. */
export function topicStates(image: MetadataImage): TopicState[] {
  return [...image.topicsByName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((t) => topicState(image, t));
}

/** What the cluster layer wants the image to say. */
export interface ClusterState {
  brokers: readonly BrokerInfo[];
  topics: readonly TopicState[];
}

export interface RecordsToReachOptions {
  /** offset the first record will get: the broker epoch of a registration written now (Kafka's convention) */
  nextOffset: number;
}

function randomUuid(): string {
  for (;;) {
    const id = uuidToString(randomBytes(16));
    if (id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ' && !id.startsWith('-')) return id;
  }
}

/**
 * The records that take `image` to `target`: brokers registered or re-registered
 * (new host, port or rack) and unregistered when gone; topics created (with their
 * configs and partitions), removed (also when the name now has another id), grown
 * by new partitions; partition changes (leader, ISR, replicas) and config changes.
 * Empty when the image already says it all. Partition epochs are the image's
 * business: every change bumps them; a leader change or a higher leader epoch in
 * `target` names the leader, which bumps the leader epoch by one.
 */
export function recordsToReach(image: MetadataImage, target: ClusterState, options: RecordsToReachOptions): MetadataRecord[] {
  const out: MetadataRecord[] = [];

  const wantedBrokers = new Map(target.brokers.map((b) => [b.nodeId, b]));
  for (const registered of image.brokers.values()) {
    if (!wantedBrokers.has(registered.id)) {
      out.push(metadataRecord('UnregisterBrokerRecord', { brokerId: registered.id, brokerEpoch: registered.epoch }));
    }
  }
  for (const broker of target.brokers) {
    const registered = image.brokers.get(broker.nodeId);
    if (registered !== undefined && !registered.fenced) {
      const current = brokerInfo(registered);
      if (current.host === broker.host && current.port === broker.port && current.rack === broker.rack) continue;
    }
    out.push(
      registerBrokerRecord({
        id: broker.nodeId,
        epoch: BigInt(options.nextOffset + out.length),
        incarnationId: randomUuid(),
        endpoints: [{ name: 'PLAINTEXT', host: broker.host, port: broker.port, securityProtocol: SecurityProtocol.PLAINTEXT }],
        rack: broker.rack,
        fenced: false,
        inControlledShutdown: false,
      }),
    );
  }

  const wantedIds = new Set(target.topics.map((t) => t.topicId));
  for (const topic of image.topicsById.values()) {
    if (!wantedIds.has(topic.topicId)) out.push(metadataRecord('RemoveTopicRecord', { topicId: topic.topicId }));
  }
  for (const topic of target.topics) {
    const current = image.topicsById.get(topic.topicId);
    if (current === undefined) {
      out.push(...topicRecords({ ...topic, partitions: topic.partitions.map((p) => ({ ...p, partitionEpoch: 0 })) }));
      continue;
    }
    if (current.name !== topic.name) throw new Error(`topic id ${topic.topicId} is ${current.name} in the metadata log, not ${topic.name}`);
    const overrides = resourceConfigs(image, ConfigResourceType.TOPIC, topic.name);
    for (const name of Object.keys(overrides).sort()) {
      if (!(name in topic.configs)) out.push(configRecord(ConfigResourceType.TOPIC, topic.name, name, null));
    }
    for (const name of Object.keys(topic.configs).sort()) {
      const value = topic.configs[name]!;
      if (overrides[name] !== value) out.push(configRecord(ConfigResourceType.TOPIC, topic.name, name, value));
    }
    for (const p of topic.partitions) {
      const before = current.partitions.get(p.partition);
      if (before === undefined) {
        out.push(partitionRecord(topic.topicId, { ...p, partitionEpoch: 0 }));
        continue;
      }
      const change = partitionChangeRecord(topic.topicId, before, p);
      if (change !== null) out.push(change);
    }
  }
  return out;
}
