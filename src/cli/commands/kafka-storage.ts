/**
 * kafka-storage random-uuid | format -t <id> -c <props> [--standalone] [--ignore-formatted]
 * [--release-version v] | info -c <props>: Kafka's StorageTool. `format` writes
 * meta.properties (version=1, cluster.id, node.id) into every log.dirs entry and
 * metadata.log.dir, with Kafka's lines; a directory formatted for another cluster is
 * refused with MetaPropertiesEnsemble's words. Formatting stays optional here: a node
 * started on an empty directory formats it itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrokerConfig } from '../../broker/config.js';
import { configuredVoters, NodeConfigError, quorumTopology, type QuorumTopology } from '../../cluster/node-config.js';
import { isDisplayUuid, randomUuid } from '../../cluster/ids.js';
import { readMetaProperties, writeMetaProperties } from '../../storage/log-manager.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { parseServerProperties } from '../server-properties.js';

export const spec: CommandSpec = {
  name: 'kafka-storage',
  summary: 'usage: kafka-storage {info,format,random-uuid} ...\nThe Kafka storage tool.',
  positionals: true,
  options: [
    { name: 'config', arg: 'String: CONFIG', description: 'The Kafka configuration file to use (-c).', complete: 'file' },
    { name: 'cluster-id', arg: 'String: CLUSTER_ID', description: 'The cluster ID to use (-t); make one with kafka-storage random-uuid.', complete: 'none' },
    { name: 'ignore-formatted', description: 'When this option is passed, the format command will skip over already formatted directories rather than failing (-g).' },
    { name: 'release-version', arg: 'String: RELEASE_VERSION', description: `The initial metadata.version (-r), e.g. ${'3.7-IV4'}.`, complete: 'none' },
    { name: 'standalone', description: 'Used to initialize a controller as a single-node dynamic quorum (-s).' },
    { name: 'no-initial-controllers', description: 'Used to initialize a server without a dynamic quorum topology (-N).' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

/** The metadata.version this toolkit's metadata log corresponds to (Kafka 3.7's latest production level). */
export const METADATA_VERSION = '3.7-IV4';

const SHORT_OPTIONS: Record<string, string> = {
  '-c': '--config', '-t': '--cluster-id', '-g': '--ignore-formatted', '-r': '--release-version', '-s': '--standalone', '-N': '--no-initial-controllers',
};

const SUBCOMMANDS = ['info', 'format', 'random-uuid'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

export interface StorageArgs {
  subcommand: Subcommand;
  config?: string;
  clusterId?: string;
  ignoreFormatted: boolean;
  releaseVersion?: string;
  standalone: boolean;
  noInitialControllers: boolean;
}

/** argparse4j-style arguments: the sub-command first, short (-t) or long (--cluster-id) options. */
export function storageArgs(argv: readonly string[]): StorageArgs {
  const expanded = argv.map((a) => SHORT_OPTIONS[a] ?? a);
  const args = parseArgs(spec, expanded);
  const [sub, ...extra] = args.positionals;
  if (sub === undefined) throw new UsageError('too few arguments (give one of info, format, random-uuid)');
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`argument {info,format,random-uuid}: invalid choice: '${sub}' (choose from 'info', 'format', 'random-uuid')`);
  if (extra.length > 0) throw new UsageError(`unrecognized arguments: '${extra.join(' ')}'`);
  const subcommand = sub as Subcommand;
  if ((subcommand === 'format' || subcommand === 'info') && !args.has('config')) throw new UsageError('argument --config/-c is required');
  if (subcommand === 'format' && !args.has('cluster-id')) throw new UsageError('argument --cluster-id/-t is required');
  const formatOnly = ['cluster-id', 'ignore-formatted', 'release-version', 'standalone', 'no-initial-controllers'];
  const misplaced = formatOnly.find((name) => args.has(name) && subcommand !== 'format');
  if (misplaced) throw new UsageError(`unrecognized arguments: '--${misplaced}' (only format takes it)`);
  if (subcommand === 'random-uuid' && args.has('config')) throw new UsageError("unrecognized arguments: '--config' (random-uuid takes none)");
  return {
    subcommand,
    config: args.get('config'),
    clusterId: args.get('cluster-id'),
    ignoreFormatted: args.has('ignore-formatted'),
    releaseVersion: args.get('release-version'),
    standalone: args.has('standalone'),
    noInitialControllers: args.has('no-initial-controllers'),
  };
}

/** The directories format writes and info reads: log.dirs plus metadata.log.dir, sorted (Kafka's TreeSet). */
export function storageDirectories(config: BrokerConfig): string[] {
  const dirs = new Set(config.logDirs);
  if (config.metadataLogDir) dirs.add(path.resolve(config.metadataLogDir));
  return [...dirs].sort();
}

function loadNode(file: string): { config: BrokerConfig; topology: QuorumTopology } {
  const config = parseServerProperties({ file });
  try {
    return { config, topology: quorumTopology(config, { file }) };
  } catch (err) {
    if (err instanceof NodeConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** `format`: the lines Kafka prints, or a CliError with its words. */
export function formatStorage(args: StorageArgs, out: (line: string) => void): void {
  const { config, topology } = loadNode(args.config ?? '');
  if ('clientPort' in config.raw && 'dataDir' in config.raw) {
    throw new CliError(`${args.config ?? ''} is a zookeeper.properties file; zookeeper-server-start formats its dataDir itself. kafka-storage format takes a KRaft server.properties (process.roles, node.id, log.dirs)`);
  }
  if (topology.style === 'zookeeper') {
    throw new CliError('The kafka configuration file appears to be for a legacy cluster. Formatting is only supported for clusters in KRaft mode.');
  }
  const clusterId = args.clusterId ?? '';
  if (!isDisplayUuid(clusterId)) {
    throw new CliError(`Cluster ID string ${clusterId} does not appear to be a valid UUID: make one with kafka-storage random-uuid (22 characters of URL-safe base64)`);
  }
  const releaseVersion = args.releaseVersion ?? METADATA_VERSION;
  if (!/^\d+\.\d+(-IV\d+)?$/.test(releaseVersion)) {
    throw new CliError(`Unknown release version '${releaseVersion}'. Supported versions are: 3.3-IV3 to ${METADATA_VERSION}`);
  }
  const isController = topology.roles.has('controller');
  if (args.standalone && !isController) throw new CliError('You can only use --standalone on a controller.');
  if (isController && topology.style === 'kraft' && !args.noInitialControllers && !args.standalone && configuredVoters(config.raw).length === 0) {
    throw new CliError('Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.');
  }
  const directories = storageDirectories(config);
  // MetaPropertiesEnsemble.verify runs first: another cluster's directory is refused even with --ignore-formatted
  const formatted: string[] = [];
  for (const dir of directories) {
    const meta = readMetaProperties(dir);
    if (!meta) continue;
    const file = path.join(dir, 'meta.properties');
    if (meta.clusterId && meta.clusterId !== clusterId) {
      throw new CliError(`Invalid cluster.id in: ${file}. Expected ${clusterId}, but read ${meta.clusterId}`);
    }
    if (meta.brokerId >= 0 && meta.brokerId !== topology.nodeId) {
      throw new CliError(`Stored node id ${meta.brokerId} doesn't match previous node id ${topology.nodeId} in ${file}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`);
    }
    formatted.push(dir);
  }
  if (formatted.length > 0 && !args.ignoreFormatted) {
    throw new CliError(`Log directory ${formatted[0]} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`);
  }
  const empty = directories.filter((d) => !formatted.includes(d));
  if (empty.length === 0) {
    out('All of the log directories are already formatted.');
    return;
  }
  for (const dir of empty) {
    out(`Formatting ${dir} with metadata.version ${releaseVersion}.`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      writeMetaProperties(dir, { clusterId, nodeId: topology.nodeId });
    } catch (err) {
      throw new CliError(`Error while writing meta.properties file ${dir}: ${(err as Error).message}`);
    }
  }
}

/** `info`: Kafka's report; returns the exit status (1 when it found problems). */
export function storageInfo(args: StorageArgs, out: (line: string) => void): number {
  const { config, topology } = loadNode(args.config ?? '');
  const directories = storageDirectories(config);
  const problems: string[] = [];
  const found: string[] = [];
  let first: { clusterId: string; nodeId: number; version: number } | undefined;
  for (const dir of directories) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dir);
    } catch {
      stat = undefined;
    }
    if (!stat) {
      problems.push(`${dir} does not exist`);
      continue;
    }
    if (!stat.isDirectory()) {
      problems.push(`${dir} is not a directory`);
      continue;
    }
    found.push(dir);
    const meta = readMetaProperties(dir);
    if (!meta) {
      problems.push(`${dir} is not formatted.`);
      continue;
    }
    const current = { clusterId: meta.clusterId, nodeId: meta.brokerId, version: meta.version };
    if (!first) first = current;
    else if (first.clusterId !== current.clusterId) problems.push('Mismatched cluster IDs between storage directories.');
    else if (first.nodeId !== current.nodeId) problems.push('Mismatched node IDs between storage directories.');
  }
  if (first && first.version === 0 && topology.style === 'kraft') {
    problems.push('The kafka configuration file appears to be for a cluster in KRaft mode, but the directories are formatted for legacy mode.');
  }
  if (directories.length === 0) {
    out('No directories specified.');
    return 0;
  }
  if (found.length > 0) {
    out(found.length === 1 ? 'Found log directory:' : 'Found log directories:');
    for (const dir of found) out(`  ${dir}`);
    out('');
  }
  if (first) {
    // Java's TreeMap.toString of MetaProperties.toProperties (v1: cluster.id, node.id, version)
    const entries: Array<[string, string]> = first.version === 0
      ? [['broker.id', String(first.nodeId)], ['cluster.id', first.clusterId], ['version', '0']]
      : [['cluster.id', first.clusterId], ['node.id', String(first.nodeId)], ['version', String(first.version)]];
    out(`Found metadata: {${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}`);
    out('');
  }
  if (problems.length > 0) {
    out(problems.length === 1 ? 'Found problem:' : 'Found problems:');
    for (const problem of problems) out(`  ${problem}`);
    out('');
    return 1;
  }
  return 0;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = storageArgs(argv);
    const lines: string[] = [];
    const out = (line: string): void => {
      lines.push(line);
    };
    let code = 0;
    try {
      if (args.subcommand === 'random-uuid') out(randomUuid());
      else if (args.subcommand === 'format') formatStorage(args, out);
      else code = storageInfo(args, out);
    } finally {
      if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    }
    return Promise.resolve(code);
  },
};
