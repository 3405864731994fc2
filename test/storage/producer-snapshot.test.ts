/**
 * Producer state survives restarts: `.snapshot` files (round trip, CRC, roll and
 * shutdown snapshots, fallback when one is unreadable, replay after the latest one) of the
 * producer state each partition log owns,
 * and over the wire an idempotent batch retried after a broker restart is answered
 * with its original offset instead of being written twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProducerStateTable } from '../../src/storage/producer-state.js';
import { PartitionLog, defaultLogConfig } from '../../src/storage/partition-log.js';
import { listProducerSnapshots, producerSnapshotFileName } from '../../src/storage/producer-snapshot-file.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { WireClient } from '../broker/fetch-wire.js';

const dirs: string[] = [];
function freshDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'producer-snapshot-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function idempotentBatch(producerId: number, baseSequence: number, count: number, epoch = 0): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${baseSequence + i}`) }));
  return buildRecordBatch(records, { producerId, producerEpoch: epoch, baseSequence });
}

/** One idempotent batch through the log, which checks and updates its producer state. Returns the base offset. */
function produce(log: PartitionLog, batch: Buffer): number {
  return log.appendAsLeader(batch, 0).baseOffset;
}

describe('ProducerStateTable snapshots', () => {
  it('round-trips through snapshot bytes and rejects a corrupt snapshot', () => {
    const table = new ProducerStateTable();
    for (let i = 0; i < 7; i++) table.update(1000, 2, i * 10, i * 10 + 9, i * 10, i * 10 + 9, 5000 + i);
    table.update(2000, 0, 0, 0, 70, 70, 6000);
    const bytes = table.toSnapshot();
    const copy = new ProducerStateTable();
    copy.loadSnapshot(bytes);
    expect(copy.producerIds().sort()).toEqual([1000, 2000]);
    // the 5 most recent batches are duplicates, older ones are not, the next sequence appends
    expect(copy.check(1000, 2, 60, 69)).toEqual({ kind: 'duplicate', firstOffset: 60, lastOffset: 69, timestamp: 5006 });
    expect(copy.check(1000, 2, 20, 29)).toMatchObject({ kind: 'duplicate', firstOffset: 20 });
    expect(copy.check(1000, 2, 10, 19)).toMatchObject({ kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(copy.check(1000, 2, 70, 79)).toEqual({ kind: 'append' });
    expect(copy.check(1000, 1, 70, 79)).toMatchObject({ kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(copy.toSnapshot().equals(bytes)).toBe(true);

    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 1]! ^= 0xff;
    expect(() => new ProducerStateTable().loadSnapshot(corrupt)).toThrow(/CRC/);
  });

  it('snapshots on segment roll, replays after the latest snapshot when there was no clean shutdown', () => {
    const dir = path.join(freshDir(), 't-0');
    const config = { ...defaultLogConfig(), segmentBytes: 400 };
    let log = PartitionLog.open(dir, config);
    const offsets: number[] = [];
    for (let seq = 0; seq < 30; seq += 3) offsets.push(produce(log, idempotentBatch(42, seq, 3)));
    expect(log.numberOfSegments).toBeGreaterThan(2);
    // one snapshot per roll, at segment base offsets, the newest two kept
    const snapshots = listProducerSnapshots(dir);
    expect(snapshots.length).toBe(2);
    const bases = log.segmentBaseOffsets();
    for (const s of snapshots) expect(bases).toContain(s);
    const leo = log.logEndOffset;

    // "crash": no shutdown snapshot; reopen and rebuild from the roll snapshot + replay
    log.close();
    log = PartitionLog.open(dir, config);
    expect(produce(log, idempotentBatch(42, 27, 3))).toBe(offsets[9]);
    expect(produce(log, idempotentBatch(42, 24, 3))).toBe(offsets[8]);
    expect(log.logEndOffset).toBe(leo);
    expect(log.producerState.check(42, 0, 31, 33)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(produce(log, idempotentBatch(42, 30, 3))).toBe(leo);

    // clean shutdown: a snapshot at the log end offset
    log.takeProducerSnapshot();
    expect(listProducerSnapshots(dir).at(-1)).toBe(log.logEndOffset);
    log.close();
  });

  it('falls back to an older snapshot or to the whole log when snapshots are unreadable or ahead of the log', () => {
    const dir = path.join(freshDir(), 't-0');
    const config = defaultLogConfig();
    let log = PartitionLog.open(dir, config);
    const first = produce(log, idempotentBatch(7, 0, 2));
    log.takeProducerSnapshot();
    const good = log.logEndOffset;
    produce(log, idempotentBatch(7, 2, 2));
    log.takeProducerSnapshot();
    // newest snapshot corrupted, plus a snapshot beyond the log end (data that is gone)
    fs.writeFileSync(path.join(dir, producerSnapshotFileName(log.logEndOffset)), Buffer.from('garbage'));
    fs.writeFileSync(path.join(dir, producerSnapshotFileName(10_000)), Buffer.from('future'));
    log.close();

    const warnings: string[] = [];
    log = PartitionLog.open(dir, config, { logger: (l) => warnings.push(l) });
    expect(produce(log, idempotentBatch(7, 0, 2))).toBe(first);
    expect(produce(log, idempotentBatch(7, 2, 2))).toBe(good);
    expect(warnings.some((w) => w.includes('CRC') || w.includes('truncated'))).toBe(true);
    expect(listProducerSnapshots(dir)).toEqual([good]);
    log.close();

    // no snapshot at all: the whole log is replayed
    for (const s of listProducerSnapshots(dir)) fs.rmSync(path.join(dir, producerSnapshotFileName(s)));
    log = PartitionLog.open(dir, config);
    expect(produce(log, idempotentBatch(7, 2, 2))).toBe(good);
    log.close();
  });
});

describe('idempotent producer across a broker restart', () => {
  it('answers a retried batch with its original offset instead of appending it again', async () => {
    const logDir = tempDir();
    dirs.push(logDir);
    let broker = await startTestBroker({ logDirs: [logDir] });
    let client = await WireClient.connect(broker.port);
    const init = await client.send(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
    expect(init.errorCode).toBe(0);
    const producerId = Number(init.producerId);
    await client.createTopic('idem', 1);
    const batch0 = idempotentBatch(producerId, 0, 3);
    const batch1 = idempotentBatch(producerId, 3, 2);
    const r0 = await client.produce('idem', 0, [], Buffer.from(batch0));
    const r1 = await client.produce('idem', 0, [], Buffer.from(batch1));
    expect([r0.errorCode, Number(r0.baseOffset), r1.errorCode, Number(r1.baseOffset)]).toEqual([0, 0, 0, 3]);
    client.close();
    await broker.close();
    const partitionDir = path.join(logDir, 'idem-0');
    expect(listProducerSnapshots(partitionDir)).toContain(5);

    broker = await startTestBroker({ logDirs: [logDir] });
    client = await WireClient.connect(broker.port);
    try {
      const retry = await client.produce('idem', 0, [], Buffer.from(batch1));
      expect([retry.errorCode, Number(retry.baseOffset)]).toEqual([0, 3]);
      const older = await client.produce('idem', 0, [], Buffer.from(batch0));
      expect([older.errorCode, Number(older.baseOffset)]).toEqual([0, 0]);
      const gap = await client.produce('idem', 0, [], idempotentBatch(producerId, 9, 1));
      expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      const next = await client.produce('idem', 0, [], idempotentBatch(producerId, 5, 1));
      expect([next.errorCode, Number(next.baseOffset)]).toEqual([0, 5]);
      const latest = await client.send(2, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 'idem', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
      });
      expect(Number(latest.topics[0].partitions[0].offset)).toBe(6);
    } finally {
      client.close();
      await broker.close();
    }
  });
});
