/**
 * kafka-delete-records (DeleteRecordsCommand): reads
 * `{"partitions":[{"topic":"t","partition":0,"offset":2}],"version":1}` and asks each
 * partition's leader (DeleteRecords) to move its log start offset there (`-1` = the
 * high watermark). Prints Kafka's lines: `Executing records delete operation`,
 * `Records delete operation completed:`, then per partition
 * `partition: t-0\tlow_watermark: N` or `partition: t-0\terror: <exception>: <message>`,
 * in the order trunk's HashMap of partitions iterates them. A partition error still
 * exits 0, as Kafka's tool does; a bad file is one line naming it and the fix.
 */
import fs from 'node:fs';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DeleteRecordsResponse } from '../../protocol/generated/types.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { readPropertiesFile } from '../config-files.js';
import { ensureReachable, parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { javaExecutionMessage } from '../java-errors.js';
import { growingHashMapCapacity, javaHashMapOrder, topicPartitionHash } from '../java-format.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { WireAdmin, type BrokerNode } from '../wire-client.js';

const EXAMPLE = '{"partitions":[{"topic": "foo", "partition": 1, "offset": 1}], "version":1}';

export const spec: CommandSpec = {
  name: 'kafka-delete-records',
  summary: 'This tool helps to delete records of the given partitions down to the specified offset.',
  options: [
    { name: 'bootstrap-server', arg: 'String: server(s) to use for bootstrapping', description: 'REQUIRED: The server to connect to.', complete: 'none' },
    { name: 'offset-json-file', arg: 'String: Offset json file path', description: `REQUIRED: The JSON file with offset per partition. The format to use is: ${EXAMPLE}`, complete: 'file' },
    { name: 'command-config', arg: 'String: command config property file path', description: 'A property file containing configs to be passed to Admin Client.', complete: 'file' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface RecordsToDelete {
  topic: string;
  partition: number;
  /** delete before this offset; -1 = the high watermark */
  offset: bigint;
}

/**
 * Parses the offset JSON (version 1, the only one; absent = 1). Throws a CliError
 * naming `file` and what is wrong with it.
 */
export function parseOffsetJson(text: string, file: string): RecordsToDelete[] {
  const fix = `Write it as ${EXAMPLE}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`The offset json file ${file} is not valid JSON (${(err as Error).message}). ${fix}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CliError(`The offset json file ${file} must hold a JSON object. ${fix}`);
  const object = json as Record<string, unknown>;
  const version = object.version ?? 1;
  if (version !== 1) throw new CliError(`Not supported version field value ${JSON.stringify(version)} in ${file}: the only version is 1. ${fix}`);
  if (!('partitions' in object)) throw new CliError(`Missing partitions field in ${file}. ${fix}`);
  if (!Array.isArray(object.partitions)) throw new CliError(`The partitions field in ${file} must be a list. ${fix}`);
  const result: RecordsToDelete[] = [];
  object.partitions.forEach((entry: unknown, index: number) => {
    const where = `entry ${index + 1} of "partitions" in ${file}`;
    if (typeof entry !== 'object' || entry === null) throw new CliError(`${where} is not an object. ${fix}`);
    const e = entry as Record<string, unknown>;
    if (typeof e.topic !== 'string' || e.topic === '') throw new CliError(`${where} needs a "topic" (a topic name). ${fix}`);
    if (typeof e.partition !== 'number' || !Number.isInteger(e.partition) || e.partition < 0) throw new CliError(`${where} needs a "partition" (a partition number). ${fix}`);
    if (typeof e.offset !== 'number' || !Number.isInteger(e.offset) || e.offset < -1) throw new CliError(`${where} needs an "offset" (an offset, or -1 for the high watermark). ${fix}`);
    result.push({ topic: e.topic, partition: e.partition, offset: BigInt(e.offset) });
  });
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const r of result) {
    const name = `${r.topic}-${r.partition}`;
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  if (duplicates.size > 0) throw new CliError(`Offset json file contains duplicate topic partitions: ${[...duplicates].join(',')}`);
  return result;
}

export interface DeleteOutcome {
  topic: string;
  partition: number;
  lowWatermark?: bigint;
  /** `<exception class>: <message>` as Kafka prints it */
  error?: string;
}

/** The result lines, in trunk's order (a HashMap keyed by TopicPartition). */
export function formatDeleteOutcomes(outcomes: readonly DeleteOutcome[]): string[] {
  const ordered = javaHashMapOrder(outcomes, (o) => topicPartitionHash(o.topic, o.partition), growingHashMapCapacity(outcomes.length));
  return ordered.map((o) => (o.error !== undefined
    ? `partition: ${o.topic}-${o.partition}\terror: ${o.error}`
    : `partition: ${o.topic}-${o.partition}\tlow_watermark: ${o.lowWatermark}`));
}

async function deleteRecords(admin: WireAdmin, requests: readonly RecordsToDelete[]): Promise<DeleteOutcome[]> {
  const metadata = await admin.metadata([...new Set(requests.map((r) => r.topic))]);
  const brokers = new Map<number, BrokerNode>(metadata.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
  const outcomes: DeleteOutcome[] = [];
  const byLeader = new Map<number, RecordsToDelete[]>();
  for (const r of requests) {
    const topic = metadata.topics.find((t) => t.name === r.topic && t.errorCode === 0);
    const partition = topic?.partitions.find((p) => p.partitionIndex === r.partition);
    if (!partition) {
      outcomes.push({ topic: r.topic, partition: r.partition, error: javaExecutionMessage(3) });
    } else if (!brokers.has(partition.leaderId)) {
      outcomes.push({ topic: r.topic, partition: r.partition, error: javaExecutionMessage(5) });
    } else {
      const list = byLeader.get(partition.leaderId) ?? [];
      list.push(r);
      byLeader.set(partition.leaderId, list);
    }
  }
  await Promise.all([...byLeader].map(async ([leader, list]) => {
    try {
      const connection = await admin.connectTo(brokers.get(leader)!);
      const topics = new Map<string, Array<{ partitionIndex: number; offset: bigint }>>();
      for (const r of list) {
        const partitions = topics.get(r.topic) ?? [];
        partitions.push({ partitionIndex: r.partition, offset: r.offset });
        topics.set(r.topic, partitions);
      }
      const response = await connection.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, connection.usableVersion(ApiKey.DeleteRecords), {
        topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        timeoutMs: admin.timeoutMs,
      });
      for (const topic of response.topics) {
        for (const p of topic.partitions) {
          outcomes.push(p.errorCode === 0
            ? { topic: topic.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark }
            : { topic: topic.name, partition: p.partitionIndex, error: javaExecutionMessage(p.errorCode) });
        }
      }
    } catch (err) {
      if (err instanceof CliError) throw err;
      for (const r of list) outcomes.push({ topic: r.topic, partition: r.partition, error: `org.apache.kafka.common.errors.NetworkException: ${(err as Error).message}` });
    }
  }));
  return outcomes;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const bootstrap = args.get('bootstrap-server');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    const file = args.get('offset-json-file');
    if (file === undefined) throw new UsageError('Missing required argument "[offset-json-file]"');
    const brokers = parseBootstrapServers(bootstrap);
    const commandConfig = args.get('command-config');
    const properties = commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {};
    warnUnknownConfigs(properties, 'admin');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(`Cannot read offset json file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}. Write one like ${EXAMPLE}`);
    }
    const requests = parseOffsetJson(text, file);
    await ensureReachable(brokers, '--bootstrap-server');
    const admin = new WireAdmin(brokers, { clientId: 'adminclient-1', properties });
    try {
      process.stdout.write('Executing records delete operation\n');
      const outcomes = await deleteRecords(admin, requests);
      process.stdout.write('Records delete operation completed:\n');
      const lines = formatDeleteOutcomes(outcomes);
      if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } finally {
      admin.close();
    }
  },
};
