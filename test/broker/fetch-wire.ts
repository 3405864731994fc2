/**
 * A minimal Kafka wire client for broker tests: one socket, requests encoded and
 * responses decoded with the project's generated codec, answered in order.
 */
import net from 'node:net';
import {
  ByteReader,
  decodeResponse,
  encodeRequest,
  encodeRequestFrame,
  readResponseHeader,
} from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';

interface Pending {
  apiKey: number;
  version: number;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
}

export class WireClient {
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, Pending>();
  private correlationId = 1;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(err));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static connect(port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new WireClient(socket)));
      socket.once('error', reject);
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < 4 + size) return;
      const frame = this.buffer.subarray(4, 4 + size);
      this.buffer = this.buffer.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (!p) continue;
      this.pending.delete(correlationId);
      try {
        const header = readResponseHeader(frame, p.apiKey, p.version);
        p.resolve(decodeResponse(p.apiKey, p.version, new ByteReader(frame.subarray(header.bodyOffset))));
      } catch (err) {
        p.reject(err as Error);
      }
    }
  }

  send<T = Record<string, any>>(apiKey: number, version: number, body: Record<string, unknown>): Promise<T> {
    const correlationId = this.correlationId++;
    const frame = encodeRequestFrame(apiKey, version, correlationId, 'wire-test', encodeRequest(apiKey, version, body));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, version, resolve: resolve as (b: unknown) => void, reject });
      this.socket.write(Buffer.concat(frame));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Creates a topic (CreateTopics v7) and returns its id. */
  async createTopic(name: string, partitions = 1): Promise<string> {
    const res = await this.send(19, 7, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const topic = res.topics[0];
    if (topic.errorCode !== 0) throw new Error(`create ${name}: error ${topic.errorCode}`);
    return topic.topicId as string;
  }

  async deleteTopic(name: string): Promise<void> {
    const res = await this.send(20, 4, { topicNames: [name], timeoutMs: 5000 });
    if (res.responses[0].errorCode !== 0) throw new Error(`delete ${name}: error ${res.responses[0].errorCode}`);
  }

  /** Produces `count` records (Produce v9) and returns the partition response. */
  async produce(topic: string, partition: number, values: string[], batch?: Buffer): Promise<Record<string, any>> {
    const records = batch ?? buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
    const res = await this.send(0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    });
    return res.responses[0].partitionResponses[0];
  }
}
