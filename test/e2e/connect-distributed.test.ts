/**
 * End-to-end: two bin/connect-distributed.sh workers of one group.id on one machine
 * (their own REST ports) against a broker from bin/kafka-server-start.sh. The workers
 * create the compacted internal topics, share the file source and sink created over
 * REST, and when the worker running the source is killed with SIGKILL, its work moves to
 * the survivor and test.sink.txt still gets every line exactly once, in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readIfExists as read } from '../helpers/connect.js';
import { BIN_DIR, REPO_ROOT, freePort, requireBuiltBroker, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

interface WorkerProcess {
  port: number;
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

describe('connect-distributed: two workers, one killed', () => {
  let broker: TestBroker;
  let dir: string;
  const workers: WorkerProcess[] = [];

  async function startWorker(): Promise<WorkerProcess> {
    const port = await freePort();
    const stock = fs.readFileSync(path.join(REPO_ROOT, 'config', 'connect-distributed.properties'), 'utf8');
    const file = path.join(dir, `worker-${port}.properties`);
    // the stock file plus a REST port each; short session and flush intervals so the test does not wait minutes
    fs.writeFileSync(file, stock.replace(/^bootstrap\.servers=.*$/m, `bootstrap.servers=${broker.bootstrap}`) +
      `listeners=http://127.0.0.1:${port}\nsession.timeout.ms=6000\nheartbeat.interval.ms=1000\noffset.flush.interval.ms=500\n`);
    const child = spawn(path.join(BIN_DIR, 'connect-distributed.sh'), [file], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { output += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const worker = { port, process: child, output: () => output, exited };
    workers.push(worker);
    await eventually(`worker on ${port} to start`, () => /Kafka Connect started/.test(output), () => output);
    return worker;
  }

  beforeAll(async () => {
    broker = await startTestBroker();
    dir = tempDir('connect-dist-e2e');
  });

  afterAll(async () => {
    for (const w of workers) {
      if (w.process.exitCode === null && w.process.signalCode === null) {
        w.process.kill('SIGKILL');
        await w.exited;
      }
    }
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rest = async (port: number, method: string, p: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };

  let w1: WorkerProcess;
  let w2: WorkerProcess;
  let statuses: Record<string, { status: { connector: { state: string; worker_id: string }; tasks: Array<{ state: string; worker_id: string }> } }> = {};
  const sinkFile = (): string => path.join(dir, 'test.sink.txt');

  it('starts two workers that join one group and create the compacted internal topics', async () => {
    fs.writeFileSync(path.join(dir, 'test.txt'), 'foo\nbar\n');
    w1 = await startWorker();
    w2 = await startWorker();
    // both in one generation: each has logged an assignment naming the same leader
    const lastGeneration = (output: string): number | undefined => {
      const all = [...output.matchAll(/Joined group at generation (\d+)/g)].map((m) => Number(m[1]));
      return all.length === 0 ? undefined : all[all.length - 1];
    };
    await eventually('both workers to join one generation', () => lastGeneration(w1.output()) !== undefined && lastGeneration(w1.output()) === lastGeneration(w2.output()), () => w1.output() + w2.output());

    for (const topic of ['connect-configs', 'connect-offsets', 'connect-status']) {
      const described = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--describe', '--topic', topic]);
      expect(described.stdout + described.stderr).toMatch(/cleanup\.policy=compact/);
    }
    const partitions = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--describe', '--topic', 'connect-status']);
    expect(partitions.stdout).toMatch(/PartitionCount: 5\t/);
  });

  it('shares connectors created through either worker, each unit RUNNING on one of them', async () => {

    const source = await rest(w1.port, 'POST', '/connectors', { name: 'local-file-source', config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: 'test.txt', topic: 'connect-test-dist' } });
    expect(source.status).toBe(201);
    expect(source.text).toBe('{"name":"local-file-source","config":{"connector.class":"FileStreamSource","tasks.max":"1","file":"test.txt","topic":"connect-test-dist","name":"local-file-source"},"tasks":[{"connector":"local-file-source","task":0}],"type":"source"}');
    // two sink tasks (consumers of one group): whichever holds the partition writes the file
    const sink = await rest(w2.port, 'POST', '/connectors', { name: 'local-file-sink', config: { 'connector.class': 'FileStreamSink', 'tasks.max': '2', file: 'test.sink.txt', topics: 'connect-test-dist' } });
    expect(sink.status).toBe(201);
    // a config written through one worker is seen by the other
    expect(await rest(w1.port, 'POST', '/connectors', { name: 'local-file-sink', config: { 'connector.class': 'FileStreamSink', topics: 'connect-test-dist' } }))
      .toEqual({ status: 409, text: '{"error_code":409,"message":"Connector local-file-sink already exists"}' });
    // read back from connect-configs, configs list in Java HashMap order: the bytes Kafka 2.4.1 answered
    expect((await rest(w2.port, 'GET', '/connectors/local-file-source/tasks')).text).toBe('[{"id":{"connector":"local-file-source","task":0},"config":{"file":"test.txt","task.class":"org.apache.kafka.connect.file.FileStreamSourceTask","batch.size":"2000","topic":"connect-test-dist"}}]');
    expect((await rest(w2.port, 'GET', '/connectors/local-file-source/config')).text).toBe('{"connector.class":"FileStreamSource","file":"test.txt","tasks.max":"1","name":"local-file-source","topic":"connect-test-dist"}');

    await eventually('foo and bar in the sink', () => read(sinkFile()) === 'foo\nbar\n', () => w1.output() + w2.output());

    // each connector and task RUNNING, on one of the two workers, as both workers report it
    const ids = [`127.0.0.1:${w1.port}`, `127.0.0.1:${w2.port}`];
    await eventually('every unit RUNNING', async () => {
      statuses = JSON.parse((await rest(w2.port, 'GET', '/connectors?expand=status')).text);
      const taskCounts: Record<string, number> = { 'local-file-source': 1, 'local-file-sink': 2 };
      return Object.keys(statuses).length === 2 && Object.entries(statuses).every(([name, s]) => s.status?.connector.state === 'RUNNING' && s.status.tasks.length === taskCounts[name] && s.status.tasks.every((t) => t.state === 'RUNNING'));
    });
    expect((await rest(w1.port, 'GET', '/connectors?expand=status')).text).toBe(JSON.stringify(statuses));
    const owners = Object.values(statuses).flatMap((s) => [s.status.connector.worker_id, ...s.status.tasks.map((t) => t.worker_id)]);
    for (const owner of owners) expect(ids).toContain(owner);
    // round-robin: connectors, then tasks, dealt in turn, so both workers have work
    expect(new Set(owners).size).toBe(2);
  });

  it('moves the work of a worker killed with SIGKILL to the survivor: every line reaches the sink once, in order', async () => {
    const sourceOwner = statuses['local-file-source'].status.tasks[0].worker_id;

    // Kill -9 the worker running the source (and a sink task), once the source's position is committed to connect-offsets.
    const victim = sourceOwner === `127.0.0.1:${w1.port}` ? w1 : w2;
    const survivor = victim === w1 ? w2 : w1;
    await eventually('the source position after foo and bar in connect-offsets', async () =>
      (await rest(victim.port, 'GET', '/connectors/local-file-source/offsets')).text === '{"offsets":[{"partition":{"filename":"test.txt"},"offset":{"position":8}}]}');
    victim.process.kill('SIGKILL');
    await victim.exited;
    fs.appendFileSync(path.join(dir, 'test.txt'), 'after failover\n');
    await eventually('the line appended after the kill in the sink', () => read(sinkFile()).includes('after failover'), () => survivor.output());
    expect(survivor.output()).toMatch(/Attempt to heartbeat failed since group is rebalancing/);
    fs.appendFileSync(path.join(dir, 'test.txt'), 'one more\n');
    await eventually('one more line in the sink', () => read(sinkFile()).includes('one more'), () => survivor.output());
    expect(read(sinkFile())).toBe('foo\nbar\nafter failover\none more\n');

    const after = JSON.parse((await rest(survivor.port, 'GET', '/connectors?expand=status')).text) as typeof statuses;
    for (const s of Object.values(after)) {
      expect(s.status.connector).toEqual({ state: 'RUNNING', worker_id: `127.0.0.1:${survivor.port}` });
      for (const t of s.status.tasks) expect(t).toMatchObject({ state: 'RUNNING', worker_id: `127.0.0.1:${survivor.port}` });
    }
    // the source's position as committed to connect-offsets, seen through either worker's REST API (KIP-875)
    await eventually('the source position after every line in connect-offsets', async () =>
      (await rest(survivor.port, 'GET', '/connectors/local-file-source/offsets')).text === '{"offsets":[{"partition":{"filename":"test.txt"},"offset":{"position":32}}]}');
    const topic = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'connect-test-dist', '--from-beginning', '--timeout-ms', '3000']);
    expect(topic.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).payload)).toEqual(['foo', 'bar', 'after failover', 'one more']);
  });

  it('deletes a connector through the survivor and stops on SIGTERM', async () => {
    const survivor = [w1, w2].find((w) => w.process.exitCode === null && w.process.signalCode === null) as WorkerProcess;

    expect(await rest(survivor.port, 'DELETE', '/connectors/local-file-sink')).toEqual({ status: 204, text: '' });
    expect(await rest(survivor.port, 'GET', '/connectors/local-file-sink/status')).toEqual({ status: 404, text: '{"error_code":404,"message":"No status found for connector local-file-sink"}' });
    survivor.process.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
  });
});
