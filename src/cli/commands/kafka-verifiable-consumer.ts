/**
 * kafka-verifiable-consumer (VerifiableConsumer): joins --group-id, consumes --topic
 * and prints one JSON event per line, as Kafka's system tests read them:
 * startup_complete, partitions_revoked / partitions_assigned on every rebalance,
 * records_consumed per fetched batch (count and, per partition, count/minOffset/
 * maxOffset), record_data per record with --verbose, offsets_committed after each
 * batch (success, or success false with the error) unless --enable-autocommit, and
 * shutdown_complete after leaving the group — once --max-messages records are
 * consumed, or on SIGTERM/SIGINT (exit 0).
 *
 * The group runs on kafkajs with Kafka's assignors by their protocol names: `range`
 * (RangeAssignor, the default, implemented here) and `roundrobin`.
 */
import kafkajs from 'kafkajs';
import type { Assigner, Consumer, EachBatchPayload, PartitionAssigner } from 'kafkajs';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { registerCompressionCodecs } from '../codecs.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { readPropertiesFile } from '../config-files.js';
import { createClient, describeClientError, ensureReachable, parseBootstrapServers, topicProblem, type BootstrapOption } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { parseArgs, printedHelpForNoArguments, type CommandSpec } from '../options.js';
import { BufferedWriter } from '../output.js';
import { integerArgument } from '../tool-args.js';

const { AssignerProtocol, PartitionAssigners } = kafkajs;

export const spec: CommandSpec = {
  name: 'kafka-verifiable-consumer',
  summary: 'This tool consumes messages from a specific topic and emits consumer events (e.g. group rebalances, received messages, and offsets committed) as JSON objects to STDOUT.',
  options: [
    { name: 'bootstrap-server', arg: 'HOST1:PORT1[,HOST2:PORT2[...]]', description: 'The server(s) to connect to. Comma-separated list of Kafka brokers in the form HOST1:PORT1,HOST2:PORT2,...', complete: 'none' },
    { name: 'broker-list', arg: 'HOST1:PORT1[,HOST2:PORT2[...]]', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.', complete: 'none' },
    { name: 'topic', arg: 'TOPIC', description: 'Consumes messages from this topic.', complete: 'none' },
    { name: 'group-protocol', arg: 'GROUP_PROTOCOL', description: 'Group protocol (must be one of CLASSIC, CONSUMER) (default: classic); only classic is available here', complete: ['classic'] },
    { name: 'group-remote-assignor', arg: 'GROUP_REMOTE_ASSIGNOR', description: 'Group remote assignor; only used if the group protocol is CONSUMER', complete: 'none' },
    { name: 'group-id', arg: 'GROUP_ID', description: 'The groupId shared among members of the consumer group', complete: 'none' },
    { name: 'group-instance-id', arg: 'GROUP_INSTANCE_ID', description: 'A unique identifier of the consumer instance (static membership is not available here: accepted and ignored)', complete: 'none' },
    { name: 'max-messages', arg: 'MAX-MESSAGES', description: 'Consume this many messages. If -1 (the default), the consumer will consume until the process is killed externally (default: -1)', complete: 'none' },
    { name: 'session-timeout', arg: 'TIMEOUT_MS', description: "Set the consumer's session timeout (default: 30000)", complete: 'none' },
    { name: 'verbose', description: 'Enable to log individual consumed records' },
    { name: 'enable-autocommit', description: 'Enable offset auto-commit on consumer' },
    { name: 'reset-policy', arg: 'RESETPOLICY', description: "Set reset policy (must be either 'earliest', 'latest', or 'none' (default: earliest)", complete: ['earliest', 'latest', 'none'] },
    { name: 'assignment-strategy', arg: 'ASSIGNMENTSTRATEGY', description: 'Set assignment strategy (e.g. org.apache.kafka.clients.consumer.RoundRobinAssignor); only used if the group protocol is CLASSIC (default: org.apache.kafka.clients.consumer.RangeAssignor)', complete: ['org.apache.kafka.clients.consumer.RangeAssignor', 'org.apache.kafka.clients.consumer.RoundRobinAssignor'] },
    { name: 'consumer.config', arg: 'CONFIG_FILE', description: 'Consumer config properties file (config options shared with command line parameters will be overridden).', complete: 'file' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface VerifiableConsumerSettings {
  brokers: string[];
  bootstrapOption: BootstrapOption;
  topic: string;
  groupId: string;
  maxMessages: number;
  sessionTimeoutMs: number;
  verbose: boolean;
  autoCommit: boolean;
  resetPolicy: 'earliest' | 'latest' | 'none';
  assignor: 'range' | 'roundrobin';
  properties: Record<string, string>;
}

const ASSIGNORS: Readonly<Record<string, 'range' | 'roundrobin'>> = {
  'org.apache.kafka.clients.consumer.RangeAssignor': 'range',
  RangeAssignor: 'range',
  range: 'range',
  'org.apache.kafka.clients.consumer.RoundRobinAssignor': 'roundrobin',
  RoundRobinAssignor: 'roundrobin',
  roundrobin: 'roundrobin',
};

export function verifiableConsumerSettings(argv: readonly string[]): VerifiableConsumerSettings {
  const args = parseArgs(spec, argv);
  const list = args.get('bootstrap-server') ?? args.get('broker-list');
  if (list === undefined) throw new UsageError('one of the arguments --bootstrap-server --broker-list is required');
  const topic = args.get('topic');
  if (topic === undefined) throw new UsageError('argument --topic is required');
  const groupId = args.get('group-id');
  if (groupId === undefined) throw new UsageError('argument --group-id is required');
  const protocol = (args.get('group-protocol') ?? 'classic').toLowerCase();
  if (protocol !== 'classic') throw new UsageError(`--group-protocol ${args.get('group-protocol')} is not available: this toolkit's consumer speaks the classic group protocol only; leave --group-protocol out`);
  const policy = (args.get('reset-policy') ?? 'earliest').toLowerCase();
  if (policy !== 'earliest' && policy !== 'latest' && policy !== 'none') throw new UsageError(`Invalid --reset-policy ${args.get('reset-policy')}: use earliest, latest or none`);
  const strategy = args.get('assignment-strategy') ?? 'org.apache.kafka.clients.consumer.RangeAssignor';
  const assignor = ASSIGNORS[strategy.trim()];
  if (!assignor) throw new UsageError(`--assignment-strategy ${strategy} is not available: use org.apache.kafka.clients.consumer.RangeAssignor or org.apache.kafka.clients.consumer.RoundRobinAssignor`);
  const configFile = args.get('consumer.config');
  return {
    brokers: parseBootstrapServers(list),
    bootstrapOption: args.has('bootstrap-server') ? '--bootstrap-server' : '--broker-list',
    topic,
    groupId,
    maxMessages: integerArgument(args.get('max-messages'), 'max-messages') ?? -1,
    sessionTimeoutMs: integerArgument(args.get('session-timeout'), 'session-timeout') ?? 30_000,
    verbose: args.has('verbose'),
    autoCommit: args.has('enable-autocommit'),
    resetPolicy: policy,
    assignor,
    properties: configFile ? readPropertiesFile(configFile, 'consumer config file') : {},
  };
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface RecordSetSummary extends TopicPartitionRef {
  count: number;
  minOffset: bigint;
  maxOffset: bigint;
}

const tp = (p: TopicPartitionRef): string => `{"topic":${JSON.stringify(p.topic)},"partition":${p.partition}}`;

/** JSON events with Kafka's field order. */
export const consumerEvents = {
  startupComplete: (timestamp: number): string => `{"timestamp":${timestamp},"name":"startup_complete"}`,
  shutdownComplete: (timestamp: number): string => `{"timestamp":${timestamp},"name":"shutdown_complete"}`,
  partitionsRevoked: (timestamp: number, partitions: readonly TopicPartitionRef[]): string =>
    `{"timestamp":${timestamp},"name":"partitions_revoked","partitions":[${partitions.map(tp).join(',')}]}`,
  partitionsAssigned: (timestamp: number, partitions: readonly TopicPartitionRef[]): string =>
    `{"timestamp":${timestamp},"name":"partitions_assigned","partitions":[${partitions.map(tp).join(',')}]}`,
  recordsConsumed: (timestamp: number, count: number, summaries: readonly RecordSetSummary[]): string =>
    `{"timestamp":${timestamp},"name":"records_consumed","count":${count},"partitions":[${summaries.map((s) =>
      `{"topic":${JSON.stringify(s.topic)},"partition":${s.partition},"count":${s.count},"minOffset":${s.minOffset},"maxOffset":${s.maxOffset}}`).join(',')}]}`,
  recordData: (timestamp: number, key: string | null, value: string | null, topic: string, partition: number, offset: bigint): string =>
    `{"timestamp":${timestamp},"name":"record_data","key":${JSON.stringify(key)},"value":${JSON.stringify(value)},"topic":${JSON.stringify(topic)},"partition":${partition},"offset":${offset}}`,
  offsetsCommitted: (timestamp: number, offsets: ReadonlyArray<TopicPartitionRef & { offset: bigint }>, error: string | null): string =>
    `{"timestamp":${timestamp},"name":"offsets_committed","offsets":[${offsets.map((o) => `{"topic":${JSON.stringify(o.topic)},"partition":${o.partition},"offset":${o.offset}}`).join(',')}]` +
    `${error === null ? '' : `,"error":${JSON.stringify(error)}`},"success":${error === null}}`,
};

/**
 * Kafka's RangeAssignor (protocol name `range`): per topic, partitions in order split into
 * contiguous ranges over the members sorted by member id, the first ones one larger.
 */
export function rangeAssign(members: ReadonlyArray<{ memberId: string; topics: readonly string[] }>, partitionsByTopic: ReadonlyMap<string, number>): Map<string, Map<string, number[]>> {
  const result = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]));
  for (const [topic, count] of partitionsByTopic) {
    const subscribers = members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort();
    if (subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((memberId, i) => {
      const start = per * i + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      if (length > 0) result.get(memberId)!.set(topic, Array.from({ length }, (_, k) => start + k));
    });
  }
  return result;
}

const RangeAssigner: PartitionAssigner = ({ cluster }) => {
  const assigner: Assigner = {
    name: 'range',
    version: 0,
    async assign({ members, topics }) {
      const decoded = members.map((m) => ({ memberId: m.memberId, topics: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? topics }));
      const counts = new Map<string, number>();
      for (const topic of topics) counts.set(topic, cluster.findTopicPartitionMetadata(topic).length);
      const assignment = rangeAssign(decoded, counts);
      return [...assignment].map(([memberId, byTopic]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: Object.fromEntries(byTopic), userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'range', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  };
  return assigner;
};

function assignmentList(memberAssignment: Record<string, number[]>): TopicPartitionRef[] {
  return Object.entries(memberAssignment).flatMap(([topic, partitions]) => [...partitions].sort((a, b) => a - b).map((partition) => ({ topic, partition })));
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    if (printedHelpForNoArguments(spec, argv)) return 0;
    const settings = verifiableConsumerSettings(argv);
    warnUnknownConfigs(settings.properties, 'consumer');
    if (settings.resetPolicy === 'none') {
      throw new UsageError("--reset-policy none is not available here (kafkajs cannot fail on a missing committed offset); use earliest or latest");
    }
    registerCompressionCodecs();
    await ensureReachable(settings.brokers, settings.bootstrapOption);
    const out = new BufferedWriter(process.stdout);
    const emit = (line: string): void => out.write(line + '\n');
    const kafka = createClient({ brokers: settings.brokers, clientId: settings.properties['client.id'] ?? 'consumer-1', properties: settings.properties });
    const consumer: Consumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(settings.sessionTimeoutMs / 3)),
      allowAutoTopicCreation: true,
      partitionAssigners: [settings.assignor === 'range' ? RangeAssigner : PartitionAssigners.roundRobin],
    });
    let assigned: TopicPartitionRef[] = [];
    let consumed = 0;
    let failure: string | undefined;
    let finished = false;
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => { resolveDone = resolve; });
    const finish = (): void => {
      if (finished) return;
      finished = true;
      resolveDone();
    };
    const isFinished = (): boolean => settings.maxMessages >= 0 && consumed >= settings.maxMessages;
    consumer.on(consumer.events.REBALANCING, () => {
      if (assigned.length === 0) return;
      emit(consumerEvents.partitionsRevoked(Date.now(), assigned));
      assigned = [];
      void out.flush();
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      assigned = assignmentList(event.payload.memberAssignment);
      emit(consumerEvents.partitionsAssigned(Date.now(), assigned));
      void out.flush();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        failure = topicProblem(event.payload.error, settings.topic, settings.brokers) ?? describeClientError(event.payload.error, settings.brokers, settings.bootstrapOption);
        finish();
      }
    });
    const onSignal = (): void => finish();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);

    const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> => {
      if (finished || !isRunning() || isStale() || batch.messages.length === 0) return;
      let records = batch.messages;
      if (settings.maxMessages >= 0 && consumed + records.length > settings.maxMessages) records = records.slice(0, settings.maxMessages - consumed);
      if (records.length === 0) return;
      const minOffset = BigInt(records[0].offset);
      const maxOffset = BigInt(records[records.length - 1].offset);
      if (settings.verbose) {
        for (const record of records) {
          emit(consumerEvents.recordData(Date.now(), record.key ? record.key.toString('utf8') : null, record.value ? record.value.toString('utf8') : null, batch.topic, batch.partition, BigInt(record.offset)));
        }
      }
      consumed += records.length;
      emit(consumerEvents.recordsConsumed(Date.now(), batch.messages.length, [{ topic: batch.topic, partition: batch.partition, count: records.length, minOffset, maxOffset }]));
      for (const record of records) resolveOffset(record.offset);
      if (!settings.autoCommit) {
        const offsets = [{ topic: batch.topic, partition: batch.partition, offset: maxOffset + 1n }];
        try {
          await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })));
          emit(consumerEvents.offsetsCommitted(Date.now(), offsets, null));
        } catch (err) {
          emit(consumerEvents.offsetsCommitted(Date.now(), offsets, describeClientError(err, settings.brokers, settings.bootstrapOption)));
        }
      }
      await out.flush();
      await heartbeat();
      if (isFinished()) finish();
    };

    emit(consumerEvents.startupComplete(Date.now()));
    await out.flush();
    try {
      if (settings.maxMessages === 0) {
        finish();
      } else {
        await consumer.connect();
        await consumer.subscribe({ topics: [settings.topic], fromBeginning: settings.resetPolicy === 'earliest' });
        await consumer.run({ autoCommit: settings.autoCommit, eachBatchAutoResolve: false, eachBatch: handleBatch });
      }
      await done;
    } catch (err) {
      failure ??= err instanceof CliError ? err.message : (topicProblem(err, settings.topic, settings.brokers) ?? describeClientError(err, settings.brokers, settings.bootstrapOption));
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    // let a batch being handled finish (its commit event comes first), then closing the
    // consumer revokes what it holds and it leaves the group
    await Promise.race([consumer.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (assigned.length > 0) emit(consumerEvents.partitionsRevoked(Date.now(), assigned));
    await out.flush();
    await Promise.race([consumer.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (failure !== undefined) process.stderr.write(`${failure}\n`);
    emit(consumerEvents.shutdownComplete(Date.now()));
    await out.flush();
    return failure === undefined ? 0 : 1;
  },
};
