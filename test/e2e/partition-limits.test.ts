/**
 * Issue 7, item 10, as a user meets it: `kafka-topics --create --partitions 100000` against
 * bin/kafka-server-start.sh is refused with one line naming max.broker.partitions, leaves
 * nothing behind, and the broker goes on serving topics and groups. On a machine with few
 * descriptors (`ulimit -n 400`), a topic with more partition files than that is created,
 * written, read by a group, and survives a restart: segment and index files take
 * descriptors from a bounded pool, so idle partitions hold none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, requireBuiltBroker, freePort, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();
const hasProc = fs.existsSync('/proc/self/fd');

const FD_LIMIT = 400;

interface Broker {
  child: ChildProcess;
  output: () => string;
}

let base: string;
let dataDir: string;
let propsFile: string;
let bootstrap: string;

/** bin/kafka-server-start.sh under `ulimit -n FD_LIMIT` (soft and hard, so Node cannot raise it). */
function startBroker(): Promise<Broker> {
  const child = spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, path.join(BIN_DIR, 'kafka-server-start.sh'), propsFile], {
    env: { ...process.env, KAFKA_TS_RUN_DIR: path.join(base, 'run'), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${output}`)), 60_000);
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

function stop(broker: Broker): Promise<number | null> {
  return new Promise((resolve) => {
    broker.child.once('exit', (code) => resolve(code));
    broker.child.kill('SIGTERM');
  });
}

/** Descriptors the broker process holds on files under the data dir. */
function dataFds(broker: Broker): number {
  const dir = `/proc/${broker.child.pid}/fd`;
  let n = 0;
  for (const fd of fs.readdirSync(dir)) {
    try {
      if (fs.readlinkSync(path.join(dir, fd)).startsWith(dataDir)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const topics = (...args: string[]) => runCli('kafka-topics', ['--bootstrap-server', bootstrap, ...args], { timeoutMs: 120_000 });
const dirsOf = (topic: string) => fs.readdirSync(dataDir).filter((d) => d.startsWith(`${topic}-`));

describe.skipIf(!hasProc)('partition limits and file descriptors (real broker)', () => {
  beforeAll(async () => {
    base = tempDir('kafka-ts-partition-limits');
    dataDir = path.join(base, 'data');
    const port = await freePort();
    bootstrap = `127.0.0.1:${port}`;
    propsFile = path.join(base, 'server.properties');
    fs.writeFileSync(
      propsFile,
      [`listeners=PLAINTEXT://127.0.0.1:${port}`, `log.dirs=${dataDir}`, 'offsets.topic.num.partitions=3', 'group.initial.rebalance.delay.ms=0'].join('\n') + '\n',
    );
  });
  afterAll(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('refuses 100000 partitions cleanly, and holds more partitions than its fd limit across a restart', async () => {
    let broker = await startBroker();

    const huge = await topics('--create', '--topic', 'huge', '--partitions', '100000', '--replication-factor', '1');
    expect(huge.code).toBe(1);
    expect(huge.stdout).toBe(
      'Error while executing topic command : Creating topic huge with 100000 partition(s) would give broker 0 100000 partition replicas, more than max.broker.partitions=10000 allows (0 hosted now). Use fewer partitions, delete unused topics, or raise max.broker.partitions in server.properties.\n',
    );
    expect(dirsOf('huge')).toEqual([]);

    // 500 partitions = 1500 segment/index files, beyond `ulimit -n 400`
    const wide = await topics('--create', '--topic', 'wide', '--partitions', '500', '--replication-factor', '1');
    expect(wide.stdout).toBe('Created topic wide.\n');
    expect(dirsOf('wide')).toHaveLength(500);
    expect(dataFds(broker)).toBeLessThanOrEqual(FD_LIMIT / 2 + 5); // the pool's half of the limit, + lock and checkpoints

    // the broker still serves: a new topic, a record per key to many of wide's partitions, a group (__consumer_offsets)
    expect((await topics('--create', '--topic', 'fresh')).stdout).toBe('Created topic fresh.\n');
    const grow = await topics('--alter', '--topic', 'fresh', '--partitions', '100000');
    expect(grow.code).toBe(1);
    expect(grow.stdout).toContain('Adding 99999 partition(s) to fresh would give broker 0 ');
    expect(grow.stdout).toContain('more than max.broker.partitions=10000 allows');
    expect(dirsOf('fresh')).toEqual(['fresh-0']);
    const keyed = Array.from({ length: 300 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', bootstrap, '--topic', 'wide', '--property', 'parse.key=true', '--property', 'key.separator=:'], { input: keyed });
    expect(produced.code).toBe(0);
    const consumed = await runCli(
      'kafka-console-consumer',
      ['--bootstrap-server', bootstrap, '--topic', 'wide', '--group', 'g1', '--from-beginning', '--max-messages', '300', '--timeout-ms', '30000'],
      { timeoutMs: 90_000 },
    );
    expect(consumed.stdout.trimEnd().split('\n').sort()).toEqual(Array.from({ length: 300 }, (_, i) => `v${i}`).sort());
    const listed = (await topics('--list')).stdout.split('\n');
    expect(listed).toEqual(expect.arrayContaining(['__consumer_offsets', 'fresh', 'wide']));
    expect(listed).not.toContain('huge');
    expect(dataFds(broker)).toBeLessThanOrEqual(FD_LIMIT / 2 + 5);

    expect(await stop(broker)).toBe(0);
    broker = await startBroker(); // opens 503 logs under the same limit
    expect(dataFds(broker)).toBeLessThanOrEqual(FD_LIMIT / 2 + 5);
    expect((await topics('--describe', '--topic', 'wide')).stdout).toMatch(/PartitionCount: 500\t/);
    const again = await runCli(
      'kafka-console-consumer',
      ['--bootstrap-server', bootstrap, '--topic', 'wide', '--from-beginning', '--max-messages', '300', '--timeout-ms', '30000'],
      { timeoutMs: 90_000 },
    );
    expect(again.stdout.trimEnd().split('\n')).toHaveLength(300);
    expect(dirsOf('huge')).toEqual([]);
    expect(await stop(broker)).toBe(0);
  }, 300_000);
});
