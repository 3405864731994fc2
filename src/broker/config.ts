/**
 * The typed, validated broker configuration. `kafka-server-start` builds it from
 * server.properties (+ --override) in the CLI layer; tests build it directly with
 * `brokerConfig({...})`. Keys mirror Kafka's server.properties names.
 */
import os from 'node:os';
import path from 'node:path';

export interface Endpoint {
  /** listener name, e.g. PLAINTEXT */
  name: string;
  /** host to bind; '' or 0.0.0.0 means all interfaces */
  host: string;
  port: number;
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
  /** every key/value as read, including keys we accept but do not act on */
  raw: Record<string, string>;
}

export const DEFAULT_PORT = 9092;

/**
 * Default max.broker.partitions. Kafka's guidance (and KIP-578's motivation) is at most
 * about 4000 partitions per broker; each one costs a directory, three files and ~4 KB of
 * heap here (descriptors are pooled), so a laptop holds this many and creates them in seconds.
 */
export const DEFAULT_MAX_BROKER_PARTITIONS = 10000;

export function defaultLogDir(): string {
  // Kafka's stock config uses /tmp/kafka-logs; use the OS temp dir the same way.
  return path.join(os.tmpdir(), 'kafka-logs');
}

export function defaultBrokerConfig(): BrokerConfig {
  const listener: Endpoint = { name: 'PLAINTEXT', host: 'localhost', port: DEFAULT_PORT };
  return {
    brokerId: 0,
    listeners: [listener],
    advertisedListeners: [listener],
    logDirs: [defaultLogDir()],
    numPartitions: 1,
    maxBrokerPartitions: DEFAULT_MAX_BROKER_PARTITIONS,
    defaultReplicationFactor: 1,
    autoCreateTopicsEnable: true,
    deleteTopicEnable: true,
    logSegmentBytes: 1073741824,
    logRollMs: 168 * 3600 * 1000,
    logRetentionMs: 168 * 3600 * 1000,
    logRetentionBytes: -1,
    logRetentionCheckIntervalMs: 300000,
    logIndexIntervalBytes: 4096,
    logIndexSizeMaxBytes: 10485760,
    logFlushIntervalMessages: Number.MAX_SAFE_INTEGER,
    logFlushIntervalMs: null,
    logFlushSchedulerIntervalMs: 1000,
    logCleanerEnable: true,
    logCleanupPolicy: 'delete',
    messageMaxBytes: 1048588,
    socketRequestMaxBytes: 104857600,
    offsetsTopicNumPartitions: 50,
    offsetsTopicReplicationFactor: 1,
    offsetsRetentionMinutes: 10080,
    // Kafka's code default is 3000, but its stock server.properties sets 0 and the tutorials run
    // with that: a console consumer should not sit 3 s before its first record.
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 6000,
    groupMaxSessionTimeoutMs: 1800000,
    transactionalIdExpirationMs: 604800000,
    logMessageTimestampType: 'CreateTime',
    compressionType: 'producer',
    raw: {},
  };
}

/** Defaults overlaid with the given fields (tests and embedding). */
export function brokerConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  const base = defaultBrokerConfig();
  const merged: BrokerConfig = { ...base, ...overrides };
  if (overrides.listeners && !overrides.advertisedListeners) {
    merged.advertisedListeners = overrides.listeners;
  }
  return merged;
}
