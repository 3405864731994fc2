/**
 * ClusterMetadata: the broker's view of the cluster — brokers, topics, partition
 * replicas / leader / ISR / leader epochs and topic config overrides — with the
 * admin operations that change it (create/delete topics, add partitions, alter
 * configs). It implements the broker layer's MetadataService.
 *
 * A single broker is a cluster of one: it is the controller, every partition's
 * only replica and leader. The model keeps brokers, replica lists and leader
 * epochs so multi-broker replication can be added later.
 *
 * Every change is persisted (metadata-store.ts) before it is acknowledged, and the
 * partition logs are created/removed through the storage LogManager. Mutations
 * are serialised: two CreateTopics for the same name from different connections
 * must not both succeed.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { BrokerConfig } from '../broker/config.js';
import { isKeySet } from '../broker/config-keys.js';
import type {
  AlterConfigOp,
  BrokerInfo,
  CreateTopicSpec,
  DescribedConfig,
  MetadataService,
  PartitionState,
  TopicState,
} from '../broker/services/metadata-service.js';
import { ConfigResourceType } from '../broker/services/metadata-service.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { LogConfig, PartitionLog } from '../storage/partition-log.js';
import { readMetaProperties, writeMetaProperties } from '../storage/log-manager.js';
import { writePartitionMetadata } from '../storage/partition-metadata.js';
import { describeBrokerConfigs } from './broker-configs.js';
import { randomUuid } from './ids.js';
import { readSnapshot, writeSnapshot } from './metadata-store.js';
import { assignReplicas } from './replica-placement.js';
import {
  describeTopicConfigs as describeTopicConfigEntries,
  effectiveTopicConfig,
  topicConfigDef,
  validateConfigValue,
  validateTopicConfigs,
} from './topic-config.js';
import { CONSUMER_OFFSETS_TOPIC, INTERNAL_TOPICS, TRANSACTION_STATE_TOPIC, validateTopicName } from './topic-name.js';

/** What ClusterMetadata needs from storage's LogManager (which satisfies it structurally). */
export interface PartitionLogStore {
  createLog(topic: string, partition: number, config: LogConfig): PartitionLog | Promise<PartitionLog>;
  /** storage's LogManager answers whether a log was there; the result is not used */
  deleteLog(topic: string, partition: number): unknown;
  getLog(topic: string, partition: number): PartitionLog | undefined;
  /** every open log (used at load to adopt or remove logs the metadata does not know) */
  allLogs?(): PartitionLog[];
}

export interface ClusterMetadataOptions {
  config: BrokerConfig;
  logs: PartitionLogStore;
  log?: (line: string) => void;
  /** writes meta.properties into a log dir; defaults to storage's writeMetaProperties */
  writeMetaProperties?: (logDir: string, props: { clusterId: string; nodeId: number }) => void;
}

/** Longest stretch a large CreateTopics/DeleteTopics spends on logs before letting other connections run. */
const LOG_WORK_SLICE_MS = 20;

/** Yields to the event loop (setImmediate: pending I/O runs first) once LOG_WORK_SLICE_MS have passed. */
function eventLoopSlice(): { maybeYield(): Promise<void> } {
  let start = Date.now();
  return {
    async maybeYield() {
      if (Date.now() - start < LOG_WORK_SLICE_MS) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      start = Date.now();
    },
  };
}

export class ClusterMetadata implements MetadataService {
  readonly config: BrokerConfig;
  private readonly logs: PartitionLogStore;
  private readonly logLine: (line: string) => void;
  private readonly writeMeta: NonNullable<ClusterMetadataOptions['writeMetaProperties']>;
  private readonly topicsByName = new Map<string, TopicState>();
  private readonly topicsById = new Map<string, TopicState>();
  private brokerList: BrokerInfo[] = [];
  private currentClusterId = '';
  private loaded = false;
  /** tail of the mutation queue: each change runs after the previous one settled */
  private mutationTail: Promise<unknown> = Promise.resolve();

  constructor(options: ClusterMetadataOptions) {
    this.config = options.config;
    this.logs = options.logs;
    this.logLine = options.log ?? (() => {});
    this.writeMeta = options.writeMetaProperties ?? writeMetaProperties;
  }

  get clusterId(): string {
    return this.currentClusterId;
  }

  get brokerId(): number {
    return this.config.brokerId;
  }

  /** In a cluster of one this broker is the controller. */
  get controllerId(): number {
    return this.config.brokerId;
  }

  private get metadataDir(): string {
    const dir = this.config.logDirs[0];
    if (dir === undefined) throw new Error('log.dirs is empty');
    return dir;
  }

  /**
   * Loads the snapshot and opens (or re-configures) the log of every partition
   * this broker hosts. Without a snapshot a new cluster starts: the cluster id is
   * taken from meta.properties when a previous run left one, and partition logs
   * already on disk are adopted as topics rather than lost. With a snapshot, logs
   * of topics it does not know (a deletion interrupted by a crash) are removed.
   */
  async load(): Promise<void> {
    const snapshot = readSnapshot(this.metadataDir);
    this.topicsByName.clear();
    this.topicsById.clear();
    this.brokerList = [this.selfBroker()];
    const onDisk = this.logs.allLogs?.() ?? [];
    if (snapshot) {
      this.currentClusterId = snapshot.clusterId;
      for (const topic of snapshot.topics) {
        this.reconcileLeadership(topic);
        this.index(topic);
      }
      for (const log of onDisk) {
        if (!this.topicsByName.has(log.topic)) {
          this.logLine(`Removing log ${log.topic}-${log.partition}: its topic no longer exists`);
          await this.logs.deleteLog(log.topic, log.partition);
        }
      }
    } else {
      const previousId = this.config.logDirs.map((d) => readMetaProperties(d)?.clusterId).find((id) => id);
      this.currentClusterId = previousId || randomUuid();
      this.adoptLogs(onDisk);
      this.persist();
    }
    for (const dir of this.config.logDirs) {
      this.writeMeta(dir, { clusterId: this.currentClusterId, nodeId: this.config.brokerId });
    }
    for (const topic of this.topicsByName.values()) {
      const logConfig = this.logConfigFor(topic.name);
      for (const p of topic.partitions) {
        if (!p.replicas.includes(this.brokerId)) continue;
        const existing = this.logs.getLog(topic.name, p.partition);
        // logs opened before the metadata was known carry broker defaults, not the topic's overrides
        if (existing) existing.updateConfig(logConfig);
        const log = existing ?? (await this.logs.createLog(topic.name, p.partition, logConfig));
        this.recordTopicId(log, topic.topicId);
      }
    }
    this.loaded = true;
    this.logLine(`Loaded cluster metadata: cluster id ${this.currentClusterId}, ${this.topicsByName.size} topics`);
  }

  /** Builds topics for partition logs found on disk without metadata (a lost or pre-existing snapshot). */
  private adoptLogs(onDisk: readonly PartitionLog[]): void {
    const partitionsByTopic = new Map<string, number>();
    for (const log of onDisk) {
      partitionsByTopic.set(log.topic, Math.max(partitionsByTopic.get(log.topic) ?? 0, log.partition + 1));
    }
    for (const [name, count] of partitionsByTopic) {
      const replicaLists = Array.from({ length: count }, () => [this.brokerId]);
      const isInternal = INTERNAL_TOPICS.has(name);
      const configs: Record<string, string> = isInternal ? { 'cleanup.policy': 'compact' } : {};
      this.index({ name, topicId: this.freshTopicId(), internal: isInternal, partitions: this.partitionStates(replicaLists, 0), configs });
      this.logLine(`Adopted topic ${name} with ${count} partitions from the log dirs`);
    }
  }

  // ---- reads -------------------------------------------------------------

  brokers(): BrokerInfo[] {
    return this.brokerList.map((b) => ({ ...b }));
  }

  topics(): TopicState[] {
    return [...this.topicsByName.values()];
  }

  topic(name: string): TopicState | undefined {
    return this.topicsByName.get(name);
  }

  topicById(topicId: string): TopicState | undefined {
    return this.topicsById.get(topicId);
  }

  getPartition(topic: string, partition: number): { state: PartitionState; log: PartitionLog } | undefined {
    const state = this.topicsByName.get(topic)?.partitions[partition];
    if (!state) return undefined;
    const log = this.logs.getLog(topic, partition);
    return log ? { state, log } : undefined;
  }

  logConfigFor(topic: string): LogConfig {
    const overrides = this.topicsByName.get(topic)?.configs ?? {};
    return toLogConfig(effectiveTopicConfig(overrides, this.config));
  }

  describeConfigs(resourceType: number, resourceName: string, names?: readonly string[] | null): DescribedConfig[] {
    if (resourceType === ConfigResourceType.TOPIC) {
      validateTopicName(resourceName);
      const topic = this.topicsByName.get(resourceName);
      if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
      return describeTopicConfigEntries(topic.configs, this.config, names);
    }
    if (resourceType === ConfigResourceType.BROKER) {
      this.checkBrokerResource(resourceName);
      // the empty name is the cluster-wide dynamic default entity, which we never have
      if (resourceName === '') return [];
      return describeBrokerConfigs(this.config, names);
    }
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`);
  }

  describeTopicConfigs(topic: TopicState): DescribedConfig[] {
    return describeTopicConfigEntries(topic.configs, this.config);
  }

  // ---- mutations ---------------------------------------------------------

  createTopic(name: string, spec: CreateTopicSpec, validateOnly = false): Promise<TopicState> {
    return this.mutate(() => this.doCreateTopic(name, spec, validateOnly, false));
  }

  autoCreateTopic(name: string): Promise<TopicState> {
    return this.mutate(async () => {
      const existing = this.topicsByName.get(name);
      if (existing) return existing;
      if (INTERNAL_TOPICS.has(name)) return this.doEnsureInternal(name);
      if (!this.config.autoCreateTopicsEnable) {
        throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist and auto.create.topics.enable is false.`);
      }
      const topic = await this.doCreateTopic(name, { numPartitions: -1, replicationFactor: -1 }, false, false);
      this.logLine(`Auto-created topic ${name} with ${topic.partitions.length} partitions`);
      return topic;
    });
  }

  ensureInternalTopic(name: string): Promise<TopicState> {
    return this.mutate(() => this.doEnsureInternal(name));
  }

  deleteTopic(name: string): Promise<TopicState> {
    return this.mutate(async () => {
      if (!this.config.deleteTopicEnable) {
        throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
      }
      const topic = this.topicsByName.get(name);
      if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
      if (topic.internal) {
        throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot delete internal topic ${name}.`);
      }
      this.topicsByName.delete(name);
      this.topicsById.delete(topic.topicId);
      // Persist first: a crash after this point must not resurrect the topic; leftover
      // partition directories of an unknown topic are harmless and removed below.
      this.persist();
      const slice = eventLoopSlice();
      for (const p of topic.partitions) {
        if (this.logs.getLog(name, p.partition)) await this.logs.deleteLog(name, p.partition);
        await slice.maybeYield();
      }
      this.logLine(`Deleted topic ${name}`);
      return topic;
    });
  }

  createPartitions(
    name: string,
    totalCount: number,
    assignments?: number[][] | null,
    validateOnly = false,
  ): Promise<TopicState> {
    return this.mutate(async () => {
      const topic = this.topicsByName.get(name);
      if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
      const current = topic.partitions.length;
      if (totalCount < current) {
        throw new KafkaError(
          ErrorCode.INVALID_PARTITIONS,
          `The topic ${name} currently has ${current} partition(s); ${totalCount} would not be an increase.`,
        );
      }
      if (totalCount === current) {
        throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
      }
      const added = totalCount - current;
      const replicationFactor = topic.partitions[0]?.replicas.length ?? 1;
      this.checkPartitionLimit(added, replicationFactor, `Adding ${added} partition(s) to ${name}`);
      let replicaLists: number[][];
      if (assignments && assignments.length > 0) {
        if (assignments.length !== added) {
          throw new KafkaError(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `Attempted to add ${added} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
          );
        }
        replicaLists = assignments.map((a) => this.checkReplicaList(a, replicationFactor));
      } else {
        replicaLists = assignReplicas(this.brokerIds(), added, replicationFactor, { startPartitionId: current });
      }
      if (validateOnly) return { ...topic, partitions: [...topic.partitions, ...this.partitionStates(replicaLists, current)] };
      const newPartitions = this.partitionStates(replicaLists, current);
      // logs first, all or nothing; the metadata names the partitions only once they exist
      await this.createLogsAllOrNothing(topic, newPartitions);
      topic.partitions.push(...newPartitions);
      try {
        this.persist();
      } catch (err) {
        topic.partitions.splice(current);
        await this.removeLogs(topic.name, newPartitions);
        throw err;
      }
      this.logLine(`Increased partitions of ${name} from ${current} to ${totalCount}`);
      return topic;
    });
  }

  replaceConfigs(
    resourceType: number,
    resourceName: string,
    configs: Record<string, string | null>,
    validateOnly = false,
  ): Promise<void> {
    return this.mutate(async () => {
      if (resourceType === ConfigResourceType.BROKER) {
        this.checkBrokerResource(resourceName);
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Dynamic broker configs are not supported by this broker.');
      }
      const topic = this.requireTopicResource(resourceType, resourceName);
      const validated = validateTopicConfigs(configs);
      if (validateOnly) return;
      this.applyTopicConfigs(topic, validated);
    });
  }

  incrementalAlterConfigs(
    resourceType: number,
    resourceName: string,
    ops: readonly AlterConfigOp[],
    validateOnly = false,
  ): Promise<void> {
    return this.mutate(async () => {
      if (resourceType === ConfigResourceType.BROKER) {
        this.checkBrokerResource(resourceName);
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Dynamic broker configs are not supported by this broker.');
      }
      const topic = this.requireTopicResource(resourceType, resourceName);
      const next: Record<string, string> = { ...topic.configs };
      const seen = new Set<string>();
      for (const op of ops) {
        if (seen.has(op.name)) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys`);
        }
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
            const currentValue = next[op.name] ?? effectiveTopicConfig({}, this.config)[op.name] ?? '';
            const items = currentValue === '' ? [] : currentValue.split(',');
            const changes = (op.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
            const result =
              op.op === 'APPEND'
                ? [...items, ...changes.filter((c) => !items.includes(c))]
                : items.filter((i) => !changes.includes(i));
            next[op.name] = validateConfigValue(def, result.join(','));
            break;
          }
          default:
            throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown operation type for ${op.name}`);
        }
      }
      if (validateOnly) return;
      this.applyTopicConfigs(topic, next);
    });
  }

  // ---- internals ---------------------------------------------------------

  private mutate<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutationTail.then(() => {
      if (!this.loaded) throw new Error('ClusterMetadata.load() has not completed');
      return fn();
    });
    this.mutationTail = run.catch(() => undefined);
    return run;
  }

  private async doCreateTopic(
    name: string,
    spec: CreateTopicSpec,
    validateOnly: boolean,
    internal: boolean,
  ): Promise<TopicState> {
    validateTopicName(name);
    if (this.topicsByName.has(name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    }
    const configs = validateTopicConfigs(spec.configs ?? {});
    let replicaLists: number[][];
    if (spec.assignments && spec.assignments.length > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
        );
      }
      if (!internal) {
        this.checkPartitionLimit(spec.assignments.length, spec.assignments[0]!.brokerIds.length, `Creating topic ${name} with ${spec.assignments.length} partition(s)`);
      }
      const sorted = [...spec.assignments].sort((a, b) => a.partition - b.partition);
      sorted.forEach((a, i) => {
        if (a.partition !== i) {
          throw new KafkaError(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            'Partitions should be a consecutive 0-based integer sequence',
          );
        }
      });
      const rf = sorted[0]!.brokerIds.length;
      replicaLists = sorted.map((a) => this.checkReplicaList(a.brokerIds, rf));
    } else {
      const numPartitions = spec.numPartitions === -1 ? this.config.numPartitions : spec.numPartitions;
      const replicationFactor = spec.replicationFactor === -1 ? this.config.defaultReplicationFactor : spec.replicationFactor;
      if (numPartitions <= 0) {
        throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      }
      if (replicationFactor <= 0) {
        throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
      }
      // Before anything is allocated: a forged num_partitions (2^28) must not cost memory or time.
      // Internal topics are exempt (they count, though): without them groups and transactions stop.
      if (!internal) {
        this.checkPartitionLimit(numPartitions, replicationFactor, `Creating topic ${name} with ${numPartitions} partition(s)`);
      }
      replicaLists = assignReplicas(this.brokerIds(), numPartitions, replicationFactor);
    }
    const topic: TopicState = {
      name,
      topicId: this.freshTopicId(),
      internal: internal || INTERNAL_TOPICS.has(name),
      partitions: this.partitionStates(replicaLists, 0),
      configs,
    };
    if (validateOnly) return topic;
    // All or nothing: the partition logs are created first, and the topic is listed (and
    // persisted) only once every one exists; a failure removes the ones already made. A crash
    // in between leaves directories of an unknown topic, which load() removes.
    await this.createLogsAllOrNothing(topic, topic.partitions);
    this.index(topic);
    try {
      this.persist();
    } catch (err) {
      this.topicsByName.delete(name);
      this.topicsById.delete(topic.topicId);
      await this.removeLogs(name, topic.partitions);
      throw err;
    }
    this.logLine(`Created topic ${name} (id ${topic.topicId}) with ${topic.partitions.length} partitions`);
    return topic;
  }

  private async doEnsureInternal(name: string): Promise<TopicState> {
    const existing = this.topicsByName.get(name);
    if (existing) return existing;
    if (name === CONSUMER_OFFSETS_TOPIC) {
      return this.doCreateTopic(
        name,
        {
          numPartitions: this.config.offsetsTopicNumPartitions,
          replicationFactor: this.config.offsetsTopicReplicationFactor,
          configs: {
            'cleanup.policy': 'compact',
            'compression.type': 'producer',
            'segment.bytes': String(this.config.offsetsTopicSegmentBytes),
          },
        },
        false,
        true,
      );
    }
    if (name === TRANSACTION_STATE_TOPIC) {
      return this.doCreateTopic(
        name,
        {
          numPartitions: this.config.transactionStateLogNumPartitions,
          // Kafka's default is 3, which a smaller cluster can never satisfy (transactions would
          // hang with COORDINATOR_NOT_AVAILABLE); without an explicit setting use min(3, brokers).
          replicationFactor: isKeySet(this.config, 'transaction.state.log.replication.factor')
            ? this.config.transactionStateLogReplicationFactor
            : Math.min(this.config.transactionStateLogReplicationFactor, this.brokerList.length),
          configs: {
            'cleanup.policy': 'compact',
            'compression.type': 'uncompressed',
            'min.insync.replicas': String(this.config.transactionStateLogMinIsr),
            'segment.bytes': String(this.config.transactionStateLogSegmentBytes),
          },
        },
        false,
        true,
      );
    }
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `${name} is not an internal topic`);
  }

  private applyTopicConfigs(topic: TopicState, configs: Record<string, string>): void {
    topic.configs = configs;
    this.persist();
    const logConfig = this.logConfigFor(topic.name);
    for (const p of topic.partitions) this.logs.getLog(topic.name, p.partition)?.updateConfig(logConfig);
    this.logLine(`Updated configs of topic ${topic.name}`);
  }

  private requireTopicResource(resourceType: number, resourceName: string): TopicState {
    if (resourceType !== ConfigResourceType.TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`);
    }
    validateTopicName(resourceName);
    const topic = this.topicsByName.get(resourceName);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
    return topic;
  }

  private checkBrokerResource(resourceName: string): void {
    if (resourceName === '') return;
    if (!/^-?\d+$/.test(resourceName)) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${resourceName}`);
    }
    if (Number(resourceName) !== this.brokerId) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        `Unexpected broker id, expected ${this.brokerId} or empty string, but received ${resourceName}`,
      );
    }
  }

  private checkReplicaList(brokerIds: readonly number[], replicationFactor: number): number[] {
    if (brokerIds.length === 0) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Replica assignment must not be empty.');
    }
    if (new Set(brokerIds).size !== brokerIds.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${brokerIds.join(', ')}.`);
    }
    if (brokerIds.length !== replicationFactor) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions should have the same number of replicas');
    }
    const known = new Set(this.brokerIds());
    const unknown = brokerIds.filter((b) => !known.has(b));
    if (unknown.length > 0) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`,
      );
    }
    return [...brokerIds];
  }

  private partitionStates(replicaLists: number[][], firstPartition: number): PartitionState[] {
    const alive = new Set(this.brokerIds());
    return replicaLists.map((replicas, i) => {
      const isr = replicas.filter((b) => alive.has(b));
      return {
        partition: firstPartition + i,
        // preferred leader: the first live replica
        leader: isr[0] ?? -1,
        leaderEpoch: 0,
        replicas,
        isr,
        offlineReplicas: replicas.filter((b) => !alive.has(b)),
      };
    });
  }

  /**
   * After a restart the live brokers may differ from the ones recorded (another
   * broker.id, or, later, brokers that are down): drop dead replicas from the ISR
   * and move leadership to a live in-sync replica, bumping the leader epoch when
   * the leader changes so fenced clients refresh their metadata.
   */
  private reconcileLeadership(topic: TopicState): void {
    const alive = new Set(this.brokerIds());
    for (const p of topic.partitions) {
      p.offlineReplicas = p.replicas.filter((b) => !alive.has(b));
      const liveIsr = p.isr.filter((b) => alive.has(b));
      p.isr = liveIsr;
      if (!alive.has(p.leader) || !liveIsr.includes(p.leader)) {
        const next = p.replicas.find((b) => liveIsr.includes(b)) ?? -1;
        if (next !== p.leader) {
          p.leader = next;
          p.leaderEpoch += 1;
        }
      }
    }
  }

  /**
   * max.broker.partitions, checked before any replica list is built: the replicas this
   * request adds, spread over the live brokers, must fit beside the ones they host.
   */
  private checkPartitionLimit(partitions: number, replicationFactor: number, what: string): void {
    const limit = this.config.maxBrokerPartitions;
    const hosted = this.replicasHosted();
    const adding = partitions * Math.max(1, replicationFactor);
    const brokers = Math.max(1, this.brokerList.length);
    if (hosted + adding <= limit * brokers) return;
    const where = brokers === 1 ? `broker ${this.brokerId}` : `${brokers} brokers`;
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `${what} would give ${where} ${hosted + adding} partition replicas, more than max.broker.partitions=${limit} ` +
        `allows${brokers === 1 ? '' : ' per broker'} (${hosted} hosted now). Use fewer partitions, delete unused topics, ` +
        `or raise max.broker.partitions in server.properties.`,
    );
  }

  private replicasHosted(): number {
    let n = 0;
    for (const topic of this.topicsByName.values()) for (const p of topic.partitions) n += p.replicas.length;
    return n;
  }

  /**
   * Creates the logs this broker hosts for `partitions`, or none: on the first failure
   * (EMFILE, ENOSPC, EACCES…) the logs already made are removed and KAFKA_STORAGE_ERROR
   * says why. Yields to the event loop every LOG_WORK_SLICE_MS so a large creation does
   * not stall the other connections.
   */
  private async createLogsAllOrNothing(topic: TopicState, partitions: readonly PartitionState[]): Promise<void> {
    // from the topic itself: it is not indexed yet, so logConfigFor would miss its overrides
    const logConfig = toLogConfig(effectiveTopicConfig(topic.configs, this.config));
    const created: PartitionState[] = [];
    const slice = eventLoopSlice();
    try {
      for (const p of partitions) {
        if (!p.replicas.includes(this.brokerId)) continue;
        if (this.logs.getLog(topic.name, p.partition)) {
          throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `A log for ${topic.name}-${p.partition} already exists on this broker.`);
        }
        const log = await this.logs.createLog(topic.name, p.partition, logConfig);
        created.push(p);
        // not fsynced: the snapshot written after this loop is the record, and load() rewrites the file
        this.recordTopicId(log, topic.topicId, false);
        await slice.maybeYield();
      }
    } catch (err) {
      await this.removeLogs(topic.name, created);
      if (err instanceof KafkaError) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      this.logLine(`Creating the logs of ${topic.name} failed after ${created.length} partition(s), removed them: ${reason}`);
      throw new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `Could not create partition ${created.length} of ${topic.name} in the log dirs (${reason}); nothing was created.`,
      );
    }
  }

  /** Removes logs of partitions that never became part of the metadata (a failed creation). */
  private async removeLogs(topic: string, partitions: readonly PartitionState[]): Promise<void> {
    for (const p of partitions) {
      try {
        if (this.logs.getLog(topic, p.partition)) await this.logs.deleteLog(topic, p.partition);
      } catch (err) {
        this.logLine(`Could not remove the log of ${topic}-${p.partition} after a failed creation: ${(err as Error).message}`);
      }
    }
  }

  /** partition.metadata in the partition dir (KIP-516); skipped for logs with no directory (test doubles). */
  private recordTopicId(log: PartitionLog, topicId: string, durable = true): void {
    if (typeof log.dir === 'string' && existsSync(log.dir)) writePartitionMetadata(log.dir, topicId, { durable });
  }

  private freshTopicId(): string {
    for (;;) {
      const id = randomUuid();
      if (!this.topicsById.has(id)) return id;
    }
  }

  private index(topic: TopicState): void {
    this.topicsByName.set(topic.name, topic);
    this.topicsById.set(topic.topicId, topic);
  }

  private brokerIds(): number[] {
    return this.brokerList.map((b) => b.nodeId);
  }

  private selfBroker(): BrokerInfo {
    const endpoint = this.config.advertisedListeners[0] ?? this.config.listeners[0];
    const host = endpoint && endpoint.host !== '' && endpoint.host !== '0.0.0.0' ? endpoint.host : os.hostname();
    return { nodeId: this.config.brokerId, host, port: endpoint?.port ?? 9092, rack: this.config.brokerRack };
  }

  private persist(): void {
    writeSnapshot(this.metadataDir, {
      clusterId: this.currentClusterId,
      brokers: this.brokerList,
      topics: [...this.topicsByName.values()],
    });
  }
}

/**
 * Effective topic config (string values, every key present) → storage's LogConfig.
 * Long.MAX_VALUE ("never") does not fit a double exactly, so it becomes
 * Number.MAX_SAFE_INTEGER.
 */
export function toLogConfig(effective: Record<string, string | null>): LogConfig {
  const num = (key: string): number => {
    const n = Number(effective[key] ?? NaN);
    if (!Number.isFinite(n)) throw new Error(`topic config ${key} has no numeric value`);
    return Math.min(n, Number.MAX_SAFE_INTEGER);
  };
  const optionalNum = (key: string): number => (effective[key] == null ? Number.MAX_SAFE_INTEGER : num(key));
  const timestampBound = (key: string): number => {
    const own = optionalNum(key);
    return own < Number.MAX_SAFE_INTEGER ? own : optionalNum('message.timestamp.difference.max.ms');
  };
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    indexIntervalBytes: num('index.interval.bytes'),
    maxIndexSizeBytes: num('segment.index.bytes'),
    flushIntervalMessages: num('flush.messages'),
    flushIntervalMs: num('flush.ms'),
    cleanupPolicy: (effective['cleanup.policy'] ?? 'delete') as LogConfig['cleanupPolicy'],
    deleteRetentionMs: num('delete.retention.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    segmentJitterMs: num('segment.jitter.ms'),
    messageTimestampType: (effective['message.timestamp.type'] ?? 'CreateTime') as LogConfig['messageTimestampType'],
    // Kafka 3.6+: the deprecated difference.max.ms applies to a side left at its default
    messageTimestampBeforeMaxMs: timestampBound('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: timestampBound('message.timestamp.after.max.ms'),
    maxMessageBytes: num('max.message.bytes'),
  };
}
