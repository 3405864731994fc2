/**
 * RaftQuorum with three voters in one process, each on its own loopback address with a
 * real listener: a leader is elected, appends commit and reach every image, a crashed
 * leader is replaced with committed records kept, a clean shutdown hands leadership
 * over, two voters down means no commit (the leader resigns and the append fails) until
 * they return, and an observer follows the log without voting. Waits are bounded;
 * nothing asserts how long anything took.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkClient } from '../../../src/network/index.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import type { DescribeQuorumResponse } from '../../../src/protocol/generated/types.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';
import { BrokerServer } from '../../../src/broker/server.js';
import { onBrokerListener } from '../../../src/broker/services/quorum-service.js';
import { hasTopic, RAFT_HANDLERS, RaftCluster, raftServices, topic, waitFor } from './raft-harness.js';

const THREE = [
  { id: 1, host: '127.0.0.2' },
  { id: 2, host: '127.0.0.3' },
  { id: 3, host: '127.0.0.4' },
];

let cluster: RaftCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

async function describeQuorum(host: string, port: number): Promise<DescribeQuorumResponse> {
  const client = new NetworkClient({ clientId: 'test' });
  try {
    const { response } = await client.send<DescribeQuorumResponse>({ host, port }, ApiKey.DescribeQuorum, {
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
    });
    return response;
  } finally {
    client.close();
  }
}

describe('RaftQuorum, three voters', () => {
  it('elects one leader that every voter follows, and commits appends into all three images', async () => {
    cluster = new RaftCluster(THREE);
    await cluster.start();
    const leader = await cluster.leader();
    const followers = cluster.running().filter((q) => q !== leader);
    expect(followers.map((f) => f.state.role)).toEqual(['follower', 'follower']);

    const offset = await leader.append(topic('orders'));
    // committed on the leader: in its image by the time append resolves
    expect(hasTopic(leader, 'orders')).toBe(true);
    expect(leader.highWatermark).toBeGreaterThan(Number(offset));
    await waitFor(() => cluster!.running().every((q) => hasTopic(q, 'orders')), 15_000, 'orders in every image');

    // non-leaders refuse appends with NOT_CONTROLLER
    const refused = await followers[0]!.append(topic('nope')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KafkaError);
    expect((refused as KafkaError).code).toBe(ErrorCode.NOT_CONTROLLER);

    // DescribeQuorum over the wire: the leader answers with every voter, a follower says NOT_LEADER_OR_FOLLOWER
    const leaderNode = cluster.node(leader.nodeId);
    const described = await describeQuorum(leaderNode.host, leaderNode.port);
    const p = described.topics[0]!.partitions[0]!;
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(p.leaderId).toBe(leader.nodeId);
    expect(p.leaderEpoch).toBe(leader.leaderAndEpoch().epoch);
    expect(p.highWatermark).toBe(BigInt(leader.highWatermark));
    expect(p.currentVoters.map((v) => v.replicaId)).toEqual([1, 2, 3]);
    expect(described.nodes.map((n) => n.nodeId)).toEqual([1, 2, 3]);
    const followerNode = cluster.node(followers[0]!.nodeId);
    const fromFollower = await describeQuorum(followerNode.host, followerNode.port);
    expect(fromFollower.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // the same follower behind a broker listener (a combined node's PLAINTEXT) forwards to the leader
    const brokerSide = new BrokerServer(RAFT_HANDLERS, { ...raftServices(undefined), quorum: onBrokerListener(followers[0]!.service) });
    const [bound] = await brokerSide.listen([{ name: 'PLAINTEXT', host: followerNode.host, port: 0 }]);
    try {
      const viaBroker = (await describeQuorum(followerNode.host, bound!.port)).topics[0]!.partitions[0]!;
      expect(viaBroker.errorCode).toBe(ErrorCode.NONE);
      expect(viaBroker.leaderId).toBe(leader.nodeId);
    } finally {
      await brokerSide.close();
    }
  });

  it('replaces a crashed leader, keeping committed records, and the old leader catches up on return', async () => {
    cluster = new RaftCluster(THREE);
    await cluster.start();
    const first = await cluster.leader();
    const firstEpoch = first.leaderAndEpoch().epoch;
    await first.append(topic('before-crash'));
    await waitFor(() => cluster!.running().every((q) => hasTopic(q, 'before-crash')), 15_000, 'before-crash everywhere');

    // what each survivor's image held when it heard it was the leader
    const imageWhenAnnounced = new Map<number, boolean>();
    for (const q of cluster.running()) {
      if (q === first) continue;
      q.addListener({ onLeaderChange: (l) => { if (l.leaderId === q.nodeId) imageWhenAnnounced.set(q.nodeId, hasTopic(q, 'before-crash')); } });
    }
    const crashed = first.nodeId;
    await cluster.node(crashed).stop(false);
    const second = await cluster.leader(20_000);
    expect(second.nodeId).not.toBe(crashed);
    expect(second.leaderAndEpoch().epoch).toBeGreaterThan(firstEpoch);
    // a leader counts as one (isLeader) only once its image has everything committed before its epoch
    expect(hasTopic(second, 'before-crash')).toBe(true);
    expect(imageWhenAnnounced.get(second.nodeId)).toBe(true);
    await second.append(topic('after-crash'));

    const back = await cluster.restart(crashed);
    // after a restart the image is the committed one only: it waits for the leader's high watermark
    await back.caughtUp();
    expect(hasTopic(back, 'after-crash') && hasTopic(back, 'before-crash')).toBe(true);
    const leaderNow = await cluster.leader(20_000);
    expect(back.leaderAndEpoch()).toEqual(leaderNow.leaderAndEpoch());
  });

  it('hands leadership over on a clean shutdown (EndQuorumEpoch)', async () => {
    cluster = new RaftCluster(THREE);
    await cluster.start();
    const first = await cluster.leader();
    await first.append(topic('kept'));
    await cluster.node(first.nodeId).stop(true);
    const second = await cluster.leader(20_000);
    expect(second.nodeId).not.toBe(first.nodeId);
    // committed before the hand-over: in the new leader's image by the time it says it leads
    expect(hasTopic(second, 'kept')).toBe(true);
    await second.append(topic('next'));
    expect(hasTopic(second, 'next')).toBe(true);
  });

  it('does not commit with two of three voters down, and recovers when they return', async () => {
    cluster = new RaftCluster(THREE);
    await cluster.start();
    const leader = await cluster.leader();
    const others = THREE.map((s) => s.id).filter((id) => id !== leader.nodeId);
    for (const id of others) await cluster.node(id).stop(false);

    const outcome = await leader.append(topic('lonely')).then(
      () => 'committed',
      (e: unknown) => e,
    );
    // the leader lost its majority: it resigns (check quorum) and the append fails
    expect(outcome).toBeInstanceOf(KafkaError);
    expect((outcome as KafkaError).code).toBe(ErrorCode.NOT_CONTROLLER);
    expect(hasTopic(leader, 'lonely')).toBe(false);
    expect(leader.isLeader()).toBe(false);

    for (const id of others) await cluster.restart(id);
    const recovered = await cluster.leader(20_000);
    await recovered.append(topic('recovered'));
    await waitFor(() => cluster!.running().every((q) => hasTopic(q, 'recovered')), 15_000, 'recovered in every image');
  });

  it('lets an observer follow the log through the bootstrap servers without ever voting', async () => {
    cluster = new RaftCluster([...THREE, { id: 100, host: '127.0.0.5' }]);
    // bind all four, open the three voters, then the observer with only the voters as its quorum
    for (const n of cluster.nodes) await n.bind();
    cluster.voters = cluster.nodes.filter((n) => n.id !== 100).map((n) => n.voter);
    for (const n of cluster.nodes) if (n.id !== 100) n.open(cluster.voters);
    const observer = cluster.node(100).open(cluster.voters);
    expect(observer.isVoter).toBe(false);

    const leader = await cluster.leader(20_000, cluster.running().filter((q) => q.isVoter));
    await leader.append(topic('observed'));
    await waitFor(() => hasTopic(observer, 'observed'), 15_000, 'the observer applying the record');
    expect(observer.leaderAndEpoch()).toEqual(leader.leaderAndEpoch());
    expect(observer.isLeader()).toBe(false);
    // it never stood for election, and does not vote
    expect(cluster.node(100).lines.join('\n')).not.toMatch(/CandidateState/);
    expect(observer.service.controllerApis).toBe(false);
    const vote = observer.service.vote(
      {
        clusterId: null,
        voterId: -1,
        topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, candidateEpoch: 99, candidateId: 1, candidateDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', lastOffsetEpoch: 98, lastOffset: 1000n }] }],
      },
      1,
    );
    expect(vote.topics[0]!.partitions[0]!.voteGranted).toBe(false);

    // the leader lists it as an observer
    const leaderNode = cluster.node(leader.nodeId);
    await waitFor(() => leader.state.leader!.observers.has(100), 10_000, 'the observer in the leader state');
    const described = await describeQuorum(leaderNode.host, leaderNode.port);
    expect(described.topics[0]!.partitions[0]!.observers.map((o) => o.replicaId)).toEqual([100]);
    // the observer forwards DescribeQuorum to the leader
    const viaObserver = await describeQuorum('127.0.0.5', cluster.node(100).port);
    expect(viaObserver.topics[0]!.partitions[0]!.leaderId).toBe(leader.nodeId);
  });

  it('lets an observer that knows no voters, only one address to ask (zookeeper.connect), find and follow the leader', async () => {
    cluster = new RaftCluster([...THREE, { id: 101, host: '127.0.0.6' }]);
    for (const n of cluster.nodes) await n.bind();
    cluster.voters = cluster.nodes.filter((n) => n.id !== 101).map((n) => n.voter);
    for (const n of cluster.nodes) if (n.id !== 101) n.open(cluster.voters);
    const leader = await cluster.leader(20_000, cluster.running());
    // ask a voter that is not the leader: its answer names the leader and where it listens (Fetch v16 NodeEndpoints)
    const asked = cluster.voters.find((v) => v.id !== leader.nodeId)!;
    const observer = cluster.node(101).open([], { bootstrapServers: [{ host: asked.host, port: asked.port }] });
    await leader.append(topic('found'));
    await waitFor(() => hasTopic(observer, 'found'), 15_000, 'the voter-less observer applying the record');
    expect(observer.leaderAndEpoch()).toEqual(leader.leaderAndEpoch());
    await observer.caughtUp();
    await waitFor(() => leader.state.leader!.observers.has(101), 10_000, 'the observer fetching from the leader itself');
  });
});
