/**
 * A full disk under Produce: every failed append answers KAFKA_STORAGE_ERROR (so clients
 * retry and refresh metadata), one WARN line per partition per minute, no partial batch
 * stays in the segment or its index, and appends resume by themselves when space returns.
 *
 * Two ways to fill the disk: a real 2 MB tmpfs (needs mount rights; skipped, saying why,
 * without them) and the storage layer's write-fault hook, which lands part of the bytes
 * and then fails with ENOSPC, as a full file system does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from './fetch-wire.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { iterateBatches } from '../../src/protocol/records/batch.js';
import { computeBatchCrc } from '../../src/protocol/records/batch.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { setWriteFaultForTests } from '../../src/storage/disk-errors.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from '../../src/storage/checkpoint-file.js';

const started: { broker: TestBroker; client: WireClient }[] = [];
afterEach(() => setWriteFaultForTests(null));
afterAll(async () => {
  for (const { broker, client } of started) {
    client.close();
    await broker.close();
  }
});

async function start(logDir?: string): Promise<{ broker: TestBroker; client: WireClient }> {
  const broker = await startTestBroker(logDir ? { logDirs: [logDir] } : {});
  const client = await WireClient.connect(broker.port);
  started.push({ broker, client });
  return { broker, client };
}

function batchOf(prefix: string, count: number, valueBytes: number): Buffer {
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`${prefix}-${i}`), value: Buffer.alloc(valueBytes, 0x61 + (i % 26)) })),
  );
}

async function fetchAll(client: WireClient, topic: string): Promise<{ offsets: number[]; highWatermark: number }> {
  const offsets: number[] = [];
  let offset = 0;
  let highWatermark = 0;
  for (;;) {
    const res = await client.send(1, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 8 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 8 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const p = res.responses[0].partitions[0];
    expect(p.errorCode).toBe(0);
    highWatermark = Number(p.highWatermark);
    const records = p.records as Buffer;
    if (records.length === 0) return { offsets, highWatermark };
    for (const { header } of iterateBatches(records)) {
      for (let o = header.baseOffset; o <= header.lastOffset; o++) offsets.push(o);
      offset = header.lastOffset + 1;
    }
  }
}

/** Every byte of the partition's segments is a whole batch with a good CRC, in offset order. */
function expectWholeBatches(logDir: string, topic: string): number {
  const dir = path.join(logDir, `${topic}-0`);
  let next = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort()) {
    const bytes = fs.readFileSync(path.join(dir, file));
    let position = 0;
    for (const { header } of iterateBatches(bytes)) {
      expect(computeBatchCrc(bytes, position, header.sizeInBytes)).toBe(header.crc);
      expect(header.baseOffset).toBe(next);
      next = header.lastOffset + 1;
      position += header.sizeInBytes;
    }
    expect(position, `${file} ends with a partial batch`).toBe(bytes.length);
  }
  return next;
}

function warnings(broker: TestBroker, topic: string): string[] {
  return broker.lines.filter((l) => l.startsWith(`WARN Appends to ${topic}-0 fail`));
}

describe('disk full (injected ENOSPC)', () => {
  it('answers KAFKA_STORAGE_ERROR, leaves no partial batch, warns once, and resumes when space returns', async () => {
    const { broker, client } = await start();
    const topic = 'full-injected';
    await client.createTopic(topic);
    expect((await client.produce(topic, 0, [], batchOf('a', 10, 100))).errorCode).toBe(0);
    // over index.interval.bytes (4096): the next batch gets an offset index entry
    expect((await client.produce(topic, 0, [], batchOf('a2', 10, 1000))).errorCode).toBe(0);

    // half of each segment write lands, then ENOSPC
    setWriteFaultForTests((file, length) => (file.endsWith('.log') ? { bytesBeforeFailure: Math.floor(length / 2) } : null));
    for (let i = 0; i < 5; i++) {
      const failed = await client.produce(topic, 0, [], batchOf(`fail${i}`, 10, 100));
      expect(failed.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      expect(failed.errorMessage).toContain('ENOSPC');
      expect(failed.errorMessage).not.toContain(broker.logDir);
    }
    expect(expectWholeBatches(broker.logDir, topic)).toBe(20);
    expect(warnings(broker, topic)).toHaveLength(1);
    expect(warnings(broker, topic)[0]).toContain('no space left on device');

    // an index entry that cannot be written undoes the batch too
    const indexFile = path.join(broker.logDir, `${topic}-0`, '00000000000000000000.index');
    setWriteFaultForTests((file) => (file.endsWith('.index') ? { bytesBeforeFailure: 5 } : null));
    expect((await client.produce(topic, 0, [], batchOf('big', 10, 1000))).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(expectWholeBatches(broker.logDir, topic)).toBe(20);
    expect(fs.readFileSync(indexFile).length).toBe(0);

    setWriteFaultForTests(null);
    const resumed = await client.produce(topic, 0, [], batchOf('b', 10, 1000));
    expect(resumed.errorCode).toBe(0);
    expect(Number(resumed.baseOffset)).toBe(20);
    expect((await client.produce(topic, 0, [], batchOf('c', 10, 1000))).errorCode).toBe(0);
    expect(expectWholeBatches(broker.logDir, topic)).toBe(40);
    const { offsets, highWatermark } = await fetchAll(client, topic);
    expect(highWatermark).toBe(40);
    expect(offsets).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // whole entries for the batches after the failure (b ends at 29, c at 39), none left from it
    const index = fs.readFileSync(indexFile);
    expect([index.readInt32BE(0), index.readInt32BE(8), index.length]).toEqual([29, 39, 16]);

    // shutting down on a full disk: no checkpoints, but files closed and the dir lock
    // released, so the next start recovers everything
    setWriteFaultForTests(() => ({ bytesBeforeFailure: 0 }));
    client.close();
    await broker.close();
    started.splice(started.findIndex((s) => s.broker === broker), 1);
    expect(broker.lines.some((l) => l.startsWith('WARN Could not write the checkpoints on shutdown'))).toBe(true);
    setWriteFaultForTests(null);
    const again = await start(broker.logDir);
    expect((await fetchAll(again.client, topic)).offsets).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('a checkpoint write that fails keeps the old file and leaves no temp file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'recovery-point-offset-checkpoint');
    writeOffsetCheckpoint(file, [{ topic: 't', partition: 0, offset: 5 }]);
    const before = fs.readFileSync(file, 'utf8');
    setWriteFaultForTests((p) => (p.endsWith('.tmp') ? { bytesBeforeFailure: 3 } : null));
    expect(() => writeOffsetCheckpoint(file, [{ topic: 't', partition: 0, offset: 9 }, { topic: 't', partition: 1, offset: 9 }])).toThrow(/ENOSPC/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['recovery-point-offset-checkpoint']);
    expect(readOffsetCheckpoint(file).get('t-0')?.offset).toBe(5);
  });
});

/** Mounts a 2 MB tmpfs (root with mount rights only); null, with the reason, when not allowed. */
function mountSmallTmpfs(): { dir: string; unmount: () => void } | { reason: string } {
  const dir = tempDir('kafka-ts-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { reason: ((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim() };
  }
  return {
    dir,
    unmount: () => {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const tmpfs = mountSmallTmpfs();
if ('reason' in tmpfs) console.warn(`disk-full tmpfs test skipped: cannot mount a small tmpfs (${tmpfs.reason}); the injected-ENOSPC tests still run`);

describe.skipIf('reason' in tmpfs)('disk full (a real 2 MB tmpfs)', () => {
  afterAll(async () => {
    try {
      for (const s of started.splice(0)) {
        s.client.close();
        await s.broker.close();
      }
    } finally {
      if (!('reason' in tmpfs)) tmpfs.unmount();
    }
  });

  it('fills the disk: KAFKA_STORAGE_ERROR, whole batches only, and appends resume once space is freed', async () => {
    if ('reason' in tmpfs) return;
    const logDir = path.join(tmpfs.dir, 'logs');
    const filler = path.join(tmpfs.dir, 'filler');
    const { broker, client } = await start(logDir);
    const topic = 'full-tmpfs';
    await client.createTopic(topic);
    // leave about 600 KB free, then produce 100 KB batches until the disk is full
    const free = fs.statfsSync(tmpfs.dir);
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free.bavail * free.bsize - 600 * 1024)));
    let ok = 0;
    let storageErrors = 0;
    for (let i = 0; i < 20; i++) {
      const res = await client.produce(topic, 0, [], batchOf(`t${i}`, 10, 10_000));
      if (res.errorCode === 0) ok++;
      else {
        expect(res.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
        storageErrors++;
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(storageErrors).toBeGreaterThan(0);
    expect(expectWholeBatches(logDir, topic)).toBe(ok * 10);
    expect(warnings(broker, topic)).toHaveLength(1);

    fs.rmSync(filler);
    const resumed = await client.produce(topic, 0, [], batchOf('after', 10, 10_000));
    expect(resumed.errorCode).toBe(0);
    expect(Number(resumed.baseOffset)).toBe(ok * 10);
    expect(expectWholeBatches(logDir, topic)).toBe(ok * 10 + 10);
    const { offsets } = await fetchAll(client, topic);
    expect(offsets).toHaveLength(ok * 10 + 10);
  });
});
