/**
 * Idempotent producers on a three-broker cluster of real processes (one KRaft controller,
 * three brokers on their own loopback addresses):
 * - producer ids come from the controller in blocks (KIP-730), so InitProducerId on two
 *   brokers never hands out the same id (before, every broker started at 0 and a second
 *   producer's batch was taken for a duplicate of the first's after a failover);
 * - an idempotent acks=all producer (kafkajs, then librdkafka through python3
 *   confluent_kafka with enable.idempotence=true) writes continuously to an RF 3,
 *   min.insync.replicas=2 topic while the partition leader is killed -9 and restarted,
 *   twice: every acknowledged record is read back once, in order (offsets and values).
 * The librdkafka part skips, saying why, when /usr/bin/python3 cannot import confluent_kafka.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker } from '../helpers/cli.js';
import { commandWorks } from '../interop/clients/harness.js';
import { cli, layoutCluster, removeLayout, spawnCluster, spawnNode, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';
import { recordSkip } from '../helpers/skips.js';
import { NetworkClient } from '../../src/network/index.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { InitProducerIdResponse, MetadataResponse } from '../../src/protocol/generated/types.js';

const PY = '/usr/bin/python3';
const hasConfluent = commandWorks(PY, ['-c', 'import confluent_kafka']);
if (!hasConfluent) {
  recordSkip({
    suite: 'librdkafka idempotent failover',
    reason: '/usr/bin/python3 cannot import confluent_kafka',
    package: 'python3-confluent-kafka',
    install: 'apt-get install python3-confluent-kafka',
  });
}

/** librdkafka's idempotent producer: one value per line acknowledged, until the stop file appears. */
const PRODUCER_PY = `
import json, os, sys, time
from confluent_kafka import Producer
bootstrap, topic, stop_file = sys.argv[1], sys.argv[2], sys.argv[3]
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
              'message.timeout.ms': 120000, 'retry.backoff.ms': 100, 'linger.ms': 5,
              'topic.metadata.refresh.interval.ms': 1000})
def delivered(err, msg):
    if err is None:
        print(json.dumps({'acked': int(msg.value())}), flush=True)
    else:
        print(json.dumps({'failed': int(msg.value()), 'error': str(err)}), flush=True)
i = 0
while not os.path.exists(stop_file):
    try:
        p.produce(topic, str(i).encode(), callback=delivered)
        i += 1
    except BufferError:
        p.poll(0.1)
        continue
    p.poll(0)
    time.sleep(0.004)
left = p.flush(90)
print(json.dumps({'produced': i, 'unflushed': left}), flush=True)
`;

describe('idempotent producers on a three-broker cluster (real processes)', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    await requireBuiltBroker();
    const fast = { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' };
    layout = await layoutCluster({ brokers: 3, controllers: 1, style: 'kraft', brokerProps: { ...fast, 'replica.lag.time.max.ms': '3000' } });
    // broker.session.timeout.ms is the controller's setting: it fences a silent broker
    Object.assign(layout.controllers[0]!.props, fast);
    runDir = await spawnCluster(layout, nodes);
  }, 90_000);

  afterAll(async () => {
    for (const n of [...nodes].reverse()) await n.kill('SIGKILL');
    const dump = process.env.CLUSTER_TEST_DUMP;
    if (dump) {
      fs.mkdirSync(dump, { recursive: true });
      nodes.forEach((n, i) => fs.writeFileSync(path.join(dump, `${n.spec.kind}-${n.spec.id}-${i}.log`), n.output()));
    }
    if (layout) removeLayout(layout);
  }, 60_000);

  /** the last answer, for the failure message */
  let lastDescribe = '';
  /**
   * The partition's leader and ISR as a live broker's Metadata answers them (one quick
   * request per broker; kafka-topics --describe retries a leaderless partition for long).
   */
  const describeTopic = async (topic: string): Promise<{ leader: number; isr: number[] } | undefined> => {
    const client = new NetworkClient({ clientId: 'describe', requestTimeoutMs: 3_000, connectTimeoutMs: 2_000 });
    try {
      for (const broker of layout.brokers) {
        try {
          const { response } = await client.send<MetadataResponse>({ host: broker.host, port: broker.port }, ApiKey.Metadata, {
            topics: [{ topicId: '', name: topic }],
            allowAutoTopicCreation: false,
            includeClusterAuthorizedOperations: false,
            includeTopicAuthorizedOperations: false,
          }, { minVersion: 1, maxVersion: 9 });
          const p = response.topics[0]?.partitions[0];
          lastDescribe = `broker ${broker.id}: ${JSON.stringify(p ?? response.topics[0] ?? null)}`;
          if (p !== undefined) return { leader: p.leaderId, isr: p.isrNodes };
        } catch (err) {
          lastDescribe = `broker ${broker.id}: ${(err as Error).message}`;
        }
      }
      return undefined;
    } finally {
      client.close();
    }
  };

  async function createReplicatedTopic(topic: string): Promise<void> {
    const created = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--topic', topic, '--partitions', '1', '--replication-factor', '3', '--config', 'min.insync.replicas=2']);
    expect(created.stdout).toBe(`Created topic ${topic}.\n`);
    await waitFor(async () => (await describeTopic(topic))?.isr.length === 3, 30_000, `an ISR of three for ${topic}`);
  }

  /** Kills the partition's leader with -9, waits for another leader, restarts it and waits for the ISR of three. */
  async function killLeaderTwice(topic: string, pause: () => Promise<void>): Promise<void> {
    for (let round = 0; round < 2; round++) {
      await pause();
      const before = (await describeTopic(topic))!;
      const victim = nodes.filter((n) => n.spec.kind === 'broker' && n.spec.id === before.leader).pop()!;
      await victim.kill('SIGKILL');
      await waitFor(async () => {
        const d = await describeTopic(topic);
        return d !== undefined && d.leader >= 0 && d.leader !== before.leader;
      }, 30_000, `a new leader of ${topic} after broker ${before.leader} was killed`).catch((err: Error) => {
        throw new Error(`${err.message}\n${lastDescribe}`);
      });
      const again = spawnNode(victim.spec, runDir);
      nodes.push(again);
      await again.started;
      await waitFor(async () => (await describeTopic(topic))?.isr.length === 3, 40_000, `broker ${before.leader} back in the ISR of ${topic}`);
    }
  }

  /** Every record of the topic, read with kafkajs (offset and value). */
  async function readAll(topic: string, atLeast: number): Promise<{ offset: number; value: number }[]> {
    const kafka = new Kafka({ brokers: layout.bootstrap.split(','), clientId: 'check', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `check-${topic}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: { offset: number; value: number }[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push({ offset: Number(message.offset), value: Number(message.value!.toString()) }) });
    try {
      await waitFor(() => seen.length >= atLeast, 30_000, `${atLeast} records of ${topic}`);
      // whatever was written but not acknowledged (a last batch in flight) may follow: wait for the end offset
      const admin = kafka.admin();
      await admin.connect();
      const end = Number((await admin.fetchTopicOffsets(topic))[0]!.high);
      await admin.disconnect();
      await waitFor(() => seen.length === 0 || seen[seen.length - 1]!.offset >= end - 1, 30_000, `the end offset ${end} of ${topic}`);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  function expectExactlyOnceInOrder(acked: number[], seen: { offset: number; value: number }[]): void {
    const values = seen.map((s) => s.value);
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect(acked.length).toBeGreaterThan(50);
    expect(acked.filter((v) => !counts.has(v))).toEqual([]); // nothing acknowledged is lost
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]); // nothing is written twice
    expect(values).toEqual([...values].sort((a, b) => a - b)); // per-partition order kept
    expect(seen.map((s) => s.offset)).toEqual(seen.map((_, i) => seen[0]!.offset + i)); // offsets consecutive
  }

  it('InitProducerId on different brokers hands out different producer ids (blocks from the controller)', async () => {
    const client = new NetworkClient({ clientId: 'pid-check', requestTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    try {
      const ids: number[] = [];
      for (const broker of [...layout.brokers, ...layout.brokers]) {
        const id = await waitFor(async () => {
          const { response } = await client.send<InitProducerIdResponse>({ host: broker.host, port: broker.port }, ApiKey.InitProducerId, {
            transactionalId: null,
            transactionTimeoutMs: 60_000,
            producerId: -1n,
            producerEpoch: -1,
          }, { minVersion: 0, maxVersion: 4 });
          // COORDINATOR_LOAD_IN_PROGRESS (retriable) while a broker waits for its first block
          if (response.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return undefined;
          expect(response.errorCode).toBe(ErrorCode.NONE);
          expect(response.producerEpoch).toBe(0);
          return { id: Number(response.producerId) };
        }, 20_000, `a producer id from broker ${broker.id}`);
        ids.push(id.id);
      }
      expect(new Set(ids).size).toBe(ids.length);
      // each broker draws from its own block of 1000
      const blocks = layout.brokers.map((_, i) => Math.floor(ids[i]! / 1000));
      expect(new Set(blocks).size).toBe(3);
    } finally {
      client.close();
    }
  }, 60_000);

  it('kafkajs: an idempotent acks=all producer loses and duplicates nothing through two leader kills', async () => {
    const topic = 'failover-kafkajs';
    await createReplicatedTopic(topic);
    const kafka = new Kafka({ brokers: layout.bootstrap.split(','), clientId: 'idempotent', logLevel: logLevel.NOTHING, retry: { retries: 100, initialRetryTime: 100, maxRetryTime: 1000 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const acked: number[] = [];
    let stop = false;
    const loop = (async () => {
      for (let i = 0; !stop; ) {
        try {
          await producer.send({ topic, acks: -1, messages: [{ value: String(i) }] });
          acked.push(i);
          i++;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    })();
    const ackedMore = async (): Promise<void> => {
      const from = acked.length;
      await waitFor(() => acked.length >= from + 20, 30_000, 'kafkajs acknowledging records');
    };
    try {
      await killLeaderTwice(topic, ackedMore);
      await ackedMore();
    } finally {
      stop = true;
      await loop;
      await producer.disconnect();
    }
    expectExactlyOnceInOrder(acked, await readAll(topic, acked.length));
  }, 180_000);

  it.skipIf(!hasConfluent)('librdkafka: an idempotent acks=all producer loses and duplicates nothing through two leader kills', async () => {
    const topic = 'failover-librdkafka';
    await createReplicatedTopic(topic);
    const script = path.join(layout.base, 'idempotent_producer.py');
    fs.writeFileSync(script, PRODUCER_PY);
    const stopFile = path.join(layout.base, 'stop-producer');
    const child: ChildProcess = spawn(PY, [script, layout.bootstrap, topic, stopFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    const failed: string[] = [];
    let summary: { produced: number; unflushed: number } | undefined;
    let stderr = '';
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { acked?: number; failed?: number; error?: string; produced?: number; unflushed?: number };
        if (event.acked !== undefined) acked.push(event.acked);
        else if (event.failed !== undefined) failed.push(`${event.failed}: ${event.error}`);
        else summary = event as { produced: number; unflushed: number };
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ackedMore = async (): Promise<void> => {
      const from = acked.length;
      await waitFor(() => acked.length >= from + 20, 30_000, `librdkafka acknowledging records (stderr: ${stderr.slice(-500)})`);
    };
    try {
      await killLeaderTwice(topic, ackedMore);
      await ackedMore();
    } finally {
      fs.writeFileSync(stopFile, '');
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 100_000))]);
      if (code === 'timeout') child.kill('SIGKILL');
    }
    expect(summary?.unflushed).toBe(0);
    expect(failed).toEqual([]);
    expect(acked.length).toBe(summary!.produced);
    expectExactlyOnceInOrder(acked, await readAll(topic, acked.length));
  }, 180_000);
});
