/**
 * kafka-reassign-partitions --bootstrap-server … --generate | --execute | --verify |
 * --cancel | --list: Kafka 3.x's ReassignPartitionsCommand over Metadata,
 * AlterPartitionReassignments (45) and ListPartitionReassignments (46), with its JSON
 * (`{"version":1,"partitions":[{"topic":…,"partition":…,"replicas":[…],"log_dirs":["any",…]}]}`,
 * partitions sorted by topic then partition) and its lines. `--throttle` is accepted and
 * reported as Kafka does; this toolkit's replication is not rate-limited (said on stderr).
 * The 2.x `--zookeeper` spelling reaches the zookeeper-server-start controller, as kafka-topics'.
 */
import fs from 'node:fs';
import { assignReplicas } from '../../cluster/controller/replica-placement.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import type {
  AlterPartitionReassignmentsResponse, IncrementalAlterConfigsResponse, ListPartitionReassignmentsResponse, MetadataResponse,
} from '../../protocol/generated/types.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { javaException } from '../java-errors.js';
import { javaHashMapOrder, javaStringHash, growingHashMapCapacity } from '../java-format.js';
import { parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { WireAdmin, type BrokerConnection } from '../wire-client.js';
import { zookeeperBootstrap, zookeeperHostList } from '../zookeeper-bootstrap.js';

export const spec: CommandSpec = {
  name: 'kafka-reassign-partitions',
  summary: 'This tool helps to move topic partitions between replicas.',
  options: [
    { name: 'bootstrap-server', arg: 'String: Server(s) to use for bootstrapping', description: 'the server(s) to use for bootstrapping. REQUIRED if an absolute path of the log directory is specified for any replica in the reassignment json file', complete: 'none' },
    { name: 'bootstrap-controller', arg: 'String: Controller(s) to use for bootstrapping', description: 'the controller(s) to use for bootstrapping (--list and --cancel).', complete: 'none' },
    { name: 'zookeeper', arg: 'String: urls', description: 'REMOVED in Kafka 3.0: accepted for old tutorials; the zookeeper-server-start controller there answers, else the broker at localhost:9092.', hidden: true, complete: 'none' },
    { name: 'command-config', arg: 'String: Admin client property file', description: 'Property file containing configs to be passed to Admin Client.', complete: 'file' },
    { name: 'generate', description: 'Generate a candidate partition reassignment configuration. Note that this only generates a candidate assignment, it does not execute it.' },
    { name: 'execute', description: 'Kick off the reassignment as specified by the --reassignment-json-file option.' },
    { name: 'verify', description: 'Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed' },
    { name: 'cancel', description: 'Cancel an active reassignment.' },
    { name: 'list', description: 'List all active partition reassignments.' },
    { name: 'reassignment-json-file', arg: 'String: manual assignment json file path', description: 'The JSON file with the partition reassignment configuration, e.g. {"partitions": [{"topic": "foo", "partition": 1, "replicas": [1,2,3]}], "version":1}', complete: 'file' },
    { name: 'topics-to-move-json-file', arg: 'String: topics to reassign json file path', description: 'Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option, e.g. {"topics": [{"topic": "foo"},{"topic": "foo1"}], "version":1}', complete: 'file' },
    { name: 'broker-list', arg: 'String: brokerlist', description: 'The list of brokers to which the partitions need to be reassigned in the form "0,1,2". This is required if --topics-to-move-json-file is used to generate reassignment configuration', complete: 'none' },
    { name: 'disable-rack-aware', description: 'Disable rack aware replica assignment' },
    { name: 'throttle', arg: 'Long: throttle', description: 'The movement of partitions between brokers will be throttled to this value (bytes/sec). Accepted; this toolkit does not rate-limit replication. (default: -1)', complete: 'none' },
    { name: 'replica-alter-log-dirs-throttle', arg: 'Long: replicaAlterLogDirsThrottle', description: 'The movement of replicas between log directories on the same broker will be throttled to this value (bytes/sec). Accepted, not applied. (default: -1)', complete: 'none' },
    { name: 'timeout', arg: 'Long: timeout', description: 'The maximum time in ms to wait for log directory replica assignment to begin. (default: 10000)', complete: 'none' },
    { name: 'additional', description: 'Execute this reassignment in addition to any other ongoing ones.' },
    { name: 'preserve-throttles', description: 'Do not modify broker or topic throttles.' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

const ACTIONS = ['generate', 'execute', 'verify', 'cancel', 'list'] as const;
type Action = (typeof ACTIONS)[number];

const REQUIRED: Record<Action, readonly string[]> = {
  verify: ['reassignment-json-file'],
  generate: ['topics-to-move-json-file', 'broker-list'],
  execute: ['reassignment-json-file'],
  cancel: ['reassignment-json-file'],
  list: [],
};
const PERMITTED: Record<Action, readonly string[]> = {
  verify: ['bootstrap-server', 'command-config', 'preserve-throttles'],
  generate: ['bootstrap-server', 'broker-list', 'command-config', 'disable-rack-aware'],
  execute: ['additional', 'bootstrap-server', 'command-config', 'throttle', 'replica-alter-log-dirs-throttle', 'timeout'],
  cancel: ['bootstrap-server', 'bootstrap-controller', 'command-config', 'preserve-throttles', 'timeout'],
  list: ['bootstrap-server', 'bootstrap-controller', 'command-config'],
};

export interface ReassignOptions {
  action: Action;
  bootstrapServers: string[];
  /** the 2.x --zookeeper hosts, resolved before connecting */
  zookeeperHosts?: string[];
  reassignmentJsonFile?: string;
  topicsToMoveJsonFile?: string;
  brokerList?: string;
  throttle: number;
  logDirThrottle: number;
  additional: boolean;
  preserveThrottles: boolean;
  adminProperties: Record<string, string>;
}

function longOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.get(name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`Cannot parse argument '${raw}' of option ${name}`);
  return Number(raw.trim());
}

/** validateAndParseArgs: one action, a bootstrap, the action's required and permitted options. */
export function reassignOptions(args: ParsedArgs): ReassignOptions {
  const actions = ACTIONS.filter((a) => args.has(a));
  if (actions.length !== 1) throw new UsageError(`Command must include exactly one action: ${ACTIONS.map((a) => `--${a}`).join(', ')}`);
  const action = actions[0];
  const zookeeper = args.get('zookeeper');
  const viaZookeeper = zookeeper !== undefined && !args.has('bootstrap-server') && !args.has('bootstrap-controller');
  if (args.has('bootstrap-server') && args.has('bootstrap-controller')) throw new UsageError("Please don't specify both --bootstrap-server and --bootstrap-controller");
  if (!viaZookeeper && !args.has('bootstrap-server') && !args.has('bootstrap-controller')) throw new UsageError('Please specify either --bootstrap-server or --bootstrap-controller');
  for (const required of REQUIRED[action]) {
    if (!args.has(required)) throw new UsageError(`Missing required argument "[${required}]"`);
  }
  for (const name of args.names()) {
    if (name === action || name === 'zookeeper' || REQUIRED[action].includes(name) || PERMITTED[action].includes(name)) continue;
    throw new UsageError(`Option "[${name}]" can't be used with action "[${action}]"`);
  }
  const config = args.get('command-config');
  return {
    action,
    bootstrapServers: viaZookeeper ? [] : parseBootstrapServers(args.get('bootstrap-server') ?? args.get('bootstrap-controller') ?? ''),
    zookeeperHosts: viaZookeeper ? zookeeperHostList(zookeeper ?? '') : undefined,
    reassignmentJsonFile: args.get('reassignment-json-file'),
    topicsToMoveJsonFile: args.get('topics-to-move-json-file'),
    brokerList: args.get('broker-list'),
    throttle: longOption(args, 'throttle', -1),
    logDirThrottle: longOption(args, 'replica-alter-log-dirs-throttle', -1),
    additional: args.has('additional'),
    preserveThrottles: args.has('preserve-throttles'),
    adminProperties: config ? readPropertiesFile(config, 'command config file') : {},
  };
}

/** A failure the tool prints on stdout (Kafka's TerseException lines, or `Error: …`), exit 1. */
export class ReassignCommandError extends Error {}

export interface PartitionAssignment {
  topic: string;
  partition: number;
  replicas: number[];
}

const comparePartitions = (a: { topic: string; partition: number }, b: { topic: string; partition: number }): number =>
  (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition;

/** formatAsReassignmentJson: version first, partitions sorted, log_dirs all "any". */
export function reassignmentJson(assignments: readonly PartitionAssignment[]): string {
  const partitions = [...assignments].sort(comparePartitions).map((a) => ({
    topic: a.topic, partition: a.partition, replicas: a.replicas, log_dirs: a.replicas.map(() => 'any'),
  }));
  return JSON.stringify({ version: 1, partitions });
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReassignCommandError(`Error: ${file} (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ReassignCommandError('Error: The input string is not a valid JSON');
  }
}

function checkVersion(json: unknown): void {
  const version = (json as { version?: unknown }).version ?? 1;
  if (version !== 1) throw new ReassignCommandError(`Error: Not supported version field value ${String(version)}`);
}

/** --topics-to-move-json-file: `{"topics":[{"topic":"t"}],"version":1}`. */
export function parseTopicsToMove(json: unknown): string[] {
  checkVersion(json);
  const topics = (json as { topics?: unknown }).topics;
  if (topics === undefined) return [];
  if (!Array.isArray(topics)) throw new ReassignCommandError('Error: "topics" must be a list of {"topic": "<name>"}');
  return topics.map((t: unknown) => {
    const name = (t as { topic?: unknown }).topic;
    if (typeof name !== 'string') throw new ReassignCommandError(`Error: each entry of "topics" needs a "topic" name: ${JSON.stringify(t)}`);
    return name;
  });
}

/** --reassignment-json-file, with Kafka's checks (empty lists, duplicates, log_dirs length). */
export function parseReassignment(json: unknown): PartitionAssignment[] {
  checkVersion(json);
  const list = (json as { partitions?: unknown }).partitions ?? [];
  if (!Array.isArray(list)) throw new ReassignCommandError('Error: "partitions" must be a list');
  const result = list.map((entry: unknown): PartitionAssignment => {
    const e = entry as { topic?: unknown; partition?: unknown; replicas?: unknown; log_dirs?: unknown };
    if (typeof e.topic !== 'string' || !Number.isInteger(e.partition) || !Array.isArray(e.replicas) || !e.replicas.every((r) => Number.isInteger(r))) {
      throw new ReassignCommandError(`Error: each partition needs "topic", "partition" and "replicas": ${JSON.stringify(entry)}`);
    }
    const replicas = e.replicas as number[];
    if (Array.isArray(e.log_dirs) && e.log_dirs.length !== replicas.length) {
      throw new ReassignCommandError(`Error: Size of replicas list [${replicas.join(', ')}] is different from size of log dirs list [${(e.log_dirs as unknown[]).join(', ')}] for partition ${e.topic}-${String(e.partition)}`);
    }
    if (Array.isArray(e.log_dirs) && e.log_dirs.some((d) => d !== 'any')) {
      throw new ReassignCommandError(`Error: moving replicas between log directories is not supported by this toolkit (partition ${e.topic}-${String(e.partition)}); use "any"`);
    }
    return { topic: e.topic, partition: e.partition as number, replicas };
  });
  return result;
}

/** parseExecuteAssignmentArgs' refusals. */
export function validateReassignment(parts: readonly PartitionAssignment[]): void {
  if (parts.length === 0) throw new ReassignCommandError('Error: Partition reassignment list cannot be empty');
  if (parts.some((p) => p.replicas.length === 0)) throw new ReassignCommandError('Error: Partition replica list cannot be empty');
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const p of parts) {
    const key = `${p.topic}-${p.partition}`;
    if (seen.has(key)) duplicated.add(key);
    seen.add(key);
  }
  if (duplicated.size > 0) throw new ReassignCommandError(`Error: Partition reassignment contains duplicate topic partitions: ${[...duplicated].join(',')}`);
  const dupReplicas = parts.filter((p) => new Set(p.replicas).size !== p.replicas.length);
  if (dupReplicas.length > 0) {
    throw new ReassignCommandError(`Error: Partition replica lists may not contain duplicate entries: ${dupReplicas.map((p) => `${p.topic}-${p.partition} contains multiple entries for ${[...new Set(p.replicas.filter((r, i) => p.replicas.indexOf(r) !== i))].join(',')}`).join('. ')}`);
  }
}

/** --generate's plan: each topic's partitions re-placed over the listed live brokers, its replication factor kept. */
export function proposeAssignment(current: readonly PartitionAssignment[], liveBrokerIds: readonly number[]): PartitionAssignment[] {
  const byTopic = new Map<string, PartitionAssignment[]>();
  for (const a of current) byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), a]);
  const proposed: PartitionAssignment[] = [];
  const brokers = [...liveBrokerIds].sort((a, b) => a - b);
  for (const [topic, parts] of byTopic) {
    const rf = parts[0]?.replicas.length ?? 1;
    let lists: number[][];
    try {
      lists = assignReplicas(brokers, parts.length, rf);
    } catch (err) {
      if (err instanceof KafkaError) throw new ReassignCommandError(`Error: ${err.message}`);
      throw err;
    }
    lists.forEach((replicas, partition) => proposed.push({ topic, partition, replicas }));
  }
  return proposed;
}

async function metadata(connection: BrokerConnection, topics: readonly string[] | null): Promise<MetadataResponse> {
  const version = connection.usableVersion(ApiKey.Metadata, 1, 12);
  return connection.request<MetadataResponse>(ApiKey.Metadata, version, {
    topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
}

/** Current replica lists of the topics; a missing topic is Kafka's `Topic <t> not found.` */
async function currentAssignments(connection: BrokerConnection, topics: readonly string[]): Promise<PartitionAssignment[]> {
  const response = await metadata(connection, [...new Set(topics)]);
  const result: PartitionAssignment[] = [];
  for (const topic of response.topics) {
    if (topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new ReassignCommandError(`Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic ${topic.name ?? ''} not found.`);
    }
    if (topic.errorCode !== ErrorCode.NONE) throw new ReassignCommandError(`Error: ${javaException(topic.errorCode).className}: ${javaException(topic.errorCode).message}`);
    for (const p of topic.partitions) result.push({ topic: topic.name ?? '', partition: p.partitionIndex, replicas: p.replicaNodes });
  }
  return result;
}

async function listReassignments(connection: BrokerConnection, partitions: readonly PartitionAssignment[] | null): Promise<ListPartitionReassignmentsResponse> {
  const version = connection.usableVersion(ApiKey.ListPartitionReassignments, 0, 0);
  const byTopic = new Map<string, number[]>();
  for (const p of partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  const response = await connection.request<ListPartitionReassignmentsResponse>(ApiKey.ListPartitionReassignments, version, {
    timeoutMs: 30_000,
    topics: partitions === null ? null : [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
  });
  if (response.errorCode !== ErrorCode.NONE) {
    const e = javaException(response.errorCode, response.errorMessage);
    throw new ReassignCommandError(`Error: ${e.className}: ${e.message}`);
  }
  return response;
}

function ongoing(response: ListPartitionReassignmentsResponse): Map<string, { replicas: number[]; adding: number[]; removing: number[] }> {
  const map = new Map<string, { replicas: number[]; adding: number[]; removing: number[] }>();
  for (const t of response.topics) {
    for (const p of t.partitions) map.set(`${t.name}-${p.partitionIndex}`, { replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas });
  }
  return map;
}

/** Sends the reassignments (replicas null = cancel); per-partition errors as `t-p: message`, sorted. */
async function alterReassignments(connection: BrokerConnection, parts: ReadonlyArray<{ topic: string; partition: number; replicas: number[] | null }>): Promise<string[]> {
  const version = connection.usableVersion(ApiKey.AlterPartitionReassignments, 0, 0);
  const byTopic = new Map<string, Array<{ partitionIndex: number; replicas: number[] | null }>>();
  for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), { partitionIndex: p.partition, replicas: p.replicas }]);
  const response = await connection.request<AlterPartitionReassignmentsResponse>(ApiKey.AlterPartitionReassignments, version, {
    timeoutMs: 30_000,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  });
  const errors: Array<{ topic: string; partition: number; message: string }> = [];
  for (const t of response.responses) {
    for (const p of t.partitions) {
      const code = p.errorCode !== ErrorCode.NONE ? p.errorCode : response.errorCode;
      if (code !== ErrorCode.NONE) errors.push({ topic: t.name, partition: p.partitionIndex, message: javaException(code, p.errorMessage ?? response.errorMessage).message });
    }
  }
  return errors.sort(comparePartitions).map((e) => `${e.topic}-${e.partition}: ${e.message}`);
}

async function generate(connection: BrokerConnection, options: ReassignOptions, out: string[]): Promise<void> {
  const brokerText = options.brokerList ?? '';
  const brokers = brokerText.split(',').map((b) => b.trim());
  if (brokers.some((b) => !/^-?\d+$/.test(b))) throw new ReassignCommandError(`Error: For input string: "${brokers.find((b) => !/^-?\d+$/.test(b)) ?? ''}"`);
  const brokerIds = brokers.map(Number);
  const dupBrokers = [...new Set(brokerIds.filter((b, i) => brokerIds.indexOf(b) !== i))];
  if (dupBrokers.length > 0) throw new ReassignCommandError(`Error: Broker list contains duplicate entries: [${dupBrokers.join(', ')}]`);
  const topics = parseTopicsToMove(readJsonFile(options.topicsToMoveJsonFile ?? ''));
  const dupTopics = [...new Set(topics.filter((t, i) => topics.indexOf(t) !== i))];
  if (dupTopics.length > 0) throw new ReassignCommandError(`Error: List of topics to reassign contains duplicate entries: [${dupTopics.join(', ')}]`);
  const current = await currentAssignments(connection, topics);
  const live = (await metadata(connection, [])).brokers.map((b) => b.nodeId).filter((id) => brokerIds.includes(id));
  const proposed = proposeAssignment(current, live);
  out.push('Current partition replica assignment', reassignmentJson(current), '', 'Proposed partition reassignment configuration', reassignmentJson(proposed));
}

async function execute(connection: BrokerConnection, options: ReassignOptions, out: string[], notes: string[]): Promise<void> {
  const proposed = parseReassignment(readJsonFile(options.reassignmentJsonFile ?? ''));
  validateReassignment(proposed);
  const current = await listReassignments(connection, null);
  if (!options.additional && current.topics.some((t) => t.partitions.length > 0)) {
    throw new ReassignCommandError('Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.');
  }
  const response = await metadata(connection, [...new Set(proposed.map((p) => p.topic))]);
  const known = new Set(response.brokers.map((b) => b.nodeId));
  const unknown = proposed.flatMap((p) => p.replicas).find((id) => !known.has(id));
  if (unknown !== undefined) throw new ReassignCommandError(`Error: Unknown broker id ${unknown}`);
  const currentParts: PartitionAssignment[] = [];
  const missing: string[] = [];
  for (const p of proposed) {
    const topic = response.topics.find((t) => t.name === p.topic);
    const partition = topic?.errorCode === ErrorCode.NONE ? topic.partitions.find((x) => x.partitionIndex === p.partition) : undefined;
    if (!partition) missing.push(`${p.topic}-${p.partition}`);
    else currentParts.push({ topic: p.topic, partition: p.partition, replicas: partition.replicaNodes });
  }
  if (missing.length > 0) throw new ReassignCommandError(`Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: ${missing.join(', ')}`);
  out.push('Current partition replica assignment', '', reassignmentJson(currentParts), '', 'Save this to use as the --reassignment-json-file option during rollback');
  if (options.throttle >= 0 || options.logDirThrottle >= 0) {
    out.push('Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.');
    if (options.throttle >= 0) out.push(`The inter-broker throttle limit was set to ${options.throttle} B/s`);
    if (options.logDirThrottle >= 0) out.push(`The replica-alter-dir throttle limit was set to ${options.logDirThrottle} B/s`);
    notes.push('Note: this toolkit does not rate-limit replication; the throttle is accepted and has no effect.');
  }
  const errors = await alterReassignments(connection, proposed);
  if (errors.length > 0) throw new ReassignCommandError(`Error reassigning partition(s):\n${errors.join('\n')}`);
  const names = [...proposed].sort(comparePartitions).map((p) => `${p.topic}-${p.partition}`);
  out.push(`Successfully started partition reassignment${proposed.length === 1 ? '' : 's'} for ${names.join(',')}`);
}

async function verify(connection: BrokerConnection, options: ReassignOptions, out: string[]): Promise<void> {
  const targets = parseReassignment(readJsonFile(options.reassignmentJsonFile ?? ''));
  const all = ongoing(await listReassignments(connection, null));
  const response = await metadata(connection, [...new Set(targets.map((t) => t.topic))]);
  out.push('Status of partition reassignment:');
  for (const target of [...targets].sort(comparePartitions)) {
    const name = `${target.topic}-${target.partition}`;
    if (all.has(name)) {
      out.push(`Reassignment of partition ${name} is still in progress.`);
      continue;
    }
    const topic = response.topics.find((t) => t.name === target.topic);
    const partition = topic?.partitions.find((p) => p.partitionIndex === target.partition);
    if (!partition) throw new ReassignCommandError(`Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: ${name}`);
    const currentReplicas = partition.replicaNodes;
    if (currentReplicas.join(',') === target.replicas.join(',')) out.push(`Reassignment of partition ${name} is completed.`);
    else out.push(`There is no active reassignment of partition ${name}, but replica set is ${currentReplicas.join(',')} rather than ${target.replicas.join(',')}.`);
  }
  if (all.size === 0 && !options.preserveThrottles) await clearThrottles(connection, targets, response, out);
}

/** clearAllThrottles: the lines Kafka prints (brokers and topics in its HashSet order), and the topic-level throttle configs removed. */
async function clearThrottles(connection: BrokerConnection, targets: readonly PartitionAssignment[], response: MetadataResponse, out: string[]): Promise<void> {
  const brokerSet = [...new Set([...response.brokers.map((b) => b.nodeId), ...targets.flatMap((t) => t.replicas)])];
  const brokers = javaHashMapOrder(brokerSet, (id) => id, growingHashMapCapacity(brokerSet.length));
  out.push(`Clearing broker-level throttles on broker${brokers.length === 1 ? '' : 's'} ${brokers.join(',')}`);
  const topicSet = [...new Set(targets.map((t) => t.topic))];
  const topics = javaHashMapOrder(topicSet, javaStringHash, growingHashMapCapacity(topicSet.length));
  out.push(`Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ${topics.join(',')}`);
  const version = connection.usableVersion(ApiKey.IncrementalAlterConfigs, 0, 1);
  const DELETE = 1;
  const TOPIC = 2;
  const result = await connection.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, version, {
    resources: topics.map((name) => ({
      resourceType: TOPIC,
      resourceName: name,
      configs: ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'].map((config) => ({ name: config, configOperation: DELETE, value: null })),
    })),
    validateOnly: false,
  });
  const failed = result.responses.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed) {
    const e = javaException(failed.errorCode, failed.errorMessage);
    throw new ReassignCommandError(`Error: ${e.className}: ${e.message}`);
  }
}

async function cancel(connection: BrokerConnection, options: ReassignOptions, out: string[]): Promise<void> {
  const targets = parseReassignment(readJsonFile(options.reassignmentJsonFile ?? ''));
  const active = ongoing(await listReassignments(connection, targets));
  const cancelling = targets.filter((t) => {
    const state = active.get(`${t.topic}-${t.partition}`);
    return state !== undefined && (state.adding.length === 0 || state.removing.length > 0);
  }).sort(comparePartitions);
  if (cancelling.length === 0) {
    out.push('None of the specified partition reassignments are active.');
    return;
  }
  const errors = await alterReassignments(connection, cancelling.map((t) => ({ ...t, replicas: null })));
  if (errors.length > 0) throw new ReassignCommandError(`Error cancelling partition reassignment${errors.length === 1 ? '' : 's'} for:\n${errors.join('\n')}`);
  out.push(`Successfully cancelled partition reassignment${cancelling.length === 1 ? '' : 's'} for: ${cancelling.map((t) => `${t.topic}-${t.partition}`).join(',')}`);
}

async function list(connection: BrokerConnection, out: string[]): Promise<void> {
  const active = ongoing(await listReassignments(connection, null));
  const lines = [...active].map(([name, s]) => {
    const dash = name.lastIndexOf('-');
    return { topic: name.slice(0, dash), partition: Number(name.slice(dash + 1)), s };
  }).sort(comparePartitions).map(({ topic, partition, s }) =>
    `${topic}-${partition}: replicas: ${s.replicas.join(',')}.${s.adding.length > 0 ? ` adding: ${s.adding.join(',')}.` : ''}${s.removing.length > 0 ? ` removing: ${s.removing.join(',')}.` : ''}`);
  if (lines.length === 0) out.push('No partition reassignments found.');
  else out.push('Current partition reassignments:', ...lines);
}

/** Runs the action; stdout lines (also on failure, before the error line) and stderr notes. */
export async function runReassign(options: ReassignOptions): Promise<{ out: string[]; notes: string[]; error?: string }> {
  const out: string[] = [];
  const notes: string[] = [];
  if (options.zookeeperHosts) {
    const resolved = await zookeeperBootstrap(options.zookeeperHosts);
    options.bootstrapServers = resolved.servers;
    notes.push(resolved.note);
  }
  const wire = new WireAdmin(options.bootstrapServers, { clientId: 'reassign-partitions-tool', properties: options.adminProperties });
  try {
    const connection = await wire.bootstrap();
    switch (options.action) {
      case 'generate': await generate(connection, options, out); break;
      case 'execute': await execute(connection, options, out, notes); break;
      case 'verify': await verify(connection, options, out); break;
      case 'cancel': await cancel(connection, options, out); break;
      case 'list': await list(connection, out); break;
    }
    return { out, notes };
  } catch (err) {
    if (err instanceof ReassignCommandError) return { out, notes, error: err.message };
    throw err;
  } finally {
    wire.close();
  }
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const options = reassignOptions(parseArgs(spec, argv));
    const { out, notes, error } = await runReassign(options);
    for (const note of notes) process.stderr.write(`${note}\n`);
    // Kafka prints its failures on stdout too (TerseException text or `Error: …`)
    const lines = error ? [...out, error] : out;
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    return error ? 1 : 0;
  },
};
