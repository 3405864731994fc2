/**
 * kafka-leader-election --bootstrap-server … --election-type preferred|unclean
 * --all-topic-partitions | --topic t --partition p | --path-to-json-file f: Kafka's
 * LeaderElectionCommand over ElectLeaders (43). Lines on stdout as Kafka prints them
 * (`Successfully completed leader election (PREFERRED) for partitions t-0, …`, `Valid
 * replica already elected for partitions …`, `Error completing leader election …`), the
 * partitions of each line in the order Kafka's HashSet iterates them; a failed partition
 * ends with `<n> replica(s) could not be elected` on stderr, exit 1.
 */
import fs from 'node:fs';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ElectLeadersResponse } from '../../protocol/generated/types.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { parseBootstrapServers } from '../connection.js';
import { CliError } from '../errors.js';
import { javaExecutionMessage } from '../java-errors.js';
import { growingHashMapCapacity, javaHashMapOrder, topicPartitionHash } from '../java-format.js';
import { intOption, parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { WireAdmin } from '../wire-client.js';

export const spec: CommandSpec = {
  name: 'kafka-leader-election',
  summary: 'This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.',
  options: [
    { name: 'bootstrap-server', arg: 'String: host:port', description: 'A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED.', complete: 'none' },
    { name: 'admin.config', arg: 'String: config file', description: 'Configuration properties files to pass to the admin client', complete: 'file' },
    { name: 'path-to-json-file', arg: 'String: Path to JSON file', description: 'The JSON file with the list  of partition for which leader elections should be performed, e.g. {"partitions": [{"topic": "foo", "partition": 1}]}. Not allowed if --all-topic-partitions or --topic flags are specified.', complete: 'file' },
    { name: 'topic', arg: 'String: topic name', description: 'Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.', complete: 'none' },
    { name: 'partition', arg: 'Integer: partition id', description: 'Partition id for which to perform an election. REQUIRED if --topic is specified.', complete: 'none' },
    { name: 'all-topic-partitions', description: 'Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified.' },
    { name: 'election-type', arg: 'ElectionType: election type', description: 'Type of election to attempt. Possible values are "preferred" for preferred leader election or "unclean" for unclean leader election. REQUIRED.', complete: ['preferred', 'unclean'] },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export type ElectionType = 'PREFERRED' | 'UNCLEAN';

export interface PartitionRef {
  topic: string;
  partition: number;
}

export interface LeaderElectionOptions {
  bootstrapServers: string[];
  electionType: ElectionType;
  /** null = every partition (--all-topic-partitions) */
  partitions: PartitionRef[] | null;
  adminProperties: Record<string, string>;
}

/** Kafka's AdminCommandFailedException texts: printed as one stderr line, exit 1. */
export function leaderElectionOptions(args: ParsedArgs): LeaderElectionOptions {
  const missing = ['bootstrap-server', 'election-type'].filter((o) => !args.has(o));
  if (missing.length > 0) throw new CliError(`Missing required option(s): ${missing.join(', ')}`);
  const exclusive = ['topic', 'all-topic-partitions', 'path-to-json-file'];
  if (exclusive.filter((o) => args.has(o)).length !== 1) throw new CliError(`One and only one of the following options is required: ${exclusive.join(', ')}`);
  if (args.has('topic') && !args.has('partition')) throw new CliError('Missing required option(s): partition');
  if (!args.has('topic') && args.has('partition')) throw new CliError('Option partition is only allowed if topic is used');
  const type = (args.get('election-type') ?? '').trim().toUpperCase();
  if (type !== 'PREFERRED' && type !== 'UNCLEAN') {
    throw new CliError(`Cannot parse argument '${args.get('election-type') ?? ''}' of option election-type (use preferred or unclean)`);
  }
  let partitions: PartitionRef[] | null = null;
  const topic = args.get('topic');
  if (topic !== undefined) partitions = [{ topic, partition: intOption(args, 'partition') ?? 0 }];
  const jsonFile = args.get('path-to-json-file');
  if (jsonFile !== undefined) partitions = parseElectionJson(readText(jsonFile));
  const config = args.get('admin.config');
  return {
    bootstrapServers: parseBootstrapServers(args.get('bootstrap-server') ?? ''),
    electionType: type,
    partitions,
    adminProperties: config ? readPropertiesFile(config, 'admin config file') : {},
  };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** `{"partitions": [{"topic": "foo", "partition": 1}, …]}` with Kafka's refusals. */
export function parseElectionJson(text: string): PartitionRef[] {
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch (err) {
    throw new CliError(`Cannot parse the election JSON: ${(err as Error).message}`);
  }
  if (json === undefined) throw new CliError('Replica election data is empty');
  const list = (json as { partitions?: unknown }).partitions;
  if (!Array.isArray(list)) throw new CliError('Replica election data is missing "partitions" field');
  const partitions: PartitionRef[] = list.map((entry: unknown) => {
    const e = entry as { topic?: unknown; partition?: unknown };
    if (typeof e.topic !== 'string' || !Number.isInteger(e.partition)) {
      throw new CliError(`Each entry of "partitions" needs "topic" (a string) and "partition" (an integer): ${JSON.stringify(entry)}`);
    }
    return { topic: e.topic, partition: e.partition as number };
  });
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const p of partitions) {
    const key = `${p.topic}-${p.partition}`;
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
  }
  if (duplicates.size > 0) throw new CliError(`Replica election data contains duplicate partitions: [${[...duplicates].join(', ')}]`);
  return partitions;
}

export interface ElectionOutcome {
  succeeded: PartitionRef[];
  noop: PartitionRef[];
  failed: Array<PartitionRef & { errorCode: number; errorMessage: string | null }>;
}

/** Sorts the response into Kafka's three sets (ElectionNotNeeded = already elected). */
export function electionOutcome(response: ElectLeadersResponse): ElectionOutcome {
  const outcome: ElectionOutcome = { succeeded: [], noop: [], failed: [] };
  for (const topic of response.replicaElectionResults) {
    for (const p of topic.partitionResult) {
      const ref = { topic: topic.topic, partition: p.partitionId };
      if (p.errorCode === ErrorCode.NONE) outcome.succeeded.push(ref);
      else if (p.errorCode === ErrorCode.ELECTION_NOT_NEEDED) outcome.noop.push(ref);
      else outcome.failed.push({ ...ref, errorCode: p.errorCode, errorMessage: p.errorMessage });
    }
  }
  return outcome;
}

/** A HashSet<TopicPartition> as Java iterates it. */
function javaSetOrder<T extends PartitionRef>(items: readonly T[]): T[] {
  return javaHashMapOrder(items, (p) => topicPartitionHash(p.topic, p.partition), growingHashMapCapacity(items.length));
}

/** stdout lines, and the stderr failure line when some partition could not be elected. */
export function electionLines(type: ElectionType, outcome: ElectionOutcome): { stdout: string[]; failure?: string } {
  const name = (p: PartitionRef): string => `${p.topic}-${p.partition}`;
  const stdout: string[] = [];
  if (outcome.succeeded.length > 0) stdout.push(`Successfully completed leader election (${type}) for partitions ${javaSetOrder(outcome.succeeded).map(name).join(', ')}`);
  if (outcome.noop.length > 0) stdout.push(`Valid replica already elected for partitions ${javaSetOrder(outcome.noop).map(name).join(', ')}`);
  if (outcome.failed.length === 0) return { stdout };
  for (const f of javaSetOrder(outcome.failed)) {
    stdout.push(`Error completing leader election (${type}) for partition: ${name(f)}: ${javaExecutionMessage(f.errorCode, f.errorMessage)}`);
  }
  return { stdout, failure: `${outcome.failed.length} replica(s) could not be elected` };
}

/** Sends ElectLeaders to the cluster (the broker forwards it to the active controller). */
export async function electLeaders(options: LeaderElectionOptions): Promise<ElectLeadersResponse> {
  const wire = new WireAdmin(options.bootstrapServers, { clientId: 'adminclient-1', properties: options.adminProperties });
  try {
    const connection = await wire.bootstrap();
    // v0 knows only preferred elections
    const version = connection.usableVersion(ApiKey.ElectLeaders, options.electionType === 'UNCLEAN' ? 1 : 0, 2);
    const byTopic = new Map<string, number[]>();
    for (const p of options.partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    return await connection.request<ElectLeadersResponse>(ApiKey.ElectLeaders, version, {
      electionType: options.electionType === 'PREFERRED' ? 0 : 1,
      topicPartitions: options.partitions === null ? null : [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      timeoutMs: 30_000,
    });
  } finally {
    wire.close();
  }
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const options = leaderElectionOptions(parseArgs(spec, argv));
    const response = await electLeaders(options);
    if (response.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED) {
      process.stdout.write('Not authorized to perform leader election\n');
      throw new CliError('Not authorized to perform leader election');
    }
    const { stdout, failure } = electionLines(options.electionType, electionOutcome(response));
    if (stdout.length > 0) process.stdout.write(stdout.join('\n') + '\n');
    if (failure) throw new CliError(failure);
    return 0;
  },
};
