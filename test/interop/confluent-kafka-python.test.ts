/**
 * confluent-kafka-python 1.7 (librdkafka 2.0.2, Debian's python3-confluent-kafka)
 * against our broker, driven by clients/confluent_kafka_client.py: keyed
 * records with headers in every codec both ways with kafkajs, the idempotent
 * producer, an eager two-member group resuming after a broker restart, the
 * cooperative-sticky assignor (incremental rebalance), static membership
 * (group.instance.id) and ListOffsets with a seek.
 * Skips, saying why, when /usr/bin/python3 cannot import confluent_kafka.
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
  kafkajsClient,
  produceWithKafkajs,
  recordsOf,
  resumeAfterRestart,
  offsetsAndSeek,
  runClient,
  waitForSplit,
} from './clients/harness.js';
import { recordSkip } from '../helpers/skips.js';

const PY = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'clients', 'confluent_kafka_client.py');
const hasConfluent = commandWorks(PY, ['-c', 'import confluent_kafka']);
if (!hasConfluent) recordSkip({ suite: 'confluent-kafka-python interop', reason: '/usr/bin/python3 cannot import confluent_kafka', package: 'python3-confluent-kafka', install: 'apt-get install python3-confluent-kafka' });

const ck = (args: string[], timeoutMs?: number) => runClient(PY, [SCRIPT, ...args], timeoutMs);
const member = (bootstrap: string, topic: string, groupId: string, strategy: string, instanceId = '-') =>
  new ClientProcess(PY, [SCRIPT, 'group', bootstrap, topic, groupId, strategy, instanceId]);
const revokedBy = (m: ClientProcess) => m.lines.filter((l) => l.revoked !== undefined).flatMap((l) => l.revoked as number[]);

let broker: TestBroker;
beforeAll(async () => {
  if (hasConfluent) broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.close();
});

describe.skipIf(!hasConfluent)('confluent-kafka-python interop', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`produces keyed records with headers (${codec}); kafkajs reads them back`, async () => {
      const topic = `ck-produce-${codec}`;
      await createTopic(broker.bootstrap, topic, 3);
      expect(await ck(['produce', broker.bootstrap, topic, codec, `ck-${codec}`, '60', '0'])).toEqual([{ produced: 60 }]);
      expect(contentOf(await consumeWithKafkajs(broker.bootstrap, topic, 60))).toEqual(contentOf(expectedRecords(`ck-${codec}`, 60)));
    });
  }

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    it(`reads back what kafkajs wrote (${codec})`, async () => {
      const topic = `ck-consume-${codec}`;
      await createTopic(broker.bootstrap, topic, 2);
      await produceWithKafkajs(broker.bootstrap, topic, codec, `js-${codec}`, 40);
      const got = recordsOf(await ck(['consume', broker.bootstrap, topic, '40']));
      expect(contentOf(got)).toEqual(contentOf(expectedRecords(`js-${codec}`, 40)));
    });
  }

  it('the idempotent producer (enable.idempotence) writes every record exactly once', async () => {
    const topic = 'ck-idempotent';
    await createTopic(broker.bootstrap, topic, 2);
    expect(await ck(['produce', broker.bootstrap, topic, 'lz4', 'idem', '200', '1'])).toEqual([{ produced: 200 }]);
    const got = await consumeWithKafkajs(broker.bootstrap, topic, 200);
    expect(contentOf(got)).toEqual(contentOf(expectedRecords('idem', 200)));
    const admin = kafkajsClient(broker.bootstrap).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(200);
  });

  it('two group members split the partitions, commit, and resume after a broker restart', async () => {
    const topic = 'ck-group';
    const groupId = 'ck-group-1';
    await createTopic(broker.bootstrap, topic, 4);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'first', 40);
    const members = [member(broker.bootstrap, topic, groupId, 'range'), member(broker.bootstrap, topic, groupId, 'range')];
    try {
      const split = await waitForSplit(members, 4);
      expect(split.map((a) => a.length)).toEqual([2, 2]);
      await members[0]!.waitFor('all 40 records', () => members[0]!.records().length + members[1]!.records().length >= 40);
      await Promise.all(members.map((m) => m.stop()));
    } finally {
      members.forEach((m) => m.kill());
    }
    expect(contentOf(members.flatMap((m) => m.records()))).toEqual(contentOf(expectedRecords('first', 40)));
    const committed = await committedOffsets(broker.bootstrap, groupId, topic);
    expect(Object.values(committed).reduce((a, b) => a + b, 0)).toBe(40);

    let again: ClientProcess;
    ({ broker, member: again } = await resumeAfterRestart(broker, topic, (bootstrap) => member(bootstrap, topic, groupId, 'range')));
    expect(contentOf(again.records())).toEqual(contentOf(expectedRecords('second', 12)));
  });

  it('cooperative-sticky: a second member takes half the partitions without the first giving up the rest', async () => {
    const topic = 'ck-coop';
    await createTopic(broker.bootstrap, topic, 4);
    const first = member(broker.bootstrap, topic, 'ck-coop-group', 'cooperative-sticky');
    let second: ClientProcess | undefined;
    try {
      await first.waitFor('all four partitions', () => first.assignment()?.length === 4);
      second = member(broker.bootstrap, topic, 'ck-coop-group', 'cooperative-sticky');
      const split = await waitForSplit([first, second], 4);
      expect(split.map((a) => a.length)).toEqual([2, 2]);
      // incremental: the first member revoked exactly what moved, never all four at once
      expect(revokedBy(first).sort()).toEqual(split[1]);
      expect(revokedBy(second)).toEqual([]);
      // both still consume: one record per partition reaches the owner
      await produceWithKafkajs(broker.bootstrap, topic, 'none', 'coop', 16);
      await first.waitFor('16 records in total', () => first.records().length + second!.records().length >= 16);
      for (const m of [first, second]) {
        expect(new Set(m.records().map((r) => r.partition))).toEqual(new Set(m.assignment()));
      }
      await Promise.all([first.stop(), second.stop()]);
    } finally {
      first.kill();
      second?.kill();
    }
  });

  it('static membership: members that restart with their group.instance.id get their partitions back without a rebalance', async () => {
    const topic = 'ck-static';
    const groupId = 'ck-static-group';
    await createTopic(broker.bootstrap, topic, 4);
    const started: ClientProcess[] = [];
    const start = (instanceId: string) => {
      const m = member(broker.bootstrap, topic, groupId, 'range', instanceId);
      started.push(m);
      return m;
    };
    try {
      let current = { a: start('instance-a'), b: start('instance-b') };
      const [splitA, splitB] = await waitForSplit([current.a, current.b], 4);
      const expected = { a: splitA, b: splitB };
      // restart b, then a: one of them is the group leader, so both paths are covered
      for (const restarting of ['b', 'a'] as const) {
        const other = restarting === 'a' ? 'b' : 'a';
        const linesOfOther = current[other].lines.length;
        await current[restarting].stop(); // a static member sends no LeaveGroup on close
        const again = start(`instance-${restarting}`);
        current = { ...current, [restarting]: again };
        await again.waitFor('the restarted member assignment', () => again.assignment() !== undefined);
        expect(again.assignment()).toEqual(expected[restarting]);
        await new Promise((r) => setTimeout(r, 1500));
        // the other member saw no rebalance at all
        expect(current[other].lines.slice(linesOfOther).filter((l) => l.assigned !== undefined || l.revoked !== undefined)).toEqual([]);
        expect(current[other].assignment()).toEqual(expected[other]);
      }
      const admin = kafkajsClient(broker.bootstrap).admin();
      await admin.connect();
      const described = await admin.describeGroups([groupId]);
      await admin.disconnect();
      expect(described.groups[0]!.state).toBe('Stable');
      expect(described.groups[0]!.members).toHaveLength(2);
      await Promise.all([current.a.stop(), current.b.stop()]);
    } finally {
      started.forEach((m) => m.kill());
    }
  });

  it('lists earliest, latest and by-time offsets and seeks', async () => {
    const topic = 'ck-offsets';
    const lines = await offsetsAndSeek(broker.bootstrap, topic, ck);
    expect(lines[0]).toEqual({ earliest: 0, latest: 10, byTime: 0 });
    expect(recordsOf(lines)).toEqual([{ partition: 0, offset: 7, key: 'off-k7', value: 'off-v7', headers: { h: 'off-h7', n: '7' } }]);
  });
});
