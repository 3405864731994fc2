/**
 * kcat (librdkafka 2.0.2, from Debian) against our broker: metadata, produce in
 * every codec, consume to the end, and a balanced consumer group.
 * Skips, saying why, when kcat is not installed (.ci/run installs it).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

function kcat(args: string[], input?: string, timeoutMs = 30_000): string {
  return execFileSync('kcat', ['-b', broker.bootstrap, ...args], {
    input,
    timeout: timeoutMs,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

describe.skipIf(!hasKcat)('kcat interop', () => {
  it('kcat -L lists brokers and topics', () => {
    kcat(['-P', '-t', 'meta-topic'], 'hello\n');
    const out = kcat(['-L']);
    expect(out).toMatch(/1 brokers:\s+broker 0 at 127\.0\.0\.1:\d+ \(controller\)/);
    expect(out).toContain('topic "meta-topic" with 1 partitions');
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`produces with -z ${codec} and consumes back with -C -e`, () => {
      const topic = `codec-${codec}`;
      const lines = Array.from({ length: 200 }, (_, i) => `${codec}-line-${i}`);
      kcat(['-P', '-t', topic, '-z', codec, '-K', ':'], lines.map((l, i) => `key${i}:${l}`).join('\n') + '\n');
      const out = kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k=%s\\n']);
      const got = out.trim().split('\n');
      expect(got).toHaveLength(200);
      expect(got[0]).toBe(`key0:${lines[0]}`.replace(':', '='));
      expect(got[199]).toBe(`key199=${lines[199]}`);
    });
  }

  it('a kcat balanced consumer group (-G) reads every record and commits', async () => {
    const topic = 'group-topic';
    execFileSync('kcat', ['-b', broker.bootstrap, '-P', '-t', topic], { input: 'a\nb\nc\nd\n', timeout: 30_000 });
    const child = spawn('kcat', ['-b', broker.bootstrap, '-G', 'kcat-group', '-o', 'beginning', '-f', '%s\\n', '-X', 'auto.commit.interval.ms=100', topic], {
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
  });
});
