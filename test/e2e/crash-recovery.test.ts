/**
 * Crash tests with the real bin/kafka-server-start.sh (log.flush.interval.messages=1):
 * kill -9 during continuous acks=1 produce (kafkajs in this process, broker a child
 * process), a segment truncated mid-batch, a flipped byte in the last batch, a deleted
 * .index. After each restart the log ends at a whole batch (checked on the files) and
 * consuming returns every acknowledged record. Also: a corrupt batch in the middle of
 * one partition refuses that partition with KAFKA_STORAGE_ERROR while another works.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iterateBatches } from '../../src/protocol/records/batch.js';
import { BIN_DIR, requireBuiltBroker, freePort, runCli, tempDir } from '../helpers/cli.js';

const { Kafka, logLevel } = kafkajs;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

await requireBuiltBroker();

const SEGMENT = '00000000000000000000';

/** A broker process on a fixed log dir and port, restartable after kill -9. */
class BrokerProcess {
  child: ChildProcess | null = null;
  output = '';
  constructor(readonly base: string, readonly port: number) {
    const props = {
      'broker.id': '0',
      listeners: `PLAINTEXT://127.0.0.1:${port}`,
      'log.dirs': this.logDir,
      'num.partitions': '1',
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '1',
      'group.initial.rebalance.delay.ms': '0',
      'log.flush.interval.messages': '1',
    };
    fs.writeFileSync(path.join(base, 'server.properties'), Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  }
  get logDir(): string {
    return path.join(this.base, 'data');
  }
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }
  segmentFile(topic: string, suffix = '.log', partition = 0): string {
    return path.join(this.logDir, `${topic}-${partition}`, SEGMENT + suffix);
  }
  async start(): Promise<void> {
    this.output = '';
    const child = spawn(path.join(BIN_DIR, 'kafka-server-start.sh'), [path.join(this.base, 'server.properties')], {
      env: { ...process.env, KAFKA_TS_RUN_DIR: path.join(this.base, 'run'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (c: Buffer) => { this.output += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { this.output += c.toString(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`broker did not start:\n${this.output}`)), 20_000);
      const check = (): void => {
        if (/started; listening on/.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`broker exited (${code}) during startup:\n${this.output}`));
      });
    });
  }
  /** kill -9: no shutdown hooks, no clean-shutdown marker, no final checkpoint. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

function client(bootstrap: string): InstanceType<typeof Kafka> {
  return new Kafka({ clientId: 'crash-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

/** Batches in a segment file; asserts the file ends exactly at a whole batch. */
function wholeBatches(file: string): Array<{ position: number; baseOffset: number; lastOffset: number; size: number }> {
  const bytes = fs.readFileSync(file);
  const batches = Array.from(iterateBatches(bytes), (b) => ({
    position: b.position,
    baseOffset: b.header.baseOffset,
    lastOffset: b.header.lastOffset,
    size: b.header.sizeInBytes,
  }));
  const end = batches.length === 0 ? 0 : batches[batches.length - 1]!.position + batches[batches.length - 1]!.size;
  expect(end, `${file} must end at a whole batch`).toBe(bytes.length);
  return batches;
}

/** Every record of partition 0 from offset 0 up to the high watermark, as offset → value. */
async function consumeAll(bootstrap: string, topic: string): Promise<Map<number, string>> {
  const kafka = client(bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  const [{ high }] = await admin.fetchTopicOffsets(topic).then((p) => p.filter((x) => x.partition === 0));
  await admin.disconnect();
  const highWatermark = Number(high);
  const seen = new Map<number, string>();
  if (highWatermark === 0) return seen;
  const consumer = kafka.consumer({ groupId: `crash-check-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${seen.size} of ${highWatermark}`)), 20_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.set(Number(message.offset), message.value?.toString() ?? '');
        if (Number(message.offset) >= highWatermark - 1) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

/** Produces `count` single-record batches (acks=1) with values `${prefix}-i`; returns the acked offsets. */
async function produceBatches(bootstrap: string, topic: string, prefix: string, count: number): Promise<number[]> {
  const producer = client(bootstrap).producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const [meta] = await producer.send({ topic, acks: 1, messages: [{ value: `${prefix}-${i}`.padEnd(200, '.') }] });
    offsets.push(Number(meta!.baseOffset));
  }
  await producer.disconnect();
  return offsets;
}

describe('crash recovery with the real broker process', () => {
  let broker: BrokerProcess;
  let base: string;

  beforeAll(async () => {
    base = tempDir('kafka-ts-crash');
    broker = new BrokerProcess(base, await freePort());
    await broker.start();
  });
  afterAll(async () => {
    await broker?.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('kill -9 during continuous acks=1 produce loses no acknowledged record', async () => {
    const topic = 'crash-produce';
    await produceBatches(broker.bootstrap, topic, 'warmup', 1);
    const producer = client(broker.bootstrap).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const acked = new Map<number, string>();
    let stop = false;
    // four concurrent producers of one-record batches, recording each acknowledged offset
    const loops = Array.from({ length: 4 }, async (_, lane) => {
      for (let i = 0; !stop; i++) {
        const value = `lane${lane}-${i}`;
        try {
          const [meta] = await producer.send({ topic, acks: 1, messages: [{ value }] });
          acked.set(Number(meta!.baseOffset), value);
        } catch {
          return;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await broker.kill9();
    stop = true;
    await Promise.all(loops);
    await producer.disconnect().catch(() => undefined);
    expect(acked.size).toBeGreaterThan(20);

    await broker.start();
    const batches = wholeBatches(broker.segmentFile(topic));
    const logEnd = batches[batches.length - 1]!.lastOffset + 1;
    const consumed = await consumeAll(broker.bootstrap, topic);
    expect(consumed.size).toBe(logEnd);
    for (const [offset, value] of acked) expect(consumed.get(offset), `acked offset ${offset}`).toBe(value);
  });

  it('truncated mid-batch, flipped byte in the last batch, deleted .index: each restart recovers to the last whole batch', async () => {
    const topic = 'crash-files';
    const file = broker.segmentFile(topic);
    await produceBatches(broker.bootstrap, topic, 'a', 10);

    // (b) cut the segment in the middle of its last batch
    await broker.kill9();
    let batches = wholeBatches(file);
    expect(batches).toHaveLength(10);
    fs.truncateSync(file, batches[9]!.position + Math.floor(batches[9]!.size / 2));
    await broker.start();
    batches = wholeBatches(file);
    expect(batches).toHaveLength(9);
    expect(fs.statSync(file).size).toBe(batches[8]!.position + batches[8]!.size);
    let consumed = await consumeAll(broker.bootstrap, topic);
    expect([...consumed.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(consumed.get(8)!.startsWith('a-8')).toBe(true);

    // (c) a flipped byte inside the last batch's records (CRC-32C no longer matches)
    await produceBatches(broker.bootstrap, topic, 'b', 3); // offsets 9..11
    await broker.kill9();
    batches = wholeBatches(file);
    expect(batches).toHaveLength(12);
    const fd = fs.openSync(file, 'r+');
    const flip = Buffer.alloc(1);
    const at = batches[11]!.position + batches[11]!.size - 20;
    fs.readSync(fd, flip, 0, 1, at);
    flip[0] = flip[0]! ^ 0xff;
    fs.writeSync(fd, flip, 0, 1, at);
    fs.closeSync(fd);
    await broker.start();
    batches = wholeBatches(file);
    expect(batches).toHaveLength(11);
    consumed = await consumeAll(broker.bootstrap, topic);
    expect(consumed.size).toBe(11);
    expect(consumed.get(10)!.startsWith('b-1')).toBe(true);

    // (d) a deleted .index is rebuilt; nothing is lost
    await broker.kill9();
    const sizeBefore = fs.statSync(file).size;
    fs.rmSync(broker.segmentFile(topic, '.index'));
    await broker.start();
    expect(fs.existsSync(broker.segmentFile(topic, '.index'))).toBe(true);
    expect(fs.statSync(file).size).toBe(sizeBefore);
    consumed = await consumeAll(broker.bootstrap, topic);
    expect(consumed.size).toBe(11);
    const offsets = await produceBatches(broker.bootstrap, topic, 'c', 1);
    expect(offsets).toEqual([11]);
    const sanity = await runCli('kafka-dump-log', ['--files', broker.segmentFile(topic, '.index'), '--index-sanity-check']);
    expect(sanity.code).toBe(0);
  });

  it('a corrupt batch in the middle of one partition refuses it (KAFKA_STORAGE_ERROR) and the others keep working', async () => {
    const bad = 'crash-middle';
    const good = 'crash-healthy';
    await produceBatches(broker.bootstrap, bad, 'm', 10);
    await produceBatches(broker.bootstrap, good, 'h', 3);
    await broker.kill9();
    const file = broker.segmentFile(bad);
    const batches = wholeBatches(file);
    const position = batches[4]!.position + batches[4]!.size - 20;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('XX'), 0, 2, position);
    fs.closeSync(fd);
    const sizeBefore = fs.statSync(file).size;
    await broker.start();
    // one log line naming the file and the position of the corrupt batch
    const report = broker.output.split('\n').filter((l) => l.includes('corrupt record batch in the middle'));
    expect(report).toHaveLength(1);
    expect(report[0]).toContain(file);
    expect(report[0]).toContain(`position ${batches[4]!.position}`);
    expect(fs.statSync(file).size).toBe(sizeBefore);

    const producer = client(broker.bootstrap).producer();
    await producer.connect();
    const error = await producer.send({ topic: bad, acks: 1, messages: [{ value: 'x' }] }).then(() => null, (e: Error) => e);
    // Metadata reports the refused partition with no leader (LEADER_NOT_AVAILABLE, as Kafka does for an
    // offline leader), so the client gives up before producing; a Produce that reaches it gets KAFKA_STORAGE_ERROR
    expect(String((error as { cause?: { type?: string } } | null)?.cause?.type ?? error)).toMatch(/LEADER_NOT_AVAILABLE/);
    await producer.disconnect();
    // a fresh producer: kafkajs fails a whole Metadata response that has a partition error, and the
    // first producer keeps asking for the refused topic too
    const healthyProducer = client(broker.bootstrap).producer();
    await healthyProducer.connect();
    const [meta] = await healthyProducer.send({ topic: good, acks: 1, messages: [{ value: 'still fine' }] });
    expect(Number(meta!.baseOffset)).toBe(3);
    await healthyProducer.disconnect();
    const healthy = await consumeAll(broker.bootstrap, good);
    expect(healthy.get(3)).toBe('still fine');
  });
});
