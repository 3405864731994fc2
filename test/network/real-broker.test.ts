/**
 * The network client against the project's broker, in process: the handshake the
 * broker answers, many requests pipelined on one connection, the broker closing
 * on a request it does not serve, and NetworkClient going from the bootstrap
 * list to a node named by Metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaConnection, NetworkClient, NetworkError } from '../../src/network/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import type { CreateTopicsResponse, ListOffsetsResponse, MetadataResponse } from '../../src/protocol/generated/types.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { closedPort } from './fake-broker.js';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker.close();
});

function metadataRequest(topics: string[] | null) {
  return { topics: topics?.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })) ?? null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
}

describe('KafkaConnection against the broker', () => {
  it('completes the ApiVersions v4 handshake and speaks Metadata at the highest common version', async () => {
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port: broker.port }, { clientId: 'network-test' });
    try {
      expect(connection.apiVersionsVersion).toBe(4);
      expect(connection.brokerVersions.get(ApiKey.ApiVersions)).toEqual({ minVersion: 0, maxVersion: 4 });
      const version = connection.usableVersion(ApiKey.Metadata);
      expect(version).toBe(Math.min(connection.brokerVersions.get(ApiKey.Metadata)!.maxVersion, 12));
      const metadata = await connection.request<MetadataResponse>(ApiKey.Metadata, version, metadataRequest(null));
      expect(metadata.brokers).toEqual([expect.objectContaining({ nodeId: 0, port: broker.port })]);
    } finally {
      connection.close();
    }
  });

  it('answers 40 pipelined requests, each with its own response', async () => {
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port: broker.port }, { clientId: 'network-test' });
    try {
      const version = connection.usableVersion(ApiKey.Metadata);
      const names = Array.from({ length: 40 }, (_, i) => `absent-${i}`);
      const answers = names.map((name) => connection.request<MetadataResponse>(ApiKey.Metadata, version, metadataRequest([name])));
      expect(connection.inFlightCount).toBeGreaterThan(1);
      const responses = await Promise.all(answers);
      expect(responses.map((r) => r.topics[0].name)).toEqual(names);
      expect(responses.every((r) => r.topics[0].errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe(true);
    } finally {
      connection.close();
    }
  });

  it('a request for an API the broker does not serve ends in disconnected (the broker closes the connection)', async () => {
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port: broker.port }, { clientId: 'network-test' });
    expect(connection.brokerVersions.has(ApiKey.DescribeDelegationToken)).toBe(false);
    const err = await connection.request(ApiKey.DescribeDelegationToken, 1, { owners: null }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ kind: 'disconnected', host: '127.0.0.1', port: broker.port });
    expect(connection.isClosed).toBe(true);
  });
});

describe('NetworkClient against the broker', () => {
  it('bootstraps past a dead endpoint, creates a topic, and reaches the partition leader Metadata names over the same connection', async () => {
    const dead = await closedPort();
    const client = new NetworkClient({ clientId: 'network-test', bootstrap: [{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: broker.port }] });
    try {
      const boot = await client.bootstrapConnection();
      const created = await boot.request<CreateTopicsResponse>(ApiKey.CreateTopics, boot.usableVersion(ApiKey.CreateTopics, 0, 5), {
        topics: [{ name: 'network-client', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 10_000,
        validateOnly: false,
      });
      expect(created.topics[0].errorCode).toBe(ErrorCode.NONE);

      const { response: metadata } = await client.send<MetadataResponse>(boot.endpoint, ApiKey.Metadata, metadataRequest(['network-client']), { minVersion: 1 });
      const leaderId = metadata.topics[0].partitions[0].leaderId;
      const leader = metadata.brokers.find((b) => b.nodeId === leaderId)!;
      const leaderConnection = await client.connection({ host: leader.host, port: leader.port, nodeId: leader.nodeId });
      expect(leaderConnection).toBe(boot);

      const { response: offsets } = await client.send<ListOffsetsResponse>(leaderConnection.endpoint, ApiKey.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 'network-client', partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 })) }],
        timeoutMs: 10_000,
      }, { minVersion: 1 });
      expect(offsets.topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode, p.offset])).toEqual([[0, 0, 0n], [1, 0, 0n]]);
    } finally {
      client.close();
    }
  });
});
