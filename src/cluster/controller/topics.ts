/**
 * Topic decisions of the controller as pure functions over the metadata image
 * (Kafka's ReplicationControlManager.createTopics/deleteTopics/createPartitions and
 * ConfigurationControlManager): validation, replica placement, the partition limit
 * (max.broker.partitions), leaders of new partitions, and config changes. Each
 * returns the records to append; the caller creates or removes logs around them.
 */
import type { BrokerConfig } from '../../broker/config.js';
import type { AlterConfigOp, CreateTopicSpec } from '../../broker/services/metadata-service.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import {
  ConfigResourceType,
  configRecord,
  metadataRecord,
  partitionRecord,
  resourceConfigs,
  topicRecords,
  type MetadataImage,
  type MetadataRecord,
} from '../../metadata/index.js';
import { assignReplicas, type PlacementOptions } from './replica-placement.js';
import { effectiveTopicConfig, topicConfigDef, validateConfigValue, validateTopicConfigs } from '../topic-config.js';
import { INTERNAL_TOPICS, validateTopicName } from '../topic-name.js';
import { activeBrokerIds, newPartitionLeadership } from './leadership.js';

export interface CreateTopicOptions {
  /** the new topic's id (fresh and not in the image) */
  topicId: string;
  /** an internal topic the coordinators need: exempt from max.broker.partitions */
  internal?: boolean;
  /** fixed placement (tests); random start as Kafka's otherwise */
  placement?: PlacementOptions;
}

/**
 * CreateTopics for one topic: TopicRecord, its ConfigRecords, one PartitionRecord per
 * partition. Throws KafkaError with Kafka's code and message when refused; nothing
 * is allocated before the partition limit is checked, so a forged partition count
 * (2^28) costs nothing.
 */
export function createTopicRecords(
  image: MetadataImage,
  config: BrokerConfig,
  name: string,
  spec: CreateTopicSpec,
  options: CreateTopicOptions,
): MetadataRecord[] {
  validateTopicName(name);
  if (image.topicsByName.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  const configs = validateTopicConfigs(spec.configs ?? {});
  const internal = options.internal === true;
  let replicaLists: number[][];
  if (spec.assignments && spec.assignments.length > 0) {
    if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    }
    if (!internal) {
      checkPartitionLimit(image, config, spec.assignments.length, spec.assignments[0]!.brokerIds.length, `Creating topic ${name} with ${spec.assignments.length} partition(s)`);
    }
    const sorted = [...spec.assignments].sort((a, b) => a.partition - b.partition);
    sorted.forEach((a, i) => {
      if (a.partition !== i) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence');
      }
    });
    const rf = sorted[0]!.brokerIds.length;
    replicaLists = sorted.map((a) => checkReplicaList(image, a.brokerIds, rf));
  } else {
    const numPartitions = spec.numPartitions === -1 ? config.numPartitions : spec.numPartitions;
    const replicationFactor = spec.replicationFactor === -1 ? config.defaultReplicationFactor : spec.replicationFactor;
    if (numPartitions <= 0) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
    }
    if (replicationFactor <= 0) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
    }
    // Internal topics are exempt (they count, though): without them groups and transactions stop.
    if (!internal) {
      checkPartitionLimit(image, config, numPartitions, replicationFactor, `Creating topic ${name} with ${numPartitions} partition(s)`);
    }
    replicaLists = assignReplicas(activeBrokerIds(image), numPartitions, replicationFactor, options.placement);
  }
  return topicRecords({
    name,
    topicId: options.topicId,
    configs,
    partitions: replicaLists.map((replicas, partition) => ({ partition, replicas, leaderEpoch: 0, ...newPartitionLeadership(image, replicas) })),
  });
}

/** DeleteTopics for one topic: its RemoveTopicRecord (which also drops its configs). */
export function deleteTopicRecords(image: MetadataImage, config: Pick<BrokerConfig, 'deleteTopicEnable'>, name: string): MetadataRecord[] {
  if (!config.deleteTopicEnable) throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
  const topic = image.topicsByName.get(name);
  if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  if (INTERNAL_TOPICS.has(name)) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot delete internal topic ${name}.`);
  return [metadataRecord('RemoveTopicRecord', { topicId: topic.topicId })];
}

/** CreatePartitions: PartitionRecords of the partitions that take `name` to `totalCount`. */
export function createPartitionsRecords(
  image: MetadataImage,
  config: BrokerConfig,
  name: string,
  totalCount: number,
  assignments?: readonly (readonly number[])[] | null,
  placement?: PlacementOptions,
): MetadataRecord[] {
  const topic = image.topicsByName.get(name);
  if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  const current = topic.partitions.size;
  if (totalCount < current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `The topic ${name} currently has ${current} partition(s); ${totalCount} would not be an increase.`);
  }
  if (totalCount === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  const added = totalCount - current;
  const replicationFactor = topic.partitions.get(0)?.replicas.length ?? 1;
  checkPartitionLimit(image, config, added, replicationFactor, `Adding ${added} partition(s) to ${name}`);
  let replicaLists: number[][];
  if (assignments && assignments.length > 0) {
    if (assignments.length !== added) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${added} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
      );
    }
    replicaLists = assignments.map((a) => checkReplicaList(image, a, replicationFactor));
  } else {
    replicaLists = assignReplicas(activeBrokerIds(image), added, replicationFactor, { ...placement, startPartitionId: current });
  }
  return replicaLists.map((replicas, i) =>
    partitionRecord(topic.topicId, { partition: current + i, replicas, leaderEpoch: 0, ...newPartitionLeadership(image, replicas) }),
  );
}

/** AlterConfigs on a topic: ConfigRecords taking its overrides to exactly `configs` (validated). */
export function replaceTopicConfigRecords(image: MetadataImage, name: string, configs: Record<string, string | null>): MetadataRecord[] {
  requireTopic(image, name);
  return topicConfigChanges(image, name, validateTopicConfigs(configs));
}

/** IncrementalAlterConfigs on a topic: SET / DELETE / APPEND / SUBTRACT, as ConfigRecords. */
export function incrementalAlterTopicConfigRecords(
  image: MetadataImage,
  config: BrokerConfig,
  name: string,
  ops: readonly AlterConfigOp[],
): MetadataRecord[] {
  requireTopic(image, name);
  const next: Record<string, string> = { ...resourceConfigs(image, ConfigResourceType.TOPIC, name) };
  const seen = new Set<string>();
  for (const op of ops) {
    if (seen.has(op.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys`);
    seen.add(op.name);
    const def = topicConfigDef(op.name);
    if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${op.name}`);
    switch (op.op) {
      case 'SET':
        if (op.value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${op.name}`);
        next[op.name] = validateConfigValue(def, op.value);
        break;
      case 'DELETE':
        delete next[op.name];
        break;
      case 'APPEND':
      case 'SUBTRACT': {
        if (def.type !== 'LIST') {
          throw new KafkaError(ErrorCode.INVALID_CONFIG, `Config value append is not allowed for config key: ${op.name}`);
        }
        const currentValue = next[op.name] ?? effectiveTopicConfig({}, config)[op.name] ?? '';
        const items = currentValue === '' ? [] : currentValue.split(',');
        const changes = (op.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        const result = op.op === 'APPEND' ? [...items, ...changes.filter((c) => !items.includes(c))] : items.filter((i) => !changes.includes(i));
        next[op.name] = validateConfigValue(def, result.join(','));
        break;
      }
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown operation type for ${op.name}`);
    }
  }
  return topicConfigChanges(image, name, next);
}

function requireTopic(image: MetadataImage, name: string): void {
  validateTopicName(name);
  if (!image.topicsByName.has(name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
}

/** ConfigRecords from the topic's current overrides to `next`: removals (null value) first, then sets, by name. */
function topicConfigChanges(image: MetadataImage, name: string, next: Readonly<Record<string, string>>): MetadataRecord[] {
  const current = resourceConfigs(image, ConfigResourceType.TOPIC, name);
  const out: MetadataRecord[] = [];
  for (const key of Object.keys(current).sort()) {
    if (!(key in next)) out.push(configRecord(ConfigResourceType.TOPIC, name, key, null));
  }
  for (const key of Object.keys(next).sort()) {
    if (current[key] !== next[key]) out.push(configRecord(ConfigResourceType.TOPIC, name, key, next[key]!));
  }
  return out;
}

/** Partition replicas in the image (every replica of every partition). */
export function replicasHosted(image: MetadataImage): number {
  let n = 0;
  for (const topic of image.topicsById.values()) for (const p of topic.partitions.values()) n += p.replicas.length;
  return n;
}

/**
 * max.broker.partitions, checked before any replica list is built: the replicas a
 * request adds, spread over the active brokers, must fit beside the ones they host.
 */
export function checkPartitionLimit(
  image: MetadataImage,
  config: Pick<BrokerConfig, 'maxBrokerPartitions'>,
  partitions: number,
  replicationFactor: number,
  what: string,
): void {
  const limit = config.maxBrokerPartitions;
  const hosted = replicasHosted(image);
  const adding = partitions * Math.max(1, replicationFactor);
  const active = activeBrokerIds(image);
  const brokers = Math.max(1, active.length);
  if (hosted + adding <= limit * brokers) return;
  const where = brokers === 1 ? `broker ${active[0] ?? 0}` : `${brokers} brokers`;
  throw new KafkaError(
    ErrorCode.INVALID_PARTITIONS,
    `${what} would give ${where} ${hosted + adding} partition replicas, more than max.broker.partitions=${limit} ` +
      `allows${brokers === 1 ? '' : ' per broker'} (${hosted} hosted now). Use fewer partitions, delete unused topics, ` +
      `or raise max.broker.partitions in server.properties.`,
  );
}

/** A manual replica list: non-empty, no repeats, the topic's replication factor, registered brokers only. */
function checkReplicaList(image: MetadataImage, brokerIds: readonly number[], replicationFactor: number): number[] {
  if (brokerIds.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Replica assignment must not be empty.');
  if (new Set(brokerIds).size !== brokerIds.length) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${brokerIds.join(', ')}.`);
  }
  if (brokerIds.length !== replicationFactor) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions should have the same number of replicas');
  }
  const known = new Set(activeBrokerIds(image));
  const unknown = brokerIds.filter((b) => !known.has(b));
  if (unknown.length > 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`);
  }
  return [...brokerIds];
}
