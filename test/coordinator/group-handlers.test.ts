/**
 * The group and producer-id handlers through the real codec: requests encoded and
 * decoded at several versions, handled against a real GroupCoordinator over an
 * in-memory log, responses encoded and decoded back.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiHandler, RequestContext } from '../../src/broker/handler.js';
import type { BrokerServices } from '../../src/broker/services/index.js';
import { brokerConfig } from '../../src/broker/config.js';
import { ByteReader, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ManualScheduler } from '../../src/coordinator/clock.js';
import { GroupCoordinator, groupCoordinatorConfig } from '../../src/coordinator/group-coordinator.js';
import { ProducerIdManager } from '../../src/coordinator/producer-id-manager.js';
import { FakeOffsetsLog } from './fake-offsets-log.js';
import offsetCommit from '../../src/broker/handlers/08-offset-commit.js';
import offsetFetch from '../../src/broker/handlers/09-offset-fetch.js';
import findCoordinator from '../../src/broker/handlers/10-find-coordinator.js';
import joinGroup from '../../src/broker/handlers/11-join-group.js';
import heartbeat from '../../src/broker/handlers/12-heartbeat.js';
import leaveGroup from '../../src/broker/handlers/13-leave-group.js';
import syncGroup from '../../src/broker/handlers/14-sync-group.js';
import describeGroups from '../../src/broker/handlers/15-describe-groups.js';
import listGroups from '../../src/broker/handlers/16-list-groups.js';
import initProducerId from '../../src/broker/handlers/22-init-producer-id.js';
import deleteGroups from '../../src/broker/handlers/42-delete-groups.js';
import offsetDelete from '../../src/broker/handlers/47-offset-delete.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-handlers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Obj = Record<string, unknown>;

function makeServices() {
  const config = brokerConfig({ brokerId: 3, groupInitialRebalanceDelayMs: 0, logDirs: [dir] });
  const clock = new ManualScheduler();
  const log = new FakeOffsetsLog(4);
  const groups = new GroupCoordinator({ log, config: groupCoordinatorConfig(config), scheduler: clock });
  groups.load();
  const internalTopics: string[] = [];
  const metadata = {
    clusterId: 'cluster',
    controllerId: 3,
    brokerId: 3,
    brokers: () => [
      { nodeId: 3, host: 'broker-host', port: 9999, rack: null },
      { nodeId: 4, host: 'other-host', port: 9998, rack: null },
    ],
    /** __consumer_offsets partition → leader (FindCoordinator answers the leader of the group's partition) */
    offsetsLeaders: [3, 3, 3, 3],
    topic(name: string) {
      if (name === '__consumer_offsets') return { name, partitions: this.offsetsLeaders.map((leader, partition) => ({ partition, leader })) };
      return name === 'known' ? { name, partitions: [{ partition: 0 }, { partition: 1 }] } : undefined;
    },
    ensureInternalTopic: async (name: string) => {
      internalTopics.push(name);
      return { name };
    },
  };
  // one block from a stand-in controller (KIP-730 allocation is tested in test/coordinator/producer-ids.test.ts)
  const producerIds = new ProducerIdManager({ allocateBlock: async () => ({ start: 0n, length: 1000 }) });
  const services = {
    config,
    metadata,
    groups,
    producerIds,
    log: () => {},
  } as unknown as BrokerServices;
  return { services, clock, log, internalTopics, producerIds };
}

async function call(s: BrokerServices, handler: ApiHandler<never, unknown>, version: number, request: Obj): Promise<Obj> {
  const bytes = Buffer.concat(encodeRequest(handler.apiKey, version, request));
  const decoded = decodeRequest<never>(handler.apiKey, version, new ByteReader(bytes));
  const ctx: RequestContext = { apiKey: handler.apiKey, apiVersion: version, correlationId: 1, clientId: 'cli', clientHost: '/10.0.0.1', connectionId: 1 };
  const response = await handler.handle(decoded, ctx, s);
  const out = Buffer.concat(encodeResponse(handler.apiKey, version, response));
  return decodeResponse<Obj>(handler.apiKey, version, new ByteReader(out));
}

const h = <T>(x: T) => x as unknown as ApiHandler<never, unknown>;

describe('group handlers over the codec', () => {
  it('FindCoordinator v0 and batched v4 answer this broker and create __consumer_offsets', async () => {
    const { services, internalTopics } = makeServices();
    const v0 = await call(services, h(findCoordinator), 0, { key: 'g' });
    expect(v0).toMatchObject({ errorCode: 0, nodeId: 3, host: 'broker-host', port: 9999 });
    expect(internalTopics).toEqual(['__consumer_offsets']);
    const v4 = await call(services, h(findCoordinator), 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect((v4.coordinators as Obj[]).map((c) => [c.key, c.nodeId, c.port, c.errorCode])).toEqual([['a', 3, 9999, 0], ['b', 3, 9999, 0]]);
    const bad = await call(services, h(findCoordinator), 2, { key: 'g', keyType: 7 });
    expect(bad.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('FindCoordinator names the leader of the group\'s __consumer_offsets partition, COORDINATOR_NOT_AVAILABLE while it has none', async () => {
    const { services } = makeServices();
    const metadata = services.metadata as unknown as { offsetsLeaders: number[] };
    const partition = services.groups.partitionFor('g');
    metadata.offsetsLeaders[partition] = 4;
    expect(await call(services, h(findCoordinator), 3, { key: 'g', keyType: 0 })).toMatchObject({ errorCode: 0, nodeId: 4, host: 'other-host', port: 9998 });
    metadata.offsetsLeaders[partition] = -1;
    expect(await call(services, h(findCoordinator), 3, { key: 'g', keyType: 0 })).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 });
  });

  it('JoinGroup v0 gets a member id directly, v5 gets MEMBER_ID_REQUIRED; sync, heartbeat, describe, leave', async () => {
    const { services, clock } = makeServices();
    const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]) }];
    const first = await call(services, h(joinGroup), 5, { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, memberId: '', protocolType: 'consumer', protocols });
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^cli-/);
    const joinA = call(services, h(joinGroup), 5, { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, memberId: first.memberId, protocolType: 'consumer', protocols });
    const joinB = call(services, h(joinGroup), 0, { groupId: 'g', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols });
    await new Promise((r) => setImmediate(r));
    clock.advance(0);
    const [a, b] = await Promise.all([joinA, joinB]);
    expect(a.errorCode).toBe(0);
    expect(b.errorCode).toBe(0);
    expect(b.memberId).toMatch(/^cli-/);
    expect(a.generationId).toBe(1);
    expect(a.leader).toBe(first.memberId);
    expect((a.members as Obj[]).length).toBe(2);
    expect(b.protocolName).toBe('range');

    const syncB = call(services, h(syncGroup), 0, { groupId: 'g', generationId: 1, memberId: b.memberId, assignments: [] });
    const syncA = await call(services, h(syncGroup), 5, {
      groupId: 'g', generationId: 1, memberId: a.memberId, protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: b.memberId, assignment: Buffer.from('bb') }],
    });
    expect(syncA).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(((await syncB).assignment as Buffer).toString()).toBe('bb');
    expect((await call(services, h(heartbeat), 4, { groupId: 'g', generationId: 1, memberId: b.memberId })).errorCode).toBe(0);

    const described = await call(services, h(describeGroups), 5, { groups: ['g', 'nope'], includeAuthorizedOperations: false });
    const [g, nope] = described.groups as Obj[];
    expect(g).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect((g!.members as Obj[]).map((m) => m.clientHost)).toEqual(['/10.0.0.1', '/10.0.0.1']);
    expect(nope).toMatchObject({ errorCode: 0, groupState: 'Dead' });

    const listed = await call(services, h(listGroups), 4, { statesFilter: ['Stable'] });
    expect(listed.groups).toEqual([{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: '' }]);

    // LeaveGroup v0: the member's error is the response error
    expect((await call(services, h(leaveGroup), 0, { groupId: 'g', memberId: 'ghost' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const left = await call(services, h(leaveGroup), 3, { groupId: 'g', members: [{ memberId: b.memberId, groupInstanceId: null }] });
    expect(left.errorCode).toBe(0);
    expect(left.members).toEqual([{ memberId: b.memberId, groupInstanceId: null, errorCode: 0 }]);
    expect((await call(services, h(heartbeat), 0, { groupId: 'g', generationId: 1, memberId: a.memberId })).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('OffsetCommit/OffsetFetch across versions, unknown topics, OffsetDelete and DeleteGroups', async () => {
    const { services } = makeServices();
    const commit = await call(services, h(offsetCommit), 2, {
      groupId: 'admin', generationIdOrMemberEpoch: -1, memberId: '',
      topics: [
        { name: 'known', partitions: [{ partitionIndex: 0, committedOffset: 12n, committedMetadata: 'm' }, { partitionIndex: 5, committedOffset: 1n, committedMetadata: null }] },
        { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] },
      ],
    });
    expect(commit.topics).toEqual([
      { name: 'known', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 'missing', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    await call(services, h(offsetCommit), 9, {
      groupId: 'admin', generationIdOrMemberEpoch: -1, memberId: '',
      topics: [{ name: 'known', partitions: [{ partitionIndex: 1, committedOffset: 30n, committedLeaderEpoch: 4, committedMetadata: '' }] }],
    });

    const v1 = await call(services, h(offsetFetch), 1, { groupId: 'admin', topics: [{ name: 'known', partitionIndexes: [0, 3] }] });
    expect(v1.topics).toEqual([{ name: 'known', partitions: [
      { partitionIndex: 0, committedOffset: 12n, committedLeaderEpoch: -1, metadata: 'm', errorCode: 0 },
      { partitionIndex: 3, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ] }]);
    const v7 = await call(services, h(offsetFetch), 7, { groupId: 'admin', topics: null, requireStable: true });
    expect((v7.topics as Obj[])[0]!.partitions).toEqual([
      { partitionIndex: 0, committedOffset: 12n, committedLeaderEpoch: -1, metadata: 'm', errorCode: 0 },
      { partitionIndex: 1, committedOffset: 30n, committedLeaderEpoch: 4, metadata: '', errorCode: 0 },
    ]);
    const v8 = await call(services, h(offsetFetch), 8, { groups: [{ groupId: 'admin', topics: [{ name: 'known', partitionIndexes: [1] }] }, { groupId: 'other', topics: null }] });
    expect(v8.groups).toEqual([
      { groupId: 'admin', errorCode: 0, topics: [{ name: 'known', partitions: [{ partitionIndex: 1, committedOffset: 30n, committedLeaderEpoch: 4, metadata: '', errorCode: 0 }] }] },
      { groupId: 'other', errorCode: 0, topics: [] },
    ]);

    const deleted = await call(services, h(offsetDelete), 0, { groupId: 'admin', topics: [{ name: 'known', partitions: [{ partitionIndex: 0 }] }] });
    expect(deleted).toMatchObject({ errorCode: 0, topics: [{ name: 'known', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] });
    const groupsDeleted = await call(services, h(deleteGroups), 1, { groupsNames: ['admin', 'admin'] });
    expect(groupsDeleted.results).toEqual([
      { groupId: 'admin', errorCode: 0 },
      { groupId: 'admin', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
  });

  it('InitProducerId hands out distinct ids as int64', async () => {
    const { services, producerIds } = makeServices();
    await producerIds.start();
    const a = await call(services, h(initProducerId), 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    const b = await call(services, h(initProducerId), 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(a.errorCode).toBe(0);
    expect(typeof a.producerId).toBe('bigint');
    expect(b.producerId).not.toBe(a.producerId);
    expect(b.producerEpoch).toBe(0);
  });
});
