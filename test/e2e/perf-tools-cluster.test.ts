/**
 * End-to-end on a three-broker cluster (a zookeeper-server-start controller and three
 * kafka-server-start brokers on 127.0.0.x, real processes): the perf and verification
 * tools follow partition leaders across brokers — the verifiable producer's acks=all
 * records are all consumed once by the group, kafka-producer-perf-test's count is what
 * the partitions hold, kafka-delete-records reaches every leader, and kafka-log-dirs
 * lists each replica on the brokers that hold it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli } from '../helpers/cli.js';
import { layoutCluster, removeLayout, spawnCluster, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';
import { PRODUCER_TOTAL } from '../helpers/perf-lines.js';

await requireBuiltBroker();

interface Event {
  name: string;
  [field: string]: unknown;
}

const events = (stdout: string): Event[] => stdout.trimEnd().split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Event);

describe('perf and verification tools on a three-broker cluster', () => {
  let layout: ClusterLayout;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    layout = await layoutCluster({ brokers: 3, controllers: 1, style: 'zookeeper' });
    const runDir = await spawnCluster(layout, nodes);
    const created = await runCli('kafka-topics', ['--bootstrap-server', layout.bootstrap, '--create', '--topic', 'ct', '--partitions', '3', '--replication-factor', '2']);
    expect(created.code, created.stderr + created.stdout).toBe(0);
    // every partition led and fully in sync before the tools run
    await waitFor(async () => {
      const d = await runCli('kafka-topics', ['--bootstrap-server', layout.bootstrap, '--describe', '--topic', 'ct']);
      const lines = d.stdout.split('\n').filter((l) => l.includes('Partition:'));
      return lines.length === 3 && lines.every((l) => /Leader: \d+\t/.test(l) && /Isr: \d+,\d+/.test(l)) ? lines : undefined;
    }, 30_000, 'topic ct led and in sync');
  }, 120_000);

  afterAll(async () => {
    for (const node of [...nodes].reverse()) await node.kill('SIGTERM');
    if (layout) removeLayout(layout);
  }, 90_000);

  it('every record the verifiable producer got acks=all for is consumed exactly once by the group', async () => {
    const produced = await runCli('kafka-verifiable-producer', ['--topic', 'ct', '--max-messages', '300', '--bootstrap-server', layout.bootstrap, '--acks', '-1'], { timeoutMs: 40_000 });
    expect(produced.code, produced.stderr).toBe(0);
    const acked = new Set(events(produced.stdout).filter((e) => e.name === 'producer_send_success').map((e) => `${e.partition}:${e.offset}`));
    expect(acked.size).toBe(300);
    const consumed = await runCli('kafka-verifiable-consumer', ['--group-id', 'cg', '--topic', 'ct', '--max-messages', '300', '--bootstrap-server', layout.bootstrap], { timeoutMs: 60_000 });
    expect(consumed.code, consumed.stderr).toBe(0);
    const seen: string[] = [];
    for (const e of events(consumed.stdout).filter((x) => x.name === 'records_consumed')) {
      for (const p of e.partitions as Array<{ partition: number; minOffset: number; maxOffset: number }>) {
        for (let o = p.minOffset; o <= p.maxOffset; o++) seen.push(`${p.partition}:${o}`);
      }
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen)).toEqual(acked);
  }, 120_000);

  it('kafka-producer-perf-test spreads its records over the leaders and reports them all', async () => {
    const before = await endOffsets(layout.bootstrap);
    const result = await runCli('kafka-producer-perf-test', ['--topic', 'ct', '--num-records', '3000', '--record-size', '50', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${layout.bootstrap}`, 'acks=all', 'batch.size=2000'], { timeoutMs: 40_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(PRODUCER_TOTAL.exec(result.stdout.trimEnd().split('\n').pop()!)?.[1]).toBe('3000');
    const after = await endOffsets(layout.bootstrap);
    const added = [0, 1, 2].map((p) => after[p] - before[p]);
    expect(added.reduce((a, b) => a + b, 0)).toBe(3000);
    // sticky batches of ~2000 bytes move on to other partitions
    expect(added.filter((n) => n > 0).length).toBeGreaterThan(1);
  }, 60_000);

  it('kafka-delete-records reaches every leader and kafka-log-dirs lists the replicas per broker', async () => {
    const ends = await endOffsets(layout.bootstrap);
    const file = path.join(layout.base, 'offsets.json');
    fs.writeFileSync(file, JSON.stringify({ partitions: [0, 1, 2].map((partition) => ({ topic: 'ct', partition, offset: -1 })), version: 1 }));
    const deleted = await runCli('kafka-delete-records', ['--bootstrap-server', layout.bootstrap, '--offset-json-file', file], { timeoutMs: 40_000 });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout.trimEnd().split('\n').slice(2).sort()).toEqual([0, 1, 2].map((p) => `partition: ct-${p}\tlow_watermark: ${ends[p]}`));

    const dirs = await runCli('kafka-log-dirs', ['--bootstrap-server', layout.bootstrap, '--describe', '--topic-list', 'ct'], { timeoutMs: 40_000 });
    expect(dirs.code, dirs.stderr).toBe(0);
    const [querying, received, json] = dirs.stdout.split('\n');
    expect(querying).toBe('Querying brokers for log directories information');
    expect(received).toBe('Received log directory information from brokers 0,1,2');
    const parsed = JSON.parse(json) as { brokers: Array<{ broker: number; logDirs: Array<{ partitions: Array<{ partition: string }> }> }> };
    expect(parsed.brokers.map((b) => b.broker)).toEqual([0, 1, 2]);
    const replicas = parsed.brokers.flatMap((b) => b.logDirs.flatMap((d) => d.partitions.map((p) => p.partition)));
    // replication factor 2: each partition on two brokers
    expect(replicas.sort()).toEqual(['ct-0', 'ct-0', 'ct-1', 'ct-1', 'ct-2', 'ct-2']);
    const one = await runCli('kafka-log-dirs', ['--bootstrap-server', layout.bootstrap, '--describe', '--broker-list', '1']);
    expect(one.stdout.split('\n')[1]).toBe('Received log directory information from brokers 1');
  }, 60_000);
});

async function endOffsets(bootstrap: string): Promise<number[]> {
  const result = await runCli('kafka-get-offsets', ['--bootstrap-server', bootstrap, '--topic', 'ct']);
  const ends = [0, 0, 0];
  for (const line of result.stdout.trimEnd().split('\n')) {
    const [, p, o] = line.split(':');
    ends[Number(p)] = Number(o);
  }
  return ends;
}
