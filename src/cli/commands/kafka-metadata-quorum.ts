/**
 * kafka-metadata-quorum --bootstrap-server|--bootstrap-controller … describe --status |
 * --replication [--human-readable]: Kafka's MetadataQuorumCommand over DescribeQuorum (55)
 * for `__cluster_metadata-0`, in trunk's layout (status values aligned at column 25,
 * voters as `{"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://localhost:9093"]}`;
 * the replication table padded per column, every cell followed by a TAB).
 */
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeClusterResponse, DescribeQuorumResponse, DescribeQuorumResponsePartitionData, DescribeQuorumResponseReplicaState, MetadataResponse } from '../../protocol/generated/types.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { javaExecutionMessage } from '../java-errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { WireAdmin, type BrokerConnection } from '../wire-client.js';

export const spec: CommandSpec = {
  name: 'kafka-metadata-quorum',
  summary: 'usage: kafka-metadata-quorum (--bootstrap-server BOOTSTRAP_SERVER | --bootstrap-controller BOOTSTRAP_CONTROLLER) [--command-config COMMAND_CONFIG] describe (--status | --replication [--human-readable])\nThis tool describes kraft metadata quorum status.',
  positionals: true,
  options: [
    { name: 'bootstrap-server', arg: 'String: BOOTSTRAP_SERVER', description: 'A comma-separated list of host:port pairs to use for establishing the connection to the Kafka cluster.', complete: 'none' },
    { name: 'bootstrap-controller', arg: 'String: BOOTSTRAP_CONTROLLER', description: 'A comma-separated list of host:port pairs to use for establishing the connection to the Kafka controllers.', complete: 'none' },
    { name: 'command-config', arg: 'String: COMMAND_CONFIG', description: 'Property file containing configs to be passed to Admin Client.', complete: 'file' },
    { name: 'status', description: 'A short summary of the quorum status and the other provides detailed information about the status of replication.' },
    { name: 'replication', description: 'Detailed information about the status of replication' },
    { name: 'human-readable', description: 'Human-readable output' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface QuorumCommandOptions {
  bootstrapServers: string[];
  view: 'status' | 'replication';
  humanReadable: boolean;
  adminProperties: Record<string, string>;
}

export function quorumCommandOptions(argv: readonly string[]): QuorumCommandOptions {
  const args = parseArgs(spec, argv);
  const server = args.get('bootstrap-server');
  const controller = args.get('bootstrap-controller');
  if (server !== undefined && controller !== undefined) throw new UsageError('argument --bootstrap-controller: not allowed with argument --bootstrap-server');
  if (server === undefined && controller === undefined) throw new UsageError('one of the arguments --bootstrap-server --bootstrap-controller is required');
  const [sub, ...extra] = args.positionals;
  if (sub === undefined) throw new UsageError('too few arguments (give the sub-command describe)');
  if (sub !== 'describe') {
    if (sub === 'add-controller' || sub === 'remove-controller') throw new CliError(`${sub} is not supported by this toolkit: its quorum's voters are static (controller.quorum.voters or server.N lines)`);
    throw new UsageError(`argument command: invalid choice: '${sub}' (choose from 'describe', 'add-controller', 'remove-controller')`);
  }
  if (extra.length > 0) throw new UsageError(`unrecognized arguments: '${extra.join(' ')}'`);
  const status = args.has('status');
  const replication = args.has('replication');
  if (status && replication) throw new CliError('Only one of --status or --replication should be specified with describe sub-command');
  if (!status && !replication) throw new CliError('One of --status or --replication must be specified with describe sub-command');
  if (status && args.has('human-readable')) throw new CliError('The option --human-readable is only supported along with --replication');
  const config = args.get('command-config');
  return {
    bootstrapServers: parseBootstrapServers(server ?? controller ?? ''),
    view: status ? 'status' : 'replication',
    humanReadable: args.has('human-readable'),
    adminProperties: config ? readPropertiesFile(config, 'command config file') : {},
  };
}

export interface QuorumInfo {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  voters: DescribeQuorumResponseReplicaState[];
  observers: DescribeQuorumResponseReplicaState[];
  /** node id → endpoints as `NAME://host:port` (DescribeQuorum v2) */
  endpoints: Map<number, string[]>;
}

/** The partition of `__cluster_metadata` from a response, or the error Kafka's admin client would raise. */
export function quorumInfo(response: DescribeQuorumResponse): QuorumInfo {
  if (response.errorCode !== ErrorCode.NONE) throw new CliError(javaExecutionMessage(response.errorCode, response.errorMessage));
  const partition: DescribeQuorumResponsePartitionData | undefined = response.topics[0]?.partitions[0];
  if (!partition) throw new CliError('The DescribeQuorum response named no __cluster_metadata partition');
  if (partition.errorCode !== ErrorCode.NONE) throw new CliError(javaExecutionMessage(partition.errorCode, partition.errorMessage));
  const endpoints = new Map<number, string[]>();
  for (const node of response.nodes ?? []) {
    endpoints.set(node.nodeId, node.listeners.map((l) => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`));
  }
  return { leaderId: partition.leaderId, leaderEpoch: partition.leaderEpoch, highWatermark: partition.highWatermark, voters: partition.currentVoters, observers: partition.observers, endpoints };
}

function directoryId(replica: DescribeQuorumResponseReplicaState): string {
  return replica.replicaDirectoryId || ZERO_UUID;
}

function nodeText(info: QuorumInfo, replica: DescribeQuorumResponseReplicaState): string {
  const dir = directoryId(replica);
  const endpoints = info.endpoints.get(replica.replicaId) ?? [];
  return `{"id": ${replica.replicaId}, "directoryId": ${dir === ZERO_UUID ? 'null' : `"${dir}"`}${endpoints.length > 0 ? `, "endpoints": [${endpoints.map((e) => `"${e}"`).join(', ')}]` : ''}}`;
}

function leaderOf(info: QuorumInfo): DescribeQuorumResponseReplicaState {
  const leader = info.voters.find((v) => v.replicaId === info.leaderId);
  if (!leader) throw new CliError(`The quorum has no leader right now (leader id ${info.leaderId}, epoch ${info.leaderEpoch}); an election may be under way, try again`);
  return leader;
}

/** `describe --status`: eight lines, values at column 25. */
export function statusLines(clusterId: string, info: QuorumInfo): string[] {
  const leader = leaderOf(info);
  const laggard = info.voters.reduce((min, v) => (v.logEndOffset < min.logEndOffset ? v : min), info.voters[0] ?? leader);
  const maxLag = leader.logEndOffset - laggard.logEndOffset;
  let maxLagTimeMs: bigint;
  if (laggard === leader) maxLagTimeMs = 0n;
  else if (leader.lastCaughtUpTimestamp !== -1n && laggard.lastCaughtUpTimestamp !== -1n) maxLagTimeMs = leader.lastCaughtUpTimestamp - laggard.lastCaughtUpTimestamp;
  else maxLagTimeMs = -1n;
  const row = (name: string, value: string): string => `${`${name}:`.padEnd(24)}${value}`;
  return [
    row('ClusterId', clusterId),
    row('LeaderId', String(info.leaderId)),
    row('LeaderEpoch', String(info.leaderEpoch)),
    row('HighWatermark', String(info.highWatermark)),
    row('MaxFollowerLag', String(maxLag)),
    row('MaxFollowerLagTimeMs', String(maxLagTimeMs)),
    row('CurrentVoters', `[${info.voters.map((v) => nodeText(info, v)).join(', ')}]`),
    row('CurrentObservers', `[${info.observers.map((v) => nodeText(info, v)).join(', ')}]`),
  ];
}

/** `describe --replication`: ToolsUtils.prettyPrintTable (cells padded to the widest, each followed by a TAB). */
export function replicationLines(info: QuorumInfo, humanReadable: boolean, nowMs: number = Date.now()): string[] {
  const leader = leaderOf(info);
  const time = (ts: bigint): string => (ts === -1n ? '-1' : humanReadable ? `${nowMs - Number(ts)} ms ago` : String(ts));
  const rows = (replicas: DescribeQuorumResponseReplicaState[], status: string): string[][] => replicas.map((r) => [
    String(r.replicaId), directoryId(r), String(r.logEndOffset), String(leader.logEndOffset - r.logEndOffset), time(r.lastFetchTimestamp), time(r.lastCaughtUpTimestamp), status,
  ]);
  const table = [
    ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'],
    ...rows([leader], 'Leader'),
    ...rows(info.voters.filter((v) => v.replicaId !== info.leaderId), 'Follower'),
    ...rows(info.observers, 'Observer'),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((cell, i) => `${cell.padEnd(widths[i])}\t`).join(''));
}

async function clusterId(connection: BrokerConnection): Promise<string> {
  if (connection.brokerVersions.has(ApiKey.DescribeCluster)) {
    const version = connection.usableVersion(ApiKey.DescribeCluster, 0, 1);
    const response = await connection.request<DescribeClusterResponse>(ApiKey.DescribeCluster, version, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    if (response.errorCode === ErrorCode.NONE) return response.clusterId;
  }
  const version = connection.usableVersion(ApiKey.Metadata, 2, 12);
  const response = await connection.request<MetadataResponse>(ApiKey.Metadata, version, {
    topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  });
  return response.clusterId ?? '';
}

async function describeQuorum(connection: BrokerConnection): Promise<DescribeQuorumResponse> {
  const version = connection.usableVersion(ApiKey.DescribeQuorum, 0, 2);
  return connection.request<DescribeQuorumResponse>(ApiKey.DescribeQuorum, version, {
    topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
  });
}

/**
 * Asks each bootstrap address in turn until one answers for the quorum: a controller
 * that is not the leader says NOT_LEADER_OR_FOLLOWER (KIP-595), the leader answers.
 */
export async function describe(options: QuorumCommandOptions): Promise<string[]> {
  let lastError: unknown;
  for (const address of options.bootstrapServers) {
    const wire = new WireAdmin([address], { clientId: 'adminclient-1', properties: options.adminProperties });
    try {
      const connection = await wire.bootstrap();
      const response = await describeQuorum(connection);
      const partitionError = response.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.NONE;
      if ((response.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || partitionError === ErrorCode.NOT_LEADER_OR_FOLLOWER) && address !== options.bootstrapServers.at(-1)) continue;
      const info = quorumInfo(response);
      if (options.view === 'replication') return replicationLines(info, options.humanReadable);
      return statusLines(await clusterId(connection), info);
    } catch (err) {
      lastError = err;
      if (address === options.bootstrapServers.at(-1)) throw err;
    } finally {
      wire.close();
    }
  }
  throw lastError instanceof Error ? lastError : new CliError('No bootstrap address answered DescribeQuorum');
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const options = quorumCommandOptions(argv);
    const lines = await describe(options);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
