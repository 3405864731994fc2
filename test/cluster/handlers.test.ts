/**
 * The metadata/admin handlers end to end through the wire codec: each request is
 * encoded and decoded at the tested version, handled against a real
 * ClusterMetadata (fake logs), and the response is encoded and decoded again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/codec.js';
import { ByteReader } from '../../src/protocol/primitives.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { NO_RESPONSE, type ApiHandler } from '../../src/broker/handler.js';
import type { BrokerServices } from '../../src/broker/services/index.js';
import type { BrokerConfig } from '../../src/broker/config.js';
import metadataHandler from '../../src/broker/handlers/03-metadata.js';
import createTopicsHandler from '../../src/broker/handlers/19-create-topics.js';
import deleteTopicsHandler from '../../src/broker/handlers/20-delete-topics.js';
import describeConfigsHandler from '../../src/broker/handlers/32-describe-configs.js';
import alterConfigsHandler from '../../src/broker/handlers/33-alter-configs.js';
import createPartitionsHandler from '../../src/broker/handlers/37-create-partitions.js';
import incrementalAlterHandler from '../../src/broker/handlers/44-incremental-alter-configs.js';
import listReassignmentsHandler from '../../src/broker/handlers/46-list-partition-reassignments.js';
import describeClusterHandler from '../../src/broker/handlers/60-describe-cluster.js';
import { openCluster, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

type Obj = Record<string, any>;

async function setup(overrides: Partial<BrokerConfig> = {}) {
  const opened = await openCluster(tempDir(), {
    brokerId: 1,
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19092 }],
    ...overrides,
  });
  const lines: string[] = [];
  const services = {
    config: opened.config,
    metadata: opened.cluster,
    log: (line: string) => lines.push(line),
  } as unknown as BrokerServices;

  async function call(handler: ApiHandler<any, any>, version: number, request: Obj): Promise<Obj> {
    const bytes = Buffer.concat(encodeRequest(handler.apiKey, version, request));
    const decoded = decodeRequest(handler.apiKey, version, new ByteReader(bytes));
    const ctx = { apiKey: handler.apiKey, apiVersion: version, correlationId: 1, clientId: 'test', clientHost: '/127.0.0.1', connectionId: 1 };
    const response = await handler.handle(decoded, ctx, services);
    if (response === NO_RESPONSE) throw new Error('unexpected NO_RESPONSE');
    const out = Buffer.concat(encodeResponse(handler.apiKey, version, response));
    return decodeResponse(handler.apiKey, version, new ByteReader(out)) as Obj;
  }
  return { ...opened, call, lines };
}

describe('Metadata handler', () => {
  it('v0: empty list means all topics; brokers carry the advertised endpoint', async () => {
    const { cluster, call } = await setup();
    await cluster.createTopic('a', { numPartitions: 2, replicationFactor: 1 });
    const res = await call(metadataHandler, 0, { topics: [] });
    expect(res.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: 19092, rack: null }]);
    expect(res.topics.map((t: Obj) => t.name)).toEqual(['a']);
    expect(res.topics[0].partitions[1]).toMatchObject({ errorCode: 0, partitionIndex: 1, leaderId: 1, replicaNodes: [1], isrNodes: [1] });
  });

  it('v1+: null is all, empty is none; controller and cluster id are real', async () => {
    const { cluster, call } = await setup();
    await cluster.createTopic('a', { numPartitions: 1, replicationFactor: 1 });
    expect((await call(metadataHandler, 1, { topics: null })).topics).toHaveLength(1);
    const none = await call(metadataHandler, 9, { topics: [], allowAutoTopicCreation: true });
    expect(none.topics).toEqual([]);
    expect(none.controllerId).toBe(1);
    expect(none.clusterId).toBe(cluster.clusterId);
  });

  it('auto-creates requested topics when allowed, otherwise UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const { cluster, call } = await setup({ numPartitions: 3 });
    const denied = await call(metadataHandler, 4, { topics: [{ name: 'x' }], allowAutoTopicCreation: false });
    expect(denied.topics[0]).toMatchObject({ name: 'x', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] });
    expect(cluster.topic('x')).toBeUndefined();
    const created = await call(metadataHandler, 1, { topics: [{ name: 'x' }] });
    expect(created.topics[0]).toMatchObject({ name: 'x', errorCode: 0, isInternal: false });
    expect(created.topics[0].partitions).toHaveLength(3);
    const bad = await call(metadataHandler, 4, { topics: [{ name: 'bad name' }], allowAutoTopicCreation: true });
    expect(bad.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const off = await setup({ autoCreateTopicsEnable: false });
    const res = await off.call(metadataHandler, 1, { topics: [{ name: 'y' }] });
    expect(res.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('v10+ returns topic ids and leader epochs; v12 looks topics up by id', async () => {
    const { cluster, call } = await setup();
    const t = await cluster.createTopic('ids', { numPartitions: 1, replicationFactor: 1 });
    const v10 = await call(metadataHandler, 10, { topics: [{ name: 'ids' }], allowAutoTopicCreation: false });
    expect(v10.topics[0].topicId).toBe(t.topicId);
    expect(v10.topics[0].partitions[0].leaderEpoch).toBe(0);
    const v12 = await call(metadataHandler, 12, { topics: [{ name: null, topicId: t.topicId }], allowAutoTopicCreation: false });
    expect(v12.topics[0]).toMatchObject({ name: 'ids', topicId: t.topicId, errorCode: 0 });
    const missing = await call(metadataHandler, 12, { topics: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }] });
    expect(missing.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });
});

describe('CreateTopics / DeleteTopics / CreatePartitions handlers', () => {
  it('CreateTopics v7: -1 defaults, topic id, configs; per-topic errors with messages', async () => {
    const { cluster, call } = await setup({ numPartitions: 2 });
    const res = await call(createTopicsHandler, 7, {
      topics: [
        { name: 'c1', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] },
        { name: 'c2', numPartitions: 1, replicationFactor: 5, assignments: [], configs: [] },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const [ok, bad] = res.topics;
    expect(ok).toMatchObject({ name: 'c1', errorCode: 0, numPartitions: 2, replicationFactor: 1, topicId: cluster.topic('c1')?.topicId });
    expect(ok.configs.find((c: Obj) => c.name === 'retention.ms')).toMatchObject({ value: '1000', configSource: 1 });
    expect(bad).toMatchObject({
      name: 'c2',
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: 'Replication factor: 5 larger than available brokers: 1.',
    });
    const again = await call(createTopicsHandler, 2, {
      topics: [{ name: 'c1', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
    });
    expect(again.topics[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 'c1' already exists." });
  });

  it('CreateTopics validateOnly and manual assignments', async () => {
    const { cluster, call } = await setup();
    const dry = await call(createTopicsHandler, 5, {
      topics: [{ name: 'dry', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: true,
    });
    expect(dry.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 3 });
    expect(cluster.topic('dry')).toBeUndefined();
    const manual = await call(createTopicsHandler, 4, {
      topics: [{ name: 'm', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 1, brokerIds: [1] }], configs: [] }],
      timeoutMs: 1000,
    });
    expect(manual.topics[0].errorCode).toBe(0);
    expect(cluster.topic('m')?.partitions.map((p) => p.replicas)).toEqual([[1], [1]]);
    const unknownBroker = await call(createTopicsHandler, 4, {
      topics: [{ name: 'm2', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [9] }], configs: [] }],
      timeoutMs: 1000,
    });
    expect(unknownBroker.topics[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  });

  it('DeleteTopics by name (v1) and by id (v6)', async () => {
    const { cluster, call } = await setup();
    await cluster.createTopic('d1', { numPartitions: 1, replicationFactor: 1 });
    const d2 = await cluster.createTopic('d2', { numPartitions: 1, replicationFactor: 1 });
    const v1 = await call(deleteTopicsHandler, 1, { topicNames: ['d1', 'nope'], timeoutMs: 1000 });
    expect(v1.responses.map((r: Obj) => [r.name, r.errorCode])).toEqual([['d1', 0], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
    const v6 = await call(deleteTopicsHandler, 6, { topics: [{ name: null, topicId: d2.topicId }], timeoutMs: 1000 });
    expect(v6.responses[0]).toMatchObject({ name: 'd2', topicId: d2.topicId, errorCode: 0 });
    expect(cluster.topics()).toEqual([]);
  });

  it('CreatePartitions grows a topic and reports INVALID_PARTITIONS', async () => {
    const { cluster, call } = await setup();
    await cluster.createTopic('p', { numPartitions: 1, replicationFactor: 1 });
    const res = await call(createPartitionsHandler, 3, {
      topics: [{ name: 'p', count: 4, assignments: null }, { name: 'missing', count: 2, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(res.results.map((r: Obj) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(cluster.topic('p')?.partitions).toHaveLength(4);
    const shrink = await call(createPartitionsHandler, 0, { topics: [{ name: 'p', count: 2, assignments: null }], timeoutMs: 1000 });
    expect(shrink.results[0].errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
  });
});

describe('config handlers', () => {
  it('DescribeConfigs v0 isDefault, v4 sources, synonyms and documentation', async () => {
    const { cluster, call } = await setup({ raw: { 'log.segment.bytes': '1073741824' } });
    await cluster.createTopic('t', { numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } });
    const v0 = await call(describeConfigsHandler, 0, { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }] });
    const cleanup0 = v0.results[0].configs.find((c: Obj) => c.name === 'cleanup.policy');
    expect(cleanup0).toMatchObject({ value: 'compact', isDefault: false });
    const v4 = await call(describeConfigsHandler, 4, {
      resources: [
        { resourceType: 2, resourceName: 't', configurationKeys: ['segment.bytes', 'cleanup.policy', 'retention.ms'] },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions'] },
      ],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const [topic, missing, broker] = v4.results;
    expect(topic.configs.map((c: Obj) => [c.name, c.value, c.configSource])).toEqual([
      ['segment.bytes', '1073741824', 4],
      ['cleanup.policy', 'compact', 1],
      ['retention.ms', '604800000', 5],
    ]);
    expect(topic.configs[1].synonyms[0]).toEqual({ name: 'cleanup.policy', value: 'compact', source: 1 });
    expect(typeof topic.configs[0].documentation).toBe('string');
    expect(missing.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(broker.configs).toEqual([
      expect.objectContaining({ name: 'num.partitions', value: '1', configSource: 5, readOnly: false }),
    ]);
  });

  it('AlterConfigs replaces overrides; IncrementalAlterConfigs edits them; errors are per resource', async () => {
    const { cluster, call, logs } = await setup();
    await cluster.createTopic('t', { numPartitions: 1, replicationFactor: 1, configs: { 'segment.ms': '5000' } });
    const alter = await call(alterConfigsHandler, 1, {
      resources: [
        { resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '100' }] },
        { resourceType: 2, resourceName: 'nope', configs: [] },
      ],
      validateOnly: false,
    });
    expect(alter.responses.map((r: Obj) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(cluster.topic('t')?.configs).toEqual({ 'retention.ms': '100' });
    expect(logs.fake('t', 0)?.config.retentionMs).toBe(100);

    const inc = await call(incrementalAlterHandler, 1, {
      resources: [
        { resourceType: 2, resourceName: 't', configs: [{ name: 'max.message.bytes', configOperation: 0, value: '2048' }, { name: 'retention.ms', configOperation: 1, value: null }] },
        { resourceType: 2, resourceName: 't', configs: [{ name: 'bogus', configOperation: 0, value: '1' }] },
      ],
      validateOnly: false,
    });
    expect(inc.responses[0].errorCode).toBe(0);
    expect(inc.responses[1]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: bogus' });
    expect(cluster.topic('t')?.configs).toEqual({ 'max.message.bytes': '2048' });
    expect(logs.fake('t', 0)?.config.maxMessageBytes).toBe(2048);
  });
});

describe('DescribeCluster and ListPartitionReassignments', () => {
  it('describes the cluster of one', async () => {
    const { cluster, call } = await setup();
    const res = await call(describeClusterHandler, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    expect(res).toMatchObject({ errorCode: 0, clusterId: cluster.clusterId, controllerId: 1, endpointType: 1 });
    expect(res.brokers).toEqual([{ brokerId: 1, host: '127.0.0.1', port: 19092, rack: null }]);
  });

  it('lists no reassignments', async () => {
    const { call } = await setup();
    const res = await call(listReassignmentsHandler, 0, { timeoutMs: 1000, topics: null });
    expect(res).toMatchObject({ errorCode: 0, topics: [] });
  });
});
