/**
 * Done-when 3 (kafkajs half): an idempotent acks=all producer writes continuously to an
 * RF 3, min.insync.replicas=2 topic on three brokers (real processes on 127.0.0.x) while
 * the partition leader is killed -9 and restarted, twice. Every acknowledged record is
 * consumed afterwards, none twice, in the order sent (values are the send order).
 * Adapted from T3's scratch check (notes/t3-idempotent-failover.test.ts.txt).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { requireBuiltBroker } from '../helpers/cli.js';
import { cli, layoutCluster, removeLayout, spawnNode, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';

const TOPIC = 'failover';

function leaderOf(stdout: string): { leader: number; isr: number[] } | undefined {
  const m = /Partition: 0\s+Leader: (-?\d+)\s+Replicas: ([\d,]+)\s+Isr: ([\d,]*)/.exec(stdout);
  return m ? { leader: Number(m[1]), isr: m[3] ? m[3].split(',').map(Number) : [] } : undefined;
}

describe('kafkajs idempotent acks=all through two leader kills (three brokers)', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];

  beforeAll(async () => {
    await requireBuiltBroker();
    layout = await layoutCluster({
      brokers: 3,
      controllers: 1,
      style: 'zookeeper',
      brokerProps: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' },
    });
    runDir = path.join(layout.base, 'run');
    fs.mkdirSync(runDir, { recursive: true });
    const zk = spawnNode(layout.controllers[0]!, runDir);
    nodes.push(zk);
    await zk.started;
    const brokers = layout.brokers.map((b) => spawnNode(b, runDir));
    nodes.push(...brokers);
    await Promise.all(brokers.map((b) => b.started));
  }, 90_000);

  afterAll(async () => {
    for (const n of [...nodes].reverse()) await n.kill('SIGKILL');
    if (layout) removeLayout(layout);
  }, 60_000);

  it('loses no acknowledged record, duplicates none and keeps the order', async () => {
    const created = await cli('kafka-topics', ['--create', '--bootstrap-server', layout.bootstrap, '--topic', TOPIC, '--partitions', '1', '--replication-factor', '3', '--config', 'min.insync.replicas=2']);
    expect(created.code).toBe(0);
    const describe = async () => leaderOf((await cli('kafka-topics', ['--describe', '--bootstrap-server', layout.bootstrap, '--topic', TOPIC])).stdout);
    await waitFor(async () => (await describe())?.isr.length === 3, 20_000, 'an ISR of three');

    const kafka = new Kafka({ brokers: layout.bootstrap.split(','), clientId: 'failover', logLevel: logLevel.NOTHING, retry: { retries: 100, initialRetryTime: 100, maxRetryTime: 1000 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const acked: number[] = [];
    let stop = false;
    const loop = (async () => {
      let i = 0;
      while (!stop) {
        try {
          await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: String(i) }] });
          acked.push(i);
          i++;
        } catch {
          // not acknowledged: the same value is sent again (idempotence keeps one copy if it was written)
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();

    for (let round = 0; round < 2; round++) {
      const ackedBefore = acked.length;
      await waitFor(() => acked.length > ackedBefore + 20, 20_000, 'records acknowledged before the kill');
      const before = (await describe())!;
      const victim = nodes.filter((n) => n.spec.kind === 'broker' && n.spec.id === before.leader).pop()!;
      await victim.kill('SIGKILL');
      await waitFor(async () => {
        const d = await describe();
        return d && d.leader >= 0 && d.leader !== before.leader ? d : undefined;
      }, 30_000, 'a new leader');
      const again = spawnNode(victim.spec, runDir);
      nodes.push(again);
      await again.started;
      await waitFor(async () => (await describe())?.isr.length === 3, 30_000, 'the restarted broker back in the ISR');
    }
    const ackedAfter = acked.length;
    await waitFor(() => acked.length > ackedAfter + 20, 20_000, 'records acknowledged after the second restart');
    stop = true;
    await loop;
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'check' });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const seen: number[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(Number(message.value!.toString())) });
    await waitFor(() => seen.length >= acked.length, 30_000, 'every acknowledged record consumed');
    await consumer.disconnect();
    const missing = acked.filter((v) => !seen.includes(v));
    const duplicates = seen.filter((v, i) => seen.indexOf(v) !== i);
    expect(missing).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  }, 240_000);
});
