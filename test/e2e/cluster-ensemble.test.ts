/**
 * Seed 000 §6.1 / seed 001's layout with the real bins, each "machine" on its own
 * loopback address: a three-node ZooKeeper ensemble (three `zookeeper-server-start`
 * with server.N lines and a myid file each, i.e. three controller voters of this
 * toolkit) and three brokers (ids 102-104, zookeeper.connect listing all three with
 * seed 004's `/kafka` chroot). They form one
 * cluster; `kafka-topics --create --zookeeper … --partitions 3 --replication-factor 2`
 * as typed gives three partitions of two replicas in sync; SIGTERM of a broker moves
 * the leadership of its partitions to the other replica before it exits (controlled
 * shutdown), so no partition is left without a leader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker } from '../helpers/cli.js';
import { cli, layoutCluster, removeLayout, spawnNode, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

interface Row {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

function rows(stdout: string): Row[] {
  const list = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));
  return [...stdout.matchAll(/Partition: (\d+)\s+Leader: (-?\d+)\s+Replicas: ([\d,]+)\s+Isr: ([\d,]*)/g)].map((m) => ({
    partition: Number(m[1]),
    leader: Number(m[2]),
    replicas: list(m[3]!),
    isr: list(m[4]!),
  }));
}

describe('a three-node ZooKeeper ensemble and three brokers (seed 000, real processes)', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    await requireBuiltBroker();
    // brokers 102-104 with a /kafka chroot, as seed 004 writes zookeeper.connect
    layout = await layoutCluster({ brokers: 3, controllers: 3, style: 'zookeeper', firstBrokerId: 102, chroot: '/kafka', brokerProps: { 'broker.session.timeout.ms': '4000', 'broker.heartbeat.interval.ms': '500' } });
    runDir = path.join(layout.base, 'run');
    fs.mkdirSync(runDir, { recursive: true });
    const ensemble = layout.controllers.map((c) => spawnNode(c, runDir));
    nodes.push(...ensemble);
    await Promise.all(ensemble.map((c) => c.started));
    const brokers = layout.brokers.map((b) => spawnNode(b, runDir));
    nodes.push(...brokers);
    await Promise.all(brokers.map((b) => b.started));
  }, 120_000);

  afterAll(async () => {
    for (const n of [...nodes].reverse()) await n.kill('SIGKILL');
    if (layout) removeLayout(layout);
  }, 60_000);

  it('forms one cluster (one cluster id) and creates a topic through --zookeeper as the seed types it', async () => {
    const ids = new Set(
      layout.brokers.map((b) => /cluster\.id=(\S+)/.exec(fs.readFileSync(path.join(b.dir, 'data', 'meta.properties'), 'utf8'))![1]),
    );
    expect(ids.size).toBe(1);
    const created = await cli('kafka-topics', ['--create', '--zookeeper', layout.controllerConnect, '--replication-factor', '2', '--partitions', '3', '--topic', 'seed000']);
    expect(created.stdout).toContain('Created topic seed000.');
    const described = await waitFor(async () => {
      const r = rows((await cli('kafka-topics', ['--describe', '--zookeeper', layout.controllerConnect, '--topic', 'seed000'])).stdout);
      return r.length === 3 && r.every((p) => p.isr.length === 2) ? r : undefined;
    }, 20_000, 'three partitions with two replicas in sync');
    for (const p of described) {
      expect(new Set(p.replicas).size).toBe(2);
      expect(p.replicas).toContain(p.leader);
    }
    // leaders are spread: round-robin placement puts the first replicas on different brokers
    expect(new Set(described.map((p) => p.replicas[0])).size).toBe(3);
  }, 60_000);

  it('SIGTERM of a broker moves leadership away first: every partition keeps a leader', async () => {
    const before = rows((await cli('kafka-topics', ['--describe', '--bootstrap-server', layout.bootstrap, '--topic', 'seed000'])).stdout);
    const victimId = before[0]!.leader;
    const victim = nodes.find((n) => n.spec.kind === 'broker' && n.spec.id === victimId)!;
    const code = await victim.kill('SIGTERM');
    expect(code).toBe(0);
    expect(victim.output()).toContain('Controlled shutdown complete');
    const survivors = layout.brokers.filter((b) => b.id !== victimId).map((b) => `${b.host}:${b.port}`).join(',');
    // the controller committed the moves before the victim exited; the survivor that answers may
    // replay that metadata a moment later (brokers follow the metadata log), so read until it has
    const describeSurvivors = async (): Promise<Row[]> => rows((await cli('kafka-topics', ['--describe', '--bootstrap-server', survivors, '--topic', 'seed000'])).stdout);
    const after = await waitFor(async () => {
      const current = await describeSurvivors();
      return current.length === 3 && current.every((p) => p.leader !== victimId) ? current : undefined;
    }, 10_000, 'the survivors to report the moved leaders').catch(describeSurvivors);
    expect(after).toHaveLength(3);
    for (const p of after) {
      expect(p.leader).not.toBe(victimId);
      expect(p.leader).toBeGreaterThanOrEqual(0);
    }
  }, 60_000);
});
