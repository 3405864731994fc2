/**
 * End-to-end, the check Kafka's system tests make with these tools: on a three-broker
 * cluster (real processes), the verifiable producer writes with acks=all while the
 * leader of the topic's partition is killed with SIGKILL; afterwards a verifiable
 * consumer group reads the partition, and every value the producer got an
 * acknowledgement for is there exactly once at its acknowledged offset. Sends that
 * failed during the failover are reported as producer_send_error (the tool does not
 * retry, as Kafka's does not).
 */
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, requireBuiltBroker, runCli } from '../helpers/cli.js';
import { layoutCluster, removeLayout, spawnCluster, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

await requireBuiltBroker();

interface Event {
  name: string;
  [field: string]: unknown;
}

const events = (stdout: string): Event[] => stdout.trimEnd().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);

async function leaderOf(bootstrap: string): Promise<number | undefined> {
  const d = await runCli('kafka-topics', ['--bootstrap-server', bootstrap, '--describe', '--topic', 'fo']);
  const match = /Partition: 0\tLeader: (\d+)\t.*Isr: (\S+)/.exec(d.stdout);
  return match ? Number(match[1]) : undefined;
}

describe('verifiable producer across a leader failure', () => {
  let layout: ClusterLayout;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    layout = await layoutCluster({
      brokers: 3,
      controllers: 1,
      style: 'zookeeper',
      brokerProps: { 'replica.lag.time.max.ms': '2000', 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
    });
    layout.controllers[0].props['broker.session.timeout.ms'] = '3000';
    const runDir = await spawnCluster(layout, nodes);
    const created = await runCli('kafka-topics', ['--bootstrap-server', layout.bootstrap, '--create', '--topic', 'fo', '--partitions', '1', '--replication-factor', '3', '--config', 'min.insync.replicas=2']);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    await waitFor(async () => {
      const d = await runCli('kafka-topics', ['--bootstrap-server', layout.bootstrap, '--describe', '--topic', 'fo']);
      return /Isr: \d+,\d+,\d+/.test(d.stdout) ? true : undefined;
    }, 30_000, 'fo fully in sync');
  }, 120_000);

  afterAll(async () => {
    for (const node of [...nodes].reverse()) await node.kill('SIGTERM');
    if (layout) removeLayout(layout);
  }, 90_000);

  it('every acknowledged value is consumed exactly once, at its offset, after the leader is killed', async () => {
    const leader = await leaderOf(layout.bootstrap);
    expect(leader).toBeDefined();
    const producer = spawn(path.join(BIN_DIR, 'kafka-verifiable-producer.sh'),
      ['--topic', 'fo', '--bootstrap-server', layout.bootstrap, '--acks', '-1', '--throughput', '200', '--max-messages', '1200'],
      { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    producer.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    producer.stderr.on('data', () => undefined);
    const exited = new Promise<number | null>((resolve) => producer.on('exit', resolve));
    await waitFor(() => (events(out).filter((e) => e.name === 'producer_send_success').length >= 200 ? true : undefined), 30_000, '200 acknowledged records');
    const victim = nodes.find((n) => n.spec.kind === 'broker' && n.spec.id === leader)!;
    await victim.kill('SIGKILL');
    expect(await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000))])).toBe(0);
    const list = events(out);
    const acked = list.filter((e) => e.name === 'producer_send_success');
    const failed = list.filter((e) => e.name === 'producer_send_error');
    expect(list.pop()).toMatchObject({ name: 'tool_data', sent: 1200, acked: acked.length });
    expect(acked.length + failed.length).toBe(1200);
    // the new leader took over and kept acknowledging
    expect(acked.length).toBeGreaterThan(200);
    const newLeader = await leaderOf(layout.brokers.filter((b) => b.id !== leader).map((b) => `${b.host}:${b.port}`).join(','));
    expect(newLeader).not.toBe(leader);

    const survivors = layout.brokers.filter((b) => b.id !== leader).map((b) => `${b.host}:${b.port}`).join(',');
    // read the whole log: sends reported failed may have been written too (a timed-out acks=all write stays in the log)
    const end = Number((await runCli('kafka-get-offsets', ['--bootstrap-server', survivors, '--topic', 'fo'])).stdout.trim().split(':')[2]);
    expect(end).toBeGreaterThanOrEqual(acked.length);
    const consumed = await runCli('kafka-verifiable-consumer', ['--group-id', 'fo-check', '--topic', 'fo', '--bootstrap-server', survivors, '--max-messages', String(end), '--verbose'], { timeoutMs: 60_000 });
    expect(consumed.code, consumed.stderr).toBe(0);
    const byOffset = new Map<number, string>();
    for (const e of events(consumed.stdout).filter((x) => x.name === 'record_data')) {
      expect(byOffset.has(Number(e.offset))).toBe(false);
      byOffset.set(Number(e.offset), e.value as string);
    }
    for (const e of acked) expect(byOffset.get(Number(e.offset)), `acknowledged value ${e.value} at offset ${e.offset}`).toBe(e.value);
  }, 150_000);
});
