/**
 * The typed, validated broker configuration. `kafka-server-start` builds it from
 * server.properties (+ --override) in the CLI layer; tests build it directly with
 * `brokerConfig({...})`. Keys, types, defaults and validators live in one table
 * (config-keys.ts); the defaults here are derived from it.
 */
import os from 'node:os';
import path from 'node:path';
import { BROKER_KEYS, brokerKeyDef, effectiveDefault, isKeySet, parseBrokerValue, type BrokerKeyDef } from './config-keys.js';

export interface Endpoint {
  /** listener name, e.g. PLAINTEXT */
  name: string;
  /** host to bind; '' or 0.0.0.0 means all interfaces */
  host: string;
  port: number;
  /**
   * PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, from listener.security.protocol.map; absent:
   * the map's entry for `name` (Kafka's default map names each protocol after itself).
   */
  securityProtocol?: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
}

export interface BrokerConfig {
  /** broker.id / node.id */
  brokerId: number;
  /** listeners: where we bind */
  listeners: Endpoint[];
  /** advertised.listeners: what Metadata tells clients (defaults to listeners) */
  advertisedListeners: Endpoint[];
  /** log.dirs (or log.dir) */
  logDirs: string[];
  numPartitions: number;
  /**
   * max.broker.partitions (the name KIP-578 proposed; Kafka has no such limit): partition
   * replicas this broker may host. CreateTopics/CreatePartitions beyond it are refused with
   * INVALID_PARTITIONS before anything is allocated.
   */
  maxBrokerPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  /** log.segment.bytes */
  logSegmentBytes: number;
  /** log.roll.ms (from log.roll.hours/ms) */
  logRollMs: number;
  /** log.retention.ms; -1 = unlimited (from log.retention.hours/minutes/ms) */
  logRetentionMs: number;
  /** log.retention.bytes; -1 = unlimited */
  logRetentionBytes: number;
  logRetentionCheckIntervalMs: number;
  /** log.index.interval.bytes */
  logIndexIntervalBytes: number;
  /** log.index.size.max.bytes */
  logIndexSizeMaxBytes: number;
  /** log.flush.interval.messages; Number.MAX_SAFE_INTEGER = never by count */
  logFlushIntervalMessages: number;
  /** log.flush.interval.ms; null = only the scheduler default */
  logFlushIntervalMs: number | null;
  logFlushSchedulerIntervalMs: number;
  logCleanerEnable: boolean;
  /** log.cleanup.policy */
  logCleanupPolicy: string;
  /** message.max.bytes */
  messageMaxBytes: number;
  /** socket.request.max.bytes */
  socketRequestMaxBytes: number;
  offsetsTopicNumPartitions: number;
  offsetsTopicReplicationFactor: number;
  offsetsRetentionMinutes: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  transactionalIdExpirationMs: number;
  /** log.message.timestamp.type: CreateTime | LogAppendTime */
  logMessageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** compression.type (broker default for topics) */
  compressionType: string;
  /** min.insync.replicas (broker default for topics) */
  minInsyncReplicas: number;
  /** broker.rack; null when not set */
  brokerRack: string | null;
  /** log.cleaner.backoff.ms */
  logCleanerBackoffMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offsets.topic.segment.bytes */
  offsetsTopicSegmentBytes: number;
  /** transaction.state.log.num.partitions */
  transactionStateLogNumPartitions: number;
  /** transaction.state.log.replication.factor (capped at the broker count unless set) */
  transactionStateLogReplicationFactor: number;
  /** transaction.state.log.min.isr */
  transactionStateLogMinIsr: number;
  /** transaction.state.log.segment.bytes */
  transactionStateLogSegmentBytes: number;
  /** transaction.max.timeout.ms */
  transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  transactionAbortTimedOutTransactionCleanupIntervalMs: number;
  /** transaction.state.log.load.buffer.size */
  transactionStateLogLoadBufferSize: number;
  /** offsets.load.buffer.size */
  offsetsLoadBufferSize: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  /** max.incremental.fetch.session.cache.slots */
  maxIncrementalFetchSessionCacheSlots: number;
  /** metadata.log.dir: where __cluster_metadata-0 lives; null = the first of log.dirs */
  metadataLogDir: string | null;
  /** metadata.log.max.record.bytes.between.snapshots */
  metadataLogMaxRecordBytesBetweenSnapshots: number;
  /** metadata.log.max.snapshot.interval.ms; 0 = never by time */
  metadataLogMaxSnapshotIntervalMs: number;
  /** metadata.log.segment.bytes */
  metadataLogSegmentBytes: number;
  /** broker.session.timeout.ms: heartbeat silence after which the controller fences a broker */
  brokerSessionTimeoutMs: number;
  /** broker.heartbeat.interval.ms */
  brokerHeartbeatIntervalMs: number;
  /** controller.quorum.election.timeout.ms */
  controllerQuorumElectionTimeoutMs: number;
  /** controller.quorum.election.backoff.max.ms */
  controllerQuorumElectionBackoffMaxMs: number;
  /** controller.quorum.fetch.timeout.ms */
  controllerQuorumFetchTimeoutMs: number;
  /** controller.quorum.request.timeout.ms */
  controllerQuorumRequestTimeoutMs: number;
  /** controller.quorum.retry.backoff.ms */
  controllerQuorumRetryBackoffMs: number;
  /** replica.lag.time.max.ms: a follower silent this long leaves the ISR */
  replicaLagTimeMaxMs: number;
  /** replica.fetch.wait.max.ms */
  replicaFetchWaitMaxMs: number;
  /** replica.fetch.min.bytes */
  replicaFetchMinBytes: number;
  /** replica.fetch.max.bytes (per partition) */
  replicaFetchMaxBytes: number;
  /** replica.fetch.response.max.bytes */
  replicaFetchResponseMaxBytes: number;
  /** replica.fetch.backoff.ms */
  replicaFetchBackoffMs: number;
  /** unclean.leader.election.enable */
  uncleanLeaderElectionEnable: boolean;
  /** auto.leader.rebalance.enable */
  autoLeaderRebalanceEnable: boolean;
  /** leader.imbalance.check.interval.seconds */
  leaderImbalanceCheckIntervalSeconds: number;
  /** leader.imbalance.per.broker.percentage */
  leaderImbalancePerBrokerPercentage: number;
  /** zookeeper.connection.timeout.ms: how long a ZooKeeper-style broker tries its controllers */
  zookeeperConnectionTimeoutMs: number;
  /** every key/value as read, including keys we accept but do not act on */
  raw: Record<string, string>;
}

export const DEFAULT_PORT = 9092;

export function defaultLogDir(): string {
  // Kafka's stock config uses /tmp/kafka-logs; use the OS temp dir the same way.
  return path.join(os.tmpdir(), 'kafka-logs');
}

/** A key's default as this broker uses it, parsed by the key's type (null when it has none). */
export function brokerKeyDefault(name: string): number | boolean | string | null {
  const def = brokerKeyDef(name);
  if (!def) throw new Error(`${name} is not in the broker config table`);
  const text = effectiveDefault(def);
  return text === null ? null : parseBrokerValue(def, text);
}

/** Default max.broker.partitions (see config-keys.ts). */
export const DEFAULT_MAX_BROKER_PARTITIONS = brokerKeyDefault('max.broker.partitions') as number;

/** Sets the key's BrokerConfig field to a value already parsed by the key's type. */
export function setBrokerField(config: BrokerConfig, def: BrokerKeyDef, value: number | boolean | string | null): void {
  if (def.field === undefined) return;
  (config as unknown as Record<string, unknown>)[def.field] = value;
}

export function defaultBrokerConfig(): BrokerConfig {
  const listener: Endpoint = { name: 'PLAINTEXT', host: 'localhost', port: DEFAULT_PORT };
  const hours = (name: string): number => (brokerKeyDefault(name) as number) * 3600_000;
  const config = {
    brokerId: brokerKeyDefault('broker.id') as number,
    listeners: [listener],
    advertisedListeners: [listener],
    logDirs: [defaultLogDir()],
    logRollMs: hours('log.roll.hours'),
    logRetentionMs: hours('log.retention.hours'),
    raw: {},
  } as Partial<BrokerConfig> as BrokerConfig;
  for (const def of BROKER_KEYS) {
    if (def.field !== undefined) setBrokerField(config, def, brokerKeyDefault(def.name));
  }
  return config;
}

/**
 * Defaults overlaid with the given fields (tests and embedding). Table keys in
 * `overrides.raw` (server.properties spelling) set their typed field unless the field
 * itself is given, so `brokerConfig({ raw: { 'min.insync.replicas': '2' } })` works.
 */
export function brokerConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  const base = defaultBrokerConfig();
  for (const def of BROKER_KEYS) {
    const text = overrides.raw?.[def.name];
    if (text === undefined || def.field === undefined || def.field in overrides) continue;
    try {
      setBrokerField(base, def, parseBrokerValue(def, text));
    } catch (err) {
      throw new Error(`Invalid value ${JSON.stringify(text)} for configuration ${def.name}: ${(err as Error).message}`);
    }
  }
  const merged: BrokerConfig = { ...base, ...overrides };
  if (overrides.listeners && !overrides.advertisedListeners) {
    merged.advertisedListeners = overrides.listeners;
  }
  // An embedder giving logDirs has set log.dirs, as a file would: DescribeConfigs reports
  // it as a static broker config rather than null (Kafka reports null only when unset).
  if (overrides.logDirs && !isKeySet(merged, 'log.dirs') && !isKeySet(merged, 'log.dir')) {
    merged.raw = { ...merged.raw, 'log.dirs': overrides.logDirs.join(',') };
  }
  return merged;
}
