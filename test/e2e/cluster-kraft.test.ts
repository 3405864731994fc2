/**
 * KRaft-style cluster of real processes, each node on its own loopback address: three
 * controllers (process.roles=controller, controller.quorum.voters) and three brokers
 * (process.roles=broker). They form one cluster; with one controller killed -9 the
 * other two still elect a leader and a topic can be created and described with an ISR
 * of three; a replication factor above the live brokers is answered with KRaft's message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker } from '../helpers/cli.js';
import { createTopic } from '../cluster/cluster-probe.js';
import { cli, layoutCluster, removeLayout, spawnNode, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

function isrOf(stdout: string): number[] | undefined {
  const m = /Partition: 0\s+Leader: (-?\d+)\s+Replicas: ([\d,]+)\s+Isr: ([\d,]*)/.exec(stdout);
  return m ? (m[3] === '' ? [] : m[3]!.split(',').map(Number)) : undefined;
}

describe('a KRaft cluster of three controllers and three brokers (real processes)', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    await requireBuiltBroker();
    layout = await layoutCluster({
      brokers: 3,
      controllers: 3,
      style: 'kraft',
      firstBrokerId: 1,
      brokerProps: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
    });
    runDir = path.join(layout.base, 'run');
    fs.mkdirSync(runDir, { recursive: true });
    const controllers = layout.controllers.map((c) => spawnNode(c, runDir));
    nodes.push(...controllers);
    await Promise.all(controllers.map((c) => c.started));
    const brokers = layout.brokers.map((b) => spawnNode(b, runDir));
    nodes.push(...brokers);
    await Promise.all(brokers.map((b) => b.started));
  }, 120_000);

  afterAll(async () => {
    for (const n of [...nodes].reverse()) await n.kill('SIGKILL');
    if (layout) removeLayout(layout);
  }, 60_000);

  it('forms one cluster: the same cluster id on every node', () => {
    const ids = new Set<string>();
    for (const node of [...layout.controllers, ...layout.brokers]) {
      const text = fs.readFileSync(path.join(node.dir, 'data', 'meta.properties'), 'utf8');
      ids.add(/cluster\.id=(\S+)/.exec(text)![1]!);
    }
    expect(ids.size).toBe(1);
  });

  it('creates an RF 3 topic with an ISR of three, refuses RF 4 with KRaft\'s message', async () => {
    const created = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--replication-factor', '3', '--partitions', '1', '--topic', 'k1']);
    expect(created.stdout).toBe('Created topic k1.\n');
    const isr = await waitFor(async () => {
      const d = isrOf((await cli('kafka-topics', ['--describe', '--bootstrap-server', layout.bootstrap, '--topic', 'k1'])).stdout);
      return d && d.length === 3 ? d : undefined;
    }, 20_000, 'an ISR of three');
    expect([...isr].sort()).toEqual([1, 2, 3]);
    // on the wire: kafka-topics words its own line from the error code (src/cli, not the controller's text)
    const b = layout.brokers[1]!;
    const refused = await createTopic(b.host, b.port, 'k4', 1, 4);
    expect(refused).toEqual({
      ...refused,
      errorCode: 38,
      errorMessage: 'Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.',
    });
  }, 60_000);

  it('with the active controller killed -9 another is elected and a topic can still be created', async () => {
    // kill the active controller: the one that last said it became active
    const epochOf = (n: ProcessNode): number => Math.max(-1, ...[...n.output().matchAll(/Became the active controller at epoch (\d+)/g)].map((m) => Number(m[1])));
    const controllers = nodes.filter((n) => n.spec.kind === 'kraft-controller');
    const active = controllers.reduce((a, b) => (epochOf(b) > epochOf(a) ? b : a));
    expect(epochOf(active)).toBeGreaterThanOrEqual(0);
    await active.kill('SIGKILL');
    let last = '';
    const created = await waitFor(async () => {
      const r = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--replication-factor', '2', '--partitions', '2', '--topic', 'after-loss']);
      last = r.stdout + r.stderr;
      // a try that timed out may have been committed after all: a retry then finds it
      return r.stdout === 'Created topic after-loss.\n' || /Topic 'after-loss' already exists/.test(r.stdout + r.stderr) ? r : undefined;
    }, 45_000, 'a topic created with two of three controllers').catch((err: Error) => {
      if (process.env.CLUSTER_TEST_DUMP) for (const n of nodes) fs.writeFileSync(path.join(process.env.CLUSTER_TEST_DUMP, `${n.spec.kind}-${n.spec.id}.log`), n.output());
      const tails = nodes.map((n) => `--- ${n.spec.kind} ${n.spec.id}\n${n.output().split('\n').slice(-15).join('\n')}`).join('\n');
      throw new Error(`${err.message}\nlast kafka-topics output: ${last}\n${tails}`);
    });
    if (process.env.CLUSTER_TEST_DUMP) for (const n of nodes) fs.writeFileSync(path.join(process.env.CLUSTER_TEST_DUMP, `${n.spec.kind}-${n.spec.id}.log`), n.output());
    expect(created.code === 0 || /already exists/.test(created.stdout + created.stderr)).toBe(true);
    const described = await cli('kafka-topics', ['--describe', '--bootstrap-server', layout.bootstrap, '--topic', 'after-loss']);
    expect(described.stdout).toContain('PartitionCount: 2');
  }, 90_000);
});
