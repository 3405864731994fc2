/**
 * Building metadata records: the records that recreate a whole image (what a
 * snapshot holds, Kafka's MetadataImage.write) and the ones the cluster layer
 * appends for its operations (a new topic, a broker registration, a partition
 * change). Record versions are the highest this code knows unless a lower one
 * says the same thing more plainly (PartitionRecord v0 when no directory ids or
 * ELR are known), so older readers such as kafka-metadata-shell keep up.
 */
import { metadataRecord, type MetadataRecord, type MetadataRecordOf } from '../protocol/metadata-records.js';
import {
  ConfigResourceType,
  NO_LEADER_CHANGE,
  LeaderRecoveryState,
  partitionsOf,
  type BrokerRegistration,
  type MetadataImage,
  type PartitionRegistration,
} from './image.js';
import { securityImageRecords } from './security-image.js';

/** SecurityProtocol ids (RegisterBrokerRecord.EndPoints.SecurityProtocol). */
export const SecurityProtocol = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 } as const;

/** The PartitionRecord that creates `p` (or recreates it in a snapshot). */
export function partitionRecord(topicId: string, p: Omit<PartitionRegistration, 'directories' | 'elr' | 'lastKnownElr' | 'removingReplicas' | 'addingReplicas' | 'leaderRecoveryState' | 'partitionEpoch'> & Partial<PartitionRegistration>): MetadataRecordOf<'PartitionRecord'> {
  const directories = p.directories ?? [];
  const elr = p.elr ?? [];
  const lastKnownElr = p.lastKnownElr ?? [];
  const version = elr.length > 0 || lastKnownElr.length > 0 ? 2 : directories.length > 0 ? 1 : 0;
  return metadataRecord(
    'PartitionRecord',
    {
      partitionId: p.partition,
      topicId,
      replicas: [...p.replicas],
      isr: [...p.isr],
      removingReplicas: [...(p.removingReplicas ?? [])],
      addingReplicas: [...(p.addingReplicas ?? [])],
      leader: p.leader,
      leaderRecoveryState: p.leaderRecoveryState ?? LeaderRecoveryState.RECOVERED,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch ?? 0,
      directories: [...directories],
      eligibleLeaderReplicas: version >= 2 ? [...elr] : null,
      lastKnownElr: version >= 2 ? [...lastKnownElr] : null,
    },
    version,
  );
}

/** A topic as the cluster layer describes one to create (or to import from the old JSON snapshot). */
export interface TopicDefinition {
  name: string;
  topicId: string;
  partitions: readonly {
    partition: number;
    replicas: readonly number[];
    isr: readonly number[];
    leader: number;
    leaderEpoch: number;
    partitionEpoch?: number;
  }[];
  /** topic-level config overrides */
  configs?: Readonly<Record<string, string>>;
}

/**
 * TopicRecord, its ConfigRecords, then one PartitionRecord per partition: the
 * order Kafka's controller writes a CreateTopics result in (configs before
 * partitions, so a broker never sees partitions without their topic's configs).
 */
export function topicRecords(topic: TopicDefinition): MetadataRecord[] {
  const out: MetadataRecord[] = [metadataRecord('TopicRecord', { name: topic.name, topicId: topic.topicId })];
  for (const [name, value] of Object.entries(topic.configs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push(configRecord(ConfigResourceType.TOPIC, topic.name, name, value));
  }
  for (const p of [...topic.partitions].sort((a, b) => a.partition - b.partition)) out.push(partitionRecord(topic.topicId, p));
  return out;
}

/** Sets (or, with a null value, deletes) one dynamic config of a resource. */
export function configRecord(resourceType: number, resourceName: string, name: string, value: string | null): MetadataRecordOf<'ConfigRecord'> {
  return metadataRecord('ConfigRecord', { resourceType, resourceName, name, value });
}

/**
 * The PartitionChangeRecord that takes `before` to `after`, or null when nothing
 * differs. The leader field is set when the leader changes or `after` carries a
 * higher leader epoch (Kafka re-names the same leader to start a new epoch).
 */
export function partitionChangeRecord(
  topicId: string,
  before: PartitionRegistration,
  after: Pick<PartitionRegistration, 'replicas' | 'isr' | 'leader' | 'leaderEpoch'> & Partial<PartitionRegistration>,
): MetadataRecordOf<'PartitionChangeRecord'> | null {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  const leaderMoved = after.leader !== before.leader || after.leaderEpoch > before.leaderEpoch;
  const data = {
    partitionId: before.partition,
    topicId,
    isr: same(before.isr, after.isr) ? null : [...after.isr],
    leader: leaderMoved ? after.leader : NO_LEADER_CHANGE,
    replicas: same(before.replicas, after.replicas) ? null : [...after.replicas],
    removingReplicas:
      after.removingReplicas === undefined || same(before.removingReplicas, after.removingReplicas) ? null : [...after.removingReplicas],
    addingReplicas:
      after.addingReplicas === undefined || same(before.addingReplicas, after.addingReplicas) ? null : [...after.addingReplicas],
    leaderRecoveryState:
      after.leaderRecoveryState === undefined || after.leaderRecoveryState === before.leaderRecoveryState
        ? LeaderRecoveryState.NO_CHANGE
        : after.leaderRecoveryState,
    directories: null,
    eligibleLeaderReplicas: null,
    lastKnownElr: null,
  };
  const changed =
    data.isr !== null ||
    data.leader !== NO_LEADER_CHANGE ||
    data.replicas !== null ||
    data.removingReplicas !== null ||
    data.addingReplicas !== null ||
    data.leaderRecoveryState !== LeaderRecoveryState.NO_CHANGE;
  return changed ? metadataRecord('PartitionChangeRecord', data) : null;
}

/** Registers (or re-registers) a broker; its epoch is conventionally the offset the record lands at. */
export function registerBrokerRecord(broker: Omit<BrokerRegistration, 'supportedFeatures'> & Partial<Pick<BrokerRegistration, 'supportedFeatures'>>): MetadataRecordOf<'RegisterBrokerRecord'> {
  return metadataRecord('RegisterBrokerRecord', {
    brokerId: broker.id,
    isMigratingZkBroker: false,
    incarnationId: broker.incarnationId,
    brokerEpoch: broker.epoch,
    endPoints: broker.endpoints.map((e) => ({ ...e })),
    features: Object.entries(broker.supportedFeatures ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, [min, max]]) => ({ name, minSupportedVersion: min, maxSupportedVersion: max })),
    rack: broker.rack,
    fenced: broker.fenced,
    inControlledShutdown: broker.inControlledShutdown,
    logDirs: [],
  });
}

/**
 * Every record needed to rebuild `image` from an empty one: features first (a
 * reader needs metadata.version before anything else), then brokers, topics with
 * their partitions, configs, and the producer id block. This is what a snapshot holds.
 */
export function imageRecords(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  const byName = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const features = byName(image.features);
  // metadata.version leads, as in Kafka's FeaturesImage.write
  features.sort(([a], [b]) => Number(b === 'metadata.version') - Number(a === 'metadata.version'));
  for (const [name, featureLevel] of features) out.push(metadataRecord('FeatureLevelRecord', { name, featureLevel }));
  for (const broker of [...image.brokers.values()].sort((a, b) => a.id - b.id)) out.push(registerBrokerRecord(broker));
  for (const [, topic] of byName(image.topicsByName)) {
    out.push(metadataRecord('TopicRecord', { name: topic.name, topicId: topic.topicId }));
    for (const p of partitionsOf(topic)) out.push(partitionRecord(topic.topicId, p));
  }
  for (const [key, overrides] of byName(image.configs)) {
    const colon = key.indexOf(':');
    const resourceType = Number(key.slice(0, colon));
    const resourceName = key.slice(colon + 1);
    for (const [name, value] of byName(Object.entries(overrides))) out.push(configRecord(resourceType, resourceName, name, value));
  }
  if (image.producerIds.brokerId >= 0 || image.producerIds.nextProducerId > 0n) {
    out.push(
      metadataRecord('ProducerIdsRecord', {
        brokerId: image.producerIds.brokerId,
        brokerEpoch: image.producerIds.brokerEpoch,
        nextProducerId: image.producerIds.nextProducerId,
      }),
    );
  }
  out.push(...securityImageRecords(image.security));
  return out;
}
