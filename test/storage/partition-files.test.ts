/** Per-partition files: leader-epoch-checkpoint (through PartitionLog) and partition.metadata; roll when an index fills. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCache, parseLeaderEpochCheckpoint } from '../../src/storage/leader-epoch-cache.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { readPartitionMetadata, writePartitionMetadata } from '../../src/storage/partition-metadata.js';
import { batchOf, smallConfig, tempDir } from './helpers.js';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ root, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe('leader-epoch-checkpoint', () => {
  it('records the start offset of each new leader epoch in Kafka format, surviving a reopen', () => {
    const dir = join(root, 't-0');
    const log = PartitionLog.open(dir, smallConfig({ segmentBytes: 100_000 }));
    const path = join(dir, LEADER_EPOCH_CHECKPOINT_FILE);
    log.appendAsLeader(batchOf(3, 'a'), 0);
    log.appendAsLeader(batchOf(2, 'b'), 0);
    expect(readFileSync(path, 'utf8')).toBe('0\n1\n0 0\n');
    log.appendAsLeader(batchOf(4, 'c'), 2);
    log.appendAsLeader(batchOf(1, 'd'), 2);
    log.appendAsLeader(batchOf(1, 'e'), 5);
    expect(readFileSync(path, 'utf8')).toBe('0\n3\n0 0\n2 5\n5 10\n');
    log.close();
    const reopened = PartitionLog.open(dir, smallConfig({ segmentBytes: 100_000 }));
    expect(reopened.leaderEpochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 5 },
      { epoch: 5, startOffset: 10 },
    ]);
    // An older or equal epoch changes nothing (no new entry, no rewrite).
    reopened.appendAsLeader(batchOf(1, 'f'), 5);
    expect(reopened.leaderEpochEntries()).toHaveLength(3);
    reopened.close();
  });

  it('follows truncation and log start moves', () => {
    const dir = join(root, 't-0');
    const log = PartitionLog.open(dir, smallConfig({ segmentBytes: 200 }));
    for (let epoch = 0; epoch < 4; epoch++) log.appendAsLeader(batchOf(5, `e${epoch}`), epoch);
    expect(log.leaderEpochEntries().map((e) => e.startOffset)).toEqual([0, 5, 10, 15]);
    log.truncateTo(10); // follower truncation to the leader's log end
    expect(log.leaderEpochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 5 },
    ]);
    log.highWatermark = log.logEndOffset;
    log.deleteRecordsBefore(7);
    expect(log.leaderEpochEntries()).toEqual([{ epoch: 1, startOffset: 7 }]);
    expect(parseLeaderEpochCheckpoint(readFileSync(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), 'utf8'))).toEqual([
      { epoch: 1, startOffset: 7 },
    ]);
    log.truncateFullyAndStartAt(100);
    expect(log.leaderEpochEntries()).toEqual([]);
    log.close();
  });

  it('starts empty from a corrupt file and warns', () => {
    const dir = join(root, 't-0');
    const log = PartitionLog.open(dir, smallConfig());
    log.close();
    writeFileSync(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), '0\n2\n1 0\n');
    const warnings: string[] = [];
    const cache = LeaderEpochCache.load(dir, (m) => warnings.push(m));
    expect(cache.entries()).toEqual([]);
    expect(warnings[0]).toMatch(/expected 2 entries/);
  });
});

describe('partition.metadata', () => {
  it('writes version and topic id as Kafka does and reads them back', () => {
    writePartitionMetadata(root, 'pqbbPRAlRYKD7qfxyk5RlA');
    expect(readFileSync(join(root, 'partition.metadata'), 'utf8')).toBe('version: 0\ntopic_id: pqbbPRAlRYKD7qfxyk5RlA\n');
    expect(readPartitionMetadata(root)).toEqual({ version: 0, topicId: 'pqbbPRAlRYKD7qfxyk5RlA' });
    expect(readPartitionMetadata(join(root, 'missing'))).toBeNull();
    expect(existsSync(join(root, 'partition.metadata.tmp'))).toBe(false);
  });
});

describe('roll when an index is full', () => {
  it('starts a new segment once segment.index.bytes cannot take another entry', () => {
    // 16 bytes: two offset-index entries (or one time-index entry); an entry every ~100 bytes.
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ segmentBytes: 1_000_000, maxIndexSizeBytes: 16, indexIntervalBytes: 50 }));
    for (let i = 0; i < 20; i++) log.appendAsLeader(batchOf(1, `r${i}`), 0);
    expect(log.numberOfSegments).toBeGreaterThan(3);
    for (const base of log.segmentBaseOffsets()) {
      const segment = log.segmentFor(base);
      expect(segment.offsetIndex.sizeInBytes).toBeLessThanOrEqual(16);
    }
    expect(log.read(0, 1 << 20).firstOffset).toBe(0);
    log.close();
  });
});

describe('segment.jitter.ms', () => {
  it('rolls up to the drawn jitter before segment.ms of record time has passed', () => {
    const spy = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const config = smallConfig({ segmentBytes: 1_000_000, segmentMs: 10_000, segmentJitterMs: 10_000 });
      const jittered = PartitionLog.open(join(root, 'j-0'), config);
      const plain = PartitionLog.open(join(root, 'p-0'), { ...config, segmentJitterMs: 0 });
      for (const log of [jittered, plain]) {
        log.appendAsLeader(batchOf(1, 'a', 1_000_000), 0);
        log.appendAsLeader(batchOf(1, 'b', 1_000_000 + 5_001), 0); // past 10 000 - 5 000 of jitter
      }
      expect(jittered.numberOfSegments).toBe(2);
      expect(plain.numberOfSegments).toBe(1);
      jittered.close();
      plain.close();
    } finally {
      spy.mockRestore();
    }
  });
});
