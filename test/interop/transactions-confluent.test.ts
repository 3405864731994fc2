/**
 * librdkafka transactions (confluent-kafka-python, Debian's python3-confluent-kafka)
 * against an in-process broker: a transactional producer commits one batch and aborts
 * another; a read_committed consumer sees only the committed one, read_uncommitted
 * both; while the second transaction is open the LSO stays behind it. Skipped, with the
 * reason printed, when the Python client is not installed.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WireClient } from '../broker/fetch-wire.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { recordSkip } from '../helpers/skips.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'txn_confluent.py');
// Checked once at load, before any broker runs (so the sync call blocks nothing).
const probe = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { encoding: 'utf8' });
const available = probe.status === 0;
if (!available) {
  recordSkip({ suite: 'confluent-kafka-python transactions interop', reason: `${PYTHON} cannot import confluent_kafka`, package: 'python3-confluent-kafka', install: 'apt-get install python3-confluent-kafka' });
}

const TXN_RAW = { 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1', 'transaction.state.log.num.partitions': '5' };

let broker: TestBroker | undefined;
let wire: WireClient | undefined;
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  wire?.close();
  wire = undefined;
  await broker?.close();
  broker = undefined;
});

/** Runs the script asynchronously; `next()` resolves with each JSON line it prints. */
function run(...args: string[]) {
  const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((line: Record<string, unknown>) => void)[] = [];
  lines.on('line', (line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter(parsed);
    else queue.push(parsed);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    next(timeoutMs = 30_000): Promise<Record<string, unknown>> {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output from ${args[0]} in time; stderr: ${stderr}`)), timeoutMs);
        waiters.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
        void exited.then((code) => reject(new Error(`${args[0]} exited with ${code}; stderr: ${stderr}`)));
      });
    },
    exited,
  };
}

async function listLatest(client: WireClient, topic: string, readCommitted: boolean): Promise<number> {
  const res = await client.send(2, 5, {
    replicaId: -1,
    isolationLevel: readCommitted ? 1 : 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
  });
  return Number(res.topics[0].partitions[0].offset);
}

describe.skipIf(!available)('confluent-kafka-python (librdkafka) transactions', () => {
  it('commits one batch and aborts another; read_committed sees only the committed one', async () => {
    broker = await startTestBroker({ raw: TXN_RAW });
    wire = await WireClient.connect(broker.port);
    await wire.createTopic('txn-py', 1);

    const producer = run('txn', broker.bootstrap, 'txn-py', 'py-txn-1');
    expect(await producer.next()).toEqual({ committed: 3 });
    expect(await producer.next()).toEqual({ open: true });
    // committed records 0-2, COMMIT marker 3, open transaction from 4: the LSO stays at 4
    expect(await listLatest(wire, 'txn-py', false)).toBe(7);
    expect(await listLatest(wire, 'txn-py', true)).toBe(4);
    const whileOpen = run('consume', broker.bootstrap, 'txn-py', 'read_committed');
    expect(await whileOpen.next()).toEqual({ values: ['committed-0', 'committed-1', 'committed-2'] });

    producer.child.stdin.write('abort\n');
    expect(await producer.next()).toEqual({ aborted: 3 });
    expect(await producer.exited).toBe(0);
    expect(await listLatest(wire, 'txn-py', true)).toBe(8);

    const committed = run('consume', broker.bootstrap, 'txn-py', 'read_committed');
    expect(await committed.next()).toEqual({ values: ['committed-0', 'committed-1', 'committed-2'] });
    const uncommitted = run('consume', broker.bootstrap, 'txn-py', 'read_uncommitted');
    expect(await uncommitted.next()).toEqual({
      values: ['committed-0', 'committed-1', 'committed-2', 'aborted-0', 'aborted-1', 'aborted-2'],
    });
  }, 90_000);
});
