/** ProducerIdManager: ids never repeat across restarts; transactional ids keep their producer id. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProducerIdManager, PRODUCER_ID_BLOCK_FILE } from '../../src/coordinator/producer-id-manager.js';
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
});
