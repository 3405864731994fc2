/**
 * kafka-configs (ConfigCommand) for topics and brokers: --describe prints
 * `Dynamic configs for topic t are:` (`All configs ...` with --all) and one
 * `  key=value sensitive=false synonyms={SOURCE:key=value, ...}` line per entry;
 * --alter sets (--add-config, Kafka's `k=[a,b]` bracket syntax) and removes
 * (--delete-config) keys with IncrementalAlterConfigs and prints
 * `Completed updating config for topic t.`. Argument mistakes print one line on
 * stderr (exit 1) as ConfigCommand does; broker failures print
 * `Error while executing config command with args '...': <reason>`.
 */
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type {
  AlterConfigsResponse,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  IncrementalAlterConfigsResponse,
} from '../../protocol/generated/types.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { ensureReachable, parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { javaStringOrder } from '../format.js';
import { parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { BrokerErrorResponse, WireAdmin, type BrokerConnection } from '../wire-client.js';
import { validateTopicName } from './kafka-topics.js';
import { alterUserScram, describeUserScram, parseScramValue, redactPasswords, SCRAM_CONFIG_NAMES } from '../user-scram.js';

export const spec: CommandSpec = {
  name: 'kafka-configs',
  summary: 'This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group',
  options: [
    { name: 'bootstrap-server', arg: 'String: server to connect to', description: 'The Kafka servers to connect to.', complete: 'none' },
    { name: 'zookeeper', arg: 'String: urls', description: 'DEPRECATED (removed in Kafka 4.0): accepted for old tutorials; the broker at localhost:9092 is used instead.', hidden: true, complete: 'none' },
    { name: 'command-config', arg: 'String: command config property file', description: 'Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server option for describing and altering broker configs.', complete: 'file' },
    { name: 'describe', description: 'List configs for the given entity.' },
    { name: 'alter', description: 'Alter the configuration for the entity.' },
    { name: 'all', description: 'List all configs for the given topic, broker, or broker-logger entity (includes static configuration when the entity type is brokers)' },
    { name: 'entity-type', arg: 'String', repeatable: true, description: 'Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)', complete: ['topics', 'brokers', 'users'] },
    { name: 'entity-name', arg: 'String', repeatable: true, description: 'Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)', complete: 'none' },
    { name: 'entity-default', description: 'Default entity name for clients/users/brokers/ips (applies to corresponding entity type)' },
    { name: 'add-config', arg: 'String', description: 'Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: \'k1=v1,k2=[v1,v2,v2],k3=v3\'.', complete: 'none' },
    { name: 'add-config-file', arg: 'String', description: 'Path to a properties file with configs to add. See add-config for a list of valid configurations.', complete: 'file' },
    { name: 'delete-config', arg: 'String', repeatable: true, description: 'config keys to remove \'k1,k2\'', complete: 'none' },
    { name: 'force', description: 'Suppress console prompts' },
    { name: 'topic', arg: 'String', description: 'The topic\'s name.', complete: 'none' },
    { name: 'broker', arg: 'String', description: 'The broker\'s ID.', complete: 'none' },
    { name: 'user', arg: 'String', description: 'The user\'s principal name.', complete: 'none' },
    { name: 'broker-defaults', description: 'The config defaults for all brokers.' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

/** Every entity type Kafka's ConfigCommand names; this toolkit's broker keeps configs for topics and brokers, and SCRAM credentials for users. */
const SUPPORTED_TYPES = ['topics', 'brokers', 'users'] as const;
const KAFKA_TYPES = ['topics', 'clients', 'users', 'brokers', 'broker-loggers', 'ips', 'client-metrics', 'groups'];
type EntityType = (typeof SUPPORTED_TYPES)[number];

/** DescribeConfigs / IncrementalAlterConfigs resource types. */
// users are no config resource: their SCRAM credentials go through user-scram.ts
const RESOURCE_TYPE: Record<EntityType, number> = { topics: 2, brokers: 4, users: 0 };

/** ConfigEntry.ConfigSource names by DescribeConfigs v1+ wire id (the Admin client's names). */
const CONFIG_SOURCES: readonly string[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'DYNAMIC_CLIENT_METRICS_CONFIG',
  'DYNAMIC_GROUP_CONFIG',
];
const DYNAMIC_TOPIC_CONFIG = 1;
const DYNAMIC_BROKER_CONFIG = 2;
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;

export function configSourceName(source: number): string {
  return CONFIG_SOURCES[source] ?? 'UNKNOWN';
}

export interface ConfigCommandOptions {
  action: 'describe' | 'alter';
  bootstrapServers: string[];
  viaZookeeper: boolean;
  entityType: EntityType;
  /** undefined: every entity of the type (describe only); '': the cluster default (brokers) */
  entityName?: string;
  describeAll: boolean;
  configsToAdd: Array<[string, string]>;
  configsToDelete: string[];
  adminProperties: Record<string, string>;
}

/**
 * Parses `--add-config`: pairs split at commas outside square brackets, each
 * `key=value` (split at an `=` outside brackets, so a value holding `=` must be
 * bracketed), brackets then dropped from the value: `k=[a,b]` sets `a,b`.
 */
export function parseAddConfig(text: string): Array<[string, string]> {
  const outsideBrackets = '(?=[^\\]]*(?:\\[|$))';
  const items = text.split(new RegExp(`,${outsideBrackets}`));
  // Java's String.split drops trailing empty strings
  while (items.length > 1 && items[items.length - 1] === '') items.pop();
  const pairs: Array<[string, string]> = [];
  for (const item of items) {
    const parts = item.split(new RegExp(`\\s*=\\s*${outsideBrackets}`));
    if (parts.length !== 2) throw new CliError('requirement failed: Invalid entity config: all configs to be added must be in the format "key=val".');
    pairs.push([parts[0].trim(), parts[1].replace(/[[\]]/g, '').trim()]);
  }
  return pairs;
}

function validateConfigKeys(pairs: ReadonlyArray<[string, string]>): void {
  for (const [key] of pairs) {
    if (!/^[a-zA-Z0-9._-]*$/.test(key)) throw new CliError(`Invalid character found for config key: ${key}`);
  }
}

/** Validates the flags the way ConfigCommandOptions.checkArgs does; returns what to do. */
export function configCommandOptions(args: ParsedArgs): ConfigCommandOptions {
  const actions = (['alter', 'describe'] as const).filter((a) => args.has(a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --describe, --alter');
  const action = actions[0];
  if (action === 'describe') {
    for (const invalid of ['add-config', 'add-config-file', 'delete-config']) {
      if (args.has(invalid)) throw new UsageError(`Option "[describe]" can't be used with option "[${invalid}]"`);
    }
  }

  const shortcutTypes: string[] = [];
  if (args.has('topic')) shortcutTypes.push('topics');
  if (args.has('broker') || args.has('broker-defaults')) shortcutTypes.push('brokers');
  if (args.has('user')) shortcutTypes.push('users');
  const types = [...args.all('entity-type').map((t) => t.trim()), ...shortcutTypes];
  const duplicates = types.filter((t, i) => types.indexOf(t) !== i);
  if (duplicates.length > 0) throw new CliError(`Duplicate entity type(s) specified: ${[...new Set(duplicates)].join(',')}`);
  for (const type of types) {
    if (!KAFKA_TYPES.includes(type)) {
      throw new CliError(`Invalid entity type ${type}, the entity type must be one of ${KAFKA_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`);
    }
    if (!(SUPPORTED_TYPES as readonly string[]).includes(type)) {
      throw new CliError(`Entity type ${type} is not supported by this broker: only topics and brokers have configs here, and users SCRAM credentials`);
    }
  }
  if (types.length === 0) throw new CliError('At least one entity type must be specified');
  if (types.length > 1) throw new CliError("Only 'users' and 'clients' entity types may be specified together");
  const entityType = types[0] as EntityType;

  const usesGeneric = args.has('entity-type') || args.has('entity-name') || args.has('entity-default');
  if (usesGeneric && shortcutTypes.length > 0) {
    throw new CliError('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
  }
  const names: string[] = [
    ...args.all('entity-name'),
    ...(args.has('entity-default') ? [''] : []),
    ...(args.has('topic') ? [args.get('topic') ?? ''] : []),
    ...(args.has('broker') ? [args.get('broker') ?? ''] : []),
    ...(args.has('user') ? [args.get('user') ?? ''] : []),
    ...(args.has('broker-defaults') ? [''] : []),
  ];
  if (names.length > 1) throw new CliError('Exactly one entity name must be specified for every entity type');
  const entityName = names[0];
  if (entityName === '' && entityType === 'topics') throw new CliError('--entity-default is only valid for clients, users, brokers and ips');

  let bootstrap = args.get('bootstrap-server');
  const viaZookeeper = bootstrap === undefined && args.has('zookeeper');
  if (viaZookeeper) bootstrap = 'localhost:9092';
  if (bootstrap === undefined) throw new CliError('One of the required --bootstrap-server, --bootstrap-controller, or --zookeeper arguments must be specified');

  if (entityType === 'brokers' && entityName !== undefined && entityName !== '' && !/^-?\d+$/.test(entityName.trim())) {
    throw new CliError(`The entity name for brokers must be a valid integer broker id, but it is: ${entityName}`);
  }

  let configsToAdd: Array<[string, string]> = [];
  let configsToDelete: string[] = [];
  if (action === 'alter') {
    if (entityName === undefined) {
      throw new CliError(entityType === 'brokers'
        ? 'an entity-name or default entity must be specified with --alter of users, clients, brokers or ips'
        : `an entity name must be specified with --alter of ${entityType}`);
    }
    if (args.has('add-config') && args.has('add-config-file')) throw new CliError('Only one of --add-config or --add-config-file must be specified');
    if (!args.has('add-config') && !args.has('add-config-file') && !args.has('delete-config')) {
      throw new CliError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    }
    const addConfig = args.get('add-config');
    const addConfigFile = args.get('add-config-file');
    if (addConfig !== undefined) configsToAdd = parseAddConfig(addConfig);
    else if (addConfigFile !== undefined) configsToAdd = Object.entries(readPropertiesFile(addConfigFile, 'config file'));
    validateConfigKeys(configsToAdd);
    if (entityType === 'users') {
      if (entityName === '') throw new CliError('SCRAM credentials belong to a named user: give --entity-name <user>, not --entity-default');
      const other = [...configsToAdd.map(([k]) => k), ...args.all('delete-config').flatMap((v) => v.split(',')).map((k) => k.trim())]
        .filter((k) => k !== '' && !(SCRAM_CONFIG_NAMES as readonly string[]).includes(k));
      if (other.length > 0) throw new CliError(`Invalid config(s) for users: ${other.join(',')}; this broker keeps only SCRAM credentials for users (SCRAM-SHA-256, SCRAM-SHA-512)`);
    }
    // --delete-config is repeatable and each value is a comma-separated list
    configsToDelete = args.all('delete-config').flatMap((v) => v.split(',')).map((k) => k.trim()).filter((k) => k.length > 0);
  }

  const commandConfig = args.get('command-config');
  return {
    action,
    bootstrapServers: parseBootstrapServers(bootstrap),
    viaZookeeper,
    entityType,
    entityName: entityName?.trim(),
    describeAll: args.has('all'),
    configsToAdd,
    configsToDelete,
    adminProperties: commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {},
  };
}

/** One config entry as ConfigCommand prints it. */
export interface ConfigEntry {
  name: string;
  value: string | null;
  isSensitive: boolean;
  source: number;
  synonyms: ReadonlyArray<{ name: string; value: string | null; source: number }>;
}

/** `  key=value sensitive=false synonyms={SOURCE:key=value, ...}` */
export function formatConfigEntry(entry: ConfigEntry): string {
  const synonyms = entry.synonyms.map((s) => `${configSourceName(s.source)}:${s.name}=${s.value ?? 'null'}`).join(', ');
  return `  ${entry.name}=${entry.value ?? 'null'} sensitive=${entry.isSensitive} synonyms={${synonyms}}`;
}

/** The heading above an entity's entries. */
export function describeHeading(entityType: EntityType, entityName: string, describeAll: boolean): string {
  if (entityName === '') return `Default configs for ${entityType} in the cluster are:`;
  return `${describeAll ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${entityName} are:`;
}

/** Which entries a plain --describe shows: those set dynamically on exactly this entity. */
function dynamicSource(entityType: EntityType, entityName: string): number {
  if (entityType === 'topics') return DYNAMIC_TOPIC_CONFIG;
  return entityName === '' ? DYNAMIC_DEFAULT_BROKER_CONFIG : DYNAMIC_BROKER_CONFIG;
}

function checkTopicName(name: string): void {
  try {
    validateTopicName(name);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** A runtime failure answered by the broker: printed with ConfigCommand's prefix. */
class ConfigCommandFailure extends Error {}

class ConfigCommand {
  constructor(private readonly admin: WireAdmin, private readonly options: ConfigCommandOptions) {}

  /** The broker to ask: the named broker for a broker entity, else the bootstrap broker. */
  private async connectionFor(entityName: string): Promise<BrokerConnection> {
    if (this.options.entityType === 'brokers' && entityName !== '') {
      const id = Number(entityName);
      const metadata = await this.admin.metadata([]);
      const node = metadata.brokers.find((b) => b.nodeId === id);
      if (!node) throw new ConfigCommandFailure(`Broker ${entityName} is not part of the cluster (brokers: ${metadata.brokers.map((b) => b.nodeId).join(', ') || 'none'})`);
      return this.admin.connectTo({ nodeId: node.nodeId, host: node.host, port: node.port, rack: node.rack });
    }
    return this.admin.bootstrap();
  }

  /** DescribeConfigs for one entity, sorted by name, filtered to its dynamic entries unless `all`. */
  async resourceConfig(entityName: string, includeSynonyms: boolean, all: boolean): Promise<ConfigEntry[]> {
    const { entityType } = this.options;
    if (entityType === 'topics') checkTopicName(entityName);
    const connection = await this.connectionFor(entityName);
    // v1 is the first version with config sources and synonyms
    const version = connection.usableVersion(ApiKey.DescribeConfigs, 1);
    const response = await connection.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, version, {
      resources: [{ resourceType: RESOURCE_TYPE[entityType], resourceName: entityName, configurationKeys: null }],
      includeSynonyms,
      includeDocumentation: false,
    });
    const result = response.results[0];
    if (!result) throw new ConfigCommandFailure(`The broker returned no result for ${entityType.slice(0, -1)} ${entityName}`);
    if (result.errorCode !== 0) throw new BrokerErrorResponse(result.errorCode, result.errorMessage);
    const wanted = dynamicSource(entityType, entityName);
    return result.configs
      .filter((c: DescribeConfigsResponseDescribeConfigsResourceResult) => all || c.configSource === wanted)
      .map((c): ConfigEntry => ({ name: c.name, value: c.value, isSensitive: c.isSensitive, source: c.configSource, synonyms: c.synonyms }))
      .sort((a, b) => javaStringOrder(a.name, b.name));
  }

  async describe(): Promise<string[]> {
    const { entityType, entityName, describeAll } = this.options;
    if (entityType === 'users') return describeUserScram(this.admin, entityName === undefined ? null : [entityName]);
    let entities: string[];
    if (entityName !== undefined) {
      entities = [entityName];
    } else if (entityType === 'topics') {
      const metadata = await this.admin.metadata(null);
      entities = metadata.topics.map((t) => t.name ?? '').filter((n) => n !== '').sort(javaStringOrder);
    } else {
      const metadata = await this.admin.metadata([]);
      entities = [...metadata.brokers.map((b) => b.nodeId).sort((a, b) => a - b).map(String), ''];
    }
    const out: string[] = [];
    for (const entity of entities) {
      out.push(describeHeading(entityType, entity, describeAll));
      for (const entry of await this.resourceConfig(entity, true, describeAll)) out.push(formatConfigEntry(entry));
    }
    return out;
  }

  async alter(): Promise<string[]> {
    const { entityType, configsToAdd, configsToDelete } = this.options;
    const entityName = this.options.entityName ?? '';
    if (entityType === 'users') {
      await alterUserScram(this.admin, entityName, configsToAdd.map(([mechanism, value]) => parseScramValue(mechanism, value)), configsToDelete);
      return [`Completed updating config for user ${entityName}.`];
    }
    const current = await this.resourceConfig(entityName, false, false);
    const currentNames = new Set(current.map((e) => e.name));
    const missing = configsToDelete.filter((k) => !currentNames.has(k));
    if (missing.length > 0) throw new CliError(`Invalid config(s): ${missing.join(',')}`);

    const connection = await this.connectionFor(entityName);
    const resourceType = RESOURCE_TYPE[entityType];
    if (connection.brokerVersions.has(ApiKey.IncrementalAlterConfigs)) {
      const version = connection.usableVersion(ApiKey.IncrementalAlterConfigs);
      // AlterConfigOp types: 0 SET, 1 DELETE (IncrementalAlterConfigs v0+)
      const response = await connection.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, version, {
        resources: [{
          resourceType,
          resourceName: entityName,
          configs: [
            ...configsToAdd.map(([name, value]) => ({ name, configOperation: 0, value })),
            ...configsToDelete.map((name) => ({ name, configOperation: 1, value: null })),
          ],
        }],
        validateOnly: false,
      });
      const result = response.responses[0];
      if (result && result.errorCode !== 0) throw new BrokerErrorResponse(result.errorCode, result.errorMessage);
    } else {
      // Brokers before 2.3 only know AlterConfigs, which replaces the whole dynamic set.
      const next = new Map(current.map((e) => [e.name, e.value ?? '']));
      for (const [name, value] of configsToAdd) next.set(name, value);
      for (const name of configsToDelete) next.delete(name);
      const version = connection.usableVersion(ApiKey.AlterConfigs);
      const response = await connection.request<AlterConfigsResponse>(ApiKey.AlterConfigs, version, {
        resources: [{ resourceType, resourceName: entityName, configs: [...next].map(([name, value]) => ({ name, value })) }],
        validateOnly: false,
      });
      const result = response.responses[0];
      if (result && result.errorCode !== 0) throw new BrokerErrorResponse(result.errorCode, result.errorMessage);
    }
    return [entityName === ''
      ? `Completed updating default config for ${entityType} in the cluster.`
      : `Completed updating config for ${entityType.slice(0, -1)} ${entityName}.`];
  }
}

/** Runs a parsed command; returns stdout lines. */
export async function executeConfigCommand(options: ConfigCommandOptions): Promise<string[]> {
  await ensureReachable(options.bootstrapServers, options.viaZookeeper ? '--zookeeper' : '--bootstrap-server');
  const admin = new WireAdmin(options.bootstrapServers, { clientId: 'adminclient-1', properties: options.adminProperties });
  try {
    const command = new ConfigCommand(admin, options);
    return options.action === 'describe' ? await command.describe() : await command.alter();
  } finally {
    admin.close();
  }
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const options = configCommandOptions(args);
    if (options.viaZookeeper) {
      process.stderr.write('Note: --zookeeper was removed in Kafka 4.0 and this toolkit has no ZooKeeper; using the broker at localhost:9092 instead. Next time use --bootstrap-server localhost:9092.\n');
    }
    warnUnknownConfigs(options.adminProperties, 'admin');
    try {
      const lines = await executeConfigCommand(options);
      if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } catch (err) {
      if (err instanceof CliError) throw err;
      const reason = err instanceof ConfigCommandFailure || err instanceof BrokerErrorResponse ? err.message : String((err as Error).message ?? err);
      // the command line may hold SCRAM passwords: never echo them
      throw new CliError(`Error while executing config command with args '${redactPasswords(argv).join(' ')}': ${reason}`);
    }
  },
};
