/**
 * End-to-end on a real cluster (kafka-cluster: one controller, three brokers on 127.0.0.1):
 * kafka-reassign-partitions --execute moves every replica off broker 2, --verify reports
 * completion, broker 2 drops its copies, every record is still consumed; then
 * kafka-leader-election --election-type preferred moves leadership to the new preferred
 * replicas, with Kafka's line.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

async function basePort(): Promise<number> {
  const free = (port: number): Promise<boolean> => new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  for (;;) {
    const p = 20000 + Math.floor(Math.random() * 30000);
    if ((await free(p)) && (await free(p + 1)) && (await free(p + 2)) && (await free(p + 100))) return p;
  }
}

const dir = tempDir('kafka-ts-reassign-cluster');
afterAll(async () => {
  await runCli('kafka-cluster', ['stop', '--dir', dir], { timeoutMs: 60_000 });
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('reassignment and preferred election on three brokers', () => {
  it('moves replicas off a broker, keeps every record, then elects the preferred leaders', async () => {
    const port = await basePort();
    const start = await runCli('kafka-cluster', ['start', '--dir', dir, '--brokers', '3', '--controllers', '1', '--base-port', String(port)], { timeoutMs: 90_000 });
    expect(start.code).toBe(0);
    const boot = ['--bootstrap-server', `127.0.0.1:${port}`];
    expect((await runCli('kafka-topics', [...boot, '--create', '--topic', 't', '--partitions', '3', '--replication-factor', '2'])).code).toBe(0);
    const input = Array.from({ length: 300 }, (_, i) => `m${i}`).join('\n') + '\n';
    expect((await runCli('kafka-console-producer', [...boot, '--topic', 't', '--producer-property', 'acks=all'], { input })).code).toBe(0);

    const plan = path.join(dir, 'plan.json');
    fs.writeFileSync(plan, '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[0,1]},{"topic":"t","partition":1,"replicas":[1,0]},{"topic":"t","partition":2,"replicas":[0,1]}]}');
    const executed = await runCli('kafka-reassign-partitions', [...boot, '--execute', '--reassignment-json-file', plan]);
    expect(executed.code).toBe(0);
    expect(executed.stdout.trimEnd().split('\n').at(-1)).toBe('Successfully started partition reassignments for t-0,t-1,t-2');

    const done = ['Status of partition reassignment:', 'Reassignment of partition t-0 is completed.', 'Reassignment of partition t-1 is completed.', 'Reassignment of partition t-2 is completed.'].join('\n');
    let verified = '';
    for (let i = 0; i < 60 && !verified.startsWith(done); i++) {
      verified = (await runCli('kafka-reassign-partitions', [...boot, '--verify', '--reassignment-json-file', plan])).stdout;
      if (!verified.startsWith(done)) {
        // while it runs, each line says so
        expect(verified).toMatch(/^Status of partition reassignment:\n(Reassignment of partition t-\d is (completed|still in progress)\.\n){3}$/);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(verified).toBe(`${done}\nClearing broker-level throttles on brokers 0,1,2\nClearing topic-level throttles on topic t\n`);
    expect(await runCli('kafka-reassign-partitions', [...boot, '--list'])).toMatchObject({ code: 0, stdout: 'No partition reassignments found.\n' });

    const described = (await runCli('kafka-topics', [...boot, '--describe', '--topic', 't'])).stdout.trimEnd().split('\n').slice(1);
    expect(described.map((l) => /Replicas: ([\d,]+)/.exec(l)?.[1])).toEqual(['0,1', '1,0', '0,1']);
    const consumed = await runCli('kafka-console-consumer', [...boot, '--topic', 't', '--from-beginning', '--max-messages', '300'], { timeoutMs: 60_000 });
    expect(consumed.stdout.trimEnd().split('\n').sort()).toEqual(input.trimEnd().split('\n').sort());
    for (let i = 0; i < 40 && fs.readdirSync(path.join(dir, 'broker-2', 'data')).some((d) => d.startsWith('t-')); i++) await new Promise((r) => setTimeout(r, 250));
    expect(fs.readdirSync(path.join(dir, 'broker-2', 'data')).filter((d) => d.startsWith('t-'))).toEqual([]);

    // leaders now sit where they were: the preferred replica (first in Replicas) takes over where it differs
    const leaders = described.map((l) => Number(/Leader: (\d+)/.exec(l)?.[1]));
    const moved = ['0,1', '1,0', '0,1'].map((r, p) => (Number(r.split(',')[0]) !== leaders[p] ? `t-${p}` : null)).filter((p): p is string => p !== null);
    const election = await runCli('kafka-leader-election', [...boot, '--election-type', 'preferred', '--all-topic-partitions']);
    expect(election.code).toBe(0);
    if (moved.length === 0) expect(election.stdout).toBe('');
    else {
      expect(election.stdout).toMatch(/^Successfully completed leader election \(PREFERRED\) for partitions (t-\d(, )?)+\n$/);
      expect(election.stdout.trimEnd().split(' partitions ')[1]?.split(', ').sort()).toEqual(moved);
    }
    const after = (await runCli('kafka-topics', [...boot, '--describe', '--topic', 't'])).stdout.trimEnd().split('\n').slice(1);
    expect(after.map((l) => /Leader: (\d+)/.exec(l)?.[1])).toEqual(['0', '1', '0']);
    expect(await runCli('kafka-leader-election', [...boot, '--election-type', 'preferred', '--all-topic-partitions'])).toMatchObject({ code: 0, stdout: '' });
  }, 180_000);
});
