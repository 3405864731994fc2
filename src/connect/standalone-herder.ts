/**
 * The standalone herder (Kafka's StandaloneHerder): every connector and task runs in
 * this one worker. Connectors from the command line's properties files and those
 * created over REST live in memory only; source offsets persist in the offsets file.
 */
import type { ConnectorPlugin } from './connector.js';
import { alreadyExists } from './errors.js';
import {
  checkConnectorConfig, connectorNotFound, maxTasks, noStatusForConnector, noStatusForTask,
  type ConnectorInfo, type ConnectorOffset, type ConnectorStateInfo, type Herder, type SinkOffsetsReader, type PutResult, type TaskInfo, type TaskStateInfo,
} from './herder.js';
import { CATEGORY, type ConnectLog } from './log.js';
import { MemoryOffsetStore, connectorOffsets, type OffsetStore } from './offsets.js';
import type { State, TargetState, TaskRunner } from './worker.js';

interface ConnectorEntry {
  name: string;
  config: Record<string, string>;
  plugin: ConnectorPlugin;
  taskConfigs: Array<Record<string, string>>;
  target: TargetState;
}

export class StandaloneHerder implements Herder {
  private readonly entries = new Map<string, ConnectorEntry>();

  constructor(
    private readonly worker: TaskRunner,
    private readonly workerId: string,
    private readonly kafkaClusterId: string,
    private readonly log: ConnectLog,
    private readonly offsets: OffsetStore = new MemoryOffsetStore(),
    private readonly sinkOffsets: SinkOffsetsReader = async () => [],
  ) {}

  clusterId(): string {
    return this.kafkaClusterId;
  }

  private entry(name: string): ConnectorEntry {
    const entry = this.entries.get(name);
    if (!entry) throw connectorNotFound(name);
    return entry;
  }

  connectors(): string[] {
    return [...this.entries.keys()];
  }

  connectorInfo(name: string): ConnectorInfo {
    const entry = this.entry(name);
    return { name, config: entry.config, tasks: entry.taskConfigs.map((_, task) => ({ connector: name, task })), type: entry.plugin.type };
  }

  connectorConfig(name: string): Record<string, string> {
    return this.entry(name).config;
  }

  private connectorState(entry: ConnectorEntry): State {
    return entry.target === 'PAUSED' ? 'PAUSED' : 'RUNNING';
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const entry = this.entries.get(name);
    if (!entry) throw noStatusForConnector(name);
    return {
      name,
      connector: { state: this.connectorState(entry), worker_id: this.workerId },
      tasks: entry.taskConfigs.map((_, task) => this.taskStateOf(name, task)),
      type: entry.plugin.type,
    };
  }

  private taskStateOf(name: string, task: number): TaskStateInfo {
    const status = this.worker.taskStatus({ connector: name, task });
    const info: TaskStateInfo = { id: task, state: status?.state ?? 'UNASSIGNED', worker_id: this.workerId };
    if (status?.trace !== undefined) info.trace = status.trace;
    return info;
  }

  taskStatus(name: string, task: number): TaskStateInfo {
    const entry = this.entries.get(name);
    if (!entry || task < 0 || task >= entry.taskConfigs.length) throw noStatusForTask(name, task);
    return this.taskStateOf(name, task);
  }

  taskConfigs(name: string): TaskInfo[] {
    return this.entry(name).taskConfigs.map((config, task) => ({ id: { connector: name, task }, config }));
  }

  async putConnectorConfig(name: string, config: Record<string, string>, allowReplace: boolean): Promise<PutResult> {
    const plugin = checkConnectorConfig(name, config);
    const existing = this.entries.get(name);
    if (existing && !allowReplace) throw alreadyExists(`Connector ${name} already exists`);
    const withName = 'name' in config ? config : { ...config, name };
    if (existing) await this.stopTasks(existing);
    const entry: ConnectorEntry = {
      name,
      config: withName,
      plugin,
      taskConfigs: plugin.taskConfigs(withName, maxTasks(withName)),
      target: existing?.target ?? 'STARTED',
    };
    this.entries.set(name, entry);
    this.log.log('INFO', `Creating connector ${name} of type ${plugin.className}`, CATEGORY.worker);
    this.log.log('INFO', `Finished creating connector ${name}`, CATEGORY.worker);
    await this.startTasks(entry);
    return { created: !existing, info: this.connectorInfo(name) };
  }

  private async startTasks(entry: ConnectorEntry): Promise<void> {
    for (const [task, taskConfig] of entry.taskConfigs.entries()) {
      this.log.log('INFO', `Creating task ${entry.name}-${task}`, CATEGORY.worker);
      await this.worker.startTask({ connector: entry.name, task }, entry.config, taskConfig, entry.target);
    }
  }

  private async stopTasks(entry: ConnectorEntry): Promise<void> {
    for (const task of entry.taskConfigs.keys()) await this.worker.stopTask({ connector: entry.name, task });
  }

  async deleteConnector(name: string): Promise<void> {
    const entry = this.entry(name);
    this.entries.delete(name);
    await this.stopTasks(entry);
    this.log.log('INFO', `Stopped connector ${name}`, CATEGORY.worker);
  }

  async restartConnector(name: string): Promise<void> {
    // The connector object itself holds no state here: restarting it is checking it still exists.
    this.entry(name);
  }

  async restartTask(name: string, task: number): Promise<void> {
    const entry = this.entry(name);
    const taskConfig = entry.taskConfigs[task];
    if (!taskConfig) throw noStatusForTask(name, task);
    await this.worker.stopTask({ connector: name, task });
    await this.worker.startTask({ connector: name, task }, entry.config, taskConfig, entry.target);
  }

  private setTarget(name: string, target: TargetState): void {
    const entry = this.entry(name);
    entry.target = target;
    for (const task of entry.taskConfigs.keys()) this.worker.setTargetState({ connector: name, task }, target);
    this.log.log('INFO', `Setting connector ${name} state to ${target}`, CATEGORY.worker);
  }

  async pauseConnector(name: string): Promise<void> {
    this.setTarget(name, 'PAUSED');
  }

  async resumeConnector(name: string): Promise<void> {
    this.setTarget(name, 'STARTED');
  }

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    const entry = this.entry(name);
    return entry.plugin.type === 'source' ? connectorOffsets(this.offsets, name) : this.sinkOffsets(name);
  }

  async stop(): Promise<void> {
    for (const entry of this.entries.values()) await this.stopTasks(entry);
  }
}
