/**
 * kafka-verifiable-producer (VerifiableProducer): produces the integers 0, 1, 2, …
 * (`--value-prefix P` → `P.0`, `P.1`, …; `--repeating-keys N` → keys 0..N-1 over and
 * over) to --topic and prints one JSON event per line, as Kafka's system tests read
 * them: startup_complete, producer_send_success (key, value, offset, topic, partition),
 * producer_send_error (topic, key, value, exception, message), then on the way out —
 * --max-messages reached, SIGTERM or SIGINT — shutdown_complete and tool_data (sent,
 * acked, target_throughput, avg_throughput). Retries are off, as in Kafka's tool, so
 * an acknowledged offset is exactly where that value landed.
 */
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { readPropertiesFile } from '../config-files.js';
import { ensureReachable, numberProperty, parseBootstrapServers, type BootstrapOption } from '../connection.js';
import { UsageError } from '../errors.js';
import { javaDoubleToString } from '../java-format.js';
import { parseArgs, printedHelpForNoArguments, type CommandSpec } from '../options.js';
import { BufferedWriter } from '../output.js';
import { ThroughputThrottler } from '../perf-stats.js';
import { RecordSender } from '../record-sender.js';
import { integerArgument, parseProducerAcks, producerCompression } from '../tool-args.js';

export const spec: CommandSpec = {
  name: 'kafka-verifiable-producer',
  summary: 'This tool produces increasing integers to the specified topic and prints JSON metadata to stdout on each "send" request, making externally visible which messages have been acked and which have not.',
  options: [
    { name: 'topic', arg: 'TOPIC', description: 'Produce messages to this topic.', complete: 'none' },
    { name: 'bootstrap-server', arg: 'HOST1:PORT1[,HOST2:PORT2[...]]', description: 'REQUIRED: The server(s) to connect to. Comma-separated list of Kafka brokers in the form HOST1:PORT1,HOST2:PORT2,...', complete: 'none' },
    { name: 'broker-list', arg: 'HOST1:PORT1[,HOST2:PORT2[...]]', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.', complete: 'none' },
    { name: 'max-messages', arg: 'MAX-MESSAGES', description: 'Produce this many messages. If -1, produce messages until the process is killed externally. (default: -1)', complete: 'none' },
    { name: 'throughput', arg: 'THROUGHPUT', description: 'If set >= 0, throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. (default: -1)', complete: 'none' },
    { name: 'acks', arg: 'ACKS', description: 'Acks required on each produced message. See Kafka docs on acks for details. (default: -1)', complete: ['-1', '0', '1'] },
    { name: 'producer.config', arg: 'CONFIG_FILE', description: 'Producer config properties file.', complete: 'file' },
    { name: 'message-create-time', arg: 'CREATETIME', description: 'Send messages with creation time starting at the arguments value, in milliseconds since epoch (default: -1)', complete: 'none' },
    { name: 'value-prefix', arg: 'VALUE-PREFIX', description: 'If specified, each produced value will have this prefix with a dot separator', complete: 'none' },
    { name: 'repeating-keys', arg: 'REPEATING-KEYS', description: 'If specified, each produced record will have a key starting at 0 increment by 1 up to the number specified (exclusive), then the key is set to 0 again', complete: 'none' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface VerifiableProducerSettings {
  topic: string;
  brokers: string[];
  bootstrapOption: BootstrapOption;
  maxMessages: number;
  throughput: number;
  acks: -1 | 0 | 1;
  properties: Record<string, string>;
  createTime?: number;
  valuePrefix?: number;
  repeatingKeys?: number;
}

export function verifiableProducerSettings(argv: readonly string[]): VerifiableProducerSettings {
  const args = parseArgs(spec, argv);
  const topic = args.get('topic');
  if (topic === undefined) throw new UsageError('argument --topic is required');
  const list = args.get('bootstrap-server') ?? args.get('broker-list');
  if (list === undefined) throw new UsageError('one of the arguments --bootstrap-server --broker-list is required');
  const acksRaw = args.get('acks') ?? '-1';
  if (!['-1', '0', '1'].includes(acksRaw.trim())) throw new UsageError(`argument --acks: invalid choice: '${acksRaw}' (choose from 0, 1, -1)`);
  const configFile = args.get('producer.config');
  const properties: Record<string, string> = { acks: acksRaw.trim(), retries: '0', ...(configFile ? readPropertiesFile(configFile, 'producer config file') : {}) };
  const createTime = integerArgument(args.get('message-create-time'), 'message-create-time') ?? -1;
  const repeatingKeys = integerArgument(args.get('repeating-keys'), 'repeating-keys');
  if (repeatingKeys !== undefined && repeatingKeys <= 0) throw new UsageError(`argument --repeating-keys: ${repeatingKeys} must be at least 1`);
  return {
    topic,
    brokers: parseBootstrapServers(list),
    bootstrapOption: args.has('bootstrap-server') ? '--bootstrap-server' : '--broker-list',
    maxMessages: integerArgument(args.get('max-messages'), 'max-messages') ?? -1,
    throughput: integerArgument(args.get('throughput'), 'throughput') ?? -1,
    acks: parseProducerAcks(properties.acks),
    properties,
    createTime: createTime === -1 ? undefined : createTime,
    valuePrefix: integerArgument(args.get('value-prefix'), 'value-prefix'),
    repeatingKeys,
  };
}

/** JSON events with Kafka's field order; `timestamp` is taken when the event is made. */
export const producerEvents = {
  startupComplete: (timestamp: number): string => `{"timestamp":${timestamp},"name":"startup_complete"}`,
  shutdownComplete: (timestamp: number): string => `{"timestamp":${timestamp},"name":"shutdown_complete"}`,
  sendSuccess: (timestamp: number, key: string | null, value: string, topic: string, partition: number, offset: bigint): string =>
    `{"timestamp":${timestamp},"name":"producer_send_success","key":${JSON.stringify(key)},"value":${JSON.stringify(value)},"offset":${offset},"topic":${JSON.stringify(topic)},"partition":${partition}}`,
  sendError: (timestamp: number, key: string | null, value: string, topic: string, exceptionClass: string, message: string | null): string =>
    `{"timestamp":${timestamp},"name":"producer_send_error","topic":${JSON.stringify(topic)},"key":${JSON.stringify(key)},"value":${JSON.stringify(value)},"exception":${JSON.stringify(`class ${exceptionClass}`)},"message":${JSON.stringify(message)}}`,
  toolData: (timestamp: number, sent: number, acked: number, targetThroughput: number, avgThroughput: number): string =>
    `{"timestamp":${timestamp},"name":"tool_data","sent":${sent},"acked":${acked},"target_throughput":${targetThroughput},"avg_throughput":${Number.isFinite(avgThroughput) ? javaDoubleToString(avgThroughput) : JSON.stringify(javaDoubleToString(avgThroughput))}}`,
};

export const command: CliCommand = {
  spec,
  async run(argv) {
    if (printedHelpForNoArguments(spec, argv)) return 0;
    const settings = verifiableProducerSettings(argv);
    warnUnknownConfigs(settings.properties, 'producer');
    await ensureReachable(settings.brokers, settings.bootstrapOption);
    const props = settings.properties;
    const out = new BufferedWriter(process.stdout);
    const emit = (line: string): void => out.write(line + '\n');
    const startMs = Date.now();
    const sender = await RecordSender.open({
      bootstrapServers: settings.brokers,
      clientId: props['client.id'] ?? 'producer-1',
      properties: props,
      topic: settings.topic,
      acks: settings.acks,
      batchSize: numberProperty(props, 'batch.size') ?? 16384,
      lingerMs: numberProperty(props, 'linger.ms') ?? 5,
      maxInFlight: numberProperty(props, 'max.in.flight.requests.per.connection') ?? 5,
      requestTimeoutMs: numberProperty(props, 'request.timeout.ms') ?? 30_000,
      deliveryTimeoutMs: numberProperty(props, 'delivery.timeout.ms') ?? 120_000,
      retries: numberProperty(props, 'retries') ?? 0,
      compression: producerCompression(props),
      maxBlockMs: numberProperty(props, 'max.block.ms') ?? 60_000,
    });
    let stopProducing = false;
    const throttler = new ThroughputThrottler(settings.throughput, startMs);
    const stop = (): void => {
      stopProducing = true;
      throttler.wakeup();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    emit(producerEvents.startupComplete(Date.now()));
    let sent = 0;
    let acked = 0;
    let keyCounter = 0;
    let createTime = settings.createTime;
    const maxMessages = settings.maxMessages < 0 ? Number.MAX_SAFE_INTEGER : settings.maxMessages;
    let flushScheduled = false;
    const scheduleFlush = (): void => {
      if (flushScheduled) return;
      flushScheduled = true;
      setImmediate(() => { flushScheduled = false; void out.flush(); });
    };
    try {
      for (let i = 0; i < maxMessages && !stopProducing && !out.closed; i++) {
        const sendStartMs = Date.now();
        let key: string | null = null;
        if (settings.repeatingKeys !== undefined) {
          key = String(keyCounter++);
          if (keyCounter === settings.repeatingKeys) keyCounter = 0;
        }
        const value = settings.valuePrefix !== undefined ? `${settings.valuePrefix}.${i}` : String(i);
        const timestamp = createTime;
        if (createTime !== undefined) createTime += Date.now() - startMs;
        sent += 1;
        sender.send({ key: key === null ? null : Buffer.from(key), value: Buffer.from(value), timestamp }, (error, ack) => {
          if (error || !ack) {
            emit(producerEvents.sendError(Date.now(), key, value, settings.topic, error?.className ?? 'org.apache.kafka.common.KafkaException', error?.message ?? null));
          } else {
            acked += 1;
            emit(producerEvents.sendSuccess(Date.now(), key, value, ack.topic, ack.partition, ack.offset));
          }
          scheduleFlush();
        });
        if (throttler.shouldThrottle(i, sendStartMs)) await throttler.throttle();
        else if (sender.full) await sender.room();
        else if ((i & 255) === 255) await new Promise((resolve) => setImmediate(resolve));
      }
      await sender.close();
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
    const stopMs = Date.now();
    emit(producerEvents.shutdownComplete(stopMs));
    emit(producerEvents.toolData(Date.now(), sent, acked, settings.throughput, (1000 * acked) / (stopMs - startMs)));
    await out.flush();
    return 0;
  },
};
