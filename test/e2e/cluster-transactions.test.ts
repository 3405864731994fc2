/**
 * Transactions across brokers (real processes: one KRaft controller, three brokers on
 * their own loopback addresses). A kafkajs transactional producer writes to a topic whose
 * three partitions are led by three different brokers, so the transaction coordinator
 * must send COMMIT/ABORT markers to the other leaders (WriteTxnMarkers, key 27) rather
 * than write them on its own broker only. Committed, aborted and committed again, with
 * consumer offsets in the transaction: a read_committed consumer sees exactly the
 * committed records, a read_uncommitted one the aborted ones too (so they were written
 * and filtered, not lost), and the group's offsets are committed with the transaction.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker } from '../helpers/cli.js';
import { commandWorks } from '../interop/clients/harness.js';
import { recordSkip } from '../helpers/skips.js';
import { cli, layoutCluster, removeLayout, spawnCluster, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

const TOPIC = 'txn-spread';
const PY = '/usr/bin/python3';
const hasConfluent = commandWorks(PY, ['-c', 'import confluent_kafka']);
if (!hasConfluent) {
  recordSkip({ suite: 'librdkafka transactions across brokers', reason: '/usr/bin/python3 cannot import confluent_kafka', package: 'python3-confluent-kafka', install: 'apt-get install python3-confluent-kafka' });
}

/** librdkafka's transactional producer: two records per partition per transaction; commit, abort, commit. */
const TRANSACTIONAL_PY = `
import sys
from confluent_kafka import Producer
bootstrap, topic = sys.argv[1], sys.argv[2]
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'ck-spread', 'enable.idempotence': True})
p.init_transactions(60)
done = []
for tag, commit in (('committed1', True), ('aborted', False), ('committed2', True)):
    p.begin_transaction()
    for partition in range(3):
        for i in range(2):
            p.produce(topic, ('%s-p%d-%d' % (tag, partition, i)).encode(), partition=partition)
    p.flush(60)
    if commit:
        p.commit_transaction(60)
    else:
        p.abort_transaction(60)
    done.append(tag)
print(' '.join(done))
`;

describe('transactions over partitions led by different brokers (real processes)', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    await requireBuiltBroker();
    layout = await layoutCluster({
      brokers: 3,
      controllers: 1,
      style: 'kraft',
      brokerProps: { 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1', 'transaction.state.log.num.partitions': '3' },
    });
    runDir = await spawnCluster(layout, nodes);
  }, 90_000);

  afterAll(async () => {
    for (const n of [...nodes].reverse()) await n.kill('SIGKILL');
    const dump = process.env.CLUSTER_TEST_DUMP;
    if (dump) {
      fs.mkdirSync(dump, { recursive: true });
      nodes.forEach((n, i) => fs.writeFileSync(path.join(dump, `txn-${n.spec.kind}-${n.spec.id}-${i}.log`), n.output()));
    }
    if (layout) removeLayout(layout);
  }, 60_000);

  async function readAll(kafka: Kafka, topic: string, groupId: string, readUncommitted: boolean, count: number): Promise<string[]> {
    const consumer = kafka.consumer({ groupId, readUncommitted });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    try {
      await waitFor(() => seen.length >= count, 30_000, `${count} records of ${topic} (${readUncommitted ? 'read_uncommitted' : 'read_committed'}); seen ${seen.length}`);
    } finally {
      await consumer.disconnect();
    }
    return seen.sort();
  }

  const client = () => new Kafka({ brokers: layout.bootstrap.split(','), clientId: 'txn', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });

  /** A topic of three partitions, one led by each broker (the first replica of each list leads). */
  async function createSpreadTopic(kafka: Kafka, topic: string): Promise<void> {
    const [a, b, c] = layout.brokers.map((x) => x.id);
    const setup = kafka.admin();
    await setup.connect();
    try {
      const replicas = [[a!, b!], [b!, c!], [c!, a!]];
      expect(await setup.createTopics({ topics: [{ topic, replicaAssignment: replicas.map((r, partition) => ({ partition, replicas: r })) }] })).toBe(true);
    } finally {
      await setup.disconnect();
    }
    const described = await waitFor(async () => {
      const out = (await cli('kafka-topics', ['--describe', '--bootstrap-server', layout.bootstrap, '--topic', topic])).stdout;
      const leaders = [...out.matchAll(/Partition: (\d+)\s+Leader: (-?\d+)/g)].map((m) => Number(m[2]));
      return leaders.length === 3 && new Set(leaders).size === 3 && leaders.every((l) => l >= 0) ? leaders : undefined;
    }, 30_000, `three partitions of ${topic} led by three brokers`);
    expect(described).toEqual([a, b, c]);
  }

  it('commits and aborts on every leader: read_committed sees exactly the committed records, with the offsets', async () => {
    const kafka = client();
    await createSpreadTopic(kafka, TOPIC);

    const producer = kafka.producer({ transactionalId: 'spread-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const batch = (tag: string) => [0, 1, 2].flatMap((partition) => [0, 1].map((i) => ({ partition, value: `${tag}-p${partition}-${i}` })));

    const first = await producer.transaction();
    await first.send({ topic: TOPIC, messages: batch('committed1') });
    await first.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: TOPIC, messages: batch('aborted') });
    await aborted.abort();

    const second = await producer.transaction();
    await second.send({ topic: TOPIC, messages: batch('committed2') });
    // the group's offsets ride on the transaction (AddOffsetsToTxn + TxnOffsetCommit; marker on __consumer_offsets)
    await second.sendOffsets({ consumerGroupId: 'txn-offsets', topics: [{ topic: TOPIC, partitions: [0, 1, 2].map((partition) => ({ partition, offset: String(partition + 1) })) }] });
    await second.commit();
    await producer.disconnect();

    const committed = [...batch('committed1'), ...batch('committed2')].map((m) => m.value).sort();
    const everything = [...committed, ...batch('aborted').map((m) => m.value)].sort();
    expect(await readAll(kafka, TOPIC, 'read-committed', false, committed.length)).toEqual(committed);
    expect(await readAll(kafka, TOPIC, 'read-uncommitted', true, everything.length)).toEqual(everything);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await waitFor(async () => {
        const [topic] = await admin.fetchOffsets({ groupId: 'txn-offsets', topics: [TOPIC] });
        const byPartition = topic!.partitions.sort((x, y) => x.partition - y.partition).map((p) => p.offset);
        return byPartition.every((o) => o !== '-1') ? byPartition : undefined;
      }, 20_000, 'the transaction\'s offsets committed');
      expect(offsets).toEqual(['1', '2', '3']);
    } finally {
      await admin.disconnect();
    }
  }, 150_000);

  it.skipIf(!hasConfluent)('librdkafka (confluent_kafka): commit, abort, commit on every leader; read_committed sees exactly the committed records', async () => {
    const topic = 'txn-spread-librdkafka';
    const kafka = client();
    await createSpreadTopic(kafka, topic);
    const script = path.join(layout.base, 'transactional_producer.py');
    fs.writeFileSync(script, TRANSACTIONAL_PY);
    const result = spawnSync(PY, [script, layout.bootstrap, topic], { encoding: 'utf8', timeout: 90_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('committed1 aborted committed2\n');
    const tagged = (tag: string) => [0, 1, 2].flatMap((p) => [0, 1].map((i) => `${tag}-p${p}-${i}`));
    const committed = [...tagged('committed1'), ...tagged('committed2')].sort();
    expect(await readAll(kafka, topic, 'ck-read-committed', false, committed.length)).toEqual(committed);
    expect(await readAll(kafka, topic, 'ck-read-uncommitted', true, committed.length + 6)).toEqual([...committed, ...tagged('aborted')].sort());
  }, 120_000);
});
