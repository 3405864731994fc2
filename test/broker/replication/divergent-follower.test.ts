/**
 * A returning replica whose log diverged from the new leader's (it led an older epoch and
 * wrote records that were never replicated) truncates by leader epoch (OffsetForLeaderEpoch,
 * KIP-101 / KIP-279) before fetching, and converges byte for byte with the leader; with
 * several unclean elections in between it needs more than one round of truncation; one
 * whose fetch offset is past the leader's log end truncates to the leader's high watermark.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicationCluster, eventually, logBytes } from './replication-cluster.js';
import { buildRecordBatch, decodeRecordBatches } from '../../../src/protocol/records/record.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import path from 'node:path';
import { PartitionLog, defaultLogConfig } from '../../../src/storage/partition-log.js';

let cluster: ReplicationCluster | null = null;
afterEach(async () => {
  if (process.env.SHOW_BROKER_LINES) for (const b of cluster?.brokers.values() ?? []) console.log(b.id, b.lines.join('\n'));
  await cluster?.close();
  cluster = null;
});

const TOPIC = 'diverging';

async function produce(c: ReplicationCluster, leader: number, prefix: string, count: number, acks: number): Promise<void> {
  const batch = buildRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${prefix}-${i}`) })));
  const [outcome] = await c.brokers.get(leader)!.replicas.appendRecords([{ topic: TOPIC, partition: 0, records: batch }], {
    requiredAcks: acks,
    allowZstd: true,
    timeoutMs: 20_000,
  });
  expect(outcome!.errorCode).toBe(ErrorCode.NONE);
}

/** Every record value in the log, in offset order. */
function values(log: PartitionLog): string[] {
  const { records } = log.read(log.logStartOffset, 1 << 24);
  return decodeRecordBatches(records).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
}

const converged = (c: ReplicationCluster, leader: number, follower: number) =>
  eventually(() => {
    const a = c.log(leader, TOPIC, 0);
    const b = c.log(follower, TOPIC, 0);
    return a.logEndOffset === b.logEndOffset && logBytes(a).equals(logBytes(b));
  });

describe('a follower with a divergent tail', () => {
  it('truncates to the end offset of its last epoch on the new leader, then converges', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    const c = cluster;
    for (const id of [1, 2]) await c.start(id);
    c.createTopic(TOPIC, [[1, 2]]);
    await produce(c, 1, 'shared', 5, -1);
    // broker 2 goes away; broker 1 writes what will never be replicated
    await c.stop(2);
    await produce(c, 1, 'lost', 3, 1);
    expect(c.log(1, TOPIC, 0).logEndOffset).toBe(8);
    await c.stop(1);
    // the controller elects broker 2 (leader epoch 1); it writes at its own log end
    c.changePartition(TOPIC, 0, { leader: 2, isr: [2] });
    await c.start(2);
    await produce(c, 2, 'new', 4, 1);
    expect(c.log(2, TOPIC, 0).leaderEpochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 5 },
    ]);

    // broker 1 returns as a follower at epoch 1
    await c.start(1);
    expect(await converged(c, 2, 1)).toBe(true);
    const follower = c.log(1, TOPIC, 0);
    expect(values(follower)).toEqual(['shared-0', 'shared-1', 'shared-2', 'shared-3', 'shared-4', 'new-0', 'new-1', 'new-2', 'new-3']);
    expect(follower.leaderEpochEntries()).toEqual(c.log(2, TOPIC, 0).leaderEpochEntries());
    expect(c.brokers.get(1)!.lines.some((l) => l.includes('Truncating partition diverging-0 with TruncationState(offset=5, completed=true)'))).toBe(true);
    // and it is back in the ISR once caught up
    expect(await eventually(() => c.state(TOPIC, 0).isr.length === 2)).toBe(true);
    expect(await eventually(() => follower.highWatermark === 9)).toBe(true);
  });

  it('truncates in more than one round when the leader answers with an epoch the follower never saw', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    const c = cluster;
    for (const id of [1, 2]) await c.start(id);
    c.createTopic(TOPIC, [[1, 2]]);
    await produce(c, 1, 'shared', 5, -1); // epoch 0: offsets 0-4 on both
    await c.stop(1);
    c.changePartition(TOPIC, 0, { leader: 2, isr: [2] }); // epoch 1
    await produce(c, 2, 'e1', 2, 1); // offsets 5-6 on broker 2 only
    await c.stop(2);
    c.changePartition(TOPIC, 0, { leader: 1, isr: [1] }); // epoch 2, unclean
    await c.start(1);
    await produce(c, 1, 'e2', 5, 1); // offsets 5-9 on broker 1 only
    await c.stop(1);
    c.changePartition(TOPIC, 0, { leader: 2, isr: [2] }); // epoch 3, unclean
    await c.start(2);
    await produce(c, 2, 'e3', 3, 1); // offsets 7-9 on broker 2
    expect(c.log(1, TOPIC, 0).leaderEpochEntries().map((e) => e.epoch)).toEqual([0, 2]);
    expect(c.log(2, TOPIC, 0).leaderEpochEntries().map((e) => e.epoch)).toEqual([0, 1, 3]);

    await c.start(1);
    expect(await converged(c, 2, 1)).toBe(true);
    expect(values(c.log(1, TOPIC, 0))).toEqual([
      ...['shared-0', 'shared-1', 'shared-2', 'shared-3', 'shared-4'],
      ...['e1-0', 'e1-1', 'e3-0', 'e3-1', 'e3-2'],
    ]);
    const lines = c.brokers.get(1)!.lines;
    // epoch 2 is unknown to the leader: it answers epoch 1 ending at 7; the follower's epoch 1 is unknown, so it cuts to the end of epoch 0 and asks again
    expect(lines.some((l) => l.includes('TruncationState(offset=5, completed=false)'))).toBe(true);
  });

  it("truncates to the leader's high watermark when its fetch offset is past the leader's log end", async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    const c = cluster;
    for (const id of [1, 2]) await c.start(id);
    c.createTopic(TOPIC, [[1, 2]]);
    await produce(c, 1, 'shared', 3, -1);
    await c.stop(2);
    // broker 2's log gains records of an epoch the leader never had, and a checkpointed high
    // watermark past the leader's log end (as an unclean election can leave behind)
    const dir = path.join(c.brokers.get(2)!.dir, `${TOPIC}-0`);
    const stray = PartitionLog.open(dir, defaultLogConfig());
    stray.appendAsFollower(
      buildRecordBatch([0, 1, 2, 3].map((i) => ({ key: null, value: Buffer.from(`stray-${i}`) })), { baseOffset: 3, partitionLeaderEpoch: 7 }),
    );
    stray.close();
    await c.start(2, { [`${TOPIC}-0`]: 7 });
    // the leader knows nothing of epoch 7: the follower keeps what it holds up to its high watermark (7),
    // then its fetch at 7 is past the leader's end (3): it truncates to the leader's high watermark
    expect(await converged(c, 1, 2)).toBe(true);
    expect(values(c.log(2, TOPIC, 0))).toEqual(['shared-0', 'shared-1', 'shared-2']);
    expect(c.brokers.get(2)!.lines.some((l) => l.includes("Truncating partition diverging-0 from 7 to the leader's high watermark 3"))).toBe(true);
    await produce(c, 1, 'more', 2, -1);
    expect(await converged(c, 1, 2)).toBe(true);
  });
});
