/**
 * The Python admin clients against our broker: kafka-python 2.0.2's
 * KafkaAdminClient (Metadata v5, CreateTopics v3, DeleteTopics v3,
 * DescribeConfigs v2, AlterConfigs v1, CreatePartitions v1, ListGroups v2,
 * DescribeGroups v3, OffsetFetch v3, DeleteGroups v1) driven by
 * clients/admin_kafka_python.py, and confluent-kafka-python 1.7's AdminClient
 * (librdkafka 2.0.2; its list_groups is the legacy path that sends ListGroups
 * v0 and DescribeGroups v0 unchecked) driven by clients/admin_confluent.py.
 * Every effect is checked through another client (kafkajs' admin), and bad
 * input through the Kafka error code the client reports.
 * Each suite skips, saying why, when /usr/bin/python3 cannot import its client.
 */
import path from 'node:path';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { ClientProcess, commandWorks, committedOffsets, kafkajsClient, produceWithKafkajs, runClient, type ClientLine } from './clients/harness.js';
import { recordSkip } from '../helpers/skips.js';

const PY = '/usr/bin/python3';
const CLIENTS = path.join(import.meta.dirname, 'clients');
const hasKafkaPython = commandWorks(PY, ['-c', 'import kafka.admin']);
const hasConfluent = commandWorks(PY, ['-c', 'import confluent_kafka.admin']);
if (!hasKafkaPython) recordSkip({ suite: 'kafka-python admin interop', reason: '/usr/bin/python3 cannot import kafka.admin', package: 'python3-kafka', install: 'apt-get install python3-kafka' });
if (!hasConfluent) recordSkip({ suite: 'confluent-kafka admin interop', reason: '/usr/bin/python3 cannot import confluent_kafka.admin', package: 'python3-confluent-kafka', install: 'apt-get install python3-confluent-kafka' });

let broker: TestBroker;
let admin: Admin;

beforeAll(async () => {
  if (!hasKafkaPython && !hasConfluent) return;
  broker = await startTestBroker();
  admin = kafkajsClient(broker.bootstrap).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
});

/** One step's line: `ok` holds the result, or `error`/`errno` the Kafka error the client raised. */
interface StepLine {
  step: string;
  ok?: unknown;
  error?: string;
  errno?: number;
}

/** Runs the steps over one admin client of `script` and returns their lines, by step. */
async function steps(script: string, ...names: string[]): Promise<StepLine[]> {
  const lines = (await runClient(PY, [path.join(CLIENTS, script), broker.bootstrap, ...names], 40_000)) as (ClientLine & StepLine)[];
  expect(lines.map((l) => l.step)).toEqual(names);
  return lines;
}

const kafkaPython = (...names: string[]) => steps('admin_kafka_python.py', ...names);
const confluent = (...names: string[]) => steps('admin_confluent.py', ...names);

/** Partition counts by topic as kafkajs sees them (topics it is told about only). */
async function partitionCounts(topics: string[]): Promise<Record<string, number>> {
  const md = await admin.fetchTopicMetadata({ topics });
  return Object.fromEntries(md.topics.map((t) => [t.name, t.partitions.length]));
}

async function topicNames(): Promise<string[]> {
  return (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
}

/** A topic's config values as kafkajs' DescribeConfigs reads them. */
async function topicConfigs(topic: string, names: string[]): Promise<Record<string, string>> {
  const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }] });
  return Object.fromEntries(res.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
}

describe.skipIf(!hasKafkaPython)('kafka-python KafkaAdminClient', () => {
  it('finds a real controller and creates a topic with partitions and configs that kafkajs sees', async () => {
    const [controller, created, listed, described] = await kafkaPython(
      'controller',
      'create:kpa-create:3:1:retention.ms=12345:cleanup.policy=compact',
      'list',
      'describe:kpa-create:kpa-missing',
    );
    expect(controller!.ok).toBe(broker.config.brokerId);
    expect(created!.ok).toEqual([['kpa-create', ErrorCode.NONE]]);
    expect(listed!.ok).toContain('kpa-create');
    expect(described!.ok).toEqual([
      { topic: 'kpa-create', error: 0, internal: false, partitions: 3, leaders: [broker.config.brokerId] },
      { topic: 'kpa-missing', error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, internal: false, partitions: 0, leaders: [] },
    ]);
    expect(await partitionCounts(['kpa-create'])).toEqual({ 'kpa-create': 3 });
    expect(await topicConfigs('kpa-create', ['retention.ms', 'cleanup.policy'])).toEqual({ 'retention.ms': '12345', 'cleanup.policy': 'compact' });
  });

  it('answers bad CreateTopics with Kafka error codes, and validate_only creates nothing', async () => {
    const lines = await kafkaPython(
      'create:kpa-dup:1:1',
      'create:kpa-dup:2:1',
      'create:kpa-zero:0:1',
      'create:kpa-rf:1:3',
      'create:kpa-cfg:1:1:retention.ms=abc',
      'create:kpa-cfg2:1:1:no.such.config=1',
      'create:bad name!:1:1',
      'validate:kpa-validated:2:1',
    );
    expect(lines.map((l) => l.errno ?? l.ok)).toEqual([
      [['kpa-dup', 0]],
      ErrorCode.TOPIC_ALREADY_EXISTS,
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      [['kpa-validated', 0]],
    ]);
    const names = await topicNames();
    expect(names).toContain('kpa-dup');
    for (const absent of ['kpa-zero', 'kpa-rf', 'kpa-cfg', 'kpa-cfg2', 'kpa-validated']) expect(names).not.toContain(absent);
    expect(await partitionCounts(['kpa-dup'])).toEqual({ 'kpa-dup': 1 });
  });

  it('describes topic and broker configs, whole or by name; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const [create, all, some, brokerSome, brokerAll, unknown] = await kafkaPython(
      'create:kpa-configs:1:1:retention.ms=777',
      'describe-configs:topic:kpa-configs',
      'describe-configs:topic:kpa-configs:retention.ms:segment.bytes',
      `describe-configs:broker:${broker.config.brokerId}:log.retention.hours:broker.id`,
      `describe-configs:broker:${broker.config.brokerId}`,
      'describe-configs:topic:kpa-nope',
    );
    expect(create!.ok).toEqual([['kpa-configs', 0]]);
    const allConfigs = (all!.ok as { error: number; configs: Record<string, string> }).configs;
    expect(allConfigs['retention.ms']).toBe('777');
    expect(allConfigs['cleanup.policy']).toBe('delete');
    expect(Object.keys(allConfigs).length).toBeGreaterThan(20);
    expect(some!.ok).toEqual({ error: 0, configs: { 'retention.ms': '777', 'segment.bytes': '1073741824' } });
    expect(brokerSome!.ok).toEqual({ error: 0, configs: { 'log.retention.hours': '168', 'broker.id': String(broker.config.brokerId) } });
    const brokerConfigs = (brokerAll!.ok as { configs: Record<string, string> }).configs;
    expect(brokerConfigs['log.dirs']).toBe(broker.logDir);
    expect(unknown!.ok).toEqual({ error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: {} });
  });

  it('alter_configs replaces a topic\'s overrides (kafkajs sees it); unknown keys and broker resources are refused', async () => {
    const [create, alter, after, unknownKey, brokerAlter, unknownTopic] = await kafkaPython(
      'create:kpa-alter:1:1:retention.ms=1000:cleanup.policy=compact',
      'alter-configs:topic:kpa-alter:retention.ms=2000:max.message.bytes=4096',
      'describe-configs:topic:kpa-alter:retention.ms:cleanup.policy:max.message.bytes',
      'alter-configs:topic:kpa-alter:no.such.config=1',
      `alter-configs:broker:${broker.config.brokerId}:log.retention.ms=1000`,
      'alter-configs:topic:kpa-nope:retention.ms=1',
    );
    expect(create!.ok).toEqual([['kpa-alter', 0]]);
    expect(alter!.ok).toEqual([[0, 2, 'kpa-alter']]); // resource type 2 = TOPIC
    // AlterConfigs is not incremental: cleanup.policy, left out, returns to its default
    expect(after!.ok).toEqual({ error: 0, configs: { 'retention.ms': '2000', 'cleanup.policy': 'delete', 'max.message.bytes': '4096' } });
    expect(await topicConfigs('kpa-alter', ['retention.ms', 'cleanup.policy'])).toEqual({ 'retention.ms': '2000', 'cleanup.policy': 'delete' });
    expect(unknownKey!.ok).toEqual([[ErrorCode.INVALID_CONFIG, 2, 'kpa-alter']]);
    // dynamic broker configs are not supported: refused, and nothing changes
    expect((brokerAlter!.ok as number[][])[0]![0]).toBe(ErrorCode.INVALID_REQUEST);
    expect(unknownTopic!.ok).toEqual([[ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 2, 'kpa-nope']]);
    expect(await topicConfigs('kpa-alter', ['retention.ms'])).toEqual({ 'retention.ms': '2000' });
  });

  it('create_partitions grows a topic; shrinking is INVALID_PARTITIONS, an unknown topic UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const lines = await kafkaPython(
      'create:kpa-grow:2:1',
      'create-partitions:kpa-grow:5',
      'create-partitions:kpa-grow:3',
      'create-partitions:kpa-nope:3',
      'describe:kpa-grow',
    );
    expect(lines.map((l) => l.errno ?? l.ok)).toEqual([
      [['kpa-grow', 0]],
      [['kpa-grow', 0]],
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      [{ topic: 'kpa-grow', error: 0, internal: false, partitions: 5, leaders: [broker.config.brokerId] }],
    ]);
    expect(await partitionCounts(['kpa-grow'])).toEqual({ 'kpa-grow': 5 });
  });

  it('delete_topics removes a topic for every client; deleting it again is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const [create, del, again] = await kafkaPython('create:kpa-delete:2:1', 'delete:kpa-delete', 'delete:kpa-delete');
    expect(create!.ok).toEqual([['kpa-delete', 0]]);
    expect(del!.ok).toEqual([['kpa-delete', 0]]);
    expect(again!.errno).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await topicNames()).not.toContain('kpa-delete');
  });

  it('a topic named twice in one CreateTopics / CreatePartitions / DeleteTopics is answered once, INVALID_REQUEST, and left alone', async () => {
    const [created, grown, deleted, described] = await kafkaPython(
      'create-raw:kpa-twice:kpa-twice:kpa-once',
      'create-partitions-raw:kpa-once:3:kpa-once:4',
      'delete-raw:kpa-once:kpa-once',
      'describe:kpa-once',
    );
    expect(created!.ok).toEqual([
      ['kpa-once', 0, null],
      ['kpa-twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
    ]);
    expect(grown!.ok).toEqual([['kpa-once', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.']]);
    expect(deleted!.ok).toEqual([['kpa-once', ErrorCode.INVALID_REQUEST]]);
    expect((described!.ok as { partitions: number }[])[0]!.partitions).toBe(1);
    const names = await topicNames();
    expect(names).toContain('kpa-once');
    expect(names).not.toContain('kpa-twice');
  });

  it('lists, describes, reads the offsets of and deletes a consumer group', async () => {
    const topic = 'kpa-group-topic';
    const groupId = 'kpa-group';
    await kafkaPython(`create:${topic}:2:1`);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'kpa', 10);
    const member = new ClientProcess(PY, [path.join(CLIENTS, 'kafka_python_client.py'), 'group', broker.bootstrap, topic, groupId]);
    try {
      await member.waitFor('all 10 records', () => member.records().length >= 10);
      const [groups, active, refused] = await kafkaPython('groups', `describe-group:${groupId}`, `delete-groups:${groupId}`);
      expect(groups!.ok).toContainEqual([groupId, 'consumer']);
      expect(active!.ok).toEqual({
        group: groupId,
        state: 'Stable',
        protocol_type: 'consumer',
        protocol: 'range',
        members: [{ client_id: 'kafka-python-2.0.2', topics: [topic], assignment: [[topic, [0, 1]]] }],
      });
      expect(refused!.ok).toEqual([[groupId, 'NonEmptyGroupError']]);
      await member.stop();
    } finally {
      member.kill();
    }

    const committed = await committedOffsets(broker.bootstrap, groupId, topic);
    expect(committed[0]! + committed[1]!).toBe(10);
    const [empty, offsets, deleted, groupsAfter, offsetsAfter, unknown, dead] = await kafkaPython(
      `describe-group:${groupId}`,
      `offsets:${groupId}`,
      `delete-groups:${groupId}`,
      'groups',
      `offsets:${groupId}`,
      'delete-groups:kpa-no-such-group',
      'describe-group:kpa-no-such-group',
    );
    expect(empty!.ok).toMatchObject({ state: 'Empty', protocol_type: 'consumer', members: [] });
    expect(offsets!.ok).toEqual({ [`${topic}/0`]: committed[0], [`${topic}/1`]: committed[1] });
    expect(deleted!.ok).toEqual([[groupId, 'NoError']]);
    expect((groupsAfter!.ok as string[][]).map((g) => g[0])).not.toContain(groupId);
    expect(offsetsAfter!.ok).toEqual({});
    expect(unknown!.ok).toEqual([['kpa-no-such-group', 'GroupIdNotFoundError']]);
    expect(dead!.ok).toMatchObject({ state: 'Dead', members: [] });
  });
});

describe.skipIf(!hasConfluent)('confluent-kafka AdminClient', () => {
  it('creates a topic with configs; validate_only creates nothing; bad input gets Kafka error codes', async () => {
    const lines = await confluent(
      'create:cka-create:3:1:retention.ms=4321:cleanup.policy=compact',
      'create:cka-create:3:1',
      'validate:cka-create:3:1',
      'validate:cka-validated:2:1',
      'create:cka-zero:0:1',
      'create:cka-rf:1:3',
      'create:cka-cfg:1:1:no.such.config=1',
      'list',
    );
    expect(lines.map((l) => l.errno ?? l.ok).slice(0, 7)).toEqual([
      null,
      ErrorCode.TOPIC_ALREADY_EXISTS,
      ErrorCode.TOPIC_ALREADY_EXISTS,
      null,
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      ErrorCode.INVALID_CONFIG,
    ]);
    const listed = lines[7]!.ok as { brokers: number[]; controller: number; topics: Record<string, number> };
    expect(listed.brokers).toEqual([broker.config.brokerId]);
    expect(listed.controller).toBe(broker.config.brokerId);
    expect(listed.topics['cka-create']).toBe(3);
    for (const absent of ['cka-validated', 'cka-zero', 'cka-rf', 'cka-cfg']) expect(listed.topics[absent]).toBeUndefined();
    expect(await partitionCounts(['cka-create'])).toEqual({ 'cka-create': 3 });
    expect(await topicConfigs('cka-create', ['retention.ms', 'cleanup.policy'])).toEqual({ 'retention.ms': '4321', 'cleanup.policy': 'compact' });
    expect(await topicNames()).not.toContain('cka-validated');
  });

  it('describes and alters configs; kafkajs sees the change; unknown topic and unknown key are refused', async () => {
    const [create, before, brokerConfigs, alter, after, unknownKey, unknownTopic, brokerAlter] = await confluent(
      'create:cka-configs:1:1:retention.ms=1000',
      'describe-configs:topic:cka-configs',
      `describe-configs:broker:${broker.config.brokerId}`,
      'alter-configs:topic:cka-configs:retention.ms=2000:segment.ms=3600000',
      'describe-configs:topic:cka-configs',
      'alter-configs:topic:cka-configs:no.such.config=1',
      'describe-configs:topic:cka-nope',
      `alter-configs:broker:${broker.config.brokerId}:log.retention.ms=1000`,
    );
    expect(create!.ok).toBeNull();
    expect(before!.ok).toMatchObject({ 'retention.ms': '1000', 'cleanup.policy': 'delete', 'segment.ms': '604800000' });
    expect(brokerConfigs!.ok).toMatchObject({ 'broker.id': String(broker.config.brokerId), 'log.dirs': broker.logDir, 'log.retention.hours': '168' });
    expect(alter!.ok).toBeNull();
    expect(after!.ok).toMatchObject({ 'retention.ms': '2000', 'segment.ms': '3600000' });
    expect(await topicConfigs('cka-configs', ['retention.ms', 'segment.ms'])).toEqual({ 'retention.ms': '2000', 'segment.ms': '3600000' });
    expect(unknownKey!.errno).toBe(ErrorCode.INVALID_CONFIG);
    expect(unknownTopic!.errno).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(brokerAlter!.errno).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('create_partitions grows a topic, refuses shrinking and unknown topics; delete_topics removes it', async () => {
    const lines = await confluent(
      'create:cka-grow:1:1',
      'create-partitions:cka-grow:4',
      'create-partitions:cka-grow:2',
      'create-partitions:cka-nope:2',
      'delete:cka-grow',
      'delete:cka-grow',
    );
    expect(lines.map((l) => l.errno ?? l.ok)).toEqual([
      null,
      null,
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      null,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(await topicNames()).not.toContain('cka-grow');
  });

  it('list_groups (ListGroups v0 + DescribeGroups v0) shows a live group, then the same group empty', async () => {
    const topic = 'cka-group-topic';
    const groupId = 'cka-group';
    await confluent(`create:${topic}:2:1`);
    await produceWithKafkajs(broker.bootstrap, topic, 'none', 'cka', 6);
    const member = new ClientProcess(PY, [path.join(CLIENTS, 'confluent_kafka_client.py'), 'group', broker.bootstrap, topic, groupId, 'range', '-']);
    try {
      await member.waitFor('all 6 records', () => member.records().length >= 6);
      const [live] = await confluent('groups');
      expect(live!.ok).toContainEqual({ id: groupId, state: 'Stable', protocol_type: 'consumer', members: 1, error: 0 });
      await member.stop();
    } finally {
      member.kill();
    }
    const [after] = await confluent('groups');
    expect(after!.ok).toContainEqual({ id: groupId, state: 'Empty', protocol_type: 'consumer', members: 0, error: 0 });
  });
});
