/**
 * kafka-consumer-perf-test (ConsumerPerformance): joins a group (perf-consumer-NNNNN
 * unless --group), consumes --messages records from --topic from the earliest offset
 * (--from-latest: the latest) and prints Kafka's header and result row:
 * start/end time, MB and records consumed and per second, the time spent joining the
 * group (rebalance.time.ms) and the rates over the rest (fetch.*). With
 * --show-detailed-stats a row per --reporting-interval instead of the summary, as
 * Kafka does. Stops after --timeout ms without records, with Kafka's WARNING line.
 *
 * Kafka counts every record of its last poll even past --messages; this tool stops at
 * --messages exactly, so the counts match what was asked for.
 */
import type { EachBatchPayload } from 'kafkajs';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { registerCompressionCodecs } from '../codecs.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { readPropertiesFile } from '../config-files.js';
import { createClient, describeClientError, ensureReachable, parseBootstrapServers, topicProblem, type BootstrapOption } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { consumerPerfHeader, formatConsumerInterval, formatConsumerTotal, formatMetrics } from '../perf-stats.js';
import { intOption, parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { startSpinner } from '../output.js';
import { WireAdmin } from '../wire-client.js';

export const spec: CommandSpec = {
  name: 'kafka-consumer-perf-test',
  summary: 'This tool is used to verify the consumer performance.',
  options: [
    { name: 'bootstrap-server', arg: 'String: server to connect to', description: 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to.', complete: 'none' },
    { name: 'broker-list', arg: 'String: broker-list', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The broker list string in the form HOST1:PORT1,HOST2:PORT2.', complete: 'none' },
    { name: 'topic', arg: 'String: topic', description: 'REQUIRED: The topic to consume from.', complete: 'none' },
    { name: 'messages', arg: 'Long: count', description: 'REQUIRED: The number of messages to send or consume', complete: 'none' },
    { name: 'group', arg: 'String: gid', description: 'The group id to consume on. (default: perf-consumer-<random>)', complete: 'none' },
    { name: 'fetch-size', arg: 'Integer: size', description: 'The amount of data to fetch in a single request. (default: 1048576)', complete: 'none' },
    { name: 'from-latest', description: 'If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message.' },
    { name: 'socket-buffer-size', arg: 'Integer: size', description: 'The size of the tcp RECV size. (default: 2097152)', complete: 'none' },
    { name: 'consumer.config', arg: 'String: config file', description: 'Consumer config properties file.', complete: 'file' },
    { name: 'print-metrics', description: 'Print out the metrics.' },
    { name: 'show-detailed-stats', description: 'If set, stats are reported for each reporting interval as configured by reporting-interval' },
    { name: 'timeout', arg: 'Long: milliseconds', optionalArg: true, description: 'The maximum allowed time in milliseconds between returned records. (default: 10000)', complete: 'none' },
    { name: 'reporting-interval', arg: 'Long: interval_ms', description: 'Interval in milliseconds at which to print progress info. (default: 5000)', complete: 'none' },
    { name: 'date-format', arg: 'String: date format', description: 'The date format to use for formatting the time field. See java.text.SimpleDateFormat for options. (default: yyyy-MM-dd HH:mm:ss:SSS)', complete: 'none' },
    { name: 'hide-header', description: 'If set, skips printing the header for the stats' },
    { name: 'threads', arg: 'Integer: count', description: 'DEPRECATED and ignored.', hidden: true },
    { name: 'num-fetch-threads', arg: 'Integer: count', description: 'DEPRECATED and ignored.', hidden: true },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface ConsumerPerfSettings {
  brokers: string[];
  bootstrapOption: BootstrapOption;
  topic: string;
  messages: number;
  group: string;
  fetchSize: number;
  fromLatest: boolean;
  timeoutMs: number;
  reportingIntervalMs: number;
  detailed: boolean;
  dateFormat: string;
  hideHeader: boolean;
  printMetrics: boolean;
  properties: Record<string, string>;
}

export function consumerPerfSettings(args: ParsedArgs): ConsumerPerfSettings {
  const list = args.get('bootstrap-server') ?? args.get('broker-list');
  if (list === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const topic = args.get('topic');
  if (topic === undefined) throw new UsageError('Missing required argument "[topic]"');
  const messages = intOption(args, 'messages');
  if (messages === undefined) throw new UsageError('Missing required argument "[messages]"');
  if (messages < 0) throw new UsageError(`--messages ${messages} must be zero or more`);
  const reporting = args.get('reporting-interval');
  if (reporting !== undefined && !/^\d+$/.test(reporting.trim())) {
    throw new UsageError(`Cannot parse argument '${reporting}' of option reporting-interval: give a number of milliseconds`);
  }
  const reportingIntervalMs = reporting === undefined ? 5000 : Number(reporting.trim());
  if (reportingIntervalMs <= 0) throw new UsageError('Reporting interval must be greater than 0.');
  const timeoutRaw = args.get('timeout');
  const timeoutMs = timeoutRaw === undefined || timeoutRaw === '' ? 10_000 : intOption(args, 'timeout')!;
  const configFile = args.get('consumer.config');
  return {
    brokers: parseBootstrapServers(list),
    bootstrapOption: args.has('bootstrap-server') ? '--bootstrap-server' : '--broker-list',
    topic,
    messages,
    group: args.get('group') ?? `perf-consumer-${Math.floor(Math.random() * 100_000)}`,
    fetchSize: intOption(args, 'fetch-size') ?? 1024 * 1024,
    fromLatest: args.has('from-latest'),
    timeoutMs,
    reportingIntervalMs,
    detailed: args.has('show-detailed-stats'),
    dateFormat: args.get('date-format') ?? 'yyyy-MM-dd HH:mm:ss:SSS',
    hideHeader: args.has('hide-header'),
    printMetrics: args.has('print-metrics'),
    properties: configFile ? readPropertiesFile(configFile, 'consumer config file') : {},
  };
}

/** The topic must exist (Kafka's consumer would silently wait --timeout ms for it). */
async function checkTopic(settings: ConsumerPerfSettings): Promise<void> {
  const admin = new WireAdmin(settings.brokers, { clientId: 'perf-consumer-client', properties: settings.properties });
  try {
    const metadata = await admin.metadata([settings.topic]);
    const topic = metadata.topics.find((t) => t.name === settings.topic);
    if (!topic || topic.errorCode === 3) {
      throw new CliError(`Topic '${settings.topic}' does not exist; create it with kafka-topics --bootstrap-server ${settings.brokers[0]} --create --topic ${settings.topic}, or fill it with kafka-producer-perf-test --topic ${settings.topic}`);
    }
  } finally {
    admin.close();
  }
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const settings = consumerPerfSettings(args);
    if (args.has('threads') || args.has('num-fetch-threads')) {
      process.stderr.write('WARNING: option [threads] and [num-fetch-threads] have been deprecated and will be ignored by the test\n');
    }
    warnUnknownConfigs(settings.properties, 'consumer');
    registerCompressionCodecs();
    await ensureReachable(settings.brokers, settings.bootstrapOption);
    await checkTopic(settings);
    // progress on a terminal's stderr only (never in pipes); Kafka's lines stay on stdout
    const spinner = startSpinner(`Joining group ${settings.group}`);
    const print = (line: string): void => {
      spinner?.clear();
      process.stdout.write(line + '\n');
      spinner?.render();
    };
    if (!settings.hideHeader) print(consumerPerfHeader(settings.detailed));

    const kafka = createClient({ brokers: settings.brokers, clientId: settings.properties['client.id'] ?? 'perf-consumer-client', properties: settings.properties });
    const consumer = kafka.consumer({
      groupId: settings.group,
      maxBytesPerPartition: settings.fetchSize,
      allowAutoTopicCreation: false,
      sessionTimeout: Number(settings.properties['session.timeout.ms'] ?? 45_000),
      heartbeatInterval: Number(settings.properties['heartbeat.interval.ms'] ?? 3000),
    });
    let bytesRead = 0;
    let messagesRead = 0;
    let lastBytesRead = 0;
    let lastMessagesRead = 0;
    let joinTimeMs = 0;
    let joinTimeInRound = 0;
    const startMs = Date.now();
    let joinStartMs = startMs;
    let lastReportTimeMs = startMs;
    let lastConsumedTimeMs = startMs;
    let failure: string | undefined;
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => { resolveDone = resolve; });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      resolveDone();
    };
    consumer.on(consumer.events.REBALANCING, () => { joinStartMs = Date.now(); });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      const elapsed = Date.now() - joinStartMs;
      joinTimeMs += elapsed;
      joinTimeInRound += elapsed;
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        failure = topicProblem(event.payload.error, settings.topic, settings.brokers) ?? describeClientError(event.payload.error, settings.brokers, settings.bootstrapOption);
        finish();
      }
    });
    // --timeout: the longest gap between returned records before giving up
    const idle = setInterval(() => {
      if (spinner && messagesRead > 0) spinner.text = `Consumed ${messagesRead} of ${settings.messages} records from ${settings.topic}`;
      if (Date.now() - lastConsumedTimeMs > settings.timeoutMs) finish();
    }, Math.min(100, settings.timeoutMs));
    const onSignal = (): void => finish();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning }: EachBatchPayload): Promise<void> => {
      const now = Date.now();
      if (batch.messages.length > 0) lastConsumedTimeMs = now;
      for (const message of batch.messages) {
        if (finished || !isRunning() || messagesRead >= settings.messages) break;
        messagesRead += 1;
        if (message.key) bytesRead += message.key.length;
        if (message.value) bytesRead += message.value.length;
        resolveOffset(message.offset);
        if (now - lastReportTimeMs >= settings.reportingIntervalMs) {
          if (settings.detailed) {
            print(formatConsumerInterval({ bytes: bytesRead, lastBytes: lastBytesRead, messages: messagesRead, lastMessages: lastMessagesRead, startMs: lastReportTimeMs, endMs: now, joinTimeMs: joinTimeInRound }, settings.dateFormat));
          }
          joinTimeInRound = 0;
          lastReportTimeMs = now;
          lastMessagesRead = messagesRead;
          lastBytesRead = bytesRead;
        }
      }
      await heartbeat();
      if (messagesRead >= settings.messages) finish();
    };

    try {
      if (settings.messages === 0) {
        finish();
      } else {
        await consumer.connect();
        await consumer.subscribe({ topics: [settings.topic], fromBeginning: !settings.fromLatest });
        await consumer.run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: handleBatch });
      }
      await done;
    } catch (err) {
      failure = topicProblem(err, settings.topic, settings.brokers) ?? describeClientError(err, settings.brokers, settings.bootstrapOption);
    } finally {
      clearInterval(idle);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const endMs = Date.now();
    spinner?.stop();
    await Promise.race([consumer.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (failure !== undefined) throw new CliError(failure);
    if (messagesRead < settings.messages) {
      print(`WARNING: Exiting before consuming the expected number of messages: timeout (${settings.timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`);
    }
    if (!settings.detailed) {
      print(formatConsumerTotal({ startMs, endMs, bytes: bytesRead, messages: messagesRead, joinTimeMs }, settings.dateFormat));
    }
    if (settings.printMetrics) {
      const tags = `{client-id=${settings.properties['client.id'] ?? 'perf-consumer-client'}}`;
      const seconds = Math.max(1e-3, (endMs - startMs) / 1000);
      for (const line of formatMetrics(new Map<string, number | string>([
        [`consumer-fetch-manager-metrics:records-consumed-total:${tags}`, messagesRead],
        [`consumer-fetch-manager-metrics:records-consumed-rate:${tags}`, messagesRead / seconds],
        [`consumer-fetch-manager-metrics:bytes-consumed-total:${tags}`, bytesRead],
        [`consumer-fetch-manager-metrics:bytes-consumed-rate:${tags}`, bytesRead / seconds],
        [`consumer-coordinator-metrics:rebalance-latency-total:${tags}`, joinTimeMs],
      ]))) print(line);
    }
    return 0;
  },
};
