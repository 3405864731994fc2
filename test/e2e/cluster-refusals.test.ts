/**
 * A broker that cannot join: one pointed at a zookeeper.connect nobody answers exits
 * after zookeeper.connection.timeout.ms with one line naming the address and the
 * command that starts a controller; a second broker with the id of a live broker is
 * refused by the controller (DUPLICATE_BROKER_REGISTRATION) and exits saying so, while
 * the first keeps serving; a broker whose log dir was formatted for another cluster is
 * refused (INCONSISTENT_CLUSTER_ID) and exits naming the cluster id.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker } from '../helpers/cli.js';
import { freePortOn, hostOf, layoutCluster, removeLayout, spawnNode, waitFor, type ClusterLayout, type NodeSpec, type ProcessNode } from '../helpers/cluster.js';

function exited(node: ProcessNode, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (node.process.exitCode !== null) return resolve(node.process.exitCode);
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms:\n${node.output()}`)), timeoutMs);
    node.process.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('brokers the cluster refuses', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    await requireBuiltBroker();
    // a short session: the twin retries DUPLICATE_BROKER_REGISTRATION for twice this before giving up
    layout = await layoutCluster({ brokers: 1, controllers: 1, style: 'zookeeper', brokerProps: { 'broker.session.timeout.ms': '2000', 'broker.heartbeat.interval.ms': '500' } });
    runDir = path.join(layout.base, 'run');
    fs.mkdirSync(runDir, { recursive: true });
  });

  afterAll(async () => {
    for (const n of [...nodes].reverse()) await n.kill('SIGKILL');
    if (layout) removeLayout(layout);
  }, 60_000);

  it('a broker whose zookeeper.connect answers nothing exits after zookeeper.connection.timeout.ms, naming the address', async () => {
    const host = hostOf(9);
    const deadPort = await freePortOn(host);
    const port = await freePortOn(hostOf(8));
    const dir = path.join(layout.base, 'lonely');
    fs.mkdirSync(dir, { recursive: true });
    const spec: NodeSpec = {
      id: 7,
      host: hostOf(8),
      port,
      dir,
      kind: 'broker',
      props: {
        'broker.id': '7',
        listeners: `PLAINTEXT://${hostOf(8)}:${port}`,
        'log.dirs': path.join(dir, 'data'),
        'zookeeper.connect': `${host}:${deadPort}`,
        'zookeeper.connection.timeout.ms': '1500',
      },
    };
    const node = spawnNode(spec, runDir);
    nodes.push(node);
    const code = await exited(node, 30_000);
    expect(code).not.toBe(0);
    const errorLines = node.output().split('\n').filter((l) => l.includes(`${host}:${deadPort}`));
    expect(errorLines.length).toBeGreaterThanOrEqual(1);
    expect(errorLines.join('\n')).toContain('zookeeper-server-start');
    expect(errorLines.join('\n')).toContain('1500 ms');
  }, 40_000);

  it('a second broker with a live broker id is refused and exits; the first keeps serving', async () => {
    const zk = spawnNode(layout.controllers[0]!, runDir);
    nodes.push(zk);
    await zk.started;
    const first = spawnNode(layout.brokers[0]!, runDir);
    nodes.push(first);
    await first.started;
    const twinPort = await freePortOn(hostOf(7));
    const twinDir = path.join(layout.base, 'twin');
    fs.mkdirSync(twinDir, { recursive: true });
    const twin: NodeSpec = {
      ...layout.brokers[0]!,
      host: hostOf(7),
      port: twinPort,
      dir: twinDir,
      props: { ...layout.brokers[0]!.props, listeners: `PLAINTEXT://${hostOf(7)}:${twinPort}`, 'log.dirs': path.join(twinDir, 'data') },
    };
    const node = spawnNode(twin, runDir);
    nodes.push(node);
    const code = await exited(node, 30_000);
    expect(code).not.toBe(0);
    expect(node.output()).toContain(`Another broker is registered with broker id ${layout.brokers[0]!.id}`);
    expect(first.process.exitCode).toBeNull();
    await waitFor(() => first.output().includes('started'), 1000, 'the first broker still up');
  }, 60_000);

  it('a broker whose log dir belongs to another cluster is refused and exits naming the cluster id', async () => {
    const port = await freePortOn(hostOf(6));
    const dir = path.join(layout.base, 'foreign');
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data', 'meta.properties'), 'version=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAw\nnode.id=5\n');
    const spec: NodeSpec = {
      id: 5,
      host: hostOf(6),
      port,
      dir,
      kind: 'broker',
      props: { ...layout.brokers[0]!.props, 'broker.id': '5', listeners: `PLAINTEXT://${hostOf(6)}:${port}`, 'log.dirs': path.join(dir, 'data') },
    };
    const node = spawnNode(spec, runDir);
    nodes.push(node);
    const code = await exited(node, 30_000);
    expect(code).not.toBe(0);
    expect(node.output()).toContain('AAAAAAAAAAAAAAAAAAAAAw');
    expect(node.output()).toMatch(/another cluster/);
  }, 40_000);
});
