/**
 * Idempotent-producer state owned by the partition log (Kafka's UnifiedLog +
 * ProducerStateManager): the table's sequence de-duplication, and the log checking and
 * updating it inside one append, leader and follower alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProducerStateTable, lastSequenceOf } from '../../src/storage/producer-state.js';
import { PartitionLog, defaultLogConfig } from '../../src/storage/partition-log.js';
import { readBatchHeader } from '../../src/protocol/records/batch.js';
import { buildControlBatch, buildRecordBatch, ControlRecordType } from '../../src/protocol/records/record.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';

const dirs: string[] = [];
function partitionDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'producer-state-'));
  dirs.push(d);
  return path.join(d, 't-0');
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function idempotentBatch(producerId: number, baseSequence: number, count: number, opts: { epoch?: number; transactional?: boolean } = {}): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${baseSequence + i}`) }));
  return buildRecordBatch(records, { producerId, producerEpoch: opts.epoch ?? 0, baseSequence, transactional: opts.transactional });
}

function errorCodeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
  return ErrorCode.NONE;
}

describe('the partition log owns its producer state', () => {
  it('checks and updates it in one leader append: a retry gets its original offsets, a gap or a fenced epoch is refused', () => {
    const log = PartitionLog.open(partitionDir(), defaultLogConfig());
    expect(log.producerState).toBe(log.producerState);
    const first = log.appendAsLeader(idempotentBatch(5, 0, 3), 0);
    expect(first.duplicate).toBeUndefined();
    log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('plain') }]), 0);
    const end = log.logEndOffset;

    const retry = log.appendAsLeader(idempotentBatch(5, 0, 3), 0);
    expect(retry).toMatchObject({ duplicate: true, baseOffset: first.baseOffset, lastOffset: first.lastOffset });
    expect(log.logEndOffset).toBe(end);

    expect(errorCodeOf(() => log.appendAsLeader(idempotentBatch(5, 7, 1), 0))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    log.appendAsLeader(idempotentBatch(5, 0, 1, { epoch: 1 }), 0);
    expect(errorCodeOf(() => log.appendAsLeader(idempotentBatch(5, 1, 1, { epoch: 0 }), 0))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(log.logEndOffset).toBe(end + 1);
    expect(log.producerState.activeProducers()).toEqual([{ producerId: 5, producerEpoch: 1, lastSequence: 0, lastTimestamp: expect.any(Number) }]);
    log.close();
  });

  it('opens a transaction on a transactional batch and closes it on the marker, reporting what the marker closed', () => {
    const log = PartitionLog.open(partitionDir(), defaultLogConfig());
    const opened = log.appendAsLeader(idempotentBatch(9, 0, 2, { transactional: true }), 0).baseOffset;
    expect([...log.producerState.ongoingTransactions()]).toEqual([[9, opened]]);
    expect(errorCodeOf(() => log.appendAsLeader(idempotentBatch(9, 2, 1), 0))).toBe(ErrorCode.INVALID_TXN_STATE);
    const marker = buildControlBatch(ControlRecordType.ABORT, 0, { producerId: 9, producerEpoch: 0, timestamp: Date.now() });
    const info = log.appendAsLeader(marker, 0, undefined, 'coordinator');
    expect(info.completedTxns).toEqual([{ producerId: 9, firstOffset: opened, lastOffset: info.baseOffset }]);
    expect(log.producerState.ongoingTransactions().size).toBe(0);
    log.close();
  });

  it('a follower replicating a transaction and its ABORT marker closes it and indexes the abort as the leader did', () => {
    const leader = PartitionLog.open(partitionDir(), defaultLogConfig());
    const follower = PartitionLog.open(partitionDir(), defaultLogConfig());
    leader.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('plain') }]), 0);
    const opened = leader.appendAsLeader(idempotentBatch(9, 0, 2, { transactional: true }), 0).baseOffset;
    const abort = buildControlBatch(ControlRecordType.ABORT, 0, { producerId: 9, producerEpoch: 0, timestamp: Date.now() });
    const leaderInfo = leader.appendAsLeader(abort, 0, undefined, 'coordinator');
    expect(leaderInfo.abortedTxns).toEqual([{ producerId: 9, firstOffset: opened, lastOffset: leaderInfo.baseOffset, lastStableOffset: leaderInfo.baseOffset + 1 }]);

    // the follower has not touched its producer state before the batches arrive
    const info = follower.appendAsFollower(Buffer.from(leader.read(0, 1 << 20).records));
    expect(info.completedTxns).toEqual([{ producerId: 9, firstOffset: opened, lastOffset: leaderInfo.baseOffset }]);
    expect(follower.producerState.ongoingTransactions().size).toBe(0);
    expect(follower.abortedTxns()).toEqual(leader.abortedTxns());
    expect(follower.producerState.check(9, 0, 0, 1)).toMatchObject({ kind: 'duplicate', firstOffset: opened });
    leader.close();
    follower.close();
  });

  it('a follower rebuilds the leader state from the batches it appends, and truncation rebuilds it', () => {
    const leader = PartitionLog.open(partitionDir(), defaultLogConfig());
    const follower = PartitionLog.open(partitionDir(), defaultLogConfig());
    // the follower's state is loaded before the batches arrive, so it must follow the appends
    expect(follower.producerState.producerIds()).toEqual([]);
    const batches: Buffer[] = [];
    for (let seq = 0; seq < 9; seq += 3) {
      const before = leader.logEndOffset;
      leader.appendAsLeader(idempotentBatch(21, seq, 3), 4);
      batches.push(leader.read(before, 1 << 20).records);
    }
    for (const records of batches) follower.appendAsFollower(Buffer.from(records));
    expect(follower.producerState.check(21, 0, 6, 8)).toMatchObject({ kind: 'duplicate', firstOffset: 6 });
    expect(follower.producerState.check(21, 0, 9, 9)).toEqual({ kind: 'append' });

    // the last batch goes with truncation (a new leader's log differs): its sequences are no longer known
    follower.truncateTo(6);
    expect(follower.producerState.check(21, 0, 6, 8)).toEqual({ kind: 'append' });
    expect(follower.producerState.check(21, 0, 3, 5)).toMatchObject({ kind: 'duplicate', firstOffset: 3 });
    follower.truncateFullyAndStartAt(100);
    expect(follower.producerState.producerIds()).toEqual([]);
    leader.close();
    follower.close();
  });
});

describe('ProducerStateTable', () => {
  it('appends in-sequence batches and returns the original offsets for a duplicate', () => {
    const table = new ProducerStateTable();
    expect(table.check(7, 0, 0, 4)).toEqual({ kind: 'append' });
    table.update(7, 0, 0, 4, 100, 104, 1000);
    expect(table.check(7, 0, 5, 9)).toEqual({ kind: 'append' });
    table.update(7, 0, 5, 9, 105, 109, 1001);
    expect(table.check(7, 0, 0, 4)).toEqual({ kind: 'duplicate', firstOffset: 100, lastOffset: 104, timestamp: 1000 });
    expect(table.check(7, 0, 5, 9)).toEqual({ kind: 'duplicate', firstOffset: 105, lastOffset: 109, timestamp: 1001 });
  });

  it('remembers only the last 5 batches', () => {
    const table = new ProducerStateTable();
    for (let i = 0; i < 6; i++) table.update(1, 0, i, i, i, i, 0);
    expect(table.check(1, 0, 0, 0).kind).toBe('error');
    expect(table.check(1, 0, 1, 1).kind).toBe('duplicate');
  });

  it('refuses gaps, old epochs and new epochs starting mid-sequence', () => {
    const table = new ProducerStateTable();
    table.update(3, 2, 0, 9, 0, 9, 0);
    const gap = table.check(3, 2, 11, 12);
    expect(gap.kind === 'error' && gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const fenced = table.check(3, 1, 10, 10);
    expect(fenced.kind === 'error' && fenced.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    const newEpochMidSeq = table.check(3, 3, 5, 5);
    expect(newEpochMidSeq.kind === 'error' && newEpochMidSeq.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(table.check(3, 3, 0, 0)).toEqual({ kind: 'append' });
    // a producer with no state here may start anywhere (KIP-360: Kafka 2.5+ no longer answers UNKNOWN_PRODUCER_ID)
    expect(table.check(99, 0, 5, 5)).toEqual({ kind: 'append' });
    // epoch -1 with a producer id: no state, any sequence (this read entry.batches of undefined)
    expect(table.check(98, -1, 7, 7)).toEqual({ kind: 'append' });
    // same epoch, state without batches (a marker only): the next sequence must be 0
    table.completeTransaction(97, 4, 10);
    const afterMarker = table.check(97, 4, 3, 3);
    expect(afterMarker.kind === 'error' && afterMarker.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(table.check(97, 4, 0, 0)).toEqual({ kind: 'append' });
    // non-idempotent batches always append
    expect(table.check(-1, -1, -1, -1)).toEqual({ kind: 'append' });
  });

  it('refuses non-transactional batches of a producer whose transaction is open here (INVALID_TXN_STATE)', () => {
    const table = new ProducerStateTable();
    table.update(8, 0, 0, 1, 0, 1, 1000, true);
    const plain = table.check(8, 0, 2, 2);
    expect(plain.kind === 'error' && plain.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(table.check(8, 0, 2, 2, true)).toEqual({ kind: 'append' });
    // a retry of a batch already written is still answered as a duplicate
    expect(table.check(8, 0, 0, 1).kind).toBe('duplicate');
    table.completeTransaction(8, 0, 2);
    expect(table.check(8, 0, 2, 2)).toEqual({ kind: 'append' });
  });

  it('wraps sequences after Int32.MAX', () => {
    const max = 0x7fffffff;
    expect(lastSequenceOf(max - 1, 3)).toBe(1);
    expect(lastSequenceOf(5, 3)).toBe(8);
    const table = new ProducerStateTable();
    table.update(4, 0, max - 2, max, 0, 2, 0);
    expect(table.check(4, 0, 0, 3)).toEqual({ kind: 'append' });
  });

  it('rebuilds from batch headers so de-duplication survives a restart', () => {
    const records = [{ key: null, value: Buffer.from('a') }, { key: null, value: Buffer.from('b') }];
    const b1 = buildRecordBatch(records, { baseOffset: 50, producerId: 11, producerEpoch: 1, baseSequence: 0, timestamp: 5 });
    const b2 = buildRecordBatch(records, { baseOffset: 52, producerId: 11, producerEpoch: 1, baseSequence: 2, timestamp: 6 });
    const plain = buildRecordBatch(records, { baseOffset: 54 });
    const table = new ProducerStateTable();
    table.rebuild([b1, b2, plain].map((b) => readBatchHeader(b, 0)));
    expect(table.check(11, 1, 2, 3)).toEqual({ kind: 'duplicate', firstOffset: 52, lastOffset: 53, timestamp: 6 });
    expect(table.check(11, 1, 4, 5)).toEqual({ kind: 'append' });
    expect(table.producerIds()).toEqual([11]);
  });
});
