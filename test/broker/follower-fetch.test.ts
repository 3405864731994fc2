/**
 * A follower's Fetch through the Produce and Fetch handlers and the codec, against a
 * real replica manager and log led by broker 1 with broker 2 in the ISR: the replica id
 * (the ReplicaId field below v15, ReplicaState from v15) reaches the replica manager, the
 * follower reads past the high watermark, and its next fetch offset moves the high
 * watermark and answers the waiting acks=all Produce.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fetchHandler from '../../src/broker/handlers/01-fetch.js';
import produceHandler from '../../src/broker/handlers/00-produce.js';
import type { RequestContext } from '../../src/broker/handler.js';
import type { BrokerServices } from '../../src/broker/services/index.js';
import type { MetadataService, PartitionState } from '../../src/broker/services/metadata-service.js';
import { ReplicaManager } from '../../src/broker/replica-manager.js';
import { FetchSessionCache } from '../../src/broker/fetch-sessions.js';
import { brokerConfig } from '../../src/broker/config.js';
import { PartitionLog, defaultLogConfig } from '../../src/storage/partition-log.js';
import { ByteReader, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const TOPIC = 'replicated';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function setUp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'follower-fetch-'));
  dirs.push(d);
  const log = PartitionLog.open(path.join(d, `${TOPIC}-0`), defaultLogConfig());
  const state: PartitionState = { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2], isr: [1, 2], offlineReplicas: [] };
  const topic = { name: TOPIC, topicId: 'cmVwbGljYXRlZC10b3BpYw', internal: false, partitions: [state], configs: {} };
  const metadata = {
    brokerId: 1,
    brokers: () => [],
    topics: () => [topic],
    topic: (name: string) => (name === TOPIC ? topic : undefined),
    topicById: (id: string) => (id === topic.topicId ? topic : undefined),
    getPartition: (name: string, p: number) => (name === TOPIC && p === 0 ? { state, log } : undefined),
  } as unknown as MetadataService;
  const replicas = new ReplicaManager(1, metadata);
  const services = {
    config: brokerConfig({ brokerId: 1 }),
    metadata,
    data: replicas,
    fetchSessions: new FetchSessionCache(),
  } as unknown as BrokerServices;
  return { log, replicas, services };
}

async function call(apiKey: number, version: number, body: Record<string, unknown>, services: BrokerServices): Promise<Record<string, any>> {
  const handler = apiKey === 0 ? produceHandler : fetchHandler;
  const request = decodeRequest(apiKey, version, new ByteReader(Buffer.concat(encodeRequest(apiKey, version, body))));
  const ctx: RequestContext = { apiKey, apiVersion: version, correlationId: 1, clientId: 't', clientHost: '/127.0.0.1', connectionId: 1 };
  const response = await handler.handle(request as never, ctx, services);
  return decodeResponse(apiKey, version, new ByteReader(Buffer.concat(encodeResponse(apiKey, version, response))));
}

function fetchBody(replicaId: number, fetchOffset: number) {
  return {
    replicaId,
    replicaState: { replicaId, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: TOPIC,
        topicId: 'cmVwbGljYXRlZC10b3BpYw',
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(fetchOffset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

describe('follower Fetch', () => {
  for (const version of [11, 15]) {
    it(`v${version}: the follower reads past the high watermark and its fetch offset completes acks=all`, async () => {
      const { log, replicas, services } = setUp();
      let answered = false;
      const produced = call(
        0,
        9,
        {
          transactionalId: null,
          acks: -1,
          timeoutMs: 30_000,
          topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: buildRecordBatch([{ key: null, value: Buffer.from('a') }, { key: null, value: Buffer.from('b') }]) }] }],
        },
        services,
      ).then((r) => {
        answered = true;
        return r;
      });
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(answered).toBe(false);

      const first = (await call(1, version, fetchBody(2, 0), services)).responses[0].partitions[0];
      expect(first.errorCode).toBe(ErrorCode.NONE);
      expect(first.highWatermark).toBe(0n);
      expect(first.records.length).toBeGreaterThan(0);
      // a consumer (replica id -1) sees nothing yet
      expect((await call(1, version, fetchBody(-1, 0), services)).responses[0].partitions[0].records.length).toBe(0);
      expect(answered).toBe(false);

      const second = (await call(1, version, fetchBody(2, 2), services)).responses[0].partitions[0];
      expect(second.highWatermark).toBe(2n);
      const response = await produced;
      expect(response.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
      // a broker that is not a replica of the partition is refused
      expect((await call(1, version, fetchBody(7, 2), services)).responses[0].partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      replicas.close();
      log.close();
    });
  }
});
