/**
 * The Worker runs tasks (Kafka's Worker, WorkerSourceTask, WorkerSinkTask): a source
 * task's records are converted and produced (acks=all), and the offsets of the records
 * the broker acknowledged are committed to the offset store every
 * offset.flush.interval.ms and when the task stops; a sink task consumes in group
 * `connect-<connector>` from the earliest offset, hands each batch to the task, makes
 * the task flush, and only then commits the consumer offsets (at-least-once, as Kafka).
 */
import type { Consumer, Producer } from 'kafkajs';
import type { WorkerClients } from './kafka-clients.js';
import type { SinkRecord, SinkTask, SourceRecord, SourceTask, TaskLogger } from './connector.js';
import { converterFor, type Converter } from './converters.js';
import { DataException } from './errors.js';
import { CATEGORY, type ConnectLog } from './log.js';
import { offsetKey, type OffsetStore } from './offsets.js';
import { requireConnectorPlugin } from './plugins.js';

export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING';
export type TargetState = 'STARTED' | 'PAUSED';

export interface TaskId {
  connector: string;
  task: number;
}

export const taskKey = (id: TaskId): string => `${id.connector}-${id.task}`;

export interface TaskStatus {
  state: State;
  trace?: string;
}

/** Told whenever a task's state changes (the distributed worker writes it to the status topic). */
export type StatusListener = (id: TaskId, status: TaskStatus) => void;

/** How long a source task waits before polling again when its last poll found nothing. */
const SOURCE_IDLE_WAIT_MS = 200;

interface RunningTask {
  id: TaskId;
  kind: 'source' | 'sink';
  status: TaskStatus;
  target: TargetState;
  stopping: boolean;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
}

/** A failure as Kafka's status trace begins: the Connect exception class, then the message. */
function errorText(err: unknown): string {
  if (err instanceof DataException) return `org.apache.kafka.connect.errors.DataException: ${err.message}`;
  return `org.apache.kafka.connect.errors.ConnectException: ${err instanceof Error ? err.message : String(err)}`;
}

/** A sleep that `wake()` ends early (pause/resume/stop). */
class Waker {
  private wakeUp: (() => void) | undefined;
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }
  wake(): void {
    this.wakeUp?.();
  }
}

export interface WorkerOptions {
  /** task producers, sink consumers and admin calls each use their kind's client (its own security overrides) */
  kafka: Pick<WorkerClients, 'producer' | 'consumer' | 'admin'>;
  workerProps: Record<string, string>;
  offsetStore: OffsetStore;
  offsetFlushIntervalMs: number;
  log: ConnectLog;
  onStatus?: StatusListener;
  /** sink consumers' group session timeout */
  sinkSessionTimeoutMs?: number;
}

/** What a herder asks of the worker that runs its tasks. */
export interface TaskRunner {
  taskStatus(id: TaskId): TaskStatus | undefined;
  startTask(id: TaskId, connectorConfig: Record<string, string>, taskConfig: Record<string, string>, target: TargetState): Promise<void>;
  stopTask(id: TaskId): Promise<void>;
  setTargetState(id: TaskId, target: TargetState): void;
}

export class Worker implements TaskRunner {
  private readonly tasks = new Map<string, RunningTask>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** per source task: offsets acknowledged by the broker but not yet committed */
  private readonly pendingOffsets = new Map<string, { id: TaskId; offsets: Map<string, string>; acked: number }>();

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    this.flushTimer = setInterval(() => void this.commitAllOffsets(), this.options.offsetFlushIntervalMs);
    this.flushTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    await Promise.all([...this.tasks.values()].map((t) => this.stopTask(t.id)));
  }

  taskStatus(id: TaskId): TaskStatus | undefined {
    return this.tasks.get(taskKey(id))?.status;
  }

  runningTasks(): TaskId[] {
    return [...this.tasks.values()].map((t) => t.id);
  }

  private setStatus(task: RunningTask, status: TaskStatus): void {
    task.status = status;
    this.options.onStatus?.(task.id, status);
  }

  /** Merges worker and connector settings the way Kafka does: the connector's converter keys win. */
  private converters(connectorConfig: Record<string, string>): { key: Converter; value: Converter } {
    const merged = { ...this.options.workerProps };
    for (const [k, v] of Object.entries(connectorConfig)) if (k.startsWith('key.converter') || k.startsWith('value.converter')) merged[k] = v;
    return { key: converterFor(merged, 'key.converter'), value: converterFor(merged, 'value.converter') };
  }

  private taskLogger(category: string): TaskLogger {
    return {
      info: (m) => this.options.log.log('INFO', m, category),
      warn: (m) => this.options.log.log('WARN', m, category),
    };
  }

  async startTask(id: TaskId, connectorConfig: Record<string, string>, taskConfig: Record<string, string>, target: TargetState): Promise<void> {
    if (this.tasks.has(taskKey(id))) return;
    const plugin = requireConnectorPlugin(connectorConfig['connector.class'] ?? '');
    if (plugin.type === 'source') await this.startSourceTask(id, connectorConfig, taskConfig, target, plugin.createSourceTask!());
    else await this.startSinkTask(id, connectorConfig, taskConfig, target, plugin.createSinkTask!());
  }

  private async startSourceTask(id: TaskId, connectorConfig: Record<string, string>, taskConfig: Record<string, string>, target: TargetState, task: SourceTask): Promise<void> {
    const { log, kafka, offsetStore } = this.options;
    const name = `WorkerSourceTask{id=${taskKey(id)}}`;
    const waker = new Waker();
    let producer: Producer | undefined;
    const running: RunningTask = {
      id, kind: 'source', status: { state: 'UNASSIGNED' }, target, stopping: false,
      stop: async () => undefined,
      pause: () => { running.target = 'PAUSED'; if (running.status.state === 'RUNNING') this.setStatus(running, { state: 'PAUSED' }); waker.wake(); },
      resume: () => { running.target = 'STARTED'; if (running.status.state === 'PAUSED') this.setStatus(running, { state: 'RUNNING' }); waker.wake(); },
    };
    this.tasks.set(taskKey(id), running);
    const fail = (err: unknown): void => {
      log.log('ERROR', `${name} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted: ${errorText(err)}`, CATEGORY.sourceTask);
      this.setStatus(running, { state: 'FAILED', trace: errorText(err) });
    };
    let converters: { key: Converter; value: Converter };
    try {
      converters = this.converters(connectorConfig);
      producer = kafka.producer.producer({ allowAutoTopicCreation: true, idempotent: false, maxInFlightRequests: 1 });
      await producer.connect();
      task.start(taskConfig, (partition) => {
        const stored = offsetStore.get(offsetKey(id.connector, partition));
        return stored === undefined ? null : JSON.parse(stored);
      }, this.taskLogger(CATEGORY.fileSource));
    } catch (err) {
      fail(err);
      return;
    }
    const pending = { id, offsets: new Map<string, string>(), acked: 0 };
    this.pendingOffsets.set(taskKey(id), pending);
    this.setStatus(running, { state: target === 'PAUSED' ? 'PAUSED' : 'RUNNING' });
    log.log('INFO', `${name} Source task finished initialization and start`, CATEGORY.sourceTask);
    const loop = (async () => {
      while (!running.stopping) {
        if (running.target === 'PAUSED' || running.status.state === 'FAILED') {
          await waker.sleep(1000);
          continue;
        }
        let records: SourceRecord[];
        try {
          records = await task.poll();
        } catch (err) {
          fail(err);
          return;
        }
        if (records.length === 0) {
          await waker.sleep(SOURCE_IDLE_WAIT_MS);
          continue;
        }
        try {
          const byTopic = new Map<string, Array<{ key: Buffer | null; value: Buffer | null; partition?: number }>>();
          for (const r of records) {
            const key = converters.key.fromConnectData(r.topic, r.keySchema, r.key);
            const value = converters.value.fromConnectData(r.topic, r.valueSchema, r.value);
            const list = byTopic.get(r.topic) ?? [];
            list.push(r.partition === undefined ? { key, value } : { key, value, partition: r.partition });
            byTopic.set(r.topic, list);
          }
          await producer!.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        } catch (err) {
          fail(err);
          return;
        }
        // Only offsets of acknowledged records are ever committed: after a crash a line is re-sent at most, never lost.
        for (const r of records) pending.offsets.set(offsetKey(id.connector, r.sourcePartition), JSON.stringify(r.sourceOffset));
        pending.acked += records.length;
      }
    })();
    running.stop = async () => {
      running.stopping = true;
      waker.wake();
      await loop;
      await this.commitOffsets(taskKey(id));
      this.pendingOffsets.delete(taskKey(id));
      await task.stop().catch(() => undefined);
      await producer?.disconnect().catch(() => undefined);
    };
  }

  private async startSinkTask(id: TaskId, connectorConfig: Record<string, string>, taskConfig: Record<string, string>, target: TargetState, task: SinkTask): Promise<void> {
    const { log, kafka } = this.options;
    const name = `WorkerSinkTask{id=${taskKey(id)}}`;
    let consumer: Consumer | undefined;
    const topicsOf = (): Array<string | RegExp> => {
      const regex = connectorConfig['topics.regex']?.trim();
      if (regex) return [new RegExp(`^(?:${regex})$`)];
      return (connectorConfig.topics ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    };
    const pausedTopics = (): Array<{ topic: string }> => (consumer ? consumer.paused().map((p) => ({ topic: p.topic })) : []);
    const subscribed = new Set<string>();
    const running: RunningTask = {
      id, kind: 'sink', status: { state: 'UNASSIGNED' }, target, stopping: false,
      stop: async () => undefined,
      pause: () => {
        running.target = 'PAUSED';
        if (consumer && subscribed.size > 0) consumer.pause([...subscribed].map((topic) => ({ topic })));
        if (running.status.state === 'RUNNING') this.setStatus(running, { state: 'PAUSED' });
      },
      resume: () => {
        running.target = 'STARTED';
        if (consumer) consumer.resume(pausedTopics());
        if (running.status.state === 'PAUSED') this.setStatus(running, { state: 'RUNNING' });
      },
    };
    this.tasks.set(taskKey(id), running);
    const fail = (err: unknown): void => {
      log.log('ERROR', `${name} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted: ${errorText(err)}`, CATEGORY.sinkTask);
      this.setStatus(running, { state: 'FAILED', trace: errorText(err) });
      void consumer?.stop().catch(() => undefined);
    };
    try {
      const converters = this.converters(connectorConfig);
      task.start(taskConfig, this.taskLogger(CATEGORY.sinkTask));
      consumer = kafka.consumer.consumer({
        groupId: `connect-${id.connector}`,
        sessionTimeout: this.options.sinkSessionTimeoutMs ?? 10000,
        heartbeatInterval: 3000,
        allowAutoTopicCreation: true,
        maxWaitTimeInMs: 500,
      });
      await consumer.connect();
      for (const topic of topicsOf()) await consumer.subscribe({ topic, fromBeginning: true });
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        for (const topic of Object.keys(event.payload.memberAssignment)) subscribed.add(topic);
        if (running.target === 'PAUSED') consumer!.pause([...subscribed].map((topic) => ({ topic })));
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (batch.messages.length === 0 || !isRunning() || isStale() || running.status.state === 'FAILED') return;
          const records: SinkRecord[] = [];
          try {
            for (const m of batch.messages) {
              const key = converters.key.toConnectData(batch.topic, m.key ?? null);
              const value = converters.value.toConnectData(batch.topic, m.value ?? null);
              records.push({ topic: batch.topic, partition: batch.partition, offset: m.offset, keySchema: key.schema, key: key.value, valueSchema: value.schema, value: value.value });
            }
            await task.put(records);
            await task.flush();
          } catch (err) {
            fail(err);
            throw err;
          }
          const last = batch.messages[batch.messages.length - 1].offset;
          await consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
          resolveOffset(last);
          await heartbeat();
        },
      });
    } catch (err) {
      fail(err);
      return;
    }
    this.setStatus(running, { state: target === 'PAUSED' ? 'PAUSED' : 'RUNNING' });
    log.log('INFO', `${name} Sink task finished initialization and start`, CATEGORY.sinkTask);
    running.stop = async () => {
      running.stopping = true;
      await consumer?.disconnect().catch(() => undefined);
      await task.stop().catch(() => undefined);
    };
  }

  async stopTask(id: TaskId): Promise<void> {
    const task = this.tasks.get(taskKey(id));
    if (!task) return;
    this.tasks.delete(taskKey(id));
    this.options.log.log('INFO', `Stopping task ${taskKey(id)}`, CATEGORY.worker);
    await task.stop();
  }

  setTargetState(id: TaskId, target: TargetState): void {
    const task = this.tasks.get(taskKey(id));
    if (!task) return;
    if (target === 'PAUSED') task.pause();
    else task.resume();
  }

  private async commitOffsets(key: string): Promise<void> {
    const pending = this.pendingOffsets.get(key);
    if (!pending || pending.offsets.size === 0) return;
    const entries = pending.offsets;
    const acked = pending.acked;
    pending.offsets = new Map();
    pending.acked = 0;
    this.options.log.log('INFO', `WorkerSourceTask{id=${taskKey(pending.id)}} Committing offsets for ${acked} acknowledged messages`, CATEGORY.sourceTask);
    try {
      await this.options.offsetStore.set(entries);
    } catch (err) {
      // keep them for the next attempt unless newer offsets replaced them meanwhile
      for (const [k, v] of entries) if (!pending.offsets.has(k)) pending.offsets.set(k, v);
      pending.acked += acked;
      this.options.log.log('ERROR', `WorkerSourceTask{id=${taskKey(pending.id)}} Failed to commit offsets: ${errorText(err)}`, CATEGORY.sourceTask);
    }
  }

  /** A sink connector's committed consumer positions, as KIP-875's GET /connectors/{name}/offsets lists them. */
  async sinkOffsets(connector: string): Promise<Array<{ partition: { kafka_topic: string; kafka_partition: number }; offset: { kafka_offset: number } }>> {
    const admin = this.options.kafka.admin.admin();
    await admin.connect();
    try {
      const topics = await admin.fetchOffsets({ groupId: `connect-${connector}` });
      return topics.flatMap((t) => t.partitions
        .filter((p) => Number(p.offset) >= 0)
        .map((p) => ({ partition: { kafka_topic: t.topic, kafka_partition: p.partition }, offset: { kafka_offset: Number(p.offset) } })));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async commitAllOffsets(): Promise<void> {
    for (const key of [...this.pendingOffsets.keys()]) await this.commitOffsets(key);
  }
}
