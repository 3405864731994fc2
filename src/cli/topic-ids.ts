/**
 * Topic ids for `kafka-topics --describe`. kafkajs speaks Metadata v6 at most and
 * never shows topic ids, so we ask the broker ourselves over one short-lived
 * socket: ApiVersions v0 to learn the Metadata range, then Metadata v10..v12
 * (topic ids arrived in v10, KIP-516). Best effort: any failure yields no ids,
 * and describe then prints the header without `TopicId:` as Kafka does for
 * brokers without ids.
 */
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { MetadataResponse } from '../protocol/generated/types.js';
import { splitHostPort } from './connection.js';
import { BrokerConnection } from './wire-client.js';

const CLIENT_ID = 'kafka-topics';

/**
 * Topic name → 22-character topic id, for the topics given (all topics when the
 * list is empty). Empty map when the broker has no ids or cannot be asked.
 */
export async function fetchTopicIds(brokers: readonly string[], topics: readonly string[], timeoutMs = 3000, properties: Record<string, string> = {}): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const entry of brokers) {
    const address = splitHostPort(entry);
    if (!address) continue;
    let connection: BrokerConnection | undefined;
    try {
      connection = await BrokerConnection.open(`${address.host}:${address.port}`, CLIENT_ID, timeoutMs, properties);
      const metadataRange = connection.brokerVersions.get(ApiKey.Metadata);
      if (!metadataRange || metadataRange.maxVersion < 10) return ids;
      const version = Math.min(12, metadataRange.maxVersion);
      const response = await connection.request<MetadataResponse>(ApiKey.Metadata, version, {
        topics: topics.length === 0 ? null : topics.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })),
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      for (const topic of response.topics) {
        if (topic.name && topic.errorCode === 0 && topic.topicId) ids.set(topic.name, topic.topicId);
      }
      return ids;
    } catch {
      // try the next bootstrap broker
    } finally {
      connection?.close();
    }
  }
  return ids;
}
