/**
 * RaftQuorum recovery: a voter whose log holds an uncommitted tail from a lost epoch
 * truncates it to the new leader's log (KIP-595 diverging epoch), a voter far behind
 * the leader's log start installs the leader's snapshot (FetchSnapshot), and the
 * election state in quorum-state survives a restart so a voter never votes twice in
 * one epoch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';
import type { VoteRequest } from '../../../src/protocol/generated/types.js';
import type { RaftQuorum } from '../../../src/cluster/raft/raft-quorum.js';
import { CLUSTER_ID, hasTopic, RaftCluster, topic, waitFor } from './raft-harness.js';

const THREE = [
  { id: 1, host: '127.0.0.2' },
  { id: 2, host: '127.0.0.3' },
  { id: 3, host: '127.0.0.4' },
];

let cluster: RaftCluster | null = null;
const opened: RaftQuorum[] = [];
afterEach(async () => {
  for (const q of opened.splice(0)) await q.close({ resign: false });
  await cluster?.close();
  cluster = null;
});

function voteRequest(candidateId: number, candidateEpoch: number, lastOffsetEpoch = 0, lastOffset = 0n): VoteRequest {
  return {
    clusterId: CLUSTER_ID,
    voterId: -1,
    topics: [
      {
        topicName: '__cluster_metadata',
        partitions: [
          { partitionIndex: 0, candidateEpoch, candidateId, candidateDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', lastOffsetEpoch, lastOffset },
        ],
      },
    ],
  };
}

describe('RaftQuorum recovery', () => {
  it('truncates a divergent uncommitted tail when it rejoins under a new leader', async () => {
    cluster = new RaftCluster(THREE);
    await cluster.start();
    const old = await cluster.leader();
    await old.append(topic('committed'));
    await waitFor(() => cluster!.running().every((q) => hasTopic(q, 'committed')), 15_000, 'committed everywhere');

    // the leader alone writes a batch no one else gets, then crashes before it could commit
    const others = THREE.map((s) => s.id).filter((id) => id !== old.nodeId);
    for (const id of others) await cluster.node(id).stop(false);
    const lost = old.append(topic('lost')).catch((e: unknown) => e);
    const tailEnd = old.metadataLog.endOffset;
    const oldId = old.nodeId;
    await cluster.node(oldId).stop(false);
    const outcome = await lost;
    expect(outcome).toBeInstanceOf(KafkaError);

    // the other two elect a leader and commit something else at the offsets the lost batch took
    for (const id of others) await cluster.restart(id);
    const fresh = await cluster.leader(20_000);
    await fresh.append(topic('winner'));
    await fresh.append(topic('winner-2'));
    expect(fresh.metadataLog.endOffset).toBeGreaterThanOrEqual(tailEnd);

    const back = await cluster.restart(oldId);
    await waitFor(() => hasTopic(back, 'winner-2'), 20_000, 'the old leader following the new log');
    expect(hasTopic(back, 'lost')).toBe(false);
    expect(hasTopic(back, 'committed')).toBe(true);
    expect(cluster.node(oldId).lines.join('\n')).toMatch(/Truncating the metadata log/);
    await waitFor(() => back.metadataLog.endOffset === fresh.metadataLog.endOffset, 10_000, 'equal log ends');
    // its log is now the leader's, batch for batch
    expect(back.metadataLog.readBatches(0, 1 << 20)).toEqual(fresh.metadataLog.readBatches(0, 1 << 20));
  });

  it('installs the leader snapshot when it is behind the leader log start (FetchSnapshot)', async () => {
    // small segments and snapshots so the leader deletes the start of its log
    cluster = new RaftCluster(THREE, { metadataLog: { segmentBytes: 2048, maxBytesBetweenSnapshots: 2048 } });
    await cluster.start([1, 2]);
    const leader = await cluster.leader(20_000);
    for (let i = 0; i < 40; i++) await leader.append(topic(`bulk-${i}`));
    await waitFor(() => leader.metadataLog.logStartOffset > 0, 15_000, 'the leader deleting segments behind a snapshot');

    const late = await cluster.restart(3);
    await waitFor(() => hasTopic(late, 'bulk-39'), 20_000, 'the late voter catching up');
    expect(cluster.node(3).lines.join('\n')).toMatch(/Installed metadata snapshot/);
    expect([...late.image().topicsByName.keys()].sort()).toEqual([...leader.image().topicsByName.keys()].sort());
    await leader.append(topic('after-snapshot'));
    await waitFor(() => hasTopic(late, 'after-snapshot'), 15_000, 'records after the snapshot');
  });

  it('keeps its election state in quorum-state over a restart: one vote per epoch, the known leader', async () => {
    cluster = new RaftCluster(THREE);
    // only node 1 runs, with elections far away: nothing changes its state but our requests
    await cluster.start([]);
    const n1 = cluster.node(1);
    let q = n1.open(cluster.voters, { electionTimeoutMs: 600_000 });
    const granted = q.service.vote(voteRequest(2, 5), 1).topics[0]!.partitions[0]!;
    expect(granted.voteGranted).toBe(true);
    const file = join(n1.dir, '__cluster_metadata-0', 'quorum-state');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ leaderId: -1, leaderEpoch: 5, votedId: 2, data_version: 0 });
    expect(saved.currentVoters).toEqual([{ voterId: 1 }, { voterId: 2 }, { voterId: 3 }]);

    await n1.stop(false);
    await n1.bind();
    q = n1.open(cluster.voters, { electionTimeoutMs: 600_000 });
    expect(q.state.epoch).toBe(5);
    expect(q.state.votedId).toBe(2);
    // the same epoch: no vote for another candidate, the same answer for the one it chose
    expect(q.service.vote(voteRequest(3, 5), 1).topics[0]!.partitions[0]!.voteGranted).toBe(false);
    expect(q.service.vote(voteRequest(2, 5), 1).topics[0]!.partitions[0]!.voteGranted).toBe(true);
    // an older epoch is fenced
    const fenced = q.service.vote(voteRequest(3, 4), 1).topics[0]!.partitions[0]!;
    expect(fenced.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(fenced.leaderEpoch).toBe(5);

    // a leader learned through BeginQuorumEpoch is remembered too
    q.service.beginQuorumEpoch(
      { clusterId: CLUSTER_ID, voterId: 1, topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', leaderId: 3, leaderEpoch: 6 }] }], leaderEndpoints: [] },
      1,
    );
    expect(q.leaderAndEpoch()).toEqual({ leaderId: 3, epoch: 6 });
    await n1.stop(false);
    await n1.bind();
    q = n1.open(cluster.voters, { electionTimeoutMs: 600_000, fetchTimeoutMs: 600_000 });
    expect(q.state.role).toBe('follower');
    expect(q.leaderAndEpoch()).toEqual({ leaderId: 3, epoch: 6 });
  });

  it('keeps every committed record when all three voters crash and restart', async () => {
    cluster = new RaftCluster(THREE);
    await cluster.start();
    const leader = await cluster.leader();
    for (let i = 0; i < 5; i++) await leader.append(topic(`durable-${i}`));
    const epoch = leader.leaderAndEpoch().epoch;
    for (const s of THREE) await cluster.node(s.id).stop(false);
    for (const s of THREE) await cluster.restart(s.id);
    const next = await cluster.leader(20_000);
    expect(next.leaderAndEpoch().epoch).toBeGreaterThan(epoch);
    for (const q of cluster.running()) {
      await q.caughtUp();
      for (let i = 0; i < 5; i++) expect(hasTopic(q, `durable-${i}`)).toBe(true);
    }
  });

  it('refuses a vote to a candidate whose log is behind, and requests from another cluster', async () => {
    cluster = new RaftCluster(THREE);
    await cluster.start();
    const leader = await cluster.leader();
    await leader.append(topic('some'));
    await waitFor(() => cluster!.running().every((q) => hasTopic(q, 'some')), 15_000, 'some everywhere');
    const follower = cluster.running().find((q) => q !== leader)!;
    const epoch = follower.leaderAndEpoch().epoch;
    // a candidate at a newer epoch whose log is empty: the follower moves to the epoch but does not vote for it
    const answer = follower.service.vote(voteRequest(leader.nodeId === 3 ? 2 : 3, epoch + 1, 0, 0n), 1);
    expect(answer.topics[0]!.partitions[0]!.voteGranted).toBe(false);
    expect(follower.state.epoch).toBe(epoch + 1);
    // another cluster's request is refused outright
    const foreign = follower.service.vote({ ...voteRequest(2, epoch + 2), clusterId: 'someOtherCluster000000' }, 1);
    expect(foreign.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID);
    // the quorum settles again on a leader with an up-to-date log and keeps committing
    const next = await cluster.leader(20_000);
    await next.append(topic('still-works'));
    expect(hasTopic(next, 'still-works')).toBe(true);
  });
});
