/**
 * Broker-level configs as DescribeConfigs reports them for resource type BROKER
 * (4): the main server.properties keys with Kafka's types and defaults, plus every
 * key the broker's file actually set (BrokerConfig.raw). Values come from the
 * typed BrokerConfig where it has a field, so --override and tests are reflected.
 */
import type { BrokerConfig } from '../broker/config.js';
import {
  BROKER_DEFAULTS_FOR_SYNONYMS,
  ConfigSource,
  ConfigType,
  LONG_MAX,
  type ConfigTypeName,
  type DescribedConfig,
  type ConfigSynonymEntry,
} from './topic-config.js';

interface BrokerKeyDef {
  name: string;
  type: ConfigTypeName;
  defaultValue: string | null;
  /** value from the typed config (covers --override and programmatic configs) */
  fromConfig?: (c: BrokerConfig) => string | null;
  /** Kafka lets this key change at runtime (DynamicBrokerConfig); it is read-only otherwise */
  dynamic?: boolean;
  sensitive?: boolean;
  documentation: string;
}

const endpoints = (list: BrokerConfig['listeners']): string =>
  list.map((e) => `${e.name}://${e.host}:${e.port}`).join(',');
const longValue = (n: number): string => (n >= Number.MAX_SAFE_INTEGER ? LONG_MAX : String(n));

const BROKER_KEYS: readonly BrokerKeyDef[] = [
  { name: 'advertised.listeners', type: 'STRING', defaultValue: null, fromConfig: (c) => endpoints(c.advertisedListeners), dynamic: true, documentation: 'Listeners published to clients in Metadata responses.' },
  { name: 'auto.create.topics.enable', type: 'BOOLEAN', defaultValue: 'true', fromConfig: (c) => String(c.autoCreateTopicsEnable), documentation: 'Create a topic when a client asks for metadata of a missing one.' },
  { name: 'broker.id', type: 'INT', defaultValue: '-1', fromConfig: (c) => String(c.brokerId), documentation: 'Id of this broker.' },
  { name: 'compression.type', type: 'STRING', defaultValue: 'producer', fromConfig: (c) => c.compressionType, dynamic: true, documentation: 'Default compression for topics.' },
  { name: 'default.replication.factor', type: 'INT', defaultValue: '1', fromConfig: (c) => String(c.defaultReplicationFactor), documentation: 'Replication factor of topics created without one.' },
  { name: 'delete.topic.enable', type: 'BOOLEAN', defaultValue: 'true', fromConfig: (c) => String(c.deleteTopicEnable), documentation: 'Whether topics may be deleted.' },
  { name: 'group.initial.rebalance.delay.ms', type: 'INT', defaultValue: '3000', fromConfig: (c) => String(c.groupInitialRebalanceDelayMs), documentation: 'Delay before the first rebalance of a new group.' },
  { name: 'group.max.session.timeout.ms', type: 'INT', defaultValue: '1800000', fromConfig: (c) => String(c.groupMaxSessionTimeoutMs), documentation: 'Largest session timeout a member may request.' },
  { name: 'group.min.session.timeout.ms', type: 'INT', defaultValue: '6000', fromConfig: (c) => String(c.groupMinSessionTimeoutMs), documentation: 'Smallest session timeout a member may request.' },
  { name: 'listeners', type: 'STRING', defaultValue: 'PLAINTEXT://:9092', fromConfig: (c) => endpoints(c.listeners), dynamic: true, documentation: 'Addresses the broker binds.' },
  { name: 'log.cleaner.enable', type: 'BOOLEAN', defaultValue: 'true', fromConfig: (c) => String(c.logCleanerEnable), documentation: 'Whether the log cleaner runs.' },
  { name: 'log.cleanup.policy', type: 'LIST', defaultValue: 'delete', fromConfig: (c) => c.logCleanupPolicy, dynamic: true, documentation: 'Default cleanup policy for topics.' },
  { name: 'log.dirs', type: 'STRING', defaultValue: null, fromConfig: (c) => c.logDirs.join(','), documentation: 'Directories holding the partition logs.' },
  { name: 'log.flush.interval.messages', type: 'LONG', defaultValue: LONG_MAX, fromConfig: (c) => longValue(c.logFlushIntervalMessages), dynamic: true, documentation: 'Messages between two fsyncs of a log.' },
  { name: 'log.flush.interval.ms', type: 'LONG', defaultValue: null, fromConfig: (c) => (c.logFlushIntervalMs === null ? null : longValue(c.logFlushIntervalMs)), dynamic: true, documentation: 'Time between two fsyncs of a log.' },
  { name: 'log.flush.scheduler.interval.ms', type: 'LONG', defaultValue: LONG_MAX, fromConfig: (c) => longValue(c.logFlushSchedulerIntervalMs), documentation: 'How often the flusher checks logs.' },
  { name: 'log.index.interval.bytes', type: 'INT', defaultValue: '4096', fromConfig: (c) => String(c.logIndexIntervalBytes), dynamic: true, documentation: 'Bytes between two offset index entries.' },
  { name: 'log.index.size.max.bytes', type: 'INT', defaultValue: '10485760', fromConfig: (c) => String(c.logIndexSizeMaxBytes), dynamic: true, documentation: 'Maximum size of an offset index.' },
  { name: 'log.message.timestamp.type', type: 'STRING', defaultValue: 'CreateTime', fromConfig: (c) => c.logMessageTimestampType, dynamic: true, documentation: 'Default timestamp type for topics.' },
  { name: 'log.retention.bytes', type: 'LONG', defaultValue: '-1', fromConfig: (c) => String(c.logRetentionBytes), dynamic: true, documentation: 'Default size limit of a partition.' },
  { name: 'log.retention.check.interval.ms', type: 'LONG', defaultValue: '300000', fromConfig: (c) => String(c.logRetentionCheckIntervalMs), documentation: 'How often retention is enforced.' },
  { name: 'log.retention.hours', type: 'INT', defaultValue: '168', documentation: 'Default retention in hours.' },
  { name: 'log.retention.minutes', type: 'INT', defaultValue: null, documentation: 'Default retention in minutes (wins over hours).' },
  { name: 'log.retention.ms', type: 'LONG', defaultValue: null, dynamic: true, documentation: 'Default retention in milliseconds (wins over minutes).' },
  { name: 'log.roll.hours', type: 'INT', defaultValue: '168', documentation: 'Default segment roll time in hours.' },
  { name: 'log.roll.ms', type: 'LONG', defaultValue: null, dynamic: true, documentation: 'Default segment roll time in milliseconds.' },
  { name: 'log.segment.bytes', type: 'INT', defaultValue: '1073741824', fromConfig: (c) => String(c.logSegmentBytes), dynamic: true, documentation: 'Default segment size.' },
  { name: 'message.max.bytes', type: 'INT', defaultValue: '1048588', fromConfig: (c) => String(c.messageMaxBytes), dynamic: true, documentation: 'Largest record batch the broker accepts.' },
  { name: 'min.insync.replicas', type: 'INT', defaultValue: '1', dynamic: true, documentation: 'Default minimum ISR size for acks=all.' },
  { name: 'node.id', type: 'INT', defaultValue: '-1', fromConfig: (c) => String(c.brokerId), documentation: 'Id of this node.' },
  { name: 'num.partitions', type: 'INT', defaultValue: '1', fromConfig: (c) => String(c.numPartitions), dynamic: true, documentation: 'Partition count of topics created without one.' },
  { name: 'offsets.retention.minutes', type: 'INT', defaultValue: '10080', fromConfig: (c) => String(c.offsetsRetentionMinutes), documentation: 'How long committed offsets of empty groups are kept.' },
  { name: 'offsets.topic.num.partitions', type: 'INT', defaultValue: '50', fromConfig: (c) => String(c.offsetsTopicNumPartitions), documentation: 'Partitions of __consumer_offsets.' },
  { name: 'offsets.topic.replication.factor', type: 'SHORT', defaultValue: '3', fromConfig: (c) => String(c.offsetsTopicReplicationFactor), documentation: 'Replication factor of __consumer_offsets.' },
  { name: 'socket.request.max.bytes', type: 'INT', defaultValue: '104857600', fromConfig: (c) => String(c.socketRequestMaxBytes), documentation: 'Largest request the broker reads.' },
  { name: 'transactional.id.expiration.ms', type: 'INT', defaultValue: '604800000', fromConfig: (c) => String(c.transactionalIdExpirationMs), documentation: 'Idle time after which a transactional id expires.' },
  { name: 'unclean.leader.election.enable', type: 'BOOLEAN', defaultValue: 'false', dynamic: true, documentation: 'Whether an out-of-sync replica may become leader.' },
];

const SENSITIVE_PATTERN = /password|secret|\.jaas\.config$/i;

/**
 * DescribeConfigs entries for this broker. Source is STATIC_BROKER_CONFIG for keys
 * set in server.properties, DEFAULT_CONFIG otherwise; keys Kafka cannot change at
 * runtime are readOnly.
 */
export function describeBrokerConfigs(config: BrokerConfig, names?: readonly string[] | null): DescribedConfig[] {
  const defs = new Map<string, BrokerKeyDef>(BROKER_KEYS.map((d) => [d.name, d]));
  for (const key of Object.keys(config.raw)) {
    if (!defs.has(key)) {
      defs.set(key, {
        name: key,
        type: SENSITIVE_PATTERN.test(key) ? 'PASSWORD' : 'STRING',
        defaultValue: BROKER_DEFAULTS_FOR_SYNONYMS[key] ?? null,
        documentation: '',
      });
    }
  }
  const wanted = names && names.length > 0 ? names : [...defs.keys()].sort();
  const out: DescribedConfig[] = [];
  for (const name of wanted) {
    const def = defs.get(name);
    if (!def) continue;
    const sensitive = def.type === 'PASSWORD';
    const raw = config.raw[name];
    const value = sensitive ? null : raw !== undefined && !def.fromConfig ? raw : (def.fromConfig?.(config) ?? def.defaultValue);
    const synonyms: ConfigSynonymEntry[] = [];
    if (raw !== undefined) synonyms.push({ name, value: sensitive ? null : raw, source: ConfigSource.STATIC_BROKER_CONFIG });
    if (def.defaultValue !== null) synonyms.push({ name, value: sensitive ? null : def.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
    const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
    out.push({
      name,
      value,
      source,
      readOnly: !def.dynamic,
      isSensitive: sensitive,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configType: ConfigType[def.type],
      documentation: def.documentation,
      synonyms,
    });
  }
  return out;
}
