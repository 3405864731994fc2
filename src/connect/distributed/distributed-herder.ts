/**
 * The distributed herder (Kafka's DistributedHerder, simplified): connector configs
 * live in the config topic, so a REST call on any worker writes them there and asks
 * for a rebalance; the group leader deals connectors and tasks round-robin (eager
 * protocol, connect-protocol.ts); each worker runs its share and writes the states
 * of what it runs to the status topic, which every worker reads to answer /status.
 * Kafka forwards config writes to the leader; here any worker writes them itself
 * (the config topic orders concurrent writes; the last one wins).
 */
import type { JoinGroupResponseMember } from '../../protocol/generated/types.js';
import type { ConnectorPlugin } from '../connector.js';
import { ConnectRestError, alreadyExists } from '../errors.js';
import {
  checkConnectorConfig, connectorNotFound, maxTasks, noStatusForConnector, noStatusForTask,
  type ConnectorInfo, type ConnectorOffset, type ConnectorStateInfo, type Herder, type PutResult, type TaskInfo, type TaskStateInfo,
} from '../herder.js';
import { CATEGORY, type ConnectLog } from '../log.js';
import { connectorOffsets, type OffsetStore } from '../offsets.js';
import { findConnectorPlugin, unknownConnectorMessage } from '../plugins.js';
import { taskKey, type TaskId, type TaskStatus, type Worker } from '../worker.js';
import { assignRoundRobin, encodeAssignment, type Assignment } from './connect-protocol.js';
import type { KafkaLog } from './kafka-log.js';
import type { ConfigChange, ConfigStore, StatusStore } from './stores.js';
import type { WorkerGroup } from './worker-group.js';

export class DistributedHerder implements Herder {
  group: WorkerGroup | undefined;
  private generation = -1;
  private ownedConnectors: string[] = [];
  private ownedTasks: TaskId[] = [];

  constructor(
    private readonly worker: Worker,
    private readonly configs: ConfigStore,
    private readonly statuses: StatusStore,
    private readonly configLog: KafkaLog,
    private readonly offsetLog: KafkaLog,
    private readonly workerId: string,
    private readonly kafkaClusterId: string,
    private readonly log: ConnectLog,
    private readonly offsets: OffsetStore,
  ) {
    configs.onChange = (change) => this.onConfigChange(change);
  }

  clusterId(): string {
    return this.kafkaClusterId;
  }

  private config(name: string): Record<string, string> {
    const config = this.configs.connectors.get(name);
    if (!config) throw connectorNotFound(name);
    return config;
  }

  private plugin(config: Record<string, string>): ConnectorPlugin | undefined {
    return findConnectorPlugin(config['connector.class'] ?? '');
  }

  connectors(): string[] {
    return [...this.configs.connectors.keys()];
  }

  connectorInfo(name: string): ConnectorInfo {
    const config = this.config(name);
    const tasks = (this.configs.taskConfigs.get(name) ?? []).map((_, task) => ({ connector: name, task }));
    return { name, config, tasks, type: this.plugin(config)?.type ?? 'source' };
  }

  connectorConfig(name: string): Record<string, string> {
    return this.config(name);
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const config = this.configs.connectors.get(name);
    const status = this.statuses.connectors.get(name);
    if (!config || !status) throw noStatusForConnector(name);
    const tasks: TaskStateInfo[] = [];
    for (let task = 0; task < (this.configs.taskConfigs.get(name)?.length ?? 0); task++) {
      const s = this.statuses.tasks.get(`${name}-${task}`);
      if (s) tasks.push(this.taskInfo(task, s));
    }
    const connector = { state: status.state, worker_id: status.workerId, ...(status.trace ? { trace: status.trace } : {}) };
    return { name, connector, tasks, type: this.plugin(config)?.type ?? 'source' };
  }

  private taskInfo(task: number, s: { state: TaskStateInfo['state']; workerId: string; trace: string | null }): TaskStateInfo {
    const info: TaskStateInfo = { id: task, state: s.state, worker_id: s.workerId };
    if (s.trace) info.trace = s.trace;
    return info;
  }

  taskStatus(name: string, task: number): TaskStateInfo {
    const s = this.statuses.tasks.get(`${name}-${task}`);
    if (!s || !this.configs.connectors.has(name)) throw noStatusForTask(name, task);
    return this.taskInfo(task, s);
  }

  taskConfigs(name: string): TaskInfo[] {
    this.config(name);
    return (this.configs.taskConfigs.get(name) ?? []).map((config, task) => ({ id: { connector: name, task }, config }));
  }

  async putConnectorConfig(name: string, config: Record<string, string>, allowReplace: boolean): Promise<PutResult> {
    const plugin = checkConnectorConfig(name, config);
    await this.configLog.readToEnd();
    const existed = this.configs.connectors.has(name);
    if (existed && !allowReplace) throw alreadyExists(`Connector ${name} already exists`);
    const withName = 'name' in config ? config : { ...config, name };
    await this.configs.putConnector(name, withName, plugin.taskConfigs(withName, maxTasks(withName)));
    await this.configLog.readToEnd();
    this.log.log('INFO', `Connector ${name} config ${existed ? 'updated' : 'added'}`, CATEGORY.distributedHerder);
    this.group?.requestRejoin();
    // Kafka answers with the config as sent (a later GET lists it as read back from the topic)
    return { created: !existed, info: { ...this.connectorInfo(name), config: withName } };
  }

  async deleteConnector(name: string): Promise<void> {
    await this.configLog.readToEnd();
    const tasks = this.configs.taskConfigs.get(name)?.length ?? 0;
    this.config(name);
    await this.configs.removeConnector(name);
    await this.statuses.remove(name, tasks);
    await this.configLog.readToEnd();
    this.log.log('INFO', `Connector ${name} config removed`, CATEGORY.distributedHerder);
    this.group?.requestRejoin();
  }

  async restartConnector(name: string): Promise<void> {
    this.config(name);
  }

  async restartTask(name: string, task: number): Promise<void> {
    const taskConfig = this.configs.taskConfigs.get(name)?.[task];
    if (!taskConfig) throw noStatusForTask(name, task);
    const id = { connector: name, task };
    if (this.ownedTasks.some((t) => taskKey(t) === taskKey(id))) {
      await this.worker.stopTask(id);
      await this.worker.startTask(id, this.config(name), taskConfig, this.configs.targetState(name));
      return;
    }
    // Another worker runs it: ask that one, as Kafka forwards the request.
    const owner = this.statuses.tasks.get(taskKey(id))?.workerId;
    if (!owner) throw new ConnectRestError(409, `Cannot restart task ${taskKey(id)}: it is not running on any worker yet`);
    const res = await fetch(`http://${owner}/connectors/${encodeURIComponent(name)}/tasks/${task}/restart`, { method: 'POST' });
    if (res.status >= 400) throw new ConnectRestError(res.status, `Restart of task ${taskKey(id)} on worker ${owner} failed: ${await res.text()}`);
  }

  async pauseConnector(name: string): Promise<void> {
    this.config(name);
    await this.configs.putTargetState(name, 'PAUSED');
    await this.configLog.readToEnd();
  }

  async resumeConnector(name: string): Promise<void> {
    this.config(name);
    await this.configs.putTargetState(name, 'STARTED');
    await this.configLog.readToEnd();
  }

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    const config = this.config(name);
    if (this.plugin(config)?.type === 'sink') return this.worker.sinkOffsets(name);
    await this.offsetLog.readToEnd();
    return connectorOffsets(this.offsets, name);
  }

  /** Every worker applies a target state the moment it reads it: its own tasks pause or resume. */
  private onConfigChange(change: ConfigChange): void {
    if (change.kind !== 'target-state') return;
    const target = this.configs.targetState(change.connector);
    for (const id of this.ownedTasks) if (id.connector === change.connector) this.worker.setTargetState(id, target);
    if (this.ownedConnectors.includes(change.connector)) {
      void this.statuses.putConnector(change.connector, { state: target === 'PAUSED' ? 'PAUSED' : 'RUNNING', trace: null, workerId: this.workerId, generation: this.generation }).catch(() => undefined);
    }
  }

  /** The Worker's status listener: what this worker runs goes to the status topic. */
  onTaskStatus(id: TaskId, status: TaskStatus): void {
    void this.statuses.putTask(taskKey(id), { state: status.state, trace: status.trace ?? null, workerId: this.workerId, generation: this.generation }).catch(() => undefined);
  }

  /** Leader: deal every connector and task of the current configs to the members. */
  async assign(members: JoinGroupResponseMember[], self: { memberId: string; url: string }): Promise<Map<string, Buffer>> {
    await this.configLog.readToEnd();
    const work = [...this.configs.connectors.keys()].map((connector) => ({ connector, tasks: this.configs.taskConfigs.get(connector)?.length ?? 0 }));
    const dealt = assignRoundRobin(members.map((m) => m.memberId), work);
    const result = new Map<string, Buffer>();
    for (const [memberId, share] of dealt) {
      result.set(memberId, encodeAssignment({ error: 0, leader: self.memberId, leaderUrl: self.url, configOffset: this.configs.position - 1n, ...share }));
    }
    return result;
  }

  async revoke(): Promise<void> {
    const tasks = this.ownedTasks;
    this.ownedTasks = [];
    this.ownedConnectors = [];
    for (const id of tasks) await this.worker.stopTask(id);
  }

  async assigned(assignment: Assignment, generation: number): Promise<void> {
    this.generation = generation;
    await this.configLog.readToEnd();
    // A source task must see the offsets its previous owner committed before it starts.
    await this.offsetLog.readToEnd();
    for (const name of assignment.connectors) {
      if (!this.configs.connectors.has(name)) continue;
      this.ownedConnectors.push(name);
      this.log.log('INFO', `Starting connector ${name}`, CATEGORY.distributedHerder);
      const config = this.configs.connectors.get(name) as Record<string, string>;
      // A config another cluster wrote (a plugin not built in here) fails that connector alone, visibly in its status.
      const missing = this.plugin(config) ? null : unknownConnectorMessage(config['connector.class'] ?? '');
      const state = missing ? 'FAILED' : this.configs.targetState(name) === 'PAUSED' ? 'PAUSED' : 'RUNNING';
      await this.statuses.putConnector(name, { state, trace: missing, workerId: this.workerId, generation });
    }
    for (const id of assignment.tasks) {
      const config = this.configs.connectors.get(id.connector);
      const taskConfig = this.configs.taskConfigs.get(id.connector)?.[id.task];
      if (!config || !taskConfig) continue;
      this.ownedTasks.push(id);
      this.log.log('INFO', `Starting task ${taskKey(id)}`, CATEGORY.distributedHerder);
      try {
        await this.worker.startTask(id, config, taskConfig, this.configs.targetState(id.connector));
      } catch (err) {
        this.log.log('ERROR', `Failed to start task ${taskKey(id)}: ${(err as Error).message}`, CATEGORY.distributedHerder);
        await this.statuses.putTask(taskKey(id), { state: 'FAILED', trace: (err as Error).message, workerId: this.workerId, generation });
      }
    }
  }
}
