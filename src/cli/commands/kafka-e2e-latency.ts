/**
 * kafka-e2e-latency (EndToEndLatency; `kafka-run-class kafka.tools.EndToEndLatency`):
 * `broker_list topic num_messages producer_acks message_size_bytes [properties_file]`.
 * Sends one record at a time (acks 1 or all), reads it back from the partition's
 * leader, checks it is the same, and times the round trip: `<i>\t<ms>` every 1000
 * records, then `Avg latency: %.4f ms` and `Percentiles: 50th = …, 99th = …, 99.9th = …`
 * (trunk prints no blank line before it; 2.4.1 did). A missing topic is created with
 * one partition, as Kafka's tool does, with its note line.
 */
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { CreateTopicsResponse, FetchResponse, ListOffsetsResponse } from '../../protocol/generated/types.js';
import { decodeRecordBatches } from '../../protocol/records/record.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { ensureReachable, parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { javaDoubleToString, javaFixed } from '../java-format.js';
import { javaException } from '../java-errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { RecordSender } from '../record-sender.js';
import { WireAdmin, type BrokerConnection } from '../wire-client.js';

const USAGE = 'USAGE: java org.apache.kafka.tools.EndToEndLatency broker_list topic num_messages producer_acks message_size_bytes [optional] properties_file';
const POLL_TIMEOUT_MS = 60_000;

export const spec: CommandSpec = {
  name: 'kafka-e2e-latency',
  summary: `${USAGE}\nMeasures the time from sending a record to reading it back, one record at a time.`,
  options: [HELP_OPTION, VERSION_OPTION],
  positionals: true,
};

export interface LatencySettings {
  brokers: string[];
  topic: string;
  numMessages: number;
  acks: -1 | 1;
  messageSize: number;
  properties: Record<string, string>;
}

export function latencySettings(positionals: readonly string[]): LatencySettings {
  if (positionals.length !== 5 && positionals.length !== 6) throw new UsageError(`${USAGE} (got ${positionals.length} arguments)`);
  const [brokers, topic, num, acks, size, file] = positionals;
  const int = (text: string, what: string): number => {
    if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, not '${text}'. ${USAGE}`);
    return Number(text);
  };
  if (num === '0') throw new UsageError(`num_messages must be at least 1. ${USAGE}`);
  if (acks !== '1' && acks !== 'all') throw new UsageError('Latency testing requires synchronous acknowledgement. Please use 1 or all');
  return {
    brokers: parseBootstrapServers(brokers),
    topic,
    numMessages: int(num, 'num_messages'),
    acks: acks === '1' ? 1 : -1,
    messageSize: int(size, 'message_size_bytes'),
    properties: file !== undefined && file.trim() !== '' ? readPropertiesFile(file, 'properties file') : {},
  };
}

/** The last lines: average and percentiles (integer ms), as Kafka's printResults. */
export function formatLatencyResults(totalNs: number, latenciesMs: readonly number[]): string[] {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.floor(sorted.length * p)] ?? 0;
  return [
    `Avg latency: ${javaFixed(totalNs / latenciesMs.length / 1e6, 4)} ms`,
    `Percentiles: 50th = ${at(0.5)}, 99th = ${at(0.99)}, 99.9th = ${at(0.999)}`,
  ];
}

/** A progress line: `<i>\t<elapsed ms as Java prints a double>`. */
export function formatLatencyProgress(index: number, elapsedNs: bigint): string {
  return `${index}\t${javaDoubleToString(Number(elapsedNs) / 1000 / 1000)}`;
}

async function ensureTopic(admin: WireAdmin, topic: string, print: (line: string) => void): Promise<void> {
  const metadata = await admin.metadata([topic]);
  if (metadata.topics.some((t) => t.name === topic && t.errorCode === 0)) return;
  print(`Topic "${topic}" does not exist. Will create topic with 1 partition(s) and replication factor = 1`);
  const connection = await admin.bootstrap();
  const response = await connection.request<CreateTopicsResponse>(ApiKey.CreateTopics, connection.usableVersion(ApiKey.CreateTopics, 2, 5), {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: admin.timeoutMs,
    validateOnly: false,
  });
  const result = response.topics[0];
  if (result && result.errorCode !== 0 && result.errorCode !== 36 /* TOPIC_ALREADY_EXISTS */) {
    print(`Creation of topic ${topic} failed`);
    throw new CliError(`Cannot create topic ${topic}: ${result.errorMessage ?? javaException(result.errorCode).message}`);
  }
}

/** Where the partition ends now (the consumer's seekToEnd). */
async function endOffset(connection: BrokerConnection, topic: string, partition: number, timeoutMs: number): Promise<bigint> {
  const response = await connection.request<ListOffsetsResponse>(ApiKey.ListOffsets, connection.usableVersion(ApiKey.ListOffsets, 1), {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    timeoutMs,
  });
  const answer = response.topics[0]?.partitions[0];
  if (!answer || answer.errorCode !== 0) throw new CliError(`Cannot find the end of ${topic}-${partition}: ${javaException(answer?.errorCode ?? -1).message}`);
  return answer.offset;
}

/** Fetches from `offset` until something arrives or the poll timeout passes. */
async function poll(connection: BrokerConnection, topic: string, partition: number, offset: bigint): Promise<Array<{ offset: number; value: Buffer | null }>> {
  const deadline = Date.now() + POLL_TIMEOUT_MS;
  const version = connection.usableVersion(ApiKey.Fetch, 4, 11);
  while (Date.now() < deadline) {
    const response = await connection.request<FetchResponse>(ApiKey.Fetch, version, {
      replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 50 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 1024 * 1024 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const data = response.responses[0]?.partitions[0];
    if (data && data.errorCode !== 0) throw new CliError(`Fetching ${topic}-${partition} failed: ${javaException(data.errorCode).message}`);
    const records = decodeRecordBatches(data?.records ?? Buffer.alloc(0)).flatMap((batch) => batch.records).filter((r) => BigInt(r.offset) >= offset);
    if (records.length > 0) return records;
  }
  return [];
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const settings = latencySettings(args.positionals);
    const print = (line: string): void => { process.stdout.write(line + '\n'); };
    await ensureReachable(settings.brokers, '--bootstrap-server');
    const admin = new WireAdmin(settings.brokers, { clientId: 'end-to-end-latency', properties: settings.properties });
    let sender: RecordSender | undefined;
    try {
      await ensureTopic(admin, settings.topic, print);
      sender = await RecordSender.open({
        bootstrapServers: settings.brokers, clientId: 'end-to-end-latency', properties: settings.properties,
        topic: settings.topic, acks: settings.acks, lingerMs: 0, maxInFlight: 1, retries: 0,
      });
      const metadata = await admin.metadata([settings.topic]);
      const partitions = metadata.topics.find((t) => t.name === settings.topic)?.partitions ?? [];
      const brokers = new Map(metadata.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
      // the consumer reads every partition from its end; each record is sent to one, round-robin
      const readers = await Promise.all(partitions.map(async (p) => {
        const leader = brokers.get(p.leaderId);
        if (!leader) throw new CliError(`Partition ${settings.topic}-${p.partitionIndex} has no leader; check it with kafka-topics --describe --topic ${settings.topic}`);
        const connection = await admin.connectTo(leader);
        return { partition: p.partitionIndex, connection, position: await endOffset(connection, settings.topic, p.partitionIndex, admin.timeoutMs) };
      }));
      if (readers.length === 0) throw new CliError(`Topic ${settings.topic} has no partitions`);
      const latencies: number[] = [];
      let totalNs = 0;
      for (let i = 0; i < settings.numMessages; i++) {
        const letter = 65 + Math.floor(Math.random() * 26);
        const message = Buffer.alloc(settings.messageSize, letter);
        const reader = readers[i % readers.length];
        const begin = process.hrtime.bigint();
        await new Promise<void>((resolve, reject) => {
          sender!.send({ key: null, value: message, partition: reader.partition }, (error) => {
            if (error) reject(new CliError(`Sending record ${i} failed: ${error.className}: ${error.message}`));
            else resolve();
          });
        });
        const records = await poll(reader.connection, settings.topic, reader.partition, reader.position);
        const elapsed = process.hrtime.bigint() - begin;
        if (records.length === 0) throw new CliError(`poll() timed out before finding a result (timeout:[${POLL_TIMEOUT_MS}])`);
        const read = (records[0].value ?? Buffer.alloc(0)).toString('utf8');
        if (read !== message.toString('utf8')) throw new CliError(`The message read [${read}] did not match the message sent [${message.toString('utf8')}]`);
        if (records.length !== 1) throw new CliError(`Only one result was expected during this test. We found [${records.length}]`);
        reader.position = BigInt(records[0].offset) + 1n;
        if (i % 1000 === 0) print(formatLatencyProgress(i, elapsed));
        totalNs += Number(elapsed);
        latencies.push(Number(elapsed / 1_000_000n));
      }
      for (const line of formatLatencyResults(totalNs, latencies)) print(line);
      return 0;
    } finally {
      await sender?.close().catch(() => undefined);
      admin.close();
    }
  },
};
