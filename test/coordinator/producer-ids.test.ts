/** ProducerIdManager (ids never repeat across restarts) and ProducerStateTable (sequence de-duplication). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProducerIdManager, PRODUCER_ID_BLOCK_FILE } from '../../src/coordinator/producer-id-manager.js';
import { ProducerStateTable, lastSequenceOf } from '../../src/coordinator/producer-state.js';
import { readBatchHeader } from '../../src/protocol/records/batch.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const idempotent = { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 };

describe('ProducerIdManager', () => {
  it('allocates increasing ids with epoch 0 that never repeat across a restart', () => {
    const dir = tempDir();
    const first = new ProducerIdManager({ dir, blockSize: 10 });
    const before = Array.from({ length: 13 }, () => first.initProducerId(idempotent));
    expect(before.every((r) => r.errorCode === ErrorCode.NONE && r.producerEpoch === 0)).toBe(true);
    const ids = before.map((r) => r.producerId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(13);
    // the second block is reserved on disk before its ids are used
    expect(fs.readFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), 'utf8')).toContain('blockEnd=20');

    const restarted = new ProducerIdManager({ dir, blockSize: 10 });
    const after = restarted.initProducerId(idempotent).producerId;
    expect(after).toBeGreaterThan(Math.max(...ids));
    expect(after).toBe(20);
  });

  it('keeps one producer id per transactional id and bumps its epoch', () => {
    const m = new ProducerIdManager({ dir: tempDir() });
    const a = m.initProducerId({ ...idempotent, transactionalId: 'tx' });
    const b = m.initProducerId({ ...idempotent, transactionalId: 'tx' });
    expect(b.producerId).toBe(a.producerId);
    expect(b.producerEpoch).toBe(a.producerEpoch + 1);
    expect(m.initProducerId({ ...idempotent, transactionalId: 'other' }).producerId).not.toBe(a.producerId);
    expect(m.initProducerId({ ...idempotent, transactionalId: 'tx', transactionTimeoutMs: 10_000_000 }).errorCode).toBe(
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    // KIP-360: an old epoch is fenced
    expect(m.initProducerId({ ...idempotent, transactionalId: 'tx', producerId: a.producerId, producerEpoch: a.producerEpoch }).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
  });

  it('hands out one producer-state table per partition', () => {
    const m = new ProducerIdManager({ dir: tempDir() });
    const t = m.producerState('t', 0);
    expect(m.producerState('t', 0)).toBe(t);
    expect(m.producerState('t', 1)).not.toBe(t);
    m.dropProducerState('t', 0);
    expect(m.producerState('t', 0)).not.toBe(t);
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
