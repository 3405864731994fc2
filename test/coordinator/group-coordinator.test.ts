/** GroupCoordinator: rebalance protocol, heartbeats and timeouts, offsets, persistence and replay. */
import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../src/coordinator/clock.js';
import { GroupCoordinator, type GroupCoordinatorConfig } from '../../src/coordinator/group-coordinator.js';
import { decodeGroupRecordKey, offsetsPartitionFor, javaStringHashCode } from '../../src/coordinator/group-records.js';
import { decodeRecordBatches } from '../../src/protocol/records/record.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { JoinGroupParams, JoinGroupResult } from '../../src/broker/services/group-service.js';
import { FakeOffsetsLog } from './fake-offsets-log.js';

const config: GroupCoordinatorConfig = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  newMemberJoinTimeoutMs: 300_000,
  loadBufferSize: 1024 * 1024,
};

/** ConsumerProtocolSubscription v0: int16 version, []string topics, nullable bytes user data. */
function subscription(...topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return Buffer.concat(parts);
}

function setup(log = new FakeOffsetsLog(5)) {
  const clock = new ManualScheduler();
  const lines: string[] = [];
  const coordinator = new GroupCoordinator({ log, config, scheduler: clock, logger: (l) => lines.push(l) });
  coordinator.load();
  return { clock, log, coordinator, lines };
}

function joinParams(over: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: 'g1',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 60_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t1') }],
    requireKnownMemberId: false,
    ...over,
  };
}

/** Tracks a pending promise so tests can see whether it resolved yet. */
function track<T>(p: Promise<T>): { value: T | undefined; done: Promise<T> } {
  const box: { value: T | undefined; done: Promise<T> } = { value: undefined, done: p };
  void p.then((v) => (box.value = v));
  return box;
}

const flush = () => new Promise((r) => setImmediate(r));

/** Two members through join + sync; returns their ids and the generation. */
async function stableGroupOfTwo(s: ReturnType<typeof setup>) {
  const a = track(s.coordinator.joinGroup(joinParams({ clientId: 'a' })));
  const b = track(s.coordinator.joinGroup(joinParams({ clientId: 'b' })));
  s.clock.advance(6000);
  await flush();
  const ja = a.value!;
  const jb = b.value!;
  const gen = ja.generationId;
  const sa = s.coordinator.syncGroup({
    groupId: 'g1', generationId: gen, memberId: ja.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
    assignments: [{ memberId: ja.memberId, assignment: Buffer.from('A') }, { memberId: jb.memberId, assignment: Buffer.from('B') }],
  });
  const sb = s.coordinator.syncGroup({
    groupId: 'g1', generationId: gen, memberId: jb.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [],
  });
  await Promise.all([sa, sb]);
  return { leader: ja.memberId, follower: jb.memberId, gen };
}

describe('GroupCoordinator rebalance', () => {
  it('two members join: one rebalance, leader gets the member list, both get assignments after sync', async () => {
    const s = setup();
    // JoinGroup v4+: first join without member id → MEMBER_ID_REQUIRED with <clientId>-<uuid>
    const first = await s.coordinator.joinGroup(joinParams({ clientId: 'client-a', requireKnownMemberId: true }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^client-a-[0-9a-f-]{36}$/);
    const a = track(s.coordinator.joinGroup(joinParams({ clientId: 'client-a', memberId: first.memberId, requireKnownMemberId: true })));
    const b = track(s.coordinator.joinGroup(joinParams({ clientId: 'client-b' })));
    expect(s.coordinator.describeGroup('g1').groupState).toBe('PreparingRebalance');

    // the initial delay (3 s) is extended once because b arrived during it
    s.clock.advance(3000);
    await flush();
    expect(a.value).toBeUndefined();
    s.clock.advance(3000);
    await flush();
    const ja = a.value!;
    const jb = b.value!;
    expect(ja.errorCode).toBe(ErrorCode.NONE);
    expect(jb.errorCode).toBe(ErrorCode.NONE);
    expect(ja.generationId).toBe(1);
    expect(jb.generationId).toBe(1);
    expect(ja.leader).toBe(first.memberId);
    expect(jb.leader).toBe(first.memberId);
    expect(ja.protocolName).toBe('range');
    expect(ja.members.map((m) => m.memberId)).toEqual([first.memberId, jb.memberId]);
    expect(ja.members[1]!.metadata.equals(subscription('t1'))).toBe(true);
    expect(jb.members).toEqual([]);
    expect(s.coordinator.describeGroup('g1').groupState).toBe('CompletingRebalance');

    // follower syncs first and waits for the leader
    const followerSync = track(s.coordinator.syncGroup({
      groupId: 'g1', generationId: 1, memberId: jb.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [],
    }));
    await flush();
    expect(followerSync.value).toBeUndefined();
    const leaderSync = await s.coordinator.syncGroup({
      groupId: 'g1', generationId: 1, memberId: ja.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
      assignments: [{ memberId: ja.memberId, assignment: Buffer.from('for-a') }, { memberId: jb.memberId, assignment: Buffer.from('for-b') }],
    });
    await flush();
    expect(leaderSync.errorCode).toBe(ErrorCode.NONE);
    expect(leaderSync.assignment.toString()).toBe('for-a');
    expect(followerSync.value!.assignment.toString()).toBe('for-b');

    const desc = s.coordinator.describeGroup('g1');
    expect(desc.groupState).toBe('Stable');
    expect(desc.protocolType).toBe('consumer');
    expect(desc.protocolData).toBe('range');
    expect(desc.members.map((m) => [m.clientId, m.clientHost, m.assignment.toString()])).toEqual([
      ['client-a', '/127.0.0.1', 'for-a'],
      ['client-b', '/127.0.0.1', 'for-b'],
    ]);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: 1, memberId: jb.memberId, groupInstanceId: null })).toBe(ErrorCode.NONE);
    // the completed rebalance was written as GroupMetadata to the group's partition
    const batches = decodeRecordBatches(s.log.read(offsetsPartitionFor('g1', 5), 0, 1 << 20));
    const keys = batches.flatMap((b) => b.records.map((r) => decodeGroupRecordKey(r.key!)));
    expect(keys).toContainEqual({ type: 'group', group: 'g1' });
  });

  it('a third member triggers a rebalance; old members get REBALANCE_IN_PROGRESS on heartbeat', async () => {
    const s = setup();
    const { leader, follower, gen } = await stableGroupOfTwo(s);
    const c = track(s.coordinator.joinGroup(joinParams({ clientId: 'c' })));
    expect(s.coordinator.describeGroup('g1').groupState).toBe('PreparingRebalance');
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: leader, groupInstanceId: null })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: null })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // once everyone rejoined, the join completes at once (no initial delay for a non-empty group)
    const ra = track(s.coordinator.joinGroup(joinParams({ clientId: 'a', memberId: leader })));
    await flush();
    expect(ra.value).toBeUndefined();
    const rb = track(s.coordinator.joinGroup(joinParams({ clientId: 'b', memberId: follower })));
    await flush();
    expect(ra.value!.generationId).toBe(gen + 1);
    expect(rb.value!.generationId).toBe(gen + 1);
    expect(c.value!.generationId).toBe(gen + 1);
    expect(ra.value!.members).toHaveLength(3);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: leader, groupInstanceId: null })).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('members that do not rejoin within the rebalance timeout are dropped', async () => {
    const s = setup();
    const { leader, follower, gen } = await stableGroupOfTwo(s);
    const rejoin = track(s.coordinator.joinGroup(joinParams({ clientId: 'a', memberId: leader, protocols: [{ name: 'range', metadata: subscription('t1', 't2') }] })));
    // follower keeps heartbeating but never rejoins
    for (let t = 0; t < 60_000; t += 5000) {
      s.clock.advance(5000);
      s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: null });
    }
    await flush();
    expect(rejoin.value!.generationId).toBe(gen + 1);
    expect(rejoin.value!.members.map((m) => m.memberId)).toEqual([leader]);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen + 1, memberId: follower, groupInstanceId: null })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('session timeout expiry removes a member and triggers a rebalance', async () => {
    const s = setup();
    const { leader, follower, gen } = await stableGroupOfTwo(s);
    // only the leader heartbeats
    s.clock.advance(5000);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: leader, groupInstanceId: null })).toBe(ErrorCode.NONE);
    s.clock.advance(5001);
    expect(s.coordinator.describeGroup('g1').members.map((m) => m.memberId)).toEqual([leader]);
    expect(s.lines.some((l) => l.includes(`Member ${follower} in group g1 has failed`))).toBe(true);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: leader, groupInstanceId: null })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = await s.coordinator.joinGroup(joinParams({ clientId: 'a', memberId: leader }));
    expect(rejoin.generationId).toBe(gen + 1);
    expect(rejoin.members).toHaveLength(1);
    // nobody heartbeats: the last member expires and the group becomes Empty
    s.clock.advance(10_001);
    expect(s.coordinator.describeGroup('g1').groupState).toBe('Empty');
  });

  it('leave triggers a rebalance; LeaveGroup reports unknown members per member', async () => {
    const s = setup();
    const { leader, follower, gen } = await stableGroupOfTwo(s);
    const left = s.coordinator.leaveGroup('g1', [
      { memberId: follower, groupInstanceId: null },
      { memberId: 'nobody', groupInstanceId: null },
    ]);
    expect(left.errorCode).toBe(ErrorCode.NONE);
    expect(left.members.map((m) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(s.coordinator.describeGroup('g1').groupState).toBe('PreparingRebalance');
    const rejoin = await s.coordinator.joinGroup(joinParams({ clientId: 'a', memberId: leader }));
    expect(rejoin.generationId).toBe(gen + 1);
    expect(s.coordinator.leaveGroup('g1', [{ memberId: leader, groupInstanceId: null }]).members[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(s.coordinator.describeGroup('g1').groupState).toBe('Empty');
    expect(s.coordinator.leaveGroup('nope', [{ memberId: 'x', groupInstanceId: null }]).members[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('validates session timeouts, protocols, member ids and generations', async () => {
    const s = setup();
    expect((await s.coordinator.joinGroup(joinParams({ sessionTimeoutMs: 1000 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await s.coordinator.joinGroup(joinParams({ groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await s.coordinator.joinGroup(joinParams({ memberId: 'ghost' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const { leader, gen } = await stableGroupOfTwo(s);
    const otherType = await s.coordinator.joinGroup(joinParams({ protocolType: 'connect' }));
    expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noCommon = await s.coordinator.joinGroup(joinParams({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }));
    expect(noCommon.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen + 5, memberId: leader, groupInstanceId: null })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: 'ghost', groupInstanceId: null })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(s.coordinator.heartbeat({ groupId: 'nogroup', generationId: 1, memberId: 'x', groupInstanceId: null })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const badSync = await s.coordinator.syncGroup({ groupId: 'g1', generationId: gen - 1, memberId: leader, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    expect(badSync.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('selects the protocol all members support, by preference votes', async () => {
    const s = setup();
    const meta = Buffer.alloc(0);
    const a = track(s.coordinator.joinGroup(joinParams({ protocols: [{ name: 'range', metadata: meta }, { name: 'roundrobin', metadata: meta }] })));
    const b = track(s.coordinator.joinGroup(joinParams({ protocols: [{ name: 'roundrobin', metadata: meta }, { name: 'sticky', metadata: meta }] })));
    const c = track(s.coordinator.joinGroup(joinParams({ protocols: [{ name: 'roundrobin', metadata: meta }, { name: 'range', metadata: meta }] })));
    s.clock.advance(10_000);
    await flush();
    for (const r of [a, b, c]) expect((r.value as JoinGroupResult).protocolName).toBe('roundrobin');
  });

  it('static members rejoin without a rebalance; the old member id is fenced', async () => {
    const s = setup();
    const a = track(s.coordinator.joinGroup(joinParams({ clientId: 'a', groupInstanceId: 'inst-a' })));
    const b = track(s.coordinator.joinGroup(joinParams({ clientId: 'b', groupInstanceId: 'inst-b' })));
    s.clock.advance(6000);
    await flush();
    const gen = a.value!.generationId;
    const leader = a.value!.memberId;
    const follower = b.value!.memberId;
    await Promise.all([
      s.coordinator.syncGroup({ groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: 'inst-b', protocolType: null, protocolName: null, assignments: [] }),
      s.coordinator.syncGroup({ groupId: 'g1', generationId: gen, memberId: leader, groupInstanceId: 'inst-a', protocolType: null, protocolName: null,
        assignments: [{ memberId: follower, assignment: Buffer.from('b-part') }] }),
    ]);
    // follower restarts: joins with its instance id and no member id
    const again = await s.coordinator.joinGroup(joinParams({ clientId: 'b', groupInstanceId: 'inst-b', requireKnownMemberId: true }));
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.memberId).not.toBe(follower);
    expect(again.generationId).toBe(gen);
    expect(s.coordinator.describeGroup('g1').groupState).toBe('Stable');
    const sync = await s.coordinator.syncGroup({ groupId: 'g1', generationId: gen, memberId: again.memberId, groupInstanceId: 'inst-b', protocolType: null, protocolName: null, assignments: [] });
    expect(sync.assignment.toString()).toBe('b-part');
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: 'inst-b' })).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(s.coordinator.heartbeat({ groupId: 'g1', generationId: gen, memberId: again.memberId, groupInstanceId: 'inst-b' })).toBe(ErrorCode.NONE);
    // LeaveGroup v3+ may name the static member by instance id only
    const left = s.coordinator.leaveGroup('g1', [{ memberId: '', groupInstanceId: 'inst-b' }]);
    expect(left.members[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(s.coordinator.describeGroup('g1').members).toHaveLength(1);
  });

  it('lists groups with a state filter and shutdown clears all timers', async () => {
    const s = setup();
    await stableGroupOfTwo(s);
    s.coordinator.commitOffsets({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't', partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: null }] }] });
    expect(s.coordinator.listGroups().map((g) => [g.groupId, g.protocolType, g.groupState])).toEqual([
      ['g1', 'consumer', 'Stable'],
      ['simple', '', 'Empty'],
    ]);
    expect(s.coordinator.listGroups(['empty']).map((g) => g.groupId)).toEqual(['simple']);
    expect(s.coordinator.listGroups([], ['consumer'])).toEqual([]);
    expect(s.coordinator.describeGroup('missing').groupState).toBe('Dead');
    s.coordinator.shutdown();
    expect(s.clock.pendingCount()).toBe(0);
  });
});

describe('GroupCoordinator offsets', () => {
  it('commits and fetches offsets with generation checks', async () => {
    const s = setup();
    const { leader, follower, gen } = await stableGroupOfTwo(s);
    const res = await s.coordinator.commitOffsets({
      groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: null,
      topics: [{ name: 't1', partitions: [
        { partition: 0, offset: 42, leaderEpoch: 3, metadata: 'meta' },
        { partition: 1, offset: 7, leaderEpoch: -1, metadata: 'x'.repeat(5000) },
      ] }],
    });
    expect(res[0]!.partitions).toEqual([
      { partition: 0, errorCode: ErrorCode.NONE },
      { partition: 1, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE },
    ]);
    const stale = await s.coordinator.commitOffsets({ groupId: 'g1', generationId: gen + 1, memberId: leader, groupInstanceId: null, topics: [{ name: 't1', partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: '' }] }] });
    expect(stale[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    // an admin commit (generation -1) is refused while the group has members
    const admin = await s.coordinator.commitOffsets({ groupId: 'g1', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't1', partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: '' }] }] });
    expect(admin[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const unknownGroup = await s.coordinator.commitOffsets({ groupId: 'other', generationId: 3, memberId: 'm', groupInstanceId: null, topics: [{ name: 't1', partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: '' }] }] });
    expect(unknownGroup[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const fetched = s.coordinator.fetchOffsets('g1', [{ name: 't1', partitions: [0, 1] }]);
    expect(fetched.topics[0]!.partitions).toEqual([
      { partition: 0, offset: 42, leaderEpoch: 3, metadata: 'meta', errorCode: ErrorCode.NONE },
      { partition: 1, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
    ]);
    expect(s.coordinator.fetchOffsets('g1', null).topics).toEqual([
      { name: 't1', partitions: [{ partition: 0, offset: 42, leaderEpoch: 3, metadata: 'meta', errorCode: ErrorCode.NONE }] },
    ]);
    expect(s.coordinator.fetchOffsets('none', null).topics).toEqual([]);
  });

  it('a restarted coordinator over the same log restores committed offsets and the group', async () => {
    const log = new FakeOffsetsLog(5);
    const s = setup(log);
    const { follower, gen } = await stableGroupOfTwo(s);
    s.coordinator.commitOffsets({ groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: null, topics: [{ name: 't1', partitions: [{ partition: 0, offset: 10, leaderEpoch: 0, metadata: 'm' }] }] });
    s.coordinator.commitOffsets({ groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: null, topics: [{ name: 't1', partitions: [{ partition: 0, offset: 20, leaderEpoch: 1, metadata: 'later' }] }] });
    s.coordinator.commitOffsets({ groupId: 'solo', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't2', partitions: [{ partition: 3, offset: 5, leaderEpoch: -1, metadata: null }] }] });
    s.coordinator.shutdown();

    const restarted = setup(log);
    expect(restarted.coordinator.fetchOffsets('g1', [{ name: 't1', partitions: [0] }]).topics[0]!.partitions[0]).toEqual({
      partition: 0, offset: 20, leaderEpoch: 1, metadata: 'later', errorCode: ErrorCode.NONE,
    });
    expect(restarted.coordinator.fetchOffsets('solo', null).topics[0]!.partitions[0]!.offset).toBe(5);
    const desc = restarted.coordinator.describeGroup('g1');
    expect(desc.groupState).toBe('Empty');
    expect(desc.protocolType).toBe('consumer');
    expect(desc.members).toEqual([]);
    // the next rebalance continues the generation sequence
    const j = track(restarted.coordinator.joinGroup(joinParams()));
    restarted.clock.advance(3000);
    await flush();
    expect(j.value!.generationId).toBe(gen + 1);
  });

  it('DeleteGroups writes tombstones that win on replay', async () => {
    const log = new FakeOffsetsLog(5);
    const s = setup(log);
    const { leader } = await stableGroupOfTwo(s);
    s.coordinator.commitOffsets({ groupId: 'gone', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't', partitions: [{ partition: 0, offset: 9, leaderEpoch: -1, metadata: '' }, { partition: 1, offset: 8, leaderEpoch: -1, metadata: '' }] }] });
    expect(s.coordinator.deleteGroups(['gone', 'g1', 'never'])).toEqual([
      { groupId: 'gone', errorCode: ErrorCode.NONE },
      { groupId: 'g1', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'never', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect(s.coordinator.fetchOffsets('gone', null).topics).toEqual([]);
    expect(s.coordinator.listGroups().map((g) => g.groupId)).toEqual(['g1']);
    const batches = decodeRecordBatches(log.read(offsetsPartitionFor('gone', 5), 0, 1 << 20));
    const last = batches[batches.length - 1]!;
    expect(last.records.map((r) => r.value)).toEqual([null, null, null]);
    expect(decodeGroupRecordKey(last.records[2]!.key!)).toEqual({ type: 'group', group: 'gone' });
    s.coordinator.leaveGroup('g1', [{ memberId: leader, groupInstanceId: null }]);

    const restarted = setup(log);
    expect(restarted.coordinator.fetchOffsets('gone', null).topics).toEqual([]);
    expect(restarted.coordinator.listGroups().map((g) => g.groupId)).toEqual(['g1']);
  });

  it('OffsetDelete refuses topics an active member subscribes to', async () => {
    const s = setup();
    const { follower, gen } = await stableGroupOfTwo(s); // members subscribe to t1
    s.coordinator.commitOffsets({ groupId: 'g1', generationId: gen, memberId: follower, groupInstanceId: null, topics: [
      { name: 't1', partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: '' }] },
      { name: 'old', partitions: [{ partition: 0, offset: 2, leaderEpoch: -1, metadata: '' }] },
    ] });
    const res = s.coordinator.deleteOffsets('g1', [{ name: 't1', partitions: [0] }, { name: 'old', partitions: [0] }]);
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.topics).toEqual([
      { name: 't1', partitions: [{ partition: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
      { name: 'old', partitions: [{ partition: 0, errorCode: ErrorCode.NONE }] },
    ]);
    expect(s.coordinator.fetchOffsets('g1', null).topics.map((t) => t.name)).toEqual(['t1']);
    expect(s.coordinator.deleteOffsets('missing', [{ name: 't1', partitions: [0] }]).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('expires offsets of an Empty group after offsets.retention and then removes the group', async () => {
    const s = setup();
    s.coordinator.commitOffsets({ groupId: 'idle', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't', partitions: [
      { partition: 0, offset: 3, leaderEpoch: -1, metadata: '' },
      { partition: 1, offset: 4, leaderEpoch: -1, metadata: '' },
    ] }] });
    s.clock.advance(config.offsetsRetentionMs - 1000);
    expect(s.coordinator.fetchOffsets('idle', null).topics).toHaveLength(1);
    s.clock.advance(config.offsetsRetentionCheckIntervalMs);
    expect(s.coordinator.fetchOffsets('idle', null).topics).toEqual([]);
    expect(s.coordinator.listGroups()).toEqual([]);
    // tombstones for both offsets and the group were written, so a restart agrees
    const restarted = setup(s.log);
    expect(restarted.coordinator.listGroups()).toEqual([]);
  });
});

describe('offsets partition mapping', () => {
  it('uses Java String.hashCode and Kafka Utils.abs', () => {
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(offsetsPartitionFor('hello', 50)).toBe(22);
    // hashCode is Integer.MIN_VALUE: Utils.abs (x & 0x7fffffff) gives 0, not Math.abs
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
  });
});
