/**
 * The connector API the runtime drives (org.apache.kafka.connect.connector /
 * source / sink, reduced to what the runtime needs): a connector plugin validates its
 * config and splits it into task configs; its tasks move records. Source partitions
 * and offsets are JSON maps, as Kafka stores them (`{"filename":"test.txt"}` →
 * `{"position":21}`).
 */
import type { ConnectSchema, ConnectValue } from './data.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonMap = { [key: string]: JsonValue };

export type ConnectorType = 'source' | 'sink';

export interface SourceRecord {
  sourcePartition: JsonMap;
  sourceOffset: JsonMap;
  topic: string;
  partition?: number;
  keySchema: ConnectSchema | null;
  key: ConnectValue;
  valueSchema: ConnectSchema | null;
  value: ConnectValue;
}

export interface SinkRecord {
  topic: string;
  partition: number;
  offset: string;
  keySchema: ConnectSchema | null;
  key: ConnectValue;
  valueSchema: ConnectSchema | null;
  value: ConnectValue;
}

/** Reads the last committed offset of a source partition (OffsetStorageReader). */
export type OffsetReader = (partition: JsonMap) => JsonMap | null;

export interface TaskLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface SourceTask {
  start(config: Record<string, string>, offsets: OffsetReader, log: TaskLogger): void;
  /** records available now; an empty array when there are none yet (the runtime waits and asks again) */
  poll(): Promise<SourceRecord[]>;
  stop(): Promise<void>;
}

export interface SinkTask {
  start(config: Record<string, string>, log: TaskLogger): void;
  put(records: readonly SinkRecord[]): Promise<void>;
  /** makes everything put so far durable; the runtime commits consumer offsets after it */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** A problem with one config key, as Kafka's validate reports it. */
export interface ConfigProblem {
  key: string;
  message: string;
}

export interface ConnectorPlugin {
  /** the Java class name (org.apache.kafka.connect.file.FileStreamSourceConnector) */
  className: string;
  type: ConnectorType;
  /** the task class name the task configs carry as task.class */
  taskClass: string;
  /** problems with the connector config; empty when it can run */
  validate(config: Record<string, string>): ConfigProblem[];
  /** one config per task, at most maxTasks */
  taskConfigs(config: Record<string, string>, maxTasks: number): Array<Record<string, string>>;
  createSourceTask?(): SourceTask;
  createSinkTask?(): SinkTask;
}
