/**
 * A topic read from the beginning and followed (Kafka's KafkaBasedLog): how every
 * distributed worker learns the connector configs, statuses and source offsets the
 * others wrote. It fetches with plain Fetch requests from each partition's leader,
 * outside any consumer group (as Java's assign()), so no group appears for it, and
 * readToEnd() answers once everything written before the call has been applied.
 */
import { NetworkClient, type Endpoint } from '../../network/index.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { FetchResponse, MetadataResponse } from '../../protocol/generated/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import { decodeRecordBatches } from '../../protocol/records/record.js';

export type RecordHandler = (key: Buffer | null, value: Buffer | null, partition: number, offset: bigint) => void;

interface PartitionState {
  partition: number;
  leader: Endpoint | undefined;
  position: bigint;
  highWatermark: bigint;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class KafkaLog {
  private partitions: PartitionState[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private round = 0;
  private readonly roundWaiters: Array<{ round: number; resolve: () => void }> = [];
  private lastError: Error | undefined;

  constructor(private readonly client: NetworkClient, readonly topic: string, private readonly onRecord: RecordHandler) {}

  async start(): Promise<void> {
    await this.refreshMetadata();
    this.running = true;
    this.loop = this.fetchLoop();
    await this.readToEnd();
  }

  private async refreshMetadata(): Promise<void> {
    const connection = await this.client.bootstrapConnection();
    const version = connection.usableVersion(ApiKey.Metadata, 1, 9);
    const metadata = await connection.request<MetadataResponse>(ApiKey.Metadata, version, {
      topics: [{ topicId: ZERO_UUID, name: this.topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const topic = metadata.topics.find((t) => t.name === this.topic);
    if (!topic || topic.errorCode !== ErrorCode.NONE) throw new Error(`topic ${this.topic} is not available (error ${topic?.errorCode ?? 'missing'})`);
    const brokers = new Map(metadata.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port, nodeId: b.nodeId }]));
    const known = new Map(this.partitions.map((p) => [p.partition, p]));
    this.partitions = topic.partitions.map((p) => ({
      partition: p.partitionIndex,
      leader: brokers.get(p.leaderId),
      position: known.get(p.partitionIndex)?.position ?? 0n,
      highWatermark: known.get(p.partitionIndex)?.highWatermark ?? -1n,
    })).sort((a, b) => a.partition - b.partition);
  }

  /** Resolves once a full fetch round that started after this call has found every partition at its end. */
  readToEnd(timeoutMs = 30000): Promise<void> {
    const wanted = this.round + 2;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not read ${this.topic} to its end${this.lastError ? `: ${this.lastError.message}` : ''}`)), timeoutMs);
      this.roundWaiters.push({ round: wanted, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  private caughtUp(): boolean {
    return this.partitions.every((p) => p.highWatermark >= 0n && p.position >= p.highWatermark);
  }

  private async fetchLoop(): Promise<void> {
    while (this.running) {
      try {
        const byLeader = new Map<string, { endpoint: Endpoint; partitions: PartitionState[] }>();
        let missingLeader = false;
        for (const p of this.partitions) {
          if (!p.leader) { missingLeader = true; continue; }
          const key = `${p.leader.host}:${p.leader.port}`;
          const entry = byLeader.get(key) ?? { endpoint: p.leader, partitions: [] };
          entry.partitions.push(p);
          byLeader.set(key, entry);
        }
        let refresh = missingLeader;
        // While behind, do not wait at the broker; once caught up, long-poll for new records.
        const maxWaitMs = this.caughtUp() ? 500 : 0;
        for (const { endpoint, partitions } of byLeader.values()) {
          if (await this.fetchFrom(endpoint, partitions, maxWaitMs)) refresh = true;
        }
        if (refresh) {
          await sleep(200);
          await this.refreshMetadata();
        }
        this.lastError = undefined;
        this.round++;
        if (this.caughtUp()) {
          for (const w of this.roundWaiters.splice(0)) {
            if (w.round <= this.round) w.resolve();
            else this.roundWaiters.push(w);
          }
        }
      } catch (err) {
        this.lastError = err as Error;
        if (!this.running) return;
        await sleep(500);
        await this.refreshMetadata().catch(() => undefined);
      }
    }
  }

  /** One Fetch to one leader; true when metadata should be refreshed (leadership moved). */
  private async fetchFrom(endpoint: Endpoint, partitions: PartitionState[], maxWaitMs: number): Promise<boolean> {
    const { response } = await this.client.send<FetchResponse>(endpoint, ApiKey.Fetch, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs,
      minBytes: 1,
      maxBytes: 8 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        topic: this.topic,
        topicId: ZERO_UUID,
        partitions: partitions.map((p) => ({
          partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.position, lastFetchedEpoch: -1,
          logStartOffset: -1n, partitionMaxBytes: 1024 * 1024, replicaDirectoryId: ZERO_UUID,
        })),
      }],
      forgottenTopicsData: [],
      rackId: '',
    }, { minVersion: 4, maxVersion: 11, timeoutMs: maxWaitMs + 30000 });
    let refresh = false;
    for (const topic of response.responses) {
      for (const data of topic.partitions) {
        const state = partitions.find((p) => p.partition === data.partitionIndex);
        if (!state) continue;
        if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          state.position = data.logStartOffset > 0n ? data.logStartOffset : 0n;
          continue;
        }
        if (data.errorCode !== ErrorCode.NONE) {
          refresh = true;
          continue;
        }
        state.highWatermark = data.highWatermark;
        if (!data.records || data.records.length === 0) continue;
        for (const batch of decodeRecordBatches(data.records)) {
          const isControl = (batch.header.attributes & 0x20) !== 0;
          const last = BigInt(batch.header.baseOffset) + BigInt(batch.header.lastOffsetDelta);
          if (!isControl) {
            for (const record of batch.records) {
              const offset = BigInt(record.offset);
              if (offset < state.position) continue;
              this.onRecord(record.key, record.value, state.partition, offset);
            }
          }
          if (last + 1n > state.position) state.position = last + 1n;
        }
      }
    }
    return refresh;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
  }
}
