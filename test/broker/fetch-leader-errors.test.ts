/**
 * Fetch's leader checks through the codec against fake metadata: a stale
 * CurrentLeaderEpoch is FENCED_LEADER_EPOCH and a partition led elsewhere is
 * NOT_LEADER_OR_FOLLOWER, both with the `currentLeader` tagged field (v12+) and,
 * from v16, the leader's endpoint in NodeEndpoints. Nothing is read from a log.
 */
import { describe, expect, it } from 'vitest';
import fetchHandler from '../../src/broker/handlers/01-fetch.js';
import type { RequestContext } from '../../src/broker/handler.js';
import type { BrokerServices } from '../../src/broker/services/index.js';
import { FetchSessionCache } from '../../src/broker/fetch-sessions.js';
import { ByteReader, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { brokerConfig } from '../../src/broker/config.js';

const TOPIC_ID = 'dGVzdC10b3BpYy1pZC0xMg';
const reads: string[] = [];

function services(): BrokerServices {
  const topic = {
    name: 'remote',
    topicId: TOPIC_ID,
    internal: false,
    configs: {},
    partitions: [{ partition: 0, leader: 2, leaderEpoch: 5, replicas: [2, 1], isr: [2, 1], offlineReplicas: [] }],
  };
  return {
    config: brokerConfig({ brokerId: 1 }),
    metadata: {
      brokerId: 1,
      brokers: () => [
        { nodeId: 1, host: 'self', port: 9092, rack: null },
        { nodeId: 2, host: 'leader-host', port: 9093, rack: 'r2' },
      ],
      topic: (name: string) => (name === 'remote' ? topic : undefined),
      topicById: (id: string) => (id === TOPIC_ID ? topic : undefined),
      getPartition: (name: string, p: number) => (name === 'remote' && p === 0 ? { state: topic.partitions[0], log: {} } : undefined),
    },
    data: {
      readRecords: (t: string, p: number) => {
        reads.push(`${t}-${p}`);
        return { errorCode: 0, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, records: Buffer.alloc(0) };
      },
      waitForData: async () => {},
    },
    fetchSessions: new FetchSessionCache(),
  } as unknown as BrokerServices;
}

async function roundTrip(version: number, currentLeaderEpoch: number): Promise<Record<string, any>> {
  const body = encodeRequest(1, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1000,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: 'remote',
        topicId: TOPIC_ID,
        partitions: [{ partition: 0, currentLeaderEpoch, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1000 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const request = decodeRequest(1, version, new ByteReader(Buffer.concat(body)));
  const ctx: RequestContext = { apiKey: 1, apiVersion: version, correlationId: 1, clientId: 't', clientHost: '/127.0.0.1', connectionId: 1 };
  const response = await fetchHandler.handle(request as never, ctx, services());
  return decodeResponse(1, version, new ByteReader(Buffer.concat(encodeResponse(1, version, response))));
}

describe('Fetch leader errors', () => {
  it('NOT_LEADER_OR_FOLLOWER names the current leader (v12+) and its endpoint (v16+)', async () => {
    const v16 = await roundTrip(16, 5);
    const p = v16.responses[0].partitions[0];
    expect(p.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(p.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 5 });
    expect(v16.nodeEndpoints).toEqual([{ nodeId: 2, host: 'leader-host', port: 9093, rack: 'r2' }]);
    const v12 = await roundTrip(12, -1);
    expect(v12.responses[0].partitions[0].currentLeader).toEqual({ leaderId: 2, leaderEpoch: 5 });
    expect(v12.nodeEndpoints).toEqual([]);
    expect(reads).toEqual([]);
  });

  it('a stale CurrentLeaderEpoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH (checked before leadership)', async () => {
    const fenced = (await roundTrip(13, 4)).responses[0];
    expect(fenced.topicId).toBe(TOPIC_ID);
    expect(fenced.partitions[0].errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(fenced.partitions[0].currentLeader).toEqual({ leaderId: 2, leaderEpoch: 5 });
    const future = (await roundTrip(13, 6)).responses[0].partitions[0];
    expect(future.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(future.currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
    // below v9 there is no CurrentLeaderEpoch: only leadership counts
    expect((await roundTrip(8, 4)).responses[0].partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
