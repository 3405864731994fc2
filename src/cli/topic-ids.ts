/**
 * Topic ids for `kafka-topics --describe`. kafkajs speaks Metadata v6 at most and
 * never shows topic ids, so we ask the broker ourselves over one short-lived
 * socket: ApiVersions v0 to learn the Metadata range, then Metadata v10..v12
 * (topic ids arrived in v10, KIP-516). Best effort: any failure yields no ids,
 * and describe then prints the header without `TopicId:` as Kafka does for
 * brokers without ids.
 */
import net from 'node:net';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { ApiVersionsResponse, MetadataResponse } from '../protocol/generated/types.js';
import { decodeResponse, encodeRequest } from '../protocol/codec.js';
import { encodeRequestFrame, readResponseHeader, splitFrames } from '../protocol/frame.js';
import { ByteReader } from '../protocol/primitives.js';
import { splitHostPort } from './connection.js';

const CLIENT_ID = 'kafka-topics';

/** One socket, one request at a time: for APIs kafkajs does not speak (also used by kafka-consumer-groups). */
export class OneShotConnection {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | undefined;
  private failed: Error | undefined;
  private onFail: ((err: Error) => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      const { frames, consumed } = splitFrames(this.buffered, 64 * 1024 * 1024);
      this.buffered = this.buffered.subarray(consumed);
      for (const frame of frames) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve?.(frame);
      }
    });
    const fail = (err: Error): void => {
      this.failed = err;
      this.onFail?.(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static open(host: string, port: number, timeoutMs: number): Promise<OneShotConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: host || 'localhost', port });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timed out')));
      socket.once('connect', () => resolve(new OneShotConnection(socket)));
      socket.once('error', reject);
    });
  }

  request<T>(apiKey: number, apiVersion: number, correlationId: number, body: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failed) {
        reject(this.failed);
        return;
      }
      this.onFail = reject;
      this.waiting = (frame) => {
        try {
          const header = readResponseHeader(frame, apiKey, apiVersion);
          resolve(decodeResponse<T>(apiKey, apiVersion, new ByteReader(frame, header.bodyOffset)));
        } catch (err) {
          reject(err as Error);
        }
      };
      for (const chunk of encodeRequestFrame(apiKey, apiVersion, correlationId, CLIENT_ID, encodeRequest(apiKey, apiVersion, body))) {
        this.socket.write(chunk);
      }
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Topic name → 22-character topic id, for the topics given (all topics when the
 * list is empty). Empty map when the broker has no ids or cannot be asked.
 */
export async function fetchTopicIds(brokers: readonly string[], topics: readonly string[], timeoutMs = 3000): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const entry of brokers) {
    const address = splitHostPort(entry);
    if (!address) continue;
    let connection: OneShotConnection | undefined;
    try {
      connection = await OneShotConnection.open(address.host, address.port, timeoutMs);
      const versions = await connection.request<ApiVersionsResponse>(ApiKey.ApiVersions, 0, 1, {});
      const metadataRange = versions.apiKeys.find((k) => k.apiKey === ApiKey.Metadata);
      if (!metadataRange || metadataRange.maxVersion < 10) return ids;
      const version = Math.min(12, metadataRange.maxVersion);
      const response = await connection.request<MetadataResponse>(ApiKey.Metadata, version, 2, {
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
