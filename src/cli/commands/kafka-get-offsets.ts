/**
 * kafka-get-offsets (GetOffsetShell): one `topic:partition:offset` line per
 * matching partition, for --time latest (-1), earliest (-2), max-timestamp (-3),
 * earliest-local (-4), latest-tiered (-5) or a timestamp in ms. Lines are sorted
 * by the string `topic-partition` as Kafka 3.7+ does; partitions without an
 * offset are left out, failed ones noted on stderr (`Skip getting offsets ...`).
 * Runtime errors: `Error occurred: <msg>` on stderr, exit 1.
 */
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { errorName } from '../../protocol/errors.js';
import type { ListOffsetsResponse, MetadataResponse } from '../../protocol/generated/types.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { ensureReachable, parseBootstrapServers, type BootstrapOption } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { INTERNAL_TOPICS, javaStringOrder, topicFilter } from '../format.js';
import { parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { WireAdmin, type BrokerNode } from '../wire-client.js';

export const spec: CommandSpec = {
  name: 'kafka-get-offsets',
  summary: 'An interactive shell for getting topic-partition offsets.',
  options: [
    { name: 'bootstrap-server', arg: 'String: HOST1:PORT1,...,HOST3:PORT3', description: 'REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.', complete: 'none' },
    { name: 'broker-list', arg: 'String: HOST1:PORT1,...,HOST3:PORT3', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.', complete: 'none' },
    { name: 'topic', arg: 'String: topic', description: 'The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized topics are queried. Cannot be used if --topic-partitions is present.', complete: 'none' },
    { name: 'partitions', arg: 'String: partition ids', description: 'Comma separated list of partition ids to get the offsets for. If not present, all partitions of the authorized topics are queried. Cannot be used if --topic-partitions is present.', complete: 'none' },
    { name: 'time', arg: 'String: <timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered', description: 'timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently committed record timestamp is given.] (default: latest)', complete: ['latest', 'earliest', 'max-timestamp', 'earliest-local', 'latest-tiered'] },
    { name: 'command-config', arg: 'String: config file', description: 'Property file containing configs to be passed to Admin Client.', complete: 'file' },
    { name: 'exclude-internal-topics', description: 'By default, internal topics are included. If specified, internal topics are excluded.' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

/** ListOffsets timestamps with a meaning (ListOffsets v1+; -3 needs v7, -4 v8, -5 v9). */
const NAMED_TIMES: Readonly<Record<string, bigint>> = {
  latest: -1n,
  earliest: -2n,
  'max-timestamp': -3n,
  'earliest-local': -4n,
  'latest-tiered': -5n,
};

/** The lowest ListOffsets version that carries each special timestamp. */
function minListOffsetsVersion(time: bigint): number {
  if (time === -3n) return 7;
  if (time === -4n) return 8;
  if (time === -5n) return 9;
  return 1;
}

export interface GetOffsetsOptions {
  bootstrapServers: string[];
  /** the option the brokers were named with, for hints */
  bootstrapOption: BootstrapOption;
  topic?: string;
  partitions?: ReadonlySet<number>;
  time: bigint;
  excludeInternalTopics: boolean;
  adminProperties: Record<string, string>;
}

/** Parses `--time`: a name, -1..-5, or a non-negative timestamp in ms. */
export function parseTime(raw: string | undefined): bigint {
  if (raw === undefined) return -1n;
  const value = raw.trim();
  const named = NAMED_TIMES[value];
  if (named !== undefined) return named;
  if (/^-?\d+$/.test(value)) {
    const time = BigInt(value);
    if (time >= -5n) return time;
  }
  throw new UsageError(`Malformed time argument ${raw}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp`);
}

/** Parses `--partitions 0,1,2`. */
export function parsePartitionList(raw: string): Set<number> {
  const ids = new Set<number>();
  for (const item of raw.split(',')) {
    const text = item.trim();
    if (!/^\d+$/.test(text) || Number(text) > 0x7fffffff) {
      throw new UsageError(`Invalid partition '${text}' in --partitions ${raw}: use comma separated partition ids such as 0,1,2`);
    }
    ids.add(Number(text));
  }
  return ids;
}

export function getOffsetsOptions(args: ParsedArgs): GetOffsetsOptions {
  const bootstrap = args.get('bootstrap-server') ?? args.get('broker-list');
  if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const partitions = args.get('partitions');
  const commandConfig = args.get('command-config');
  return {
    bootstrapServers: parseBootstrapServers(bootstrap),
    bootstrapOption: args.has('bootstrap-server') ? '--bootstrap-server' : '--broker-list',
    topic: args.get('topic'),
    partitions: partitions === undefined ? undefined : parsePartitionList(partitions),
    time: parseTime(args.get('time')),
    excludeInternalTopics: args.has('exclude-internal-topics'),
    adminProperties: commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {},
  };
}

/** One partition's answer: an offset, or the error the broker gave for it. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** -1 when the broker has no offset for the request (Kafka leaves such partitions out) */
  offset?: bigint;
  error?: string;
}

/** The stdout lines for the answers, Kafka 3.7+ order (string `topic-partition`); failures become stderr notes. */
export function formatOffsets(answers: readonly PartitionOffset[]): { stdout: string[]; stderr: string[] } {
  const sorted = [...answers].sort((a, b) => javaStringOrder(`${a.topic}-${a.partition}`, `${b.topic}-${b.partition}`));
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const answer of sorted) {
    if (answer.error !== undefined) {
      stderr.push(`Skip getting offsets for topic-partition ${answer.topic}-${answer.partition} due to error: ${answer.error}`);
    } else if (answer.offset !== undefined && answer.offset !== -1n) {
      stdout.push(`${answer.topic}:${answer.partition}:${answer.offset}`);
    }
  }
  return { stdout, stderr };
}

interface PartitionTarget {
  topic: string;
  partition: number;
  leader: number;
}

function selectPartitions(metadata: MetadataResponse, options: GetOffsetsOptions): PartitionTarget[] {
  const filter = options.topic !== undefined ? topicFilter(options.topic) : () => true;
  const targets: PartitionTarget[] = [];
  for (const topic of metadata.topics) {
    const name = topic.name;
    if (!name || topic.errorCode !== 0 || !filter(name)) continue;
    if (options.excludeInternalTopics && (topic.isInternal || INTERNAL_TOPICS.has(name))) continue;
    for (const p of topic.partitions) {
      if (options.partitions && !options.partitions.has(p.partitionIndex)) continue;
      targets.push({ topic: name, partition: p.partitionIndex, leader: p.leaderId });
    }
  }
  return targets;
}

/** Asks each partition's leader (ListOffsets) for the offset `options.time` names. */
export async function fetchOffsets(admin: WireAdmin, options: GetOffsetsOptions): Promise<PartitionOffset[]> {
  const metadata = await admin.metadata(null);
  const targets = selectPartitions(metadata, options);
  if (targets.length === 0) throw new CliError('Could not match any topic-partitions with the specified filters');
  const brokers = new Map<number, BrokerNode>(metadata.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
  const answers: PartitionOffset[] = [];
  const byLeader = new Map<number, PartitionTarget[]>();
  for (const target of targets) {
    const node = brokers.get(target.leader);
    if (!node) {
      answers.push({ topic: target.topic, partition: target.partition, error: 'LEADER_NOT_AVAILABLE: the partition has no leader' });
      continue;
    }
    const list = byLeader.get(target.leader) ?? [];
    list.push(target);
    byLeader.set(target.leader, list);
  }
  await Promise.all([...byLeader.entries()].map(async ([leader, partitions]) => {
    try {
      const connection = await admin.connectTo(brokers.get(leader)!);
      const version = connection.usableVersion(ApiKey.ListOffsets, minListOffsetsVersion(options.time));
      const topics = new Map<string, Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint; maxNumOffsets: number }>>();
      for (const p of partitions) {
        const list = topics.get(p.topic) ?? [];
        list.push({ partitionIndex: p.partition, currentLeaderEpoch: -1, timestamp: options.time, maxNumOffsets: 1 });
        topics.set(p.topic, list);
      }
      const response = await connection.request<ListOffsetsResponse>(ApiKey.ListOffsets, version, {
        replicaId: -1,
        isolationLevel: 0, // READ_UNCOMMITTED, the Admin client's default
        topics: [...topics.entries()].map(([name, list]) => ({ name, partitions: list })),
        timeoutMs: admin.timeoutMs,
      });
      for (const topic of response.topics) {
        for (const p of topic.partitions) {
          answers.push(p.errorCode === 0
            ? { topic: topic.name, partition: p.partitionIndex, offset: p.offset }
            : { topic: topic.name, partition: p.partitionIndex, error: errorName(p.errorCode) });
        }
      }
    } catch (err) {
      if (err instanceof CliError) throw err;
      for (const p of partitions) answers.push({ topic: p.topic, partition: p.partition, error: (err as Error).message });
    }
  }));
  return answers;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const options = getOffsetsOptions(args);
    warnUnknownConfigs(options.adminProperties, 'admin');
    let admin: WireAdmin | undefined;
    try {
      await ensureReachable(options.bootstrapServers, options.bootstrapOption);
      admin = new WireAdmin(options.bootstrapServers, { clientId: 'GetOffsetShell', properties: options.adminProperties });
      const { stdout, stderr } = formatOffsets(await fetchOffsets(admin, options));
      if (stderr.length > 0) process.stderr.write(stderr.join('\n') + '\n');
      if (stdout.length > 0) process.stdout.write(stdout.join('\n') + '\n');
      return 0;
    } catch (err) {
      process.stderr.write(`Error occurred: ${(err as Error).message}\n`);
      return 1;
    } finally {
      admin?.close();
    }
  },
};
