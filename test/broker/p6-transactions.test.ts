/**
 * DescribeProducers (61), DescribeTransactions (65) and ListTransactions (66, v0-1) over
 * the wire against an in-process broker: idempotent and transactional producers' state
 * per partition, an open transaction's start offset, the transaction state machine as
 * the coordinator reports it, the list filters, and the same answers after a restart.
 * @platformatic/kafka's own codecs for the three APIs check the encoding.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from './fetch-wire.js';

type Platformatic = typeof import('@platformatic/kafka');
let pk: Platformatic | undefined;
try {
  pk = await import('@platformatic/kafka');
} catch {
  console.warn('@platformatic/kafka checks skipped: the package is not installed');
}

// a single broker cannot host Kafka's default replication factor of 3 for __transaction_state
const TXN_RAW = { 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1', 'transaction.state.log.num.partitions': '3' };

let broker: TestBroker | undefined;
let client: WireClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await broker?.close();
  broker = undefined;
});

async function start(logDir: string): Promise<WireClient> {
  broker = await startTestBroker({ logDirs: [logDir], raw: TXN_RAW });
  client = await WireClient.connect(broker.port);
  return client;
}

interface ProducerIdAndEpoch {
  producerId: number;
  producerEpoch: number;
}

async function initProducer(c: WireClient, transactionalId: string | null, transactionTimeoutMs = 60_000): Promise<ProducerIdAndEpoch> {
  if (transactionalId !== null) expect((await c.send(10, 1, { key: transactionalId, keyType: 1 })).errorCode).toBe(0);
  const res = await c.send(22, 1, { transactionalId, transactionTimeoutMs });
  expect(res.errorCode).toBe(0);
  return { producerId: Number(res.producerId), producerEpoch: res.producerEpoch };
}

function batch(p: ProducerIdAndEpoch, baseSequence: number, count: number, timestamp: number, transactional = false): Buffer {
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${baseSequence + i}`) })),
    { producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence, transactional, timestamp },
  );
}

async function produce(c: WireClient, transactionalId: string | null, topic: string, records: Buffer): Promise<number> {
  const res = await c.send(0, 9, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const partition = res.responses[0].partitionResponses[0];
  expect(partition.errorCode).toBe(0);
  return Number(partition.baseOffset);
}

async function describeProducers(c: WireClient, topic: string, partitions: number[]) {
  const res = await c.send(61, 0, { topics: [{ name: topic, partitionIndexes: partitions }] });
  return res.topics[0].partitions.map((p: any) => ({
    partitionIndex: p.partitionIndex,
    errorCode: p.errorCode,
    producers: p.activeProducers
      .map((a: any) => ({
        producerId: Number(a.producerId),
        producerEpoch: a.producerEpoch,
        lastSequence: a.lastSequence,
        lastTimestamp: Number(a.lastTimestamp),
        coordinatorEpoch: a.coordinatorEpoch,
        currentTxnStartOffset: Number(a.currentTxnStartOffset),
      }))
      .sort((a: { producerId: number }, b: { producerId: number }) => a.producerId - b.producerId),
  }));
}

async function describeTxn(c: WireClient, ids: string[]) {
  const res = await c.send(65, 0, { transactionalIds: ids });
  return res.transactionStates;
}

async function listTxns(c: WireClient, version: number, stateFilters: string[] = [], producerIdFilters: number[] = [], durationFilter = -1) {
  const res = await c.send(66, version, { stateFilters, producerIdFilters: producerIdFilters.map(BigInt), durationFilter: BigInt(durationFilter) });
  expect(res.errorCode).toBe(0);
  return {
    unknown: res.unknownStateFilters as string[],
    listed: res.transactionStates.map((t: any) => [t.transactionalId, Number(t.producerId), t.transactionState]).sort() as [string, number, string][],
  };
}

describe('DescribeProducers', () => {
  it('reports idempotent and transactional producers, the open transaction start, and unknown partitions', async () => {
    const logDir = tempDir();
    let c = await start(logDir);
    await c.createTopic('dp-topic', 1);
    const idem = await initProducer(c, null);
    await produce(c, null, 'dp-topic', batch(idem, 0, 3, 1_700_000_000_000));
    await produce(c, null, 'dp-topic', batch(idem, 3, 2, 1_700_000_000_500));

    const txn = await initProducer(c, 'dp-txn');
    const add = await c.send(24, 1, {
      v3AndBelowTransactionalId: 'dp-txn',
      v3AndBelowProducerId: BigInt(txn.producerId),
      v3AndBelowProducerEpoch: txn.producerEpoch,
      v3AndBelowTopics: [{ name: 'dp-topic', partitions: [0] }],
    });
    expect(add.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode).toBe(0);
    const txnStart = await produce(c, 'dp-txn', 'dp-topic', batch(txn, 0, 2, 1_700_000_001_000, true));
    expect(txnStart).toBe(5);

    const expected = (txnStartOffset: number) => [
      { producerId: idem.producerId, producerEpoch: 0, lastSequence: 4, lastTimestamp: 1_700_000_000_500, coordinatorEpoch: -1, currentTxnStartOffset: -1 },
      { producerId: txn.producerId, producerEpoch: txn.producerEpoch, lastSequence: 1, lastTimestamp: 1_700_000_001_000, coordinatorEpoch: -1, currentTxnStartOffset: txnStartOffset },
    ];
    expect(await describeProducers(c, 'dp-topic', [0, 4])).toEqual([
      { partitionIndex: 0, errorCode: 0, producers: expected(5) },
      { partitionIndex: 4, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, producers: [] },
    ]);
    expect((await describeProducers(c, 'dp-missing', [0]))[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    // the marker closes the transaction: no start offset any more
    const end = await c.send(26, 1, { transactionalId: 'dp-txn', producerId: BigInt(txn.producerId), producerEpoch: txn.producerEpoch, committed: true });
    expect(end.errorCode).toBe(0);
    expect((await describeProducers(c, 'dp-topic', [0]))[0].producers).toEqual(expected(-1));

    // producer state comes back from snapshots and the log after a restart
    client!.close();
    await broker!.close();
    c = await start(logDir);
    expect((await describeProducers(c, 'dp-topic', [0]))[0].producers).toEqual(expected(-1));
  });
});

describe('DescribeTransactions and ListTransactions', () => {
  it('follow a transaction through Ongoing and CompleteAbort, filter, and survive a restart', async () => {
    const logDir = tempDir();
    let c = await start(logDir);
    await c.createTopic('dt-a', 1);
    await c.createTopic('dt-b', 1);
    const p1 = await initProducer(c, 'dt-1', 45_000);
    const p2 = await initProducer(c, 'dt-2');

    const [empty, unknown] = await describeTxn(c, ['dt-1', 'dt-nope']);
    expect(empty).toEqual({
      errorCode: 0, transactionalId: 'dt-1', transactionState: 'Empty', transactionTimeoutMs: 45_000,
      transactionStartTimeMs: -1n, producerId: BigInt(p1.producerId), producerEpoch: p1.producerEpoch, topics: [],
    });
    expect(unknown).toMatchObject({ errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId: 'dt-nope', transactionState: '' });

    const before = Date.now();
    const add = await c.send(24, 1, {
      v3AndBelowTransactionalId: 'dt-1',
      v3AndBelowProducerId: BigInt(p1.producerId),
      v3AndBelowProducerEpoch: p1.producerEpoch,
      v3AndBelowTopics: [{ name: 'dt-a', partitions: [0] }, { name: 'dt-b', partitions: [0] }],
    });
    expect(add.resultsByTopicV3AndBelow.flatMap((t: any) => t.resultsByPartition.map((r: any) => r.partitionErrorCode))).toEqual([0, 0]);
    const [ongoing] = await describeTxn(c, ['dt-1']);
    expect(ongoing.transactionState).toBe('Ongoing');
    expect(Number(ongoing.transactionStartTimeMs)).toBeGreaterThanOrEqual(before - 1);
    expect(Number(ongoing.transactionStartTimeMs)).toBeLessThanOrEqual(Date.now());
    expect(ongoing.topics.sort((a: any, b: any) => a.topic.localeCompare(b.topic))).toEqual([
      { topic: 'dt-a', partitions: [0] },
      { topic: 'dt-b', partitions: [0] },
    ]);

    const both: [string, number, string][] = [
      ['dt-1', p1.producerId, 'Ongoing'],
      ['dt-2', p2.producerId, 'Empty'],
    ];
    expect(await listTxns(c, 0)).toEqual({ unknown: [], listed: both });
    expect(await listTxns(c, 0, ['Ongoing'])).toEqual({ unknown: [], listed: [both[0]] });
    expect(await listTxns(c, 0, ['Empty', 'Bogus'])).toEqual({ unknown: ['Bogus'], listed: [both[1]] });
    expect(await listTxns(c, 0, ['Bogus'])).toEqual({ unknown: ['Bogus'], listed: [] });
    expect(await listTxns(c, 0, [], [p2.producerId])).toEqual({ unknown: [], listed: [both[1]] });
    expect(await listTxns(c, 0, ['Ongoing'], [p2.producerId])).toEqual({ unknown: [], listed: [] });
    // v1: only transactions running longer than the duration (Empty ones have no start: always "long")
    expect(await listTxns(c, 1, [], [], 3_600_000)).toEqual({ unknown: [], listed: [both[1]] });
    expect(await listTxns(c, 1, [], [], -1)).toEqual({ unknown: [], listed: both });

    const end = await c.send(26, 1, { transactionalId: 'dt-1', producerId: BigInt(p1.producerId), producerEpoch: p1.producerEpoch, committed: false });
    expect(end.errorCode).toBe(0);
    const [aborted] = await describeTxn(c, ['dt-1']);
    expect(aborted).toMatchObject({ errorCode: 0, transactionState: 'CompleteAbort', transactionStartTimeMs: -1n, topics: [] });

    client!.close();
    await broker!.close();
    c = await start(logDir);
    expect(await listTxns(c, 1)).toEqual({
      unknown: [],
      listed: [
        ['dt-1', p1.producerId, 'CompleteAbort'],
        ['dt-2', p2.producerId, 'Empty'],
      ],
    });
    const [reloaded] = await describeTxn(c, ['dt-1']);
    expect(reloaded).toMatchObject({ transactionState: 'CompleteAbort', transactionTimeoutMs: 45_000, producerId: BigInt(p1.producerId) });
  });
});

describe.skipIf(!pk)('@platformatic/kafka codecs', () => {
  it('DescribeProducers v0, DescribeTransactions v0 and ListTransactions v1 decode our answers', async () => {
    const c = await start(tempDir());
    await c.createTopic('pk-txn', 1);
    const p = await initProducer(c, 'pk-1');
    await c.send(24, 1, {
      v3AndBelowTransactionalId: 'pk-1',
      v3AndBelowProducerId: BigInt(p.producerId),
      v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: 'pk-txn', partitions: [0] }],
    });
    await produce(c, 'pk-1', 'pk-txn', batch(p, 0, 1, 1_700_000_002_000, true));

    const connection = new pk!.Connection('p6-platformatic');
    await connection.connect('127.0.0.1', broker!.port);
    try {
      const producers = await pk!.describeProducersV0.api.async(connection, [{ name: 'pk-txn', partitionIndexes: [0] }]);
      const state = producers.topics[0]!.partitions[0]!.activeProducers[0]!;
      expect(Number(state.producerId)).toBe(p.producerId);
      expect(Number(state.currentTxnStartOffset)).toBe(0);
      expect(Number(state.lastTimestamp)).toBe(1_700_000_002_000);

      const described = await pk!.describeTransactionsV0.api.async(connection, ['pk-1']);
      expect(described.transactionStates[0]).toMatchObject({ errorCode: 0, transactionalId: 'pk-1', transactionState: 'Ongoing' });

      const listed = await pk!.listTransactionsV1.api.async(connection, [], [BigInt(p.producerId)], -1n, null);
      expect(listed.transactionStates.map((t) => t.transactionalId)).toEqual(['pk-1']);
    } finally {
      await connection.close();
    }
  });
});
