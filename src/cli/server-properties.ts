/**
 * server.properties → BrokerConfig: the key names, defaults and precedence rules
 * of Kafka's KafkaConfig for the keys this broker acts on. Keys real Kafka knows
 * but we do not act on (zookeeper.connect, num.network.threads, ...) are kept in
 * `raw` without complaint, so stock and tutorial config files start as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultBrokerConfig, type BrokerConfig, type Endpoint } from '../broker/config.js';
import { parseProperties } from './config-files.js';
import { CliError } from './errors.js';

export interface ServerPropertiesSource {
  /** where the text came from, used in error messages (and read when `text` is absent) */
  file?: string;
  /** the file's contents; read from `file` when absent */
  text?: string;
}

const MAX_INT = 2147483647;
const COMPRESSION_TYPES = new Set(['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']);

class PropertyReader {
  constructor(
    private readonly values: Record<string, string>,
    private readonly origin: Record<string, string>,
  ) {}

  has(key: string): boolean {
    return key in this.values;
  }

  string(key: string): string | undefined {
    const value = this.values[key];
    return value === undefined ? undefined : value.trim();
  }

  private fail(key: string, reason: string): never {
    throw new CliError(`Invalid value ${JSON.stringify(this.values[key])} for configuration ${key} in ${this.origin[key]}: ${reason}`);
  }

  int(key: string, min = -MAX_INT - 1): number | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(raw)) this.fail(key, 'Not a number of type INT');
    const value = Number(raw);
    if (value > MAX_INT || value < -MAX_INT - 1) this.fail(key, 'Not a number of type INT');
    if (value < min) this.fail(key, `Value must be at least ${min}`);
    return value;
  }

  long(key: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(raw)) this.fail(key, 'Not a number of type LONG');
    // Long.MAX_VALUE (Kafka's "never") does not fit a JS number exactly; clamp it.
    const value = Math.min(Number(raw), Number.MAX_SAFE_INTEGER);
    if (value < min) this.fail(key, `Value must be at least ${min}`);
    return value;
  }

  bool(key: string): boolean | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    const lower = raw.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    return this.fail(key, 'Expected value to be either true or false');
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(raw)) this.fail(key, `String must be one of: ${allowed.join(', ')}`);
    return raw as T;
  }

  list(key: string): string[] | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  }

  listeners(key: string, securityMap: Record<string, string>, controllerNames: ReadonlySet<string>): Endpoint[] | undefined {
    const items = this.list(key);
    if (items === undefined) return undefined;
    const endpoints: Endpoint[] = [];
    for (const item of items) {
      const match = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(item);
      if (!match) this.fail(key, `Unable to parse ${item} to a broker endpoint (expected NAME://host:port, e.g. PLAINTEXT://:9092)`);
      const name = match[1].toUpperCase();
      const port = Number(match[3]);
      if (port > 65535) this.fail(key, `port ${port} of ${item} is out of range`);
      // KRaft controller listeners belong to a quorum this single-process broker does not run.
      if (controllerNames.has(name)) continue;
      const protocol = securityMap[name] ?? name;
      if (protocol !== 'PLAINTEXT') this.fail(key, `listener ${item} uses ${protocol}; only PLAINTEXT listeners are supported`);
      const host = match[2].startsWith('[') ? match[2].slice(1, -1) : match[2];
      endpoints.push({ name, host, port });
    }
    if (endpoints.length === 0) this.fail(key, 'no PLAINTEXT listener given');
    return endpoints;
  }
}

function securityProtocolMap(reader: PropertyReader): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of reader.list('listener.security.protocol.map') ?? []) {
    const [name, protocol] = entry.split(':');
    if (name && protocol) map[name.trim().toUpperCase()] = protocol.trim().toUpperCase();
  }
  return map;
}

/** Reads a server.properties file (a missing file is one clear error line). */
export function readServerPropertiesFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file; give the path of an existing file (the stock one is config/server.properties), or none for the embedded defaults'
        : code === 'EACCES'
          ? 'permission denied; make it readable (chmod a+r) or copy it somewhere you can read'
          : code === 'EISDIR'
            ? 'it is a directory; give the properties file inside it (e.g. server.properties)'
            : `${(err as Error).message}; give the path of a readable properties file`;
    throw new CliError(`Cannot read server properties file ${file}: ${reason}`);
  }
}

/**
 * Builds a BrokerConfig from server.properties text plus `--override` values
 * (overrides win). Without a source the embedded defaults are used. Throws a
 * CliError naming the key and where it came from for a value that does not parse.
 */
export function parseServerProperties(source: ServerPropertiesSource | undefined, overrides: Record<string, string> = {}): BrokerConfig {
  const fileLabel = source?.file ?? '<server properties>';
  const fromFile = source === undefined ? {} : parseProperties(source.text ?? readServerPropertiesFile(source.file ?? ''));
  const values: Record<string, string> = { ...fromFile, ...overrides };
  const origin: Record<string, string> = {};
  for (const key of Object.keys(fromFile)) origin[key] = fileLabel;
  for (const key of Object.keys(overrides)) origin[key] = '--override';
  const reader = new PropertyReader(values, origin);
  const config = defaultBrokerConfig();
  config.raw = { ...values };

  const brokerId = reader.int('broker.id', -1);
  const nodeId = reader.int('node.id', -1);
  if (brokerId !== undefined && nodeId !== undefined && brokerId !== nodeId && brokerId >= 0 && nodeId >= 0) {
    throw new CliError(`broker.id (${brokerId}) and node.id (${nodeId}) differ in ${fileLabel}; set only one of them, or the same value in both`);
  }
  const id = brokerId !== undefined && brokerId >= 0 ? brokerId : nodeId;
  if (id !== undefined && id >= 0) config.brokerId = id;

  const controllerNames = new Set((reader.list('controller.listener.names') ?? []).map((n) => n.toUpperCase()));
  const securityMap = securityProtocolMap(reader);
  const listeners = reader.listeners('listeners', securityMap, controllerNames);
  if (listeners) {
    config.listeners = listeners;
  } else if (reader.has('port') || reader.has('host.name')) {
    // Pre-1.0 tutorials configure `port` / `host.name` instead of `listeners`.
    config.listeners = [{ name: 'PLAINTEXT', host: reader.string('host.name') ?? '', port: reader.int('port', 0) ?? 9092 }];
  }
  const advertised = reader.listeners('advertised.listeners', securityMap, controllerNames);
  const toLocalhost = (l: Endpoint): Endpoint => ({ ...l, host: l.host === '' || l.host === '0.0.0.0' || l.host === '::' ? 'localhost' : l.host });
  if (advertised) {
    config.advertisedListeners = advertised;
  } else if (reader.has('advertised.host.name') || reader.has('advertised.port')) {
    // Kafka 2.x: without advertised.listeners, advertised.host.name / advertised.port
    // (each defaulting to host.name / port) make the advertised PLAINTEXT listener. Kafka's
    // `port` defaulted to 9092 even beside `listeners`; the listener's own port is meant.
    const host = reader.string('advertised.host.name') ?? reader.string('host.name') ?? '';
    const port = reader.int('advertised.port', 0) ?? reader.int('port', 0) ?? config.listeners[0]?.port ?? 9092;
    config.advertisedListeners = [toLocalhost({ name: 'PLAINTEXT', host, port })];
  } else {
    config.advertisedListeners = config.listeners.map(toLocalhost);
  }

  const logDirs = reader.list('log.dirs') ?? reader.list('log.dir');
  if (logDirs) {
    if (logDirs.length === 0) throw new CliError(`log.dirs in ${fileLabel} is empty; give at least one directory`);
    config.logDirs = logDirs.map((dir) => path.resolve(dir));
  }

  config.numPartitions = reader.int('num.partitions', 1) ?? config.numPartitions;
  config.maxBrokerPartitions = reader.int('max.broker.partitions', 1) ?? config.maxBrokerPartitions;
  config.defaultReplicationFactor = reader.int('default.replication.factor', 1) ?? config.defaultReplicationFactor;
  config.autoCreateTopicsEnable = reader.bool('auto.create.topics.enable') ?? config.autoCreateTopicsEnable;
  config.deleteTopicEnable = reader.bool('delete.topic.enable') ?? config.deleteTopicEnable;
  config.logSegmentBytes = reader.int('log.segment.bytes', 14) ?? config.logSegmentBytes;

  // KafkaConfig precedence: the finest unit given wins (ms > minutes > hours).
  const rollMs = reader.long('log.roll.ms', 1);
  const rollHours = reader.int('log.roll.hours', 1);
  config.logRollMs = rollMs ?? (rollHours !== undefined ? rollHours * 3600_000 : config.logRollMs);
  const retentionMs = reader.long('log.retention.ms', -1);
  const retentionMinutes = reader.int('log.retention.minutes', -1);
  const retentionHours = reader.int('log.retention.hours', -1);
  const retention = retentionMs ?? (retentionMinutes !== undefined ? retentionMinutes * 60_000 : retentionHours !== undefined ? retentionHours * 3600_000 : undefined);
  if (retention !== undefined) config.logRetentionMs = retention < 0 ? -1 : retention;
  config.logRetentionBytes = reader.long('log.retention.bytes') ?? config.logRetentionBytes;
  config.logRetentionCheckIntervalMs = reader.long('log.retention.check.interval.ms', 1) ?? config.logRetentionCheckIntervalMs;
  config.logIndexIntervalBytes = reader.int('log.index.interval.bytes', 0) ?? config.logIndexIntervalBytes;
  config.logIndexSizeMaxBytes = reader.int('log.index.size.max.bytes', 4) ?? config.logIndexSizeMaxBytes;
  config.logFlushIntervalMessages = reader.long('log.flush.interval.messages', 1) ?? config.logFlushIntervalMessages;
  config.logFlushIntervalMs = reader.long('log.flush.interval.ms', 0) ?? config.logFlushIntervalMs;
  config.logFlushSchedulerIntervalMs = reader.long('log.flush.scheduler.interval.ms', 0) ?? config.logFlushSchedulerIntervalMs;
  config.logCleanerEnable = reader.bool('log.cleaner.enable') ?? config.logCleanerEnable;
  const cleanupPolicy = reader.list('log.cleanup.policy');
  if (cleanupPolicy) {
    for (const policy of cleanupPolicy) {
      if (policy !== 'delete' && policy !== 'compact') throw new CliError(`Invalid value ${JSON.stringify(values['log.cleanup.policy'])} for configuration log.cleanup.policy in ${origin['log.cleanup.policy']}: use delete, compact or delete,compact`);
    }
    config.logCleanupPolicy = cleanupPolicy.join(',');
  }
  config.messageMaxBytes = reader.int('message.max.bytes', 0) ?? config.messageMaxBytes;
  config.socketRequestMaxBytes = reader.int('socket.request.max.bytes', 1) ?? config.socketRequestMaxBytes;
  config.offsetsTopicNumPartitions = reader.int('offsets.topic.num.partitions', 1) ?? config.offsetsTopicNumPartitions;
  config.offsetsTopicReplicationFactor = reader.int('offsets.topic.replication.factor', 1) ?? config.offsetsTopicReplicationFactor;
  config.offsetsRetentionMinutes = reader.int('offsets.retention.minutes', 1) ?? config.offsetsRetentionMinutes;
  config.groupInitialRebalanceDelayMs = reader.int('group.initial.rebalance.delay.ms', 0) ?? config.groupInitialRebalanceDelayMs;
  config.groupMinSessionTimeoutMs = reader.int('group.min.session.timeout.ms', 0) ?? config.groupMinSessionTimeoutMs;
  config.groupMaxSessionTimeoutMs = reader.int('group.max.session.timeout.ms', 0) ?? config.groupMaxSessionTimeoutMs;
  config.transactionalIdExpirationMs = reader.int('transactional.id.expiration.ms', 1) ?? config.transactionalIdExpirationMs;
  config.logMessageTimestampType = reader.oneOf('log.message.timestamp.type', ['CreateTime', 'LogAppendTime'] as const) ?? config.logMessageTimestampType;
  const compression = reader.string('compression.type');
  if (compression !== undefined) {
    if (!COMPRESSION_TYPES.has(compression)) {
      throw new CliError(`Invalid value ${JSON.stringify(values['compression.type'])} for configuration compression.type in ${origin['compression.type']}: String must be one of: ${[...COMPRESSION_TYPES].join(', ')}`);
    }
    config.compressionType = compression;
  }
  return config;
}

/** `listeners` rendered back as Kafka writes them, e.g. `PLAINTEXT://localhost:9092`. */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.name}://${host}:${endpoint.port}`;
}
