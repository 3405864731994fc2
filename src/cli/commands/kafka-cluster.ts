/**
 * kafka-cluster start|stop|status [--brokers N] [--controllers M] [--dir D]: this toolkit's
 * own command (Kafka has none) — the seed 004 `kf.sh` loop without ssh. `start` writes one
 * properties file per node into D from config/server.properties (or --config): M KRaft
 * controllers (process.roles=controller, node ids 3001…) and N brokers (process.roles=broker,
 * node ids 0…N-1) on 127.0.0.1 with distinct ports, then starts each with
 * `kafka-server-start -daemon` (controllers first). `stop` SIGTERMs the brokers, then the
 * controllers. `status` prints each node, its role, pid, address and whether it is in sync.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DescribeQuorumResponse, MetadataResponse } from '../../protocol/generated/types.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, packageRoot, VERSION_OPTION } from '../command.js';
import { parseProperties } from '../config-files.js';
import { CliError, UsageError } from '../errors.js';
import { intOption, parseArgs, type CommandSpec } from '../options.js';
import { isLiveBroker, liveBrokers, type PidFileEntry } from '../pid-files.js';
import { readServerPropertiesFile } from '../server-properties.js';
import { WireAdmin } from '../wire-client.js';
import { stopNodes } from './kafka-server-stop.js';

export const spec: CommandSpec = {
  name: 'kafka-cluster',
  summary: 'USAGE: kafka-cluster start|stop|status [--brokers N] [--controllers M] [--dir D] [--config server.properties] [--base-port P]\nRuns a local cluster of this toolkit (not a Kafka script): M controllers and N brokers on 127.0.0.1.',
  positionals: true,
  options: [
    { name: 'brokers', arg: 'Integer: N', description: 'Number of brokers (node ids 0..N-1). (default: 3)', complete: 'none' },
    { name: 'controllers', arg: 'Integer: M', description: 'Number of KRaft controllers (node ids 3001..3000+M). (default: 1)', complete: 'none' },
    { name: 'dir', arg: 'String: D', description: 'Directory for the node configs, data, logs and pid files. (default: /tmp/kafka-cluster)', complete: 'dir' },
    { name: 'config', arg: 'String: server.properties', description: 'Template for every node (default: config/server.properties of this package).', complete: 'file' },
    { name: 'base-port', arg: 'Integer: P', description: 'Broker i listens on P+i, controller j on P+100+j. (default: 9092)', complete: 'none' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export type NodeRole = 'broker' | 'controller';

export interface ClusterNode {
  nodeId: number;
  role: NodeRole;
  host: string;
  port: number;
  /** the node's properties file */
  config: string;
}

export interface ClusterLayout {
  dir: string;
  nodes: ClusterNode[];
}

const LAYOUT_FILE = 'cluster.json';
/** keys of the template that each node sets itself */
const NODE_KEYS = new Set([
  'broker.id', 'node.id', 'process.roles', 'listeners', 'advertised.listeners', 'log.dirs', 'log.dir', 'port', 'host.name',
  'advertised.host.name', 'advertised.port', 'zookeeper.connect', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers',
  'controller.listener.names', 'listener.security.protocol.map', 'inter.broker.listener.name', 'metadata.log.dir',
]);

export interface LayoutOptions {
  dir: string;
  brokers: number;
  controllers: number;
  basePort: number;
}

/** Where every node goes: controllers 3001.. on basePort+100+j, brokers 0.. on basePort+i. */
export function clusterLayout(options: LayoutOptions): ClusterLayout {
  const nodes: ClusterNode[] = [];
  for (let j = 0; j < options.controllers; j++) {
    const nodeId = 3001 + j;
    nodes.push({ nodeId, role: 'controller', host: '127.0.0.1', port: options.basePort + 100 + j, config: path.join(options.dir, `controller-${nodeId}`, 'server.properties') });
  }
  for (let i = 0; i < options.brokers; i++) {
    nodes.push({ nodeId: i, role: 'broker', host: '127.0.0.1', port: options.basePort + i, config: path.join(options.dir, `broker-${i}`, 'server.properties') });
  }
  return { dir: options.dir, nodes };
}

/** One node's properties: the template's keys, minus the per-node ones, plus this node's. */
export function nodeProperties(layout: ClusterLayout, node: ClusterNode, template: Record<string, string>): string {
  const controllers = layout.nodes.filter((n) => n.role === 'controller');
  const brokers = layout.nodes.filter((n) => n.role === 'broker');
  const voters = controllers.map((c) => `${c.nodeId}@${c.host}:${c.port}`).join(',');
  const nodeDir = path.dirname(node.config);
  const own: Array<[string, string]> = [
    ['process.roles', node.role],
    ['node.id', String(node.nodeId)],
    ['controller.quorum.voters', voters],
    ['controller.listener.names', 'CONTROLLER'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ...(node.role === 'controller'
      ? [['listeners', `CONTROLLER://${node.host}:${node.port}`] as [string, string]]
      : [['listeners', `PLAINTEXT://${node.host}:${node.port}`] as [string, string], ['inter.broker.listener.name', 'PLAINTEXT'] as [string, string]]),
    ['log.dirs', path.join(nodeDir, 'data')],
  ];
  const inherited = Object.entries(template).filter(([key]) => !NODE_KEYS.has(key));
  // internal topics replicated as far as the cluster allows (the stock file's 1 is for one broker)
  const rf = String(Math.min(3, Math.max(1, brokers.length)));
  const replicated: Record<string, string> = {
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': String(Math.min(2, Number(rf))),
  };
  const merged = inherited.map(([k, v]): [string, string] => [k, k in replicated ? replicated[k] : v]);
  for (const [k, v] of Object.entries(replicated)) if (!merged.some(([key]) => key === k)) merged.push([k, v]);
  const lines = [
    `# Written by kafka-cluster for ${node.role} ${node.nodeId} (template keys below the node's own).`,
    ...own.map(([k, v]) => `${k}=${v}`),
    ...merged.map(([k, v]) => `${k}=${v}`),
  ];
  return lines.join('\n') + '\n';
}

function layoutFile(dir: string): string {
  return path.join(dir, LAYOUT_FILE);
}

function readLayout(dir: string): ClusterLayout {
  try {
    return JSON.parse(fs.readFileSync(layoutFile(dir), 'utf8')) as ClusterLayout;
  } catch {
    throw new CliError(`No cluster in ${dir} (no ${LAYOUT_FILE}); start one with kafka-cluster start --dir ${dir}`);
  }
}

function runDirOf(dir: string): string {
  return path.join(dir, 'run');
}

/** Starts one node with kafka-server-start -daemon; resolves with its output, rejects with it on failure. */
function startNode(layout: ClusterLayout, node: ClusterNode): Promise<string> {
  const script = path.join(packageRoot(), 'bin', 'kafka-server-start');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '-daemon', node.config], {
      env: { ...process.env, KAFKA_TS_RUN_DIR: runDirOf(layout.dir), LOG_DIR: path.join(path.dirname(node.config), 'logs') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(output.trim());
      else {
        // kafka-server-start's own one-line reason comes first; the node's full output stays in its log
        const reason = output.trim().split('\n')[0] || `exit status ${code}`;
        reject(new CliError(`${node.role} ${node.nodeId} did not start: ${reason} (its output: ${path.join(path.dirname(node.config), 'logs', 'kafkaServer.out')})`));
      }
    });
  });
}

function running(layout: ClusterLayout): Map<number, PidFileEntry> {
  const byId = new Map<number, PidFileEntry>();
  for (const entry of liveBrokers(runDirOf(layout.dir))) byId.set(Number(entry.fields['node.id']), entry);
  return byId;
}

export async function startCluster(options: LayoutOptions & { template: string; explicitSize?: boolean }, out: (line: string) => void): Promise<void> {
  if (options.brokers < 1) throw new UsageError('--brokers must be at least 1');
  if (options.controllers < 1) throw new UsageError('--controllers must be at least 1 (the brokers need a controller quorum)');
  if (fs.existsSync(layoutFile(options.dir))) {
    const existing = readLayout(options.dir);
    const live = running(existing);
    if (live.size > 0) {
      // part of the cluster runs: start the nodes that do not (a killed broker rejoins with its data)
      const count = (role: NodeRole): number => existing.nodes.filter((n) => n.role === role).length;
      if (options.explicitSize && (count('broker') !== options.brokers || count('controller') !== options.controllers)) {
        throw new CliError(`The cluster in ${options.dir} has ${count('controller')} controller(s) and ${count('broker')} broker(s) and part of it is running; stop it with kafka-cluster stop --dir ${options.dir} before changing its size`);
      }
      await startNodes(existing, existing.nodes.filter((n) => !live.has(n.nodeId)), out);
      return;
    }
  }
  const layout = clusterLayout(options);
  const template = parseProperties(readServerPropertiesFile(options.template));
  for (const node of layout.nodes) {
    fs.mkdirSync(path.dirname(node.config), { recursive: true });
    fs.writeFileSync(node.config, nodeProperties(layout, node, template));
  }
  fs.writeFileSync(layoutFile(options.dir), JSON.stringify(layout, null, 2) + '\n');
  await startNodes(layout, layout.nodes, out);
}

/** Controllers first (a broker registers with the quorum as it starts), each role's nodes together. */
async function startNodes(layout: ClusterLayout, nodes: readonly ClusterNode[], out: (line: string) => void): Promise<void> {
  if (nodes.length === 0) out(`Every node of the cluster in ${layout.dir} is running`);
  for (const role of ['controller', 'broker'] as const) {
    await Promise.all(nodes.filter((n) => n.role === role).map(async (node) => {
      await startNode(layout, node);
      out(`Started ${role} ${node.nodeId} on ${node.host}:${node.port} (config ${node.config})`);
    }));
  }
}

export async function stopCluster(dir: string, out: (line: string) => void): Promise<number> {
  const layout = readLayout(dir);
  const live = running(layout);
  if (live.size === 0) {
    out(`No node of the cluster in ${dir} is running`);
    return 1;
  }
  // brokers first, so their controlled shutdown can still reach the controllers
  for (const role of ['broker', 'controller'] as const) {
    const nodes = layout.nodes.filter((n) => n.role === role && live.has(n.nodeId));
    const entries = nodes.map((n) => live.get(n.nodeId)).filter((e): e is PidFileEntry => e !== undefined);
    if (entries.length === 0) continue;
    await stopNodes(entries, role);
    for (const n of nodes) out(`Stopped ${role} ${n.nodeId}`);
  }
  return 0;
}

export interface NodeStatus {
  node: ClusterNode;
  pid?: number;
  inSync: string;
}

/** Status rows as a padded table: NODE ROLE PID ADDRESS STATUS IN-SYNC. */
export function statusTable(rows: readonly NodeStatus[]): string[] {
  const table = [
    ['NODE', 'ROLE', 'PID', 'ADDRESS', 'STATUS', 'IN-SYNC'],
    ...rows.map((r) => [String(r.node.nodeId), r.node.role, r.pid === undefined ? '-' : String(r.pid), `${r.node.host}:${r.node.port}`, r.pid === undefined ? 'stopped' : 'running', r.inSync]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + 2))).join(''));
}

/**
 * A broker is in sync when the cluster lists it (registered, not fenced) and it is in the
 * ISR of every partition it holds; a controller when its metadata log has caught up with
 * the leader's (lag 0 in DescribeQuorum).
 */
export function brokerInSync(metadata: MetadataResponse, brokerId: number): string {
  if (!metadata.brokers.some((b) => b.nodeId === brokerId)) return 'no (not registered)';
  let behind = 0;
  for (const topic of metadata.topics) {
    for (const p of topic.partitions) if (p.replicaNodes.includes(brokerId) && !p.isrNodes.includes(brokerId)) behind += 1;
  }
  return behind === 0 ? 'yes' : `no (out of the ISR of ${behind} partition${behind === 1 ? '' : 's'})`;
}

export function controllerInSync(quorum: DescribeQuorumResponse, nodeId: number): string {
  const p = quorum.topics[0]?.partitions[0];
  if (!p || p.errorCode !== 0) return '-';
  const leader = p.currentVoters.find((v) => v.replicaId === p.leaderId);
  const me = p.currentVoters.find((v) => v.replicaId === nodeId);
  if (!leader || !me) return 'no (not a voter)';
  if (nodeId === p.leaderId) return 'yes (leader)';
  const lag = leader.logEndOffset - me.logEndOffset;
  return lag === 0n ? 'yes' : `no (${lag} behind)`;
}

async function clusterStatus(dir: string): Promise<string[]> {
  const layout = readLayout(dir);
  const live = running(layout);
  const liveBroker = layout.nodes.find((n) => n.role === 'broker' && live.has(n.nodeId));
  let metadata: MetadataResponse | undefined;
  if (liveBroker) {
    const wire = new WireAdmin([`${liveBroker.host}:${liveBroker.port}`], { clientId: 'kafka-cluster', properties: { 'request.timeout.ms': '5000' } });
    try {
      metadata = await wire.metadata(null);
    } catch {
      metadata = undefined;
    } finally {
      wire.close();
    }
  }
  let quorum: DescribeQuorumResponse | undefined;
  for (const c of layout.nodes.filter((n) => n.role === 'controller' && live.has(n.nodeId))) {
    const wire = new WireAdmin([`${c.host}:${c.port}`], { clientId: 'kafka-cluster', properties: { 'request.timeout.ms': '5000' } });
    try {
      const connection = await wire.bootstrap();
      const response = await connection.request<DescribeQuorumResponse>(ApiKey.DescribeQuorum, connection.usableVersion(ApiKey.DescribeQuorum, 0, 2), {
        topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
      });
      if (response.errorCode === 0 && response.topics[0]?.partitions[0]?.errorCode === 0) {
        quorum = response;
        break;
      }
    } catch {
      // try the next controller
    } finally {
      wire.close();
    }
  }
  const rows: NodeStatus[] = layout.nodes.map((node) => {
    const entry = live.get(node.nodeId);
    if (!entry || !isLiveBroker(entry.pid)) return { node, inSync: '-' };
    const inSync = node.role === 'broker' ? (metadata ? brokerInSync(metadata, node.nodeId) : '-') : quorum ? controllerInSync(quorum, node.nodeId) : '-';
    return { node, pid: entry.pid, inSync };
  });
  return statusTable(rows);
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const [action, ...extra] = args.positionals;
    if (action !== 'start' && action !== 'stop' && action !== 'status') throw new UsageError(`Give one of start, stop, status (not ${action === undefined ? 'nothing' : `'${action}'`})`);
    if (extra.length > 0) throw new UsageError(`Found non argument parameters: ${extra.join(',')}`);
    const dir = path.resolve(args.get('dir') ?? '/tmp/kafka-cluster');
    const lines: string[] = [];
    const out = (line: string): void => {
      process.stdout.write(`${line}\n`);
      lines.push(line);
    };
    if (action === 'start') {
      await startCluster({
        dir,
        brokers: intOption(args, 'brokers') ?? 3,
        controllers: intOption(args, 'controllers') ?? 1,
        basePort: intOption(args, 'base-port') ?? 9092,
        template: args.get('config') ?? path.join(packageRoot(), 'config', 'server.properties'),
        explicitSize: args.has('brokers') || args.has('controllers'),
      }, out);
      return 0;
    }
    if (action === 'stop') return stopCluster(dir, out);
    for (const line of await clusterStatus(dir)) out(line);
    return 0;
  },
};
