/**
 * kafka-log-dirs (LogDirsCommand): `--describe` asks each broker (DescribeLogDirs)
 * for its log directories and prints Kafka's two lines and one JSON line:
 *
 *   Querying brokers for log directories information
 *   Received log directory information from brokers 0,1,2
 *   {"brokers":[{"broker":0,"logDirs":[{"partitions":[...],"error":null,"logDir":"/data"}]}],"version":1}
 *
 * Trunk builds that JSON from java.util.HashMaps, so keys and partitions come in
 * HashMap iteration order (java-format.ts reproduces it); `--topic-list` filters the
 * partitions, `--broker-list` (broker ids) the brokers.
 */
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DescribeLogDirsResponse } from '../../protocol/generated/types.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { readPropertiesFile } from '../config-files.js';
import { ensureReachable, parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { javaException } from '../java-errors.js';
import { growingHashMapCapacity, javaHashMapOrder, javaStringHash, presizedHashMapCapacity, tableSizeFor, topicPartitionHash } from '../java-format.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { WireAdmin, type BrokerNode } from '../wire-client.js';

export const spec: CommandSpec = {
  name: 'kafka-log-dirs',
  summary: 'This tool helps to query log directory usage on the specified brokers.',
  options: [
    { name: 'bootstrap-server', arg: 'String: The server(s) to use for bootstrapping', description: 'REQUIRED: the server(s) to use for bootstrapping', complete: 'none' },
    { name: 'command-config', arg: 'String: Admin client property file', description: 'Property file containing configs to be passed to Admin Client.', complete: 'file' },
    { name: 'describe', description: 'Describe the specified log directories on the specified brokers.' },
    { name: 'topic-list', arg: 'String: Topic list', description: 'The list of topics to be queried in the form "topic1,topic2,topic3". All topics will be queried if no topic list is specified (default: )', complete: 'none' },
    { name: 'broker-list', arg: 'String: Broker list', description: 'The list of brokers to be queried in the form "0,1,2". All brokers in the cluster will be queried if no broker list is specified (default: )', complete: 'none' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface ReplicaDescription {
  topic: string;
  partition: number;
  size: bigint;
  offsetLag: bigint;
  isFuture: boolean;
}

export interface LogDirDescription {
  logDir: string;
  /** the Java exception class of the directory's error, null when healthy */
  error: string | null;
  replicas: readonly ReplicaDescription[];
}

export interface BrokerLogDirs {
  broker: number;
  logDirs: readonly LogDirDescription[];
}

/** A HashSet<Integer> copied from a collection of `size` ids: max(size/.75 + 1, 16) buckets. */
function copiedHashSetCapacity(size: number): number {
  return tableSizeFor(Math.max(Math.floor(size / 0.75) + 1, 16));
}

/** Broker ids as trunk's HashSet<Integer> lists them. */
export function brokerIdOrder(ids: readonly number[]): number[] {
  return javaHashMapOrder(ids, (id) => id, copiedHashSetCapacity(ids.length));
}

/** The JSON line, byte for byte as trunk's Jackson writes its HashMaps. */
export function formatLogDirsJson(brokers: readonly BrokerLogDirs[], topics: ReadonlySet<string>): string {
  const ordered = javaHashMapOrder(brokers, (b) => b.broker, presizedHashMapCapacity(brokers.length, brokers.length));
  const brokerParts = ordered.map((b) => {
    const dirs = javaHashMapOrder(b.logDirs, (d) => javaStringHash(d.logDir), presizedHashMapCapacity(b.logDirs.length, b.logDirs.length));
    const dirParts = dirs.map((dir) => {
      const replicas = dir.replicas.filter((r) => topics.size === 0 || topics.has(r.topic));
      const inOrder = javaHashMapOrder(replicas, (r) => topicPartitionHash(r.topic, r.partition), growingHashMapCapacity(replicas.length));
      const partitions = inOrder.map((r) => `{"partition":${JSON.stringify(`${r.topic}-${r.partition}`)},"size":${r.size},"offsetLag":${r.offsetLag},"isFuture":${r.isFuture}}`);
      return `{"partitions":[${partitions.join(',')}],"error":${dir.error === null ? 'null' : JSON.stringify(dir.error)},"logDir":${JSON.stringify(dir.logDir)}}`;
    });
    return `{"broker":${b.broker},"logDirs":[${dirParts.join(',')}]}`;
  });
  return `{"brokers":[${brokerParts.join(',')}],"version":1}`;
}

/** `--broker-list 0,1,2` / `--topic-list a,b`: comma separated, empty items dropped. */
function splitList(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

async function describeBroker(admin: WireAdmin, node: BrokerNode): Promise<BrokerLogDirs> {
  const connection = await admin.connectTo(node);
  const response = await connection.request<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, connection.usableVersion(ApiKey.DescribeLogDirs), { topics: null });
  if (response.errorCode) {
    const e = javaException(response.errorCode);
    throw new CliError(`Broker ${node.nodeId} refused to describe its log directories: ${e.className}: ${e.message}`);
  }
  return {
    broker: node.nodeId,
    logDirs: response.results.map((result) => ({
      logDir: result.logDir,
      error: result.errorCode === 0 ? null : javaException(result.errorCode).className,
      replicas: result.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey }))),
    })),
  };
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const bootstrap = args.get('bootstrap-server');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    if (!args.has('describe')) throw new UsageError('Missing required argument "[describe]"');
    const inputBrokers = splitList(args.get('broker-list')).map((item) => {
      if (!/^\d+$/.test(item)) throw new UsageError(`Invalid broker id '${item}' in --broker-list ${args.get('broker-list')}: give broker ids such as 0,1,2 (not host:port; the brokers to ask come from --bootstrap-server)`);
      return Number(item);
    });
    const topics = new Set(splitList(args.get('topic-list')));
    const brokers = parseBootstrapServers(bootstrap);
    const commandConfig = args.get('command-config');
    const properties = commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {};
    warnUnknownConfigs(properties, 'admin');
    await ensureReachable(brokers, '--bootstrap-server');
    const admin = new WireAdmin(brokers, { clientId: properties['client.id'] ?? 'log-dirs-tool', properties });
    try {
      const metadata = await admin.metadata([]);
      const cluster = new Map<number, BrokerNode>(metadata.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
      const clusterIds = [...cluster.keys()];
      const unique = [...new Set(inputBrokers)];
      const missing = unique.filter((id) => !cluster.has(id));
      if (missing.length > 0) {
        const clusterOrder = javaHashMapOrder(clusterIds, (id) => id, growingHashMapCapacity(clusterIds.length));
        throw new CliError(`ERROR: The given brokers do not exist from --broker-list: ${brokerIdOrder(missing).join(',')}. Current existent brokers: ${clusterOrder.join(',')}`);
      }
      const queried = brokerIdOrder(unique.length > 0 ? unique : clusterIds);
      process.stdout.write('Querying brokers for log directories information\n');
      const results = await Promise.all(queried.map((id) => describeBroker(admin, cluster.get(id)!)));
      process.stdout.write(`Received log directory information from brokers ${queried.join(',')}\n`);
      process.stdout.write(formatLogDirsJson(results, topics) + '\n');
      return 0;
    } finally {
      admin.close();
    }
  },
};
