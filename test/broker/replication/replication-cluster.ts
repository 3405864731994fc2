/**
 * Test harness: real broker servers in one process, each on its own loopback address
 * (127.0.0.2, .3, .4 …) with its own temp dir, request handlers and ReplicaManager. No
 * controller: the harness holds the "committed image" (partition states and topic
 * configs), hands every change to the live brokers' applyPartitionStates as a metadata
 * publisher would, and answers AlterPartition itself (epoch checks, partition epoch
 * bump, then publishing), recording every ISR it committed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BrokerServer, advertisedApis } from '../../../src/broker/server.js';
import { allHandlers } from '../../../src/broker/handlers/index.js';
import { ReplicaManager, type AlterPartitionSender } from '../../../src/broker/replica-manager.js';
import { FetchSessionCache } from '../../../src/broker/fetch-sessions.js';
import { brokerConfig } from '../../../src/broker/config.js';
import type { BrokerServices } from '../../../src/broker/services/index.js';
import type { MetadataService, PartitionState, TopicState } from '../../../src/broker/services/metadata-service.js';
import { PartitionLog, defaultLogConfig } from '../../../src/storage/partition-log.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { ReplicationOptions } from '../../../src/broker/replication/types.js';

export interface TestBroker {
  id: number;
  host: string;
  port: number;
  dir: string;
  replicas: ReplicaManager;
  logs: Map<string, PartitionLog>;
  lines: string[];
  alive: boolean;
  /** the metadata as published to this broker so far (its handlers read this, as a broker reads its own image) */
  view: Map<string, TopicState>;
}

export type ReplicationTuning = Omit<ReplicationOptions, 'brokerEndpoint' | 'alterPartition'>;

export class ReplicationCluster {
  readonly brokers = new Map<number, TestBroker>();
  readonly topics = new Map<string, TopicState>();
  /** every ISR the fake controller committed, per "topic-partition", in order */
  readonly isrHistory = new Map<string, number[][]>();
  private readonly servers = new Map<number, BrokerServer>();
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'replication-'));
  /** AlterPartition requests are refused while false (the controller is unreachable) */
  controllerAvailable = true;
  /** while set, AlterPartition requests wait for it (a slow controller) */
  private held: { promise: Promise<void>; release: () => void } | null = null;

  constructor(private readonly tuning: ReplicationTuning = {}) {}

  /**
   * Starts broker `id` on 127.0.0.<id+1> (a fresh dir, or the one it had when stopped);
   * `highWatermarks` ("topic-partition" → offset) stand for its replication-offset-checkpoint.
   */
  async start(id: number, highWatermarks: Record<string, number> = {}): Promise<TestBroker> {
    const previous = this.brokers.get(id);
    const host = `127.0.0.${id + 1}`;
    const dir = previous?.dir ?? path.join(this.root, `broker-${id}`);
    fs.mkdirSync(dir, { recursive: true });
    const lines: string[] = previous?.lines ?? [];
    const broker: TestBroker = {
      id,
      host,
      port: 0,
      dir,
      replicas: null as unknown as ReplicaManager,
      logs: new Map(),
      lines,
      alive: true,
      view: new Map(),
    };
    // reopen the partition logs it had
    for (const name of fs.readdirSync(dir)) {
      const old = previous?.logs.get(name);
      const highWatermark = highWatermarks[name] ?? old?.highWatermark ?? 0;
      broker.logs.set(name, PartitionLog.open(path.join(dir, name), defaultLogConfig(), { highWatermark }));
    }
    // and create the ones assigned to it while it was away
    for (const topic of this.topics.values()) {
      for (const state of topic.partitions) if (state.replicas.includes(id)) this.createLog(broker, topic.name, state.partition);
    }
    const metadata = this.metadataFor(broker);
    const log = (line: string) => lines.push(line);
    broker.replicas = new ReplicaManager(id, metadata, log, 1);
    broker.replicas.startReplication({
      ...this.tuning,
      brokerEndpoint: (brokerId) => {
        const b = this.brokers.get(brokerId);
        return b?.alive ? { host: b.host, port: b.port } : undefined;
      },
      alterPartition: this.alterPartitionFor(id),
    });
    const handlers = allHandlers();
    const services = {
      config: brokerConfig({ brokerId: id }),
      metadata,
      data: broker.replicas,
      fetchSessions: new FetchSessionCache(),
      apiVersions: advertisedApis(handlers),
      log,
    } as unknown as BrokerServices;
    const server = new BrokerServer(handlers, services);
    const [bound] = await server.listen([{ name: 'PLAINTEXT', host, port: 0 }]);
    broker.port = bound!.port;
    this.servers.set(id, server);
    this.brokers.set(id, broker);
    // the publisher's first batch: every partition as the image has it
    for (const topic of this.topics.values()) this.copyToView(broker, topic, topic.partitions.map((p) => p.partition));
    broker.replicas.applyPartitionStates(this.allChanges());
    return broker;
  }

  /** Stops broker `id` as a clean shutdown would (fetchers, server, logs). */
  async stop(id: number): Promise<void> {
    const broker = this.brokers.get(id);
    if (!broker?.alive) return;
    broker.alive = false;
    await broker.replicas.shutdown();
    broker.replicas.close();
    await this.servers.get(id)!.close();
    this.servers.delete(id);
    for (const log of broker.logs.values()) log.close();
  }

  async close(): Promise<void> {
    for (const id of this.brokers.keys()) await this.stop(id);
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** Creates a topic whose partition p has `assignments[p]` as replicas, the first one leading, all in the ISR. */
  createTopic(name: string, assignments: number[][], configs: Record<string, string> = {}): TopicState {
    const topic: TopicState = {
      name,
      topicId: randomBytes(16).toString('base64url'),
      internal: false,
      configs,
      partitions: assignments.map((replicas, partition) => ({
        partition,
        leader: replicas[0]!,
        leaderEpoch: 0,
        partitionEpoch: 0,
        replicas: [...replicas],
        isr: [...replicas],
        offlineReplicas: [],
      })),
    };
    this.topics.set(name, topic);
    for (const state of topic.partitions) {
      for (const id of state.replicas) {
        const broker = this.brokers.get(id);
        if (broker?.alive) this.createLog(broker, name, state.partition);
      }
      this.isrHistory.set(`${name}-${state.partition}`, [[...state.isr]]);
    }
    this.publish(name, topic.partitions.map((p) => p.partition));
    return topic;
  }

  /**
   * A controller decision (election, ISR change): the partition changes and every live
   * broker hears of it, or only the brokers in `to` (the others later, through publishTo).
   */
  changePartition(
    topic: string,
    partition: number,
    change: Partial<Pick<PartitionState, 'leader' | 'leaderEpoch' | 'isr'>>,
    to?: number[],
  ): void {
    const state = this.state(topic, partition);
    if (change.leader !== undefined && change.leader !== state.leader && change.leaderEpoch === undefined) state.leaderEpoch++;
    Object.assign(state, change);
    state.partitionEpoch = (state.partitionEpoch ?? 0) + 1;
    if (change.isr) this.isrHistory.get(`${topic}-${partition}`)!.push([...change.isr]);
    this.publish(topic, [partition], to);
  }

  /** The partition as the image has it now, to the brokers in `to` only. */
  publishTo(to: number[], topic: string, partition: number): void {
    this.publish(topic, [partition], to);
  }

  /** AlterPartition requests from now on wait until releaseAlterPartition. */
  holdAlterPartition(): void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { promise, release };
  }

  releaseAlterPartition(): void {
    const held = this.held;
    this.held = null;
    held?.release();
  }

  state(topic: string, partition: number): PartitionState {
    return this.topics.get(topic)!.partitions[partition]!;
  }

  log(id: number, topic: string, partition: number): PartitionLog {
    return this.brokers.get(id)!.logs.get(`${topic}-${partition}`)!;
  }

  private createLog(broker: TestBroker, topic: string, partition: number): void {
    const key = `${topic}-${partition}`;
    if (!broker.logs.has(key)) broker.logs.set(key, PartitionLog.open(path.join(broker.dir, key), defaultLogConfig()));
  }

  private changeOf(topic: TopicState, state: PartitionState) {
    return {
      topic: topic.name,
      topicId: topic.topicId,
      partition: state.partition,
      replicas: [...state.replicas],
      isr: [...state.isr],
      leader: state.leader,
      leaderEpoch: state.leaderEpoch,
      partitionEpoch: state.partitionEpoch ?? 0,
    };
  }

  private allChanges() {
    return [...this.topics.values()].flatMap((t) => t.partitions.map((p) => this.changeOf(t, p)));
  }

  private publish(topicName: string, partitions: number[], to?: number[]): void {
    const topic = this.topics.get(topicName)!;
    const changes = partitions.map((p) => this.changeOf(topic, topic.partitions[p]!));
    for (const broker of this.brokers.values()) {
      if (!broker.alive || (to !== undefined && !to.includes(broker.id))) continue;
      this.copyToView(broker, topic, partitions);
      broker.replicas.applyPartitionStates(changes);
    }
  }

  private copyToView(broker: TestBroker, topic: TopicState, partitions: number[]): void {
    let view = broker.view.get(topic.name);
    if (!view || view.topicId !== topic.topicId) {
      view = { ...topic, configs: { ...topic.configs }, partitions: topic.partitions.map((p) => ({ ...p, replicas: [...p.replicas], isr: [...p.isr] })) };
      broker.view.set(topic.name, view);
    }
    for (const p of partitions) {
      const state = topic.partitions[p]!;
      view.partitions[p] = { ...state, replicas: [...state.replicas], isr: [...state.isr] };
    }
  }

  /** The fake controller's AlterPartition: Kafka's checks, then commit and publish. */
  private alterPartitionFor(brokerId: number): AlterPartitionSender {
    return {
      send: async (topicName, topicId, partition, request) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.held) await this.held.promise;
        const topic = this.topics.get(topicName);
        const state = topic?.partitions[partition];
        const refused = (errorCode: number) => ({ errorCode, isr: [], leaderEpoch: -1, partitionEpoch: -1 });
        if (!this.controllerAvailable) throw new Error('controller unreachable');
        if (!topic || topic.topicId !== topicId || !state) return refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (state.leader !== brokerId) return refused(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        if (request.leaderEpoch !== state.leaderEpoch) return refused(ErrorCode.FENCED_LEADER_EPOCH);
        if (request.partitionEpoch !== state.partitionEpoch) return refused(ErrorCode.INVALID_UPDATE_VERSION);
        state.isr = [...request.newIsr];
        state.partitionEpoch = (state.partitionEpoch ?? 0) + 1;
        this.isrHistory.get(`${topicName}-${partition}`)!.push([...state.isr]);
        const answer = { errorCode: ErrorCode.NONE, isr: [...state.isr], leaderEpoch: state.leaderEpoch, partitionEpoch: state.partitionEpoch };
        // the metadata reaches the brokers a moment after the controller answers
        setImmediate(() => this.publish(topicName, [partition]));
        return answer;
      },
    };
  }

  private metadataFor(broker: TestBroker): MetadataService {
    const topics = broker.view;
    const brokers = this.brokers;
    return {
      clusterId: 'replication-test',
      controllerId: 1,
      brokerId: broker.id,
      brokers: () =>
        [...brokers.values()].filter((b) => b.alive).map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: null })),
      topics: () => [...topics.values()],
      topic: (name: string) => topics.get(name),
      topicById: (id: string) => [...topics.values()].find((t) => t.topicId === id),
      getPartition: (topic: string, partition: number) => {
        const state = topics.get(topic)?.partitions[partition];
        const log = broker.logs.get(`${topic}-${partition}`);
        return state && log ? { state, log } : undefined;
      },
      logConfigFor: () => defaultLogConfig(),
    } as unknown as MetadataService;
  }
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

/** The bytes of a log's segments, concatenated in order. */
export function logBytes(log: PartitionLog): Buffer {
  return Buffer.concat(log.segmentFiles().map((file) => fs.readFileSync(file)));
}
