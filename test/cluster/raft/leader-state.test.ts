/**
 * The leader's bookkeeping (LeaderState) and the quorum-state file, without a network:
 * the high watermark is what a majority of voters (the leader included) has, only once
 * that is past the epoch's LeaderChangeMessage, never moving back; observers never count;
 * check quorum; and quorum-state written and read back as Kafka's JSON.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderState } from '../../../src/cluster/raft/leader-state.js';
import { QuorumStateFile } from '../../../src/cluster/raft/quorum-state-file.js';

describe('LeaderState', () => {
  it('moves the high watermark to what a majority has, once past the epoch start, never back', () => {
    // leader 1 of voters 1,2,3; this epoch's LeaderChangeMessage is at offset 10
    const s = new LeaderState(1, 4, 10, [1, 2, 3], 0);
    expect(s.updateLocal(11, 0)).toBe(false); // the leader alone is no majority
    expect(s.updateReplica(2, 10, 11, 1)).toBe(false); // voter 2 lacks the LeaderChangeMessage: nothing of this epoch yet
    expect(s.highWatermark).toBe(-1);
    expect(s.updateReplica(2, 11, 11, 2)).toBe(true);
    expect(s.highWatermark).toBe(11);
    s.updateLocal(20, 3);
    expect(s.updateReplica(3, 15, 20, 4)).toBe(true); // 1:20 2:11 3:15 → 15
    expect(s.highWatermark).toBe(15);
    expect(s.updateReplica(3, 12, 20, 5)).toBe(false); // a replica that truncated does not move it back
    expect(s.highWatermark).toBe(15);
    // an observer fetching at the log end counts for nothing
    expect(s.updateReplica(100, 20, 20, 6)).toBe(false);
    expect(s.observers.has(100)).toBe(true);
    expect(s.highWatermark).toBe(15);
  });

  it('needs three of four voters, and both of two', () => {
    const four = new LeaderState(1, 1, 0, [1, 2, 3, 4], 0);
    four.updateLocal(5, 0);
    four.updateReplica(2, 5, 5, 0);
    expect(four.highWatermark).toBe(-1);
    four.updateReplica(3, 5, 5, 0);
    expect(four.highWatermark).toBe(5);
    const two = new LeaderState(1, 1, 0, [1, 2], 0);
    two.updateLocal(5, 0);
    expect(two.highWatermark).toBe(-1);
    two.updateReplica(2, 3, 5, 0);
    expect(two.highWatermark).toBe(3);
  });

  it('knows when a majority stopped fetching (check quorum) and describes voters and observers', () => {
    const s = new LeaderState(1, 2, 0, [1, 2, 3], 1000);
    expect(s.majorityFollowing(1500, 3000)).toBe(true); // still within the window since the election
    s.updateReplica(2, 0, 5, 2000);
    expect(s.majorityFollowing(4000, 3000)).toBe(true);
    expect(s.majorityFollowing(5001, 3000)).toBe(true); // last majority contact at 4000
    expect(s.majorityFollowing(7001, 3000)).toBe(false);
    s.updateLocal(5, 7001);
    s.updateReplica(7, 5, 5, 7001);
    const d = s.describe(7002);
    expect(d.voters.map((v) => [v.replicaId, v.logEndOffset])).toEqual([
      [1, 5n],
      [2, 0n],
      [3, -1n],
    ]);
    expect(d.voters[0]!.lastFetchTimestamp).toBe(7002n);
    expect(d.voters[2]!.lastFetchTimestamp).toBe(-1n);
    expect(d.observers.map((o) => [o.replicaId, o.logEndOffset, o.lastCaughtUpTimestamp])).toEqual([[7, 5n, 7001n]]);
  });
});

describe('QuorumStateFile', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it("writes and reads Kafka's quorum-state JSON (data_version 0)", () => {
    dir = mkdtempSync(join(tmpdir(), 'kts-quorum-state-'));
    const file = new QuorumStateFile(dir);
    expect(file.read()).toBeNull();
    file.write({ epoch: 7, leaderId: 2, votedId: 3, voters: [1, 2, 3] });
    expect(JSON.parse(readFileSync(file.path, 'utf8'))).toEqual({
      clusterId: '',
      leaderId: 2,
      leaderEpoch: 7,
      votedId: 3,
      appliedOffset: 0,
      currentVoters: [{ voterId: 1 }, { voterId: 2 }, { voterId: 3 }],
      data_version: 0,
    });
    expect(file.read()).toEqual({ epoch: 7, leaderId: 2, votedId: 3, voters: [1, 2, 3] });
    file.write({ epoch: 8, leaderId: null, votedId: null, voters: [1] });
    expect(file.read()).toEqual({ epoch: 8, leaderId: null, votedId: null, voters: [1] });
    writeFileSync(file.path, '{"leaderEpoch":');
    expect(() => file.read()).toThrow(/quorum-state is not valid JSON/);
  });
});
