/**
 * Coordinators follow the leadership of their internal topic's partitions: the group
 * coordinator writes `__consumer_offsets` through the replica manager, unloads a
 * partition's groups when this broker stops leading it (their requests then answer
 * NOT_COORDINATOR) and reloads them, committed offsets included, when it leads again.
 * The transaction coordinator does the same for `__transaction_state`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReplicaManager } from '../../src/broker/replica-manager.js';
import type { MetadataService, PartitionState } from '../../src/broker/services/metadata-service.js';
import type { JoinGroupParams } from '../../src/broker/services/group-service.js';
import { GroupCoordinator, groupCoordinatorConfig, type GroupCoordinatorConfig } from '../../src/coordinator/group-coordinator.js';
import { InternalTopicLog } from '../../src/coordinator/internal-topic-log.js';
import {
  TRANSACTION_STATE_TOPIC,
  TransactionCoordinator,
  transactionCoordinatorConfig,
} from '../../src/coordinator/transaction-coordinator.js';
import { transactionPartitionFor } from '../../src/coordinator/transaction-records.js';
import { ManualScheduler } from '../../src/coordinator/clock.js';
import { defaultBrokerConfig } from '../../src/broker/config.js';
import { PartitionLog, defaultLogConfig } from '../../src/storage/partition-log.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const OFFSETS_TOPIC = '__consumer_offsets';
const BROKER = 1;
const OTHER_BROKER = 2;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Metadata of internal topics led by broker 1, whose leaders the test moves by hand. */
function clusterOf(topics: Record<string, number>) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'coordinator-leadership-'));
  dirs.push(base);
  const states = new Map<string, { name: string; topicId: string; internal: boolean; configs: Record<string, string>; partitions: PartitionState[] }>();
  const logs = new Map<string, PartitionLog>();
  for (const [name, count] of Object.entries(topics)) {
    const partitions: PartitionState[] = [];
    for (let p = 0; p < count; p++) {
      partitions.push({ partition: p, leader: BROKER, leaderEpoch: 0, replicas: [BROKER, OTHER_BROKER], isr: [BROKER], offlineReplicas: [] });
      logs.set(`${name}-${p}`, PartitionLog.open(path.join(base, `${name}-${p}`), defaultLogConfig()));
    }
    states.set(name, { name, topicId: name, internal: true, configs: {}, partitions });
  }
  const metadata = {
    brokerId: BROKER,
    topics: () => [...states.values()],
    topic: (name: string) => states.get(name),
    getPartition: (topic: string, partition: number) => {
      const state = states.get(topic)?.partitions[partition];
      const log = logs.get(`${topic}-${partition}`);
      return state && log ? { state, log } : undefined;
    },
  } as unknown as MetadataService;
  const replicas = new ReplicaManager(BROKER, metadata);
  /** Moves the partition's leadership (a controller's PartitionChangeRecord) and lets the replica manager react. */
  const setLeader = (topic: string, partition: number, leader: number) => {
    const state = states.get(topic)!.partitions[partition]!;
    state.leader = leader;
    state.leaderEpoch++;
    replicas.applyLeadershipChanges();
  };
  const internalLog = (topic: string) =>
    new InternalTopicLog({
      topic,
      numPartitions: states.get(topic)!.partitions.length,
      metadata,
      replicas,
      ensureTopic: async () => {},
      appendTimeoutMs: 5000,
    });
  const close = () => {
    replicas.close();
    for (const log of logs.values()) log.close();
  };
  return { metadata, replicas, setLeader, internalLog, logs, close };
}

const groupConfig: GroupCoordinatorConfig = groupCoordinatorConfig(defaultBrokerConfig());

function commit(groups: GroupCoordinator, groupId: string, offset: number) {
  return groups.commitOffsets({
    groupId,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: 'orders', partitions: [{ partition: 0, offset, leaderEpoch: -1, metadata: 'm' }] }],
  });
}

function join(groupId: string): JoinGroupParams {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    requireKnownMemberId: false,
  };
}

describe('group coordinator and __consumer_offsets leadership', () => {
  it('unloads a partition it no longer leads (NOT_COORDINATOR) and reloads its groups with their offsets when it leads again', async () => {
    const cluster = clusterOf({ [OFFSETS_TOPIC]: 3 });
    const groups = new GroupCoordinator({ log: cluster.internalLog(OFFSETS_TOPIC), config: groupConfig, scheduler: new ManualScheduler() });
    groups.startup();
    cluster.replicas.addLeadershipListener(OFFSETS_TOPIC, groups);

    // two groups in different offsets partitions
    const moved = 'payments';
    const stays = ['audit', 'billing', 'search', 'ledger'].find((g) => groups.partitionFor(g) !== groups.partitionFor(moved))!;
    const partition = groups.partitionFor(moved);
    expect((await commit(groups, moved, 42))[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await commit(groups, stays, 7))[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    // the commit went through the replica manager: in the partition's log, under its high watermark
    const log = cluster.logs.get(`${OFFSETS_TOPIC}-${partition}`)!;
    expect(log.logEndOffset).toBe(1);
    expect(log.highWatermark).toBe(1);

    cluster.setLeader(OFFSETS_TOPIC, partition, OTHER_BROKER);
    expect(groups.listGroups().map((g) => g.groupId)).toEqual([stays]);
    expect(groups.fetchOffsets(moved, [{ name: 'orders', partitions: [0] }]).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await commit(groups, moved, 43))[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await groups.joinGroup(join(moved))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(groups.describeGroup(moved).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(log.logEndOffset).toBe(1);
    // the other partition's group is untouched
    expect(groups.fetchOffsets(stays, [{ name: 'orders', partitions: [0] }]).topics[0]!.partitions[0]!.offset).toBe(7);

    cluster.setLeader(OFFSETS_TOPIC, partition, BROKER);
    expect(groups.listGroups().map((g) => g.groupId).sort()).toEqual([moved, stays].sort());
    const reloaded = groups.fetchOffsets(moved, [{ name: 'orders', partitions: [0] }]);
    expect(reloaded.errorCode).toBe(ErrorCode.NONE);
    expect(reloaded.topics[0]!.partitions[0]).toMatchObject({ offset: 42, metadata: 'm', errorCode: ErrorCode.NONE });
    expect((await commit(groups, moved, 44))[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    groups.shutdown();
    cluster.close();
  });
});

describe('transaction coordinator and __transaction_state leadership', () => {
  it('forgets the transactions of a partition it no longer leads and reloads them when it leads again', () => {
    const cluster = clusterOf({ [TRANSACTION_STATE_TOPIC]: 2 });
    let nextProducerId = 1000;
    const transactions = new TransactionCoordinator({
      log: cluster.internalLog(TRANSACTION_STATE_TOPIC),
      ensureTopic: async () => {},
      generateProducerId: () => nextProducerId++,
      writeMarker: () => ErrorCode.NONE,
      offsetsPartitionFor: () => 0,
      config: transactionCoordinatorConfig(defaultBrokerConfig()),
      scheduler: new ManualScheduler(),
    });
    transactions.startup();
    cluster.replicas.addLeadershipListener(TRANSACTION_STATE_TOPIC, transactions);

    const init = transactions.initProducerId({ transactionalId: 'tx-a', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const partition = transactionPartitionFor('tx-a', 2);

    cluster.setLeader(TRANSACTION_STATE_TOPIC, partition, OTHER_BROKER);
    expect(transactions.describe('tx-a')).toBeUndefined();
    expect(transactions.addPartitions('tx-a', init.producerId, init.producerEpoch, [{ topic: 't', partition: 0 }])).toBe(ErrorCode.NOT_COORDINATOR);
    expect(
      transactions.initProducerId({ transactionalId: 'tx-a', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }).errorCode,
    ).toBe(ErrorCode.NOT_COORDINATOR);

    cluster.setLeader(TRANSACTION_STATE_TOPIC, partition, BROKER);
    expect(transactions.describe('tx-a')).toMatchObject({ producerId: init.producerId, producerEpoch: init.producerEpoch, state: 'Empty' });
    expect(transactions.addPartitions('tx-a', init.producerId, init.producerEpoch, [{ topic: 't', partition: 0 }])).toBe(ErrorCode.NONE);
    transactions.shutdown();
    cluster.close();
  });
});
