/** Shared fixtures for storage tests: temp partition dirs, small configs, record batches. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecordBatch, decodeRecordBatches, type CompressionCodec } from '../../src/protocol/records/index.js';
import { defaultLogConfig, type LogConfig } from '../../src/storage/partition-log.js';

export function tempDir(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'kts-storage-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function smallConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...defaultLogConfig(), segmentBytes: 1024, indexIntervalBytes: 100, ...overrides };
}

/** A batch of `count` records whose values are `${prefix}-${i}`, all stamped `timestamp`. */
export function batchOf(count: number, prefix: string, timestamp = 1_700_000_000_000, compression: CompressionCodec = 'none'): Buffer {
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`), timestamp })),
    { compression },
  );
}

/** Every record in a read result as [offset, value]. */
export function offsetsAndValues(records: Buffer): [number, string][] {
  return decodeRecordBatches(records).flatMap((b) =>
    b.records.map((r) => [r.offset, r.value?.toString() ?? 'null'] as [number, string]),
  );
}
