/**
 * End-to-end durability, as a user would see it: topics, records, topic configs
 * and a group's committed offsets survive a graceful stop (SIGTERM) and a hard
 * kill (kill -9) of bin/kafka-server-start.sh, on the same log dir and port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, requireBuiltBroker, freePort, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

interface Broker {
  child: ChildProcess;
  output: () => string;
}

let base: string;
let propsFile: string;
let bootstrap: string;
let runDir: string;

function startBroker(): Promise<Broker> {
  const child = spawn(path.join(BIN_DIR, 'kafka-server-start.sh'), [propsFile], {
    env: { ...process.env, KAFKA_TS_RUN_DIR: runDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${output}`)), 20_000);
    child.stdout?.on('data', () => {
      if (/started; listening on/.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code}) during startup:\n${output}`));
    });
  });
}

function stop(broker: Broker, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    broker.child.once('exit', (code) => resolve(code));
    broker.child.kill(signal);
  });
}

async function consumeAll(topic: string, count: number, extra: string[] = []) {
  return runCli('kafka-console-consumer', ['--bootstrap-server', bootstrap, '--topic', topic, '--max-messages', String(count), '--timeout-ms', '15000', ...extra], {
    timeoutMs: 30_000,
  });
}

describe('data survives broker restarts', () => {
  beforeAll(async () => {
    base = tempDir('kafka-ts-restart');
    runDir = path.join(base, 'run');
    const port = await freePort();
    bootstrap = `127.0.0.1:${port}`;
    propsFile = path.join(base, 'server.properties');
    fs.writeFileSync(
      propsFile,
      [
        'broker.id=0',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        `log.dirs=${path.join(base, 'data')}`,
        'offsets.topic.num.partitions=3',
        'group.initial.rebalance.delay.ms=0',
      ].join('\n') + '\n',
    );
  });
  afterAll(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('keeps records, topic configs and committed offsets across SIGTERM and kill -9', async () => {
    let broker = await startBroker();
    const created = await runCli('kafka-topics', ['--bootstrap-server', bootstrap, '--create', '--topic', 'durable', '--partitions', '3', '--config', 'retention.ms=86400000']);
    expect(created.stdout).toBe('Created topic durable.\n');
    const lines = Array.from({ length: 1000 }, (_, i) => `record-${i}`);
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', bootstrap, '--topic', 'durable'], { input: lines.join('\n') + '\n' });
    expect(produced.code).toBe(0);

    // a group reads 400 records and commits them
    const first = await consumeAll('durable', 400, ['--from-beginning', '--group', 'survivors']);
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(400);

    // graceful stop: exit 0, clean-shutdown marker and checkpoints written
    expect(await stop(broker, 'SIGTERM')).toBe(0);
    const dataDir = path.join(base, 'data');
    expect(fs.existsSync(path.join(dataDir, 'recovery-point-offset-checkpoint'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'durable-0', '00000000000000000000.log'))).toBe(true);

    broker = await startBroker();
    const described = await runCli('kafka-topics', ['--bootstrap-server', bootstrap, '--describe', '--topic', 'durable']);
    expect(described.stdout).toMatch(/^Topic: durable\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=86400000\n/);
    // the group resumes after its committed offsets: the other 600
    // (earliest only matters for a partition the first run never touched and so never committed)
    const second = await consumeAll('durable', 600, ['--group', 'survivors', '--consumer-property', 'auto.offset.reset=earliest']);
    const rest = second.stdout.trimEnd().split('\n');
    expect(rest).toHaveLength(600);
    expect(new Set([...first.stdout.trimEnd().split('\n'), ...rest])).toEqual(new Set(lines));

    // more data, then a hard kill with no chance to flush or checkpoint
    const more = await runCli('kafka-console-producer', ['--bootstrap-server', bootstrap, '--topic', 'durable'], { input: 'after-1\nafter-2\n' });
    expect(more.code).toBe(0);
    expect(await stop(broker, 'SIGKILL')).toBe(null);

    broker = await startBroker();
    const everything = await consumeAll('durable', 1002, ['--from-beginning']);
    expect(everything.stdout.trimEnd().split('\n').sort()).toEqual([...lines, 'after-1', 'after-2'].sort());
    // committed offsets (600 + 400 = every record before the kill) survived the kill too
    const resumed = await consumeAll('durable', 2, ['--group', 'survivors', '--consumer-property', 'auto.offset.reset=earliest']);
    expect(resumed.stdout.trimEnd().split('\n').sort()).toEqual(['after-1', 'after-2']);
    expect(resumed.stderr).toContain('Processed a total of 2 messages');
    expect(await stop(broker, 'SIGTERM')).toBe(0);
  });
});
