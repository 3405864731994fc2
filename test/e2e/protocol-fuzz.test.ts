/**
 * Protocol fuzz: a real broker (bin/kafka-server-start.sh) gets random and mutated request
 * frames of every API it serves (valid requests built from the generated message specs,
 * then bit flips, truncation, huge length and count fields, random bodies, lying size
 * prefixes; see ../helpers/protocol-fuzz.ts) on several connections, while kafkajs keeps
 * producing and consuming on its own connections. Asserted: no response carries JavaScript internals
 * (an exception text, "undefined", a stack) nor an UNKNOWN_SERVER_ERROR with a message,
 * every response decodes, no handler failed unexpectedly (the broker's ERROR log lines),
 * the broker never exits, and kafkajs' produce/fetch round trip works during and after.
 *
 * Seeded: KAFKA_TS_FUZZ_SEED=<n> replays a run (the seed is printed when a run fails).
 * Bounded by KAFKA_TS_FUZZ_FRAMES (default 10000) frames and KAFKA_TS_FUZZ_MS (default 25 s).
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { requireBuiltBroker, startTestBroker, type TestBroker } from '../helpers/cli.js';
import { fuzzFrame, Rng, type FuzzFrame, type FuzzTargets, type ServedApi } from '../helpers/protocol-fuzz.js';
import { ByteReader, decodeResponse, readResponseHeader } from '../../src/protocol/index.js';
import { WireClient } from '../broker/fetch-wire.js';

const SEED = Number(process.env.KAFKA_TS_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MAX_FRAMES = Number(process.env.KAFKA_TS_FUZZ_FRAMES ?? 10000);
const MAX_MS = Number(process.env.KAFKA_TS_FUZZ_MS ?? 25_000);
const CONNECTIONS = 6;
/** a request not answered by then is left to the broker (long polls, JoinGroup, acks=0): the connection is dropped */
const ANSWER_WAIT_MS = 250;
const KAFKAJS_TOPIC = 'fuzz-kafkajs';

/** Text that only a JavaScript exception, a stack or an unset value would put in a response. */
const LEAKS = [/Cannot read propert/, /is not a function/, /is not defined/, /TypeError/, /RangeError/, /ReferenceError/, /SyntaxError/, /undefined/, /\n\s+at /, /\.[jt]s:\d+:\d+/, /node:internal/, /\[object Object\]/, /\bNaN\b/];

await requireBuiltBroker();

let broker: TestBroker;
const findings: string[] = [];

function finding(frame: FuzzFrame, what: string): void {
  findings.push(`${what}\n    frame: ${frame.label}, ${frame.bytes.length} bytes: ${frame.bytes.subarray(0, 96).toString('hex')}`);
}

/** Every string in a decoded response, with where it sits. */
function* strings(value: unknown, where = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [where, value];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* strings(value[i], `${where}[${i}]`);
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) yield* strings(v, `${where}.${k}`);
  }
}

/** Objects answering UNKNOWN_SERVER_ERROR with a message (Kafka leaves it null). */
function* unknownWithMessage(value: unknown, where = ''): Generator<string> {
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* unknownWithMessage(value[i], `${where}[${i}]`);
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const o = value as Record<string, unknown>;
    if (o.errorCode === -1 && typeof o.errorMessage === 'string') yield `${where}: ${o.errorMessage}`;
    for (const [k, v] of Object.entries(o)) yield* unknownWithMessage(v, `${where}.${k}`);
  }
}

function checkResponse(frame: FuzzFrame, response: Buffer): void {
  const raw = response.toString('latin1');
  for (const leak of LEAKS) if (leak.test(raw)) finding(frame, `response bytes match ${leak}: ${JSON.stringify(raw.slice(0, 300))}`);
  const header = frame.header;
  if (!header) return;
  let body: unknown;
  try {
    const h = readResponseHeader(response, header.apiKey, header.apiVersion);
    body = decodeResponse(header.apiKey, header.apiVersion, new ByteReader(response, h.bodyOffset));
  } catch (err) {
    // ApiVersions at a version it does not serve is answered in the v0 layout
    try {
      body = decodeResponse(18, 0, new ByteReader(response, 4));
      if (header.apiKey !== 18) throw err;
    } catch {
      finding(frame, `response to api ${header.apiKey} v${header.apiVersion} does not decode: ${(err as Error).message}`);
      return;
    }
  }
  for (const [where, text] of strings(body)) for (const leak of LEAKS) if (leak.test(text)) finding(frame, `${where} = ${JSON.stringify(text)}`);
  for (const bad of unknownWithMessage(body)) finding(frame, `UNKNOWN_SERVER_ERROR with a message at ${bad}`);
}

/** One fuzzing connection: sends a frame, waits for its answer (or a close) a little while. */
class FuzzConnection {
  private buffer = Buffer.alloc(0);
  private waiter: ((outcome: 'answered' | 'closed') => void) | null = null;
  private current: FuzzFrame | null = null;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.('closed');
    });
  }

  static open(port: number): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new FuzzConnection(socket)));
      socket.once('error', reject);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < 4 + size) return;
      const response = this.buffer.subarray(4, 4 + size);
      this.buffer = this.buffer.subarray(4 + size);
      if (this.current) checkResponse(this.current, response);
      this.waiter?.('answered');
    }
  }

  send(frame: FuzzFrame): Promise<'answered' | 'closed' | 'unanswered'> {
    if (this.closed) return Promise.resolve('closed');
    this.current = frame;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve('unanswered');
      }, ANSWER_WAIT_MS);
      this.waiter = (outcome) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(outcome);
      };
      this.socket.write(frame.bytes);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'true' });
});
afterAll(async () => {
  await broker?.stop();
});

describe('protocol fuzz', () => {
  it('survives random and mutated frames of every API, leaking nothing, while kafkajs keeps working', { timeout: 180_000 }, async () => {
    const saveLog = () => {
      if (process.env.KAFKA_TS_FUZZ_LOG) fs.writeFileSync(process.env.KAFKA_TS_FUZZ_LOG, broker.output());
    };
    onTestFailed(() => {
      saveLog();
      console.error(`protocol fuzz failed with seed ${SEED}: replay with KAFKA_TS_FUZZ_SEED=${SEED}`);
    });
    const rng = new Rng(SEED);
    const admin = await WireClient.connect(broker.port);
    const versions = await admin.send(18, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' });
    const apis = versions.apiKeys as ServedApi[];
    expect(apis.length).toBeGreaterThan(20);
    const targets: FuzzTargets = { topics: ['fuzz-t0', 'fuzz-t1', 'fuzz-auto'], topicIds: [], groups: ['fuzz-g0', 'fuzz-g1'], transactionalIds: ['fuzz-x0', 'fuzz-x1'] };
    for (const topic of ['fuzz-t0', 'fuzz-t1']) targets.topicIds.push(await admin.createTopic(topic, 2));
    // the bystander's topic pins what the fuzz might change at broker level (should a dynamic broker config be served)
    const created = await admin.send(19, 7, {
      topics: [{ name: KAFKAJS_TOPIC, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [
        { name: 'min.insync.replicas', value: '1' },
        { name: 'max.message.bytes', value: '1048588' },
        { name: 'retention.ms', value: '-1' },
        { name: 'cleanup.policy', value: 'delete' },
      ] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(created.topics[0].errorCode).toBe(0);
    admin.close();

    // kafkajs produces throughout the fuzz on its own connections
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'fuzz-bystander', logLevel: logLevel.NOTHING });
    const producer: Producer = kafka.producer();
    await producer.connect();
    const sent: string[] = [];
    // a kafkajs consumer reads them back throughout: it has its first record before the fuzz starts
    const consumer = kafka.consumer({ groupId: 'fuzz-bystander-check' });
    await consumer.connect();
    await consumer.subscribe({ topic: KAFKAJS_TOPIC, fromBeginning: true });
    const received = new Set<string>();
    let onReceived = (): void => {};
    void consumer.run({
      eachMessage: async ({ message }) => {
        received.add(message.value?.toString() ?? '');
        onReceived();
      },
    });
    const receivedAll = () =>
      new Promise<void>((resolve) => {
        onReceived = () => {
          if (sent.every((v) => received.has(v))) resolve();
        };
        onReceived();
      });
    await producer.send({ topic: KAFKAJS_TOPIC, acks: -1, messages: [{ key: 'before', value: 'before-fuzz' }] });
    sent.push('before-fuzz');
    await receivedAll();
    let fuzzing = true;
    const bystander: Promise<Error | null> = (async () => {
      for (let i = 0; fuzzing && broker.process.exitCode === null; i++) {
        await producer.send({ topic: KAFKAJS_TOPIC, acks: -1, messages: [{ key: `k${i}`, value: `during-${i}` }] });
        sent.push(`during-${i}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    })().catch((err: Error) => err);

    const started = Date.now();
    let frames = 0;
    let correlationId = 1;
    const outcomes = { answered: 0, closed: 0, unanswered: 0 };
    let brokerGone = false;
    const worker = async () => {
      let connection: FuzzConnection | null = null;
      while (frames < MAX_FRAMES && Date.now() - started < MAX_MS && !brokerGone) {
        if (!connection) {
          try {
            connection = await FuzzConnection.open(broker.port);
          } catch (err) {
            brokerGone = true;
            break;
          }
        }
        frames++;
        const outcome = await connection.send(fuzzFrame(rng, apis, targets, correlationId++));
        outcomes[outcome]++;
        if (outcome !== 'answered') {
          connection.close();
          connection = null;
        }
      }
      connection?.close();
    };
    // topic ids change as the fuzz deletes and recreates its topics: keep the targets current
    const refresher = (async () => {
      const client = await WireClient.connect(broker.port);
      try {
        while (frames < MAX_FRAMES && Date.now() - started < MAX_MS && !brokerGone) {
          const res = await client.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
          const ids = (res.topics as { name: string; topicId: string }[]).filter((t) => t.name.startsWith('fuzz-t')).map((t) => t.topicId);
          if (ids.length > 0) targets.topicIds = ids;
          await new Promise((r) => setTimeout(r, 500));
        }
      } finally {
        client.close();
      }
    })().catch(() => {});
    try {
      await Promise.all(Array.from({ length: CONNECTIONS }, worker));
      await refresher;
    } finally {
      fuzzing = false;
    }
    const elapsed = Date.now() - started;
    expect(brokerGone || broker.process.exitCode !== null, `seed ${SEED}: the broker stopped accepting connections (exit code ${broker.process.exitCode}):\n${broker.output().slice(-3000)}`).toBe(false);
    // the bystander's sends all succeeded (it stops at the first failure)
    expect((await bystander)?.message, `seed ${SEED}: kafkajs failed during the fuzz`).toBeUndefined();

    const receivedDuringFuzz = received.size;
    // after the fuzz: one more produce, and everything kafkajs produced reads back
    await producer.send({ topic: KAFKAJS_TOPIC, acks: -1, messages: [{ key: 'after', value: 'after-fuzz' }] });
    sent.push('after-fuzz');
    await receivedAll();
    await producer.disconnect();
    await consumer.disconnect();

    console.log(
      `protocol fuzz: seed ${SEED}, ${frames} frames in ${elapsed} ms (${outcomes.answered} answered, ${outcomes.closed} closed, ${outcomes.unanswered} left waiting), kafkajs sent ${sent.length} and read ${receivedDuringFuzz} of them back during the fuzz`,
    );
    saveLog();
    const unexpected = broker.output().split('\n').filter((l) => / ERROR /.test(l));
    expect(findings, `seed ${SEED}: responses leaking internals`).toEqual([]);
    expect(unexpected, `seed ${SEED}: handlers failed unexpectedly`).toEqual([]);
    expect(broker.process.exitCode, `seed ${SEED}: the broker exited`).toBeNull();
    expect(sent.length).toBeGreaterThan(2);
    expect(receivedDuringFuzz).toBeGreaterThan(1);
    // the fuzz reached the handlers (not only the parser), even on a loaded machine
    expect(outcomes.answered).toBeGreaterThan(frames / 20);
  });
});
