/**
 * kafka-console-consumer: prints records with Kafka's DefaultMessageFormatter.
 * Joins a consumer group (a fresh `console-consumer-NNNNN` one unless --group),
 * or reads a single partition with --partition/--offset. Output is buffered and
 * written in large chunks; `Processed a total of N messages` goes to stderr on
 * every way out (max messages, timeout, signal, closed pipe).
 */
import kafkajs from 'kafkajs';
import type { Assigner, Consumer, EachBatchPayload, KafkaMessage, PartitionAssigner } from 'kafkajs';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { registerCompressionCodecs } from '../codecs.js';
import { readPropertiesFile } from '../config-files.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { createClient, describeClientError, ensureReachable, numberProperty, parseBootstrapServers, protocolErrorType, topicProblem, type BootstrapOption } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { formatRecord, formatterOptionsFrom, topicFilter, type MessageFormatterOptions } from '../format.js';
import { intOption, parseArgs, parseKeyValues, type CommandSpec, type ParsedArgs } from '../options.js';
import { BufferedWriter } from '../output.js';

const { AssignerProtocol } = kafkajs;

export const spec: CommandSpec = {
  name: 'kafka-console-consumer',
  summary: 'This tool helps to read data from Kafka topics and outputs it to standard output.',
  options: [
    { name: 'bootstrap-server', arg: 'String: server to connect to', description: 'REQUIRED: The server(s) to connect to.', complete: 'none' },
    { name: 'zookeeper', arg: 'String: urls', description: 'Removed in Kafka 2.0; accepted for old tutorials: the broker at localhost:9092 is used instead.', hidden: true, complete: 'none' },
    { name: 'topic', arg: 'String: topic', description: 'The topic to consume on.', complete: 'none' },
    { name: 'include', arg: 'String: Java regex (String)', description: 'Regular expression specifying list of topics to include for consumption.', complete: 'none' },
    { name: 'whitelist', arg: 'String: Java regex (String)', description: 'DEPRECATED, use --include instead; ignored if --include specified.', complete: 'none' },
    { name: 'partition', arg: 'Integer: partition', description: 'The partition to consume from. Consumption starts from the end of the partition unless \'--offset\' is specified.', complete: 'none' },
    { name: 'offset', arg: 'String: consume offset', description: "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end (default: latest)", complete: ['earliest', 'latest'] },
    { name: 'from-beginning', description: 'If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.' },
    { name: 'group', arg: 'String: consumer group id', description: 'The consumer group id of the consumer.', complete: 'none' },
    { name: 'consumer-property', arg: 'String: consumer_prop', repeatable: true, description: 'A mechanism to pass user-defined properties in the form key=value to the consumer.', complete: ['group.id=', 'auto.offset.reset=', 'enable.auto.commit=', 'client.id=', 'isolation.level='] },
    { name: 'consumer.config', arg: 'String: config file', description: 'Consumer config properties file. Note that [consumer-property] takes precedence over this config.', complete: 'file' },
    { name: 'formatter', arg: 'String: class', description: 'The name of a class to use for formatting kafka messages for display. Only the default formatter is available.', complete: ['kafka.tools.DefaultMessageFormatter', 'org.apache.kafka.tools.consumer.DefaultMessageFormatter'] },
    { name: 'formatter-config', arg: 'String: config file', description: 'Config properties file to initialize the message formatter. Note that [property] takes precedence over this config.', complete: 'file' },
    { name: 'property', arg: 'String: prop', repeatable: true, description: 'The properties to initialize the message formatter: print.timestamp, print.key, print.offset, print.partition, print.headers, print.value, key.separator, line.separator, headers.separator, null.literal.', complete: ['print.timestamp=true', 'print.key=true', 'print.offset=true', 'print.partition=true', 'print.headers=true', 'print.value=false', 'key.separator=', 'line.separator=', 'headers.separator=', 'null.literal='] },
    { name: 'max-messages', arg: 'Integer: num_messages', description: 'The maximum number of messages to consume before exiting. If not set, consumption is continual.', complete: 'none' },
    { name: 'timeout-ms', arg: 'Long: timeout_ms', description: 'If specified, exit if no message is available for consumption for the specified interval.', complete: 'none' },
    { name: 'skip-message-on-error', description: 'If there is an error when processing a message, skip it instead of halt.' },
    { name: 'isolation-level', arg: 'String', description: 'Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages. (default: read_uncommitted)', complete: ['read_uncommitted', 'read_committed'] },
    { name: 'key-deserializer', arg: 'String: deserializer for key', description: 'Accepted for compatibility; keys are printed as bytes.', hidden: true },
    { name: 'value-deserializer', arg: 'String: deserializer for values', description: 'Accepted for compatibility; values are printed as bytes.', hidden: true },
    { name: 'enable-systest-events', description: 'Accepted for compatibility.', hidden: true },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export type StartOffset = 'earliest' | 'latest' | bigint;

export interface ConsumerSettings {
  brokers: string[];
  /** the option the brokers were named with, for hints */
  bootstrapOption: BootstrapOption;
  topic?: string;
  include?: string;
  partition?: number;
  startOffset?: StartOffset;
  fromBeginning: boolean;
  groupId: string;
  /** false without --group (Kafka's console consumer does not commit for its random group) */
  autoCommit: boolean;
  maxMessages?: number;
  timeoutMs?: number;
  readCommitted: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  formatter: MessageFormatterOptions;
  properties: Record<string, string>;
  /** notes for stderr (deprecations) */
  notes: string[];
}

const FORMATTER_CLASSES = new Set(['kafka.tools.DefaultMessageFormatter', 'org.apache.kafka.tools.consumer.DefaultMessageFormatter', 'DefaultMessageFormatter']);

/** Validates options with ConsoleConsumer's rules and texts. */
export function consumerSettings(args: ParsedArgs, random: () => number = Math.random): ConsumerSettings {
  const notes: string[] = [];
  let bootstrap = args.get('bootstrap-server');
  if (bootstrap === undefined && args.has('zookeeper')) {
    bootstrap = 'localhost:9092';
    notes.push('Note: --zookeeper was removed from the console consumer in Kafka 2.0; using the broker at localhost:9092 instead. Next time use --bootstrap-server localhost:9092.');
  }
  if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const brokers = parseBootstrapServers(bootstrap);
  const bootstrapOption: BootstrapOption = args.has('bootstrap-server') ? '--bootstrap-server' : '--zookeeper';

  const topic = args.get('topic');
  let include = args.get('include');
  if (include === undefined && args.has('whitelist')) {
    include = args.get('whitelist');
    notes.push('Note: --whitelist is deprecated; use --include instead.');
  }
  if ((topic === undefined) === (include === undefined)) throw new UsageError('Exactly one of --include/--topic is required. ');
  const partition = intOption(args, 'partition');
  if (partition !== undefined && topic === undefined) throw new UsageError('The topic is required when partition is specified.');
  const offsetText = args.get('offset');
  if (offsetText !== undefined && partition === undefined) throw new UsageError('The partition is required when offset is specified.');
  const fromBeginning = args.has('from-beginning');
  if (fromBeginning && offsetText !== undefined) throw new UsageError('Options from-beginning and offset cannot be specified together.');
  let startOffset: StartOffset | undefined;
  if (offsetText !== undefined) {
    const v = offsetText.trim().toLowerCase();
    if (v === 'earliest' || v === 'latest') startOffset = v;
    else if (/^\d+$/.test(v)) startOffset = BigInt(v);
    else throw new UsageError(`The provided offset value '${offsetText}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`);
  } else if (partition !== undefined) {
    startOffset = fromBeginning ? 'earliest' : 'latest';
  }

  const configFile = args.get('consumer.config');
  const fileProps = configFile ? readPropertiesFile(configFile, 'consumer config file') : {};
  const cliProps = parseKeyValues(args.all('consumer-property'), (item) => `Invalid consumer property '${item}': expected key=value`);
  const properties = { ...fileProps, ...cliProps };
  const groupIds = [args.get('group'), cliProps['group.id'], fileProps['group.id']].filter((g): g is string => g !== undefined);
  if (new Set(groupIds).size > 1) {
    throw new UsageError(`The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${[...new Set(groupIds)].map((g) => `'${g}'`).join(', ')}`);
  }
  if (groupIds.length > 0 && partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.');
  const reset = properties['auto.offset.reset'];
  if (fromBeginning && reset !== undefined && reset !== 'earliest') {
    throw new CliError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`);
  }
  const formatterClass = args.get('formatter');
  if (formatterClass !== undefined && !FORMATTER_CLASSES.has(formatterClass)) {
    throw new UsageError(`Formatter ${formatterClass} is not available: only the default formatter (org.apache.kafka.tools.consumer.DefaultMessageFormatter) is supported`);
  }
  const formatterFile = args.get('formatter-config');
  const { options: formatter } = formatterOptionsFrom({
    ...(formatterFile ? readPropertiesFile(formatterFile, 'formatter config file') : {}),
    ...parseKeyValues(args.all('property'), (item) => `Invalid property '${item}': expected key=value`),
  });
  const isolation = args.get('isolation-level') ?? properties['isolation.level'] ?? 'read_uncommitted';
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') {
    throw new UsageError(`Invalid value ${isolation} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`);
  }
  const sessionTimeoutMs = numberProperty(properties, 'session.timeout.ms') ?? 30000;
  const heartbeatIntervalMs = numberProperty(properties, 'heartbeat.interval.ms') ?? 3000;
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    // the Java consumer refuses this too ("Heartbeat must be set lower than the session timeout")
    throw new CliError(`heartbeat.interval.ms (${heartbeatIntervalMs}) must be lower than session.timeout.ms (${sessionTimeoutMs}); set heartbeat.interval.ms to about a third of session.timeout.ms`);
  }
  const maxMessages = intOption(args, 'max-messages');
  const timeoutMs = intOption(args, 'timeout-ms');
  const explicitGroup = groupIds[0];
  if (explicitGroup !== undefined && explicitGroup.trim() === '') {
    // kafkajs would refuse it with its own words; Kafka's consumer with InvalidGroupIdException
    throw new CliError("The consumer group id is empty: give --group a name, or leave --group out to read with a fresh console-consumer group.");
  }
  const autoCommitProp = properties['enable.auto.commit'];
  return {
    brokers,
    bootstrapOption,
    topic,
    include,
    partition,
    startOffset,
    fromBeginning: fromBeginning || reset === 'earliest',
    // Kafka: `console-consumer-` + a random int below 100000
    groupId: explicitGroup ?? `console-consumer-${10000 + Math.floor(random() * 90000)}`,
    autoCommit: autoCommitProp !== undefined ? autoCommitProp.toLowerCase() === 'true' : explicitGroup !== undefined,
    maxMessages: maxMessages !== undefined && maxMessages >= 0 ? maxMessages : undefined,
    timeoutMs: timeoutMs !== undefined && timeoutMs >= 0 ? timeoutMs : undefined,
    readCommitted: isolation === 'read_committed',
    sessionTimeoutMs,
    heartbeatIntervalMs,
    formatter,
    properties,
    notes,
  };
}

/** An assigner giving the only member of our private group exactly one partition (Kafka's `assign()`). */
function singlePartitionAssigner(topic: string, partition: number): PartitionAssigner {
  return (): Assigner => ({
    name: 'ConsoleConsumerSinglePartition',
    version: 0,
    async assign({ members }) {
      return members.map((member, i) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: i === 0 ? { [topic]: [partition] } : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'ConsoleConsumerSinglePartition', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

/** kafkajs records also carry their batch's context (timestamp type), untyped. */
type MessageWithContext = KafkaMessage & { batchContext?: { timestampType?: number } };

/** Converts kafkajs headers to formatter pairs (values stay bytes). */
function headerPairs(headers: KafkaMessage['headers']): Array<[string, Buffer | null]> {
  const pairs: Array<[string, Buffer | null]> = [];
  if (!headers) return pairs;
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) pairs.push([name, v === undefined || v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v))]);
  }
  return pairs;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const settings = consumerSettings(args);
    for (const note of settings.notes) process.stderr.write(note + '\n');
    warnUnknownConfigs(settings.properties, 'consumer');
    registerCompressionCodecs();
    await ensureReachable(settings.brokers, settings.bootstrapOption);

    const kafka = createClient({ brokers: settings.brokers, clientId: 'console-consumer', properties: settings.properties });
    const consumer: Consumer = kafka.consumer({
      groupId: settings.groupId,
      readUncommitted: !settings.readCommitted,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: numberProperty(settings.properties, 'fetch.max.wait.ms') ?? 500,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
      ...(settings.partition !== undefined && settings.topic !== undefined
        ? { partitionAssigners: [singlePartitionAssigner(settings.topic, settings.partition)] }
        : {}),
    });

    const out = new BufferedWriter(process.stdout);
    let processed = 0;
    let finished = false;
    let resolveDone: (code: number) => void = () => undefined;
    const done = new Promise<number>((resolve) => { resolveDone = resolve; });
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      resolveDone(code);
    };
    out.onClosed = () => {
      process.stderr.write('Unable to write to standard out, closing consumer.\n');
      finish(0);
    };
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdleTimer = (): void => {
      if (settings.timeoutMs === undefined) return;
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish(0), settings.timeoutMs);
    };
    const onSignal = (): void => finish(0);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        process.stderr.write(`Unknown error when running consumer: ${consumerErrorMessage(event.payload.error, settings)}\n`);
        finish(1);
      }
    });
    // --partition/--offset: where reading goes on. kafkajs keeps a seek in the group
    // instance of one run, and a crash-restart or rejoin makes a new one, so the position is
    // applied on every join (the group exists then) instead of once after run().
    let position: bigint | undefined = typeof settings.startOffset === 'bigint' ? settings.startOffset : undefined;
    if (settings.partition !== undefined && settings.topic !== undefined) {
      const topic = settings.topic;
      const partition = settings.partition;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        if (position !== undefined) consumer.seek({ topic, partition, offset: position.toString() });
      });
    }

    const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> => {
      if (settings.partition !== undefined && batch.partition !== settings.partition) return;
      for (const message of batch.messages as MessageWithContext[]) {
        if (finished || !isRunning() || isStale()) break;
        if (settings.maxMessages !== undefined && processed >= settings.maxMessages) break;
        const chunks = formatRecord({
          partition: batch.partition,
          offset: message.offset,
          timestamp: message.timestamp,
          timestampType: message.batchContext?.timestampType === 1 ? 'LogAppendTime' : 'CreateTime',
          key: message.key ?? null,
          value: message.value ?? null,
          headers: headerPairs(message.headers),
        }, settings.formatter);
        for (const chunk of chunks) out.write(chunk);
        processed += 1;
        resolveOffset(message.offset);
        if (settings.partition !== undefined) position = BigInt(message.offset) + 1n;
      }
      await out.flush();
      if (settings.autoCommit) await commitOffsetsIfNecessary();
      await heartbeat();
      armIdleTimer();
      if (settings.maxMessages !== undefined && processed >= settings.maxMessages) finish(0);
    };

    let exitCode: number;
    try {
      if (settings.maxMessages === 0) {
        finish(0);
      } else {
        await consumer.connect();
        await consumer.subscribe({
          topics: [settings.topic ?? new RegExp(`^(?:${topicFilterSource(settings.include ?? '')})$`)],
          fromBeginning: settings.startOffset === 'earliest' || (settings.startOffset === undefined && settings.fromBeginning),
        });
        if (settings.partition !== undefined && settings.topic !== undefined) {
          await checkPartitionExists(kafka, settings.topic, settings.partition);
        }
        await consumer.run({
          autoCommit: settings.autoCommit,
          eachBatchAutoResolve: false,
          eachBatch: handleBatch,
        });
        armIdleTimer();
      }
      exitCode = await done;
    } catch (err) {
      process.stderr.write(`${err instanceof CliError ? err.message : consumerErrorMessage(err, settings)}\n`);
      exitCode = err instanceof CliError ? err.exitCode : 1;
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      await out.flush().catch(() => undefined);
      process.stderr.write(`Processed a total of ${processed} messages\n`);
      // leaving the group can take a moment; the count is already printed
      await Promise.race([consumer.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    }
    return exitCode;
  },
};

/**
 * --partition names a partition the topic has (subscribe has created the topic by now if
 * the broker creates topics); otherwise kafkajs would fail deep inside its assignment.
 */
async function checkPartitionExists(kafka: ReturnType<typeof createClient>, topic: string, partition: number): Promise<void> {
  const admin = kafka.admin();
  let count: number;
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (partition >= 0 && partition < count) return;
  const has = count === 1 ? 'its only partition is 0' : `its partitions are 0 to ${count - 1}`;
  throw new CliError(`Topic '${topic}' has no partition ${partition}: ${has}. Choose one of those with --partition, or add partitions with kafka-topics --alter --topic ${topic} --partitions <count>.`);
}

/** One line for a consumer failure, naming the topic where the broker's answer is about it. */
function consumerErrorMessage(err: unknown, settings: ConsumerSettings): string {
  const aboutTopic = settings.topic !== undefined ? topicProblem(err, settings.topic, settings.brokers) : undefined;
  if (aboutTopic !== undefined) return aboutTopic;
  if (protocolErrorType(err) === 'INVALID_SESSION_TIMEOUT') {
    return `session.timeout.ms ${settings.sessionTimeoutMs} is outside the range the broker allows (group.min.session.timeout.ms to group.max.session.timeout.ms, 6000 to 1800000 by default); choose a session.timeout.ms within it.`;
  }
  return describeClientError(err, settings.brokers, settings.bootstrapOption);
}

/** The consumer's `--include` uses Kafka's topic-filter normalisation (commas → alternation). */
function topicFilterSource(expression: string): string {
  topicFilter(expression); // validates; falls back to a literal match when not a regex
  let pattern = expression.trim().replace(/,/g, '|').replace(/ /g, '');
  if (/^(["']).*\1$/.test(pattern)) pattern = pattern.slice(1, -1);
  try {
    new RegExp(pattern);
    return pattern;
  } catch {
    return pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
}
