/**
 * kafka-python 2.0.2 (Debian's python3-kafka) against our broker, driven by
 * clients/kafka_python_client.py: keyed records with headers in every codec it
 * can write, read back by kafkajs and the reverse, a two-member group that
 * splits partitions and resumes from its commits after a broker restart, and
 * ListOffsets (earliest, latest, by time) with a seek.
 * kafka-python has no idempotent producer. Skips, saying why, when
 * /usr/bin/python3 cannot import kafka.
 */
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
  produceWithKafkajs,
  recordsOf,
  resumeAfterRestart,
  offsetsAndSeek,
  runClient,
  waitForSplit,
} from './clients/harness.js';
import { recordSkip } from '../helpers/skips.js';

const PY = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'clients', 'kafka_python_client.py');
const hasKafkaPython = commandWorks(PY, ['-c', 'import kafka']);
if (!hasKafkaPython) recordSkip({ suite: 'kafka-python interop', reason: '/usr/bin/python3 cannot import kafka', package: 'python3-kafka', install: 'apt-get install python3-kafka' });
/** kafka-python needs python3-snappy, python3-lz4 and python3-zstandard for those codecs. */
const codecModules: Record<string, string> = { gzip: 'gzip', snappy: 'snappy', lz4: 'lz4.frame', zstd: 'zstandard' };
const codecPackages: Record<string, string> = { snappy: 'python3-snappy', lz4: 'python3-lz4', zstd: 'python3-zstandard' };
/** Whether kafka-python can use `codec` here; records the skip when it cannot. */
function hasCodecModule(codec: string): boolean {
  if (codec === 'none' || commandWorks(PY, ['-c', `import ${codecModules[codec]}`])) return true;
  if (hasKafkaPython) recordSkip({ suite: `kafka-python interop (${codec})`, reason: `/usr/bin/python3 cannot import ${codecModules[codec]}`, package: codecPackages[codec], install: `apt-get install ${codecPackages[codec]}` });
  return false;
}

const py = (args: string[], timeoutMs?: number) => runClient(PY, [SCRIPT, ...args], timeoutMs);

let broker: TestBroker;
beforeAll(async () => {
  if (hasKafkaPython) broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.close();
});

describe.skipIf(!hasKafkaPython)('kafka-python interop', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const hasCodec = hasCodecModule(codec);
    it.skipIf(!hasCodec)(`produces keyed records with headers (${codec}); kafkajs reads them back`, async () => {
      const topic = `kp-produce-${codec}`;
      await createTopic(broker.bootstrap, topic, 3);
      const lines = await py(['produce', broker.bootstrap, topic, codec, `kp-${codec}`, '60']);
      expect(lines).toEqual([{ produced: 60 }]);
      const got = await consumeWithKafkajs(broker.bootstrap, topic, 60);
      expect(contentOf(got)).toEqual(contentOf(expectedRecords(`kp-${codec}`, 60)));
    });
  }

  // zstd too: kafka-python 2.0.2 fetches with Fetch v4, and Kafka serves stored zstd batches to
  // any Fetch version unless the topic's compression.type is zstd (KIP-110).
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    const hasCodec = commandWorks(PY, ['-c', `import ${codecModules[codec]}`]);
    it.skipIf(!hasCodec)(`reads back what kafkajs wrote (${codec})`, async () => {
      const topic = `kp-consume-${codec}`;
      await createTopic(broker.bootstrap, topic, 2);
      await produceWithKafkajs(broker.bootstrap, topic, codec, `js-${codec}`, 40);
      const got = recordsOf(await py(['consume', broker.bootstrap, topic, '40']));
      expect(contentOf(got)).toEqual(contentOf(expectedRecords(`js-${codec}`, 40)));
    });
  }

  it('two group members split the partitions, commit, and resume after a broker restart', async () => {
    const topic = 'kp-group';
    const groupId = 'kp-group-1';
    await createTopic(broker.bootstrap, topic, 4);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'first', 40);
    const members = [0, 1].map(() => new ClientProcess(PY, [SCRIPT, 'group', broker.bootstrap, topic, groupId]));
    try {
      const split = await waitForSplit(members, 4);
      expect(split.every((a) => a.length === 2)).toBe(true);
      await members[0]!.waitFor('all 40 records', () => members[0]!.records().length + members[1]!.records().length >= 40);
      await Promise.all(members.map((m) => m.stop()));
    } finally {
      members.forEach((m) => m.kill());
    }
    const firstRound = members.flatMap((m) => m.records());
    expect(contentOf(firstRound)).toEqual(contentOf(expectedRecords('first', 40)));
    // each member only saw records of its own partitions
    for (const m of members) expect(m.records().every((r) => m.lines.some((l) => (l.assigned as number[] | undefined)?.includes(r.partition)))).toBe(true);
    const committed = await committedOffsets(broker.bootstrap, groupId, topic);
    expect(Object.values(committed).reduce((a, b) => a + b, 0)).toBe(40);

    let again: ClientProcess;
    ({ broker, member: again } = await resumeAfterRestart(broker, topic, (bootstrap) => new ClientProcess(PY, [SCRIPT, 'group', bootstrap, topic, groupId])));
    expect(again.assignment()).toEqual([0, 1, 2, 3]);
    expect(contentOf(again.records())).toEqual(contentOf(expectedRecords('second', 12)));
  });

  it('lists earliest, latest and by-time offsets and seeks', async () => {
    const topic = 'kp-offsets';
    const lines = await offsetsAndSeek(broker.bootstrap, topic, py);
    expect(lines[0]).toEqual({ earliest: 0, latest: 10, byTime: 0 });
    expect(recordsOf(lines)).toEqual([{ partition: 0, offset: 7, key: 'off-k7', value: 'off-v7', headers: { h: 'off-h7', n: '7' } }]);
  });
});
