/**
 * kafka-topics: create, list, describe, alter (add partitions) and delete topics,
 * with Kafka 3.x/trunk flags, output and error texts (runtime errors go to
 * stdout as `Error while executing topic command : ...`, exit 1).
 */
import kafkajs from 'kafkajs';
import type { Admin, ITopicMetadata } from 'kafkajs';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { createClient, describeClientError, ensureReachable, parseBootstrapServers, protocolErrorType, type BootstrapOption } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { WireAdmin } from '../wire-client.js';
import { zookeeperBootstrap, zookeeperHostList } from '../zookeeper-bootstrap.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { CreatePartitionsResponse, CreateTopicsResponse, ListPartitionReassignmentsResponse } from '../../protocol/generated/types.js';
import { formatDescribe, formatTopicList, INTERNAL_TOPICS, javaStringOrder, topicFilter, type TopicDescription } from '../format.js';
import { intOption, parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { startSpinner } from '../output.js';
import { fetchTopicIds } from '../topic-ids.js';

const { ConfigResourceTypes } = kafkajs;

export const spec: CommandSpec = {
  name: 'kafka-topics',
  summary: 'This tool helps to create, delete, describe, or change a topic.',
  options: [
    { name: 'bootstrap-server', arg: 'String: server to connect to', description: 'REQUIRED: The Kafka server to connect to.', complete: 'none' },
    { name: 'zookeeper', arg: 'String: hosts', description: 'DEPRECATED (removed in Kafka 3.0): accepted for old tutorials; the controller zookeeper-server-start runs there answers, else the broker at localhost:9092.', hidden: true, complete: 'none' },
    { name: 'command-config', arg: 'String: command config property file', description: 'Property file containing configs to be passed to Admin Client.', complete: 'file' },
    { name: 'list', description: 'List all available topics.' },
    { name: 'create', description: 'Create a new topic.' },
    { name: 'describe', description: 'List details for the given topics.' },
    { name: 'alter', description: 'Alter the number of partitions and replica assignment.' },
    { name: 'delete', description: 'Delete a topic' },
    { name: 'topic', arg: 'String: topic', description: 'The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option. Put topic name in double quotes and use the \'\\\' prefix to escape regular expression symbols; e.g. "test\\.topic".', complete: 'none' },
    { name: 'partitions', arg: 'Integer: # of partitions', description: 'The number of partitions for the topic being created or altered. If not supplied for create, defaults to the cluster default.', complete: 'none' },
    { name: 'replication-factor', arg: 'Integer: replication factor', description: 'The replication factor for each partition in the topic being created. If not supplied, defaults to the cluster default.', complete: 'none' },
    { name: 'config', arg: 'String: name=value', repeatable: true, description: 'A topic configuration override for the topic being created.', complete: 'none' },
    { name: 'if-exists', description: 'if set when altering or deleting or describing topics, the action will only execute if the topic exists.' },
    { name: 'if-not-exists', description: 'if set when creating topics, the action will only execute if the topic does not already exist.' },
    { name: 'exclude-internal', description: 'exclude internal topics when running list or describe command. The internal topics will be listed by default' },
    { name: 'under-replicated-partitions', description: 'If set when describing topics, only show under-replicated partitions.' },
    { name: 'unavailable-partitions', description: 'If set when describing topics, only show partitions whose leader is not available.' },
    { name: 'under-min-isr-partitions', description: 'If set when describing topics, only show partitions whose isr count is less than the configured minimum.' },
    { name: 'at-min-isr-partitions', description: 'If set when describing topics, only show partitions whose isr count is equal to the configured minimum.' },
    { name: 'force', description: 'Suppress console prompts (no-op, kept for old scripts)', hidden: true },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

const ACTIONS = ['list', 'describe', 'create', 'alter', 'delete'] as const;
/** The partition reports of --describe; combinable, as since Kafka 3.7. */
const REPORT_FILTERS = ['under-replicated-partitions', 'unavailable-partitions', 'under-min-isr-partitions', 'at-min-isr-partitions'] as const;
type Action = (typeof ACTIONS)[number];

export interface TopicCommandOptions {
  action: Action;
  bootstrapServers: string[];
  /** true when the legacy --zookeeper flag chose the broker */
  viaZookeeper: boolean;
  /** the --zookeeper hosts (chroot dropped): a zookeeper-server-start controller may answer there */
  zookeeperHosts: string[];
  topic?: string;
  partitions?: number;
  replicationFactor?: number;
  configs: Record<string, string>;
  ifExists: boolean;
  ifNotExists: boolean;
  excludeInternal: boolean;
  underReplicated: boolean;
  unavailable: boolean;
  underMinIsr: boolean;
  atMinIsr: boolean;
  adminProperties: Record<string, string>;
}

function conflict(option: string, others: readonly string[]): never {
  throw new UsageError(`Option "[${option}]" can't be used with option ${others.map((o) => `"[${o}]"`).join(',')}`);
}

/** Validates the flag combination the way TopicCommand's option checks do. */
export function topicCommandOptions(args: ParsedArgs): TopicCommandOptions {
  const actions = ACTIONS.filter((a) => args.has(a));
  if (actions.length !== 1) {
    throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  }
  const action = actions[0];
  let bootstrap = args.get('bootstrap-server');
  const viaZookeeper = bootstrap === undefined && args.has('zookeeper');
  if (viaZookeeper) bootstrap = 'localhost:9092';
  if (bootstrap === undefined) throw new UsageError('--bootstrap-server must be specified');
  const bootstrapServers = parseBootstrapServers(bootstrap);

  const topic = args.get('topic');
  if (topic === undefined && (action === 'create' || action === 'alter' || action === 'delete')) {
    throw new UsageError('Missing required argument "[topic]"');
  }
  if (action === 'describe' && args.has('if-exists') && topic === undefined) {
    throw new UsageError('Missing required argument "[topic]"');
  }
  const others = ACTIONS.filter((a) => a !== action);
  if (args.has('config') && action !== 'create') {
    if (action === 'alter') {
      throw new UsageError('Option "[config]" can\'t be used with option "[bootstrap-server]" (To alter topic configurations, the kafka-configs tool can be used.)');
    }
    conflict('config', others.filter((a) => a !== 'create' && a !== 'alter'));
  }
  if (args.has('partitions') && action !== 'create' && action !== 'alter') conflict('partitions', ['describe', 'list', 'delete']);
  if (args.has('replication-factor') && action !== 'create') conflict('replication-factor', ['alter', 'describe', 'list', 'delete']);
  if (action === 'alter' && !args.has('partitions')) throw new UsageError('Missing required argument "[partitions]"');
  for (const filter of REPORT_FILTERS) {
    if (args.has(filter) && action !== 'describe') conflict(filter, ['alter', 'create', 'delete', 'list']);
  }
  if (args.has('if-exists') && !(action === 'alter' || action === 'delete' || action === 'describe')) conflict('if-exists', ['create', 'list']);
  if (args.has('if-not-exists') && action !== 'create') conflict('if-not-exists', ['alter', 'delete', 'describe', 'list']);
  if (args.has('exclude-internal') && !(action === 'list' || action === 'describe')) conflict('exclude-internal', ['alter', 'create', 'delete']);

  const configs: Record<string, string> = {};
  for (const item of args.all('config')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".');
    configs[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  const commandConfig = args.get('command-config');
  return {
    action,
    bootstrapServers,
    viaZookeeper,
    zookeeperHosts: viaZookeeper ? zookeeperHostList(args.get('zookeeper') ?? '') : [],
    topic,
    partitions: intOption(args, 'partitions'),
    replicationFactor: intOption(args, 'replication-factor'),
    configs,
    ifExists: args.has('if-exists'),
    ifNotExists: args.has('if-not-exists'),
    excludeInternal: args.has('exclude-internal'),
    underReplicated: args.has('under-replicated-partitions'),
    unavailable: args.has('unavailable-partitions'),
    underMinIsr: args.has('under-min-isr-partitions'),
    atMinIsr: args.has('at-min-isr-partitions'),
    adminProperties: commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {},
  };
}

/** --zookeeper: the zookeeper-server-start controller at those hosts when one answers, else localhost:9092. */
export async function resolveZookeeperBootstrap(options: TopicCommandOptions): Promise<string> {
  const { servers, note } = await zookeeperBootstrap(options.zookeeperHosts);
  options.bootstrapServers = servers;
  return note;
}

/** A runtime failure of the topic command: printed to stdout with Kafka's prefix. */
class TopicCommandError extends Error {}

const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic name rules (Topic.validate), with its 3.4+ wording. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new TopicCommandError('Topic name is invalid: the empty string is not allowed');
  if (name === '.' || name === '..') throw new TopicCommandError(`Topic name is invalid: '${name}' is not allowed`);
  if (name.length > 249) throw new TopicCommandError(`Topic name is invalid: the length of '${name}' is longer than the max allowed length 249`);
  if (!LEGAL_TOPIC_CHARS.test(name)) {
    throw new TopicCommandError(`Topic name is invalid: '${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}

async function matchingTopics(admin: Admin, options: TopicCommandOptions): Promise<string[]> {
  const all = await admin.listTopics();
  const filter = options.topic !== undefined ? topicFilter(options.topic) : () => true;
  return all
    .filter((name) => filter(name))
    .filter((name) => !(options.excludeInternal && INTERNAL_TOPICS.has(name)))
    .sort(javaStringOrder);
}

function ensureTopicsExist(found: readonly string[], options: TopicCommandOptions): void {
  if (found.length === 0 && options.topic !== undefined && !options.ifExists) {
    throw new TopicCommandError(`Topic '${options.topic}' does not exist as expected`);
  }
}

async function createTopic(admin: Admin, options: TopicCommandOptions, out: string[]): Promise<void> {
  const topic = options.topic ?? '';
  validateTopicName(topic);
  if (options.partitions !== undefined && options.partitions < 1) throw new TopicCommandError('The partitions must be greater than 0');
  if (options.replicationFactor !== undefined && (options.replicationFactor < 1 || options.replicationFactor > 32767)) {
    throw new TopicCommandError('The replication factor must be between 1 and 32767 inclusive');
  }
  if (topic.includes('.') || topic.includes('_')) {
    out.push("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.");
  }
  let created: boolean;
  try {
    created = await admin.createTopics({
      waitForLeaders: true,
      topics: [{
        topic,
        // -1 asks the broker for num.partitions / default.replication.factor (KIP-464)
        numPartitions: options.partitions ?? -1,
        replicationFactor: options.replicationFactor ?? -1,
        configEntries: Object.entries(options.configs).map(([name, value]) => ({ name, value })),
      }],
    });
  } catch (err) {
    const type = protocolErrorType(err);
    if (type === 'TOPIC_ALREADY_EXISTS') {
      created = false;
    } else if (type === 'INVALID_REPLICATION_FACTOR') {
      // the broker's own words (ZooKeeper mode's "larger than available brokers", KRaft's "Unable to
      // replicate the partition …"); kafkajs drops them, so the request is replayed with validateOnly
      const refusal = await createTopicRefusal(options, topic);
      if (refusal) throw new TopicCommandError(refusal);
      const brokers = await admin.describeCluster().then((c) => c.brokers.length).catch(() => undefined);
      throw new TopicCommandError(brokers !== undefined
        ? `Replication factor: ${options.replicationFactor ?? 'default'} larger than available brokers: ${brokers}.`
        : `Invalid replication factor ${options.replicationFactor ?? '(broker default)'}`);
    } else if (isControllerTimeout(err)) {
      throw controllerTimeout(`Topic '${topic}' was not created`);
    } else if (type === 'INVALID_CONFIG') {
      throw new TopicCommandError(`Invalid topic config: ${Object.keys(options.configs).join(', ')} (check the names and values; e.g. cleanup.policy=compact, retention.ms=86400000)`);
    } else if (type === 'INVALID_TOPIC_EXCEPTION') {
      throw new TopicCommandError(`Topic name is invalid: '${topic}'`);
    } else if (type === 'INVALID_PARTITIONS') {
      // kafkajs drops the broker's errorMessage, which names the limit (max.broker.partitions) to raise
      const refusal = await createTopicRefusal(options, topic);
      if (refusal === null) throw err;
      throw new TopicCommandError(refusal);
    } else {
      throw err;
    }
  }
  if (!created) {
    if (options.ifNotExists) {
      out.length = 0; // Kafka prints nothing at all here
      return;
    }
    throw new TopicCommandError(`Topic '${topic}' already exists.`);
  }
  out.push(`Created topic ${topic}.`);
}

/**
 * The broker's own words for a refused creation, as Kafka's tool prints them: the same
 * CreateTopics sent again with validateOnly over the wire client (kafkajs keeps only the
 * error code). Null when the replay passes or cannot be made.
 */
async function createTopicRefusal(options: TopicCommandOptions, topic: string): Promise<string | null> {
  const wire = new WireAdmin(options.bootstrapServers, { clientId: 'adminclient-1', properties: options.adminProperties });
  try {
    const connection = await wire.bootstrap();
    const version = connection.usableVersion(ApiKey.CreateTopics, 2, 5);
    const response = await connection.request<CreateTopicsResponse>(ApiKey.CreateTopics, version, {
      topics: [{
        name: topic,
        numPartitions: options.partitions ?? -1,
        replicationFactor: options.replicationFactor ?? -1,
        assignments: [],
        configs: Object.entries(options.configs).map(([name, value]) => ({ name, value })),
      }],
      timeoutMs: wire.timeoutMs,
      validateOnly: true,
    });
    return response.topics[0]?.errorMessage ?? null;
  } catch {
    return null;
  } finally {
    wire.close();
  }
}

/** Configs whose source is not the built-in default, in broker order (DescribeConfigs v1+ `ConfigSource`). */
async function nonDefaultConfigs(admin: Admin, topics: readonly string[]): Promise<Map<string, Array<[string, string]>>> {
  const result = new Map<string, Array<[string, string]>>();
  if (topics.length === 0) return result;
  try {
    const response = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    for (const resource of response.resources) {
      if (resource.errorCode !== 0) continue;
      const entries = resource.configEntries
        .filter((entry) => {
          const source = entry.configSource as number | undefined;
          // DEFAULT_CONFIG = 5; v0 responses carry only isDefault
          return source !== undefined && source >= 0 && source !== 0 ? source !== 5 : !entry.isDefault;
        })
        .map((entry): [string, string] => [entry.configName, entry.isSensitive ? '(sensitive)' : entry.configValue ?? 'null']);
      result.set(resource.resourceName, entries);
    }
  } catch {
    // A broker without DescribeConfigs: describe still works, Configs: stays empty.
  }
  return result;
}

/**
 * Reassignments in progress among `topics` (ListPartitionReassignments, as TopicCommand asks
 * before describing), by `topic-partition`; empty when the broker cannot say.
 */
async function ongoingReassignments(options: TopicCommandOptions, topics: readonly string[]): Promise<Map<string, { adding: number[]; removing: number[] }>> {
  const result = new Map<string, { adding: number[]; removing: number[] }>();
  if (topics.length === 0) return result;
  const wire = new WireAdmin(options.bootstrapServers, { clientId: 'adminclient-1', properties: options.adminProperties });
  try {
    const connection = await wire.bootstrap();
    if (!connection.brokerVersions.has(ApiKey.ListPartitionReassignments)) return result;
    const response = await connection.request<ListPartitionReassignmentsResponse>(ApiKey.ListPartitionReassignments, 0, { timeoutMs: wire.timeoutMs, topics: null });
    for (const t of response.topics) {
      if (!topics.includes(t.name)) continue;
      for (const p of t.partitions) result.set(`${t.name}-${p.partitionIndex}`, { adding: p.addingReplicas, removing: p.removingReplicas });
    }
  } catch {
    // a broker without the API (or unreachable now): described without reassignment columns
  } finally {
    wire.close();
  }
  return result;
}

/** Each topic's effective min.insync.replicas (its own, the broker's, or the default). */
async function minInsyncReplicas(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (topics.length === 0) return result;
  const response = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })),
  });
  for (const resource of response.resources) {
    const entry = resource.configEntries.find((e) => e.configName === 'min.insync.replicas');
    if (entry?.configValue) result.set(resource.resourceName, Number(entry.configValue));
  }
  return result;
}

async function describeTopics(admin: Admin, options: TopicCommandOptions, out: string[]): Promise<void> {
  const names = await matchingTopics(admin, options);
  ensureTopicsExist(names, options);
  if (names.length === 0) return;
  const minIsrWanted = options.underMinIsr || options.atMinIsr;
  const [metadata, configs, ids, cluster, minIsr, reassignments] = await Promise.all([
    admin.fetchTopicMetadata({ topics: names }),
    nonDefaultConfigs(admin, names),
    fetchTopicIds(options.bootstrapServers, names, 3000, options.adminProperties),
    options.unavailable ? admin.describeCluster() : Promise.resolve(undefined),
    minIsrWanted ? minInsyncReplicas(admin, names) : Promise.resolve(new Map<string, number>()),
    ongoingReassignments(options, names),
  ]);
  const byName = new Map<string, ITopicMetadata>(metadata.topics.map((t) => [t.name, t]));
  const descriptions: TopicDescription[] = [];
  for (const name of names) {
    const topic = byName.get(name);
    if (!topic) continue;
    descriptions.push({
      name,
      topicId: ids.get(name),
      configs: configs.get(name) ?? [],
      minIsr: minIsr.get(name),
      partitions: topic.partitions.map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        reassignment: reassignments.get(`${name}-${p.partitionId}`),
      })),
    });
  }
  const text = formatDescribe(descriptions, {
    underReplicated: options.underReplicated,
    unavailable: options.unavailable,
    underMinIsr: options.underMinIsr,
    atMinIsr: options.atMinIsr,
    liveBrokers: cluster ? new Set(cluster.brokers.map((b) => b.nodeId)) : undefined,
  });
  // a report filter matching nothing prints nothing at all, as Kafka's
  if (text !== '') out.push(text.replace(/\n$/, ''));
}

async function alterTopics(admin: Admin, options: TopicCommandOptions): Promise<void> {
  const names = await matchingTopics(admin, options);
  ensureTopicsExist(names, options);
  const count = options.partitions ?? 0;
  if (count < 1) throw new TopicCommandError('The partitions must be greater than 0');
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  for (const topic of metadata.topics) {
    const current = topic.partitions.length;
    if (count === current) throw new TopicCommandError(`Topic already has ${current} partition(s).`);
    if (count < current) throw new TopicCommandError(`The topic ${topic.name} currently has ${current} partition(s); ${count} would not be an increase.`);
  }
  if (names.length > 0) {
    try {
      await admin.createPartitions({ topicPartitions: names.map((topic) => ({ topic, count })) });
    } catch (err) {
      // as for --create: kafkajs drops the broker's message, which names max.broker.partitions
      const refusal = protocolErrorType(err) === 'INVALID_PARTITIONS' ? await createPartitionsRefusal(options, names, count) : null;
      if (refusal === null) throw err;
      throw new TopicCommandError(refusal);
    }
  }
}

/** The broker's words for a refused --alter --partitions: CreatePartitions replayed with validateOnly. */
async function createPartitionsRefusal(options: TopicCommandOptions, names: readonly string[], count: number): Promise<string | null> {
  const wire = new WireAdmin(options.bootstrapServers, { clientId: 'adminclient-1', properties: options.adminProperties });
  try {
    const connection = await wire.bootstrap();
    const version = connection.usableVersion(ApiKey.CreatePartitions, 0, 3);
    const response = await connection.request<CreatePartitionsResponse>(ApiKey.CreatePartitions, version, {
      topics: names.map((name) => ({ name, count, assignments: null })),
      timeoutMs: wire.timeoutMs,
      validateOnly: true,
    });
    return response.results.find((r) => r.errorMessage)?.errorMessage ?? null;
  } catch {
    return null;
  } finally {
    wire.close();
  }
}

async function deleteTopics(admin: Admin, options: TopicCommandOptions): Promise<void> {
  const names = await matchingTopics(admin, options);
  ensureTopicsExist(names, options);
  const internal = names.find((n) => INTERNAL_TOPICS.has(n));
  if (internal) throw new TopicCommandError(`Topic ${internal} is a kafka internal topic and is not allowed to be marked for deletion.`);
  if (names.length === 0) return;
  try {
    await admin.deleteTopics({ topics: names });
  } catch (err) {
    if (protocolErrorType(err) === 'TOPIC_DELETION_DISABLED') {
      throw new TopicCommandError('Topic deletion is disabled: set delete.topic.enable=true in the broker\'s server.properties and restart it.');
    }
    throw err;
  }
}

function bootstrapOption(options: TopicCommandOptions): BootstrapOption {
  return options.viaZookeeper ? '--zookeeper' : '--bootstrap-server';
}

/**
 * A metadata change the broker could not get the active controller to take: it forwards
 * creations, deletions and partition changes to the controller, and with no controller
 * quorum (a majority of the voters down) answers REQUEST_TIMED_OUT after its timeout.
 */
function isControllerTimeout(err: unknown): boolean {
  const type = protocolErrorType(err);
  return type === 'REQUEST_TIMED_OUT' || type === 'NOT_CONTROLLER';
}

function controllerTimeout(what: string): TopicCommandError {
  return new TopicCommandError(`${what}: the controller quorum did not take the change in time (no active controller; is a majority of the controllers in controller.quorum.voters running?). Start the stopped controllers, then retry.`);
}

/** Runs one parsed topic command against the cluster; returns stdout lines. */
export async function executeTopicCommand(options: TopicCommandOptions): Promise<string[]> {
  await ensureReachable(options.bootstrapServers, bootstrapOption(options));
  const kafka = createClient({ brokers: options.bootstrapServers, clientId: 'adminclient-1', properties: options.adminProperties });
  const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 } });
  const out: string[] = [];
  const spinner = options.action === 'create' ? startSpinner(`Creating topic ${options.topic ?? ''}`) : undefined;
  try {
    await admin.connect();
    switch (options.action) {
      case 'create': await createTopic(admin, options, out); break;
      case 'list': out.push(formatTopicList(await matchingTopics(admin, options)).replace(/\n$/, '')); break;
      case 'describe': await describeTopics(admin, options, out); break;
      case 'alter':
        await alterTopics(admin, options).catch((err: unknown) => {
          throw isControllerTimeout(err) ? controllerTimeout(`Topic '${options.topic ?? ''}' was not altered`) : err;
        });
        break;
      case 'delete':
        await deleteTopics(admin, options).catch((err: unknown) => {
          throw isControllerTimeout(err) ? controllerTimeout(`Topic '${options.topic ?? ''}' was not deleted`) : err;
        });
        break;
    }
  } finally {
    spinner?.stop();
    await admin.disconnect().catch(() => undefined);
  }
  return out;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const options = topicCommandOptions(args);
    if (options.viaZookeeper) process.stderr.write(`${await resolveZookeeperBootstrap(options)}\n`);
    warnUnknownConfigs(options.adminProperties, 'admin');
    try {
      const lines = await executeTopicCommand(options);
      if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
      else if (options.action === 'list') process.stdout.write('\n');
      return 0;
    } catch (err) {
      if (err instanceof CliError) throw err;
      const message = err instanceof TopicCommandError ? err.message : describeClientError(err, options.bootstrapServers, bootstrapOption(options));
      process.stdout.write(`Error while executing topic command : ${message}\n`);
      return 1;
    }
  },
};
