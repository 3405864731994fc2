/**
 * Partitions led by different brokers: each broker leads some partitions and follows
 * others through one fetcher per leader, every partition converges on all its replicas;
 * a deleted topic's partitions stop being fetched (removePartitions) while the other
 * topic's keep replicating; a partition whose batch does not fit what is left of a fetch
 * response comes first in a later fetch instead of waiting for the others to run dry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicationCluster, eventually, logBytes } from './replication-cluster.js';
import { buildRecordBatch } from '../../../src/protocol/records/record.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

let cluster: ReplicationCluster | null = null;
afterEach(async () => {
  if (process.env.SHOW_BROKER_LINES) for (const b of cluster?.brokers.values() ?? []) console.log(b.id, b.lines.join('\n'));
  await cluster?.close();
  cluster = null;
});

async function produce(c: ReplicationCluster, topic: string, partition: number, prefix: string, count: number, acks: number): Promise<number> {
  const leader = c.state(topic, partition).leader;
  const batch = buildRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${prefix}-${i}`) })));
  const [outcome] = await c.brokers.get(leader)!.replicas.appendRecords([{ topic, partition, records: batch }], {
    requiredAcks: acks,
    allowZstd: true,
    timeoutMs: 20_000,
  });
  return outcome!.errorCode;
}

describe('leaders spread over the brokers', () => {
  it('replicates every partition from its own leader and stops fetching a deleted topic', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100 });
    const c = cluster;
    for (const id of [1, 2, 3]) await c.start(id);
    // Kafka's round-robin with shifted followers, as replica placement would give it
    const assignment = [
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
      [1, 3, 2],
      [2, 1, 3],
      [3, 2, 1],
    ];
    c.createTopic('spread', assignment);
    c.createTopic('doomed', [[2, 1], [3, 2]]);
    for (let round = 0; round < 3; round++) {
      for (let p = 0; p < assignment.length; p++) expect(await produce(c, 'spread', p, `r${round}`, 3 + p, -1)).toBe(ErrorCode.NONE);
      for (let p = 0; p < 2; p++) expect(await produce(c, 'doomed', p, `r${round}`, 2, -1)).toBe(ErrorCode.NONE);
    }
    for (let p = 0; p < assignment.length; p++) {
      const leaderBytes = logBytes(c.log(assignment[p]![0]!, 'spread', p));
      for (const id of assignment[p]!.slice(1)) expect(logBytes(c.log(id, 'spread', p)).equals(leaderBytes)).toBe(true);
      expect(c.log(assignment[p]![0]!, 'spread', p).logEndOffset).toBe(3 * (3 + p));
    }

    // the controller deletes "doomed": every broker stops following it
    for (const b of c.brokers.values()) b.replicas.removePartitions([0, 1].map((partition) => ({ topic: 'doomed', partition })));
    expect(c.brokers.get(1)!.replicas.followerFetchState('doomed', 0)).toBeUndefined();
    expect(c.brokers.get(2)!.replicas.followerFetchState('doomed', 1)).toBeUndefined();
    expect(c.brokers.get(1)!.replicas.followerFetchState('spread', 1)).toMatchObject({ state: 'fetching' });
    // writes that only reach the leader's log now (it is gone from the replica manager's view, not from disk)
    c.log(2, 'doomed', 0).appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('after') }]), 0);
    expect(await produce(c, 'spread', 1, 'after', 2, -1)).toBe(ErrorCode.NONE);
    expect(await eventually(() => c.log(1, 'spread', 1).logEndOffset === c.log(2, 'spread', 1).logEndOffset)).toBe(true);
    expect(c.log(1, 'doomed', 0).logEndOffset).toBe(6);
  });

  it('does not starve a partition whose batch is larger than what is left of a fetch response', async () => {
    cluster = new ReplicationCluster({ replicaFetchWaitMaxMs: 100, replicaFetchBackoffMs: 100, replicaFetchResponseMaxBytes: 2000 });
    const c = cluster;
    await c.start(1);
    c.createTopic('busy', [[1, 2]]);
    c.createTopic('big', [[1, 2]]);
    c.changePartition('busy', 0, { isr: [1] });
    c.changePartition('big', 0, { isr: [1] });
    for (let i = 0; i < 20; i++) {
      const [o] = await c.brokers.get(1)!.replicas.appendRecords(
        [{ topic: 'busy', partition: 0, records: buildRecordBatch([{ key: null, value: Buffer.alloc(400, i) }]) }],
        { requiredAcks: 1, allowZstd: true, timeoutMs: 1000 },
      );
      expect(o!.errorCode).toBe(ErrorCode.NONE);
    }
    const bigBatch = buildRecordBatch([{ key: null, value: Buffer.alloc(5000, 2) }]);
    const [bigOutcome] = await c.brokers.get(1)!.replicas.appendRecords([{ topic: 'big', partition: 0, records: bigBatch }], {
      requiredAcks: 1,
      allowZstd: true,
      timeoutMs: 1000,
    });
    expect(bigOutcome!.errorCode).toBe(ErrorCode.NONE);
    await c.start(2);
    // where the follower of "busy" stands when the big batch arrives
    const busyFollower = c.log(2, 'busy', 0);
    const bigFollower = c.log(2, 'big', 0);
    let busyAtBig = -1;
    const append = bigFollower.appendAsFollower.bind(bigFollower);
    bigFollower.appendAsFollower = (records: Buffer) => {
      busyAtBig = busyFollower.logEndOffset;
      return append(records);
    };
    expect(await eventually(() => bigFollower.logEndOffset === 1 && busyFollower.logEndOffset === 20)).toBe(true);
    expect(busyAtBig).toBeGreaterThanOrEqual(0);
    expect(busyAtBig).toBeLessThan(20);
  });
});
