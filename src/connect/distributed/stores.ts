/**
 * The three internal topics of a Connect cluster, with Kafka's record keys and JSON
 * values (so the topics read the same as a Java cluster's):
 *   config.storage.topic  connector-<name> {"properties":{…}}, task-<name>-<n> {"properties":{…}},
 *                         commit-<name> {"tasks":<count>}, target-state-<name> {"state":"PAUSED"|"STARTED"}
 *   status.storage.topic  status-connector-<name>, status-task-<name>-<n>
 *                         {"state":…,"trace":…,"worker_id":…,"generation":…}
 *   offset.storage.topic  ["<connector>",{<source partition>}] → {<source offset>}
 * A null value (tombstone) removes the key, which compaction then drops for good.
 * Every worker applies every record in order (KafkaLog); writes go through a kafkajs
 * producer with acks=all, keyed, so one key always lands in one partition.
 */
import type { Producer } from 'kafkajs';
import { inJavaHashMapOrder } from '../java-hash-order.js';
import type { OffsetStore } from '../offsets.js';
import type { State, TargetState } from '../worker.js';
import type { KafkaLog } from './kafka-log.js';

function parse(value: Buffer | null): Record<string, unknown> | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

/** A config map read back from the config topic; Kafka's JsonConverter reads it into a HashMap, so REST lists it in that order. */
function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') result[k] = v;
  return inJavaHashMapOrder(result);
}

async function write(producer: Producer, topic: string, entries: Array<{ key: string; value: string | null }>): Promise<void> {
  await producer.send({ topic, acks: -1, messages: entries.map((e) => ({ key: e.key, value: e.value })) });
}

export type ConfigChange = { kind: 'connector' | 'tasks' | 'target-state'; connector: string };

export class ConfigStore {
  readonly connectors = new Map<string, Record<string, string>>();
  readonly taskConfigs = new Map<string, Array<Record<string, string>>>();
  readonly targetStates = new Map<string, TargetState>();
  private readonly pendingTasks = new Map<string, Map<number, Record<string, string>>>();
  /** the offset after the last record applied */
  position = 0n;
  onChange: ((change: ConfigChange) => void) | undefined;

  constructor(private readonly producer: Producer, readonly topic: string) {}

  apply(key: Buffer | null, value: Buffer | null, _partition: number, offset: bigint): void {
    this.position = offset + 1n;
    const k = key?.toString('utf8') ?? '';
    const body = parse(value);
    let match: RegExpExecArray | null;
    if (k.startsWith('connector-')) {
      const name = k.slice('connector-'.length);
      if (body === null) {
        this.connectors.delete(name);
        this.taskConfigs.delete(name);
        this.targetStates.delete(name);
      } else {
        this.connectors.set(name, stringRecord(body.properties));
      }
      this.onChange?.({ kind: 'connector', connector: name });
    } else if ((match = /^task-(.+)-(\d+)$/.exec(k))) {
      const pending = this.pendingTasks.get(match[1]) ?? new Map<number, Record<string, string>>();
      if (body !== null) pending.set(Number(match[2]), stringRecord(body.properties));
      this.pendingTasks.set(match[1], pending);
    } else if (k.startsWith('commit-')) {
      const name = k.slice('commit-'.length);
      const count = typeof body?.tasks === 'number' ? body.tasks : 0;
      const pending = this.pendingTasks.get(name) ?? new Map<number, Record<string, string>>();
      this.taskConfigs.set(name, Array.from({ length: count }, (_, i) => pending.get(i) ?? {}));
      this.pendingTasks.delete(name);
      this.onChange?.({ kind: 'tasks', connector: name });
    } else if (k.startsWith('target-state-')) {
      const name = k.slice('target-state-'.length);
      if (body === null) this.targetStates.delete(name);
      else this.targetStates.set(name, body.state === 'PAUSED' ? 'PAUSED' : 'STARTED');
      this.onChange?.({ kind: 'target-state', connector: name });
    }
  }

  targetState(name: string): TargetState {
    return this.targetStates.get(name) ?? 'STARTED';
  }

  async putConnector(name: string, config: Record<string, string>, taskConfigs: Array<Record<string, string>>): Promise<void> {
    await write(this.producer, this.topic, [
      { key: `connector-${name}`, value: JSON.stringify({ properties: config }) },
      ...taskConfigs.map((c, i) => ({ key: `task-${name}-${i}`, value: JSON.stringify({ properties: c }) })),
      { key: `commit-${name}`, value: JSON.stringify({ tasks: taskConfigs.length }) },
    ]);
  }

  async removeConnector(name: string): Promise<void> {
    await write(this.producer, this.topic, [{ key: `connector-${name}`, value: null }, { key: `target-state-${name}`, value: null }]);
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await write(this.producer, this.topic, [{ key: `target-state-${name}`, value: JSON.stringify({ state }) }]);
  }
}

export interface StoredStatus {
  state: State;
  trace: string | null;
  workerId: string;
  generation: number;
}

export class StatusStore {
  readonly connectors = new Map<string, StoredStatus>();
  readonly tasks = new Map<string, StoredStatus>();

  constructor(private readonly producer: Producer, readonly topic: string) {}

  apply(key: Buffer | null, value: Buffer | null): void {
    const k = key?.toString('utf8') ?? '';
    const body = parse(value);
    const status: StoredStatus | null = body === null ? null : {
      state: (typeof body.state === 'string' ? body.state : 'UNASSIGNED') as State,
      trace: typeof body.trace === 'string' ? body.trace : null,
      workerId: typeof body.worker_id === 'string' ? body.worker_id : '',
      generation: typeof body.generation === 'number' ? body.generation : -1,
    };
    const target = k.startsWith('status-connector-') ? this.connectors : k.startsWith('status-task-') ? this.tasks : undefined;
    if (!target) return;
    const name = k.startsWith('status-connector-') ? k.slice('status-connector-'.length) : k.slice('status-task-'.length);
    if (status === null) target.delete(name);
    else target.set(name, status);
  }

  private static json(s: StoredStatus): string {
    return JSON.stringify({ state: s.state, trace: s.trace, worker_id: s.workerId, generation: s.generation });
  }

  async putConnector(name: string, status: StoredStatus): Promise<void> {
    this.connectors.set(name, status);
    await write(this.producer, this.topic, [{ key: `status-connector-${name}`, value: StatusStore.json(status) }]);
  }

  async putTask(taskKey: string, status: StoredStatus): Promise<void> {
    this.tasks.set(taskKey, status);
    await write(this.producer, this.topic, [{ key: `status-task-${taskKey}`, value: StatusStore.json(status) }]);
  }

  async remove(name: string, taskCount: number): Promise<void> {
    this.connectors.delete(name);
    for (let i = 0; i < taskCount; i++) this.tasks.delete(`${name}-${i}`);
    await write(this.producer, this.topic, [
      { key: `status-connector-${name}`, value: null },
      ...Array.from({ length: taskCount }, (_, i) => ({ key: `status-task-${name}-${i}`, value: null })),
    ]);
  }
}

/** Source offsets in the offset topic; reads come from what the KafkaLog applied. */
export class KafkaOffsetStore implements OffsetStore {
  private readonly data = new Map<string, string>();
  log: KafkaLog | undefined;

  constructor(private readonly producer: Producer, readonly topic: string) {}

  apply(key: Buffer | null, value: Buffer | null): void {
    if (key === null) return;
    if (value === null) this.data.delete(key.toString('utf8'));
    else this.data.set(key.toString('utf8'), value.toString('utf8'));
  }

  async start(): Promise<void> {}

  get(key: string): string | undefined {
    return this.data.get(key);
  }

  async set(entries: ReadonlyMap<string, string>): Promise<void> {
    await write(this.producer, this.topic, [...entries].map(([key, value]) => ({ key, value })));
    for (const [k, v] of entries) this.data.set(k, v);
  }

  entries(): Array<[string, string]> {
    return [...this.data];
  }

  async stop(): Promise<void> {}
}
