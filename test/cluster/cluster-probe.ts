/** Small protocol probes for cluster tests: Metadata and CreateTopics against one node, with our network client. */
import { NetworkClient } from '../../src/network/index.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import type { CreateTopicsResponse, DeleteTopicsResponse, MetadataResponse } from '../../src/protocol/generated/types.js';

async function withClient<T>(fn: (client: NetworkClient) => Promise<T>): Promise<T> {
  const client = new NetworkClient({ clientId: 'cluster-probe', requestTimeoutMs: 10_000, connectTimeoutMs: 2_000 });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export interface ProbedMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number }[];
  topics: { name: string | null; errorCode: number; partitions: { partitionIndex: number; leaderId: number; leaderEpoch: number; replicaNodes: number[]; isrNodes: number[] }[] }[];
}

export function metadataOf(host: string, port: number, topics: string[] | null = []): Promise<ProbedMetadata> {
  return withClient(async (client) => {
    const { response } = await client.send<MetadataResponse>({ host, port }, ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }, { minVersion: 9, maxVersion: 12 });
    return response as unknown as ProbedMetadata;
  });
}

export function createTopic(host: string, port: number, name: string, numPartitions: number, replicationFactor: number): Promise<{ errorCode: number; errorMessage: string | null }> {
  return withClient(async (client) => {
    const { response } = await client.send<CreateTopicsResponse>({ host, port }, ApiKey.CreateTopics, {
      topics: [{ name, numPartitions, replicationFactor, assignments: [], configs: [] }],
      timeoutMs: 30_000,
      validateOnly: false,
    }, { minVersion: 5, maxVersion: 7 });
    return response.topics[0]!;
  });
}

export function deleteTopic(host: string, port: number, name: string): Promise<number> {
  return withClient(async (client) => {
    const { response } = await client.send<DeleteTopicsResponse>({ host, port }, ApiKey.DeleteTopics, { topics: [], topicNames: [name], timeoutMs: 30_000 }, { minVersion: 4, maxVersion: 5 });
    return response.responses[0]!.errorCode;
  });
}
