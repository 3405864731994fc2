/**
 * The replica manager with followers (driven by hand, as a fake second and third broker
 * would through Fetch with a replica id): the high watermark is the smallest log end
 * offset over the ISR, acks=all completes only once it passes the batch and times out
 * with REQUEST_TIMED_OUT after timeout.ms, acks=1 completes at once, and a follower reads
 * past the high watermark up to the log end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ReplicaManager } from '../../src/broker/replica-manager.js';
import type { MetadataService, PartitionState } from '../../src/broker/services/metadata-service.js';
import type { AppendOutcome } from '../../src/broker/services/partition-data-service.js';
import { PartitionLog, defaultLogConfig } from '../../src/storage/partition-log.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const TOPIC = 'replicated';
const LEADER = 1;

/** A ReplicaManager of broker 1 leading one partition with the given replicas and ISR. */
function setUp(replicas: number[], isr: number[], configs: Record<string, string> = {}) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'replication-'));
  dirs.push(d);
  const log = PartitionLog.open(path.join(d, `${TOPIC}-0`), defaultLogConfig());
  const state: PartitionState = { partition: 0, leader: LEADER, leaderEpoch: 3, replicas, isr, offlineReplicas: [] };
  const topicState = { name: TOPIC, topicId: 'x', internal: false, partitions: [state], configs };
  const metadata = {
    brokerId: LEADER,
    topics: () => [topicState],
    topic: (name: string) => (name === TOPIC ? topicState : undefined),
    getPartition: (topic: string, partition: number) => (topic === TOPIC && partition === 0 ? { state, log } : undefined),
  } as unknown as MetadataService;
  return { log, state, replicas: new ReplicaManager(LEADER, metadata) };
}

function batch(count: number): Buffer {
  return buildRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`) })));
}

/** Starts a produce and reports whether it has completed yet (without waiting for it). */
function produce(replicas: ReplicaManager, records: Buffer, requiredAcks: number, timeoutMs = 30_000) {
  const tracked = { done: false, outcome: null as AppendOutcome | null, promise: null as unknown as Promise<AppendOutcome> };
  const appended = replicas.appendRecords([{ topic: TOPIC, partition: 0, records }], { requiredAcks, allowZstd: true, timeoutMs });
  tracked.promise = Promise.resolve(appended).then((o) => {
    tracked.done = true;
    tracked.outcome = o[0]!;
    return o[0]!;
  });
  return tracked;
}

/** Lets every already-resolved promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A follower's Fetch at its log end offset. */
function followerFetch(replicas: ReplicaManager, replicaId: number, fetchOffset: number) {
  return replicas.readRecords(TOPIC, 0, fetchOffset, 1 << 20, { isolation: 'read_uncommitted', minOneMessage: true, replicaId });
}

describe('replica manager with a follower', () => {
  it('completes acks=all only once the follower has fetched past the batch', async () => {
    const { log, replicas } = setUp([1, 2], [1, 2]);
    const produced = produce(replicas, batch(3), -1);
    await settle();
    expect(produced.done).toBe(false);
    expect(log.logEndOffset).toBe(3);
    expect(log.highWatermark).toBe(0);

    // the follower fetches from 0: it gets the batch (past the high watermark), has none of it yet
    const first = followerFetch(replicas, 2, 0);
    expect(first.errorCode).toBe(ErrorCode.NONE);
    expect(first.records.length).toBeGreaterThan(0);
    expect(first.highWatermark).toBe(0);
    // a consumer sees nothing above the high watermark
    expect(replicas.readRecords(TOPIC, 0, 0, 1 << 20, { isolation: 'read_uncommitted', minOneMessage: true }).records.length).toBe(0);
    await settle();
    expect(produced.done).toBe(false);

    // its next fetch from 3 says it has offsets 0-2: the high watermark moves, the produce completes and fetches wake
    const consumerWait = replicas.waitForData([{ topic: TOPIC, partition: 0 }], 60_000);
    expect(followerFetch(replicas, 2, 3).highWatermark).toBe(3);
    await consumerWait;
    expect(await produced.promise).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(log.highWatermark).toBe(3);
    replicas.close();
    log.close();
  });

  it('answers REQUEST_TIMED_OUT after timeout.ms when the follower does not catch up', async () => {
    vi.useFakeTimers();
    const { log, replicas } = setUp([1, 2], [1, 2]);
    followerFetch(replicas, 2, 0);
    const produced = produce(replicas, batch(2), -1, 1500);
    await vi.advanceTimersByTimeAsync(1499);
    expect(produced.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(produced.done).toBe(true);
    expect(produced.outcome).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, baseOffset: 0 });
    // the batch is in the log all the same (as in Kafka: the client may retry, idempotence de-duplicates)
    expect(log.logEndOffset).toBe(2);
    replicas.close();
    log.close();
  });

  it('completes acks=1 at once, before any follower has the batch', async () => {
    const { log, replicas } = setUp([1, 2], [1, 2]);
    const produced = produce(replicas, batch(4), 1);
    await settle();
    expect(produced.done).toBe(true);
    expect(produced.outcome).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(log.highWatermark).toBe(0);
    replicas.close();
    log.close();
  });

  it('moves the high watermark to the smallest log end offset over the ISR only', async () => {
    // replica 4 is assigned but out of the ISR: its fetches count for nothing
    const { log, replicas } = setUp([1, 2, 3, 4], [1, 2, 3]);
    const produced = produce(replicas, batch(5), -1);
    followerFetch(replicas, 4, 5);
    expect(log.highWatermark).toBe(0);
    followerFetch(replicas, 2, 5);
    followerFetch(replicas, 3, 2);
    expect(log.highWatermark).toBe(2);
    await settle();
    expect(produced.done).toBe(false);
    // a follower that truncated fetches from lower down: the high watermark never drops
    followerFetch(replicas, 3, 1);
    expect(log.highWatermark).toBe(2);
    followerFetch(replicas, 3, 5);
    expect(log.highWatermark).toBe(5);
    expect((await produced.promise).errorCode).toBe(ErrorCode.NONE);
    // a broker that is not a replica of the partition is no follower
    expect(followerFetch(replicas, 9, 5).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    replicas.close();
    log.close();
  });

  it('answers NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas while waiting', async () => {
    const { log, state, replicas } = setUp([1, 2, 3], [1, 2, 3], { 'min.insync.replicas': '3' });
    const produced = produce(replicas, batch(1), -1);
    followerFetch(replicas, 2, 1);
    state.isr = [1, 2];
    followerFetch(replicas, 3, 0);
    expect(log.highWatermark).toBe(1);
    expect((await produced.promise).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    replicas.close();
    log.close();
  });

  it('answers NOT_LEADER_OR_FOLLOWER to a waiting acks=all when this broker loses the leadership', async () => {
    const { log, state, replicas } = setUp([1, 2], [1, 2]);
    const produced = produce(replicas, batch(2), -1);
    await settle();
    expect(produced.done).toBe(false);
    state.leader = 2;
    state.leaderEpoch++;
    replicas.applyLeadershipChanges();
    expect((await produced.promise).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    replicas.close();
    log.close();
  });

  it('is an ISR of one on a single broker: acks=all completes at once with the high watermark at the log end', async () => {
    const { log, replicas } = setUp([1], [1]);
    const produced = produce(replicas, batch(2), -1);
    await settle();
    expect(produced.done).toBe(true);
    expect(produced.outcome?.errorCode).toBe(ErrorCode.NONE);
    expect(log.highWatermark).toBe(log.logEndOffset);
    replicas.close();
    log.close();
  });
});
