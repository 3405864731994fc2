/**
 * Multi-node clusters for tests: every node on its own loopback address (127.0.0.2,
 * .3, .4 … as if each were a machine) with real ports and its own temp dirs. Nodes run
 * in this process (startNode from src/index.ts) or as real processes
 * (bin/kafka-server-start, bin/zookeeper-server-start) that are stopped with real
 * signals (SIGTERM, or SIGKILL for a crash). Waits are bounded; nothing is timed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseServerProperties } from '../../src/cli/server-properties.js';
import { startNode, type RunningBroker } from '../../src/index.js';
import { BIN_DIR, runCli, type CliResult } from './cli.js';

/** A TCP port free on `host` right now. */
export function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A port free on every one of `hosts` right now. */
async function portFreeOnAll(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePortOn(hosts[0]!);
    const free = await Promise.all(
      hosts.slice(1).map(
        (host) =>
          new Promise<boolean>((resolve) => {
            const server = net.createServer();
            server.once('error', () => resolve(false));
            server.listen(port, host, () => server.close(() => resolve(true)));
          }),
      ),
    );
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

/** The loopback address of "machine" n (1 → 127.0.0.2). */
export function hostOf(n: number): string {
  return `127.0.0.${n + 1}`;
}

export function propertiesText(props: Record<string, string>): string {
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

/** Waits until `check` holds (polling every 100 ms), at most `timeoutMs`; returns its last value. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}; last value: ${JSON.stringify(last)}`);
}

export interface NodeSpec {
  /** broker.id / node.id (a ZooKeeper-style controller: its myid) */
  id: number;
  host: string;
  port: number;
  dir: string;
  /** properties written for it */
  props: Record<string, string>;
  kind: 'broker' | 'zookeeper' | 'kraft-controller';
}

export interface ClusterLayout {
  base: string;
  controllers: NodeSpec[];
  brokers: NodeSpec[];
  /** host:port,… of the brokers */
  bootstrap: string;
  /** host:port,… of the controllers (zookeeper.connect) */
  controllerConnect: string;
}

export interface LayoutOptions {
  brokers: number;
  controllers?: number;
  /** 'zookeeper': zookeeper.properties controllers + brokers with zookeeper.connect; 'kraft': process.roles */
  style?: 'zookeeper' | 'kraft';
  /** first broker id (0 as in seed 002; 102 as in seed 004) */
  firstBrokerId?: number;
  /** extra broker properties */
  brokerProps?: Record<string, string>;
  /** a chroot after the zookeeper.connect hosts (seed 004: `/kafka`) */
  chroot?: string;
}

/**
 * Lays out a cluster: controllers on the first addresses, then brokers, each with a
 * free port on its own address and a dir under one temp base. Nothing starts.
 */
export async function layoutCluster(options: LayoutOptions): Promise<ClusterLayout> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-ts-cluster-'));
  const style = options.style ?? 'zookeeper';
  const controllerCount = options.controllers ?? 1;
  const controllers: NodeSpec[] = [];
  // a ZooKeeper ensemble's server.N lines name hosts only: every member listens on the same clientPort, as on real machines
  const sharedPort = style === 'zookeeper' && controllerCount > 1 ? await portFreeOnAll(Array.from({ length: controllerCount }, (_, i) => hostOf(i + 1))) : undefined;
  for (let i = 0; i < controllerCount; i++) {
    const host = hostOf(i + 1);
    const port = sharedPort ?? (await freePortOn(host));
    const dir = path.join(base, `controller-${i + 1}`);
    fs.mkdirSync(dir, { recursive: true });
    controllers.push({ id: i + 1, host, port, dir, props: {}, kind: style === 'zookeeper' ? 'zookeeper' : 'kraft-controller' });
  }
  const controllerConnect = controllers.map((c) => `${c.host}:${c.port}`).join(',');
  const kraftVoters = controllers.map((c) => `${3000 + c.id}@${c.host}:${c.port}`).join(',');
  for (const c of controllers) {
    if (style === 'zookeeper') {
      c.props = { dataDir: c.dir, clientPort: String(c.port), clientPortAddress: c.host, maxClientCnxns: '0', 'admin.enableServer': 'false' };
      if (controllerCount > 1) {
        for (const peer of controllers) c.props[`server.${peer.id}`] = `${peer.host}:2888:3888`;
        fs.writeFileSync(path.join(c.dir, 'myid'), `${c.id}\n`);
      }
    } else {
      c.props = {
        'process.roles': 'controller',
        'node.id': String(3000 + c.id),
        'controller.quorum.voters': kraftVoters,
        listeners: `CONTROLLER://${c.host}:${c.port}`,
        'controller.listener.names': 'CONTROLLER',
        'log.dirs': path.join(c.dir, 'data'),
      };
    }
  }
  const brokers: NodeSpec[] = [];
  const firstId = options.firstBrokerId ?? 0;
  for (let i = 0; i < options.brokers; i++) {
    const host = hostOf(controllerCount + i + 1);
    const port = await freePortOn(host);
    const dir = path.join(base, `broker-${firstId + i}`);
    fs.mkdirSync(dir, { recursive: true });
    const common = {
      listeners: `PLAINTEXT://${host}:${port}`,
      'log.dirs': path.join(dir, 'data'),
      'num.partitions': '1',
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '3',
      'group.initial.rebalance.delay.ms': '0',
      ...options.brokerProps,
    };
    const props: Record<string, string> =
      style === 'zookeeper'
        ? { 'broker.id': String(firstId + i), 'zookeeper.connect': `${controllerConnect}${options.chroot ?? ''}`, ...common }
        : {
            'process.roles': 'broker',
            'node.id': String(firstId + i),
            'controller.quorum.voters': kraftVoters,
            'controller.listener.names': 'CONTROLLER',
            ...common,
          };
    brokers.push({ id: firstId + i, host, port, dir, props, kind: 'broker' });
  }
  return { base, controllers, brokers, bootstrap: brokers.map((b) => `${b.host}:${b.port}`).join(','), controllerConnect };
}

export function removeLayout(layout: ClusterLayout): void {
  fs.rmSync(layout.base, { recursive: true, force: true });
}

// ---- in-process nodes ------------------------------------------------------

export interface InProcessNode {
  spec: NodeSpec;
  node: RunningBroker;
  lines: string[];
}

/** Starts a node in this process from its properties (a ZooKeeper-style controller through zookeeperNodeConfig). */
export async function startInProcess(spec: NodeSpec): Promise<InProcessNode> {
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
  };
  if (spec.kind === 'zookeeper') {
    const { zookeeperNodeConfig } = await import('../../src/cluster/node-config.js');
    const zk = zookeeperNodeConfig(spec.props);
    const node = await startNode(zk.brokerConfig, { log, topology: zk.topology });
    return { spec, node, lines };
  }
  const config = parseServerProperties({ file: `${spec.dir}/server.properties`, text: propertiesText(spec.props) });
  const node = await startNode(config, { log });
  return { spec, node, lines };
}

// ---- nodes as real processes -----------------------------------------------

export interface ProcessNode {
  spec: NodeSpec;
  process: ChildProcess;
  file: string;
  output(): string;
  /** resolves once the process printed its started line */
  started: Promise<void>;
  /** sends `signal` and waits (bounded) for the exit */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns bin/kafka-server-start (brokers, KRaft controllers) or bin/zookeeper-server-start with the node's properties file. */
export function spawnNode(spec: NodeSpec, runDir: string): ProcessNode {
  const file = path.join(spec.dir, spec.kind === 'zookeeper' ? 'zookeeper.properties' : 'server.properties');
  fs.writeFileSync(file, propertiesText(spec.props));
  const command = spec.kind === 'zookeeper' ? 'zookeeper-server-start.sh' : 'kafka-server-start.sh';
  const child = spawn(path.join(BIN_DIR, command), [file], {
    env: { ...process.env, KAFKA_TS_RUN_DIR: runDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${file} did not start within 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      if (/started; listening on|binding to port|started \(|listening on/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${file} exited (${signal ?? code}) during startup:\n${output}`));
    });
  });
  started.catch(() => undefined);
  return {
    spec,
    process: child,
    file,
    output: () => output,
    started,
    kill: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(child.exitCode);
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill(signal);
      }),
  };
}

/** Runs a CLI tool (bin/<command>.sh) against the cluster. */
export function cli(command: string, args: readonly string[], runDir?: string): Promise<CliResult> {
  return runCli(command, args, { env: runDir ? { KAFKA_TS_RUN_DIR: runDir } : {}, timeoutMs: 60_000 });
}

/**
 * Starts a laid-out cluster as real processes: the first controller, then every broker,
 * each recorded in `nodes` (so afterAll can stop what did start). Returns the run dir
 * the nodes' pid files live in (KAFKA_TS_RUN_DIR for the CLI tools).
 */
export async function spawnCluster(layout: ClusterLayout, nodes: ProcessNode[]): Promise<string> {
  const runDir = path.join(layout.base, 'run');
  fs.mkdirSync(runDir, { recursive: true });
  const controller = spawnNode(layout.controllers[0]!, runDir);
  nodes.push(controller);
  await controller.started;
  const brokers = layout.brokers.map((b) => spawnNode(b, runDir));
  nodes.push(...brokers);
  await Promise.all(brokers.map((b) => b.started));
  return runDir;
}

/** Kills every node (-9, last started first) and removes the layout's dirs. */
export async function killCluster(layout: ClusterLayout | undefined, nodes: readonly ProcessNode[]): Promise<void> {
  for (const n of [...nodes].reverse()) await n.kill('SIGKILL');
  if (layout) removeLayout(layout);
}
