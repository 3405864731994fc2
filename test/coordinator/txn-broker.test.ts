/**
 * Transactions through the wire against an in-process broker, with hand-built requests:
 * transactional produce checks, last stable offset in ListOffsets and Fetch, aborted
 * transaction lists and the `.txnindex`, transactional offset commits with RequireStable,
 * and all of it across a broker restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeRecordBatches, buildRecordBatch } from '../../src/protocol/records/record.js';
import { decodeAbortedTxns } from '../../src/storage/transaction-index.js';
import { WireClient } from '../broker/fetch-wire.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

// a single broker cannot host Kafka's default replication factor of 3 for __transaction_state
const TXN_RAW = { 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1', 'transaction.state.log.num.partitions': '5' };

let broker: TestBroker | undefined;
let client: WireClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await broker?.close();
  broker = undefined;
});

async function start(logDir: string, raw: Record<string, string> = {}): Promise<WireClient> {
  broker = await startTestBroker({ logDirs: [logDir], raw: { ...TXN_RAW, ...raw } });
  client = await WireClient.connect(broker.port);
  return client;
}

async function restart(logDir: string): Promise<WireClient> {
  client?.close();
  await broker?.close();
  return start(logDir);
}

function txnBatch(producerId: number, producerEpoch: number, baseSequence: number, values: string[]): Buffer {
  return buildRecordBatch(
    values.map((v) => ({ key: null, value: Buffer.from(v) })),
    { producerId, producerEpoch, baseSequence, transactional: true },
  );
}

async function initProducer(
  c: WireClient,
  transactionalId: string,
  transactionTimeoutMs = 60_000,
): Promise<{ producerId: number; producerEpoch: number }> {
  const found = await c.send(10, 1, { key: transactionalId, keyType: 1 });
  expect(found.errorCode).toBe(0);
  const res = await c.send(22, 1, { transactionalId, transactionTimeoutMs });
  expect(res.errorCode).toBe(0);
  return { producerId: Number(res.producerId), producerEpoch: res.producerEpoch };
}

async function addPartitions(c: WireClient, transactionalId: string, p: { producerId: number; producerEpoch: number }, topic: string, partitions: number[]) {
  const res = await c.send(24, 1, {
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: BigInt(p.producerId),
    v3AndBelowProducerEpoch: p.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  });
  return res.resultsByTopicV3AndBelow[0].resultsByPartition.map((r: { partitionErrorCode: number }) => r.partitionErrorCode);
}

async function endTxn(c: WireClient, transactionalId: string, p: { producerId: number; producerEpoch: number }, committed: boolean, version = 1) {
  const res = await c.send(26, version, { transactionalId, producerId: BigInt(p.producerId), producerEpoch: p.producerEpoch, committed });
  return res.errorCode as number;
}

async function produce(c: WireClient, transactionalId: string | null, topic: string, partition: number, records: Buffer) {
  const res = await c.send(0, 9, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0].partitionResponses[0] as { errorCode: number; baseOffset: bigint };
}

async function latestOffset(c: WireClient, topic: string, readCommitted: boolean): Promise<number> {
  const res = await c.send(2, 5, {
    replicaId: -1,
    isolationLevel: readCommitted ? 1 : 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
  });
  return Number(res.topics[0].partitions[0].offset);
}

async function fetch(c: WireClient, topic: string, fetchOffset: number, readCommitted: boolean) {
  const res = await c.send(1, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1024 * 1024,
    isolationLevel: readCommitted ? 1 : 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: BigInt(fetchOffset), partitionMaxBytes: 1024 * 1024 }] }],
  });
  const p = res.responses[0].partitions[0];
  const batches = decodeRecordBatches(p.records ?? Buffer.alloc(0));
  return {
    errorCode: p.errorCode as number,
    highWatermark: Number(p.highWatermark),
    lastStableOffset: Number(p.lastStableOffset),
    aborted: (p.abortedTransactions ?? null) as { producerId: bigint; firstOffset: bigint }[] | null,
    values: batches.filter((b) => !b.header.isControl).flatMap((b) => b.records.map((r) => r.value?.toString() ?? null)),
    controlOffsets: batches.filter((b) => b.header.isControl).map((b) => b.header.baseOffset),
  };
}

describe('transactions over the wire', () => {
  it('keeps the LSO behind an open transaction, lists aborted transactions and survives a restart', async () => {
    const logDir = tempDir();
    let c = await start(logDir);
    await c.createTopic('tx-data', 1);
    const p = await initProducer(c, 'app-1');

    // not added to the transaction yet
    expect((await produce(c, 'app-1', 'tx-data', 0, txnBatch(p.producerId, p.producerEpoch, 0, ['x']))).errorCode).toBe(
      ErrorCode.INVALID_TXN_STATE,
    );
    expect(await addPartitions(c, 'app-1', p, 'tx-data', [0])).toEqual([0]);
    expect((await produce(c, 'app-1', 'tx-data', 0, txnBatch(p.producerId, p.producerEpoch, 0, ['a0', 'a1', 'a2']))).baseOffset).toBe(0n);
    // a plain write after the open transaction: visible to read_uncommitted only
    expect((await produce(c, null, 'tx-data', 0, buildRecordBatch([{ key: null, value: Buffer.from('plain') }]))).baseOffset).toBe(3n);

    expect(await latestOffset(c, 'tx-data', false)).toBe(4);
    expect(await latestOffset(c, 'tx-data', true)).toBe(0);
    let committed = await fetch(c, 'tx-data', 0, true);
    expect(committed).toMatchObject({ highWatermark: 4, lastStableOffset: 0, values: [], aborted: [] });
    expect((await fetch(c, 'tx-data', 0, false)).values).toEqual(['a0', 'a1', 'a2', 'plain']);

    expect(await endTxn(c, 'app-1', p, false)).toBe(0);
    // ABORT marker at offset 4; LSO catches up with the high watermark
    committed = await fetch(c, 'tx-data', 0, true);
    expect(committed).toMatchObject({ highWatermark: 5, lastStableOffset: 5, controlOffsets: [4] });
    expect(committed.aborted).toEqual([{ producerId: BigInt(p.producerId), firstOffset: 0n }]);
    expect(committed.values).toEqual(['a0', 'a1', 'a2', 'plain']); // the consumer drops a* using the aborted list
    expect((await fetch(c, 'tx-data', 0, false)).aborted).toBeNull();
    const index = fs.readFileSync(path.join(logDir, 'tx-data-0', '00000000000000000000.txnindex'));
    expect(decodeAbortedTxns(index)).toEqual([{ producerId: p.producerId, firstOffset: 0, lastOffset: 4, lastStableOffset: 5 }]);

    // a second transaction, left open across a restart
    expect(await addPartitions(c, 'app-1', p, 'tx-data', [0])).toEqual([0]);
    expect((await produce(c, 'app-1', 'tx-data', 0, txnBatch(p.producerId, p.producerEpoch, 3, ['b0', 'b1']))).baseOffset).toBe(5n);
    expect(await latestOffset(c, 'tx-data', true)).toBe(5);

    c = await restart(logDir);
    expect(await latestOffset(c, 'tx-data', true)).toBe(5);
    expect(await latestOffset(c, 'tx-data', false)).toBe(7);
    expect((await fetch(c, 'tx-data', 0, true)).aborted).toEqual([{ producerId: BigInt(p.producerId), firstOffset: 0n }]);
    // the reloaded coordinator still knows the producer and its open transaction
    expect(await endTxn(c, 'app-1', p, true)).toBe(0);
    const after = await fetch(c, 'tx-data', 5, true);
    expect(after).toMatchObject({ lastStableOffset: 8, highWatermark: 8, values: ['b0', 'b1'], controlOffsets: [7], aborted: [] });
  });

  it('fences the old producer when the transactional id is initialised again', async () => {
    const c = await start(tempDir());
    await c.createTopic('fenced', 1);
    const old = await initProducer(c, 'app-2');
    expect(await addPartitions(c, 'app-2', old, 'fenced', [0])).toEqual([0]);
    expect((await produce(c, 'app-2', 'fenced', 0, txnBatch(old.producerId, old.producerEpoch, 0, ['zombie']))).errorCode).toBe(0);
    const fresh = await initProducer(c, 'app-2');
    expect(fresh).toEqual({ producerId: old.producerId, producerEpoch: old.producerEpoch + 2 });
    // the open transaction was aborted: nothing pending, the zombie's data is in the aborted list
    const read = await fetch(c, 'fenced', 0, true);
    expect(read.lastStableOffset).toBe(read.highWatermark);
    expect(read.aborted).toEqual([{ producerId: BigInt(old.producerId), firstOffset: 0n }]);
    // the zombie's writes are refused; EndTxn v1 says INVALID_PRODUCER_EPOCH, v2+ PRODUCER_FENCED
    expect((await produce(c, 'app-2', 'fenced', 0, txnBatch(old.producerId, old.producerEpoch, 1, ['late']))).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    expect(await endTxn(c, 'app-2', old, true, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await endTxn(c, 'app-2', old, true, 3)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('aborts a transaction that outlives its timeout, which releases the LSO', async () => {
    const c = await start(tempDir(), { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '50' });
    await c.createTopic('slow', 1);
    expect((await c.send(22, 1, { transactionalId: 'slow-app', transactionTimeoutMs: 900_001 })).errorCode).toBe(
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    const p = await initProducer(c, 'slow-app', 200);
    expect(await addPartitions(c, 'slow-app', p, 'slow', [0])).toEqual([0]);
    expect((await produce(c, 'slow-app', 'slow', 0, txnBatch(p.producerId, p.producerEpoch, 0, ['late']))).errorCode).toBe(0);
    expect(await latestOffset(c, 'slow', true)).toBe(0);
    const deadline = Date.now() + 5_000;
    while ((await latestOffset(c, 'slow', true)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const read = await fetch(c, 'slow', 0, true);
    expect(read).toMatchObject({ lastStableOffset: 2, highWatermark: 2, controlOffsets: [1] });
    expect(read.aborted).toEqual([{ producerId: BigInt(p.producerId), firstOffset: 0n }]);
    // the producer was fenced by the abort
    expect(await endTxn(c, 'slow-app', p, true, 3)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('keeps TxnOffsetCommit offsets pending until commit (RequireStable → UNSTABLE_OFFSET_COMMIT), also after a restart', async () => {
    const logDir = tempDir();
    let c = await start(logDir);
    await c.createTopic('in', 1);
    const p = await initProducer(c, 'app-3');
    const offsetFetch = async (requireStable: boolean) => {
      const res = await c.send(9, 7, { groupId: 'copier', topics: [{ name: 'in', partitionIndexes: [0] }], requireStable });
      const part = res.topics[0].partitions[0];
      return { offset: Number(part.committedOffset), errorCode: part.errorCode as number };
    };
    const txnCommit = async (offset: number) => {
      const res = await c.send(28, 3, {
        transactionalId: 'app-3',
        groupId: 'copier',
        producerId: BigInt(p.producerId),
        producerEpoch: p.producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: BigInt(offset), committedLeaderEpoch: -1, committedMetadata: '' }] }],
      });
      return res.topics[0].partitions[0].errorCode as number;
    };
    const addOffsets = async () =>
      (await c.send(25, 1, { transactionalId: 'app-3', producerId: BigInt(p.producerId), producerEpoch: p.producerEpoch, groupId: 'copier' }))
        .errorCode as number;

    // the offsets partition must be added first
    expect(await txnCommit(5)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await addOffsets()).toBe(0);
    expect(await txnCommit(5)).toBe(0);
    expect(await offsetFetch(true)).toEqual({ offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    expect(await offsetFetch(false)).toEqual({ offset: -1, errorCode: 0 });
    expect(await endTxn(c, 'app-3', p, true)).toBe(0);
    expect(await offsetFetch(true)).toEqual({ offset: 5, errorCode: 0 });

    // an aborted offset commit never shows
    expect(await addOffsets()).toBe(0);
    expect(await txnCommit(9)).toBe(0);
    expect(await endTxn(c, 'app-3', p, false)).toBe(0);
    expect(await offsetFetch(true)).toEqual({ offset: 5, errorCode: 0 });

    // pending across a restart, then committed
    expect(await addOffsets()).toBe(0);
    expect(await txnCommit(12)).toBe(0);
    c = await restart(logDir);
    expect(await offsetFetch(true)).toEqual({ offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    expect(await offsetFetch(false)).toEqual({ offset: 5, errorCode: 0 });
    expect(await endTxn(c, 'app-3', p, true)).toBe(0);
    expect(await offsetFetch(true)).toEqual({ offset: 12, errorCode: 0 });
    c = await restart(logDir);
    expect(await offsetFetch(true)).toEqual({ offset: 12, errorCode: 0 });
  });
});
