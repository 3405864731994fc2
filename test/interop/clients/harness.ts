/**
 * Shared plumbing for the third-party client interop suites: runs the helper
 * programs in this folder (Python scripts, the sarama Go program) as child
 * processes that print one JSON object per line, produces and reads back with
 * kafkajs as the "other" client, and restarts an in-process broker on the same
 * port so external clients keep their bootstrap address.
 *
 * Every child is spawned asynchronously: the broker under test runs in this
 * process, so a synchronous spawn would block its event loop.
 */
import { execFile, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { registerCompressionCodecs } from '../../../src/cli/codecs.js';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
registerCompressionCodecs();

/** One line a helper program printed. */
export type ClientLine = Record<string, unknown>;

/** A record as every helper program prints it (key, value and header values as UTF-8). */
export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** The records a test writes: a key, a value and two headers, all derived from `prefix` and the index. */
export function expectedRecords(prefix: string, count: number): { key: string; value: string; headers: Record<string, string> }[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}-k${i}`,
    value: `${prefix}-v${i}`,
    headers: { h: `${prefix}-h${i}`, n: String(i) },
  }));
}

/** The `{key,value,headers}` view of consumed records, sorted by value for order-free comparison. */
export function contentOf(records: { key: string | null; value: string | null; headers: Record<string, string> }[]): { key: string | null; value: string | null; headers: Record<string, string> }[] {
  return records
    .map((r) => ({ key: r.key, value: r.value, headers: r.headers }))
    .sort((a, b) => String(a.value).localeCompare(String(b.value)));
}

export function sortedByValue<T extends { value: string | null }>(records: T[]): T[] {
  return [...records].sort((a, b) => String(a.value).localeCompare(String(b.value)));
}

export function commandWorks(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

function parseLines(stdout: string): ClientLine[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ClientLine);
}

/** Runs a helper to completion and returns the JSON lines it printed; rejects on a non-zero exit. */
export function runClient(cmd: string, args: string[], timeoutMs = 30_000): Promise<ClientLine[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`));
      else resolve(parseLines(stdout));
    });
    child.stdin?.end();
  });
}

export function recordsOf(lines: ClientLine[]): ConsumedRecord[] {
  return lines.filter((l) => l.record !== undefined).map((l) => l.record as ConsumedRecord);
}

/**
 * A long-running helper (a group member). It runs until its stdin closes,
 * then leaves cleanly (committing, closing) and exits.
 */
export class ClientProcess {
  readonly lines: ClientLine[] = [];
  private stderr = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;

  /**
   * `parseLine` turns a raw output line (stdout or stderr) into a JSON line, for programs that
   * do not print JSON themselves (kcat); by default only stdout lines starting with `{` count.
   */
  constructor(cmd: string, args: string[], parseLine?: (line: string) => ClientLine | undefined) {
    this.child = spawn(cmd, args, { stdio: 'pipe' });
    const splitter = (onLine: (line: string) => void) => {
      let partial = '';
      return (d: Buffer) => {
        partial += d.toString('utf8');
        const parts = partial.split('\n');
        partial = parts.pop() ?? '';
        parts.forEach(onLine);
      };
    };
    const custom = (line: string) => {
      const parsed = parseLine?.(line);
      if (parsed) this.lines.push(parsed);
    };
    this.child.stdout.on('data', splitter(parseLine ? custom : (line) => this.lines.push(...parseLines(line))));
    this.child.stderr.on('data', splitter((line) => {
      this.stderr = (this.stderr + line + '\n').slice(-8000);
      if (parseLine) custom(line);
    }));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  records(): ConsumedRecord[] {
    return recordsOf(this.lines);
  }

  /** The partitions of the most recent `{"assigned": [...]}` line, or undefined before the first. */
  assignment(): number[] | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const a = this.lines[i]!.assigned;
      if (a !== undefined) return [...(a as number[])].sort((x, y) => x - y);
    }
    return undefined;
  }

  async waitFor(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`timed out waiting for ${what}; exit=${this.child.exitCode}\nlines: ${JSON.stringify(this.lines.slice(-10))}\nstderr: ${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Closes stdin (the helpers' signal to commit, leave and exit), or sends `signal` to programs
   * that stop on one (kcat: SIGINT), and waits for a clean exit.
   */
  async stop(signal?: NodeJS.Signals, timeoutMs = 20_000): Promise<number | null> {
    if (signal) this.child.kill(signal);
    else this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`client exited with ${code}\nstderr: ${this.stderr}`);
    return code;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Waits until every member has an assignment, the assignments are disjoint and together cover `partitions`. */
export async function waitForSplit(members: ClientProcess[], partitions: number, timeoutMs = 40_000): Promise<number[][]> {
  const all = Array.from({ length: partitions }, (_, i) => i);
  const split = (): boolean => {
    const assigned = members.map((m) => m.assignment());
    if (assigned.some((a) => a === undefined || a.length === 0)) return false;
    const union = assigned.flatMap((a) => a!).sort((x, y) => x - y);
    return JSON.stringify(union) === JSON.stringify(all);
  };
  await members[0]!.waitFor(`a ${members.length}-way split of ${partitions} partitions`, split, timeoutMs);
  return members.map((m) => m.assignment()!);
}

export function kafkajsClient(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'interop-verifier', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

export async function createTopic(bootstrap: string, topic: string, numPartitions: number): Promise<void> {
  const admin = kafkajsClient(bootstrap).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

const kafkajsCodecs: Record<string, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** kafkajs writes the expectedRecords(prefix, count) in one batch per partition with the given codec. */
export async function produceWithKafkajs(bootstrap: string, topic: string, codec: string, prefix: string, count: number): Promise<void> {
  const producer = kafkajsClient(bootstrap).producer();
  await producer.connect();
  try {
    await producer.send({ topic, compression: kafkajsCodecs[codec], messages: expectedRecords(prefix, count) });
  } finally {
    await producer.disconnect();
  }
}

/** kafkajs reads `count` records of `topic` from the beginning without a group commit (a throwaway group). */
export async function consumeWithKafkajs(bootstrap: string, topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const consumer = kafkajsClient(bootstrap).consumer({ groupId: `verifier-${topic}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  const seen: ConsumedRecord[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs read ${seen.length} of ${count} records of ${topic}`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          seen.push({ partition, offset: Number(message.offset), key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? null, headers });
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** Committed offsets of a group, by partition, read with kafkajs' admin client. */
export async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<Record<number, number>> {
  const admin = kafkajsClient(bootstrap).admin();
  await admin.connect();
  try {
    const res = await admin.fetchOffsets({ groupId, topics: [topic] });
    const out: Record<number, number> = {};
    for (const p of res[0]!.partitions) out[p.partition] = Number(p.offset);
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Stops the broker and starts a new one over the same log dir and on the same port. */
export async function restartBroker(broker: TestBroker): Promise<TestBroker> {
  await broker.close();
  return startTestBroker({ logDirs: [broker.logDir], listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: broker.port }] });
}

/**
 * The second half of every client's group test: restart the broker on the same log
 * dir, produce 12 new records ('second'), and run one fresh member of the group until
 * it has read them (plus a moment for anything older to trickle in, which it must not).
 * The caller asserts on the member's records and assignment.
 */
export async function resumeAfterRestart(
  broker: TestBroker,
  topic: string,
  startMember: (bootstrap: string) => ClientProcess,
  stopSignal?: NodeJS.Signals,
): Promise<{ broker: TestBroker; member: ClientProcess }> {
  const restarted = await restartBroker(broker);
  await produceWithKafkajs(restarted.bootstrap, topic, 'none', 'second', 12);
  const member = startMember(restarted.bootstrap);
  try {
    await member.waitFor('the 12 new records', () => member.records().length >= 12);
    await new Promise((r) => setTimeout(r, 300));
    await member.stop(stopSignal);
  } finally {
    member.kill();
  }
  return { broker: restarted, member };
}

/**
 * Setup shared by the clients' ListOffsets tests: a 1-partition topic with 10 records
 * ('off'), then the client's `offsets <bootstrap> <topic> 0 7` run (earliest, latest,
 * by time, then a seek to offset 7).
 */
export async function offsetsAndSeek(bootstrap: string, topic: string, run: (args: string[]) => Promise<ClientLine[]>): Promise<ClientLine[]> {
  await createTopic(bootstrap, topic, 1);
  await produceWithKafkajs(bootstrap, topic, 'none', 'off', 10);
  return run(['offsets', bootstrap, topic, '0', '7']);
}
