/**
 * Membership of the Connect cluster: the worker joins the consumer-group-protocol
 * group `group.id` with protocol type "connect" (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup straight over src/network, as Kafka's WorkerCoordinator). The leader
 * computes the assignment; every member gets its part in SyncGroup. When a member
 * joins, leaves or stops heartbeating (session.timeout.ms after a kill -9), the
 * coordinator starts a rebalance, the others see REBALANCE_IN_PROGRESS on their next
 * heartbeat, give up their work (eager protocol) and join again.
 */
import { NetworkClient, type Endpoint } from '../../network/index.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { FindCoordinatorResponse, HeartbeatResponse, JoinGroupResponse, JoinGroupResponseMember, SyncGroupResponse } from '../../protocol/generated/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import { CATEGORY, type ConnectLog } from '../log.js';
import { CONNECT_PROTOCOL_NAME, CONNECT_PROTOCOL_TYPE, decodeAssignment, encodeAssignment, encodeMetadata, type Assignment } from './connect-protocol.js';

export interface WorkerGroupOptions {
  client: NetworkClient;
  groupId: string;
  clientId: string;
  url: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  log: ConnectLog;
  /** the config topic position this worker has read to */
  configOffset(): bigint;
  /** leader only: the assignment of every member (by member id) */
  assign(members: JoinGroupResponseMember[], self: { memberId: string; url: string }): Promise<Map<string, Buffer>>;
  /** a rebalance starts: stop every connector and task (eager protocol) */
  revoke(): Promise<void>;
  /** this worker's share for the new generation */
  assigned(assignment: Assignment, generation: number): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class WorkerGroup {
  private memberId = '';
  private generation = -1;
  private coordinator: Endpoint | undefined;
  private running = false;
  private rejoinRequested = false;
  private loop: Promise<void> | undefined;
  private holdsAssignment = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: WorkerGroupOptions) {}

  private get prefix(): string {
    return `[Worker clientId=${this.options.clientId}, groupId=${this.options.groupId}]`;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Starts a rebalance (after this worker changed the connector configs). */
  requestRejoin(): void {
    this.rejoinRequested = true;
    this.wake?.();
  }

  private async findCoordinator(): Promise<Endpoint> {
    for (;;) {
      const connection = await this.options.client.bootstrapConnection();
      const response = await connection.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, 1, { key: this.options.groupId, keyType: 0, coordinatorKeys: [] });
      if (response.errorCode === ErrorCode.NONE) return { host: response.host, port: response.port, nodeId: response.nodeId };
      await sleep(300);
    }
  }

  private async revokeIfHeld(): Promise<void> {
    if (!this.holdsAssignment) return;
    this.holdsAssignment = false;
    await this.options.revoke();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.coordinator ??= await this.findCoordinator();
        await this.revokeIfHeld();
        if (this.memberId === '' || this.generation >= 0) this.options.log.log('INFO', `${this.prefix} Rebalance started`, CATEGORY.coordinator);
        const joined = await this.join(this.coordinator);
        if (!joined) continue;
        const assignment = await this.sync(this.coordinator, joined);
        if (!assignment) continue;
        this.holdsAssignment = true;
        this.options.log.log('INFO', `${this.prefix} Joined group at generation ${this.generation} with protocol version 0 and got assignment: ` +
          `Assignment{error=${assignment.error}, leader='${assignment.leader}', leaderUrl='${assignment.leaderUrl}', offset=${assignment.configOffset}, ` +
          `connectorIds=[${assignment.connectors.join(', ')}], taskIds=[${assignment.tasks.map((t) => `${t.connector}-${t.task}`).join(', ')}]}`, CATEGORY.distributedHerder);
        await this.options.assigned(assignment, this.generation);
        await this.heartbeatUntilRebalance(this.coordinator);
      } catch (err) {
        if (!this.running) break;
        this.options.log.log('WARN', `${this.prefix} Group coordination failed, retrying: ${(err as Error).message}`, CATEGORY.coordinator);
        this.coordinator = undefined;
        await sleep(500);
      }
    }
  }

  private async join(coordinator: Endpoint): Promise<JoinGroupResponse | undefined> {
    this.rejoinRequested = false;
    const metadata = encodeMetadata({ url: this.options.url, configOffset: this.options.configOffset() });
    const { response } = await this.options.client.send<JoinGroupResponse>(coordinator, ApiKey.JoinGroup, {
      groupId: this.options.groupId,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
      memberId: this.memberId,
      groupInstanceId: null,
      protocolType: CONNECT_PROTOCOL_TYPE,
      protocols: [{ name: CONNECT_PROTOCOL_NAME, metadata }],
      reason: null,
    }, { minVersion: 1, maxVersion: 5, timeoutMs: this.options.rebalanceTimeoutMs + 10000 });
    switch (response.errorCode) {
      case ErrorCode.NONE:
        this.memberId = response.memberId;
        this.generation = response.generationId;
        return response;
      case ErrorCode.MEMBER_ID_REQUIRED:
        // KIP-394: the first JoinGroup only hands out the member id to join with
        this.memberId = response.memberId;
        this.generation = -1;
        return undefined;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.memberId = '';
        return undefined;
      case ErrorCode.NOT_COORDINATOR: case ErrorCode.COORDINATOR_NOT_AVAILABLE:
        this.coordinator = undefined;
        await sleep(300);
        return undefined;
      default:
        await sleep(300);
        return undefined;
    }
  }

  private async sync(coordinator: Endpoint, joined: JoinGroupResponse): Promise<Assignment | undefined> {
    const leader = joined.leader === this.memberId;
    const assignments = leader ? await this.options.assign(joined.members, { memberId: this.memberId, url: this.options.url }) : new Map<string, Buffer>();
    const { response } = await this.options.client.send<SyncGroupResponse>(coordinator, ApiKey.SyncGroup, {
      groupId: this.options.groupId,
      generationId: this.generation,
      memberId: this.memberId,
      groupInstanceId: null,
      protocolType: CONNECT_PROTOCOL_TYPE,
      protocolName: CONNECT_PROTOCOL_NAME,
      assignments: [...assignments].map(([memberId, assignment]) => ({ memberId, assignment })),
    }, { minVersion: 1, maxVersion: 5, timeoutMs: this.options.rebalanceTimeoutMs + 10000 });
    if (response.errorCode !== ErrorCode.NONE) {
      if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      return undefined;
    }
    return decodeAssignment(response.assignment);
  }

  private async heartbeatUntilRebalance(coordinator: Endpoint): Promise<void> {
    while (this.running && !this.rejoinRequested) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.heartbeatIntervalMs);
        const self = this;
        function done(): void { clearTimeout(timer); self.wake = undefined; resolve(); }
        this.wake = done;
      });
      if (!this.running || this.rejoinRequested) return;
      const { response } = await this.options.client.send<HeartbeatResponse>(coordinator, ApiKey.Heartbeat, {
        groupId: this.options.groupId, generationId: this.generation, memberId: this.memberId, groupInstanceId: null,
      }, { minVersion: 0, maxVersion: 3 });
      if (response.errorCode === ErrorCode.NONE) continue;
      if (response.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
        this.options.log.log('INFO', `${this.prefix} Attempt to heartbeat failed since group is rebalancing`, CATEGORY.coordinator);
      } else if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || response.errorCode === ErrorCode.ILLEGAL_GENERATION) {
        if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      } else if (response.errorCode === ErrorCode.NOT_COORDINATOR || response.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
        this.coordinator = undefined;
      }
      return;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    // a JoinGroup in flight may wait for a whole rebalance: do not let it hold up the shutdown
    await Promise.race([this.loop?.catch(() => undefined), sleep(5000)]);
    await this.revokeIfHeld();
    if (this.coordinator && this.memberId) {
      await this.options.client.send(this.coordinator, ApiKey.LeaveGroup, {
        groupId: this.options.groupId, memberId: this.memberId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: null }],
      }, { minVersion: 0, maxVersion: 3, timeoutMs: 3000 }).catch(() => undefined);
    }
  }
}
