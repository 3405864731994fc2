/**
 * Transactions in a cluster: the TransactionMarkerChannelManager writes each marker at the
 * partition's leader — in-process for this broker, WriteTxnMarkers (27) to a real listener
 * for another broker — retries partitions whose leader is unknown or moved until written,
 * drops partitions of deleted topics and stops when the coordinator no longer wants the
 * markers; the TransactionCoordinator answers CONCURRENT_TRANSACTIONS while markers are
 * in flight and writes CompleteCommit only once every marker is written. A partition
 * leader that does not coordinate the producer takes its transactional writes (pre-KIP-890).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerConfig } from '../../src/broker/config.js';
import { ManualScheduler } from '../../src/coordinator/clock.js';
import { TransactionCoordinator, transactionCoordinatorConfig } from '../../src/coordinator/transaction-coordinator.js';
import { TransactionMarkerChannelManager, type MarkerDestination, type TransactionMarkers } from '../../src/coordinator/transaction-marker-channel.js';
import { transactionPartitionFor } from '../../src/coordinator/transaction-records.js';
import { BrokerServer } from '../../src/broker/server.js';
import writeTxnMarkers from '../../src/broker/handlers/27-write-txn-markers.js';
import apiVersions from '../../src/broker/handlers/18-api-versions.js';
import type { ApiHandler } from '../../src/broker/handler.js';
import type { BrokerServices } from '../../src/broker/services/index.js';
import type { TxnMarker } from '../../src/broker/services/partition-data-service.js';
import { advertisedApis } from '../../src/broker/server.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { FakeOffsetsLog } from './fake-offsets-log.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A "remote broker": a real listener serving WriteTxnMarkers over a recording partition store. */
async function remoteLeader(answer: (m: TxnMarker) => number) {
  const written: TxnMarker[] = [];
  const completed: Array<[number, number, boolean]> = [];
  const handlers = [writeTxnMarkers, apiVersions] as unknown as ApiHandler[];
  const config = brokerConfig({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], advertisedListeners: [] });
  const services = {
    config,
    data: {
      writeTxnMarkerReplicated: (m: TxnMarker) => {
        const code = answer(m);
        if (code === ErrorCode.NONE) written.push(m);
        return code;
      },
    },
    groups: { completeTransaction: (p: number, pid: number, commit: boolean) => void completed.push([p, pid, commit]) },
    apiVersions: advertisedApis(handlers),
    log: () => {},
  } as unknown as BrokerServices;
  const server = new BrokerServer(handlers, Promise.resolve(services));
  const [bound] = await server.listen(config.listeners, config);
  closers.push(() => server.close());
  return { port: bound!.port, written, completed };
}

function channel(leaderOf: (topic: string, partition: number) => MarkerDestination, local: TxnMarker[] = []) {
  const c = new TransactionMarkerChannelManager({
    brokerId: 0,
    leaderOf,
    writeLocal: (m) => {
      local.push(m);
      return ErrorCode.NONE;
    },
    retryBackoffMs: 5,
    requestTimeoutMs: 5_000,
  });
  closers.push(() => c.close());
  return c;
}

const txn = (partitions: Array<[string, number]>, commit = true): TransactionMarkers => ({
  transactionalId: 'tx',
  producerId: 4000,
  producerEpoch: 3,
  commit,
  coordinatorEpoch: 0,
  partitions: partitions.map(([topic, partition]) => ({ topic, partition })),
});

describe('TransactionMarkerChannelManager', () => {
  it('writes local partitions in-process and remote ones with WriteTxnMarkers, retrying a moved leader', async () => {
    let refusals = 1;
    const remote = await remoteLeader((m) => (m.partition === 1 && refusals-- > 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE));
    let unknownRounds = 2;
    const local: TxnMarker[] = [];
    const c = channel((topic, partition) => {
      if (topic === 'gone') return 'gone';
      if (partition === 0) return { nodeId: 0, host: '', port: -1 };
      if (partition === 2 && unknownRounds-- > 0) return 'unknown';
      return { nodeId: 1, host: '127.0.0.1', port: remote.port };
    }, local);
    const done = await c.writeMarkers(txn([['t', 0], ['t', 1], ['t', 2], ['gone', 0], ['__consumer_offsets', 7]]), () => true);
    expect(done).toBe(true);
    expect(local.map((m) => `${m.topic}-${m.partition}`)).toEqual(['t-0']);
    expect(remote.written.map((m) => `${m.topic}-${m.partition}`).sort()).toEqual(['__consumer_offsets-7', 't-1', 't-2']);
    expect(remote.written.every((m) => m.producerId === 4000 && m.producerEpoch === 3 && m.commit)).toBe(true);
    // the leader of a __consumer_offsets partition settles the group's pending TxnOffsetCommits
    expect(remote.completed).toEqual([[7, 4000, true]]);
  });

  it('gives up when the coordinator no longer wants the markers, or the leader says the epoch is fenced', async () => {
    const c = channel(() => 'unknown');
    let wanted = 3;
    expect(await c.writeMarkers(txn([['t', 0]]), () => wanted-- > 0)).toBe(false);
    const fenced = await remoteLeader(() => ErrorCode.INVALID_PRODUCER_EPOCH);
    const d = channel(() => ({ nodeId: 2, host: '127.0.0.1', port: fenced.port }));
    expect(await d.writeMarkers(txn([['t', 0]], false), () => true)).toBe(false);
  });

  it('retries while the leader is unreachable and delivers once it is back', async () => {
    // a port nobody listens on yet
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const remote = await remoteLeader(() => ErrorCode.NONE);
    let attempts = 0;
    const c = channel(() => ({ nodeId: 1, host: '127.0.0.1', port: attempts++ < 2 ? deadPort : remote.port }));
    expect(await c.writeMarkers(txn([['t', 5]]), () => true)).toBe(true);
    expect(remote.written).toHaveLength(1);
  });
});

describe('TransactionCoordinator with a marker channel (cluster)', () => {
  function setup() {
    const log = new FakeOffsetsLog(3);
    const sent: Array<{ txn: TransactionMarkers; resolve: (ok: boolean) => void }> = [];
    let nextId = 7000;
    const coordinator = new TransactionCoordinator({
      log,
      ensureTopic: async () => {},
      generateProducerId: () => nextId++,
      writeMarker: () => ErrorCode.NOT_LEADER_OR_FOLLOWER,
      markerChannel: { writeMarkers: (t) => new Promise<boolean>((resolve) => sent.push({ txn: t, resolve })) },
      offsetsPartitionFor: () => 0,
      config: { ...transactionCoordinatorConfig(brokerConfig()), abortTimedOutTransactionsIntervalMs: 1000 },
      scheduler: new ManualScheduler(),
    });
    log.ensureReady();
    coordinator.load();
    return { coordinator, sent };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('completes the commit only once every marker is written; CONCURRENT_TRANSACTIONS meanwhile', async () => {
    const { coordinator, sent } = setup();
    const { producerId, producerEpoch } = coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    expect(coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }])).toBe(ErrorCode.NONE);
    expect(coordinator.endTransaction('tx', producerId, producerEpoch, true)).toBe(ErrorCode.NONE);
    expect(coordinator.describe('tx')?.state).toBe('PrepareCommit');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.txn).toMatchObject({ producerId, producerEpoch, commit: true, partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] });
    // the producer's next transaction waits (retriable), and a retried completion sends nothing twice
    expect(coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 't', partition: 0 }])).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(sent).toHaveLength(1);
    sent[0]!.resolve(true);
    await settle();
    expect(coordinator.describe('tx')?.state).toBe('CompleteCommit');
    expect(coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 't', partition: 0 }])).toBe(ErrorCode.NONE);
  });

  it('stays in PrepareAbort when the channel gives up, and retries on the next completion attempt', async () => {
    const { coordinator, sent } = setup();
    const { producerId, producerEpoch } = coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 't', partition: 2 }]);
    coordinator.endTransaction('tx', producerId, producerEpoch, false);
    sent[0]!.resolve(false);
    await settle();
    expect(coordinator.describe('tx')?.state).toBe('PrepareAbort');
    coordinator.abortTimedOutTransactions();
    expect(sent).toHaveLength(2);
    sent[1]!.resolve(true);
    await settle();
    expect(coordinator.describe('tx')?.state).toBe('CompleteAbort');
  });

  it('takes transactional writes of producers another broker coordinates, and still checks its own', () => {
    const { coordinator } = setup();
    const { producerId, producerEpoch } = coordinator.initProducerId({ transactionalId: 'mine', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    const mine = transactionPartitionFor('mine', 3);
    // this broker coordinates only `mine`'s __transaction_state partition now
    for (let p = 0; p < 3; p++) if (p !== mine) coordinator.onResigned(p);
    expect(coordinator.verifyTransactionalWrite(null, 123456, 0, 't', 0)).toBe(ErrorCode.NONE);
    expect(coordinator.verifyTransactionalWrite(null, producerId, producerEpoch, 't', 0)).toBe(ErrorCode.INVALID_TXN_STATE);
    const other = ['a', 'b', 'c', 'd', 'e', 'f'].find((id) => transactionPartitionFor(id, 3) !== mine)!;
    expect(coordinator.verifyTransactionalWrite(other, 99, 0, '__consumer_offsets', 0)).toBe(ErrorCode.NONE);
  });
});
