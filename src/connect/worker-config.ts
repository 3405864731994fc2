/**
 * The worker configuration (Kafka's WorkerConfig, StandaloneConfig, DistributedConfig):
 * the keys a connect-*.properties file sets, with Kafka's defaults, checked once at
 * start so that a bad value is one line naming the key.
 */
import { ConnectConfigError } from './errors.js';

export interface RestListener {
  host: string;
  port: number;
}

export interface WorkerConfig {
  bootstrapServers: string[];
  /** every key as given, for converters (key.converter.*) and client overrides */
  props: Record<string, string>;
  offsetFlushIntervalMs: number;
  listener: RestListener;
  advertisedHost: string;
  advertisedPort: number;
  /** standalone */
  offsetFile?: string;
  /** distributed */
  groupId?: string;
  configTopic: string;
  offsetTopic: string;
  statusTopic: string;
  configReplicationFactor: number;
  offsetReplicationFactor: number;
  statusReplicationFactor: number;
  offsetPartitions: number;
  statusPartitions: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

function intKey(props: Record<string, string>, key: string, fallback: number, min = Number.MIN_SAFE_INTEGER): number {
  const raw = props[key];
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConnectConfigError(`Invalid value ${raw} for configuration ${key}: Not a number of type INT`);
  const value = Number(raw.trim());
  if (value < min) throw new ConnectConfigError(`Invalid value ${raw} for configuration ${key}: Value must be at least ${min}`);
  return value;
}

/** `listeners` (`http://host:port`, the first one) or the older `rest.host.name` + `rest.port`. */
function restListener(props: Record<string, string>): RestListener {
  const listeners = props.listeners?.trim();
  if (listeners) {
    const first = listeners.split(',')[0].trim();
    const match = /^([A-Za-z]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/.exec(first);
    if (!match) throw new ConnectConfigError(`Invalid value ${listeners} for configuration listeners: expected a URL like http://:8083 or http://localhost:8083`);
    if (match[1].toLowerCase() !== 'http') {
      throw new ConnectConfigError(`Invalid value ${listeners} for configuration listeners: only http listeners are served here (https is not supported yet)`);
    }
    return { host: match[2].replace(/^\[|\]$/g, ''), port: Number(match[3]) };
  }
  return { host: props['rest.host.name']?.trim() ?? '', port: intKey(props, 'rest.port', 8083, 0) };
}

export function workerConfig(props: Record<string, string>, mode: 'standalone' | 'distributed'): WorkerConfig {
  for (const key of ['key.converter', 'value.converter']) {
    if (!props[key]) throw new ConnectConfigError(`Missing required configuration "${key}" which has no default value.`);
  }
  const listener = restListener(props);
  const wildcard = listener.host === '' || listener.host === '0.0.0.0' || listener.host === '::';
  const config: WorkerConfig = {
    bootstrapServers: (props['bootstrap.servers'] ?? 'localhost:9092').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    props,
    offsetFlushIntervalMs: intKey(props, 'offset.flush.interval.ms', 60000, 1),
    listener,
    advertisedHost: props['rest.advertised.host.name']?.trim() || (wildcard ? '127.0.0.1' : listener.host),
    advertisedPort: intKey(props, 'rest.advertised.port', listener.port, 0),
    configTopic: props['config.storage.topic'] ?? '',
    offsetTopic: props['offset.storage.topic'] ?? '',
    statusTopic: props['status.storage.topic'] ?? '',
    configReplicationFactor: intKey(props, 'config.storage.replication.factor', 3, -1),
    offsetReplicationFactor: intKey(props, 'offset.storage.replication.factor', 3, -1),
    statusReplicationFactor: intKey(props, 'status.storage.replication.factor', 3, -1),
    offsetPartitions: intKey(props, 'offset.storage.partitions', 25, 1),
    statusPartitions: intKey(props, 'status.storage.partitions', 5, 1),
    sessionTimeoutMs: intKey(props, 'session.timeout.ms', 10000, 1),
    heartbeatIntervalMs: intKey(props, 'heartbeat.interval.ms', 3000, 1),
  };
  if (config.bootstrapServers.length === 0) throw new ConnectConfigError('Invalid value for configuration bootstrap.servers: give at least one host:port');
  if (mode === 'standalone') {
    const file = props['offset.storage.file.filename']?.trim();
    if (!file) throw new ConnectConfigError('Missing required configuration "offset.storage.file.filename" which has no default value.');
    config.offsetFile = file;
  } else {
    const groupId = props['group.id']?.trim();
    if (!groupId) throw new ConnectConfigError('Missing required configuration "group.id" which has no default value.');
    config.groupId = groupId;
    for (const key of ['config.storage.topic', 'offset.storage.topic', 'status.storage.topic']) {
      if (!props[key]?.trim()) throw new ConnectConfigError(`Missing required configuration "${key}" which has no default value.`);
    }
  }
  return config;
}

/** The worker id Kafka shows in status (`worker_id`): the advertised REST host and port. */
export function workerId(config: WorkerConfig): string {
  return `${config.advertisedHost}:${config.advertisedPort}`;
}

export function advertisedUrl(config: WorkerConfig): string {
  const host = config.advertisedHost.includes(':') ? `[${config.advertisedHost}]` : config.advertisedHost;
  return `http://${host}:${config.advertisedPort}/`;
}
