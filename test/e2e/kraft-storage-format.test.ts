/**
 * The Kafka 3.x KRaft quick start for three machines (127.0.0.2-4), as typed: one cluster id
 * from `kafka-storage random-uuid`, `kafka-storage format -t <id> -c server.properties` on
 * each combined node (process.roles=broker,controller, three voters), then
 * `kafka-server-start -daemon`. They form one cluster with that id (kafka-metadata-quorum
 * describe --status), an RF 3 topic gets an ISR of three, a dir cannot be formatted for
 * another cluster, and kafka-server-stop --node-id stops one node.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

const HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

async function portOnAll(): Promise<number> {
  const free = (host: string, port: number): Promise<boolean> => new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if ((await Promise.all(HOSTS.map((h) => free(h, port)))).every(Boolean)) return port;
  }
}

const base = tempDir('kafka-ts-kraft-format');
const env = { KAFKA_TS_RUN_DIR: path.join(base, 'run'), LOG_DIR: path.join(base, 'logs') };
afterAll(async () => {
  await runCli('kafka-server-stop', [], { env, timeoutMs: 60_000 });
  fs.rmSync(base, { recursive: true, force: true });
});

describe('KRaft quick start on three combined nodes', () => {
  it('formats each node for one cluster id, starts them, and they form that cluster', async () => {
    const brokerPort = await portOnAll();
    const controllerPort = await portOnAll();
    const voters = HOSTS.map((h, i) => `${i + 1}@${h}:${controllerPort}`).join(',');
    const files = HOSTS.map((host, i) => {
      const file = path.join(base, `server-${i + 1}.properties`);
      fs.writeFileSync(file, [
        'process.roles=broker,controller', `node.id=${i + 1}`, `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://${host}:${brokerPort},CONTROLLER://${host}:${controllerPort}`, 'inter.broker.listener.name=PLAINTEXT',
        'controller.listener.names=CONTROLLER', 'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${path.join(base, `kraft-combined-logs-${i + 1}`)}`, 'num.partitions=1', 'offsets.topic.replication.factor=3',
        'transaction.state.log.replication.factor=3', 'transaction.state.log.min.isr=2',
      ].join('\n') + '\n');
      return file;
    });
    const uuid = await runCli('kafka-storage', ['random-uuid'], { env });
    const clusterId = uuid.stdout.trim();
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const [i, file] of files.entries()) {
      expect(await runCli('kafka-storage', ['format', '-t', clusterId, '-c', file], { env }))
        .toMatchObject({ code: 0, stdout: `Formatting ${path.join(base, `kraft-combined-logs-${i + 1}`)} with metadata.version 3.7-IV4.\n` });
    }
    // a majority of voters must be up before any node serves: start them together
    const starts = await Promise.all(files.map((file) => runCli('kafka-server-start', ['-daemon', file], { env, timeoutMs: 90_000 })));
    for (const start of starts) expect(start.code).toBe(0);

    const boot = ['--bootstrap-server', `${HOSTS[0]}:${brokerPort}`];
    const status = await runCli('kafka-metadata-quorum', [...boot, 'describe', '--status'], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`ClusterId:              ${clusterId}\n`);
    expect(status.stdout).toMatch(/^LeaderId: +[123]$/m);
    expect(status.stdout).toMatch(/^CurrentVoters: +\[\{"id": 1, .*\{"id": 2, .*\{"id": 3, .*\]$/m);

    expect((await runCli('kafka-topics', [...boot, '--create', '--topic', 'rf3', '--partitions', '1', '--replication-factor', '3'], { env })).stdout).toBe('Created topic rf3.\n');
    let line = '';
    for (let i = 0; i < 60 && !/Isr: \d+,\d+,\d+\t/.test(line); i++) {
      line = (await runCli('kafka-topics', [...boot, '--describe', '--topic', 'rf3'], { env })).stdout.split('\n')[1] ?? '';
      if (!/Isr: \d+,\d+,\d+\t/.test(line)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(line).toMatch(/Replicas: \d,\d,\d\tIsr: \d,\d,\d\t/);

    // another cluster's id is refused for a formatted dir, in Kafka's words
    const other = (await runCli('kafka-storage', ['random-uuid'], { env })).stdout.trim();
    const refused = await runCli('kafka-storage', ['format', '-t', other, '-c', files[0]!, '--ignore-formatted'], { env });
    expect(refused).toMatchObject({ code: 1, stderr: `Invalid cluster.id in: ${path.join(base, 'kraft-combined-logs-1', 'meta.properties')}. Expected ${other}, but read ${clusterId}\n` });

    // Kafka 3.7's --node-id stops one node; the other two keep a majority
    expect(await runCli('kafka-server-stop', ['--node-id=3'], { env, timeoutMs: 60_000 })).toMatchObject({ code: 0, stdout: '' });
    // (when node 3 led, the other two elect a leader first)
    let after = '';
    for (let i = 0; i < 40 && !/^LeaderId: +[12]$/m.test(after); i++) {
      after = (await runCli('kafka-metadata-quorum', [...boot, 'describe', '--status'], { env })).stdout;
      if (!/^LeaderId: +[12]$/m.test(after)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(after).toMatch(/^LeaderId: +[12]$/m);
  }, 180_000);
});
