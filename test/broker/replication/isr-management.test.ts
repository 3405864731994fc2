/**
 * The leader's ISR management between real broker servers: a follower that stops
 * fetching leaves the ISR after replica.lag.time.max.ms (AlterPartition to a fake
 * controller), acks=all then completes with the smaller ISR while min.insync.replicas
 * allows it and is refused with NOT_ENOUGH_REPLICAS when not, and the follower rejoins
 * once it has caught up after a restart. While the controller cannot be reached, the
 * proposed shrink stays pending and the high watermark keeps counting the lagging replica;
 * an acks=all that waited through a shrink below min.insync.replicas answers
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicationCluster, eventually, logBytes } from './replication-cluster.js';
import { buildRecordBatch } from '../../../src/protocol/records/record.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { AppendOutcome } from '../../../src/broker/services/partition-data-service.js';

let cluster: ReplicationCluster | null = null;
afterEach(async () => {
  if (process.env.SHOW_BROKER_LINES) for (const b of cluster?.brokers.values() ?? []) console.log(b.id, b.lines.join('\n'));
  await cluster?.close();
  cluster = null;
});

function records(prefix: string, count: number): Buffer {
  return buildRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${prefix}-${i}`) })));
}

async function produce(c: ReplicationCluster, topic: string, batch: Buffer, acks: number, timeoutMs = 20_000): Promise<AppendOutcome> {
  const outcomes = await c.brokers.get(1)!.replicas.appendRecords([{ topic, partition: 0, records: batch }], {
    requiredAcks: acks,
    allowZstd: true,
    timeoutMs,
  });
  return outcomes[0]!;
}

const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((id) => b.includes(id));

describe('ISR management', () => {
  it('shrinks a follower that stopped fetching out of the ISR and adds it back once it caught up', async () => {
    cluster = new ReplicationCluster({ replicaLagTimeMaxMs: 400, replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    for (const id of [1, 2, 3]) await cluster.start(id);
    const c = cluster;
    c.createTopic('two-needed', [[1, 2, 3]], { 'min.insync.replicas': '2' });
    c.createTopic('three-needed', [[1, 2, 3]], { 'min.insync.replicas': '3' });
    expect((await produce(c, 'two-needed', records('a', 3), -1)).errorCode).toBe(ErrorCode.NONE);

    await c.stop(3);
    // as in Kafka, a silent follower is out of sync only once the leader has records it lacks
    expect((await produce(c, 'two-needed', records('x', 1), 1)).errorCode).toBe(ErrorCode.NONE);
    expect((await produce(c, 'three-needed', records('x', 1), 1)).errorCode).toBe(ErrorCode.NONE);
    // the fake controller commits the leader's AlterPartition; the leader's view follows
    expect(await eventually(() => sameSet(c.state('two-needed', 0).isr, [1, 2]))).toBe(true);
    expect(await eventually(() => sameSet(c.state('three-needed', 0).isr, [1, 2]))).toBe(true);
    expect(c.isrHistory.get('two-needed-0')).toEqual([[1, 2, 3], [1, 2]]);
    expect(c.brokers.get(1)!.lines.some((l) => l.includes('Shrinking ISR from 1,2,3 to 1,2'))).toBe(true);

    // acks=all with the smaller ISR: fine where 2 are needed, refused before the append where 3 are
    const ok = await produce(c, 'two-needed', records('b', 2), -1);
    expect(ok).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
    const leo = c.log(1, 'three-needed', 0).logEndOffset;
    const refused = await produce(c, 'three-needed', records('c', 1), -1);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(c.log(1, 'three-needed', 0).logEndOffset).toBe(leo);
    expect((await produce(c, 'three-needed', records('d', 1), 1)).errorCode).toBe(ErrorCode.NONE);

    // broker 3 returns, catches up and is added back
    await c.start(3);
    expect(await eventually(() => sameSet(c.state('two-needed', 0).isr, [1, 2, 3]))).toBe(true);
    expect(await eventually(() => sameSet(c.state('three-needed', 0).isr, [1, 2, 3]))).toBe(true);
    expect(c.isrHistory.get('two-needed-0')).toEqual([[1, 2, 3], [1, 2], [1, 2, 3]]);
    expect(logBytes(c.log(3, 'two-needed', 0)).equals(logBytes(c.log(1, 'two-needed', 0)))).toBe(true);
    expect((await produce(c, 'three-needed', records('e', 1), -1)).errorCode).toBe(ErrorCode.NONE);
  });

  it('keeps counting a lagging replica for the high watermark while its removal is not committed', async () => {
    cluster = new ReplicationCluster({ replicaLagTimeMaxMs: 300, replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    for (const id of [1, 2]) await cluster.start(id);
    const c = cluster;
    c.createTopic('pending', [[1, 2]]);
    expect((await produce(c, 'pending', records('a', 2), -1)).errorCode).toBe(ErrorCode.NONE);
    c.controllerAvailable = false;
    await c.stop(2);
    const waiting = produce(c, 'pending', records('b', 2), -1, 1500);
    // the shrink is proposed (and fails, reported once) more than once meanwhile; the ISR stays [1, 2]
    expect(await eventually(() => c.brokers.get(1)!.lines.filter((l) => l.includes('Shrinking ISR from 1,2 to 1.')).length >= 2)).toBe(true);
    expect(c.brokers.get(1)!.lines.filter((l) => l.includes('Failed to update ISR to 1: controller unreachable'))).toHaveLength(1);
    expect(c.log(1, 'pending', 0).highWatermark).toBe(2);
    expect((await waiting).errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    // once the controller answers, the ISR shrinks and the high watermark moves to the leader's log end
    c.controllerAvailable = true;
    expect(await eventually(() => sameSet(c.state('pending', 0).isr, [1]))).toBe(true);
    expect(await eventually(() => c.log(1, 'pending', 0).highWatermark === 4)).toBe(true);
  });

  it('answers NOT_ENOUGH_REPLICAS_AFTER_APPEND to an acks=all that waited while the ISR shrank below min.insync.replicas', async () => {
    cluster = new ReplicationCluster({ replicaLagTimeMaxMs: 300, replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    for (const id of [1, 2]) await cluster.start(id);
    const c = cluster;
    c.createTopic('guarded', [[1, 2]], { 'min.insync.replicas': '2' });
    expect((await produce(c, 'guarded', records('a', 2), -1)).errorCode).toBe(ErrorCode.NONE);
    await c.stop(2);
    const waiting = await produce(c, 'guarded', records('b', 2), -1);
    // appended and kept, but not on min.insync.replicas copies
    expect(waiting.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    expect(c.state('guarded', 0).isr).toEqual([1]);
    expect(c.log(1, 'guarded', 0).logEndOffset).toBe(4);
    expect((await produce(c, 'guarded', records('c', 1), -1)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(c.log(1, 'guarded', 0).logEndOffset).toBe(4);
  });

  it('counts a replica whose addition is in flight for the high watermark', async () => {
    cluster = new ReplicationCluster({ replicaLagTimeMaxMs: 30_000, replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    const c = cluster;
    await c.start(1);
    c.createTopic('joining', [[1, 2]]);
    c.changePartition('joining', 0, { isr: [1] });
    expect((await produce(c, 'joining', records('a', 3), -1)).errorCode).toBe(ErrorCode.NONE);
    // broker 2 catches up; the controller holds its addition
    c.holdAlterPartition();
    await c.start(2);
    expect(await eventually(() => c.brokers.get(1)!.lines.some((l) => l.includes('Expanding ISR from 1 to 1,2')))).toBe(true);
    expect(c.state('joining', 0).isr).toEqual([1]);
    await c.stop(2);
    // the committed ISR is [1], but the maximal one [1, 2] holds the high watermark at broker 2's end
    expect((await produce(c, 'joining', records('b', 2), 1)).errorCode).toBe(ErrorCode.NONE);
    expect(c.log(1, 'joining', 0).logEndOffset).toBe(5);
    expect(c.log(1, 'joining', 0).highWatermark).toBe(3);
    c.releaseAlterPartition();
    expect(await eventually(() => c.state('joining', 0).isr.length === 2)).toBe(true);
    expect(c.log(1, 'joining', 0).highWatermark).toBe(3);
  });
});
