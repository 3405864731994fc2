/**
 * Seed 002 §5's cluster with the real bins, each node on its own loopback address: one
 * `zookeeper-server-start zookeeper.properties` (this toolkit's controller) and three
 * `kafka-server-start server-N.properties` brokers with zookeeper.connect. They form one
 * cluster (one cluster id in every meta.properties), `kafka-topics --describe` lists a
 * replication-factor-3 topic with three replicas in its ISR, `--replication-factor 4`
 * gets Kafka's message naming the three brokers, and `kill -9` of a partition leader
 * fences it: within the bounded wait the partition has a new leader from the ISR, every
 * message produced with acks=all before the kill is consumed from the survivors, and the
 * restarted broker rejoins the ISR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli } from '../helpers/cli.js';
import { cli, killCluster, layoutCluster, spawnCluster, spawnNode, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

const TOPIC = 'my-replicated-topic';

function describeLine(stdout: string): { leader: number; replicas: number[]; isr: number[] } | undefined {
  const m = /Partition: 0\s+Leader: (-?\d+)\s+Replicas: ([\d,]+)\s+Isr: ([\d,]*)/.exec(stdout);
  if (!m) return undefined;
  const list = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));
  return { leader: Number(m[1]), replicas: list(m[2]!), isr: list(m[3]!) };
}

describe('a ZooKeeper-style cluster of real processes (seed 002 §5)', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];
  let killed = -1;

  beforeAll(async () => {
    await requireBuiltBroker();
    layout = await layoutCluster({
      brokers: 3,
      controllers: 1,
      style: 'zookeeper',
      brokerProps: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
    });
    runDir = await spawnCluster(layout, nodes);
  }, 90_000);

  afterAll(async () => {
    await killCluster(layout, nodes);
  }, 60_000);

  it('forms one cluster: every node has the same cluster id in meta.properties', () => {
    const ids = new Set<string>();
    for (const b of layout.brokers) {
      const text = fs.readFileSync(path.join(b.dir, 'data', 'meta.properties'), 'utf8');
      const id = /cluster\.id=(\S+)/.exec(text)?.[1];
      expect(id).toBeTruthy();
      ids.add(id!);
    }
    expect(ids.size).toBe(1);
  });

  it('creates a replication-factor-3 topic that --describe lists with three replicas in the ISR', async () => {
    const created = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--replication-factor', '3', '--partitions', '1', '--topic', TOPIC]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe(`Created topic ${TOPIC}.\n`);
    const line = await waitFor(async () => {
      const r = await cli('kafka-topics', ['--describe', '--bootstrap-server', layout.brokers[2]!.host + ':' + layout.brokers[2]!.port, '--topic', TOPIC]);
      const d = describeLine(r.stdout);
      return d && d.isr.length === 3 ? d : undefined;
    }, 20_000, 'an ISR of three');
    expect([...line.replicas].sort()).toEqual([0, 1, 2]);
    expect(line.replicas).toContain(line.leader);
  }, 60_000);

  it('--replication-factor 4 on three brokers is refused with Kafka\'s message naming the count', async () => {
    const r = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--replication-factor', '4', '--partitions', '1', '--topic', 'four']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('Replication factor: 4 larger than available brokers: 3.');
  }, 30_000);

  it('produces with acks=all to the replicated topic', async () => {
    const input = Array.from({ length: 20 }, (_, i) => `message ${i}`).join('\n') + '\n';
    const r = await runCli('kafka-console-producer', ['--bootstrap-server', layout.bootstrap, '--topic', TOPIC, '--producer-property', 'acks=all'], { input, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('kill -9 of the leader: it is fenced and the partition gets a new leader from the ISR', async () => {
    const other = layout.brokers[0]!;
    const before = describeLine((await cli('kafka-topics', ['--describe', '--bootstrap-server', `${other.host}:${other.port}`, '--topic', TOPIC])).stdout)!;
    const victim = nodes.find((n) => n.spec.kind === 'broker' && n.spec.id === before.leader)!;
    await victim.kill('SIGKILL');
    const survivor = layout.brokers.find((b) => b.id !== before.leader)!;
    const after = await waitFor(async () => {
      const r = await cli('kafka-topics', ['--describe', '--bootstrap-server', `${survivor.host}:${survivor.port}`, '--topic', TOPIC]);
      const d = describeLine(r.stdout);
      return d && d.leader !== before.leader && d.leader >= 0 && !d.isr.includes(before.leader) ? d : undefined;
    }, 15_000, 'a new leader without the killed broker in the ISR');
    expect(before.isr).toContain(after.leader);
    expect(after.isr.length).toBe(2);
    killed = before.leader;
  }, 60_000);

  it('--from-beginning on the survivors still returns every acknowledged message', async () => {
    const survivors = layout.brokers.filter((b) => b.id !== killed).map((b) => `${b.host}:${b.port}`).join(',');
    const r = await runCli('kafka-console-consumer', ['--bootstrap-server', survivors, '--topic', TOPIC, '--from-beginning', '--max-messages', '20', '--timeout-ms', '20000'], { timeoutMs: 60_000 });
    expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`));
  }, 60_000);

  it('the restarted broker rejoins the ISR', async () => {
    const spec = layout.brokers.find((b) => b.id === killed)!;
    const again = spawnNode(spec, runDir);
    nodes.push(again);
    await again.started;
    const line = await waitFor(async () => {
      const r = await cli('kafka-topics', ['--describe', '--bootstrap-server', `${spec.host}:${spec.port}`, '--topic', TOPIC]);
      const d = describeLine(r.stdout);
      return d && d.isr.length === 3 ? d : undefined;
    }, 30_000, 'the restarted broker back in the ISR');
    expect([...line.isr].sort()).toEqual([0, 1, 2]);
  }, 60_000);
});
