/**
 * ClusterMetadata: the broker's view of the cluster — brokers, topics, partition
 * replicas / leader / ISR / leader epochs and topic config overrides — with the
 * admin operations that change it (create/delete topics, add partitions, alter
 * configs, elect leaders, reassign). It implements the broker layer's MetadataService.
 *
 * The metadata quorum (src/metadata MetadataQuorum: `__cluster_metadata-0` as in
 * KRaft) is the one source of truth: the TopicState/BrokerInfo views handlers read
 * follow its committed image. Every operation asks the controller (./controller) for
 * the records it means: on the node that leads the quorum they are appended through
 * the local QuorumController (or, for a single broker, straight to its LocalQuorum);
 * elsewhere the request is forwarded to the active controller (ControllerForwarder)
 * and the answer waited for in the local image. A single broker is a cluster of one:
 * it is the controller, every partition's only replica and leader. Partition logs are
 * created/removed through storage's LogManager around the records on the controller's
 * node, and by the BrokerMetadataPublisher on the others. Mutations are serialised:
 * two CreateTopics for the same name from different connections must not both succeed.
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
  ElectionResult,
  MetadataService,
  PartitionRef,
  PartitionState,
  TopicState,
} from '../broker/services/metadata-service.js';
import { ConfigResourceType } from '../broker/services/metadata-service.js';
import {
  applyRecords,
  brokerInfos,
  configResourceKey,
  LocalQuorum,
  topicRecords,
  topicState,
  ConfigResourceType as ImageConfigResourceType,
  type MetadataImage,
  type MetadataQuorum,
  type MetadataRecord,
} from '../metadata/index.js';
import type { QuorumController } from './controller/quorum-controller.js';
import type { PlacementOptions } from './controller/replica-placement.js';
import type { ControllerForwarder } from './controller-forwarder.js';
import type { SecurityImage } from '../metadata/security-image.js';
import type { BrokerEndpoint } from '../metadata/image.js';
import { listenerSecurityProtocol, SECURITY_PROTOCOL_ID } from '../broker/security/listeners.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { LogConfig, PartitionLog } from '../storage/partition-log.js';
import { readMetaProperties, writeMetaProperties } from '../storage/log-manager.js';
import { writePartitionMetadata } from '../storage/partition-metadata.js';
import { describeBrokerConfigs } from './broker-configs.js';
import {
  brokerStartupRecords,
  createPartitionsRecords,
  createTopicRecords,
  deleteTopicRecords,
  allocateProducerIds,
  electLeaders,
  incrementalAlterTopicConfigRecords,
  producerIdFloorRecords,
  reassignPartition,
  replaceTopicConfigRecords,
} from './controller/index.js';
import { randomUuid } from './ids.js';
import { legacyMetadataRecords, readLegacyMetadata, retireLegacyMetadata } from './legacy-metadata-file.js';
import { toLogConfig } from './log-config.js';
import { describeTopicConfigs as describeTopicConfigEntries, effectiveTopicConfig } from './topic-config.js';
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

/** metadata.log.* settings (Kafka's KRaft keys). */
export interface MetadataLogSettings {
  /** metadata.log.dir; the first of log.dirs when unset */
  dir?: string | null;
  /** metadata.log.max.record.bytes.between.snapshots */
  maxBytesBetweenSnapshots?: number;
  /** metadata.log.max.snapshot.interval.ms */
  maxSnapshotIntervalMs?: number;
  /** metadata.log.segment.bytes */
  segmentBytes?: number;
}

export interface ClusterMetadataOptions {
  config: BrokerConfig;
  logs: PartitionLogStore;
  log?: (line: string) => void;
  /** writes meta.properties into a log dir; defaults to storage's writeMetaProperties */
  writeMetaProperties?: (logDir: string, props: { clusterId: string; nodeId: number }) => void;
  /** overrides of the config's metadata.log.* settings */
  metadataLog?: MetadataLogSettings;
  /**
   * The quorum of a cluster node (RaftQuorum, or a LocalQuorum the composition opened).
   * Absent: load() opens a LocalQuorum and runs as a single broker with its embedded
   * controller (registers itself, fences every other broker), as before the cluster.
   */
  quorum?: MetadataQuorum;
  /** the cluster id of a cluster node (meta.properties, or learned from the quorum) */
  clusterId?: () => string;
  /** the controller on this node, when it has the controller role */
  controller?: QuorumController;
  /** forwards admin operations to the active controller when it is another node */
  forwarder?: ControllerForwarder;
  /** a KRaft cluster's controller: Kafka's KRaft texts where they differ from ZooKeeper mode's */
  kraftMessages?: boolean;
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
  private readonly metadataLogSettings: MetadataLogSettings;
  private quorum: MetadataQuorum | null = null;
  /** true when this ClusterMetadata opened its own LocalQuorum (single broker) */
  private readonly embedded: boolean;
  private readonly controller: QuorumController | undefined;
  private readonly forwarder: ControllerForwarder | undefined;
  private readonly clusterIdSource: (() => string) | undefined;
  private readonly placement: PlacementOptions | undefined;
  /** called after the views follow each committed batch */
  private readonly batchListeners: ((image: MetadataImage, previous: MetadataImage) => void)[] = [];
  /** the image the views below were built from */
  private image: MetadataImage | null = null;
  private topicsByName = new Map<string, TopicState>();
  private topicsById = new Map<string, TopicState>();
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
    this.embedded = options.quorum === undefined;
    this.quorum = options.quorum ?? null;
    this.controller = options.controller;
    this.forwarder = options.forwarder;
    this.clusterIdSource = options.clusterId;
    this.placement = options.kraftMessages ? { messages: 'kraft' } : undefined;
    this.metadataLogSettings = {
      dir: this.config.metadataLogDir,
      maxBytesBetweenSnapshots: this.config.metadataLogMaxRecordBytesBetweenSnapshots,
      maxSnapshotIntervalMs: this.config.metadataLogMaxSnapshotIntervalMs,
      segmentBytes: this.config.metadataLogSegmentBytes,
      ...options.metadataLog,
    };
  }

  get clusterId(): string {
    return this.clusterIdSource?.() ?? this.currentClusterId;
  }

  get brokerId(): number {
    return this.config.brokerId;
  }

  /**
   * The controller id Metadata and DescribeCluster report. In a cluster of one this
   * broker is the controller. KRaft brokers report a live broker instead of the
   * controller (clients send admin requests there, and it forwards them); Kafka picks
   * one at random, we pick this broker when it is live, else the lowest live id, so
   * consecutive answers agree.
   */
  get controllerId(): number {
    if (this.embedded || this.image === null) return this.config.brokerId;
    const live = [...this.image.brokers.values()].filter((b) => !b.fenced).map((b) => b.id).sort((a, b) => a - b);
    if (live.includes(this.config.brokerId)) return this.config.brokerId;
    return live[0] ?? this.config.brokerId;
  }

  /** Runs `listener` after the views have followed each committed batch (BrokerMetadataPublisher). */
  onCommittedBatch(listener: (image: MetadataImage, previous: MetadataImage) => void): void {
    this.batchListeners.push(listener);
  }

  /** The single broker's own LocalQuorum (once loaded), for its DescribeQuorum answers; undefined on a cluster node. */
  embeddedQuorum(): LocalQuorum | undefined {
    return this.embedded && this.quorum instanceof LocalQuorum ? this.quorum : undefined;
  }

  /** true when metadata changes are decided on this node (it leads the quorum, or it is a single broker) */
  private get decidesLocally(): boolean {
    if (this.embedded) return true;
    return this.controller !== undefined && this.controller.isActive();
  }

  private get firstLogDir(): string {
    const dir = this.config.logDirs[0];
    if (dir === undefined) throw new Error('log.dirs is empty');
    return dir;
  }

  /** metadata.log.dir, or the first log dir as in Kafka */
  get metadataLogDir(): string {
    return this.metadataLogSettings.dir || this.firstLogDir;
  }

  /** The metadata image the views are built from (read-only; changes only by appending records). */
  metadataImage(): MetadataImage {
    if (this.image === null) throw new Error('ClusterMetadata.load() has not completed');
    return this.image;
  }

  /**
   * Opens the metadata log and rebuilds the image from its snapshot and records, then
   * opens (or re-configures) the log of every partition this broker hosts. The cluster
   * id is the one a previous run recorded (an old `__cluster_metadata.json`, then
   * meta.properties) or a new one. An empty metadata log is filled once: from an old
   * `__cluster_metadata.json` (imported, then renamed aside), else from the partition
   * logs found on disk (adopted as topics rather than lost). Logs of topics the
   * metadata does not know (a deletion or creation interrupted by a crash) are removed.
   * Then this broker registers, fencing the brokers it cannot hear from.
   */
  async load(): Promise<void> {
    if (!this.embedded) return this.loadClusterNode();
    const legacy = readLegacyMetadata(this.firstLogDir);
    const previousId = [...this.config.logDirs, this.metadataLogDir].map((d) => readMetaProperties(d)?.clusterId).find((id) => id);
    this.currentClusterId = legacy?.clusterId || previousId || randomUuid();
    for (const dir of new Set([...this.config.logDirs, this.metadataLogDir])) {
      this.writeMeta(dir, { clusterId: this.currentClusterId, nodeId: this.config.brokerId });
    }
    if (this.quorum !== null) await this.quorum.close();
    const quorum = LocalQuorum.open({
      logDir: this.metadataLogDir,
      nodeId: this.config.brokerId,
      clusterId: this.currentClusterId,
      maxBytesBetweenSnapshots: this.metadataLogSettings.maxBytesBetweenSnapshots,
      maxSnapshotIntervalMs: this.metadataLogSettings.maxSnapshotIntervalMs,
      segmentBytes: this.metadataLogSettings.segmentBytes,
      logger: this.logLine,
    });
    this.quorum = quorum;
    this.image = null;
    this.follow(quorum.image());
    quorum.addListener({ onCommit: (batch) => this.followBatch(batch.image, batch.previous) });

    const before = quorum.image();
    const known = before.topicsByName.size > 0 || before.brokers.size > 0;
    const onDisk = this.logs.allLogs?.() ?? [];
    const endOffset = quorum.metadataLog.endOffset;
    let initial: MetadataRecord[] = [];
    if (!known && legacy !== undefined) initial = legacyMetadataRecords(legacy, endOffset);
    else if (!known) initial = this.adoptedLogRecords(onDisk);
    const self = this.selfBroker();
    const startup = brokerStartupRecords(applyRecords(before, initial), {
      self,
      listenerName: (this.config.advertisedListeners[0] ?? this.config.listeners[0])?.name,
      endpoints: this.advertisedEndpoints(),
      nextOffset: endOffset + initial.length,
      fenceOthers: true,
    });
    const records = [...initial, ...startup];
    if (records.length > 0) await quorum.append(records);
    if (legacy !== undefined) {
      const aside = retireLegacyMetadata(this.firstLogDir);
      if (!known) this.logLine(`Imported ${legacy.topics.length} topics from the old metadata file into ${quorum.metadataLog.dir}; kept it as ${aside}`);
    }

    if (known || legacy !== undefined) {
      for (const log of onDisk) {
        if (!this.topicsByName.has(log.topic)) {
          this.logLine(`Removing log ${log.topic}-${log.partition}: its topic no longer exists`);
          await this.logs.deleteLog(log.topic, log.partition);
        }
      }
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

  /**
   * A node of a cluster: the views follow the quorum it was given (the image so far
   * first, then every committed batch). Registration is the BrokerLifecycleManager's
   * business and local logs the BrokerMetadataPublisher's.
   */
  private async loadClusterNode(): Promise<void> {
    const quorum = this.quorum!;
    this.currentClusterId = this.clusterIdSource?.() ?? quorum.image().clusterId;
    this.image = null;
    this.follow(quorum.image());
    quorum.addListener({ onCommit: (batch) => this.followBatch(batch.image, batch.previous) });
    this.loaded = true;
    this.logLine(`Following cluster metadata: cluster id ${this.clusterId}, ${this.topicsByName.size} topics so far`);
  }

  /** Waits until the local image satisfies `ready` (a change forwarded to the controller arriving here), at most `timeoutMs`. */
  async waitForImage(ready: (image: MetadataImage) => boolean, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.image !== null && ready(this.image))) {
      if (Date.now() >= deadline) return false;
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  private followBatch(image: MetadataImage, previous: MetadataImage): void {
    this.follow(image);
    for (const listener of this.batchListeners) {
      try {
        listener(image, previous);
      } catch (err) {
        this.logLine(`ERROR Applying metadata batch at offset ${image.provenance.lastContainedOffset} failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  /** Closes the quorum this ClusterMetadata opened (a single broker's); a cluster node's quorum is closed by its owner. */
  close(): void {
    if (this.embedded) void this.quorum?.close();
    if (this.embedded) this.quorum = null;
    this.loaded = false;
  }

  /** Topics for partition logs found on disk without metadata (a lost metadata log). */
  private adoptedLogRecords(onDisk: readonly PartitionLog[]): MetadataRecord[] {
    const partitionsByTopic = new Map<string, number>();
    for (const log of onDisk) {
      partitionsByTopic.set(log.topic, Math.max(partitionsByTopic.get(log.topic) ?? 0, log.partition + 1));
    }
    const out: MetadataRecord[] = [];
    const taken = new Set<string>();
    for (const [name, count] of partitionsByTopic) {
      let topicId = randomUuid();
      while (taken.has(topicId)) topicId = randomUuid();
      taken.add(topicId);
      const self = this.brokerId;
      out.push(
        ...topicRecords({
          name,
          topicId,
          configs: INTERNAL_TOPICS.has(name) ? { 'cleanup.policy': 'compact' } : {},
          partitions: Array.from({ length: count }, (_, partition) => ({ partition, replicas: [self], isr: [self], leader: self, leaderEpoch: 0 })),
        }),
      );
      this.logLine(`Adopted topic ${name} with ${count} partitions from the log dirs`);
    }
    return out;
  }

  /**
   * Rebuilds the views handlers read from a new image: a topic's TopicState is
   * rebuilt only when its part of the image (partitions or configs) or the set of
   * live brokers changed, so unchanged topics keep their objects.
   */
  private follow(image: MetadataImage): void {
    const previous = this.image;
    const brokersChanged = previous === null || previous.brokers !== image.brokers;
    if (brokersChanged) this.brokerList = brokerInfos(image);
    const byName = new Map<string, TopicState>();
    const byId = new Map<string, TopicState>();
    for (const [name, topic] of image.topicsByName) {
      const key = configResourceKey(ImageConfigResourceType.TOPIC, name);
      const cached = this.topicsByName.get(name);
      const unchanged =
        cached !== undefined &&
        previous !== null &&
        !brokersChanged &&
        previous.topicsByName.get(name) === topic &&
        previous.configs.get(key) === image.configs.get(key);
      const state = unchanged ? cached : topicState(image, topic);
      byName.set(name, state);
      byId.set(state.topicId, state);
    }
    this.topicsByName = byName;
    this.topicsById = byId;
    this.image = image;
  }

  /**
   * Appends records (one batch, committed) decided over the current image: through the
   * local controller when there is one (its decisions are serialised with the broker
   * heartbeats and fencing it decides itself), else straight to the single broker's
   * quorum. The views have followed when it resolves.
   */
  private async commit(decide: (image: MetadataImage) => readonly MetadataRecord[] | Promise<readonly MetadataRecord[]>): Promise<void> {
    if (this.quorum === null) throw new Error('the metadata log is closed');
    if (this.controller !== undefined && !this.embedded) {
      await this.controller.write(async (image) => ({ records: await decide(image), result: () => undefined }));
      return;
    }
    const records = await decide(this.quorum.image());
    if (records.length > 0) await this.quorum.append(records);
  }

  /** Appends records already decided (a single broker, or inside commit()). */
  private async append(records: readonly MetadataRecord[]): Promise<void> {
    await this.commit(() => records);
  }

  private get remote(): ControllerForwarder {
    if (this.forwarder === undefined) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller and cannot reach it.');
    // a controller that does not know the leader (an election) says so; the sender asks another one
    if (this.controller !== undefined && this.quorum?.leaderAndEpoch().leaderId == null) {
      throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'The controller quorum is electing a leader.');
    }
    return this.forwarder;
  }

  // ---- reads -------------------------------------------------------------

  brokers(listenerName?: string): BrokerInfo[] {
    // a client hears each broker's endpoint on the listener it came in on, as in Kafka
    if (listenerName !== undefined && this.image !== null) return brokerInfos(this.image, listenerName);
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
    return this.mutate(() => (this.decidesLocally ? this.doCreateTopic(name, spec, validateOnly, false) : this.forwardCreateTopic(name, spec, validateOnly)));
  }

  /** CreateTopics decided by the active controller elsewhere; answered once the topic is in this node's image. */
  private async forwardCreateTopic(name: string, spec: CreateTopicSpec, validateOnly: boolean): Promise<TopicState> {
    validateTopicName(name);
    const created = await this.remote.createTopic(name, spec, validateOnly);
    if (validateOnly) {
      const rf = Math.max(0, created.replicationFactor);
      return {
        name,
        topicId: created.topicId,
        internal: INTERNAL_TOPICS.has(name),
        partitions: Array.from({ length: Math.max(0, created.numPartitions) }, (_, partition) => ({
          partition,
          leader: -1,
          leaderEpoch: 0,
          partitionEpoch: 0,
          replicas: Array.from({ length: rf }, () => -1),
          isr: [],
          offlineReplicas: [],
        })),
        configs: Object.fromEntries(Object.entries(spec.configs ?? {}).filter((e): e is [string, string] => e[1] !== null)),
      };
    }
    await this.waitForImage((image) => image.topicsByName.has(name));
    const topic = this.topicsByName.get(name);
    if (topic === undefined) throw new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `Topic ${name} was created by the controller but has not reached this broker yet.`);
    return topic;
  }

  autoCreateTopic(name: string): Promise<TopicState> {
    return this.mutate(async () => {
      const existing = this.topicsByName.get(name);
      if (existing) return existing;
      if (INTERNAL_TOPICS.has(name)) return this.doEnsureInternal(name);
      if (!this.config.autoCreateTopicsEnable) {
        throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist and auto.create.topics.enable is false.`);
      }
      const spec = { numPartitions: -1, replicationFactor: -1 };
      const topic = this.decidesLocally ? await this.doCreateTopic(name, spec, false, false) : await this.forwardCreateTopic(name, spec, false);
      this.logLine(`Auto-created topic ${name} with ${topic.partitions.length} partitions`);
      return topic;
    });
  }

  ensureInternalTopic(name: string): Promise<TopicState> {
    return this.mutate(() => this.doEnsureInternal(name));
  }

  deleteTopic(name: string): Promise<TopicState> {
    return this.mutate(async () => {
      if (!this.decidesLocally) {
        const before = this.topicsByName.get(name);
        await this.remote.deleteTopic(name);
        await this.waitForImage((image) => !image.topicsByName.has(name));
        return before ?? { name, topicId: '', internal: false, partitions: [], configs: {} };
      }
      const topic = this.topicsByName.get(name);
      // The record first: a crash after it must not resurrect the topic; leftover
      // partition directories of an unknown topic are harmless and removed by load().
      await this.commit((image) => deleteTopicRecords(image, this.config, name));
      if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
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
      if (!this.decidesLocally) {
        await this.remote.createPartitions(name, totalCount, assignments, validateOnly);
        if (!validateOnly) await this.waitForImage((image) => (image.topicsByName.get(name)?.partitions.size ?? 0) >= totalCount);
        return this.topicsByName.get(name)!;
      }
      let wouldBe: TopicState | undefined;
      let currentCount = 0;
      let newPartitions: PartitionState[] = [];
      try {
        await this.commit(async (image) => {
          const records = createPartitionsRecords(image, this.config, name, totalCount, assignments, this.placement);
          wouldBe = this.wouldBe(image, records, name);
          if (validateOnly) return [];
          currentCount = image.topicsByName.get(name)?.partitions.size ?? 0;
          // logs first, all or nothing; the metadata names the partitions only once they exist
          await this.createLogsAllOrNothing(wouldBe, wouldBe.partitions.slice(currentCount));
          newPartitions = wouldBe.partitions.slice(currentCount);
          return records;
        });
      } catch (err) {
        await this.removeLogs(name, newPartitions);
        throw err;
      }
      if (validateOnly) return wouldBe!;
      this.logLine(`Increased partitions of ${name} from ${currentCount} to ${totalCount}`);
      return this.topicsByName.get(name)!;
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
      this.requireTopicResourceType(resourceType);
      if (!this.decidesLocally) return this.remote.replaceConfigs(resourceType, resourceName, configs, validateOnly);
      const records = replaceTopicConfigRecords(this.metadataImage(), resourceName, configs);
      if (validateOnly) return;
      await this.applyTopicConfigs(resourceName, records);
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
      this.requireTopicResourceType(resourceType);
      if (!this.decidesLocally) return this.remote.incrementalAlterConfigs(resourceType, resourceName, ops, validateOnly);
      const records = incrementalAlterTopicConfigRecords(this.metadataImage(), this.config, resourceName, ops);
      if (validateOnly) return;
      await this.applyTopicConfigs(resourceName, records);
    });
  }

  electLeaders(electionType: number, partitions: readonly PartitionRef[] | null): Promise<ElectionResult[]> {
    return this.mutate(async () => {
      if (!this.decidesLocally) return this.remote.electLeaders(electionType, partitions);
      let results: ElectionResult[] = [];
      let records: readonly MetadataRecord[] = [];
      await this.commit((image) => {
        ({ records, results } = electLeaders(image, electionType, partitions));
        return records;
      });
      if (records.length > 0) this.logLine(`Elected leaders of ${records.length} partition(s)`);
      return results;
    });
  }

  alterPartitionReassignment(topic: string, partition: number, replicas: readonly number[] | null): Promise<void> {
    return this.mutate(async () => {
      if (!this.decidesLocally) return this.remote.alterPartitionReassignment(topic, partition, replicas);
      await this.commit((image) => reassignPartition(image, topic, partition, replicas));
    });
  }

  // ---- internals ---------------------------------------------------------

  /**
   * SCRAM credentials and ACL bindings (AlterUserScramCredentials, CreateAcls, DeleteAcls):
   * the records the broker's security layer built, appended as one batch in the mutation queue.
   */
  /** The committed SCRAM credentials and ACL bindings. */
  securityImage(): SecurityImage {
    return this.metadataImage().security;
  }

  appendSecurityRecords(records: readonly MetadataRecord[]): Promise<void> {
    return this.mutate(async () => {
      await this.append(records);
    });
  }

  /**
   * KIP-730 for the single broker, its own controller: the next block of producer ids,
   * recorded as a ProducerIdsRecord in its metadata log (a cluster node asks the active
   * controller with AllocateProducerIds instead). `floor` first raises the next id above
   * the ids the old per-broker block file handed out.
   */
  allocateProducerIds(floor?: number): Promise<{ start: bigint; length: number }> {
    return this.mutate(async () => {
      let block: { start: bigint; length: number } | undefined;
      await this.commit((image) => {
        const raise = floor === undefined ? [] : producerIdFloorRecords(image, this.brokerId, BigInt(floor));
        const decision = allocateProducerIds(applyRecords(image, raise), this.brokerId, null);
        if (decision.block === undefined) throw new KafkaError(decision.errorCode, decision.errorMessage);
        block = decision.block;
        return [...raise, ...decision.records];
      });
      return block!;
    });
  }

  private mutate<T>(fn: () => Promise<T>): Promise<T> {
    // A change another node decides is forwarded outside the queue: holding it while that node
    // answers could deadlock two controllers forwarding to each other during an election.
    if (this.loaded && !this.decidesLocally) return fn();
    const run = this.mutationTail.then(() => {
      if (!this.loaded) throw new Error('ClusterMetadata.load() has not completed');
      return fn();
    });
    this.mutationTail = run.catch(() => undefined);
    return run;
  }

  /** The TopicState `records` would give topic `name` (validateOnly answers, logs to create). */
  private wouldBe(image: MetadataImage, records: readonly MetadataRecord[], name: string): TopicState {
    const next = applyRecords(image, records);
    return topicState(next, next.topicsByName.get(name)!);
  }

  private async doCreateTopic(
    name: string,
    spec: CreateTopicSpec,
    validateOnly: boolean,
    internal: boolean,
  ): Promise<TopicState> {
    // Decided over the image the controller commits on (its queue: no heartbeat or fencing in between).
    // All or nothing: the partition logs are created first, and the topic is listed (and
    // recorded) only once every one exists; a failure removes the ones already made. A crash
    // in between leaves directories of an unknown topic, which load() removes.
    let topic: TopicState | undefined;
    let logsMade = false;
    try {
      await this.commit(async (image) => {
        const records = createTopicRecords(image, this.config, name, spec, { topicId: this.freshTopicId(image), internal, placement: this.placement });
        topic = this.wouldBe(image, records, name);
        if (validateOnly) return [];
        await this.createLogsAllOrNothing(topic, topic.partitions);
        logsMade = true;
        return records;
      });
    } catch (err) {
      if (logsMade && topic !== undefined) await this.removeLogs(name, topic.partitions);
      throw err;
    }
    if (validateOnly) return topic!;
    const created = this.topicsByName.get(name)!;
    this.logLine(`Created topic ${name} (id ${created.topicId}) with ${created.partitions.length} partitions`);
    return created;
  }

  private async doEnsureInternal(name: string): Promise<TopicState> {
    const existing = this.topicsByName.get(name);
    if (existing) return existing;
    if (!this.decidesLocally) {
      try {
        return await this.forwardCreateTopic(name, this.internalTopicSpec(name), false);
      } catch (err) {
        // another broker's coordinator asked first
        if (!(err instanceof KafkaError) || err.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw err;
        await this.waitForImage((image) => image.topicsByName.has(name));
        return this.topicsByName.get(name)!;
      }
    }
    return this.doCreateTopic(name, this.internalTopicSpec(name), false, true);
  }

  /** Kafka's settings of the internal topics the coordinators need. */
  private internalTopicSpec(name: string): CreateTopicSpec {
    if (name === CONSUMER_OFFSETS_TOPIC) {
      return {
        numPartitions: this.config.offsetsTopicNumPartitions,
        replicationFactor: this.config.offsetsTopicReplicationFactor,
        configs: {
          'cleanup.policy': 'compact',
          'compression.type': 'producer',
          'segment.bytes': String(this.config.offsetsTopicSegmentBytes),
        },
      };
    }
    if (name === TRANSACTION_STATE_TOPIC) {
      return {
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
      };
    }
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `${name} is not an internal topic`);
  }

  private async applyTopicConfigs(name: string, records: readonly MetadataRecord[]): Promise<void> {
    await this.append(records);
    const logConfig = this.logConfigFor(name);
    const topic = this.topicsByName.get(name)!;
    for (const p of topic.partitions) this.logs.getLog(name, p.partition)?.updateConfig(logConfig);
    this.logLine(`Updated configs of topic ${name}`);
  }

  private requireTopicResourceType(resourceType: number): void {
    if (resourceType !== ConfigResourceType.TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`);
    }
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

  /**
   * Creates the logs this broker hosts for `partitions`, or none: on the first failure
   * (EMFILE, ENOSPC, EACCES…) the logs already made are removed and KAFKA_STORAGE_ERROR
   * says why. Yields to the event loop every LOG_WORK_SLICE_MS so a large creation does
   * not stall the other connections.
   */
  private async createLogsAllOrNothing(topic: TopicState, partitions: readonly PartitionState[]): Promise<void> {
    // from the would-be topic itself: the image does not have it yet, so logConfigFor would miss its overrides
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
        // not fsynced: the metadata record appended after this loop is the record, and load() rewrites the file
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

  private freshTopicId(image: MetadataImage): string {
    for (;;) {
      const id = randomUuid();
      if (!image.topicsById.has(id)) return id;
    }
  }

  /** Every advertised listener, registered so Metadata can answer each client on its own listener. */
  private advertisedEndpoints(): BrokerEndpoint[] {
    const listeners = this.config.advertisedListeners.length > 0 ? this.config.advertisedListeners : this.config.listeners;
    return listeners.map((l) => ({
      name: l.name,
      host: l.host !== '' && l.host !== '0.0.0.0' ? l.host : os.hostname(),
      port: l.port,
      securityProtocol: SECURITY_PROTOCOL_ID[listenerSecurityProtocol(this.config, l)],
    }));
  }

  private selfBroker(): BrokerInfo {
    const endpoint = this.config.advertisedListeners[0] ?? this.config.listeners[0];
    const host = endpoint && endpoint.host !== '' && endpoint.host !== '0.0.0.0' ? endpoint.host : os.hostname();
    return { nodeId: this.config.brokerId, host, port: endpoint?.port ?? 9092, rack: this.config.brokerRack };
  }

}
