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
