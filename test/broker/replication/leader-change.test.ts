/**
 * A leadership move between live brokers (as a preferred-leader election or a controlled
 * shutdown does it): the old leader answers produces with NOT_LEADER_OR_FOLLOWER, an
 * acks=all waiting on it fails the same way, it becomes a follower of the new leader, and
 * every follower switches its fetcher; acks=all on the new leader then completes with
 * all three copies, and the logs agree byte for byte.
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

const TOPIC = 'moving';

function produce(c: ReplicationCluster, leader: number, prefix: string, count: number, acks: number, timeoutMs = 20_000): Promise<AppendOutcome> {
  const batch = buildRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${prefix}-${i}`) })));
  return Promise.resolve(
    c.brokers.get(leader)!.replicas.appendRecords([{ topic: TOPIC, partition: 0, records: batch }], { requiredAcks: acks, allowZstd: true, timeoutMs }),
  ).then((o) => o[0]!);
}

describe('a leadership move between live brokers', () => {
  it('turns the old leader into a follower of the new one and moves every fetcher', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    const c = cluster;
    for (const id of [1, 2, 3]) await c.start(id);
    c.createTopic(TOPIC, [[1, 2, 3]]);
    expect((await produce(c, 1, 'a', 4, -1)).errorCode).toBe(ErrorCode.NONE);

    // broker 3 stops, still in the ISR: an acks=all on broker 1 waits for it
    await c.stop(3);
    const waiting = produce(c, 1, 'b', 2, -1);
    expect(await eventually(() => c.log(2, TOPIC, 0).logEndOffset === 6)).toBe(true);
    c.changePartition(TOPIC, 0, { leader: 2 });
    expect(c.state(TOPIC, 0).leaderEpoch).toBe(1);
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await produce(c, 1, 'c', 1, 1)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(c.brokers.get(1)!.replicas.followerFetchState(TOPIC, 0)).toBeDefined();

    await c.start(3);
    const outcome = await produce(c, 2, 'd', 3, -1);
    expect(outcome).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 6 });
    for (const id of [1, 3]) expect(c.log(id, TOPIC, 0).logEndOffset).toBeGreaterThanOrEqual(9);
    const leaderBytes = () => logBytes(c.log(2, TOPIC, 0));
    expect(await eventually(() => [1, 3].every((id) => logBytes(c.log(id, TOPIC, 0)).equals(leaderBytes())))).toBe(true);
    expect(c.log(1, TOPIC, 0).leaderEpochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 6 },
    ]);
    expect(await eventually(() => [1, 3].every((id) => c.log(id, TOPIC, 0).highWatermark === 9))).toBe(true);
  });

  it('backs a follower off while its leader has not heard of the new epoch yet, and fences one that is behind', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    const c = cluster;
    for (const id of [1, 2, 3]) await c.start(id);
    c.createTopic(TOPIC, [[1, 2, 3]]);
    expect((await produce(c, 1, 'a', 2, -1)).errorCode).toBe(ErrorCode.NONE);

    // epoch 1, same leader: broker 3 hears of it first; broker 1 still leads at epoch 0
    c.changePartition(TOPIC, 0, { leaderEpoch: 1 }, [3]);
    expect(await eventually(() => c.brokers.get(3)!.lines.some((l) => l.includes('failed with UNKNOWN_LEADER_EPOCH')))).toBe(true);
    // broker 3 (epoch 1) is not served while broker 2 (epoch 0) still is
    expect((await produce(c, 1, 'b', 2, 1)).errorCode).toBe(ErrorCode.NONE);
    expect(await eventually(() => c.log(2, TOPIC, 0).logEndOffset === 4)).toBe(true);
    expect(c.log(3, TOPIC, 0).logEndOffset).toBe(2);

    // the leader learns epoch 1: broker 2, still at epoch 0, is fenced; broker 3 catches up
    c.publishTo([1], TOPIC, 0);
    expect(await eventually(() => c.log(3, TOPIC, 0).logEndOffset === 4)).toBe(true);
    expect(await eventually(() => c.brokers.get(2)!.lines.some((l) => l.includes('failed with FENCED_LEADER_EPOCH')))).toBe(true);
    expect((await produce(c, 1, 'c', 2, 1)).errorCode).toBe(ErrorCode.NONE);
    expect(c.log(2, TOPIC, 0).logEndOffset).toBe(4);

    // and fetches again once it hears of epoch 1 too
    c.publishTo([2], TOPIC, 0);
    expect(await eventually(() => [2, 3].every((id) => logBytes(c.log(id, TOPIC, 0)).equals(logBytes(c.log(1, TOPIC, 0)))))).toBe(true);
    expect(c.log(1, TOPIC, 0).logEndOffset).toBe(6);
  });
});
