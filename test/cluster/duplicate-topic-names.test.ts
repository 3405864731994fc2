/**
 * A topic named twice in one CreateTopics, CreatePartitions or DeleteTopics
 * request: as Kafka's controller does, none of its entries is acted on and the
 * name (or topic id) is answered once with INVALID_REQUEST. librdkafka fails the
 * whole request when a response names a topic twice. Handlers run through the
 * wire codec against a real ClusterMetadata (fake logs).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/codec.js';
import { ByteReader } from '../../src/protocol/primitives.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { NO_RESPONSE, type ApiHandler } from '../../src/broker/handler.js';
import type { BrokerServices } from '../../src/broker/services/index.js';
import createTopicsHandler from '../../src/broker/handlers/19-create-topics.js';
import deleteTopicsHandler from '../../src/broker/handlers/20-delete-topics.js';
import createPartitionsHandler from '../../src/broker/handlers/37-create-partitions.js';
import { openCluster, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

type Obj = Record<string, unknown>;
interface TopicResult {
  name: string | null;
  topicId?: string;
  errorCode: number;
  errorMessage: string | null;
}

async function setup() {
  const opened = await openCluster(tempDir(), { brokerId: 1, listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19092 }] });
  const services = { config: opened.config, metadata: opened.cluster, log: () => {} } as unknown as BrokerServices;
  async function call(handler: ApiHandler<Obj, Obj>, version: number, request: Obj): Promise<Obj> {
    const bytes = Buffer.concat(encodeRequest(handler.apiKey, version, request));
    const decoded = decodeRequest(handler.apiKey, version, new ByteReader(bytes)) as Obj;
    const ctx = { apiKey: handler.apiKey, apiVersion: version, correlationId: 1, clientId: 'test', clientHost: '/127.0.0.1', connectionId: 1 };
    const response = await handler.handle(decoded, ctx, services);
    if (response === NO_RESPONSE) throw new Error('unexpected NO_RESPONSE');
    return decodeResponse(handler.apiKey, version, new ByteReader(Buffer.concat(encodeResponse(handler.apiKey, version, response)))) as Obj;
  }
  return { cluster: opened.cluster, call };
}

const brief = (results: TopicResult[]) => results.map((r) => [r.name, r.errorCode, r.errorMessage]);
const newTopic = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] });

describe('a topic named twice in one request', () => {
  it('CreateTopics creates neither entry and answers the name once, after the others', async () => {
    const { cluster, call } = await setup();
    const res = await call(createTopicsHandler as unknown as ApiHandler<Obj, Obj>, 5, {
      topics: [newTopic('twice', 1), newTopic('once', 2), newTopic('twice', 3)],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(brief(res.topics as TopicResult[])).toEqual([
      ['once', ErrorCode.NONE, null],
      ['twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
    ]);
    expect(cluster.topic('twice')).toBeUndefined();
    expect(cluster.topic('once')?.partitions).toHaveLength(2);
  });

  it('CreatePartitions grows by neither entry and answers the name once, first', async () => {
    const { cluster, call } = await setup();
    await cluster.createTopic('grow', { numPartitions: 1, replicationFactor: 1 });
    await cluster.createTopic('other', { numPartitions: 1, replicationFactor: 1 });
    const res = await call(createPartitionsHandler as unknown as ApiHandler<Obj, Obj>, 1, {
      topics: [{ name: 'other', count: 2, assignments: null }, { name: 'grow', count: 3, assignments: null }, { name: 'grow', count: 4, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(brief(res.results as TopicResult[])).toEqual([
      ['grow', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
      ['other', ErrorCode.NONE, null],
    ]);
    expect(cluster.topic('grow')?.partitions).toHaveLength(1);
    expect(cluster.topic('other')?.partitions).toHaveLength(2);
  });

  it('DeleteTopics deletes nothing for a repeated name (v1) or topic id (v6) and answers each once', async () => {
    const { cluster, call } = await setup();
    await cluster.createTopic('kept', { numPartitions: 1, replicationFactor: 1 });
    const byId = await cluster.createTopic('kept-by-id', { numPartitions: 1, replicationFactor: 1 });
    await cluster.createTopic('gone', { numPartitions: 1, replicationFactor: 1 });
    const v1 = await call(deleteTopicsHandler as unknown as ApiHandler<Obj, Obj>, 1, { topicNames: ['kept', 'gone', 'kept'], timeoutMs: 1000 });
    expect((v1.responses as TopicResult[]).map((r) => [r.name, r.errorCode])).toEqual([
      ['kept', ErrorCode.INVALID_REQUEST],
      ['gone', ErrorCode.NONE],
    ]);
    const v6 = await call(deleteTopicsHandler as unknown as ApiHandler<Obj, Obj>, 6, {
      topics: [{ name: null, topicId: byId.topicId }, { name: null, topicId: byId.topicId }],
      timeoutMs: 1000,
    });
    expect((v6.responses as TopicResult[]).map((r) => [r.name, r.topicId, r.errorCode, r.errorMessage])).toEqual([
      [null, byId.topicId, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.'],
    ]);
    expect(cluster.topic('kept')).toBeDefined();
    expect(cluster.topic('kept-by-id')).toBeDefined();
    expect(cluster.topic('gone')).toBeUndefined();
  });
});
