/**
 * kafka-producer-perf-test with transactions (--transactional-id,
 * --transaction-duration-ms): the same send loop as the plain run, through kafkajs'
 * transactional producer (InitProducerId, AddPartitionsToTxn, EndTxn), committing
 * once a transaction is older than transaction-duration-ms, as ProducerPerformance
 * does. Records are handed to kafkajs in chunks; a record's latency runs from its
 * send to its chunk's acknowledgement.
 */
import type { Message, Producer, Transaction } from 'kafkajs';
import { compressionTypeFor, registerCompressionCodecs } from './codecs.js';
import { createClient, describeClientError, numberProperty, protocolErrorType } from './connection.js';
import { CliError } from './errors.js';
import { formatMetrics, PayloadSource, ProducerStats, producerMetrics, ThroughputThrottler, type PayloadSettings, type SendCounters } from './perf-stats.js';
import type { CompressionCodec } from '../protocol/records/compression.js';

/** What a transactional run needs of producer-perf-test's settings. */
export interface TransactionalPerfSettings extends PayloadSettings {
  topic: string;
  numRecords: number;
  throughput: number;
  bootstrapServers: string[];
  properties: Record<string, string>;
  compression: CompressionCodec;
  printMetrics: boolean;
  transactionalId?: string;
  transactionDurationMs?: number;
}

const CHUNK_RECORDS = 500;

export async function runTransactionalPerf(settings: TransactionalPerfSettings, print: (line: string) => void): Promise<void> {
  registerCompressionCodecs();
  const props = settings.properties;
  const kafka = createClient({ brokers: settings.bootstrapServers, clientId: props['client.id'], properties: props });
  const producer: Producer = kafka.producer({
    transactionalId: settings.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: numberProperty(props, 'transaction.timeout.ms') ?? 60_000,
    allowAutoTopicCreation: true,
  });
  try {
    await producer.connect();
  } catch (err) {
    if (protocolErrorType(err) === 'COORDINATOR_NOT_AVAILABLE') {
      throw new CliError(`No transaction coordinator is available for transactional id ${settings.transactionalId}: the brokers cannot create __transaction_state (on a single broker set transaction.state.log.replication.factor=1 and transaction.state.log.min.isr=1 in server.properties), or run without --transactional-id/--transaction-duration-ms`);
    }
    throw new CliError(describeClientError(err, settings.bootstrapServers, '--bootstrap-server'));
  }
  const compression = compressionTypeFor(settings.compression);
  const stats = new ProducerStats(settings.numRecords, 5000, print);
  const counters: SendCounters = { sent: 0, failed: 0, requests: 0, startMs: Date.now() };
  const throttler = new ThroughputThrottler(settings.throughput, Date.now());
  const payloads = new PayloadSource(settings);
  let transaction: Transaction | undefined;
  let transactionStart = 0;
  let chunk: Array<{ message: Message; sentMs: number; bytes: number }> = [];
  const sendChunk = async (): Promise<void> => {
    if (!transaction || chunk.length === 0) return;
    const records = chunk;
    chunk = [];
    counters.requests += 1;
    try {
      await transaction.send({ topic: settings.topic, messages: records.map((r) => r.message), acks: -1, compression });
      const now = Date.now();
      for (const r of records) stats.record(now - r.sentMs, r.bytes, now);
    } catch (err) {
      counters.failed += records.length;
      process.stderr.write(`${describeClientError(err, settings.bootstrapServers, '--bootstrap-server')}\n`);
    }
  };
  try {
    for (let i = 0; i < settings.numRecords; i++) {
      const sendStartMs = Date.now();
      if (!transaction) {
        transaction = await producer.transaction();
        transactionStart = sendStartMs;
      }
      const payload = payloads.next(i);
      chunk.push({ message: { value: payload }, sentMs: sendStartMs, bytes: payload.length });
      counters.sent += 1;
      if (chunk.length >= CHUNK_RECORDS) await sendChunk();
      if (settings.transactionDurationMs! <= sendStartMs - transactionStart) {
        await sendChunk();
        await transaction.commit();
        transaction = undefined;
      }
      if (throttler.shouldThrottle(i, sendStartMs)) await throttler.throttle();
    }
    await sendChunk();
    if (transaction) await transaction.commit();
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  print(stats.totalLine());
  if (settings.printMetrics) for (const line of formatMetrics(producerMetrics(stats, counters, props['client.id']))) print(line);
}
