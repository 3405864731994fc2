/**
 * Test harness: raft nodes in one process, each on its own loopback address with a
 * real listener (BrokerServer with only the raft handlers: Fetch, ApiVersions, Vote,
 * BeginQuorumEpoch, EndQuorumEpoch, DescribeQuorum, FetchSnapshot) and its own temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fetchHandler from '../../../src/broker/handlers/01-fetch.js';
import apiVersionsHandler from '../../../src/broker/handlers/18-api-versions.js';
import voteHandler from '../../../src/broker/handlers/52-vote.js';
import beginHandler from '../../../src/broker/handlers/53-begin-quorum-epoch.js';
import endHandler from '../../../src/broker/handlers/54-end-quorum-epoch.js';
import describeHandler from '../../../src/broker/handlers/55-describe-quorum.js';
import fetchSnapshotHandler from '../../../src/broker/handlers/59-fetch-snapshot.js';
import type { ApiHandler } from '../../../src/broker/handler.js';
import { advertisedApis, BrokerServer } from '../../../src/broker/server.js';
import type { BrokerConfig } from '../../../src/broker/config.js';
import type { BrokerServices } from '../../../src/broker/services/index.js';
import { RaftQuorum } from '../../../src/cluster/raft/raft-quorum.js';
import type { QuorumVoter, RaftQuorumOptions } from '../../../src/cluster/raft/raft-config.js';
import { topicRecords } from '../../../src/metadata/records.js';
import type { MetadataRecord } from '../../../src/protocol/metadata-records.js';

export const CLUSTER_ID = 'raftTestCluster0000000';

export const RAFT_HANDLERS = [fetchHandler, apiVersionsHandler, voteHandler, beginHandler, endHandler, describeHandler, fetchSnapshotHandler] as unknown as ApiHandler[];

/** Only what the server and the raft handlers touch; the raft handlers need nothing else. */
export function raftServices(quorum: RaftQuorum | undefined, log: (line: string) => void = () => {}): BrokerServices {
  return {
    config: { socketRequestMaxBytes: 100 * 1024 * 1024 } as BrokerConfig,
    apiVersions: advertisedApis(RAFT_HANDLERS),
    log,
    quorum: quorum?.service,
  } as unknown as BrokerServices;
}

/** Quicker than Kafka's defaults so tests are short, slow enough for a loaded machine. */
export const TEST_TIMEOUTS: Partial<RaftQuorumOptions> = {
  electionTimeoutMs: 500,
  fetchTimeoutMs: 1200,
  electionBackoffMaxMs: 300,
  requestTimeoutMs: 1500,
  fetchMaxWaitMs: 200,
};

export interface NodeSpec {
  id: number;
  host: string;
}

export class RaftNode {
  quorum: RaftQuorum | null = null;
  private server: BrokerServer | null = null;
  port = 0;
  readonly lines: string[] = [];

  constructor(
    readonly id: number,
    readonly host: string,
    readonly dir: string,
    private readonly extra: Partial<RaftQuorumOptions> = {},
  ) {}

  /** Binds the listener (the same port again after a restart). */
  async bind(): Promise<void> {
    let resolve!: (s: BrokerServices) => void;
    const services = new Promise<BrokerServices>((r) => (resolve = r));
    this.server = new BrokerServer(RAFT_HANDLERS, services);
    const [bound] = await this.server.listen([{ name: 'CONTROLLER', host: this.host, port: this.port }]);
    this.port = bound!.port;
    this.resolveServices = resolve;
  }

  private resolveServices: ((s: BrokerServices) => void) | null = null;

  open(voters: readonly QuorumVoter[], options: Partial<RaftQuorumOptions> = {}): RaftQuorum {
    const quorum = RaftQuorum.open({
      nodeId: this.id,
      clusterId: CLUSTER_ID,
      logDir: this.dir,
      voters,
      logger: (line) => this.lines.push(line),
      ...TEST_TIMEOUTS,
      ...this.extra,
      ...options,
    });
    this.quorum = quorum;
    this.resolveServices!(raftServices(quorum));
    return quorum;
  }

  get voter(): QuorumVoter {
    return { id: this.id, host: this.host, port: this.port };
  }

  get bound(): boolean {
    return this.server !== null && this.quorum === null;
  }

  get running(): boolean {
    return this.quorum !== null;
  }

  /** Clean shutdown (a leader sends EndQuorumEpoch), or a crash with `resign: false`. */
  async stop(resign = true): Promise<void> {
    const quorum = this.quorum;
    this.quorum = null;
    // a node bound but never opened still holds accepted connections waiting for services
    this.resolveServices?.(raftServices(undefined));
    if (resign) {
      await quorum?.close({ resign: true });
      await this.server?.close();
    } else {
      // a crash: the listener goes first, nobody is told
      await this.server?.close();
      await quorum?.close({ resign: false });
    }
    this.server = null;
  }
}

export class RaftCluster {
  readonly nodes: RaftNode[] = [];
  readonly root: string;
  voters: QuorumVoter[] = [];

  constructor(readonly specs: NodeSpec[], private readonly extra: Partial<RaftQuorumOptions> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'kts-raft-'));
    for (const s of specs) this.nodes.push(new RaftNode(s.id, s.host, join(this.root, `node-${s.id}`), extra));
  }

  /** Binds every node, then opens the quorums of `which` (default all). */
  async start(which: readonly number[] = this.specs.map((s) => s.id)): Promise<void> {
    for (const n of this.nodes) await n.bind();
    this.voters = this.nodes.map((n) => n.voter);
    for (const n of this.nodes) if (which.includes(n.id)) n.open(this.voters);
  }

  node(id: number): RaftNode {
    return this.nodes.find((n) => n.id === id)!;
  }

  async restart(id: number, options: Partial<RaftQuorumOptions> = {}): Promise<RaftQuorum> {
    const n = this.node(id);
    if (n.running) await n.stop(false);
    if (!n.bound) await n.bind();
    return n.open(this.voters, options);
  }

  running(): RaftQuorum[] {
    return this.nodes.flatMap((n) => (n.quorum ? [n.quorum] : []));
  }

  /** The one leader all running voters agree on, once there is one. */
  async leader(timeoutMs = 20_000, among: readonly RaftQuorum[] = this.running()): Promise<RaftQuorum> {
    let found: RaftQuorum | undefined;
    await waitFor(() => {
      const leaders = among.filter((q) => q.isLeader());
      if (leaders.length !== 1) return false;
      const { epoch } = leaders[0]!.leaderAndEpoch();
      const agreed = among.filter((q) => q.isVoter).every((q) => q.leaderAndEpoch().leaderId === leaders[0]!.nodeId && q.leaderAndEpoch().epoch === epoch);
      if (agreed) found = leaders[0];
      return agreed;
    }, timeoutMs, 'a leader all running voters follow');
    return found!;
  }

  async close(): Promise<void> {
    for (const n of this.nodes) if (n.running || n.bound) await n.stop(false);
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let topicCounter = 0;
/** Records creating a one-partition topic with a fresh id. */
export function topic(name: string): MetadataRecord[] {
  topicCounter++;
  const topicId = `T${String(topicCounter).padStart(4, '0')}${name.replace(/[^A-Za-z0-9]/g, 'x').padEnd(16, 'x').slice(0, 16)}A`;
  return topicRecords({ name, topicId, partitions: [{ partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 }] });
}

export function hasTopic(q: RaftQuorum, name: string): boolean {
  return q.image().topicsByName.has(name);
}
