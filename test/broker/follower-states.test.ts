/**
 * The leader's view of its followers (Kafka's Replica.updateFetchStateOrThrow and
 * isCaughtUp), driven with explicit times: a fetch at the leader's log end makes a
 * follower caught up at that time; one reaching the log end the leader had at the
 * previous fetch makes it caught up at the previous fetch's time; a follower is out of
 * sync once neither happened within replica.lag.time.max.ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FollowerStates } from '../../src/broker/follower-states.js';
import type { PartitionState } from '../../src/broker/services/metadata-service.js';
import { PartitionLog, defaultLogConfig } from '../../src/storage/partition-log.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function setUp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'follower-states-'));
  dirs.push(d);
  const log = PartitionLog.open(path.join(d, 't-0'), defaultLogConfig());
  const state: PartitionState = { partition: 0, leader: 1, leaderEpoch: 4, replicas: [1, 2, 3], isr: [1, 2, 3], offlineReplicas: [] };
  const append = (n: number) => log.appendAsLeader(buildRecordBatch(Array.from({ length: n }, () => ({ key: null, value: Buffer.from('v') }))), 4);
  return { log, state, append, followers: new FollowerStates(1) };
}

const LAG = 1000;

describe('FollowerStates', () => {
  it('counts ISR members as caught up when the leadership starts, until the lag time passes without a catch-up', () => {
    const { log, state, append, followers } = setUp();
    append(5);
    followers.reset(log, 4, state.isr, 10_000);
    expect(followers.isCaughtUp(log, 4, 2, 10_500, LAG)).toBe(true);
    expect(followers.isCaughtUp(log, 4, 2, 11_001, LAG)).toBe(false);
    // not in the ISR at the start: never caught up until it fetches
    followers.reset(log, 4, [1, 2], 10_000);
    expect(followers.isCaughtUp(log, 4, 3, 10_000, LAG)).toBe(false);
    expect(followers.highWatermarkOf(log, state, [1, 2])).toBeNull();
  });

  it("applies Kafka's lastCaughtUpTime rule", () => {
    const { log, state, append, followers } = setUp();
    append(5);
    followers.reset(log, 4, state.isr, 0);
    // a fetch at the leader's log end: caught up now
    expect(followers.update(log, state, 2, 5, 20_000)).toBe(true);
    expect(followers.isCaughtUp(log, 4, 2, 20_900, LAG)).toBe(true);
    append(5); // leader at 10
    // the next fetch reaches 5, the leader's end at the previous fetch: caught up as of that fetch (20 000)
    followers.update(log, state, 2, 5, 30_000);
    expect(followers.isCaughtUp(log, 4, 2, 21_000, LAG)).toBe(true);
    expect(followers.isCaughtUp(log, 4, 2, 30_000, LAG)).toBe(false);
    // reaching 10 (the leader's end at the previous fetch) moves it to that fetch's time
    followers.update(log, state, 2, 10, 31_000);
    expect(followers.isCaughtUp(log, 4, 2, 31_000, LAG)).toBe(true);
    // at the leader's log end a follower is in sync however long ago it fetched
    expect(followers.isCaughtUp(log, 4, 2, 99_000, LAG)).toBe(true);
  });

  it('computes the high watermark over the ISR it is given and refuses non-replicas', () => {
    const { log, state, append, followers } = setUp();
    append(10);
    followers.reset(log, 4, state.isr, 0);
    followers.update(log, state, 2, 7, 1);
    followers.update(log, state, 3, 4, 1);
    expect(followers.highWatermarkOf(log, state)).toBe(4);
    expect(followers.highWatermarkOf(log, state, [1, 2])).toBe(7);
    expect(followers.update(log, state, 9, 3, 1)).toBe(false);
    expect(followers.logEndOffsetOf(log, 4, 2)).toBe(7);
    // a new leader epoch forgets everything
    expect(followers.logEndOffsetOf(log, 5, 2)).toBe(-1);
  });
});
