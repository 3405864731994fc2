/**
 * TransactionCoordinator unit tests over an in-memory `__transaction_state` and a
 * recording marker writer: state machine, fencing, timeouts, reload after restart, and
 * the TransactionLogKey/Value record format.
 */
import { describe, expect, it } from 'vitest';
import { brokerConfig } from '../../src/broker/config.js';
import { ManualScheduler } from '../../src/coordinator/clock.js';
import {
  TransactionCoordinator,
  transactionCoordinatorConfig,
} from '../../src/coordinator/transaction-coordinator.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  transactionPartitionFor,
} from '../../src/coordinator/transaction-records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { FakeOffsetsLog } from './fake-offsets-log.js';

interface Marker {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
}

function setup(opts: { log?: FakeOffsetsLog; failMarkers?: boolean; nextId?: number } = {}) {
  const log = opts.log ?? new FakeOffsetsLog(3);
  const scheduler = new ManualScheduler();
  const markers: Marker[] = [];
  let nextId = opts.nextId ?? 1000;
  const state = { failMarkers: opts.failMarkers ?? false };
  const coordinator = new TransactionCoordinator({
    log,
    ensureTopic: async () => {},
    generateProducerId: () => nextId++,
    writeMarker: (m) => {
      if (state.failMarkers) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
      markers.push({ topic: m.topic, partition: m.partition, producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.commit });
      return ErrorCode.NONE;
    },
    offsetsPartitionFor: (groupId) => groupId.length % 5,
    config: { ...transactionCoordinatorConfig(brokerConfig()), abortTimedOutTransactionsIntervalMs: 1000 },
    scheduler,
  });
  log.ensureReady();
  coordinator.load();
  return { coordinator, log, scheduler, markers, state };
}

const init = (c: TransactionCoordinator, id: string, timeoutMs = 60_000, producerId = -1, producerEpoch = -1) =>
  c.initProducerId({ transactionalId: id, transactionTimeoutMs: timeoutMs, producerId, producerEpoch });

describe('TransactionCoordinator', () => {
  it('gives a transactional id a stable producer id and bumps the epoch on every init', () => {
    const { coordinator } = setup();
    const first = init(coordinator, 'tx-a');
    expect(first).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 0 });
    expect(init(coordinator, 'tx-a')).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 1 });
    expect(init(coordinator, 'tx-b').producerId).toBe(1001);
    expect(coordinator.describe('tx-a')).toMatchObject({ state: 'Empty', producerEpoch: 1, partitions: [] });
  });

  it('rejects timeouts above transaction.max.timeout.ms and non-positive ones', () => {
    const { coordinator } = setup();
    expect(init(coordinator, 'tx', 900_001).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect(init(coordinator, 'tx', 0).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect(init(coordinator, 'tx', 900_000).errorCode).toBe(ErrorCode.NONE);
  });

  it('runs Empty → Ongoing → PrepareCommit → CompleteCommit and writes COMMIT markers to every partition', () => {
    const { coordinator, markers } = setup();
    const { producerId, producerEpoch } = init(coordinator, 'tx');
    expect(coordinator.endTransaction('tx', producerId, producerEpoch, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 't', partition: 0 }])).toBe(ErrorCode.NONE);
    expect(coordinator.addOffsets('tx', producerId, producerEpoch, 'group-1')).toBe(ErrorCode.NONE);
    expect(coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 't', partition: 1 }])).toBe(ErrorCode.NONE);
    expect(coordinator.describe('tx')).toMatchObject({
      state: 'Ongoing',
      partitions: [
        { topic: 't', partition: 0 },
        { topic: '__consumer_offsets', partition: 2 },
        { topic: 't', partition: 1 },
      ],
    });
    expect(coordinator.verifyTransactionalWrite(null, producerId, producerEpoch, 't', 1)).toBe(ErrorCode.NONE);
    expect(coordinator.verifyTransactionalWrite(null, producerId, producerEpoch, 't', 2)).toBe(ErrorCode.INVALID_TXN_STATE);

    expect(coordinator.endTransaction('tx', producerId, producerEpoch, true)).toBe(ErrorCode.NONE);
    expect(markers).toEqual([
      { topic: 't', partition: 0, producerId, producerEpoch, commit: true },
      { topic: '__consumer_offsets', partition: 2, producerId, producerEpoch, commit: true },
      { topic: 't', partition: 1, producerId, producerEpoch, commit: true },
    ]);
    expect(coordinator.describe('tx')).toMatchObject({ state: 'CompleteCommit', partitions: [], startTimestamp: -1 });
    // a retried EndTxn(commit) succeeds; switching to abort does not
    expect(coordinator.endTransaction('tx', producerId, producerEpoch, true)).toBe(ErrorCode.NONE);
    expect(coordinator.endTransaction('tx', producerId, producerEpoch, false)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(coordinator.verifyTransactionalWrite(null, producerId, producerEpoch, 't', 0)).toBe(ErrorCode.INVALID_TXN_STATE);

    // the next transaction starts from CompleteCommit
    expect(coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 't', partition: 2 }])).toBe(ErrorCode.NONE);
    expect(coordinator.endTransaction('tx', producerId, producerEpoch, false)).toBe(ErrorCode.NONE);
    expect(markers.at(-1)).toEqual({ topic: 't', partition: 2, producerId, producerEpoch, commit: false });
    expect(coordinator.describe('tx')!.state).toBe('CompleteAbort');
  });

  it('answers wrong producer ids with INVALID_PRODUCER_ID_MAPPING and old epochs with PRODUCER_FENCED', () => {
    const { coordinator } = setup();
    const old = init(coordinator, 'tx');
    const current = init(coordinator, 'tx');
    const tp = [{ topic: 't', partition: 0 }];
    expect(coordinator.addPartitions('tx', old.producerId + 1, current.producerEpoch, tp)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(coordinator.addPartitions('unknown', current.producerId, 0, tp)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(coordinator.addPartitions('tx', old.producerId, old.producerEpoch, tp)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(coordinator.endTransaction('tx', old.producerId, old.producerEpoch, true)).toBe(ErrorCode.PRODUCER_FENCED);
    // KIP-360: an InitProducerId naming a stale id/epoch is fenced too
    expect(init(coordinator, 'tx', 60_000, old.producerId, old.producerEpoch).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(init(coordinator, 'tx', 60_000, current.producerId, current.producerEpoch)).toMatchObject({
      errorCode: ErrorCode.NONE,
      producerEpoch: current.producerEpoch + 1,
    });
  });

  it('fences a producer with an open transaction: ABORT markers under epoch+1, new producer gets epoch+2', () => {
    const { coordinator, markers } = setup();
    const old = init(coordinator, 'tx');
    coordinator.addPartitions('tx', old.producerId, old.producerEpoch, [{ topic: 't', partition: 0 }]);
    const fresh = init(coordinator, 'tx');
    expect(fresh).toEqual({ errorCode: ErrorCode.NONE, producerId: old.producerId, producerEpoch: old.producerEpoch + 2 });
    expect(markers).toEqual([{ topic: 't', partition: 0, producerId: old.producerId, producerEpoch: old.producerEpoch + 1, commit: false }]);
    expect(coordinator.verifyTransactionalWrite(null, old.producerId, old.producerEpoch, 't', 0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(coordinator.endTransaction('tx', old.producerId, old.producerEpoch, true)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('aborts and fences a transaction that outlives its timeout', () => {
    const { coordinator, markers, scheduler } = setup();
    const p = init(coordinator, 'slow', 5_000);
    const q = init(coordinator, 'quick', 60_000);
    coordinator.addPartitions('slow', p.producerId, p.producerEpoch, [{ topic: 't', partition: 0 }]);
    coordinator.addPartitions('quick', q.producerId, q.producerEpoch, [{ topic: 't', partition: 1 }]);
    scheduler.advance(4_000);
    expect(markers).toEqual([]);
    scheduler.advance(2_000);
    expect(markers).toEqual([{ topic: 't', partition: 0, producerId: p.producerId, producerEpoch: p.producerEpoch + 1, commit: false }]);
    expect(coordinator.describe('slow')).toMatchObject({ state: 'CompleteAbort', producerEpoch: p.producerEpoch + 1 });
    expect(coordinator.describe('quick')!.state).toBe('Ongoing');
    expect(coordinator.endTransaction('slow', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(coordinator.addPartitions('slow', p.producerId, p.producerEpoch, [{ topic: 't', partition: 0 }])).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('reloads transactions from __transaction_state after a restart', () => {
    const first = setup();
    const a = init(first.coordinator, 'tx-a');
    init(first.coordinator, 'tx-a');
    first.coordinator.addPartitions('tx-a', a.producerId, 1, [{ topic: 't', partition: 3 }]);
    const b = init(first.coordinator, 'tx-b');
    first.coordinator.addPartitions('tx-b', b.producerId, 0, [{ topic: 't', partition: 0 }]);
    first.coordinator.endTransaction('tx-b', b.producerId, 0, true);
    first.coordinator.shutdown();

    const second = setup({ log: first.log, nextId: 5000 });
    expect(second.coordinator.describe('tx-a')).toMatchObject({
      producerId: a.producerId,
      producerEpoch: 1,
      state: 'Ongoing',
      partitions: [{ topic: 't', partition: 3 }],
    });
    expect(second.coordinator.describe('tx-b')).toMatchObject({ producerId: b.producerId, state: 'CompleteCommit' });
    // the reloaded open transaction can still be committed by its producer
    expect(second.coordinator.endTransaction('tx-a', a.producerId, 1, true)).toBe(ErrorCode.NONE);
    expect(second.markers).toEqual([{ topic: 't', partition: 3, producerId: a.producerId, producerEpoch: 1, commit: true }]);
    // and ids are not handed out again
    expect(init(second.coordinator, 'tx-c').producerId).toBe(5000);
  });

  it('completes a PrepareCommit left by a crash when it loads', () => {
    const first = setup({ failMarkers: true });
    const p = init(first.coordinator, 'tx');
    first.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 't', partition: 0 }, { topic: 'u', partition: 1 }]);
    // the outcome is decided once PrepareCommit is written, even if markers cannot be written yet
    expect(first.coordinator.endTransaction('tx', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.NONE);
    expect(first.coordinator.describe('tx')!.state).toBe('PrepareCommit');
    expect(first.coordinator.endTransaction('tx', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    first.coordinator.shutdown();

    const second = setup({ log: first.log });
    expect(second.markers).toEqual([
      { topic: 't', partition: 0, producerId: p.producerId, producerEpoch: p.producerEpoch, commit: true },
      { topic: 'u', partition: 1, producerId: p.producerId, producerEpoch: p.producerEpoch, commit: true },
    ]);
    expect(second.coordinator.describe('tx')!.state).toBe('CompleteCommit');
  });

  it('retries stuck markers on the timer', () => {
    const s = setup({ failMarkers: true });
    const p = init(s.coordinator, 'tx');
    s.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [{ topic: 't', partition: 0 }]);
    s.coordinator.endTransaction('tx', p.producerId, p.producerEpoch, false);
    expect(s.coordinator.describe('tx')!.state).toBe('PrepareAbort');
    s.state.failMarkers = false;
    s.scheduler.advance(1_000);
    expect(s.coordinator.describe('tx')!.state).toBe('CompleteAbort');
    expect(s.markers).toHaveLength(1);
  });
});

describe('__transaction_state records', () => {
  it('round-trips TransactionLogKey and TransactionLogValue v0', () => {
    const key = encodeTransactionLogKey('my-txn');
    expect(key.readInt16BE(0)).toBe(0);
    expect(decodeTransactionLogKey(key)).toBe('my-txn');
    const value = {
      producerId: 4242,
      producerEpoch: 7,
      transactionTimeoutMs: 60_000,
      state: 'Ongoing' as const,
      partitions: [
        { topic: 'a', partition: 0 },
        { topic: 'b', partition: 3 },
        { topic: 'a', partition: 2 },
      ],
      lastUpdateTimestamp: 1_700_000_000_123,
      startTimestamp: 1_700_000_000_000,
    };
    const bytes = encodeTransactionLogValue(value);
    // version, producerId, epoch, timeout, status (Ongoing = 1)
    expect(bytes.readInt16BE(0)).toBe(0);
    expect(bytes.readBigInt64BE(2)).toBe(4242n);
    expect(bytes.readInt8(16)).toBe(1);
    expect(decodeTransactionLogValue(bytes)).toEqual({
      ...value,
      partitions: [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 2 },
        { topic: 'b', partition: 3 },
      ],
    });
  });

  it('maps transactional ids to partitions like Kafka (abs(hashCode) % partitions)', () => {
    // "hello".hashCode() = 99162322 and "polygenelubricants".hashCode() = Integer.MIN_VALUE in Java
    expect(transactionPartitionFor('hello', 50)).toBe(99162322 % 50);
    expect(transactionPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(transactionPartitionFor('', 50)).toBe(0);
  });
});
