/**
 * Small storage files on a full disk (injected ENOSPC after part of the bytes): an
 * aborted-transaction index keeps whole entries only, and a leader-epoch checkpoint
 * that cannot be rewritten keeps its old content (atomic replace, no temp file left).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/broker.js';
import { setWriteFaultForTests } from '../../src/storage/disk-errors.js';
import { appendAbortedTxn, readAbortedTxns, txnIndexPath, TXN_INDEX_ENTRY_SIZE } from '../../src/storage/transaction-index.js';
import { LeaderEpochCache, LEADER_EPOCH_CHECKPOINT_FILE } from '../../src/storage/leader-epoch-cache.js';

afterEach(() => setWriteFaultForTests(null));

describe('small storage files on a full disk', () => {
  it('a failed .txnindex append leaves whole entries, and the next append lands after them', () => {
    const dir = tempDir();
    const entry = (producerId: number) => ({ producerId, firstOffset: producerId * 10, lastOffset: producerId * 10 + 5, lastStableOffset: producerId * 10 + 6 });
    appendAbortedTxn(dir, 0, entry(1));
    setWriteFaultForTests((file) => (file.endsWith('.txnindex') ? { bytesBeforeFailure: 11 } : null));
    expect(() => appendAbortedTxn(dir, 0, entry(2))).toThrow(/ENOSPC/);
    expect(fs.statSync(txnIndexPath(dir, 0)).size).toBe(TXN_INDEX_ENTRY_SIZE);
    setWriteFaultForTests(null);
    appendAbortedTxn(dir, 0, entry(3));
    expect(readAbortedTxns(dir, 0).map((e) => e.producerId)).toEqual([1, 3]);
  });

  it('a leader-epoch checkpoint that cannot be rewritten keeps the old file', () => {
    const dir = tempDir();
    const cache = LeaderEpochCache.load(dir);
    cache.assign(0, 0);
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE);
    const before = fs.readFileSync(file, 'utf8');
    setWriteFaultForTests(() => ({ bytesBeforeFailure: 4 }));
    expect(() => cache.assign(1, 100)).toThrow(/ENOSPC/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual([LEADER_EPOCH_CHECKPOINT_FILE]);
    setWriteFaultForTests(null);
    expect(LeaderEpochCache.load(dir).entries()).toEqual([{ epoch: 0, startOffset: 0 }]);
  });
});
