/**
 * Seed 002 §6 against a cluster (the "same test against a three-broker
 * cluster"): one KRaft controller and three brokers as real processes, connect-test
 * replicated three times, bin/connect-standalone.sh with bootstrap.servers naming all
 * three brokers. Lines reach the topic and the sink, appended lines follow, and after the
 * partition leader is killed -9 the next line still reaches the sink exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, REPO_ROOT, freePort, requireBuiltBroker } from '../helpers/cli.js';
import { cli, killCluster, layoutCluster, spawnCluster, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
const envelope = (s: string): string => `{"schema":{"type":"string","optional":false},"payload":${JSON.stringify(s)}}`;

describe('connect-standalone against a three-broker cluster', () => {
  let layout: ClusterLayout;
  let runDir: string;
  let work: string;
  const nodes: ProcessNode[] = [];
  let worker: { process: ChildProcess; output(): string; exited: Promise<number | null> } | undefined;

  beforeAll(async () => {
    await requireBuiltBroker();
    layout = await layoutCluster({
      brokers: 3,
      controllers: 1,
      style: 'kraft',
      brokerProps: { 'offsets.topic.replication.factor': '3', 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
    });
    work = path.join(layout.base, 'work');
    fs.mkdirSync(work, { recursive: true });
    runDir = await spawnCluster(layout, nodes);
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.process.exitCode === null) {
      worker.process.kill('SIGKILL');
      await worker.exited;
    }
    await killCluster(layout, nodes);
  }, 60_000);

  it('streams the tutorial\'s lines through a replicated connect-test', async () => {
    const created = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--topic', 'connect-test', '--partitions', '1', '--replication-factor', '3'], runDir);
    expect(created.stdout).toBe('Created topic connect-test.\n');
    const restPort = await freePort();
    const stock = fs.readFileSync(path.join(REPO_ROOT, 'config', 'connect-standalone.properties'), 'utf8');
    fs.writeFileSync(path.join(work, 'worker.properties'), stock
      .replace(/^bootstrap\.servers=.*$/m, `bootstrap.servers=${layout.bootstrap}`)
      .replace(/^offset\.storage\.file\.filename=.*$/m, `offset.storage.file.filename=${path.join(work, 'connect.offsets')}`) + `listeners=http://127.0.0.1:${restPort}\n`);
    fs.writeFileSync(path.join(work, 'test.txt'), 'foo\nbar\n');
    const child = spawn(path.join(BIN_DIR, 'connect-standalone.sh'), ['worker.properties', path.join(REPO_ROOT, 'config', 'connect-file-source.properties'), path.join(REPO_ROOT, 'config', 'connect-file-sink.properties')],
      { cwd: work, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { output += c.toString(); });
    worker = { process: child, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
    const sink = path.join(work, 'test.sink.txt');
    await waitFor(() => read(sink) === 'foo\nbar\n', 30_000, `foo and bar in the sink\n${output}`);
    fs.appendFileSync(path.join(work, 'test.txt'), 'Another line\n');
    await waitFor(() => read(sink) === 'foo\nbar\nAnother line\n', 30_000, 'the appended line in the sink');
    const consumed = await cli('kafka-console-consumer', ['--bootstrap-server', layout.bootstrap, '--topic', 'connect-test', '--from-beginning', '--max-messages', '3'], runDir);
    expect(consumed.stdout).toBe(['foo', 'bar', 'Another line'].map((l) => `${envelope(l)}\n`).join(''));
  }, 90_000);

  it('keeps every line once when the partition leader is killed -9', async () => {
    const described = await cli('kafka-topics', ['--describe', '--bootstrap-server', layout.bootstrap, '--topic', 'connect-test'], runDir);
    const leader = Number(/Partition: 0\s+Leader: (\d+)/.exec(described.stdout)?.[1]);
    const victim = nodes.find((n) => n.spec.kind === 'broker' && n.spec.id === leader);
    expect(victim).toBeDefined();
    await victim!.kill('SIGKILL');
    fs.appendFileSync(path.join(work, 'test.txt'), 'after the leader died\n');
    const sink = path.join(work, 'test.sink.txt');
    await waitFor(() => read(sink).includes('after the leader died'), 60_000, `the line after the leader died in the sink\n${worker?.output()}`);
    expect(read(sink)).toBe('foo\nbar\nAnother line\nafter the leader died\n');
  }, 90_000);
});
