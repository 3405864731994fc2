/**
 * End-to-end: kafka-verifiable-producer and kafka-verifiable-consumer (bin/*.sh) against
 * a broker started by bin/kafka-server-start.sh, read as Kafka's system tests read them:
 * every acknowledged (partition, offset) is consumed exactly once by the group, the
 * committed offsets are where consumption ended, and SIGTERM ends both tools with
 * shutdown_complete and exit 0.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, requireBuiltBroker, runCli, startTestBroker, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

interface Event {
  timestamp: number;
  name: string;
  [field: string]: unknown;
}

function events(stdout: string): Event[] {
  return stdout.trimEnd().split('\n').filter((l) => l.length > 0).map((line) => JSON.parse(line) as Event);
}

/** Starts a tool and resolves once `ready` matches a line of its stdout. */
function startTool(command: string, args: string[], ready: (line: string) => boolean): { child: ChildProcessWithoutNullStreams; output: () => string; ready: Promise<void>; exit: Promise<number | null> } {
  const child = spawn(path.join(BIN_DIR, `${command}.sh`), args, { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let resolveReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => { resolveReady = resolve; });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.split('\n').some(ready)) resolveReady();
  });
  child.stderr.on('data', () => undefined);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => stdout, ready: readyPromise, exit };
}

describe('verifiable producer and consumer against a real broker', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker();
    const created = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'vt', '--partitions', '3']);
    expect(created.code).toBe(0);
  });
  afterAll(async () => {
    expect(await broker?.stop()).toBe(0);
  });

  const acked = new Map<string, string>(); // "partition:offset" → value

  it('the producer acknowledges every value with its partition and offset', async () => {
    const result = await runCli('kafka-verifiable-producer', ['--topic', 'vt', '--max-messages', '300', '--bootstrap-server', broker.bootstrap, '--repeating-keys', '7', '--value-prefix', '3'], { timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    const list = events(result.stdout);
    expect(list[0].name).toBe('startup_complete');
    expect(list.slice(-2).map((e) => e.name)).toEqual(['shutdown_complete', 'tool_data']);
    const successes = list.filter((e) => e.name === 'producer_send_success');
    expect(successes).toHaveLength(300);
    expect(list.slice(-1)[0]).toMatchObject({ sent: 300, acked: 300, target_throughput: -1 });
    for (const e of successes) {
      expect(Object.keys(e)).toEqual(['timestamp', 'name', 'key', 'value', 'offset', 'topic', 'partition']);
      expect(e.topic).toBe('vt');
      acked.set(`${e.partition}:${e.offset}`, e.value as string);
    }
    expect(acked.size).toBe(300); // no two values acknowledged at the same offset
    expect(new Set(acked.values()).size).toBe(300);
    expect([...acked.values()].sort()).toEqual(Array.from({ length: 300 }, (_, i) => `3.${i}`).sort());
    // each partition's offsets are 0..n-1 with no gap, and the log ends there
    const offsets = await runCli('kafka-get-offsets', ['--bootstrap-server', broker.bootstrap, '--topic', 'vt']);
    for (const line of offsets.stdout.trimEnd().split('\n')) {
      const [, partition, end] = line.split(':').map(Number);
      const mine = successes.filter((e) => e.partition === partition).map((e) => Number(e.offset)).sort((a, b) => a - b);
      expect(mine).toEqual(Array.from({ length: end }, (_, i) => i));
    }
  });

  it('the consumer group consumes every acknowledged offset exactly once and commits where it ended', async () => {
    expect(acked.size).toBe(300);
    const result = await runCli('kafka-verifiable-consumer', ['--group-id', 'vg', '--topic', 'vt', '--max-messages', '300', '--bootstrap-server', broker.bootstrap, '--verbose'], { timeoutMs: 40_000 });
    expect(result.code).toBe(0);
    const list = events(result.stdout);
    expect(list[0].name).toBe('startup_complete');
    expect(list[list.length - 1].name).toBe('shutdown_complete');
    const assigned = list.filter((e) => e.name === 'partitions_assigned').flatMap((e) => e.partitions as Array<{ partition: number }>).map((p) => p.partition);
    expect(assigned.sort()).toEqual([0, 1, 2]);
    const seen = new Map<string, number>();
    let consumed = 0;
    for (const e of list.filter((x) => x.name === 'records_consumed')) {
      for (const p of e.partitions as Array<{ topic: string; partition: number; count: number; minOffset: number; maxOffset: number }>) {
        expect(p.maxOffset - p.minOffset + 1).toBe(p.count);
        consumed += p.count;
        for (let o = p.minOffset; o <= p.maxOffset; o++) seen.set(`${p.partition}:${o}`, (seen.get(`${p.partition}:${o}`) ?? 0) + 1);
      }
    }
    expect(consumed).toBe(300);
    expect([...seen.keys()].sort()).toEqual([...acked.keys()].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // record_data values are what the producer acknowledged at that offset
    for (const e of list.filter((x) => x.name === 'record_data')) expect(e.value).toBe(acked.get(`${e.partition}:${e.offset}`));
    // the last commit per partition is one past the last consumed offset
    const committed = new Map<number, number>();
    for (const e of list.filter((x) => x.name === 'offsets_committed')) {
      expect(e.success).toBe(true);
      for (const o of e.offsets as Array<{ partition: number; offset: number }>) committed.set(o.partition, o.offset);
    }
    for (const [partition, offset] of committed) {
      const max = Math.max(...[...acked.keys()].filter((k) => k.startsWith(`${partition}:`)).map((k) => Number(k.split(':')[1])));
      expect(offset).toBe(max + 1);
    }
    const describe = await runCli('kafka-consumer-groups', ['--bootstrap-server', broker.bootstrap, '--describe', '--group', 'vg']);
    const lags = describe.stdout.split('\n').filter((l) => /^vg\s+vt\s/.test(l)).map((l) => l.trim().split(/\s+/)[5]);
    expect(lags).toEqual(['0', '0', '0']);
  });

  it('--message-create-time sets the records\' CreateTime (the first exactly, later ones after it)', async () => {
    const result = await runCli('kafka-verifiable-producer', ['--topic', 'vt-time', '--max-messages', '3', '--bootstrap-server', broker.bootstrap, '--message-create-time', '1000000000000'], { timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'vt-time', '--from-beginning', '--max-messages', '3', '--property', 'print.timestamp=true'], { timeoutMs: 30_000 });
    const stamps = consumed.stdout.trimEnd().split('\n').map((line) => /^CreateTime:(\d+)\t(\d+)$/.exec(line)!).sort((a, b) => Number(a[2]) - Number(b[2]));
    expect(stamps.map((m) => m[2])).toEqual(['0', '1', '2']);
    expect(stamps[0][1]).toBe('1000000000000');
    for (const m of stamps) expect(Number(m[1])).toBeGreaterThanOrEqual(1000000000000);
  });

  it('SIGTERM ends the producer with shutdown_complete, tool_data and exit 0', async () => {
    const tool = startTool('kafka-verifiable-producer', ['--topic', 'vt', '--bootstrap-server', broker.bootstrap, '--throughput', '50'], (line) => line.includes('"producer_send_success"'));
    await tool.ready;
    tool.child.kill('SIGTERM');
    expect(await tool.exit).toBe(0);
    const list = events(tool.output());
    expect(list.slice(-2).map((e) => e.name)).toEqual(['shutdown_complete', 'tool_data']);
    const successes = list.filter((e) => e.name === 'producer_send_success').length;
    expect(list[list.length - 1]).toMatchObject({ acked: successes, target_throughput: 50 });
    expect(list[list.length - 1].sent).toBeGreaterThanOrEqual(successes);
  });

  it('a second member makes the group rebalance: revoked, then the partitions split between the two (RangeAssignor)', async () => {
    const lastAssignment = (stdout: string): number[] | undefined => {
      const assigned = events(stdout).filter((e) => e.name === 'partitions_assigned');
      return assigned.length === 0 ? undefined : (assigned[assigned.length - 1].partitions as Array<{ partition: number }>).map((p) => p.partition);
    };
    const args = ['--group-id', 'vg-rebalance', '--topic', 'vt', '--bootstrap-server', broker.bootstrap, '--session-timeout', '10000'];
    const first = startTool('kafka-verifiable-consumer', args, (line) => line.includes('"partitions_assigned"'));
    await first.ready;
    expect(lastAssignment(first.output())).toEqual([0, 1, 2]);
    const second = startTool('kafka-verifiable-consumer', args, (line) => /"partitions_assigned","partitions":\[\{/.test(line));
    await second.ready;
    // the first member gives its partitions up before taking its share
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(events(first.output()).some((e) => e.name === 'partitions_revoked') && lastAssignment(first.output())?.length !== 3)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const names = events(first.output()).map((e) => e.name).filter((n) => n.startsWith('partitions_'));
    expect(names.slice(0, 3)).toEqual(['partitions_assigned', 'partitions_revoked', 'partitions_assigned']);
    const mine = lastAssignment(first.output())!;
    const theirs = lastAssignment(second.output())!;
    expect([...mine, ...theirs].sort()).toEqual([0, 1, 2]);
    // range over sorted member ids: one member gets two partitions, the other one
    expect([mine.length, theirs.length].sort()).toEqual([1, 2]);
    second.child.kill('SIGTERM');
    first.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    expect(await first.exit).toBe(0);
    expect(events(first.output()).pop()?.name).toBe('shutdown_complete');
    expect(events(second.output()).pop()?.name).toBe('shutdown_complete');
  }, 60_000);

  it('SIGTERM ends the consumer with partitions_revoked, shutdown_complete and exit 0', async () => {
    const tool = startTool('kafka-verifiable-consumer', ['--group-id', 'vg2', '--topic', 'vt', '--broker-list', broker.bootstrap], (line) => line.includes('"records_consumed"'));
    await tool.ready;
    tool.child.kill('SIGTERM');
    expect(await tool.exit).toBe(0);
    const names = events(tool.output()).map((e) => e.name);
    expect(names[0]).toBe('startup_complete');
    expect(names.slice(-2)).toEqual(['partitions_revoked', 'shutdown_complete']);
  });
});
