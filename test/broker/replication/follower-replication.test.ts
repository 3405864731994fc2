/**
 * Follower replication between real broker servers in one process (127.0.0.2 … .4), the
 * ReplicaManagers driven with partition states as the metadata publisher would drive
 * them: a follower's log becomes the leader's byte for byte (idempotent producer state
 * included), the leader's high watermark reaches the followers, and acks=all answers
 * only once every ISR member has the batch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicationCluster, eventually, logBytes } from './replication-cluster.js';
import { buildRecordBatch } from '../../../src/protocol/records/record.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { AppendOutcome } from '../../../src/broker/services/partition-data-service.js';

let cluster: ReplicationCluster | null = null;
afterEach(async () => {
  if (process.env.SHOW_BROKER_LINES) for (const b of cluster?.brokers.values() ?? []) console.log(b.id, b.lines.join("\n"));
  await cluster?.close();
  cluster = null;
});

const TOPIC = 'replicated';

function records(prefix: string, count: number, opts: { producerId?: number; baseSequence?: number } = {}): Buffer {
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`) })),
    opts.producerId === undefined ? {} : { producerId: opts.producerId, producerEpoch: 0, baseSequence: opts.baseSequence ?? 0 },
  );
}

async function produce(c: ReplicationCluster, leader: number, batch: Buffer, acks: number, timeoutMs = 20_000): Promise<AppendOutcome> {
  const outcomes = await c.brokers.get(leader)!.replicas.appendRecords([{ topic: TOPIC, partition: 0, records: batch }], {
    requiredAcks: acks,
    allowZstd: true,
    timeoutMs,
  });
  return outcomes[0]!;
}

describe('follower replication', () => {
  it('copies the leader log byte for byte, producer and transaction state included, and brings the high watermark to the followers', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100 });
    for (const id of [1, 2, 3]) await cluster.start(id);
    cluster.createTopic(TOPIC, [[1, 2, 3]]);
    const c = cluster;
    // plain batches and an idempotent producer's batches, acks=1 so the followers lag behind at first
    expect((await produce(c, 1, records('a', 5), 1)).errorCode).toBe(ErrorCode.NONE);
    for (let i = 0; i < 4; i++) {
      expect((await produce(c, 1, records(`p${i}`, 3, { producerId: 4242, baseSequence: i * 3 }), 1)).errorCode).toBe(ErrorCode.NONE);
    }
    expect((await produce(c, 1, records('b', 2), 1)).errorCode).toBe(ErrorCode.NONE);
    // a transaction that is aborted and one still open: .txnindex and open transactions follow on the followers
    const txn = (producerId: number, prefix: string) =>
      buildRecordBatch([{ key: null, value: Buffer.from(prefix) }], { producerId, producerEpoch: 0, baseSequence: 0, transactional: true });
    expect((await produce(c, 1, txn(7001, 'aborted'), 1)).errorCode).toBe(ErrorCode.NONE);
    expect((await produce(c, 1, txn(7002, 'open'), 1)).errorCode).toBe(ErrorCode.NONE);
    const marker = { topic: TOPIC, partition: 0, producerId: 7001, producerEpoch: 0, commit: false, coordinatorEpoch: 0 };
    expect(c.brokers.get(1)!.replicas.writeTxnMarker(marker)).toBe(ErrorCode.NONE);
    const leaderLog = c.log(1, TOPIC, 0);
    expect(leaderLog.logEndOffset).toBe(22);

    const caughtUp = await eventually(() =>
      [2, 3].every((id) => c.log(id, TOPIC, 0).logEndOffset === 22 && c.log(id, TOPIC, 0).highWatermark === 22),
    );
    expect(caughtUp).toBe(true);
    expect(leaderLog.highWatermark).toBe(22);
    const leaderBytes = logBytes(leaderLog);
    for (const id of [2, 3]) {
      const follower = c.log(id, TOPIC, 0);
      expect(logBytes(follower).equals(leaderBytes)).toBe(true);
      expect(follower.producerState.activeProducers()).toEqual(leaderLog.producerState.activeProducers());
      expect(follower.leaderEpochEntries()).toEqual(leaderLog.leaderEpochEntries());
      expect(follower.abortedTxns()).toEqual(leaderLog.abortedTxns());
      expect([...follower.producerState.ongoingTransactions()]).toEqual([[7002, 20]]);
    }
    expect(leaderLog.producerState.activeProducers()).toEqual(
      expect.arrayContaining([expect.objectContaining({ producerId: 4242, producerEpoch: 0, lastSequence: 11 })]),
    );
    expect(leaderLog.abortedTxns()).toEqual([{ producerId: 7001, firstOffset: 19, lastOffset: 21, lastStableOffset: 20 }]);
  });

  it('answers acks=all once every ISR member has the batch, and REQUEST_TIMED_OUT while one cannot fetch', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    for (const id of [1, 2, 3]) await cluster.start(id);
    cluster.createTopic(TOPIC, [[1, 2, 3]]);
    const c = cluster;
    const seenAtAnswer: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await c.brokers.get(1)!.replicas.appendRecords([{ topic: TOPIC, partition: 0, records: records(`r${i}`, 4) }], {
        requiredAcks: -1,
        allowZstd: true,
        timeoutMs: 20_000,
      });
      // the follower logs as they are when the leader answers
      seenAtAnswer.push([2, 3].map((id) => c.log(id, TOPIC, 0).logEndOffset));
      expect(outcome[0]!.errorCode).toBe(ErrorCode.NONE);
      expect(outcome[0]!.baseOffset).toBe(i * 4);
    }
    expect(seenAtAnswer).toEqual([
      [4, 4],
      [8, 8],
      [12, 12],
    ]);

    // broker 3 stops; it stays in the ISR (replica.lag.time.max.ms is 30 s here): acks=all cannot complete
    await c.stop(3);
    const timedOut = await produce(c, 1, records('late', 2), -1, 300);
    expect(timedOut.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(c.log(2, TOPIC, 0).logEndOffset).toBeGreaterThanOrEqual(12);
    // a produce waiting when broker 3 comes back completes once it has caught up
    const waiting = produce(c, 1, records('back', 2), -1, 20_000);
    await c.start(3);
    const outcome = await waiting;
    expect(outcome.errorCode).toBe(ErrorCode.NONE);
    expect(c.log(3, TOPIC, 0).logEndOffset).toBeGreaterThanOrEqual(outcome.baseOffset + 2);
    expect(await eventually(() => logBytes(c.log(3, TOPIC, 0)).equals(logBytes(c.log(1, TOPIC, 0))))).toBe(true);
  });

  it("restarts a follower behind the leader's log start there, and moves its log start with the leader's DeleteRecords", async () => {
    cluster = new ReplicationCluster({ replicaLagTimeMaxMs: 300, replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    for (const id of [1, 2]) await cluster.start(id);
    const c = cluster;
    c.createTopic(TOPIC, [[1, 2]]);
    expect((await produce(c, 1, records('a', 5), -1)).errorCode).toBe(ErrorCode.NONE);
    await c.stop(2);
    expect((await produce(c, 1, records('b', 5), 1)).errorCode).toBe(ErrorCode.NONE);
    // broker 2 leaves the ISR, so the high watermark reaches the log end and records can be deleted up to 8
    expect(await eventually(() => c.state(TOPIC, 0).isr.length === 1 && c.log(1, TOPIC, 0).highWatermark === 10)).toBe(true);
    expect(c.brokers.get(1)!.replicas.deleteRecords(TOPIC, 0, 8)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 8 });

    await c.start(2);
    const follower = c.log(2, TOPIC, 0);
    expect(await eventually(() => follower.logEndOffset === 10 && follower.logStartOffset === 8)).toBe(true);
    const leaderTail = c.log(1, TOPIC, 0).read(8, 1 << 20).records;
    expect(follower.read(8, 1 << 20).records.equals(leaderTail)).toBe(true);
    expect(c.brokers.get(2)!.lines.some((l) => l.includes("Reset fetch offset for partition replicated-0 from 5 to the leader's log start offset 8"))).toBe(true);

    // back in the ISR, the follower follows the leader's log start
    expect(await eventually(() => c.state(TOPIC, 0).isr.length === 2)).toBe(true);
    expect((await produce(c, 1, records('c', 2), -1)).errorCode).toBe(ErrorCode.NONE);
    expect(c.brokers.get(1)!.replicas.deleteRecords(TOPIC, 0, 11).errorCode).toBe(ErrorCode.NONE);
    expect(await eventually(() => follower.logStartOffset === 11)).toBe(true);
  });
});
