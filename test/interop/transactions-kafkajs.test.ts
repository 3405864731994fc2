/**
 * kafkajs transactions against an in-process broker: commit and abort, a read_committed
 * vs a read_uncommitted consumer, consume-transform-produce with sendOffsets (the
 * group's offset becomes visible only on commit), and fencing of an older producer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const TXN_RAW = { 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1', 'transaction.state.log.num.partitions': '5' };

let broker: TestBroker | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await broker?.close();
  broker = undefined;
});

function client(b: TestBroker): Kafka {
  return new Kafka({ clientId: 'txn-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

/** Reads `topic` from the beginning until `count` values arrived or `quietMs` passed without any. */
async function readAll(kafka: Kafka, topic: string, groupId: string, readUncommitted: boolean, count: number, quietMs = 1500) {
  const consumer: Consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 100 });
  cleanups.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let quiet: NodeJS.Timeout | undefined;
    const hardStop = setTimeout(() => reject(new Error(`timed out with ${values.join(',')}`)), 30_000);
    const done = () => {
      clearTimeout(hardStop);
      clearTimeout(quiet);
      resolve();
    };
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value!.toString());
        clearTimeout(quiet);
        // wait a little past the expected count so extra (e.g. aborted) records would show
        quiet = setTimeout(done, values.length >= count ? 500 : quietMs * 10);
      },
    });
  });
  await consumer.disconnect();
  return values;
}

describe('kafkajs transactions', () => {
  it('commits one transaction and aborts another; only read_uncommitted sees the aborted one', async () => {
    broker = await startTestBroker({ raw: TXN_RAW });
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'js-txn', numPartitions: 2 }] });

    const producer = kafka.producer({ transactionalId: 'js-txn-producer', idempotent: true, maxInFlightRequests: 1 });
    cleanups.push(() => producer.disconnect());
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'js-txn', messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `committed-${i}`, partition: i % 2 })) });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'js-txn', messages: [0, 1].map((i) => ({ key: `k${i}`, value: `aborted-${i}`, partition: i % 2 })) });
    await aborted.abort();

    const readCommitted = await readAll(kafka, 'js-txn', 'rc', false, 3);
    expect(readCommitted.sort()).toEqual(['committed-0', 'committed-1', 'committed-2']);
    const readUncommitted = await readAll(kafka, 'js-txn', 'ru', true, 5);
    expect(readUncommitted.sort()).toEqual(['aborted-0', 'aborted-1', 'committed-0', 'committed-1', 'committed-2']);
  }, 90_000);

  it('sendOffsets commits the group offset with the transaction, and never on abort', async () => {
    broker = await startTestBroker({ raw: TXN_RAW });
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'js-in', numPartitions: 1 }, { topic: 'js-out', numPartitions: 1 }] });
    const groupOffset = async () => (await admin.fetchOffsets({ groupId: 'copier', topics: ['js-in'] }))[0]!.partitions[0]!.offset;

    const producer = kafka.producer({ transactionalId: 'js-copier', idempotent: true, maxInFlightRequests: 1 });
    cleanups.push(() => producer.disconnect());
    await producer.connect();
    const first = await producer.transaction();
    await first.send({ topic: 'js-out', messages: [{ value: 'copied-0' }] });
    await first.sendOffsets({ consumerGroupId: 'copier', topics: [{ topic: 'js-in', partitions: [{ partition: 0, offset: '1' }] }] });
    expect(await groupOffset()).toBe('-1');
    await first.commit();
    expect(await groupOffset()).toBe('1');

    const second = await producer.transaction();
    await second.send({ topic: 'js-out', messages: [{ value: 'copied-1' }] });
    await second.sendOffsets({ consumerGroupId: 'copier', topics: [{ topic: 'js-in', partitions: [{ partition: 0, offset: '2' }] }] });
    await second.abort();
    expect(await groupOffset()).toBe('1');
    expect(await readAll(kafka, 'js-out', 'out-reader', false, 1)).toEqual(['copied-0']);
  }, 90_000);

  it('a second producer with the same transactional id fences the first', async () => {
    broker = await startTestBroker({ raw: TXN_RAW });
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'js-fence', numPartitions: 1 }] });

    const zombie = kafka.producer({ transactionalId: 'js-shared', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50 } });
    cleanups.push(() => zombie.disconnect());
    await zombie.connect();
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic: 'js-fence', messages: [{ value: 'zombie' }] });

    const successor = kafka.producer({ transactionalId: 'js-shared', idempotent: true, maxInFlightRequests: 1 });
    cleanups.push(() => successor.disconnect());
    await successor.connect();
    // kafkajs sends the transactional InitProducerId here: it aborts the zombie's open transaction and bumps the epoch
    const txn = await successor.transaction();
    await expect(zombieTxn.commit()).rejects.toThrow(/epoch/i);
    await txn.send({ topic: 'js-fence', messages: [{ value: 'successor' }] });
    await txn.commit();
    expect(await readAll(kafka, 'js-fence', 'fence-reader', false, 1)).toEqual(['successor']);
  }, 90_000);
});
