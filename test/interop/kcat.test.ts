/**
 * kcat (librdkafka 2.0.2, from Debian) against our broker: metadata, produce in
 * every codec, consume to the end, and a balanced consumer group.
 * Skips, saying why, when kcat is not installed (.ci/run installs it).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (!hasKcat) console.warn('kcat interop tests skipped: kcat is not installed (apt-get install kcat)');

let broker: TestBroker;
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
