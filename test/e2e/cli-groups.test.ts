/**
 * End-to-end: consumer groups through kafka-console-consumer — members of one
 * group split the partitions; two different groups each read everything; a
 * daemonized broker is stopped by kafka-server-stop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, freePort, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('console consumer groups', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker();
    const created = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'grouped', '--partitions', '3', '--replication-factor', '1']);
    expect(created.code).toBe(0);
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('two groups each get every record', async () => {
    const input = Array.from({ length: 300 }, (_, i) => `k${i}\tv${i}`).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'grouped', '--property', 'parse.key=true'], { input });
    expect(produced.code).toBe(0);
    const [a, b] = await Promise.all(['ga', 'gb'].map((group) => runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'grouped', '--group', group, '--from-beginning', '--max-messages', '300'])));
    for (const result of [a, b]) {
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n').sort()).toEqual(Array.from({ length: 300 }, (_, i) => `v${i}`).sort());
    }
  });

  it('members of one group split the partitions between them', async () => {
    const consumerArgs = ['--bootstrap-server', broker.bootstrap, '--topic', 'grouped', '--group', 'split', '--timeout-ms', '4000', '--property', 'print.partition=true', '--consumer-property', 'heartbeat.interval.ms=300'];
    const first = runCli('kafka-console-consumer', consumerArgs, { timeoutMs: 40_000 });
    const second = runCli('kafka-console-consumer', consumerArgs, { timeoutMs: 40_000 });
    await sleep(3000); // both members joined and the group is stable (heartbeats every 300 ms)
    const input = Array.from({ length: 300 }, (_, i) => `key${i}\tafter${i}`).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'grouped', '--property', 'parse.key=true'], { input });
    expect(produced.code).toBe(0);
    const results = await Promise.all([first, second]);
    const partitionsOf = (stdout: string): Set<string> => new Set(stdout.trimEnd().split('\n').filter(Boolean).map((l) => l.split('\t')[0]));
    const valuesOf = (stdout: string): string[] => stdout.trimEnd().split('\n').filter(Boolean).map((l) => l.split('\t')[1]);
    const [p1, p2] = results.map((r) => partitionsOf(r.stdout));
    expect(p1.size).toBeGreaterThan(0);
    expect(p2.size).toBeGreaterThan(0);
    expect([...p1].filter((p) => p2.has(p))).toEqual([]);
    const all = [...valuesOf(results[0].stdout), ...valuesOf(results[1].stdout)].sort();
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => `after${i}`).sort());
  });
});

describe('daemon mode', () => {
  it('-daemon returns once the broker serves; kafka-server-stop stops it', async () => {
    const port = await freePort();
    const base = tempDir('kafka-ts-e2e-daemon');
    const env = { KAFKA_TS_RUN_DIR: path.join(base, 'run'), LOG_DIR: path.join(base, 'logs') };
    const started = await runCli('kafka-server-start', ['-daemon', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${path.join(base, 'data')}`], { env });
    expect(started.code).toBe(0);
    expect(fs.readdirSync(env.KAFKA_TS_RUN_DIR).filter((f) => f.endsWith('.pid'))).toHaveLength(1);
    const listed = await runCli('kafka-topics', ['--bootstrap-server', `127.0.0.1:${port}`, '--list']);
    expect(listed.code).toBe(0);
    const stopped = await runCli('kafka-server-stop', [], { env });
    expect(stopped.code).toBe(0);
    expect(fs.readdirSync(env.KAFKA_TS_RUN_DIR).filter((f) => f.endsWith('.pid'))).toHaveLength(0);
    expect(fs.readFileSync(path.join(env.LOG_DIR, 'server.log'), 'utf8')).toContain('shut down completed');
  });
});
