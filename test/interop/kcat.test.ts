/**
 * kcat (librdkafka 2.0.2, from Debian) against our broker: metadata, produce in
 * every codec, consume to the end, keyed records with headers both ways with
 * kafkajs, the idempotent producer, balanced consumer groups (one member; two
 * members across a broker restart), and offsets by time with a seek.
 * Skips, saying why, when kcat is not installed (.ci/run installs it).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import {
  ClientProcess,
  committedOffsets,
  consumeWithKafkajs,
  contentOf,
  createTopic,
  expectedRecords,
  produceWithKafkajs,
  resumeAfterRestart,
  waitForSplit,
} from './clients/harness.js';
import { recordSkip } from '../helpers/skips.js';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (!hasKcat) recordSkip({ suite: 'kcat interop', reason: 'kcat is not installed', package: 'kcat', install: 'apt-get install kcat' });

let broker: TestBroker;

/** Parses kcat's `-f '%p|%o|%k|%s|%h\n'` lines; headers print as `name=value,name=value`. */
function parseKcatRecords(out: string): { partition: number; offset: number; key: string; value: string; headers: Record<string, string> }[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [partition, offset, key, value, headers] = line.split('|');
      const h = headers ? Object.fromEntries(headers.split(',').map((kv) => kv.split('=') as [string, string])) : {};
      return { partition: Number(partition), offset: Number(offset), key: key!, value: value!, headers: h };
    });
}
const RECORD_FORMAT = '%p|%o|%k|%s|%h\\n';

beforeAll(async () => {
  if (hasKcat) broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.close();
});

/** Runs kcat asynchronously: the broker lives in this process, so a sync spawn would block it. */
function kcat(args: string[], input?: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', ['-b', broker.bootstrap, ...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kcat ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input ?? '');
  });
}

describe.skipIf(!hasKcat)('kcat interop', () => {
  it('kcat -L lists brokers and topics', async () => {
    await kcat(['-P', '-t', 'meta-topic'], 'hello\n');
    const out = await kcat(['-L']);
    expect(out).toMatch(/1 brokers:\s+broker 0 at 127\.0\.0\.1:\d+ \(controller\)/);
    expect(out).toContain('topic "meta-topic" with 1 partitions');
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`produces with -z ${codec} and consumes back with -C -e`, async () => {
      const topic = `codec-${codec}`;
      const lines = Array.from({ length: 200 }, (_, i) => `${codec}-line-${i}`);
      await kcat(['-P', '-t', topic, '-z', codec, '-K', ':'], lines.map((l, i) => `key${i}:${l}`).join('\n') + '\n');
      const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k=%s\\n']);
      const got = out.trim().split('\n');
      expect(got).toHaveLength(200);
      expect(got[0]).toBe(`key0:${lines[0]}`.replace(':', '='));
      expect(got[199]).toBe(`key199=${lines[199]}`);
    });
  }

  it('a kcat balanced consumer group (-G) reads every record and commits', async () => {
    const topic = 'group-topic';
    await kcat(['-P', '-t', topic], 'a\nb\nc\nd\n');
    const child = spawn('kcat', ['-b', broker.bootstrap, '-u', '-G', 'kcat-group', '-o', 'beginning', '-f', '%s\\n', '-X', 'auto.commit.interval.ms=100', topic], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (out.trim().split('\n').filter(Boolean).length < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500)); // let the auto-commit happen
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
    expect(out.trim().split('\n').sort()).toEqual(['a', 'b', 'c', 'd']);
    // the group's commit is visible to another client (kafkajs)
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'kcat-group', topics: [topic] });
    await admin.disconnect();
    expect(offsets[0].partitions).toEqual([expect.objectContaining({ partition: 0, offset: '4' })]);
  });
});

/** A `kcat -G` member: records as JSON on stdout; "assigned: t [0], t [1]" rebalance lines on stderr. */
function kcatMember(bootstrap: string, groupId: string, topic: string): ClientProcess {
  const format = '{"record":{"partition":%p,"offset":%o,"key":"%k","value":"%s","headers":{}}}\\n';
  return new ClientProcess(
    'kcat',
    // not `-o beginning`: kcat would then start every assigned partition there, ignoring commits
    ['-b', bootstrap, '-u', '-G', groupId, '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=100', '-X', 'heartbeat.interval.ms=500', '-f', format, topic],
    (line) => {
      if (line.startsWith('{')) return JSON.parse(line) as Record<string, unknown>;
      const assigned = /rebalanced.*: assigned: (.*)$/.exec(line);
      if (assigned) return { assigned: [...assigned[1]!.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])) };
      if (/rebalanced.*: revoked:/.test(line)) return { assigned: [] };
      return undefined;
    },
  );
}

describe.skipIf(!hasKcat)('kcat interop with other clients', () => {
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    it(`kcat produces keyed records with headers (${codec}); kafkajs reads them back`, async () => {
      const topic = `kcat-to-js-${codec}`;
      await createTopic(broker.bootstrap, topic, 3);
      const lines = Array.from({ length: 50 }, (_, i) => `kc-${codec}-k${i}:kc-${codec}-v${i}`);
      await kcat(['-P', '-t', topic, '-z', codec, '-K', ':', '-H', 'src=kcat', '-H', `codec=${codec}`], lines.join('\n') + '\n');
      const got = await consumeWithKafkajs(broker.bootstrap, topic, 50);
      const expected = Array.from({ length: 50 }, (_, i) => ({ key: `kc-${codec}-k${i}`, value: `kc-${codec}-v${i}`, headers: { src: 'kcat', codec } }));
      expect(contentOf(got)).toEqual(contentOf(expected));
    });

    it(`kcat reads back keyed records with headers that kafkajs wrote (${codec})`, async () => {
      const topic = `js-to-kcat-${codec}`;
      await createTopic(broker.bootstrap, topic, 2);
      await produceWithKafkajs(broker.bootstrap, topic, codec, `js-${codec}`, 40);
      const got = parseKcatRecords(await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-f', RECORD_FORMAT]));
      expect(contentOf(got)).toEqual(contentOf(expectedRecords(`js-${codec}`, 40)));
    });
  }

  it('the idempotent producer (enable.idempotence=true) writes every record once', async () => {
    const topic = 'kcat-idempotent';
    await createTopic(broker.bootstrap, topic, 1);
    const lines = Array.from({ length: 300 }, (_, i) => `idem-${i}`);
    await kcat(['-P', '-t', topic, '-X', 'enable.idempotence=true', '-z', 'lz4'], lines.join('\n') + '\n');
    const got = parseKcatRecords(await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-f', RECORD_FORMAT]));
    expect(got.map((r) => r.value)).toEqual(lines);
    expect(got.map((r) => r.offset)).toEqual(lines.map((_, i) => i));
  });

  it('offsets by time (-Q) and a seek (-o N -c 1)', async () => {
    const topic = 'kcat-offsets';
    await createTopic(broker.bootstrap, topic, 1);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'off', 10);
    // timestamp 0: the first record with a timestamp >= 0 is offset 0; a future time has none (-1)
    expect(await kcat(['-Q', '-t', `${topic}:0:0`])).toBe(`${topic} [0] offset 0\n`);
    expect(await kcat(['-Q', '-t', `${topic}:0:${Date.now() + 3_600_000}`])).toBe(`${topic} [0] offset -1\n`);
    const got = parseKcatRecords(await kcat(['-C', '-t', topic, '-p', '0', '-o', '7', '-c', '1', '-f', RECORD_FORMAT]));
    expect(got).toEqual([{ partition: 0, offset: 7, key: 'off-k7', value: 'off-v7', headers: { h: 'off-h7', n: '7' } }]);
    const tail = parseKcatRecords(await kcat(['-C', '-t', topic, '-p', '0', '-o', '-2', '-e', '-f', RECORD_FORMAT]));
    expect(tail.map((r) => r.offset)).toEqual([8, 9]);
  });

  it('two kcat -G members split the partitions, commit, and resume after a broker restart', async () => {
    const topic = 'kcat-group2';
    const groupId = 'kcat-group-2';
    await createTopic(broker.bootstrap, topic, 4);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'first', 40);
    const members = [kcatMember(broker.bootstrap, groupId, topic), kcatMember(broker.bootstrap, groupId, topic)];
    try {
      const split = await waitForSplit(members, 4);
      expect(split.map((a) => a.length)).toEqual([2, 2]);
      await members[0]!.waitFor('all 40 records', () => new Set(members.flatMap((m) => m.records().map((r) => r.value))).size >= 40);
      await new Promise((r) => setTimeout(r, 500)); // the auto-commit interval
      await Promise.all(members.map((m) => m.stop('SIGINT')));
    } finally {
      members.forEach((m) => m.kill());
    }
    const committed = await committedOffsets(broker.bootstrap, groupId, topic);
    expect(Object.values(committed).reduce((a, b) => a + b, 0)).toBe(40);

    let again: ClientProcess;
    ({ broker, member: again } = await resumeAfterRestart(broker, topic, (bootstrap) => kcatMember(bootstrap, groupId, topic), 'SIGINT'));
    expect(again.records().map((r) => r.value).sort()).toEqual(expectedRecords('second', 12).map((r) => r.value).sort());
  });
});
