/**
 * server.properties → BrokerConfig: the key names, defaults and precedence rules
 * of Kafka's KafkaConfig for the keys this broker acts on. Keys real Kafka knows
 * but we do not act on (zookeeper.connect, num.network.threads, ...) are kept in
 * `raw` without complaint, so stock and tutorial config files start as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultBrokerConfig, setBrokerField, type BrokerConfig, type Endpoint } from '../broker/config.js';
import { BROKER_KEYS, BrokerValueError, brokerKeyDef, parseBrokerValue, type BrokerKeyDef, type BrokerValue } from '../broker/config-keys.js';
import { parseProperties } from './config-files.js';
import { isSecurityProtocol, parseSecurityProtocolMap } from '../broker/security/listeners.js';
import { CliError } from './errors.js';

export interface ServerPropertiesSource {
  /** where the text came from, used in error messages (and read when `text` is absent) */
  file?: string;
  /** the file's contents; read from `file` when absent */
  text?: string;
}

/** Reads keys by the broker config table: its type, validator and error wording. */
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

  fail(key: string, reason: string): never {
    throw new CliError(`Invalid value ${JSON.stringify(this.values[key])} for configuration ${key} in ${this.origin[key]}: ${reason}`);
  }

  /** The key's value parsed and validated as its table entry says; undefined when not set. */
  value(def: BrokerKeyDef): BrokerValue | undefined {
    const raw = this.values[def.name];
    if (raw === undefined) return undefined;
    try {
      return parseBrokerValue(def, raw);
    } catch (err) {
      if (err instanceof BrokerValueError) this.fail(def.name, err.message);
      throw err;
    }
  }

  /** A numeric key of the table. */
  number(key: string): number | undefined {
    return this.value(tableKey(key)) as number | undefined;
  }

  list(key: string): string[] | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  }

  /**
   * `controllerOnly` (process.roles=controller): the node serves only its controller
   * listeners, so those are its listeners; otherwise they are left to the quorum (node-config).
   */
  listeners(key: string, securityMap: Record<string, string>, controllerNames: ReadonlySet<string>, controllerOnly = false): Endpoint[] | undefined {
    const items = this.list(key);
    if (items === undefined) return undefined;
    const endpoints: Endpoint[] = [];
    for (const item of items) {
      const match = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(item);
      if (!match) this.fail(key, `Unable to parse ${item} to a broker endpoint (expected NAME://host:port, e.g. PLAINTEXT://:9092)`);
      const name = match[1].toUpperCase();
      const port = Number(match[3]);
      if (port > 65535) this.fail(key, `port ${port} of ${item} is out of range`);
      // KRaft controller listeners are bound by the quorum (cluster/node-config.ts), not as broker listeners.
      if (controllerNames.has(name) !== controllerOnly) continue;
      // Kafka maps a controller listener missing from the map to PLAINTEXT (effectiveListenerSecurityProtocolMap)
      const protocol = securityMap[name] ?? (controllerNames.has(name) ? 'PLAINTEXT' : undefined);
      if (protocol === undefined || !isSecurityProtocol(protocol)) {
        this.fail(key, `No security protocol defined for listener ${name}: add ${name}:PLAINTEXT (or SSL, SASL_PLAINTEXT, SASL_SSL) to listener.security.protocol.map`);
      }
      const host = match[2].startsWith('[') ? match[2].slice(1, -1) : match[2];
      // PLAINTEXT is what an endpoint without a protocol means (embedders' plain endpoints)
      endpoints.push(protocol === 'PLAINTEXT' ? { name, host, port } : { name, host, port, securityProtocol: protocol });
    }
    if (endpoints.length === 0) this.fail(key, controllerOnly ? 'no listener named in controller.listener.names given (process.roles=controller)' : 'no broker listener given (every listener is a controller listener)');
    return endpoints;
  }
}

function tableKey(name: string): BrokerKeyDef {
  const def = brokerKeyDef(name);
  if (!def) throw new Error(`${name} is not in the broker config table`);
  return def;
}

/** listener.security.protocol.map (Kafka's default when unset: each protocol name maps to itself). */
function securityProtocolMap(reader: PropertyReader): Record<string, string> {
  try {
    return Object.fromEntries(parseSecurityProtocolMap(reader.string('listener.security.protocol.map')));
  } catch (err) {
    return reader.fail('listener.security.protocol.map', (err as Error).message);
  }
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

  // Every table key with a BrokerConfig field, and every other table key's type and range:
  // Kafka validates the whole file, including keys this broker does not act on.
  for (const def of BROKER_KEYS) {
    const value = reader.value(def);
    if (value !== undefined) setBrokerField(config, def, value);
  }

  const brokerId = reader.number('broker.id');
  const nodeId = reader.number('node.id');
  if (brokerId !== undefined && nodeId !== undefined && brokerId !== nodeId && brokerId >= 0 && nodeId >= 0) {
    throw new CliError(`broker.id (${brokerId}) and node.id (${nodeId}) differ in ${fileLabel}; set only one of them, or the same value in both`);
  }
  const id = brokerId !== undefined && brokerId >= 0 ? brokerId : nodeId;
  if (id !== undefined && id >= 0) config.brokerId = id;

  const controllerNames = new Set((reader.list('controller.listener.names') ?? []).map((n) => n.toUpperCase()));
  const securityMap = securityProtocolMap(reader);
  const controllerOnly = (reader.list('process.roles') ?? []).join(',') === 'controller' && controllerNames.size > 0;
  const listeners = reader.listeners('listeners', securityMap, controllerNames, controllerOnly);
  if (listeners) {
    config.listeners = listeners;
  } else if (reader.has('port') || reader.has('host.name')) {
    // Pre-1.0 tutorials configure `port` / `host.name` instead of `listeners`.
    config.listeners = [{ name: 'PLAINTEXT', host: reader.string('host.name') ?? '', port: reader.number('port') ?? 9092 }];
  }
  const advertised = reader.listeners('advertised.listeners', securityMap, controllerNames, controllerOnly);
  const toLocalhost = (l: Endpoint): Endpoint => ({ ...l, host: l.host === '' || l.host === '0.0.0.0' || l.host === '::' ? 'localhost' : l.host });
  if (advertised) {
    config.advertisedListeners = advertised;
  } else if (reader.has('advertised.host.name') || reader.has('advertised.port')) {
    // Kafka 2.x: without advertised.listeners, advertised.host.name / advertised.port
    // (each defaulting to host.name / port) make the advertised PLAINTEXT listener. Kafka's
    // `port` defaulted to 9092 even beside `listeners`; the listener's own port is meant.
    const host = reader.string('advertised.host.name') ?? reader.string('host.name') ?? '';
    const port = reader.number('advertised.port') ?? reader.number('port') ?? config.listeners[0]?.port ?? 9092;
    config.advertisedListeners = [toLocalhost({ name: 'PLAINTEXT', host, port })];
  } else {
    config.advertisedListeners = config.listeners.map(toLocalhost);
  }

  const logDirs = reader.list('log.dirs') ?? reader.list('log.dir');
  if (logDirs) {
    if (logDirs.length === 0) throw new CliError(`log.dirs in ${fileLabel} is empty; give at least one directory`);
    config.logDirs = logDirs.map((dir) => path.resolve(dir));
  }

  // KafkaConfig precedence: the finest unit given wins (ms > minutes > hours).
  const rollMs = reader.number('log.roll.ms');
  const rollHours = reader.number('log.roll.hours');
  config.logRollMs = rollMs ?? (rollHours !== undefined ? rollHours * 3600_000 : config.logRollMs);
  const retentionMs = reader.number('log.retention.ms');
  const retentionMinutes = reader.number('log.retention.minutes');
  const retentionHours = reader.number('log.retention.hours');
  const retention = retentionMs ?? (retentionMinutes !== undefined ? retentionMinutes * 60_000 : retentionHours !== undefined ? retentionHours * 3600_000 : undefined);
  if (retention !== undefined) config.logRetentionMs = retention < 0 ? -1 : retention;
  return config;
}

/** `listeners` rendered back as Kafka writes them, e.g. `PLAINTEXT://localhost:9092`. */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.name}://${host}:${endpoint.port}`;
}
