/**
 * kafka-console-producer: one record per stdin line. Input is read in chunks and
 * sent in large batches with a bounded number of sends in flight, so piping
 * millions of lines is fast and memory stays flat; end of input flushes
 * everything and exits 0.
 */
import { StringDecoder } from 'node:string_decoder';
import type { IHeaders, Message, Producer } from 'kafkajs';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { compressionTypeFor, registerCompressionCodecs } from '../codecs.js';
import { readPropertiesFile } from '../config-files.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { createClient, describeClientError, ensureReachable, numberProperty, parseBootstrapServers, topicProblem, type BootstrapOption } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { lineReaderOptionsFrom, parseLine, type LineReaderOptions } from '../line-reader.js';
import { intOption, parseArgs, parseKeyValues, type CommandSpec, type ParsedArgs } from '../options.js';
import { StickyPartitioner } from '../partitioner.js';

export const spec: CommandSpec = {
  name: 'kafka-console-producer',
  summary: 'This tool helps to read data from standard input and publish it to Kafka.',
  options: [
    { name: 'bootstrap-server', arg: 'String: server to connect to', description: 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.', complete: 'none' },
    { name: 'broker-list', arg: 'String: broker-list', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The broker list string in the form HOST1:PORT1,HOST2:PORT2.', complete: 'none' },
    { name: 'topic', arg: 'String: topic', description: 'REQUIRED: The topic id to produce messages to.', complete: 'none' },
    { name: 'sync', description: 'If set message send requests to the brokers are synchronously, one at a time as they arrive.' },
    { name: 'compression-codec', arg: 'String: compression-codec', optionalArg: true, description: "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'. If specified without value, then it defaults to 'gzip'", complete: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] },
    { name: 'batch-size', arg: 'Integer: size', description: 'Number of messages to send in a single batch if they are not being sent synchronously. (default: 16384)', complete: 'none' },
    { name: 'message-send-max-retries', arg: 'Integer', description: 'Number of retries before the producer gives up on a send. (default: 3)', complete: 'none' },
    { name: 'retry-backoff-ms', arg: 'Long', description: 'Backoff before each retry. (default: 100)', complete: 'none' },
    { name: 'timeout', arg: 'Long: timeout_ms', description: 'If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. The value is given in ms. (default: 1000)', complete: 'none' },
    { name: 'request-required-acks', arg: 'String: request required acks', description: 'The required `acks` of the producer requests (default: -1)', complete: ['-1', 'all', '0', '1'] },
    { name: 'request-timeout-ms', arg: 'Integer: request timeout ms', description: 'The ack timeout of the producer requests. Value must be non-negative and non-zero.', complete: 'none' },
    { name: 'metadata-expiry-ms', arg: 'Long', description: 'Accepted for compatibility.', hidden: true },
    { name: 'max-block-ms', arg: 'Long', description: 'Accepted for compatibility.', hidden: true },
    { name: 'max-memory-bytes', arg: 'Long', description: 'Accepted for compatibility.', hidden: true },
    { name: 'max-partition-memory-bytes', arg: 'Integer', description: 'The buffer size allocated for a partition (maps to batch.size).', complete: 'none' },
    { name: 'socket-buffer-size', arg: 'Integer', description: 'Accepted for compatibility.', hidden: true },
    { name: 'property', arg: 'String: prop', repeatable: true, description: 'A mechanism to pass user-defined properties in the form key=value to the message reader: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error.', complete: ['parse.key=true', 'key.separator=', 'parse.headers=true', 'headers.delimiter=', 'headers.separator=', 'headers.key.separator=', 'null.marker=', 'ignore.error=true'] },
    { name: 'reader-config', arg: 'String: config file', description: 'Config properties file for the message reader. Note that --property takes precedence over this config.', complete: 'file' },
    { name: 'producer-property', arg: 'String: producer_prop', repeatable: true, description: 'A mechanism to pass user-defined properties in the form key=value to the producer.', complete: ['acks=', 'linger.ms=', 'batch.size=', 'compression.type=', 'client.id=', 'request.timeout.ms='] },
    { name: 'producer.config', arg: 'String: config file', description: 'Producer config properties file. Note that [producer-property] takes precedence over this config.', complete: 'file' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface ProducerSettings {
  brokers: string[];
  /** the option the brokers were named with, for hints */
  bootstrapOption: BootstrapOption;
  topic: string;
  sync: boolean;
  acks: -1 | 0 | 1;
  lingerMs: number;
  batchSizeBytes: number;
  requestTimeoutMs: number;
  retries: number;
  /** --retry-backoff-ms / retry.backoff.ms: wait before the first retry */
  retryBackoffMs: number;
  /** retry.backoff.max.ms: the longest wait between retries (KIP-580); never below retryBackoffMs */
  retryBackoffMaxMs: number;
  compression: string;
  reader: LineReaderOptions;
  properties: Record<string, string>;
}

function parseAcks(value: string): -1 | 0 | 1 {
  const v = value.trim().toLowerCase();
  if (v === 'all' || v === '-1') return -1;
  if (v === '0') return 0;
  if (v === '1') return 1;
  throw new UsageError(`Invalid value ${value} for configuration acks: String must be one of: all, -1, 0, 1`);
}

/** Resolves settings with Kafka's precedence: config file < --producer-property < explicit options < defaults for unset keys. */
export function producerSettings(args: ParsedArgs): ProducerSettings {
  const bootstrapOption: BootstrapOption = args.has('bootstrap-server') ? '--bootstrap-server' : '--broker-list';
  const list = args.get('bootstrap-server') ?? args.get('broker-list');
  if (list === undefined) throw new UsageError('Missing required option(s) [bootstrap-server]');
  const brokers = parseBootstrapServers(list);
  const topic = args.get('topic');
  if (topic === undefined) throw new UsageError('Missing required argument "[topic]"');
  const configFile = args.get('producer.config');
  const properties: Record<string, string> = {
    ...(configFile ? readPropertiesFile(configFile, 'producer config file') : {}),
    ...parseKeyValues(args.all('producer-property'), (item) => `Invalid producer property '${item}': expected key=value`),
  };
  const readerFile = args.get('reader-config');
  const readerProps = {
    ...(readerFile ? readPropertiesFile(readerFile, 'reader config file') : {}),
    ...parseKeyValues(args.all('property'), (item) => `Invalid property '${item}': expected key=value`),
  };
  const codecGiven = args.has('compression-codec');
  const compression = codecGiven ? (args.get('compression-codec') || 'gzip') : (properties['compression.type'] ?? 'none');
  compressionTypeFor(compression); // validate now: a bad name is a usage error
  const batchSize = intOption(args, 'batch-size') ?? intOption(args, 'max-partition-memory-bytes') ?? numberProperty(properties, 'batch.size') ?? 16384;
  const retryBackoffMs = intOption(args, 'retry-backoff-ms') ?? numberProperty(properties, 'retry.backoff.ms') ?? 100;
  return {
    brokers,
    bootstrapOption,
    topic,
    sync: args.has('sync'),
    acks: parseAcks(args.get('request-required-acks') ?? properties.acks ?? '-1'),
    lingerMs: intOption(args, 'timeout') ?? numberProperty(properties, 'linger.ms') ?? 1000,
    batchSizeBytes: Math.max(1, batchSize),
    requestTimeoutMs: intOption(args, 'request-timeout-ms') ?? numberProperty(properties, 'request.timeout.ms') ?? 30000,
    retries: intOption(args, 'message-send-max-retries') ?? numberProperty(properties, 'retries') ?? 3,
    retryBackoffMs,
    retryBackoffMaxMs: Math.max(numberProperty(properties, 'retry.backoff.max.ms') ?? 1000, retryBackoffMs),
    compression,
    reader: lineReaderOptionsFrom(readerProps),
    properties,
  };
}

/** kafkajs' retry policy from the producer's retries and backoff settings. */
export function producerRetry(settings: Pick<ProducerSettings, 'retries' | 'retryBackoffMs' | 'retryBackoffMaxMs'>): { retries: number; initialRetryTime: number; maxRetryTime: number } {
  return { retries: settings.retries, initialRetryTime: settings.retryBackoffMs, maxRetryTime: settings.retryBackoffMaxMs };
}

/** Sends issued at once; beyond this the reader waits (backpressure on stdin). */
const MAX_IN_FLIGHT_SENDS = 4;
/** Records per send: large enough to amortise kafkajs' per-request cost, small enough that kafkajs' per-partition grouping (quadratic in the messages of one send) stays cheap. */
const MAX_RECORDS_PER_SEND = 500;

function toMessage(line: string, lineNumber: number, reader: LineReaderOptions): Message {
  const record = parseLine(line, lineNumber, reader);
  const message: Message = { key: record.key, value: record.value };
  if (record.headers.length > 0) {
    const headers: IHeaders = {};
    for (const [name, value] of record.headers) {
      const existing = headers[name];
      const v = value ?? '';
      if (existing === undefined) headers[name] = v;
      else headers[name] = Array.isArray(existing) ? [...existing, v] : [existing, v];
    }
    message.headers = headers;
  }
  return message;
}

function sendErrorMessage(err: unknown, settings: ProducerSettings): string {
  return topicProblem(err, settings.topic, settings.brokers)
    ?? `Error when sending message to topic ${settings.topic}: ${describeClientError(err, settings.brokers, settings.bootstrapOption)}`;
}

/** The partitioner a console producer uses: Kafka's murmur2 for keys, sticky batches of batch.size bytes without. */
export function consolePartitioner(settings: ProducerSettings): StickyPartitioner {
  return new StickyPartitioner({
    stickyBatchBytes: settings.batchSizeBytes,
    ignoreKeys: (settings.properties['partitioner.ignore.keys'] ?? '').trim().toLowerCase() === 'true',
  });
}

/**
 * Reads `input` to its end and produces every line; returns the number of records sent.
 * `partitioner` must be the one `producer` was created with: records are assigned to its
 * sticky batches in the order they are read.
 */
export async function produceLines(producer: Producer, partitioner: StickyPartitioner, input: NodeJS.ReadableStream, settings: ProducerSettings, interactive: boolean): Promise<number> {
  const compression = compressionTypeFor(settings.compression);
  const bytesPerSend = Math.max(settings.batchSizeBytes, 16384) * 16;
  let batch: Message[] = [];
  let batchBytes = 0;
  let lineNumber = 0;
  let sent = 0;
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();
  let lingerTimer: NodeJS.Timeout | undefined;

  const issue = (): Promise<void> | undefined => {
    if (batch.length === 0) return undefined;
    const messages = batch;
    batch = [];
    batchBytes = 0;
    const send = producer.send({ topic: settings.topic, messages, acks: settings.acks, timeout: settings.requestTimeoutMs, compression })
      .then(() => { sent += messages.length; }, (err: unknown) => { failure ??= err; });
    inFlight.add(send);
    void send.finally(() => inFlight.delete(send));
    return send;
  };
  const flushBatch = async (): Promise<void> => {
    if (lingerTimer) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
    }
    const send = issue();
    if (settings.sync && send) await send;
    while (inFlight.size >= MAX_IN_FLIGHT_SENDS) await Promise.race(inFlight);
    if (failure) throw new CliError(sendErrorMessage(failure, settings));
  };
  const addLine = async (line: string): Promise<void> => {
    lineNumber += 1;
    const message = toMessage(line, lineNumber, settings.reader);
    partitioner.assign(message);
    batch.push(message);
    batchBytes += line.length + 16;
    if (settings.sync || batch.length >= MAX_RECORDS_PER_SEND || batchBytes >= bytesPerSend) await flushBatch();
  };

  const prompt = (): void => {
    if (interactive) process.stdout.write('>');
  };
  const decoder = new StringDecoder('utf8');
  let pending = '';
  prompt();
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = pending.indexOf('\n', start);
      if (nl < 0) break;
      let line = pending.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      start = nl + 1;
      await addLine(line);
      if (interactive) prompt();
    }
    pending = pending.slice(start);
    if (interactive) {
      await flushBatch();
    } else if (batch.length > 0 && !lingerTimer) {
      // linger.ms: a slow trickle of lines still goes out without waiting for a full batch
      lingerTimer = setTimeout(() => { lingerTimer = undefined; issue(); }, settings.lingerMs);
    }
    if (failure) throw new CliError(sendErrorMessage(failure, settings));
  }
  pending += decoder.end();
  if (pending.length > 0) await addLine(pending.endsWith('\r') ? pending.slice(0, -1) : pending);
  await flushBatch();
  await Promise.all(inFlight);
  if (failure) throw new CliError(sendErrorMessage(failure, settings));
  return sent;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const settings = producerSettings(args);
    if (args.has('broker-list') && args.has('bootstrap-server')) {
      process.stderr.write('Note: --broker-list is deprecated and ignored because --bootstrap-server is given.\n');
    }
    warnUnknownConfigs(settings.properties, 'producer');
    registerCompressionCodecs();
    await ensureReachable(settings.brokers, settings.bootstrapOption);
    const kafka = createClient({ brokers: settings.brokers, clientId: 'console-producer', properties: settings.properties });
    const partitioner = consolePartitioner(settings);
    const producer = kafka.producer({
      createPartitioner: partitioner.createPartitioner,
      allowAutoTopicCreation: true,
      idempotent: false,
      retry: producerRetry(settings),
    });
    try {
      await producer.connect();
    } catch (err) {
      throw new CliError(describeClientError(err, settings.brokers, settings.bootstrapOption));
    }
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    // Ctrl-C / SIGTERM: stop reading and flush what was read, as Kafka's shutdown hook does.
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) process.exit(1);
      stopping = true;
      // end of input for the reader loop: what was read so far is still sent
      process.stdin.push(null);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await produceLines(producer, partitioner, process.stdin, settings, interactive);
    } finally {
      if (interactive) process.stdout.write('\n');
      await producer.disconnect().catch(() => undefined);
    }
    return 0;
  },
};
