/**
 * sarama 1.22.1 (Debian's golang-github-shopify-sarama-dev, config.Version
 * V2_1_0_0) against our broker, driven by clients/sarama/main.go: keyed records
 * with headers in gzip/snappy/lz4 both ways with kafkajs (zstd is refused, as
 * Kafka refuses it: sarama sends it over Produce v3 and fetches with v4), the
 * idempotent producer, a two-member group resuming after a broker restart,
 * ListOffsets with a seek, ListOffsets by timestamp on what sarama wrote (its batches
 * carry MaxTimestamp -1: the broker computes it, as Kafka does; checked with kcat -Q
 * and kafkajs), and the cluster admin (CreateTopics v2 and friends).
 *
 * The Go program is compiled once into the temp dir, keyed by a hash of its
 * source, so later runs reuse the binary. Skips, saying why, when go or the
 * sarama sources are missing.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import {
  ClientProcess,
  commandWorks,
  committedOffsets,
  consumeWithKafkajs,
  contentOf,
  createTopic,
  expectedRecords,
  kafkajsClient,
  produceWithKafkajs,
  recordsOf,
  resumeAfterRestart,
  offsetsAndSeek,
  runClient,
  waitForSplit,
} from './clients/harness.js';
import { recordSkip } from '../helpers/skips.js';

const GOPATH = '/usr/share/gocode';
const SOURCE = path.join(import.meta.dirname, 'clients', 'sarama', 'main.go');
const hasGo = commandWorks('go', ['version']);
const hasSarama = fs.existsSync(path.join(GOPATH, 'src/github.com/Shopify/sarama/sarama.go'));
const skipReason = !hasGo ? 'go is not installed' : !hasSarama ? `sarama is not in ${GOPATH}` : null;
if (skipReason) {
  const pkg = !hasGo ? 'golang-go' : 'golang-github-shopify-sarama-dev';
  recordSkip({ suite: 'sarama interop', reason: skipReason, package: pkg, install: `apt-get install ${pkg}` });
}

let broker: TestBroker;
let binary = '';

/** Compiles main.go unless a binary built from the same source is already in the temp dir. */
async function buildSaramaClient(): Promise<string> {
  const hash = createHash('sha256').update(fs.readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const out = path.join(os.tmpdir(), `kafka-ts-sarama-client-${hash}`);
  if (fs.existsSync(out)) return out;
  const partial = `${out}.${process.pid}.tmp`;
  await new Promise<void>((resolve, reject) => {
    execFile(
      'go',
      ['build', '-o', partial, SOURCE],
      { env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '' }, timeout: 170_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`go build failed: ${err.message}\n${stderr}`)) : resolve()),
    );
  });
  fs.renameSync(partial, out);
  return out;
}

const sarama = (args: string[], timeoutMs?: number) => runClient(binary, args, timeoutMs);

const hasKcat = commandWorks('kcat', ['-V']);

/** `kcat -Q -t topic:0:<timestamp>` (ListOffsets by time, librdkafka): the offset it prints. */
function kcatQuery(topic: string, timestamp: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('kcat', ['-b', broker.bootstrap, '-Q', '-t', `${topic}:0:${timestamp}`], { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`kcat -Q failed: ${err.message}\n${stderr}`));
      const m = / \[0\] offset (-?\d+)/.exec(stdout);
      return m ? resolve(Number(m[1])) : reject(new Error(`unexpected kcat -Q output: ${stdout}`));
    });
  });
}

beforeAll(async () => {
  if (skipReason) return;
  [binary, broker] = await Promise.all([buildSaramaClient(), startTestBroker()]);
}, 180_000);
afterAll(async () => {
  await broker?.close();
});

describe.skipIf(skipReason !== null)('sarama interop', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4']) {
    it(`produces keyed records with headers (${codec}); kafkajs reads them back`, async () => {
      const topic = `sa-produce-${codec}`;
      await createTopic(broker.bootstrap, topic, 3);
      expect(await sarama(['produce', broker.bootstrap, topic, codec, `sa-${codec}`, '60', '0'])).toEqual([{ produced: 60 }]);
      expect(contentOf(await consumeWithKafkajs(broker.bootstrap, topic, 60))).toEqual(contentOf(expectedRecords(`sa-${codec}`, 60)));
    });
  }

  it('zstd over Produce v3 is refused with UNSUPPORTED_COMPRESSION_TYPE, as Kafka does (KIP-110)', async () => {
    const topic = 'sa-produce-zstd';
    await createTopic(broker.bootstrap, topic, 1);
    await expect(sarama(['produce', broker.bootstrap, topic, 'zstd', 'sa-zstd', '5', '0'])).rejects.toThrow(/error: kafka server: The requesting client does not support the compression type/) // sarama's text for error 76;
    const admin = kafkajsClient(broker.bootstrap).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets[0]!.high).toBe('0');
  });

  for (const codec of ['gzip', 'snappy', 'lz4']) {
    it(`reads back what kafkajs wrote (${codec})`, async () => {
      const topic = `sa-consume-${codec}`;
      await createTopic(broker.bootstrap, topic, 2);
      await produceWithKafkajs(broker.bootstrap, topic, codec, `js-${codec}`, 40);
      const got = recordsOf(await sarama(['consume', broker.bootstrap, topic, '40']));
      expect(contentOf(got)).toEqual(contentOf(expectedRecords(`js-${codec}`, 40)));
    });
  }

  it('the idempotent producer (Producer.Idempotent) writes every record exactly once', async () => {
    const topic = 'sa-idempotent';
    await createTopic(broker.bootstrap, topic, 2);
    expect(await sarama(['produce', broker.bootstrap, topic, 'snappy', 'idem', '200', '1'])).toEqual([{ produced: 200 }]);
    expect(contentOf(await consumeWithKafkajs(broker.bootstrap, topic, 200))).toEqual(contentOf(expectedRecords('idem', 200)));
    const admin = kafkajsClient(broker.bootstrap).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(200);
  });

  it('two group members split the partitions, commit, and resume after a broker restart', async () => {
    const topic = 'sa-group';
    const groupId = 'sa-group-1';
    await createTopic(broker.bootstrap, topic, 4);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'first', 40);
    const members = [0, 1].map(() => new ClientProcess(binary, ['group', broker.bootstrap, topic, groupId]));
    try {
      const split = await waitForSplit(members, 4);
      expect(split.map((a) => a.length)).toEqual([2, 2]);
      await members[0]!.waitFor('all 40 records', () => members[0]!.records().length + members[1]!.records().length >= 40);
      await Promise.all(members.map((m) => m.stop()));
    } finally {
      members.forEach((m) => m.kill());
    }
    // a member may re-read a few records around the rebalance; every record was read at least once
    const firstRound = members.flatMap((m) => m.records());
    expect(new Set(firstRound.map((r) => r.value))).toEqual(new Set(expectedRecords('first', 40).map((r) => r.value)));
    const committed = await committedOffsets(broker.bootstrap, groupId, topic);
    expect(Object.values(committed).reduce((a, b) => a + b, 0)).toBe(40);

    let again: ClientProcess;
    ({ broker, member: again } = await resumeAfterRestart(broker, topic, (bootstrap) => new ClientProcess(binary, ['group', bootstrap, topic, groupId])));
    expect(again.assignment()).toEqual([0, 1, 2, 3]);
    expect(contentOf(again.records())).toEqual(contentOf(expectedRecords('second', 12)));
  });

  it('lists earliest, latest and by-time offsets and seeks', async () => {
    const topic = 'sa-offsets';
    const lines = await offsetsAndSeek(broker.bootstrap, topic, sarama);
    expect(lines[0]).toEqual({ earliest: 0, latest: 10, byTime: 0 });
    expect(recordsOf(lines)).toEqual([{ partition: 0, offset: 7, key: 'off-k7', value: 'off-v7', headers: { h: 'off-h7', n: '7' } }]);
  });

  for (const codec of ['none', 'lz4']) {
    it.skipIf(!hasKcat)(`a topic sarama wrote (batch MaxTimestamp -1, ${codec}) answers ListOffsets by timestamp to kcat -Q and kafkajs`, async () => {
      const topic = `sa-by-time-${codec}`;
      await createTopic(broker.bootstrap, topic, 1);
      const base = Date.now() - 3_600_000;
      // 20 records one second apart, 5 per batch
      expect(await sarama(['produce-timed', broker.bootstrap, topic, codec, '20', String(base), '1000'])).toEqual([{ produced: 20 }]);
      const cases: [number, number][] = [
        [base - 1, 0],
        [base, 0],
        [base + 6_500, 7],
        [base + 7_000, 7],
        [base + 19_000, 19],
        [base + 19_001, -1],
      ];
      for (const [timestamp, offset] of cases) {
        expect(await kcatQuery(topic, timestamp), `kcat -Q at ${timestamp - base} ms`).toBe(offset);
      }
      const admin = kafkajsClient(broker.bootstrap).admin();
      await admin.connect();
      try {
        for (const [timestamp, offset] of cases.filter(([, o]) => o >= 0)) {
          const [p] = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
          expect(Number(p!.offset), `kafkajs at ${timestamp - base} ms`).toBe(offset);
        }
      } finally {
        await admin.disconnect();
      }
    });
  }

  it('the cluster admin creates, lists, describes and deletes a topic', async () => {
    const lines = await sarama(['admin', broker.bootstrap, 'sa-admin']);
    expect(lines).toEqual([{ listed: true, partitions: 3 }, { described: 'sa-admin', partitions: 3, error: 0 }, { deleted: true }]);
  });
});
