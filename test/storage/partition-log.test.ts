/** PartitionLog: append/read across segments, index lookups, recovery, retention, DeleteRecords, truncation. */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { decodeRecordBatch, validateBatches } from '../../src/protocol/records/index.js';
import { PartitionLog, defaultLogConfig, parseTopicPartitionDir } from '../../src/storage/partition-log.js';
import { batchOf, offsetsAndValues, smallConfig, tempDir } from './helpers.js';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ root, cleanup } = tempDir());
});
afterEach(() => cleanup());

function expectKafkaError(fn: () => unknown, code: number): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(KafkaError);
  expect((caught as KafkaError).code).toBe(code);
}

describe('directory naming', () => {
  it('splits topic and partition at the last dash', () => {
    expect(parseTopicPartitionDir('my-topic-name-12')).toEqual({ topic: 'my-topic-name', partition: 12 });
    expect(parseTopicPartitionDir('__consumer_offsets-0')).toEqual({ topic: '__consumer_offsets', partition: 0 });
    expect(parseTopicPartitionDir('orders.abc123-delete')).toBeNull();
    const log = PartitionLog.open(join(root, 'a-b-3'), smallConfig());
    expect([log.topic, log.partition]).toEqual(['a-b', 3]);
    log.close();
  });
});

describe('append and read', () => {
  it('assigns offsets, rolls segments and reads back across them', () => {
    const log = PartitionLog.open(join(root, 'orders-0'), smallConfig());
    expect([log.logStartOffset, log.logEndOffset]).toEqual([0, 0]);
    const infos = [];
    for (let i = 0; i < 20; i++) infos.push(log.appendAsLeader(batchOf(3, `b${i}`), 5));
    expect(infos[0]).toMatchObject({ baseOffset: 0, lastOffset: 2, logAppendTime: -1 });
    expect(infos[19]).toMatchObject({ baseOffset: 57, lastOffset: 59 });
    expect(log.logEndOffset).toBe(60);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    // Every segment file respects segment.bytes and is named by its 20-digit base offset.
    for (const file of log.segmentFiles()) expect(statSync(file).size).toBeLessThanOrEqual(1024);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.log'))).toContain('00000000000000000000.log');

    // A large read starting mid-batch returns whole batches from the containing one, crossing no segment.
    const { records, firstOffset } = log.read(4, 1_000_000);
    expect(firstOffset).toBe(3);
    const all: [number, string][] = [];
    let next = 0;
    while (next < log.logEndOffset) {
      const r = log.read(next, 200);
      const got = offsetsAndValues(r.records);
      all.push(...got);
      next = got[got.length - 1]![0] + 1;
    }
    expect(all).toHaveLength(60);
    expect(all.map(([o]) => o)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(all[31]).toEqual([31, 'b10-1']);
    expect(offsetsAndValues(records)[0]).toEqual([3, 'b1-0']);
    // The stored batches carry the leader epoch and still pass CRC checks.
    expect(validateBatches(records).every((h) => h.partitionLeaderEpoch === 5)).toBe(true);
    log.close();
  });

  it('honours maxBytes, minOneMessage and maxOffset, and reads nothing at the log end', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ segmentBytes: 1 << 20 }));
    const batch = batchOf(2, 'x');
    for (let i = 0; i < 5; i++) log.appendAsLeader(Buffer.from(batch), 0);
    expect(log.read(0, 10).records.length).toBe(batch.length);
    expect(log.read(0, 10, { minOneMessage: false }).records.length).toBe(0);
    expect(log.read(0, batch.length * 2 + 5).records.length).toBe(batch.length * 2);
    expect(offsetsAndValues(log.read(0, 1 << 20, { maxOffset: 6 }).records).map(([o]) => o)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.read(6, 1 << 20, { maxOffset: 6 }).records.length).toBe(0);
    expect(log.read(10, 100)).toEqual({ records: Buffer.alloc(0), firstOffset: 10 });
    expectKafkaError(() => log.read(11, 100), ErrorCode.OFFSET_OUT_OF_RANGE);
    log.close();
  });

  it('rejects corrupt and oversized batches without changing the log', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ maxMessageBytes: 200 }));
    const corrupt = batchOf(1, 'c');
    corrupt[corrupt.length - 1]! ^= 0xff;
    expectKafkaError(() => log.appendAsLeader(corrupt, 0), ErrorCode.CORRUPT_MESSAGE);
    expectKafkaError(() => log.appendAsLeader(batchOf(20, 'big'), 0), ErrorCode.MESSAGE_TOO_LARGE);
    expect(log.logEndOffset).toBe(0);
    expect(log.sizeInBytes()).toBe(0);
    log.close();
  });

  it('rewrites timestamps for LogAppendTime with a valid CRC', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ messageTimestampType: 'LogAppendTime' }));
    const info = log.appendAsLeader(batchOf(3, 'la', 1_000), 0, 1_750_000_000_000);
    expect(info).toMatchObject({ logAppendTime: 1_750_000_000_000, maxTimestamp: 1_750_000_000_000 });
    const { records } = log.read(0, 1 << 20);
    const [header] = validateBatches(records);
    expect(header!.timestampType).toBe('LogAppendTime');
    expect(decodeRecordBatch(records).records.map((r) => r.timestamp)).toEqual([
      1_750_000_000_000, 1_750_000_000_000, 1_750_000_000_000,
    ]);
    log.close();
  });

  it('finds mid-segment offsets through the offset index, not by scanning from the start', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ segmentBytes: 1 << 20, indexIntervalBytes: 256 }));
    for (let i = 0; i < 200; i++) log.appendAsLeader(batchOf(1, `v${i}`), 0);
    const segment = log.segmentFor(150);
    expect(segment.offsetIndex.entryCount).toBeGreaterThan(10);
    const before = segment.batchHeadersScanned;
    const found = segment.lookup(150);
    expect(found?.header.baseOffset).toBe(150);
    const batchSize = found!.header.sizeInBytes;
    // At most one index interval of headers (plus the matching one) was read.
    expect(segment.batchHeadersScanned - before).toBeLessThanOrEqual(Math.ceil(256 / batchSize) + 2);
    expect(offsetsAndValues(log.read(150, 1).records)).toEqual([[150, 'v150-0']]);
    log.close();
  });
});

describe('recovery', () => {
  function filledLog(dir: string) {
    const log = PartitionLog.open(dir, smallConfig());
    for (let i = 0; i < 12; i++) log.appendAsLeader(batchOf(2, `r${i}`), 1);
    return log;
  }

  it('recovers the log end offset after a restart', () => {
    const dir = join(root, 'topic-1');
    const log = filledLog(dir);
    const segments = log.numberOfSegments;
    log.close();
    const reopened = PartitionLog.open(dir, smallConfig());
    expect(reopened.logEndOffset).toBe(24);
    expect(reopened.numberOfSegments).toBe(segments);
    expect(offsetsAndValues(reopened.read(23, 1000).records)).toEqual([
      [22, 'r11-0'],
      [23, 'r11-1'],
    ]);
    reopened.appendAsLeader(batchOf(1, 'after'), 1);
    expect(reopened.logEndOffset).toBe(25);
    reopened.close();
  });

  it('truncates a batch torn mid-write to the last whole batch', () => {
    const dir = join(root, 'topic-1');
    const log = filledLog(dir);
    const active = log.segmentFiles().at(-1)!;
    log.close();
    const size = statSync(active).size;
    truncateSync(active, size - 7);
    const warnings: string[] = [];
    const reopened = PartitionLog.open(dir, smallConfig(), { logger: (m) => warnings.push(m) });
    expect(reopened.logEndOffset).toBe(22);
    expect(statSync(active).size).toBe(size - batchOf(2, 'r11').length);
    expect(warnings.some((w) => w.includes('truncated'))).toBe(true);
    reopened.close();
  });

  it('truncates at a batch whose CRC no longer matches', () => {
    const dir = join(root, 'topic-1');
    const log = filledLog(dir);
    const active = log.segmentFiles().at(-1)!;
    log.close();
    const size = statSync(active).size;
    const fd = openSync(active, 'r+');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, size - 3);
    closeSync(fd);
    const reopened = PartitionLog.open(dir, smallConfig());
    expect(reopened.logEndOffset).toBe(22);
    expect(() => validateBatches(reopened.read(20, 1 << 20).records)).not.toThrow();
    reopened.close();
  });

  it('does not re-validate segments below the recovery point', () => {
    const dir = join(root, 'topic-1');
    const log = filledLog(dir);
    const first = log.segmentFiles()[0]!;
    const secondBase = log.segmentBaseOffsets()[1]!;
    log.flush();
    log.close();
    // Corrupt a byte inside the first (flushed) segment: below the recovery point it is trusted.
    const fd = openSync(first, 'r+');
    writeSync(fd, Buffer.from([0x00]), 0, 1, statSync(first).size - 2);
    closeSync(fd);
    const reopened = PartitionLog.open(dir, smallConfig(), { recoveryPoint: 24 });
    expect(reopened.logEndOffset).toBe(24);
    expect(reopened.segmentBaseOffsets()[1]).toBe(secondBase);
    reopened.close();
  });

  it('rebuilds a deleted offset index', () => {
    const dir = join(root, 'topic-1');
    const log = PartitionLog.open(dir, smallConfig({ segmentBytes: 1 << 20, indexIntervalBytes: 128 }));
    for (let i = 0; i < 50; i++) log.appendAsLeader(batchOf(1, `i${i}`), 0);
    const indexPath = join(dir, '00000000000000000000.index');
    log.close();
    const original = readFileSync(indexPath);
    expect(original.length).toBeGreaterThan(0);
    unlinkSync(indexPath);
    const warnings: string[] = [];
    const reopened = PartitionLog.open(dir, smallConfig({ segmentBytes: 1 << 20, indexIntervalBytes: 128 }), {
      hadCleanShutdown: true,
      logger: (m) => warnings.push(m),
    });
    expect(existsSync(indexPath)).toBe(true);
    expect(readFileSync(indexPath).toString('hex')).toBe(original.toString('hex'));
    expect(warnings).toEqual([expect.stringContaining('index files missing')]);
    expect(offsetsAndValues(reopened.read(37, 1).records)).toEqual([[37, 'i37-0']]);
    reopened.close();
  });
});

describe('index sanity checks', () => {
  it('rebuilds a garbled offset index even after a clean shutdown', () => {
    const dir = join(root, 'topic-1');
    const config = smallConfig({ segmentBytes: 1 << 20, indexIntervalBytes: 128 });
    const log = PartitionLog.open(dir, config);
    for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(1, `g${i}`), 0);
    log.close();
    const indexPath = join(dir, '00000000000000000000.index');
    const original = readFileSync(indexPath);
    const fd = openSync(indexPath, 'r+');
    writeSync(fd, Buffer.alloc(8, 0xff), 0, 8, 8); // second entry: offset and position -1
    closeSync(fd);
    const warnings: string[] = [];
    const reopened = PartitionLog.open(dir, config, { hadCleanShutdown: true, logger: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining('offset index is corrupt')]);
    expect(readFileSync(indexPath).equals(original)).toBe(true);
    expect(offsetsAndValues(reopened.read(33, 1).records)).toEqual([[33, 'g33-0']]);
    reopened.close();
  });
});

describe('segment.ms', () => {
  it('rolls when record time since the first batch exceeds segment.ms', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ segmentBytes: 1 << 20, segmentMs: 60_000 }));
    const t0 = 1_600_000_000_000; // old producer timestamps alone must not force rolls
    for (let i = 0; i < 5; i++) log.appendAsLeader(batchOf(1, `m${i}`, t0 + i * 1000), 0);
    expect(log.numberOfSegments).toBe(1);
    log.appendAsLeader(batchOf(1, 'late', t0 + 61_000), 0);
    expect(log.segmentBaseOffsets()).toEqual([0, 5]);
    log.close();
  });
});

describe('retention and log start offset', () => {
  it('deletes the oldest segments by size, never the active one', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ retentionBytes: 2048, retentionMs: -1 }));
    for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(2, `s${i}`), 0);
    log.highWatermark = log.logEndOffset;
    const before = log.numberOfSegments;
    const deleted = log.runRetention(Date.now());
    expect(deleted).toBeGreaterThan(0);
    expect(log.numberOfSegments).toBe(before - deleted);
    // Kafka's rule: delete oldest segments only while the rest still reaches retention.bytes.
    const firstSegmentSize = statSync(log.segmentFiles()[0]!).size;
    expect(log.sizeInBytes() - firstSegmentSize).toBeLessThan(2048);
    expect(log.sizeInBytes()).toBeGreaterThanOrEqual(2048);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
    expectKafkaError(() => log.read(0, 100), ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(offsetsAndValues(log.read(log.logStartOffset, 100).records)[0]![0]).toBe(log.logStartOffset);
    log.close();
  });

  it('deletes segments by time using their largest timestamp, only below the high watermark', () => {
    const day = 86_400_000;
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ retentionMs: day }));
    const now = 1_800_000_000_000;
    for (let i = 0; i < 15; i++) log.appendAsLeader(batchOf(2, `old${i}`, now - 3 * day), 0, now - 3 * day);
    log.roll();
    const firstNew = log.logEndOffset;
    for (let i = 0; i < 3; i++) log.appendAsLeader(batchOf(2, `new${i}`, now - 1000), 0, now);
    log.highWatermark = 0;
    expect(log.runRetention(now)).toBe(0);
    log.highWatermark = log.logEndOffset;
    expect(log.runRetention(now)).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(firstNew);
    expect(offsetsAndValues(log.read(firstNew, 1000).records)[0]).toEqual([firstNew, 'new0-0']);
    log.close();
  });

  it('keeps everything under cleanup.policy=compact', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ retentionBytes: 0, cleanupPolicy: 'compact' }));
    for (let i = 0; i < 20; i++) log.appendAsLeader(batchOf(2, `c${i}`), 0);
    log.highWatermark = log.logEndOffset;
    expect(log.runRetention(Date.now())).toBe(0);
    log.close();
  });

  it('deleteRecordsBefore raises logStartOffset and drops whole segments below it', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig());
    for (let i = 0; i < 30; i++) log.appendAsLeader(batchOf(2, `d${i}`), 0);
    log.highWatermark = log.logEndOffset;
    const bases = log.segmentBaseOffsets();
    const target = bases[2]! + 1;
    log.deleteRecordsBefore(target);
    expect(log.logStartOffset).toBe(target);
    expect(log.segmentBaseOffsets()).toEqual(bases.slice(2));
    expectKafkaError(() => log.read(target - 1, 100), ErrorCode.OFFSET_OUT_OF_RANGE);
    // The batch containing the new start is returned whole; the consumer skips below it.
    expect(log.read(target, 1000).firstOffset).toBeLessThanOrEqual(target);
    expectKafkaError(() => log.deleteRecordsBefore(log.logEndOffset + 1), ErrorCode.OFFSET_OUT_OF_RANGE);
    log.close();
    const reopened = PartitionLog.open(join(root, 't-0'), smallConfig(), { logStartOffset: target, recoveryPoint: 60 });
    expect(reopened.logStartOffset).toBe(target);
    reopened.close();
  });
});

describe('timestamps', () => {
  it('offsetForTimestamp finds the first record at or after a time, across segments', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig({ indexIntervalBytes: 64 }));
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 30; i++) log.appendAsLeader(batchOf(2, `t${i}`, t0 + i * 1000), 0, t0 + i * 1000);
    expect(log.offsetForTimestamp(t0 - 5)).toEqual({ offset: 0, timestamp: t0 });
    expect(log.offsetForTimestamp(t0 + 17_000)).toEqual({ offset: 34, timestamp: t0 + 17_000 });
    expect(log.offsetForTimestamp(t0 + 17_001)).toEqual({ offset: 36, timestamp: t0 + 18_000 });
    expect(log.offsetForTimestamp(t0 + 29_001)).toBeNull();
    expect(log.offsetOfMaxTimestamp()).toEqual({ offset: 58, timestamp: t0 + 29_000 });
    log.close();
    // The time index survives a restart.
    const reopened = PartitionLog.open(join(root, 't-0'), smallConfig({ indexIntervalBytes: 64 }), { recoveryPoint: 60 });
    expect(reopened.offsetForTimestamp(t0 + 17_001)).toEqual({ offset: 36, timestamp: t0 + 18_000 });
    reopened.close();
  });
});

describe('truncation and follower appends', () => {
  it('truncateTo removes the tail and later appends continue from there', () => {
    const log = PartitionLog.open(join(root, 't-0'), smallConfig());
    for (let i = 0; i < 20; i++) log.appendAsLeader(batchOf(2, `x${i}`), 0);
    log.highWatermark = 40;
    log.truncateTo(10);
    expect(log.logEndOffset).toBe(10);
    expect(log.highWatermark).toBe(10);
    expect(offsetsAndValues(log.read(8, 1 << 20).records).map(([o]) => o)).toEqual([8, 9]);
    log.appendAsLeader(batchOf(1, 'y'), 1);
    expect(offsetsAndValues(log.read(10, 1 << 20).records)).toEqual([[10, 'y-0']]);
    log.close();
    const reopened = PartitionLog.open(join(root, 't-0'), smallConfig());
    expect(reopened.logEndOffset).toBe(11);
    reopened.close();
  });

  it('appendAsFollower keeps leader offsets and rejects going backwards', () => {
    const leader = PartitionLog.open(join(root, 'l-0'), smallConfig());
    const follower = PartitionLog.open(join(root, 'f-0'), smallConfig());
    for (let i = 0; i < 10; i++) leader.appendAsLeader(batchOf(3, `f${i}`), 2);
    let next = 0;
    while (next < leader.logEndOffset) {
      const { records } = leader.read(next, 300);
      const info = follower.appendAsFollower(Buffer.from(records));
      next = info.lastOffset + 1;
    }
    expect(follower.logEndOffset).toBe(30);
    expect(follower.read(0, 1 << 20).records.equals(leader.read(0, 1 << 20).records)).toBe(true);
    expectKafkaError(() => follower.appendAsFollower(Buffer.from(leader.read(0, 1).records)), ErrorCode.UNKNOWN_SERVER_ERROR);
    leader.close();
    follower.close();
  });
});

describe('flush', () => {
  it('flush.messages advances the recovery point', () => {
    const log = PartitionLog.open(join(root, 't-0'), { ...defaultLogConfig(), flushIntervalMessages: 4 });
    log.appendAsLeader(batchOf(2, 'a'), 0);
    expect(log.recoveryPoint).toBe(0);
    log.appendAsLeader(batchOf(2, 'b'), 0);
    expect(log.recoveryPoint).toBe(4);
    log.appendAsLeader(batchOf(1, 'c'), 0);
    expect(log.flushIfDue(Date.now() + 10)).toBe(false);
    log.flush();
    expect(log.recoveryPoint).toBe(5);
    log.close();
  });
});
