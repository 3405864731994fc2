/**
 * Fetch near the end of a large partition reads only the region it needs: the bytes
 * read from disk are counted by wrapping fs.readSync (not by timing). The partition is
 * built fast by appending one pre-built 256 KB batch (256 records of 1 KB) over and
 * over; the broker's append path reassigns its base offset in place each time. Size:
 * 1 GB (about 5 s here); KAFKA_TS_FETCH_IO_MB=<n> shrinks it on a slow CI disk.
 * segment.bytes 64 MB, so the log has many segments. The data is deleted afterwards.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecordBatch, decodeRecordBatches } from '../../src/protocol/records/index.js';
import { defaultLogConfig, PartitionLog, type LogConfig } from '../../src/storage/partition-log.js';

const MB = 1024 * 1024;
const TOTAL_BYTES = Number(process.env.KAFKA_TS_FETCH_IO_MB ?? 1024) * MB;
const RECORDS_PER_BATCH = 256;
const config: LogConfig = { ...defaultLogConfig(), segmentBytes: 64 * MB };

/** Counts bytes returned by fs.readSync while `fn` runs (storage reads through readSync only). */
function bytesReadDuring<T>(fn: () => T): { result: T; bytesRead: number; calls: number } {
  const original = fs.readSync;
  let bytesRead = 0;
  let calls = 0;
  const counting = ((...args: Parameters<typeof fs.readSync>) => {
    const n = (original as (...a: unknown[]) => number)(...args);
    bytesRead += n;
    calls++;
    return n;
  }) as typeof fs.readSync;
  fs.readSync = counting;
  syncBuiltinESMExports();
  try {
    return { result: fn(), bytesRead, calls };
  } finally {
    fs.readSync = original;
    syncBuiltinESMExports();
  }
}

describe(`fetch I/O on a ${TOTAL_BYTES / MB} MB partition`, () => {
  let root: string;
  let dir: string;
  let batchSize = 0;
  let logEndOffset = 0;

  beforeAll(() => {
    root = fs.mkdtempSync(join(tmpdir(), 'kts-fetch-io-'));
    dir = join(root, 'big-0');
    const value = Buffer.alloc(1000, 'v');
    const batch = buildRecordBatch(
      Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: Buffer.from(`key-${i}`), value, timestamp: 1_700_000_000_000 + i })),
    );
    batchSize = batch.length;
    const log = PartitionLog.open(dir, config);
    const batches = Math.ceil(TOTAL_BYTES / batchSize);
    // The same buffer every time: appendAsLeader patches baseOffset/leader epoch in place (outside the
    // CRC); baseOffset goes back to 0 first, as a client sends it (Kafka refuses anything else).
    for (let i = 0; i < batches; i++) {
      batch.writeBigInt64BE(0n, 0);
      log.appendAsLeader(batch, 0);
    }
    logEndOffset = log.logEndOffset;
    log.close();
  }, 120_000);

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the partition really is that big and has many segments', () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
    const total = files.reduce((sum, f) => sum + fs.statSync(join(dir, f)).size, 0);
    expect(total).toBeGreaterThanOrEqual(TOTAL_BYTES);
    expect(files.length).toBeGreaterThanOrEqual(Math.floor(TOTAL_BYTES / (64 * MB)));
  });

  it('reopening after a clean shutdown reads indexes and tails, not the data', () => {
    const { result: log, bytesRead } = bytesReadDuring(() => PartitionLog.open(dir, config, { hadCleanShutdown: true, recoveryPoint: logEndOffset }));
    expect(log.logEndOffset).toBe(logEndOffset);
    log.close();
    expect(bytesRead).toBeGreaterThan(0);
    // index files are small (one entry per batch); the tail scan reads batch headers only
    expect(bytesRead).toBeLessThan(8 * MB);
  });

  it('a fetch near the end reads about maxBytes, wherever in the log it is', () => {
    const log = PartitionLog.open(dir, config, { hadCleanShutdown: true, recoveryPoint: logEndOffset });
    const maxBytes = 1 * MB;
    for (const fetchOffset of [logEndOffset - 3 * RECORDS_PER_BATCH - 17, logEndOffset - 1, Math.floor(logEndOffset / 2)]) {
      const { result, bytesRead, calls } = bytesReadDuring(() => log.read(fetchOffset, maxBytes));
      const batches = decodeRecordBatches(result.records);
      expect(batches.length).toBeGreaterThan(0);
      expect(batches[0]!.header.baseOffset).toBeLessThanOrEqual(fetchOffset);
      expect(batches[0]!.header.lastOffset).toBeGreaterThanOrEqual(fetchOffset);
      expect(result.records.length).toBeLessThanOrEqual(Math.max(maxBytes, batchSize));
      // the counter sees the reads (every returned byte came from disk) ...
      expect(bytesRead).toBeGreaterThanOrEqual(result.records.length);
      // ... and they are the returned bytes plus a few batch headers located through the offset index
      expect(bytesRead).toBeLessThanOrEqual(result.records.length + maxBytes + 64 * 1024);
      expect(bytesRead).toBeLessThan(3 * MB);
      expect(calls).toBeLessThan(64);
    }
    log.close();
  });
});
