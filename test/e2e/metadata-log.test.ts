/**
 * The metadata log end to end (issue 8, "Done when" 4): bin/kafka-server-start with a
 * separate metadata.log.dir and small metadata.log.max.record.bytes.between.snapshots /
 * metadata.log.segment.bytes; topics, partitions and configs changed with kafka-topics
 * and kafka-configs, a topic deleted; after a graceful stop and after kill -9 the broker
 * describes exactly the same topics (ids, partitions, leaders, configs), rebuilt from a
 * snapshot plus the records after it, which kafka-dump-log --cluster-metadata-decoder reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, requireBuiltBroker, freePort, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

let base: string;
let propsFile: string;
let bootstrap: string;
let runDir: string;
let dataDir: string;
let metadataDir: string;

interface Broker {
  child: ChildProcess;
  output: () => string;
}

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

async function topics(...args: string[]): Promise<string> {
  const result = await runCli('kafka-topics', ['--bootstrap-server', bootstrap, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const metadataLogDir = () => path.join(metadataDir, '__cluster_metadata-0');

describe('cluster metadata survives restarts through the metadata log', () => {
  beforeAll(async () => {
    base = tempDir('kafka-ts-metadata-log');
    runDir = path.join(base, 'run');
    dataDir = path.join(base, 'data');
    metadataDir = path.join(base, 'metadata');
    const port = await freePort();
    bootstrap = `127.0.0.1:${port}`;
    propsFile = path.join(base, 'server.properties');
    fs.writeFileSync(
      propsFile,
      [
        'broker.id=0',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        `log.dirs=${dataDir}`,
        `metadata.log.dir=${metadataDir}`,
        'metadata.log.max.record.bytes.between.snapshots=2048',
        'metadata.log.segment.bytes=1024',
        'offsets.topic.num.partitions=3',
      ].join('\n') + '\n',
    );
  });
  afterAll(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('describes the same topics after SIGTERM and kill -9, from a snapshot plus later records', async () => {
    let broker = await startBroker();
    await topics('--create', '--topic', 'orders', '--partitions', '2', '--config', 'retention.ms=86400000');
    await topics('--alter', '--topic', 'orders', '--partitions', '4');
    const configured = await runCli('kafka-configs', ['--bootstrap-server', bootstrap, '--alter', '--entity-type', 'topics', '--entity-name', 'orders', '--add-config', 'cleanup.policy=compact']);
    expect(configured.stdout).toBe('Completed updating config for topic orders.\n');
    await topics('--create', '--topic', 'gone', '--partitions', '3');
    await topics('--delete', '--topic', 'gone');
    // enough records for a few snapshots and segments
    for (let i = 0; i < 8; i++) await topics('--create', '--topic', `filler-${i}`, '--partitions', '3');
    const before = await topics('--describe');
    expect(before).toContain('Topic: orders\tTopicId: ');
    expect(before).toMatch(/Topic: orders\tTopicId: \S+\tPartitionCount: 4\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=86400000\n/);
    expect(before).not.toContain('Topic: gone');
    expect(await stop(broker, 'SIGTERM')).toBe(0);

    // metadata.log.dir holds the log and its snapshot; the data dir no JSON file
    const files = fs.readdirSync(metadataLogDir());
    const checkpoints = files.filter((f) => f.endsWith('.checkpoint'));
    expect(checkpoints).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.log')).every((f) => f !== '00000000000000000000.log')).toBe(true);
    expect(fs.existsSync(path.join(dataDir, '__cluster_metadata.json'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, '__cluster_metadata-0'))).toBe(false);
    const dumped = await runCli('kafka-dump-log', ['--cluster-metadata-decoder', '--files', path.join(metadataLogDir(), checkpoints[0]!)]);
    expect(dumped.code).toBe(0);
    expect(dumped.stdout).toContain('"type":"TOPIC_RECORD","version":0,"data":{"name":"orders"');

    broker = await startBroker();
    expect(await topics('--describe')).toBe(before);
    await topics('--create', '--topic', 'late', '--partitions', '2');
    const withLate = await topics('--describe');
    expect(await stop(broker, 'SIGKILL')).toBe(null);

    broker = await startBroker();
    expect(await topics('--describe')).toBe(withLate);
    expect(await stop(broker, 'SIGTERM')).toBe(0);
  });
});
