/**
 * Where a follower truncates for the leader's OffsetForLeaderEpoch answer (KIP-101 /
 * KIP-279, Kafka's getOffsetTruncationState), on real logs with a leader-epoch history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PartitionLog, defaultLogConfig } from '../../../src/storage/partition-log.js';
import { buildRecordBatch } from '../../../src/protocol/records/record.js';
import { latestEpochOf, truncationFor } from '../../../src/broker/replication/truncation.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A follower log with `count` records per epoch, e.g. [[0, 5], [2, 5]] = epoch 0 at 0-4, epoch 2 at 5-9. */
function logWith(epochs: [epoch: number, count: number][], highWatermark = 0): PartitionLog {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'truncation-'));
  dirs.push(d);
  const log = PartitionLog.open(path.join(d, 't-0'), defaultLogConfig());
  let offset = 0;
  for (const [epoch, count] of epochs) {
    const batch = buildRecordBatch(
      Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${offset + i}`) })),
      { baseOffset: offset, partitionLeaderEpoch: epoch },
    );
    log.appendAsFollower(batch);
    offset += count;
  }
  log.highWatermark = highWatermark;
  return log;
}

describe('follower truncation by leader epoch', () => {
  it('asks about its latest epoch', () => {
    expect(latestEpochOf(logWith([[0, 3], [4, 2]]))).toBe(4);
    expect(latestEpochOf(logWith([]))).toBeNull();
  });

  it('cuts to the end of its epoch on the leader when the leader knows that epoch', () => {
    // follower: epoch 1 at 3-9; leader: epoch 1 ended at 6
    expect(truncationFor(logWith([[0, 3], [1, 7]]), { leaderEpoch: 1, endOffset: 6 })).toEqual({ offset: 6, completed: true });
    // the leader has more of the epoch than the follower: nothing to cut
    expect(truncationFor(logWith([[0, 3], [1, 2]]), { leaderEpoch: 1, endOffset: 9 })).toEqual({ offset: 5, completed: true });
  });

  it('cuts to its own end of an older epoch the leader answers with, and asks again when it never knew that epoch', () => {
    // follower epochs 0 (0-4), 2 (5-9); leader answers epoch 1 ending at 7: the follower's epoch 0 ends at 5
    expect(truncationFor(logWith([[0, 5], [2, 5]]), { leaderEpoch: 1, endOffset: 7 })).toEqual({ offset: 5, completed: false });
    // follower epochs 0 (0-4), 1 (5-6), 2 (7-9); leader answers epoch 1 ending at 6: cut at 6
    expect(truncationFor(logWith([[0, 5], [1, 2], [2, 3]]), { leaderEpoch: 1, endOffset: 6 })).toEqual({ offset: 6, completed: true });
  });

  it('falls back to the high watermark when the leader knows nothing of the epoch', () => {
    expect(truncationFor(logWith([[3, 8]], 5), { leaderEpoch: -1, endOffset: -1 })).toEqual({ offset: 5, completed: true });
  });
});
