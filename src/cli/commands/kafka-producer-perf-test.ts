/**
 * kafka-producer-perf-test (ProducerPerformance): sends --num-records records of
 * --record-size random A-Z bytes (or entries of --payload-file) as fast as allowed by
 * --throughput, printing Kafka's window line every 5 s and the total line with
 * latency percentiles (trunk formats). Brokers come from bootstrap.servers in
 * --producer-props / --producer.config, as in Kafka (there is no --bootstrap-server).
 *
 * Records go through RecordSender (src/network + src/protocol/records): measured on
 * this machine it sends several times as many records per second as kafkajs does
 * (see the README's perf-test section). --transactional-id / --transaction-duration-ms
 * run the same loop through kafkajs' transactional producer, committing every
 * transaction-duration-ms.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { readPropertiesFile } from '../config-files.js';
import { ensureReachable, numberProperty, parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { formatMetrics, PayloadSource, ProducerStats, producerMetrics, ThroughputThrottler, type SendCounters } from '../perf-stats.js';
import { parseArgs, printedHelpForNoArguments, type CommandSpec, type ParsedArgs } from '../options.js';
import { RecordSender, type SendCallback } from '../record-sender.js';
import { startSpinner } from '../output.js';
import { parseProducerAcks, producerCompression, spreadMultiValueOption } from '../tool-args.js';
import { runTransactionalPerf } from '../transactional-perf.js';
import type { CompressionCodec } from '../../protocol/records/compression.js';

export const spec: CommandSpec = {
  name: 'kafka-producer-perf-test',
  summary: 'This tool is used to verify the producer performance. To enable transactions, you can specify a transaction id or set a transaction duration using --transaction-duration-ms. There are three ways to specify the transaction id: set transaction.id=<id> via --producer-props, set transaction.id=<id> in the config file via --producer.config, or use --transaction-id <id>.',
  options: [
    { name: 'topic', arg: 'TOPIC', description: 'produce messages to this topic', complete: 'none' },
    { name: 'num-records', arg: 'NUM-RECORDS', description: 'number of messages to produce', complete: 'none' },
    { name: 'record-size', arg: 'RECORD-SIZE', description: 'message size in bytes. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.', complete: 'none' },
    { name: 'payload-file', arg: 'PAYLOAD-FILE', description: 'file to read the message payloads from. This works only for UTF-8 encoded text files. Payloads will be read from this file and a payload will be randomly selected when sending messages. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.', complete: 'file' },
    { name: 'payload-monotonic', description: 'payload is monotonically increasing integer. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.' },
    { name: 'payload-delimiter', arg: 'PAYLOAD-DELIMITER', description: 'provides delimiter to be used when --payload-file is provided. Defaults to new line. Note that this parameter will be ignored if --payload-file is not provided. (default: \\n)', complete: 'none' },
    { name: 'throughput', arg: 'THROUGHPUT', description: 'throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.', complete: ['-1'] },
    { name: 'producer-props', arg: 'PROP-NAME=PROP-VALUE', repeatable: true, description: 'kafka producer related configuration properties like bootstrap.servers,client.id etc. These configs take precedence over those passed via --producer.config.', complete: ['bootstrap.servers=', 'acks=', 'linger.ms=', 'batch.size=', 'compression.type=', 'client.id='] },
    { name: 'producer.config', arg: 'CONFIG-FILE', description: 'producer config properties file.', complete: 'file' },
    { name: 'print-metrics', description: 'print out metrics at the end of the test.' },
    { name: 'transactional-id', arg: 'TRANSACTIONAL-ID', description: 'The transactional id to use. This config takes precedence over the transactional.id specified via --producer.config or --producer-props. Note that if the transactional id is not specified while --transaction-duration-ms is provided, the default value for the transactional id will be performance-producer- followed by a random uuid.', complete: 'none' },
    { name: 'transaction-duration-ms', arg: 'TRANSACTION-DURATION', description: 'The max age of each transaction. The commitTransaction will be called after this time has elapsed. The value should be greater than 0. If the transactional id is specified via --producer-props, --producer.config, or --transactional-id but --transaction-duration-ms is not specified, the default value will be 3000.', complete: 'none' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface ProducerPerfSettings {
  topic: string;
  numRecords: number;
  recordSize?: number;
  payloads: Buffer[];
  payloadMonotonic: boolean;
  throughput: number;
  bootstrapServers: string[];
  properties: Record<string, string>;
  acks: -1 | 0 | 1;
  compression: CompressionCodec;
  printMetrics: boolean;
  transactionalId?: string;
  transactionDurationMs?: number;
  /** lines Kafka prints while reading --payload-file */
  notes: string[];
}

function numberArg(args: ParsedArgs, name: string, integer: boolean): number | undefined {
  const raw = args.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`argument --${name}: could not convert '${raw}' to ${integer ? 'a whole number' : 'a number'}`);
  }
  return value;
}

/** Reads --payload-file split by the delimiter (Kafka drops trailing empty entries, as String.split). */
export function readPayloadFile(file: string, delimiter: string): { payloads: Buffer[]; notes: string[] } {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch {
    text = '';
  }
  if (text.length === 0) throw new CliError(`File does not exist or empty file provided: ${file}. Give --payload-file a non-empty UTF-8 text file, one payload per line.`);
  const entries = text.split(delimiter);
  while (entries.length > 1 && entries[entries.length - 1] === '') entries.pop();
  return {
    payloads: entries.map((entry) => Buffer.from(entry, 'utf8')),
    notes: [`Reading payloads from: ${absolute}`, `Number of messages read: ${entries.length}`],
  };
}

export function producerPerfSettings(argv: readonly string[]): ProducerPerfSettings {
  const args = parseArgs(spec, spreadMultiValueOption(argv, 'producer-props'));
  const topic = args.get('topic');
  if (topic === undefined) throw new UsageError('argument --topic is required');
  const numRecords = numberArg(args, 'num-records', true);
  if (numRecords === undefined) throw new UsageError('argument --num-records is required');
  const throughput = numberArg(args, 'throughput', false);
  if (throughput === undefined) throw new UsageError('argument --throughput is required (use -1 for no limit)');
  const payloadOptions = ['record-size', 'payload-file', 'payload-monotonic'].filter((name) => args.has(name));
  if (payloadOptions.length === 0) throw new UsageError('one of the arguments --record-size --payload-file --payload-monotonic is required');
  if (payloadOptions.length > 1) throw new UsageError(`argument --${payloadOptions[1]}: not allowed with argument --${payloadOptions[0]}`);
  if (numRecords <= 0) throw new UsageError('--num-records should be greater than zero');
  const recordSize = numberArg(args, 'record-size', true);
  if (recordSize !== undefined && recordSize <= 0) throw new UsageError('--record-size should be greater than zero');
  const propsGiven = args.all('producer-props');
  const configFile = args.get('producer.config');
  if (propsGiven.length === 0 && configFile === undefined) throw new UsageError('Either --producer-props or --producer.config must be specified.');
  const durationArg = numberArg(args, 'transaction-duration-ms', true);
  if (durationArg !== undefined && durationArg <= 0) throw new UsageError('--transaction-duration-ms should be greater than zero');

  const properties: Record<string, string> = configFile ? readPropertiesFile(configFile, 'producer config file') : {};
  for (const item of propsGiven) {
    const pieces = item.split('=');
    if (pieces.length !== 2) throw new UsageError(`Invalid property: ${item} (give --producer-props as key=value pairs, e.g. bootstrap.servers=localhost:9092)`);
    properties[pieces[0]] = pieces[1];
  }
  properties['client.id'] ??= 'perf-producer-client';
  const bootstrap = properties['bootstrap.servers'];
  if (bootstrap === undefined || bootstrap.trim() === '') {
    throw new UsageError('No brokers to send to: add bootstrap.servers, e.g. --producer-props bootstrap.servers=localhost:9092');
  }
  let payloads: Buffer[] = [];
  let notes: string[] = [];
  const payloadFile = args.get('payload-file');
  if (payloadFile !== undefined) {
    const delimiter = args.get('payload-delimiter');
    ({ payloads, notes } = readPayloadFile(payloadFile, delimiter === undefined || delimiter === '\\n' ? '\n' : delimiter));
  }
  const transactionalId = args.get('transactional-id') ?? properties['transactional.id'];
  const transactional = durationArg !== undefined || transactionalId !== undefined;
  return {
    topic,
    numRecords,
    recordSize,
    payloads,
    payloadMonotonic: args.has('payload-monotonic'),
    throughput,
    bootstrapServers: parseBootstrapServers(bootstrap),
    properties,
    acks: parseProducerAcks(properties.acks ?? 'all'),
    compression: producerCompression(properties),
    printMetrics: args.has('print-metrics'),
    transactionalId: transactional ? (transactionalId ?? `performance-producer-${crypto.randomUUID()}`) : undefined,
    transactionDurationMs: transactional ? (durationArg ?? 3000) : undefined,
    notes,
  };
}

async function runPlain(settings: ProducerPerfSettings, print: (line: string) => void): Promise<void> {
  const props = settings.properties;
  const sender = await RecordSender.open({
    bootstrapServers: settings.bootstrapServers,
    clientId: props['client.id'],
    properties: props,
    topic: settings.topic,
    acks: settings.acks,
    batchSize: numberProperty(props, 'batch.size') ?? 16384,
    lingerMs: numberProperty(props, 'linger.ms') ?? 5,
    maxInFlight: numberProperty(props, 'max.in.flight.requests.per.connection') ?? 5,
    bufferMemory: numberProperty(props, 'buffer.memory') ?? 32 * 1024 * 1024,
    maxRequestSize: numberProperty(props, 'max.request.size') ?? 1024 * 1024,
    requestTimeoutMs: numberProperty(props, 'request.timeout.ms') ?? 30_000,
    deliveryTimeoutMs: numberProperty(props, 'delivery.timeout.ms') ?? 120_000,
    retries: numberProperty(props, 'retries'),
    retryBackoffMs: numberProperty(props, 'retry.backoff.ms') ?? 100,
    compression: settings.compression,
    maxBlockMs: numberProperty(props, 'max.block.ms') ?? 60_000,
  });
  const stats = new ProducerStats(settings.numRecords, 5000, print);
  const counters: SendCounters = { sent: 0, failed: 0, requests: 0, startMs: Date.now() };
  const throttler = new ThroughputThrottler(settings.throughput, Date.now());
  const payloads = new PayloadSource(settings);
  try {
    for (let i = 0; i < settings.numRecords; i++) {
      const payload = payloads.next(i);
      const sendStartMs = Date.now();
      const callback: SendCallback = (error) => {
        const now = Date.now();
        if (error) {
          counters.failed += 1;
          process.stderr.write(`${error.className}: ${error.message}\n`);
        } else {
          stats.record(now - sendStartMs, payload.length, now);
        }
      };
      sender.send({ key: null, value: payload }, callback);
      counters.sent += 1;
      if (throttler.shouldThrottle(i, sendStartMs)) {
        await throttler.throttle();
      } else if (sender.full) {
        await sender.room();
      } else if ((i & 1023) === 1023) {
        // let acknowledgements in, so latencies are measured when they arrive
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await sender.flush();
  } finally {
    await sender.close().catch(() => undefined);
  }
  print(stats.totalLine());
  if (settings.printMetrics) for (const line of formatMetrics(producerMetrics(stats, counters, settings.properties['client.id']))) print(line);
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    if (printedHelpForNoArguments(spec, argv)) return 0;
    const settings = producerPerfSettings(argv);
    warnUnknownConfigs(settings.properties, 'producer');
    const print = (line: string): void => { process.stdout.write(line + '\n'); };
    for (const note of settings.notes) print(note);
    await ensureReachable(settings.bootstrapServers, '--bootstrap-server', 3000).catch((err: unknown) => {
      throw new CliError((err as Error).message.replace('point --bootstrap-server at a running broker', 'set --producer-props bootstrap.servers=<host:port> of a running broker'));
    });
    // progress on a terminal's stderr only (never in pipes); Kafka's lines stay on stdout
    const spinner = startSpinner(`Sending ${settings.numRecords} records to ${settings.topic}`);
    const started = Date.now();
    const progress = spinner ? setInterval(() => { spinner.text = `Sending ${settings.numRecords} records to ${settings.topic} (${Math.round((Date.now() - started) / 1000)} s)`; }, 500) : undefined;
    const printLine = spinner
      ? (line: string): void => {
        spinner.clear();
        print(line);
        spinner.render();
      }
      : print;
    try {
      if (settings.transactionalId !== undefined) await runTransactionalPerf(settings, printLine);
      else await runPlain(settings, printLine);
    } finally {
      if (progress) clearInterval(progress);
      spinner?.stop();
    }
    return 0;
  },
};
