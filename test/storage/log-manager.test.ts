/** LogManager: loading partition dirs, Kafka-format checkpoints, clean-shutdown marker, meta.properties. */
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLEAN_SHUTDOWN_FILE,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  LogManager,
  RECOVERY_POINT_CHECKPOINT_FILE,
  readMetaProperties,
  readOffsetCheckpoint,
  writeMetaProperties,
  writeOffsetCheckpoint,
} from '../../src/storage/log-manager.js';
import { batchOf, offsetsAndValues, smallConfig, tempDir } from './helpers.js';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ root, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe('checkpoint files', () => {
  it('round-trip in Kafka format', () => {
    const path = join(root, RECOVERY_POINT_CHECKPOINT_FILE);
    writeOffsetCheckpoint(path, [
      { topic: 'orders', partition: 0, offset: 42 },
      { topic: 'my-topic', partition: 11, offset: 9_007_199_254_740 },
    ]);
    expect(readFileSync(path, 'utf8')).toBe('0\n2\norders 0 42\nmy-topic 11 9007199254740\n');
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect([...readOffsetCheckpoint(path).values()]).toEqual([
      { topic: 'orders', partition: 0, offset: 42 },
      { topic: 'my-topic', partition: 11, offset: 9_007_199_254_740 },
    ]);
  });

  it('reads a file written by Kafka and rejects a malformed one', () => {
    const path = join(root, LOG_START_OFFSET_CHECKPOINT_FILE);
    writeFileSync(path, '0\n1\n__consumer_offsets 7 100\n');
    expect(readOffsetCheckpoint(path).get('__consumer_offsets-7')?.offset).toBe(100);
    writeFileSync(path, '0\n3\na 0 1\n');
    expect(() => readOffsetCheckpoint(path)).toThrow(/entries/);
    expect(readOffsetCheckpoint(join(root, 'missing')).size).toBe(0);
  });
});

describe('meta.properties', () => {
  it('writes and reads broker id and cluster id', () => {
    writeMetaProperties(root, { brokerId: 3, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' });
    const text = readFileSync(join(root, 'meta.properties'), 'utf8');
    expect(text).toContain('version=1\n');
    expect(text).toContain('cluster.id=MkU3OEVBNTcwNTJENDM2Qg\n');
    expect(readMetaProperties(root)).toEqual({ version: 1, brokerId: 3, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' });
    writeMetaProperties(root, { nodeId: 5, clusterId: 'x' });
    expect(readMetaProperties(root)?.brokerId).toBe(5);
    expect(readMetaProperties(join(root, 'none'))).toBeNull();
  });
});

describe('LogManager', () => {
  const dirs = () => [join(root, 'd1'), join(root, 'd2')];

  it('spreads logs over dirs, checkpoints, and reloads after a clean shutdown', () => {
    const manager = new LogManager(dirs(), smallConfig());
    expect(manager.loadLogs()).toEqual([]);
    const a = manager.createLog('my-topic', 0, smallConfig());
    const b = manager.createLog('my-topic', 1, smallConfig());
    expect(manager.createLog('my-topic', 0, smallConfig())).toBe(a);
    expect(new Set([manager.logDirOf('my-topic', 0), manager.logDirOf('my-topic', 1)]).size).toBe(2);
    for (let i = 0; i < 10; i++) a.appendAsLeader(batchOf(2, `a${i}`), 0);
    b.appendAsLeader(batchOf(1, 'b'), 0);
    a.highWatermark = 20;
    b.highWatermark = 1;
    a.deleteRecordsBefore(3);
    manager.shutdown();

    const aDir = manager.logDirOf('my-topic', 0) ?? dirs().find((d) => existsSync(join(d, 'my-topic-0')))!;
    expect(existsSync(join(aDir, CLEAN_SHUTDOWN_FILE))).toBe(true);
    expect(readOffsetCheckpoint(join(aDir, RECOVERY_POINT_CHECKPOINT_FILE)).get('my-topic-0')?.offset).toBe(20);
    expect(readOffsetCheckpoint(join(aDir, LOG_START_OFFSET_CHECKPOINT_FILE)).get('my-topic-0')?.offset).toBe(3);

    const warnings: string[] = [];
    const again = new LogManager(dirs(), smallConfig(), (m) => warnings.push(m));
    const loaded = again.loadLogs();
    expect(loaded.map((l) => `${l.topic}-${l.partition}`).sort()).toEqual(['my-topic-0', 'my-topic-1']);
    expect(existsSync(join(aDir, CLEAN_SHUTDOWN_FILE))).toBe(false);
    const a2 = again.getLog('my-topic', 0)!;
    expect([a2.logStartOffset, a2.logEndOffset, a2.highWatermark]).toEqual([3, 20, 20]);
    expect(offsetsAndValues(a2.read(19, 100).records).at(-1)).toEqual([19, 'a9-1']);
    expect(warnings).toEqual([]);
    again.shutdown();
  });

  it('recovers a torn tail after an unclean shutdown', () => {
    const manager = new LogManager([join(root, 'd1')], smallConfig({ segmentBytes: 1 << 20 }));
    manager.loadLogs();
    const log = manager.createLog('t', 0, smallConfig({ segmentBytes: 1 << 20 }));
    for (let i = 0; i < 5; i++) log.appendAsLeader(batchOf(2, `u${i}`), 0);
    manager.checkpoint();
    const file = log.segmentFiles()[0]!;
    log.close(); // crash: no clean-shutdown marker
    truncateSync(file, statSync(file).size - 1);
    const warnings: string[] = [];
    const again = new LogManager([join(root, 'd1')], smallConfig({ segmentBytes: 1 << 20 }), (m) => warnings.push(m));
    again.loadLogs();
    expect(again.getLog('t', 0)!.logEndOffset).toBe(8);
    expect(warnings.length).toBe(1);
    again.shutdown();
  });

  it('deletes a log directory and finishes interrupted deletions on load', () => {
    const manager = new LogManager([join(root, 'd1')], smallConfig());
    manager.loadLogs();
    const log = manager.createLog('gone', 2, smallConfig());
    log.appendAsLeader(batchOf(1, 'g'), 0);
    expect(manager.deleteLog('gone', 2)).toBe(true);
    expect(existsSync(log.dir)).toBe(false);
    expect(manager.getLog('gone', 2)).toBeUndefined();
    expect(manager.deleteLog('gone', 2)).toBe(false);
    mkdirSync(join(root, 'd1', 'half.0123abcd-delete'));
    manager.shutdown();
    const again = new LogManager([join(root, 'd1')], smallConfig());
    expect(again.loadLogs()).toEqual([]);
    expect(existsSync(join(root, 'd1', 'half.0123abcd-delete'))).toBe(false);
    again.shutdown();
  });

  it('runs retention and flush from background timers', async () => {
    const manager = new LogManager([join(root, 'd1')], smallConfig());
    manager.loadLogs();
    const log = manager.createLog('bg', 0, smallConfig({ retentionBytes: 1024, flushIntervalMs: 1 }));
    for (let i = 0; i < 30; i++) log.appendAsLeader(batchOf(2, `bg${i}`), 0);
    log.highWatermark = log.logEndOffset;
    const segmentsBefore = log.numberOfSegments;
    manager.startBackgroundTasks({ retentionCheckIntervalMs: 5, flushSchedulerIntervalMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(log.numberOfSegments).toBeLessThan(segmentsBefore);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.recoveryPoint).toBe(log.logEndOffset);
    manager.shutdown();
  });
});
