/**
 * kafka-broker-api-versions (BrokerApiVersionsCommand): asks every broker in the
 * cluster for its ApiVersions and prints them the way Kafka's NodeApiVersions
 * does, with "usable" computed against this toolkit's own protocol codec as the
 * client: `host:port (id: N rack: null) -> (` then `\tName(key): min to max [usable: v]`
 * lines joined by `,\n\t`, `UNSUPPORTED` for APIs the codec knows and the broker
 * does not serve, and a closing `)`.
 */
import { apiName } from '../../protocol/generated/api-keys.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { parseBootstrapServers } from '../connection.js';
import { UsageError } from '../errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { clientApiKeys, clientVersionRange, WireAdmin, type BrokerNode, type VersionRange } from '../wire-client.js';

export const spec: CommandSpec = {
  name: 'kafka-broker-api-versions',
  summary: 'This tool helps to retrieve broker version information.',
  options: [
    { name: 'bootstrap-server', arg: 'String: server(s) to use for bootstrapping', description: 'REQUIRED: The server to connect to.', complete: 'none' },
    { name: 'command-config', arg: 'String: command config property file', description: 'A property file containing configs to be passed to Admin Client.', complete: 'file' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

/** Kafka's Node.toString: `host:port (id: N rack: R)`. */
export function formatNode(node: BrokerNode): string {
  return `${node.host}:${node.port} (id: ${node.nodeId} rack: ${node.rack ?? 'null'})`;
}

function rangeText(range: VersionRange): string {
  return range.minVersion === range.maxVersion ? String(range.minVersion) : `${range.minVersion} to ${range.maxVersion}`;
}

/** The client side of the comparison: which keys it knows and their ranges (the codec IR by default). */
export interface ClientApis {
  keys: readonly number[];
  range(apiKey: number): VersionRange | undefined;
  name(apiKey: number): string;
}

export const CODEC_CLIENT: ClientApis = { keys: clientApiKeys(), range: clientVersionRange, name: apiName };

/**
 * The parenthesised block NodeApiVersions.toString(true) prints for one broker:
 * every API the broker advertises plus every API the client knows, by key.
 */
export function formatApiVersions(brokerRanges: ReadonlyMap<number, VersionRange>, client: ClientApis = CODEC_CLIENT): string {
  const lines = new Map<number, string>();
  for (const [apiKey, broker] of brokerRanges) {
    const ours = client.range(apiKey);
    if (!ours) {
      // a key newer than this toolkit: Kafka prints it without a usable version
      lines.set(apiKey, `UNKNOWN(${apiKey}): ${rangeText(broker)}`);
      continue;
    }
    let usable: string;
    if (ours.maxVersion < broker.minVersion) usable = '[unusable: node too new]';
    else if (broker.maxVersion < ours.minVersion) usable = '[unusable: node too old]';
    else usable = `[usable: ${Math.min(ours.maxVersion, broker.maxVersion)}]`;
    lines.set(apiKey, `${client.name(apiKey)}(${apiKey}): ${rangeText(broker)} ${usable}`);
  }
  for (const apiKey of client.keys) {
    if (!lines.has(apiKey)) lines.set(apiKey, `${client.name(apiKey)}(${apiKey}): UNSUPPORTED`);
  }
  const ordered = [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, line]) => line);
  return `(\n\t${ordered.join(',\n\t')}\n)`;
}

/** The lines for every broker of the cluster, ascending by node id; a broker that cannot be asked gets `-> ERROR: ...`. */
export async function brokerApiVersionsReport(admin: WireAdmin): Promise<string> {
  const metadata = await admin.metadata([]);
  const nodes: BrokerNode[] = metadata.brokers
    .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }))
    .sort((a, b) => a.nodeId - b.nodeId);
  let out = '';
  for (const node of nodes) {
    try {
      const connection = await admin.connectTo(node);
      out += `${formatNode(node)} -> ${formatApiVersions(connection.brokerVersions)}\n`;
    } catch (err) {
      out += `${formatNode(node)} -> ERROR: ${(err as Error).message}\n`;
    }
  }
  return out;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const bootstrap = args.get('bootstrap-server');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    const commandConfig = args.get('command-config');
    const admin = new WireAdmin(parseBootstrapServers(bootstrap), {
      clientId: 'admin-1',
      properties: commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {},
    });
    try {
      process.stdout.write(await brokerApiVersionsReport(admin));
      return 0;
    } finally {
      admin.close();
    }
  },
};
