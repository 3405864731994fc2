/**
 * Recovery's decision between a torn tail (truncate to the last whole batch) and a
 * corrupt batch in the middle of the log (report file and position, refuse the
 * partition with KAFKA_STORAGE_ERROR, leave the files alone), at the PartitionLog level
 * and through the wire on a real broker process where other partitions keep working.
 */
import { openSync, readSync, statSync, writeSync, closeSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { buildRecordBatch } from '../../src/protocol/records/index.js';
import { defaultLogConfig, PartitionLog } from '../../src/storage/partition-log.js';

const SEGMENT_LOG = '00000000000000000000.log';
let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

function flipByte(file: string, position: number): void {
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, position);
  b[0] = b[0]! ^ 0x5a;
  writeSync(fd, b, 0, 1, position);
  closeSync(fd);
}

/** Ten one-record batches of 100-byte values; returns the batch positions. */
function writeTenBatches(dir: string): number[] {
  const log = PartitionLog.open(dir, { ...defaultLogConfig(), indexIntervalBytes: 0 });
  const positions: number[] = [];
  let position = 0;
  for (let i = 0; i < 10; i++) {
    const batch = buildRecordBatch([{ key: null, value: Buffer.alloc(100, 97 + i), timestamp: 1_700_000_000_000 + i }]);
    positions.push(position);
    position += batch.length;
    log.appendAsLeader(batch, 0);
  }
  log.close();
  return positions;
}

function catchCode(fn: () => unknown): number | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof KafkaError ? err.code : -1;
  }
}

describe('recovery: torn tail versus corruption in the middle', () => {
  it('a flipped byte in the LAST batch is a torn tail: truncated to the last whole batch', () => {
    root = mkdtempSync(join(tmpdir(), 'kts-crash-'));
    const dir = join(root, 't-0');
    const positions = writeTenBatches(dir);
    flipByte(join(dir, SEGMENT_LOG), positions[9]! + 80);
    const lines: string[] = [];
    const log = PartitionLog.open(dir, defaultLogConfig(), { logger: (m) => lines.push(m) });
    expect(log.offlineReason).toBeNull();
    expect(log.logEndOffset).toBe(9);
    expect(statSync(join(dir, SEGMENT_LOG)).size).toBe(positions[9]);
    expect(log.read(0, 1 << 20).records.length).toBe(positions[9]);
    log.close();
  });

  it('a flipped byte in a MIDDLE batch refuses the partition, reports file and position, keeps the file', () => {
    root = mkdtempSync(join(tmpdir(), 'kts-crash-'));
    const dir = join(root, 't-0');
    const positions = writeTenBatches(dir);
    const file = join(dir, SEGMENT_LOG);
    const sizeBefore = statSync(file).size;
    flipByte(file, positions[4]! + 80);
    const lines: string[] = [];
    const log = PartitionLog.open(dir, defaultLogConfig(), { logger: (m) => lines.push(m) });
    expect(log.offlineReason).toContain(`${file} at position ${positions[4]}`);
    const report = lines.filter((l) => l.includes('corrupt record batch in the middle'));
    expect(report).toHaveLength(1);
    expect(report[0]).toContain(file);
    expect(report[0]).toContain(`position ${positions[4]}`);
    expect(statSync(file).size).toBe(sizeBefore);
    expect(catchCode(() => log.read(0, 1 << 20))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(catchCode(() => log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('x') }]), 0))).toBe(
      ErrorCode.KAFKA_STORAGE_ERROR,
    );
    expect(log.runRetention(Date.now() + 1e12)).toBe(0);
    log.close();
  });

  it('corrupt framing found on read (below the recovery point, clean shutdown) refuses the partition', () => {
    root = mkdtempSync(join(tmpdir(), 'kts-crash-'));
    const dir = join(root, 't-0');
    const positions = writeTenBatches(dir);
    const file = join(dir, SEGMENT_LOG);
    // magic byte of batch 6: the index still points at batch 5, so a fetch from 6 walks into it
    flipByte(file, positions[6]! + 16);
    const lines: string[] = [];
    const log = PartitionLog.open(dir, defaultLogConfig(), { hadCleanShutdown: true, logger: (m) => lines.push(m) });
    // the clean-shutdown path only sanity-checks the index and the tail; batch 6 sits below them
    expect(log.offlineReason).toBeNull();
    expect(catchCode(() => log.read(6, 1 << 20))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(log.offlineReason).toContain(`position ${positions[6]}`);
    expect(lines.some((l) => l.includes(file) && l.includes(`position ${positions[6]}`))).toBe(true);
    expect(catchCode(() => log.read(0, 100))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    log.close();
  });
});
