/**
 * End-to-end: kafka-cluster start|status|stop through bin/ (one controller, two brokers on
 * 127.0.0.1), kafka-server-stop --node-id stopping one broker of it, and kafka-cluster start
 * bringing that broker back into the ISR.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

/** A base port P with P, P+1 and P+100 free (brokers and the controller). */
async function basePort(): Promise<number> {
  const free = (port: number): Promise<boolean> => new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  for (;;) {
    const p = 20000 + Math.floor(Math.random() * 30000);
    if ((await free(p)) && (await free(p + 1)) && (await free(p + 100))) return p;
  }
}

const dir = tempDir('kafka-ts-kafka-cluster');
afterAll(async () => {
  await runCli('kafka-cluster', ['stop', '--dir', dir], { timeoutMs: 60_000 });
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('kafka-cluster', () => {
  it('starts a controller and two brokers, reports them, survives a stopped broker and stops them all', async () => {
    const port = await basePort();
    const start = await runCli('kafka-cluster', ['start', '--dir', dir, '--brokers', '2', '--controllers', '1', '--base-port', String(port)], { timeoutMs: 90_000 });
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    expect(start.stdout.trimEnd().split('\n').sort()).toEqual([
      `Started broker 0 on 127.0.0.1:${port} (config ${path.join(dir, 'broker-0', 'server.properties')})`,
      `Started broker 1 on 127.0.0.1:${port + 1} (config ${path.join(dir, 'broker-1', 'server.properties')})`,
      `Started controller 3001 on 127.0.0.1:${port + 100} (config ${path.join(dir, 'controller-3001', 'server.properties')})`,
    ]);
    const boot = ['--bootstrap-server', `127.0.0.1:${port}`];
    expect((await runCli('kafka-topics', [...boot, '--create', '--topic', 'r2', '--partitions', '2', '--replication-factor', '2'])).stdout).toBe('Created topic r2.\n');

    const status = await runCli('kafka-cluster', ['status', '--dir', dir]);
    const rows = status.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^NODE\s+ROLE\s+PID\s+ADDRESS\s+STATUS\s+IN-SYNC$/);
    expect(rows.slice(1).map((r) => r.split(/\s{2,}/).filter((c) => c !== '').map((c, i) => (i === 2 ? 'pid' : c)))).toEqual([
      ['3001', 'controller', 'pid', `127.0.0.1:${port + 100}`, 'running', 'yes (leader)'],
      ['0', 'broker', 'pid', `127.0.0.1:${port}`, 'running', 'yes'],
      ['1', 'broker', 'pid', `127.0.0.1:${port + 1}`, 'running', 'yes'],
    ]);

    // Kafka 3.7's kafka-server-stop --node-id stops just that node
    const stopOne = await runCli('kafka-server-stop', ['--node-id=1'], { env: { KAFKA_TS_RUN_DIR: path.join(dir, 'run') }, timeoutMs: 60_000 });
    expect(stopOne).toMatchObject({ code: 0, stdout: '' });
    const after = (await runCli('kafka-cluster', ['status', '--dir', dir])).stdout;
    expect(after).toMatch(new RegExp(`\\n1\\s+broker\\s+-\\s+127\\.0\\.0\\.1:${port + 1}\\s+stopped\\s+-\\n`));

    // start again: only the stopped broker starts, and it catches up into the ISR
    const restart = await runCli('kafka-cluster', ['start', '--dir', dir], { timeoutMs: 90_000 });
    expect(restart).toMatchObject({ stderr: '', code: 0, stdout: `Started broker 1 on 127.0.0.1:${port + 1} (config ${path.join(dir, 'broker-1', 'server.properties')})\n` });
    let insync = '';
    for (let i = 0; i < 60 && !/\n1\s+broker\s+\d+\s+\S+\s+running\s+yes\n/.test(insync); i++) {
      await new Promise((r) => setTimeout(r, 500));
      insync = (await runCli('kafka-cluster', ['status', '--dir', dir])).stdout;
    }
    expect(insync).toMatch(/\n1\s+broker\s+\d+\s+\S+\s+running\s+yes\n/);

    const stop = await runCli('kafka-cluster', ['stop', '--dir', dir], { timeoutMs: 90_000 });
    expect(stop).toMatchObject({ code: 0, stdout: 'Stopped broker 0\nStopped broker 1\nStopped controller 3001\n' });
    expect(await runCli('kafka-cluster', ['stop', '--dir', dir])).toMatchObject({ code: 1, stdout: `No node of the cluster in ${dir} is running\n` });
  }, 180_000);
});
