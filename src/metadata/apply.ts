/**
 * Replaying metadata records onto an image, with the semantics of Kafka's
 * MetadataDelta (ClusterDelta, TopicsDelta, ConfigurationsDelta, FeaturesDelta,
 * ProducerIdsDelta). A record that contradicts the image (a partition of an
 * unknown topic, unregistering a broker at another epoch, ...) is a
 * MetadataReplayError: Kafka treats it as a fatal metadata loading fault, since
 * applying it would leave the image diverged from the controller's.
 *
 * Replay copies only what a record touches; a batch of records copies each part
 * at most once (applyRecords), so loading a log is linear in its size.
 */
import type { MetadataRecord, MetadataRecordName, MetadataRecordOf } from '../protocol/metadata-records.js';
import {
  configResourceKey,
  ConfigResourceType,
  LeaderRecoveryState,
  NO_LEADER_CHANGE,
  type BrokerRegistration,
  type MetadataImage,
  type MetadataProvenance,
  type PartitionRegistration,
  type ProducerIdsImage,
  type TopicImage,
} from './image.js';
import { applySecurityRecord, SECURITY_RECORD_TYPES, type SecurityImage } from './security-image.js';

export class MetadataReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataReplayError';
  }
}

/**
 * The record types the image keeps. Others (ACLs, quotas, SCRAM credentials,
 * delegation tokens, ZK migration, metadata transactions) replay as no-ops, so a
 * snapshot would not carry them: the metadata log refuses to append them.
 */
export const IMAGE_RECORD_TYPES: ReadonlySet<MetadataRecordName> = new Set<MetadataRecordName>([
  'RegisterBrokerRecord',
  'UnregisterBrokerRecord',
  'FenceBrokerRecord',
  'UnfenceBrokerRecord',
  'BrokerRegistrationChangeRecord',
  'TopicRecord',
  'PartitionRecord',
  'PartitionChangeRecord',
  'RemoveTopicRecord',
  'ConfigRecord',
  'FeatureLevelRecord',
  'ProducerIdsRecord',
  'NoOpRecord',
  ...SECURITY_RECORD_TYPES,
]);

/** BrokerRegistrationChangeRecord.Fenced (BrokerRegistrationFencingChange). */
const FencingChange = { UNFENCE: -1, NONE: 0, FENCE: 1 } as const;

/** Collects changes to an image, copying each part once, then freezes them into a new image. */
class ImageBuilder {
  private features: Map<string, number> | null = null;
  private brokers: Map<number, BrokerRegistration> | null = null;
  private topicsById: Map<string, TopicImage> | null = null;
  private topicsByName: Map<string, TopicImage> | null = null;
  private configs: Map<string, Readonly<Record<string, string>>> | null = null;
  private producerIds: ProducerIdsImage;
  private security: SecurityImage;
  /** topics whose partition map was already copied in this builder (safe to mutate) */
  private readonly ownedPartitions = new Map<string, Map<number, PartitionRegistration>>();
  /** config records whose override object was already copied */
  private readonly ownedConfigs = new Map<string, Record<string, string>>();

  constructor(private readonly base: MetadataImage) {
    this.producerIds = base.producerIds;
    this.security = base.security;
  }

  private mutableFeatures(): Map<string, number> {
    return (this.features ??= new Map(this.base.features));
  }
  private mutableBrokers(): Map<number, BrokerRegistration> {
    return (this.brokers ??= new Map(this.base.brokers));
  }
  private mutableTopics(): { byId: Map<string, TopicImage>; byName: Map<string, TopicImage> } {
    this.topicsById ??= new Map(this.base.topicsById);
    this.topicsByName ??= new Map(this.base.topicsByName);
    return { byId: this.topicsById, byName: this.topicsByName };
  }
  private mutableConfigs(): Map<string, Readonly<Record<string, string>>> {
    return (this.configs ??= new Map(this.base.configs));
  }

  private topic(topicId: string): TopicImage | undefined {
    return (this.topicsById ?? this.base.topicsById).get(topicId);
  }
  private broker(id: number): BrokerRegistration | undefined {
    return (this.brokers ?? this.base.brokers).get(id);
  }

  /** A topic's partition map that this builder may mutate (copied on first use). */
  private mutablePartitions(topicId: string, what: string): Map<number, PartitionRegistration> {
    const owned = this.ownedPartitions.get(topicId);
    if (owned !== undefined) return owned;
    const topic = this.topic(topicId);
    if (topic === undefined) throw new MetadataReplayError(`${what} for unknown topic id ${topicId}`);
    const partitions = new Map(topic.partitions);
    const copy: TopicImage = { name: topic.name, topicId, partitions };
    const { byId, byName } = this.mutableTopics();
    byId.set(topicId, copy);
    byName.set(topic.name, copy);
    this.ownedPartitions.set(topicId, partitions);
    return partitions;
  }

  replay(record: MetadataRecord): void {
    switch (record.type) {
      case 'RegisterBrokerRecord':
        return this.registerBroker(record);
      case 'UnregisterBrokerRecord': {
        const { brokerId, brokerEpoch } = record.data;
        this.brokerAtEpoch(brokerId, brokerEpoch, 'unregister');
        this.mutableBrokers().delete(brokerId);
        return;
      }
      case 'FenceBrokerRecord':
        return this.changeBroker(record.data.id, record.data.epoch, 'fence', { fenced: true });
      case 'UnfenceBrokerRecord':
        return this.changeBroker(record.data.id, record.data.epoch, 'unfence', { fenced: false });
      case 'BrokerRegistrationChangeRecord': {
        const { brokerId, brokerEpoch, fenced, inControlledShutdown } = record.data;
        const change: { fenced?: boolean; inControlledShutdown?: boolean } = {};
        if (fenced === FencingChange.FENCE) change.fenced = true;
        else if (fenced === FencingChange.UNFENCE) change.fenced = false;
        else if (fenced !== FencingChange.NONE) throw new MetadataReplayError(`broker ${brokerId}: unknown fencing change ${fenced}`);
        if (inControlledShutdown === 1) change.inControlledShutdown = true;
        else if (inControlledShutdown !== 0) {
          throw new MetadataReplayError(`broker ${brokerId}: unknown controlled shutdown change ${inControlledShutdown}`);
        }
        return this.changeBroker(brokerId, brokerEpoch, 'change', change);
      }
      case 'TopicRecord':
        return this.createTopic(record);
      case 'PartitionRecord':
        return this.createPartition(record);
      case 'PartitionChangeRecord':
        return this.changePartition(record);
      case 'RemoveTopicRecord':
        return this.removeTopic(record.data.topicId);
      case 'ConfigRecord':
        return this.setConfig(record);
      case 'FeatureLevelRecord': {
        const { name, featureLevel } = record.data;
        // Level 0 removes the feature (FeaturesDelta).
        if (featureLevel === 0) this.mutableFeatures().delete(name);
        else this.mutableFeatures().set(name, featureLevel);
        return;
      }
      case 'ProducerIdsRecord': {
        const { brokerId, brokerEpoch, nextProducerId } = record.data;
        if (nextProducerId < this.producerIds.nextProducerId) {
          throw new MetadataReplayError(
            `next producer id ${nextProducerId} is below the current ${this.producerIds.nextProducerId}`,
          );
        }
        this.producerIds = { brokerId, brokerEpoch, nextProducerId };
        return;
      }
      case 'UserScramCredentialRecord':
      case 'RemoveUserScramCredentialRecord':
      case 'AccessControlEntryRecord':
      case 'RemoveAccessControlEntryRecord':
        this.security = applySecurityRecord(this.security, record) ?? this.security;
        return;
      default:
        // NoOpRecord, quotas, delegation tokens, ZK migration, transactions:
        // not part of this image; they are kept in the log and skipped here.
        return;
    }
  }

  private registerBroker(record: MetadataRecordOf<'RegisterBrokerRecord'>): void {
    const d = record.data;
    const supportedFeatures: Record<string, readonly [number, number]> = {};
    for (const f of d.features) supportedFeatures[f.name] = [f.minSupportedVersion, f.maxSupportedVersion];
    // A new registration replaces the previous one of the same id (a restarted broker).
    this.mutableBrokers().set(d.brokerId, {
      id: d.brokerId,
      epoch: d.brokerEpoch,
      incarnationId: d.incarnationId,
      endpoints: d.endPoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
      supportedFeatures,
      rack: d.rack,
      fenced: d.fenced,
      inControlledShutdown: record.version >= 1 ? d.inControlledShutdown : false,
    });
  }

  private brokerAtEpoch(id: number, epoch: bigint, what: string): BrokerRegistration {
    const broker = this.broker(id);
    if (broker === undefined) throw new MetadataReplayError(`cannot ${what} broker ${id}: it is not registered`);
    if (broker.epoch !== epoch) {
      throw new MetadataReplayError(`cannot ${what} broker ${id} at epoch ${epoch}: it is registered at epoch ${broker.epoch}`);
    }
    return broker;
  }

  private changeBroker(id: number, epoch: bigint, what: string, change: Partial<BrokerRegistration>): void {
    const broker = this.brokerAtEpoch(id, epoch, what);
    this.mutableBrokers().set(id, { ...broker, ...change });
  }

  private createTopic(record: MetadataRecordOf<'TopicRecord'>): void {
    const { name, topicId } = record.data;
    const { byId, byName } = this.mutableTopics();
    if (byId.has(topicId)) throw new MetadataReplayError(`topic id ${topicId} already exists`);
    if (byName.has(name)) throw new MetadataReplayError(`topic ${name} already exists`);
    const partitions = new Map<number, PartitionRegistration>();
    const topic: TopicImage = { name, topicId, partitions };
    byId.set(topicId, topic);
    byName.set(name, topic);
    this.ownedPartitions.set(topicId, partitions);
  }

  private createPartition(record: MetadataRecordOf<'PartitionRecord'>): void {
    const d = record.data;
    const partitions = this.mutablePartitions(d.topicId, `partition ${d.partitionId}`);
    // Kafka replays a PartitionRecord for an existing partition as a replacement (reassignment in ZK migration).
    partitions.set(d.partitionId, {
      partition: d.partitionId,
      replicas: d.replicas,
      directories: record.version >= 1 ? d.directories : [],
      isr: d.isr,
      removingReplicas: d.removingReplicas,
      addingReplicas: d.addingReplicas,
      leader: d.leader,
      leaderRecoveryState: d.leaderRecoveryState,
      leaderEpoch: d.leaderEpoch,
      partitionEpoch: d.partitionEpoch,
      elr: d.eligibleLeaderReplicas ?? [],
      lastKnownElr: d.lastKnownElr ?? [],
    });
  }

  /** PartitionRegistration.merge: absent fields keep their value; the partition epoch always moves on. */
  private changePartition(record: MetadataRecordOf<'PartitionChangeRecord'>): void {
    const d = record.data;
    const partitions = this.mutablePartitions(d.topicId, `change of partition ${d.partitionId}`);
    const prev = partitions.get(d.partitionId);
    if (prev === undefined) throw new MetadataReplayError(`change of unknown partition ${d.partitionId} of topic id ${d.topicId}`);
    const leaderChanged = d.leader !== NO_LEADER_CHANGE;
    partitions.set(d.partitionId, {
      partition: prev.partition,
      replicas: d.replicas ?? prev.replicas,
      directories: d.directories ?? prev.directories,
      isr: d.isr ?? prev.isr,
      removingReplicas: d.removingReplicas ?? prev.removingReplicas,
      addingReplicas: d.addingReplicas ?? prev.addingReplicas,
      // Naming a leader, even the current one, starts a new leader epoch (how Kafka fences stale leaders).
      leader: leaderChanged ? d.leader : prev.leader,
      leaderEpoch: leaderChanged ? prev.leaderEpoch + 1 : prev.leaderEpoch,
      leaderRecoveryState:
        d.leaderRecoveryState === LeaderRecoveryState.NO_CHANGE ? prev.leaderRecoveryState : d.leaderRecoveryState,
      partitionEpoch: prev.partitionEpoch + 1,
      elr: d.eligibleLeaderReplicas ?? prev.elr,
      lastKnownElr: d.lastKnownElr ?? prev.lastKnownElr,
    });
  }

  private removeTopic(topicId: string): void {
    const topic = this.topic(topicId);
    if (topic === undefined) throw new MetadataReplayError(`cannot remove unknown topic id ${topicId}`);
    const { byId, byName } = this.mutableTopics();
    byId.delete(topicId);
    byName.delete(topic.name);
    this.ownedPartitions.delete(topicId);
    // The topic's dynamic configs go with it (ConfigurationsDelta replays RemoveTopicRecord too).
    const key = configResourceKey(ConfigResourceType.TOPIC, topic.name);
    if ((this.configs ?? this.base.configs).has(key)) this.mutableConfigs().delete(key);
    this.ownedConfigs.delete(key);
  }

  private setConfig(record: MetadataRecordOf<'ConfigRecord'>): void {
    const { resourceType, resourceName, name, value } = record.data;
    const key = configResourceKey(resourceType, resourceName);
    let owned = this.ownedConfigs.get(key);
    if (owned === undefined) {
      owned = { ...(this.configs ?? this.base.configs).get(key) };
      this.ownedConfigs.set(key, owned);
    }
    // A null value deletes the override.
    if (value === null) delete owned[name];
    else owned[name] = value;
    if (Object.keys(owned).length === 0) this.mutableConfigs().delete(key);
    else this.mutableConfigs().set(key, owned);
  }

  build(provenance: MetadataProvenance | undefined): MetadataImage {
    return {
      clusterId: this.base.clusterId,
      provenance: provenance ?? this.base.provenance,
      features: this.features ?? this.base.features,
      brokers: this.brokers ?? this.base.brokers,
      topicsById: this.topicsById ?? this.base.topicsById,
      topicsByName: this.topicsByName ?? this.base.topicsByName,
      configs: this.configs ?? this.base.configs,
      producerIds: this.producerIds,
      security: this.security,
    };
  }
}

/** The image after `records`, in order; `provenance` (when given) says where the last one sits in the log. */
export function applyRecords(
  image: MetadataImage,
  records: Iterable<MetadataRecord>,
  provenance?: MetadataProvenance,
): MetadataImage {
  const builder = new ImageBuilder(image);
  for (const record of records) builder.replay(record);
  return builder.build(provenance);
}

/** The image after one record. */
export function applyRecord(image: MetadataImage, record: MetadataRecord, provenance?: MetadataProvenance): MetadataImage {
  return applyRecords(image, [record], provenance);
}
