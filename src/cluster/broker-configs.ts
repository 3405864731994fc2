/**
 * Broker-level configs as DescribeConfigs reports them for resource type BROKER (4):
 * every key of the broker config table (src/broker/config-keys.ts) plus every key the
 * broker's file set that the table does not know, as Kafka's ConfigHelper does.
 *
 * Sources and synonyms follow Kafka's ConfigHelper.configSynonyms: for each of the key's
 * synonyms (log.retention.ms/minutes/hours, ...) first the ones set in server.properties
 * (STATIC_BROKER_CONFIG), then the ones with a default (DEFAULT_CONFIG); entries before
 * the key's own name are dropped, so log.retention.ms with only log.retention.hours in
 * the file has no synonyms and reads null. Values come from the typed BrokerConfig where
 * the key has a field, so --override and embedded configs are reflected.
 */
import type { BrokerConfig, Endpoint } from '../broker/config.js';
import {
  BROKER_KEYS,
  brokerKeyDef,
  brokerSynonyms,
  effectiveDefault,
  isKeySet,
  kafkaTypeName,
  parseBrokerValue,
  renderBrokerValue,
  type BrokerKeyDef,
} from '../broker/config-keys.js';
import { ConfigSource, ConfigType, type ConfigTypeName, type DescribedConfig, type ConfigSynonymEntry } from './topic-config.js';

const endpoints = (list: readonly Endpoint[]): string => list.map((e) => `${e.name}://${e.host}:${e.port}`).join(',');

/**
 * Keys whose value is computed from several keys rather than read from one field. The
 * id and the bound listeners are always reported as in effect; advertised.listeners and
 * log.dirs only when set, since Kafka reports null for them otherwise (their effective
 * values then come from listeners and log.dir).
 */
const DERIVED_VALUES: Readonly<Record<string, { value: (c: BrokerConfig) => string; onlyWhenSet?: boolean }>> = {
  'broker.id': { value: (c) => String(c.brokerId) },
  'node.id': { value: (c) => String(c.brokerId) },
  listeners: { value: (c) => endpoints(c.listeners) },
  'advertised.listeners': { value: (c) => endpoints(c.advertisedListeners), onlyWhenSet: true },
  'log.dirs': { value: (c) => c.logDirs.join(','), onlyWhenSet: true },
};

/**
 * A key outside the table (a file key we do not know): a string, secret when it looks like
 * one. A per-listener key (listener.name.<l>.<key>, listener.name.<l>.<mechanism>.sasl.jaas.config)
 * has the type of the key it overrides, as in Kafka, so its secrets stay hidden too.
 */
const SENSITIVE_PATTERN = /password|secret|\.jaas\.config$|ssl\.keystore\.key$|ssl\.keystore\.certificate\.chain$|ssl\.truststore\.certificates$/i;

function unknownKey(name: string): BrokerKeyDef {
  const overridden = /^listener\.name\.[^.]+\.(.+)$/.exec(name)?.[1];
  const base = overridden === undefined ? undefined : brokerKeyDef(overridden);
  const secret = SENSITIVE_PATTERN.test(name) || base?.type === 'password';
  return { name, type: secret ? 'password' : 'string', default: null, importance: 'low', applies: false, doc: '' };
}

/** The value DescribeConfigs reports for a key: the typed field, else the parsed file value, else the default. */
function describedValue(def: BrokerKeyDef, config: BrokerConfig): string | null {
  const derived = DERIVED_VALUES[def.name];
  if (derived && (!derived.onlyWhenSet || isKeySet(config, def.name))) return derived.value(config);
  if (def.field !== undefined) {
    const value = (config as unknown as Record<string, number | boolean | string | null>)[def.field];
    return renderBrokerValue(def, value);
  }
  const raw = config.raw[def.name];
  if (raw === undefined) return effectiveDefault(def);
  try {
    return renderBrokerValue(def, parseBrokerValue(def, raw));
  } catch {
    return raw;
  }
}

function synonymsOf(def: BrokerKeyDef, config: BrokerConfig, sensitive: boolean): ConfigSynonymEntry[] {
  const names = brokerKeyDef(def.name) ? brokerSynonyms(def.name) : [def.name];
  const all: ConfigSynonymEntry[] = [];
  for (const name of names) {
    if (isKeySet(config, name)) all.push({ name, value: sensitive ? null : config.raw[name], source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  for (const name of names) {
    const synonymDef = brokerKeyDef(name);
    const value = synonymDef ? effectiveDefault(synonymDef) : null;
    if (value !== null) all.push({ name, value: sensitive ? null : value, source: ConfigSource.DEFAULT_CONFIG });
  }
  const own = all.findIndex((s) => s.name === def.name);
  return own < 0 ? [] : all.slice(own);
}

/**
 * DescribeConfigs entries for this broker, sorted by name unless `names` picks some.
 * Keys Kafka cannot change at runtime are readOnly; PASSWORD keys are sensitive and
 * their values null.
 */
export function describeBrokerConfigs(config: BrokerConfig, names?: readonly string[] | null): DescribedConfig[] {
  const defs = new Map<string, BrokerKeyDef>(BROKER_KEYS.map((d) => [d.name, d]));
  for (const key of Object.keys(config.raw)) {
    if (!defs.has(key)) defs.set(key, unknownKey(key));
  }
  const wanted = names && names.length > 0 ? names : [...defs.keys()].sort();
  const out: DescribedConfig[] = [];
  for (const name of wanted) {
    const def = defs.get(name);
    if (!def) continue;
    const sensitive = def.type === 'password';
    const synonyms = synonymsOf(def, config, sensitive);
    const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
    out.push({
      name,
      value: sensitive ? null : describedValue(def, config),
      source,
      readOnly: !def.dynamic,
      isSensitive: sensitive,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configType: ConfigType[kafkaTypeName(def) as ConfigTypeName],
      documentation: def.doc,
      synonyms,
    });
  }
  return out;
}
