/**
 * The topic-level configuration keys Kafka 3.x knows (what `kafka-configs
 * --describe --all` lists for a topic): type, validation, built-in default,
 * and the broker keys that supply the default when the topic has no override.
 *
 * Used to validate CreateTopics / AlterConfigs / IncrementalAlterConfigs and to
 * answer DescribeConfigs (value, source, synonyms, type) for topics.
 */
import type { BrokerConfig } from '../broker/config.js';
import { brokerKeyDef } from '../broker/config-keys.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { ConfigSynonymEntry, DescribedConfig } from '../broker/services/metadata-service.js';

export type { ConfigSynonymEntry, DescribedConfig } from '../broker/services/metadata-service.js';

/** ConfigDef types, with the ids DescribeConfigs v3+ puts in ConfigType. */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;
export type ConfigTypeName = Exclude<keyof typeof ConfigType, 'UNKNOWN'>;

/** DescribeConfigs ConfigSource ids (v1+). */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

export const LONG_MAX = '9223372036854775807';
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

export interface ConfigKeyDef {
  name: string;
  type: ConfigTypeName;
  /** Kafka's built-in default as a string, null when Kafka has none */
  defaultValue: string | null;
  /** inclusive numeric range */
  min?: number;
  max?: number;
  /** allowed values for STRING (single) or LIST (each element) */
  validValues?: readonly string[];
  /** values are compared case-insensitively (compression.type) */
  caseInsensitive?: boolean;
  documentation: string;
}

export interface BrokerSynonym {
  /** broker (server.properties) key */
  name: string;
  /** converts the broker value to the topic value (hours → ms) */
  toTopicValue?: (brokerValue: string) => string;
}

export interface TopicConfigDef extends ConfigKeyDef {
  /** broker keys in Kafka's precedence order; the first one is the primary synonym */
  brokerSynonyms: BrokerSynonym[];
  /** the effective broker-level value from the typed BrokerConfig, when it has a field for it */
  fromBrokerConfig?: (config: BrokerConfig) => string;
}

const hoursToMs = (v: string): string => String(BigInt(v.trim()) * 3_600_000n);
const minutesToMs = (v: string): string => String(BigInt(v.trim()) * 60_000n);
const longValue = (n: number): string => (n >= Number.MAX_SAFE_INTEGER ? LONG_MAX : String(n));

function topicKey(
  def: Omit<TopicConfigDef, 'brokerSynonyms'> & { brokerSynonyms?: BrokerSynonym[] | string },
): TopicConfigDef {
  const brokerSynonyms =
    def.brokerSynonyms === undefined
      ? []
      : typeof def.brokerSynonyms === 'string'
        ? [{ name: def.brokerSynonyms }]
        : def.brokerSynonyms;
  return { ...def, brokerSynonyms };
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;

/** Every topic config key, in Kafka's alphabetical describe order. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  topicKey({
    name: 'cleanup.policy', type: 'LIST', defaultValue: 'delete', validValues: ['compact', 'delete'],
    brokerSynonyms: 'log.cleanup.policy', fromBrokerConfig: (c) => c.logCleanupPolicy,
    documentation: 'Retention strategy for old log segments: "delete" removes them by time/size, "compact" keeps the latest value per key; both may be listed.',
  }),
  topicKey({
    name: 'compression.gzip.level', type: 'INT', defaultValue: '-1', min: -1, max: 9,
    brokerSynonyms: 'compression.gzip.level',
    documentation: 'Compression level used when compression.type is gzip.',
  }),
  topicKey({
    name: 'compression.lz4.level', type: 'INT', defaultValue: '9', min: 1, max: 17,
    brokerSynonyms: 'compression.lz4.level',
    documentation: 'Compression level used when compression.type is lz4.',
  }),
  topicKey({
    name: 'compression.type', type: 'STRING', defaultValue: 'producer', validValues: COMPRESSION_TYPES,
    caseInsensitive: true, brokerSynonyms: 'compression.type', fromBrokerConfig: (c) => c.compressionType,
    documentation: 'Final compression of the topic\'s data; "producer" keeps whatever codec the producer used.',
  }),
  topicKey({
    name: 'compression.zstd.level', type: 'INT', defaultValue: '3', min: -131072, max: 22,
    brokerSynonyms: 'compression.zstd.level',
    documentation: 'Compression level used when compression.type is zstd.',
  }),
  topicKey({
    name: 'delete.retention.ms', type: 'LONG', defaultValue: '86400000', min: 0,
    brokerSynonyms: 'log.cleaner.delete.retention.ms',
    documentation: 'How long delete tombstones are kept on compacted topics.',
  }),
  topicKey({
    name: 'file.delete.delay.ms', type: 'LONG', defaultValue: '60000', min: 0,
    brokerSynonyms: 'log.segment.delete.delay.ms',
    documentation: 'Delay before a deleted segment file is removed from disk.',
  }),
  topicKey({
    name: 'flush.messages', type: 'LONG', defaultValue: LONG_MAX, min: 1,
    brokerSynonyms: 'log.flush.interval.messages', fromBrokerConfig: (c) => longValue(c.logFlushIntervalMessages),
    documentation: 'Number of messages after which the log is fsynced.',
  }),
  topicKey({
    name: 'flush.ms', type: 'LONG', defaultValue: LONG_MAX, min: 0,
    brokerSynonyms: [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
    fromBrokerConfig: (c) => longValue(c.logFlushIntervalMs ?? c.logFlushSchedulerIntervalMs),
    documentation: 'Time after which the log is fsynced.',
  }),
  topicKey({
    name: 'follower.replication.throttled.replicas', type: 'LIST', defaultValue: '',
    brokerSynonyms: 'follower.replication.throttled.replicas',
    documentation: 'Replicas whose follower-side replication is throttled (partition:broker,... or *).',
  }),
  topicKey({
    name: 'index.interval.bytes', type: 'INT', defaultValue: '4096', min: 0,
    brokerSynonyms: 'log.index.interval.bytes', fromBrokerConfig: (c) => String(c.logIndexIntervalBytes),
    documentation: 'Bytes of log between two offset index entries.',
  }),
  topicKey({
    name: 'leader.replication.throttled.replicas', type: 'LIST', defaultValue: '',
    brokerSynonyms: 'leader.replication.throttled.replicas',
    documentation: 'Replicas whose leader-side replication is throttled (partition:broker,... or *).',
  }),
  topicKey({
    name: 'local.retention.bytes', type: 'LONG', defaultValue: '-2', min: -2,
    brokerSynonyms: 'log.local.retention.bytes',
    documentation: 'Local size limit when tiered storage is on; -2 means use retention.bytes.',
  }),
  topicKey({
    name: 'local.retention.ms', type: 'LONG', defaultValue: '-2', min: -2,
    brokerSynonyms: 'log.local.retention.ms',
    documentation: 'Local time limit when tiered storage is on; -2 means use retention.ms.',
  }),
  topicKey({
    name: 'max.compaction.lag.ms', type: 'LONG', defaultValue: LONG_MAX, min: 1,
    brokerSynonyms: 'log.cleaner.max.compaction.lag.ms',
    documentation: 'Longest time a message stays uncompacted.',
  }),
  topicKey({
    name: 'max.message.bytes', type: 'INT', defaultValue: '1048588', min: 0,
    brokerSynonyms: 'message.max.bytes', fromBrokerConfig: (c) => String(c.messageMaxBytes),
    documentation: 'Largest record batch size the topic accepts.',
  }),
  topicKey({
    name: 'message.downconversion.enable', type: 'BOOLEAN', defaultValue: 'true',
    brokerSynonyms: 'log.message.downconversion.enable',
    documentation: 'Whether old fetch versions may receive down-converted messages.',
  }),
  topicKey({
    name: 'message.format.version', type: 'STRING', defaultValue: '3.0-IV1',
    brokerSynonyms: 'log.message.format.version',
    documentation: 'Deprecated: ignored since message format v2 is always used.',
  }),
  topicKey({
    name: 'message.timestamp.after.max.ms', type: 'LONG', defaultValue: LONG_MAX, min: 0,
    brokerSynonyms: 'log.message.timestamp.after.max.ms',
    documentation: 'How far in the future a CreateTime timestamp may be.',
  }),
  topicKey({
    name: 'message.timestamp.before.max.ms', type: 'LONG', defaultValue: LONG_MAX, min: 0,
    brokerSynonyms: 'log.message.timestamp.before.max.ms',
    documentation: 'How far in the past a CreateTime timestamp may be.',
  }),
  topicKey({
    name: 'message.timestamp.difference.max.ms', type: 'LONG', defaultValue: LONG_MAX, min: 0,
    brokerSynonyms: 'log.message.timestamp.difference.max.ms',
    documentation: 'Deprecated: largest allowed difference between a CreateTime timestamp and the broker clock.',
  }),
  topicKey({
    name: 'message.timestamp.type', type: 'STRING', defaultValue: 'CreateTime', validValues: ['CreateTime', 'LogAppendTime'],
    brokerSynonyms: 'log.message.timestamp.type', fromBrokerConfig: (c) => c.logMessageTimestampType,
    documentation: 'Whether record timestamps are the producer\'s (CreateTime) or the broker\'s (LogAppendTime).',
  }),
  topicKey({
    name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', defaultValue: '0.5', min: 0, max: 1,
    brokerSynonyms: 'log.cleaner.min.cleanable.ratio',
    documentation: 'Dirty-to-total ratio above which the cleaner compacts the log.',
  }),
  topicKey({
    name: 'min.compaction.lag.ms', type: 'LONG', defaultValue: '0', min: 0,
    brokerSynonyms: 'log.cleaner.min.compaction.lag.ms',
    documentation: 'Shortest time a message stays uncompacted.',
  }),
  topicKey({
    name: 'min.insync.replicas', type: 'INT', defaultValue: '1', min: 1,
    brokerSynonyms: 'min.insync.replicas',
    documentation: 'Minimum in-sync replicas for an acks=all write to succeed.',
  }),
  topicKey({
    name: 'preallocate', type: 'BOOLEAN', defaultValue: 'false',
    brokerSynonyms: 'log.preallocate',
    documentation: 'Whether segment files are preallocated on creation.',
  }),
  topicKey({
    name: 'remote.storage.enable', type: 'BOOLEAN', defaultValue: 'false',
    documentation: 'Whether tiered storage is enabled for the topic.',
  }),
  topicKey({
    name: 'retention.bytes', type: 'LONG', defaultValue: '-1',
    brokerSynonyms: 'log.retention.bytes', fromBrokerConfig: (c) => String(c.logRetentionBytes),
    documentation: 'Size a partition may grow to before old segments are deleted; -1 means unlimited.',
  }),
  topicKey({
    name: 'retention.ms', type: 'LONG', defaultValue: '604800000', min: -1,
    brokerSynonyms: [
      { name: 'log.retention.ms' },
      { name: 'log.retention.minutes', toTopicValue: minutesToMs },
      { name: 'log.retention.hours', toTopicValue: hoursToMs },
    ],
    fromBrokerConfig: (c) => String(c.logRetentionMs),
    documentation: 'How long a log segment is kept before deletion; -1 means unlimited.',
  }),
  topicKey({
    name: 'segment.bytes', type: 'INT', defaultValue: '1073741824', min: 14,
    brokerSynonyms: 'log.segment.bytes', fromBrokerConfig: (c) => String(c.logSegmentBytes),
    documentation: 'Size of one log segment file.',
  }),
  topicKey({
    name: 'segment.index.bytes', type: 'INT', defaultValue: '10485760', min: 4,
    brokerSynonyms: 'log.index.size.max.bytes', fromBrokerConfig: (c) => String(c.logIndexSizeMaxBytes),
    documentation: 'Size of the offset index preallocated for a segment.',
  }),
  topicKey({
    name: 'segment.jitter.ms', type: 'LONG', defaultValue: '0', min: 0,
    brokerSynonyms: [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', toTopicValue: hoursToMs }],
    documentation: 'Random jitter subtracted from segment.ms to avoid rolling all segments at once.',
  }),
  topicKey({
    name: 'segment.ms', type: 'LONG', defaultValue: '604800000', min: 1,
    brokerSynonyms: [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', toTopicValue: hoursToMs }],
    fromBrokerConfig: (c) => String(c.logRollMs),
    documentation: 'Time after which a segment is rolled even if not full.',
  }),
  topicKey({
    name: 'unclean.leader.election.enable', type: 'BOOLEAN', defaultValue: 'false',
    brokerSynonyms: 'unclean.leader.election.enable',
    documentation: 'Whether an out-of-sync replica may become leader as a last resort.',
  }),
];

const topicConfigsByName = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return topicConfigsByName.get(name);
}

/** Kafka's ConfigException wording: "Invalid value V for configuration K: reason". */
function invalidValue(name: string, value: string, reason: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: ${reason}`);
}

/**
 * Checks one value against a key definition and returns it normalised (trimmed,
 * as Kafka stores it). Throws INVALID_CONFIG with Kafka's message on bad values.
 */
export function validateConfigValue(def: ConfigKeyDef, rawValue: string): string {
  const value = rawValue.trim();
  switch (def.type) {
    case 'BOOLEAN': {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalidValue(def.name, value, 'Expected value to be either true or false');
      return lower;
    }
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(value)) throw invalidValue(def.name, value, `Not a number of type ${def.type}`);
      const n = BigInt(value);
      const [lo, hi] =
        def.type === 'LONG'
          ? [-(2n ** 63n), 2n ** 63n - 1n]
          : def.type === 'INT'
            ? [BigInt(INT_MIN), BigInt(INT_MAX)]
            : [-32768n, 32767n];
      if (n < lo || n > hi) throw invalidValue(def.name, value, `Not a number of type ${def.type}`);
      if (def.min !== undefined && n < BigInt(def.min)) throw invalidValue(def.name, value, `Value must be at least ${def.min}`);
      if (def.max !== undefined && n > BigInt(def.max)) throw invalidValue(def.name, value, `Value must be no more than ${def.max}`);
      return String(n);
    }
    case 'DOUBLE': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw invalidValue(def.name, value, 'Not a number of type DOUBLE');
      if (def.min !== undefined && n < def.min) throw invalidValue(def.name, value, `Value must be at least ${def.min}`);
      if (def.max !== undefined && n > def.max) throw invalidValue(def.name, value, `Value must be no more than ${def.max}`);
      return value;
    }
    case 'LIST': {
      const items = value === '' ? [] : value.split(',').map((s) => s.trim());
      if (def.validValues) {
        for (const item of items) {
          if (!def.validValues.includes(item)) {
            throw invalidValue(def.name, item, `String must be one of: ${def.validValues.join(', ')}`);
          }
        }
      }
      return items.join(',');
    }
    case 'STRING': {
      if (def.validValues) {
        const match = def.caseInsensitive
          ? def.validValues.find((v) => v.toLowerCase() === value.toLowerCase())
          : def.validValues.find((v) => v === value);
        if (match === undefined) throw invalidValue(def.name, value, `String must be one of: ${def.validValues.join(', ')}`);
        return match;
      }
      return value;
    }
    default:
      return value;
  }
}

/**
 * Validates a set of topic overrides (CreateTopics configs, AlterConfigs). Unknown
 * names fail as Kafka's LogConfig.validateNames does. Returns normalised values.
 */
export function validateTopicConfigs(configs: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(configs)) {
    const def = topicConfigsByName.get(name);
    if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
    if (value === null) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs: ${name}`);
    }
    out[name] = validateConfigValue(def, value);
  }
  return out;
}

/** The value the broker supplies for a topic key when the topic has no override. */
export function brokerDefaultFor(def: TopicConfigDef, config: BrokerConfig): string | null {
  if (def.fromBrokerConfig) return def.fromBrokerConfig(config);
  for (const syn of def.brokerSynonyms) {
    const raw = config.raw[syn.name];
    if (raw !== undefined) {
      try {
        const converted = syn.toTopicValue ? syn.toTopicValue(raw) : raw;
        return validateConfigValue(def, converted);
      } catch {
        // a bad broker value falls back to the built-in default, as the key is not one we act on
      }
    }
  }
  return def.defaultValue;
}

/**
 * One DescribeConfigs entry for a topic key. Source follows Kafka: the topic
 * override (DYNAMIC_TOPIC_CONFIG), else STATIC_BROKER_CONFIG only when the
 * *primary* broker synonym (e.g. log.retention.ms, not log.retention.hours) is in
 * server.properties, else DEFAULT_CONFIG. Kafka drops synonyms listed before the
 * primary one, which is why the stock log.retention.hours=168 shows as default.
 */
export function describeTopicConfig(
  def: TopicConfigDef,
  overrides: Record<string, string>,
  config: BrokerConfig,
): DescribedConfig {
  const synonyms: ConfigSynonymEntry[] = [];
  const staticEntries: ConfigSynonymEntry[] = [];
  for (const syn of def.brokerSynonyms) {
    const raw = config.raw[syn.name];
    if (raw !== undefined) staticEntries.push({ name: syn.name, value: raw, source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  const defaultEntries: ConfigSynonymEntry[] = [];
  for (const syn of def.brokerSynonyms) {
    const builtIn = brokerSynonymDefault(syn.name);
    if (builtIn !== null) {
      defaultEntries.push({ name: syn.name, value: builtIn, source: ConfigSource.DEFAULT_CONFIG });
    }
  }
  const primary = def.brokerSynonyms[0]?.name;
  const brokerList = [...staticEntries, ...defaultEntries];
  const firstPrimary = brokerList.findIndex((s) => s.name === primary);
  if (firstPrimary >= 0) synonyms.push(...brokerList.slice(firstPrimary));

  const override = overrides[def.name];
  let value: string | null;
  if (override !== undefined) {
    synonyms.unshift({ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    value = override;
  } else {
    value = brokerDefaultFor(def, config);
  }
  const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
  return {
    name: def.name,
    value,
    source,
    readOnly: false,
    isSensitive: false,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    configType: ConfigType[def.type],
    documentation: def.documentation,
    synonyms,
  };
}

/** Describe every topic key (or just the requested names; unknown names are skipped, as Kafka does). */
export function describeTopicConfigs(
  overrides: Record<string, string>,
  config: BrokerConfig,
  names?: readonly string[] | null,
): DescribedConfig[] {
  const defs = names && names.length > 0 ? names.flatMap((n) => topicConfigsByName.get(n) ?? []) : TOPIC_CONFIGS;
  return defs.map((def) => describeTopicConfig(def, overrides, config));
}

/**
 * Kafka's built-in default of a broker key that is a topic synonym, from the broker
 * config table (null = no default, so no DEFAULT_CONFIG synonym). Kafka's value, not
 * this broker's own start value: it is what Kafka's topic DescribeConfigs reports.
 */
function brokerSynonymDefault(name: string): string | null {
  return brokerKeyDef(name)?.default ?? null;
}

/** Effective value of every topic key for a topic: overrides over broker defaults. */
export function effectiveTopicConfig(overrides: Record<string, string>, config: BrokerConfig): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const def of TOPIC_CONFIGS) out[def.name] = overrides[def.name] ?? brokerDefaultFor(def, config);
  return out;
}
