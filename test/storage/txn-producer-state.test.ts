/**
 * Open transactions live in the producer state (Kafka's currentTxnFirstOffset): the
 * tracker opens and closes them, producer snapshots (version 2) keep them, version-1
 * snapshots are still read, and after a restart the ReplicaManager's last stable offset
 * comes from snapshot + header replay: the bytes read from disk are counted by wrapping
 * fs.readSync (as test/storage/fetch-io.test.ts does) and stay far below the log's size.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProducerStateTable } from '../../src/storage/producer-state.js';
import { ReplicaManager } from '../../src/broker/replica-manager.js';
import type { MetadataService, PartitionState } from '../../src/broker/services/metadata-service.js';
import type { AppendOutcome } from '../../src/broker/services/partition-data-service.js';
import { PartitionLog, defaultLogConfig, type LogConfig } from '../../src/storage/partition-log.js';
import { listProducerSnapshots, producerSnapshotFileName } from '../../src/storage/producer-snapshot-file.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';

const dirs: string[] = [];
function freshDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-producer-state-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Counts bytes returned by fs.readSync while `fn` runs (storage reads through readSync only). */
function bytesReadDuring<T>(fn: () => T): { result: T; bytesRead: number } {
  const original = fs.readSync;
  let bytesRead = 0;
  fs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
    const n = (original as (...a: unknown[]) => number)(...args);
    bytesRead += n;
    return n;
  }) as typeof fs.readSync;
  syncBuiltinESMExports();
  try {
    return { result: fn(), bytesRead };
  } finally {
    fs.readSync = original;
    syncBuiltinESMExports();
  }
}

const TOPIC = 't';
const PID = 77;

/** A ReplicaManager over one partition log led by broker 1 (the log owns its producer state). */
function replicaManagerFor(log: PartitionLog): { replicas: ReplicaManager } {
  const state: PartitionState = { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offlineReplicas: [] };
  const topicState = { name: TOPIC, topicId: 'x', internal: false, partitions: [state], configs: {} };
  const metadata = {
    brokerId: 1,
    topics: () => [topicState],
    topic: (name: string) => (name === TOPIC ? topicState : undefined),
    getPartition: (topic: string, partition: number) => (topic === TOPIC && partition === 0 ? { state, log } : undefined),
  } as unknown as MetadataService;
  return { replicas: new ReplicaManager(1, metadata) };
}

function txnBatch(baseSequence: number, count: number, epoch = 0): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`txn-${baseSequence + i}`) }));
  return buildRecordBatch(records, { producerId: PID, producerEpoch: epoch, baseSequence, transactional: true });
}

const APPEND = { requiredAcks: -1, allowZstd: true, timeoutMs: 30_000 };

/** One Produce of one partition through the replica manager (acks=all: an ISR of one answers at once). */
async function produce(replicas: ReplicaManager, records: Buffer): Promise<AppendOutcome> {
  return (await replicas.appendRecords([{ topic: TOPIC, partition: 0, records }], APPEND))[0]!;
}

describe('ProducerStateTable open transactions', () => {
  it('opens on the first transactional batch, closes on the marker, keeps it across an epoch bump', () => {
    const table = new ProducerStateTable();
    table.update(5, 0, 0, 0, 10, 10, 1000, true);
    table.update(5, 0, 1, 1, 12, 12, 1001, true);
    table.update(6, 0, 0, 0, 11, 11, 1000, false);
    expect([...table.ongoingTransactions()]).toEqual([[5, 10]]);
    // a bumped epoch (the coordinator's abort of a fenced producer) still closes the transaction that began at 10
    expect(table.completeTransaction(5, 1, 13)).toBe(10);
    expect(table.ongoingTransactions().size).toBe(0);
    expect(table.check(5, 0, 2, 2)).toMatchObject({ kind: 'error' });
    // a marker for a producer with nothing open closes nothing
    expect(table.completeTransaction(6, 0, 14)).toBe(-1);
  });

  it('keeps open transactions in version 2 snapshots and still reads version 1 snapshots', () => {
    const table = new ProducerStateTable();
    table.update(5, 3, 0, 4, 100, 104, 1000, true);
    table.update(9, 0, 0, 0, 105, 105, 1001, false);
    const copy = new ProducerStateTable();
    expect(copy.loadSnapshot(table.toSnapshot())).toBe(2);
    expect([...copy.ongoingTransactions()]).toEqual([[5, 100]]);
    expect(copy.check(5, 3, 0, 4)).toMatchObject({ kind: 'duplicate', firstOffset: 100 });

    // version 1 by hand: producer 9, epoch 0, one batch (seq 0..0 at offset 105)
    const v1 = Buffer.alloc(2 + 4 + 4 + 14 + 32);
    v1.writeInt16BE(1, 0);
    v1.writeInt32BE(1, 6);
    v1.writeBigInt64BE(9n, 10);
    v1.writeInt16BE(0, 18);
    v1.writeInt32BE(1, 20);
    v1.writeInt32BE(0, 24);
    v1.writeInt32BE(0, 28);
    v1.writeBigInt64BE(105n, 32);
    v1.writeBigInt64BE(105n, 40);
    v1.writeBigInt64BE(1001n, 48);
    v1.writeUInt32BE(crc32c(v1.subarray(6)), 2);
    const old = new ProducerStateTable();
    expect(old.loadSnapshot(v1)).toBe(1);
    expect(old.check(9, 0, 0, 0)).toMatchObject({ kind: 'duplicate', firstOffset: 105 });
    expect(old.ongoingTransactions().size).toBe(0);
  });

  it('recovers a transaction opened below a version 1 snapshot from the batch headers', () => {
    const base = freshDir();
    const dir = path.join(base, 't-0');
    const log = PartitionLog.open(dir, defaultLogConfig());
    log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('plain') }]), 0);
    const opened = log.appendAsLeader(txnBatch(0, 2), 0).baseOffset;
    log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('plain') }]), 0);
    // a version 1 snapshot at the log end that knows producer 77 but not its open transaction
    const v1 = Buffer.alloc(2 + 4 + 4 + 14);
    v1.writeInt16BE(1, 0);
    v1.writeInt32BE(1, 6);
    v1.writeBigInt64BE(BigInt(PID), 10);
    v1.writeInt16BE(0, 18);
    v1.writeInt32BE(0, 20);
    v1.writeUInt32BE(crc32c(v1.subarray(6)), 2);
    fs.writeFileSync(path.join(dir, producerSnapshotFileName(log.logEndOffset)), v1);

    const table = new ProducerStateTable();
    table.attachLog(log);
    expect([...table.ongoingTransactions()]).toEqual([[PID, opened]]);
    log.close();
  });
});

describe('last stable offset after a restart', () => {
  // 16 MB of plain data around one open transaction, in 1 MB segments
  const config: LogConfig = { ...defaultLogConfig(), segmentBytes: 1024 * 1024 };
  const plain = buildRecordBatch(
    Array.from({ length: 64 }, (_, i) => ({ key: null, value: Buffer.alloc(1000, 'p'), timestamp: 1_700_000_000_000 + i })),
  );
  const LOG_BYTES = 16 * 1024 * 1024;

  /** Writes the log through a ReplicaManager, then shuts down cleanly (snapshot at the log end) or "crashes". */
  async function buildLog(dir: string, cleanShutdown: boolean): Promise<{ firstTxnOffset: number; logSize: number; logEndOffset: number }> {
    const log = PartitionLog.open(dir, config);
    const { replicas } = replicaManagerFor(log);
    let seq = 0;
    let firstTxnOffset = -1;
    let written = 0;
    // a second producer whose transaction is committed must not hold the LSO
    expect((await produce(replicas, buildRecordBatch([{ key: null, value: Buffer.from('c') }], { producerId: 88, producerEpoch: 0, baseSequence: 0, transactional: true }))).errorCode).toBe(0);
    while (written < LOG_BYTES) {
      expect((await produce(replicas, Buffer.from(plain))).errorCode).toBe(0);
      written += plain.length;
      if (written > LOG_BYTES / 4 && seq < 40) {
        // transactional batches now and then, across several segment rolls (roll snapshots)
        const out = (await produce(replicas, txnBatch(seq, 1)));
        expect(out.errorCode).toBe(0);
        if (firstTxnOffset < 0) firstTxnOffset = out.baseOffset;
        seq++;
      }
    }
    expect(replicas.writeTxnMarker({ topic: TOPIC, partition: 0, producerId: 88, producerEpoch: 0, commit: true, coordinatorEpoch: 0 })).toBe(0);
    expect(replicas.listOffset(TOPIC, 0, -1, 'read_committed').offset).toBe(firstTxnOffset);
    expect(listProducerSnapshots(dir).length).toBeGreaterThan(0);
    if (cleanShutdown) log.takeProducerSnapshot();
    const logSize = log.sizeInBytes();
    const logEndOffset = log.logEndOffset;
    log.close();
    return { firstTxnOffset, logSize, logEndOffset };
  }

  function reopenAndMeasure(dir: string, firstTxnOffset: number, logSize: number): void {
    const log = PartitionLog.open(dir, config, { hadCleanShutdown: true, recoveryPoint: Number.MAX_SAFE_INTEGER });
    const { replicas } = replicaManagerFor(log);
    const { result, bytesRead } = bytesReadDuring(() => ({
      committed: replicas.listOffset(TOPIC, 0, -1, 'read_committed').offset,
      uncommitted: replicas.listOffset(TOPIC, 0, -1, 'read_uncommitted').offset,
      producers: replicas.describeProducers(TOPIC, 0).producers,
    }));
    expect(result.committed).toBe(firstTxnOffset);
    expect(result.uncommitted).toBe(log.logEndOffset);
    expect(result.producers.find((p) => p.producerId === PID)?.currentTxnStartOffset).toBe(firstTxnOffset);
    expect(result.producers.find((p) => p.producerId === 88)?.currentTxnStartOffset).toBe(-1);
    // headers after the newest snapshot at most: a few KB, not the 16 MB log
    expect(logSize).toBeGreaterThan(LOG_BYTES);
    expect(bytesRead).toBeLessThan(256 * 1024);

    // the marker closes it and the LSO catches up with the high watermark
    expect(replicas.writeTxnMarker({ topic: TOPIC, partition: 0, producerId: PID, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })).toBe(0);
    expect(replicas.listOffset(TOPIC, 0, -1, 'read_committed').offset).toBe(log.logEndOffset);
    const aborted = replicas.readRecords(TOPIC, 0, firstTxnOffset, 1024, { isolation: 'read_committed', minOneMessage: true });
    expect(aborted.abortedTransactions).toEqual([{ producerId: PID, firstOffset: firstTxnOffset }]);
    log.close();
  }

  it('comes from the shutdown snapshot without reading the log', async () => {
    const dir = path.join(freshDir(), 't-0');
    const { firstTxnOffset, logSize, logEndOffset } = await buildLog(dir, true);
    expect(listProducerSnapshots(dir).at(-1)).toBe(logEndOffset);
    reopenAndMeasure(dir, firstTxnOffset, logSize);
  });

  it('comes from the newest roll snapshot and the headers after it when there was no clean shutdown', async () => {
    const dir = path.join(freshDir(), 't-0');
    const { firstTxnOffset, logSize, logEndOffset } = await buildLog(dir, false);
    // no shutdown snapshot: only roll snapshots, the newest below the log end (headers after it are replayed)
    expect(listProducerSnapshots(dir).at(-1)!).toBeLessThan(logEndOffset);
    expect(listProducerSnapshots(dir).at(-1)!).toBeGreaterThan(firstTxnOffset);
    reopenAndMeasure(dir, firstTxnOffset, logSize);
  });
});
