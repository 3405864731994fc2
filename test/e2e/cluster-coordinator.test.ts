/**
 * A consumer group keeps its committed offsets through a coordinator failover (real
 * processes on 127.0.0.x): three brokers with offsets.topic.replication.factor=3 and one
 * __consumer_offsets partition, so one broker coordinates every group. A group consumes
 * half a topic and commits; the coordinator is killed -9; once the partition has a new
 * leader the same group resumes where it committed, reading only the other half.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli } from '../helpers/cli.js';
import { cli, killCluster, layoutCluster, spawnCluster, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

function leaderOf(stdout: string): number | undefined {
  const m = /Partition: 0\s+Leader: (-?\d+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

describe('a consumer group through a coordinator failover', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    await requireBuiltBroker();
    layout = await layoutCluster({
      brokers: 3,
      controllers: 1,
      style: 'zookeeper',
      brokerProps: {
        'offsets.topic.replication.factor': '3',
        'offsets.topic.num.partitions': '1',
        'broker.session.timeout.ms': '3000',
        'broker.heartbeat.interval.ms': '500',
      },
    });
    runDir = await spawnCluster(layout, nodes);
  }, 90_000);

  afterAll(async () => {
    await killCluster(layout, nodes);
  }, 60_000);

  it('resumes from the committed offsets on the new coordinator', async () => {
    const created = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--replication-factor', '3', '--partitions', '1', '--topic', 'events']);
    expect(created.stdout).toBe('Created topic events.\n');
    const input = Array.from({ length: 10 }, (_, i) => `event ${i}`).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', layout.bootstrap, '--topic', 'events', '--producer-property', 'acks=all'], { input, timeoutMs: 60_000 });
    expect(produced.code).toBe(0);

    const first = await runCli('kafka-console-consumer', ['--bootstrap-server', layout.bootstrap, '--topic', 'events', '--group', 'g1', '--from-beginning', '--max-messages', '5', '--timeout-ms', '20000'], { timeoutMs: 60_000 });
    expect(first.stdout.split('\n').filter((l) => l !== '')).toEqual(['event 0', 'event 1', 'event 2', 'event 3', 'event 4']);

    // the coordinator is the leader of the one __consumer_offsets partition; wait until all three replicas have it
    const offsetsDescribe = async (bootstrap: string): Promise<string> =>
      (await cli('kafka-topics', ['--describe', '--bootstrap-server', bootstrap, '--topic', '__consumer_offsets'])).stdout;
    await waitFor(async () => /Isr: \d+,\d+,\d+/.test(await offsetsDescribe(layout.bootstrap)), 20_000, '__consumer_offsets in sync on three brokers');
    const coordinator = leaderOf(await offsetsDescribe(layout.bootstrap))!;
    await nodes.find((n) => n.spec.kind === 'broker' && n.spec.id === coordinator)!.kill('SIGKILL');
    const survivors = layout.brokers.filter((b) => b.id !== coordinator).map((b) => `${b.host}:${b.port}`).join(',');
    await waitFor(async () => {
      const leader = leaderOf(await offsetsDescribe(survivors));
      return leader !== undefined && leader >= 0 && leader !== coordinator;
    }, 20_000, 'a new coordinator');

    const second = await runCli('kafka-console-consumer', ['--bootstrap-server', survivors, '--topic', 'events', '--group', 'g1', '--max-messages', '5', '--timeout-ms', '20000'], { timeoutMs: 60_000 });
    if (process.env.CLUSTER_TEST_DUMP) {
      for (const n of nodes) fs.writeFileSync(path.join(process.env.CLUSTER_TEST_DUMP, `${n.spec.kind}-${n.spec.id}.log`), n.output());
      fs.writeFileSync(path.join(process.env.CLUSTER_TEST_DUMP, 'consumer.log'), `${second.stdout}\n---\n${second.stderr}`);
    }
    expect(second.stdout.split('\n').filter((l) => l !== '')).toEqual(['event 5', 'event 6', 'event 7', 'event 8', 'event 9']);
  }, 120_000);
});
