/**
 * What the REST API asks of a worker (Kafka's Herder), and the JSON shapes it
 * answers with (ConnectorInfo, ConnectorStateInfo, TaskInfo), field order as Kafka's.
 * StandaloneHerder (standalone-herder.ts) and DistributedHerder (distributed/) both
 * implement it.
 */
import type { ConnectorType } from './connector.js';
import { converterFor } from './converters.js';
import { ConnectRestError, badRequest } from './errors.js';
import { findConnectorPlugin, unknownConnectorMessage } from './plugins.js';
import type { ConnectorPlugin } from './connector.js';
import type { State, TaskId } from './worker.js';

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: TaskId[];
  type: ConnectorType;
}

export interface StateInfo {
  state: State;
  worker_id: string;
  trace?: string;
}

export interface TaskStateInfo extends StateInfo {
  id: number;
}

export interface ConnectorStateInfo {
  name: string;
  connector: StateInfo;
  tasks: TaskStateInfo[];
  type: ConnectorType;
}

export interface TaskInfo {
  id: TaskId;
  config: Record<string, string>;
}

export interface PutResult {
  created: boolean;
  info: ConnectorInfo;
}

export interface Herder {
  /** GET / */
  clusterId(): string;
  connectors(): string[];
  connectorInfo(name: string): ConnectorInfo;
  connectorConfig(name: string): Record<string, string>;
  connectorStatus(name: string): ConnectorStateInfo;
  taskStatus(name: string, task: number): TaskStateInfo;
  taskConfigs(name: string): TaskInfo[];
  putConnectorConfig(name: string, config: Record<string, string>, allowReplace: boolean): Promise<PutResult>;
  deleteConnector(name: string): Promise<void>;
  restartConnector(name: string): Promise<void>;
  restartTask(name: string, task: number): Promise<void>;
  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  /** GET /connectors/{name}/offsets (KIP-875): source partitions and offsets, or a sink's consumer positions */
  connectorOffsets(name: string): Promise<ConnectorOffset[]>;
}

export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown>;
}

/** Where a sink connector's consumer group stands, per partition (the worker asks the broker). */
export type SinkOffsetsReader = (connector: string) => Promise<ConnectorOffset[]>;

/** Kafka's 404 texts. */
export const connectorNotFound = (name: string): ConnectRestError => new ConnectRestError(404, `Connector ${name} not found`);
export const noStatusForConnector = (name: string): ConnectRestError => new ConnectRestError(404, `No status found for connector ${name}`);
export const noStatusForTask = (name: string, task: number): ConnectRestError => new ConnectRestError(404, `No status found for task ${name}-${task}`);

/** tasks.max, checked as Kafka's ConnectorConfig does. */
export function maxTasks(config: Record<string, string>): number {
  const raw = config['tasks.max'] ?? '1';
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
    throw badRequest(`Connector configuration is invalid and contains the following 1 error(s):\nInvalid value ${raw} for configuration tasks.max: Value must be at least 1\n` +
      'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`');
  }
  return Number(raw);
}

/**
 * The plugin a connector config names, after the checks Kafka makes before creating it:
 * an unknown class is a 500 naming the ones there are (as Kafka 2.x answers); a config
 * the plugin refuses is a 400 listing every problem.
 */
export function checkConnectorConfig(name: string, config: Record<string, string>): ConnectorPlugin {
  if (name.trim() === '' || name.includes('/')) throw badRequest(`Invalid connector name '${name}': names must be non-empty and may not contain '/'`);
  if (config.name !== undefined && config.name !== name) {
    throw badRequest(`Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`);
  }
  const className = config['connector.class'];
  if (!className) throw badRequest(`Connector config ${JSON.stringify(config)} contains no connector type`);
  const plugin = findConnectorPlugin(className);
  if (!plugin) throw new ConnectRestError(500, unknownConnectorMessage(className));
  const problems = plugin.validate(config);
  for (const prefix of ['key.converter', 'value.converter'] as const) {
    if (config[prefix] === undefined) continue;
    try {
      converterFor(config, prefix);
    } catch (err) {
      problems.push({ key: prefix, message: (err as Error).message });
    }
  }
  if (problems.length > 0) {
    throw badRequest(`Connector configuration is invalid and contains the following ${problems.length} error(s):\n${problems.map((p) => p.message).join('\n')}\n` +
      'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`');
  }
  maxTasks(config);
  return plugin;
}
