/**
 * A fast producer for the perf and verification tools, written on the project's own
 * wire client (src/network) and record batches (src/protocol/records) rather than
 * kafkajs: records are appended to one open batch per partition, a batch is sent when
 * it holds batch.size bytes or linger.ms has passed, up to
 * max.in.flight.requests.per.connection Produce requests per leader, as Kafka's
 * RecordAccumulator + Sender do. Keyless records stick to one partition per batch
 * (KIP-480), keyed ones go where murmur2 puts them. Every record gets a callback with
 * its offset (batch base offset + its index) or the Java exception Kafka's client
 * would raise, so tools print what Kafka's tools print.
 *
 * Retriable errors (no leader, not leader, network) refresh metadata and resend the
 * batch until `retries` is used up or delivery.timeout.ms has passed.
 */
import { ApiKey } from '../protocol/generated/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import type { MetadataResponse, ProduceResponse } from '../protocol/generated/types.js';
import { ZERO_UUID } from '../protocol/primitives.js';
import { buildRecordBatch, type RecordInput } from '../protocol/records/record.js';
import type { CompressionCodec } from '../protocol/records/compression.js';
import { CliError } from './errors.js';
import { javaException, type JavaException } from './java-errors.js';
import { WireAdmin, type BrokerConnection, type BrokerNode } from './wire-client.js';

export interface SendRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** CreateTime in ms (default: now) */
  timestamp?: number;
  /** a fixed partition; otherwise the key's murmur2 partition, or the sticky one */
  partition?: number;
}

export interface RecordAck {
  topic: string;
  partition: number;
  /** -1 with acks=0, as Kafka's RecordMetadata */
  offset: bigint;
}

/** Called once per record: an exception, or where the record landed. */
export type SendCallback = (error: JavaException | undefined, ack: RecordAck | undefined) => void;

export interface RecordSenderOptions {
  bootstrapServers: readonly string[];
  clientId: string;
  /** client properties (request.timeout.ms, client.id, ...) */
  properties?: Record<string, string>;
  topic: string;
  acks: -1 | 0 | 1;
  batchSize?: number;
  lingerMs?: number;
  maxInFlight?: number;
  bufferMemory?: number;
  maxRequestSize?: number;
  requestTimeoutMs?: number;
  deliveryTimeoutMs?: number;
  retries?: number;
  retryBackoffMs?: number;
  compression?: CompressionCodec;
  /** how long open() waits for the topic's partitions to have leaders (max.block.ms) */
  maxBlockMs?: number;
}

/** Errors after which Kafka's producer refreshes metadata and tries again. */
const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NETWORK_EXCEPTION, ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.KAFKA_STORAGE_ERROR,
]);

/** Kafka's murmur2 (Utils.murmur2), seed 0x9747b28c. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  const base = length & ~3;
  if (rest === 3) h ^= (data[base + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[base + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[base] & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's producer picks for a non-null key: toPositive(murmur2(key)) % n. */
export function keyPartition(key: Buffer, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

interface ProducerBatch {
  partition: number;
  records: RecordInput[];
  callbacks: Array<SendCallback | undefined>;
  bytes: number;
  createdMs: number;
  attempts: number;
  /** not before this time (retry backoff) */
  readyAtMs: number;
}

const RECORD_OVERHEAD = 20;

export class RecordSender {
  private leaders = new Map<number, BrokerNode>();
  private brokers = new Map<number, BrokerNode>();
  private numPartitions = 0;
  private readonly open = new Map<number, ProducerBatch>();
  private readonly ready: ProducerBatch[] = [];
  private readonly inFlight = new Map<number, number>();
  private inFlightTotal = 0;
  private stickyPartition = -1;
  private bufferedBytes = 0;
  private drainScheduled = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private flushing = 0;
  private idleWaiters: Array<() => void> = [];
  private roomWaiters: Array<() => void> = [];
  private metadataRefresh: Promise<void> | undefined;
  private closed = false;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly bufferMemory: number;
  private readonly maxRequestSize: number;
  private readonly requestTimeoutMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;

  private constructor(private readonly admin: WireAdmin, private readonly options: RecordSenderOptions) {
    this.batchSize = Math.max(1, options.batchSize ?? 16384);
    this.lingerMs = Math.max(0, options.lingerMs ?? 5);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 5);
    this.bufferMemory = options.bufferMemory ?? 32 * 1024 * 1024;
    this.maxRequestSize = options.maxRequestSize ?? 1024 * 1024;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.retries = options.retries ?? 2147483647;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
  }

  /** Connects, and waits until every partition of the topic has a leader (creating it when the broker auto-creates topics). */
  static async open(options: RecordSenderOptions): Promise<RecordSender> {
    // the connection waits as long as a Produce may (request.timeout.ms, Kafka's 30 s), not the admin tools' 10 s
    const properties = { 'request.timeout.ms': String(options.requestTimeoutMs ?? 30_000), ...options.properties };
    const admin = new WireAdmin(options.bootstrapServers, { clientId: options.clientId, properties });
    const sender = new RecordSender(admin, options);
    try {
      await sender.awaitLeaders(options.maxBlockMs ?? 60_000);
    } catch (err) {
      admin.close();
      throw err;
    }
    return sender;
  }

  get topic(): string {
    return this.options.topic;
  }

  get partitionCount(): number {
    return this.numPartitions;
  }

  /** True when buffer.memory is used up: the caller should `await room()` before sending more. */
  get full(): boolean {
    return this.bufferedBytes >= this.bufferMemory;
  }

  room(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Appends a record to its partition's open batch; `callback` runs once it is acknowledged or failed. */
  send(record: SendRecord, callback?: SendCallback): void {
    if (this.closed) throw new Error('the producer is closed');
    const partition = this.partitionFor(record);
    const bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0) + RECORD_OVERHEAD;
    const now = Date.now();
    let batch = this.open.get(partition);
    if (batch && batch.bytes + bytes > this.batchSize && batch.records.length > 0) {
      this.closeBatch(batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { partition, records: [], callbacks: [], bytes: 61, createdMs: now, attempts: 0, readyAtMs: 0 };
      this.open.set(partition, batch);
    }
    batch.records.push({ key: record.key, value: record.value, timestamp: record.timestamp ?? now });
    batch.callbacks.push(callback);
    batch.bytes += bytes;
    this.bufferedBytes += bytes;
    if (batch.bytes >= this.batchSize) this.closeBatch(batch);
    this.scheduleDrain();
  }

  /** Sends everything appended so far and resolves once every record has its callback. */
  async flush(): Promise<void> {
    this.flushing += 1;
    try {
      this.scheduleDrain();
      if (this.isIdle()) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    } finally {
      this.flushing -= 1;
    }
  }

  /** Flushes, then closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.admin.close();
  }

  /** Closes at once; records not yet acknowledged get no callback. */
  abort(): void {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.admin.close();
  }

  private partitionFor(record: SendRecord): number {
    if (record.partition !== undefined) {
      if (record.partition < 0 || record.partition >= this.numPartitions) {
        throw new CliError(`Partition ${record.partition} of topic ${this.topic} does not exist (it has ${this.numPartitions})`);
      }
      return record.partition;
    }
    if (record.key !== null) return keyPartition(record.key, this.numPartitions);
    if (this.stickyPartition < 0) this.stickyPartition = this.nextStickyPartition();
    return this.stickyPartition;
  }

  private nextStickyPartition(): number {
    const candidates = [...this.leaders.keys()].filter((p) => p !== this.stickyPartition);
    if (candidates.length === 0) return Math.max(0, this.stickyPartition);
    return candidates[Math.floor(Math.random() * candidates.length)];
  }

  private closeBatch(batch: ProducerBatch): void {
    if (this.open.get(batch.partition) === batch) this.open.delete(batch.partition);
    this.ready.push(batch);
    // KIP-480: keyless records move on to another partition once a batch is complete
    if (batch.partition === this.stickyPartition) this.stickyPartition = this.nextStickyPartition();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.closed) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.closed) return;
    const now = Date.now();
    let lingerWait = Infinity;
    for (const batch of [...this.open.values()]) {
      const age = now - batch.createdMs;
      if (this.flushing > 0 || age >= this.lingerMs) this.closeBatch(batch);
      else lingerWait = Math.min(lingerWait, this.lingerMs - age);
    }
    if (lingerWait !== Infinity && !this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.drain();
      }, lingerWait);
    }
    this.expireBatches(now);
    const byLeader = new Map<number, ProducerBatch[]>();
    let waitingForBackoff = Infinity;
    for (const batch of this.ready) {
      if (batch.readyAtMs > now) {
        waitingForBackoff = Math.min(waitingForBackoff, batch.readyAtMs - now);
        continue;
      }
      const leader = this.leaders.get(batch.partition);
      if (!leader) continue;
      const list = byLeader.get(leader.nodeId) ?? [];
      list.push(batch);
      byLeader.set(leader.nodeId, list);
    }
    if (waitingForBackoff !== Infinity) setTimeout(() => this.scheduleDrain(), waitingForBackoff);
    for (const [nodeId, batches] of byLeader) {
      while (batches.length > 0 && (this.inFlight.get(nodeId) ?? 0) < this.maxInFlight) {
        // one batch per partition per request, up to max.request.size
        const request: ProducerBatch[] = [];
        const partitions = new Set<number>();
        let size = 0;
        for (let i = 0; i < batches.length;) {
          const batch = batches[i];
          if (partitions.has(batch.partition) || (request.length > 0 && size + batch.bytes > this.maxRequestSize)) {
            i += 1;
            continue;
          }
          request.push(batch);
          partitions.add(batch.partition);
          size += batch.bytes;
          batches.splice(i, 1);
        }
        for (const batch of request) this.ready.splice(this.ready.indexOf(batch), 1);
        this.sendRequest(nodeId, request);
      }
    }
    // leaderless partitions wait for a metadata refresh
    if (this.ready.some((b) => !this.leaders.has(b.partition))) {
      void this.refreshMetadata().then(() => setTimeout(() => this.scheduleDrain(), this.retryBackoffMs));
    }
    this.checkIdle();
  }

  /** Fails batches older than delivery.timeout.ms that are not in flight (Kafka's RecordAccumulator.expiredBatches). */
  private expireBatches(now: number): void {
    for (let i = this.ready.length - 1; i >= 0; i--) {
      const batch = this.ready[i];
      const age = now - batch.createdMs;
      if (age < this.deliveryTimeoutMs) continue;
      this.ready.splice(i, 1);
      this.complete(batch, {
        className: 'org.apache.kafka.common.errors.TimeoutException',
        message: `Expiring ${batch.records.length} record(s) for ${this.topic}-${batch.partition}:${age} ms has passed since batch creation`,
      });
    }
  }

  private sendRequest(nodeId: number, batches: ProducerBatch[]): void {
    const leader = this.leaders.get(batches[0].partition)!;
    this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 0) + 1);
    this.inFlightTotal += 1;
    const done = (): void => {
      this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 1) - 1);
      this.inFlightTotal -= 1;
      this.scheduleDrain();
    };
    void (async () => {
      let connection: BrokerConnection;
      try {
        connection = await this.admin.connectTo(leader);
      } catch (err) {
        for (const batch of batches) this.retryOrFail(batch, ErrorCode.NETWORK_EXCEPTION, (err as Error).message);
        done();
        return;
      }
      const compression = this.options.compression ?? 'none';
      const body = {
        transactionalId: null,
        acks: this.options.acks,
        timeoutMs: this.requestTimeoutMs,
        topicData: [{
          name: this.topic,
          partitionData: batches.map((batch) => {
            batch.attempts += 1;
            return { index: batch.partition, records: buildRecordBatch(batch.records, { compression }) };
          }),
        }],
      };
      try {
        const version = connection.usableVersion(ApiKey.Produce, 3);
        if (this.options.acks === 0) {
          await connection.sendWithoutResponse(ApiKey.Produce, version, body);
          for (const batch of batches) this.complete(batch, undefined, -1n);
        } else {
          const response = await connection.request<ProduceResponse>(ApiKey.Produce, version, body);
          this.handleResponse(batches, response);
        }
      } catch (err) {
        if (err instanceof CliError) {
          for (const batch of batches) this.complete(batch, { className: 'org.apache.kafka.common.errors.UnsupportedVersionException', message: err.message });
        } else {
          for (const batch of batches) this.retryOrFail(batch, ErrorCode.NETWORK_EXCEPTION, (err as Error).message);
        }
      }
      done();
    })();
  }

  private handleResponse(batches: ProducerBatch[], response: ProduceResponse): void {
    const answers = new Map<number, { errorCode: number; baseOffset: bigint; errorMessage: string | null }>();
    for (const topic of response.responses) {
      for (const p of topic.partitionResponses) answers.set(p.index, { errorCode: p.errorCode, baseOffset: p.baseOffset, errorMessage: p.errorMessage ?? null });
    }
    for (const batch of batches) {
      const answer = answers.get(batch.partition);
      if (!answer) {
        this.retryOrFail(batch, ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for this partition');
      } else if (answer.errorCode === ErrorCode.NONE) {
        this.complete(batch, undefined, answer.baseOffset);
      } else {
        this.retryOrFail(batch, answer.errorCode, answer.errorMessage);
      }
    }
  }

  private retryOrFail(batch: ProducerBatch, errorCode: number, message: string | null): void {
    const now = Date.now();
    // a moved or lost leader: later batches must go elsewhere, whether this one is retried or not
    if (RETRIABLE.has(errorCode) && !this.closed) void this.refreshMetadata().then(() => this.scheduleDrain());
    if (RETRIABLE.has(errorCode) && batch.attempts <= this.retries && now - batch.createdMs < this.deliveryTimeoutMs && !this.closed) {
      batch.readyAtMs = now + this.retryBackoffMs;
      this.ready.unshift(batch);
      return;
    }
    const exception = errorCode === ErrorCode.NETWORK_EXCEPTION && message
      ? { className: 'org.apache.kafka.common.errors.NetworkException', message }
      : javaException(errorCode, message);
    this.complete(batch, exception);
  }

  private complete(batch: ProducerBatch, error: JavaException | undefined, baseOffset = -1n): void {
    this.bufferedBytes -= batch.bytes - 61;
    batch.callbacks.forEach((callback, i) => {
      if (!callback) return;
      if (error) callback(error, undefined);
      else callback(undefined, { topic: this.topic, partition: batch.partition, offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i) });
    });
    if (!this.full && this.roomWaiters.length > 0) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const wake of waiters) wake();
    }
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.open.size === 0 && this.ready.length === 0 && this.inFlightTotal === 0;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private refreshMetadata(): Promise<void> {
    const refresh = this.metadataRefresh ?? this.loadMetadata().then(() => undefined, () => undefined).finally(() => { this.metadataRefresh = undefined; });
    this.metadataRefresh = refresh;
    return refresh;
  }

  /** Metadata for the topic, asking the broker to create it when it auto-creates topics (as Kafka's producer does). */
  private async loadMetadata(): Promise<number> {
    const connection = await this.metadataConnection();
    const version = connection.usableVersion(ApiKey.Metadata, 4, 12);
    const metadata = await connection.request<MetadataResponse>(ApiKey.Metadata, version, {
      topics: [{ topicId: ZERO_UUID, name: this.topic }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const brokers = new Map(metadata.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
    this.brokers = brokers;
    const topic = metadata.topics.find((t) => t.name === this.topic);
    if (!topic) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (topic.errorCode !== ErrorCode.NONE) return topic.errorCode;
    const leaders = new Map<number, BrokerNode>();
    for (const p of topic.partitions) {
      const node = brokers.get(p.leaderId);
      if (p.leaderId >= 0 && node) leaders.set(p.partitionIndex, node);
    }
    this.numPartitions = Math.max(this.numPartitions, topic.partitions.length);
    this.leaders = leaders;
    return leaders.size === topic.partitions.length && topic.partitions.length > 0 ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE;
  }

  /**
   * A broker to ask for metadata: one of the cluster's brokers last seen (the bootstrap
   * connection may be to a broker that has died since), else the bootstrap list.
   */
  private async metadataConnection(): Promise<BrokerConnection> {
    const known = [...this.brokers.values()].sort(() => Math.random() - 0.5);
    for (const node of known) {
      try {
        return await this.admin.connectTo(node);
      } catch {
        // try the next one
      }
    }
    return this.admin.bootstrap();
  }

  private async awaitLeaders(maxBlockMs: number): Promise<void> {
    const deadline = Date.now() + maxBlockMs;
    // a topic the broker neither knows nor creates will not appear: say so after a few seconds, not max.block.ms
    const unknownDeadline = Date.now() + Math.min(maxBlockMs, 3000);
    for (;;) {
      const code = await this.loadMetadata();
      if (code === ErrorCode.NONE) return;
      if (code === ErrorCode.INVALID_TOPIC_EXCEPTION) {
        throw new CliError(`Topic name '${this.topic}' is invalid: use ASCII letters, digits, '.', '_' and '-', at most 249 characters.`);
      }
      if (code === ErrorCode.TOPIC_AUTHORIZATION_FAILED) throw new CliError(`Not authorized to write to topic '${this.topic}' (TOPIC_AUTHORIZATION_FAILED)`);
      if (Date.now() >= deadline || (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && Date.now() >= unknownDeadline)) {
        if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          throw new CliError(`Topic '${this.topic}' does not exist and the broker does not create topics automatically; create it with kafka-topics --bootstrap-server ${this.options.bootstrapServers[0]} --create --topic ${this.topic}`);
        }
        throw new CliError(`Topic ${this.topic} not present in metadata after ${maxBlockMs} ms (its partitions have no leader); check the brokers with kafka-topics --describe --topic ${this.topic}`);
      }
      await new Promise((resolve) => setTimeout(resolve, code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? 200 : 100));
    }
  }
}
