/**
 * The group protocol distributed workers speak (Kafka's ConnectProtocol, version 0,
 * protocol type "connect", protocol name "default": the eager protocol, where every
 * worker gives up all its work when a rebalance starts and the leader hands out
 * everything again). Byte layout as Kafka's, so the bytes in JoinGroup/SyncGroup are
 * the ones a Java worker would send:
 *   metadata    int16 version, string url, int64 config offset
 *   assignment  int16 version, int16 error, string leader, string leader url,
 *               int64 config offset, [string connector, [int32 task]]  (task -1 = the connector itself)
 */
export const CONNECT_PROTOCOL_TYPE = 'connect';
export const CONNECT_PROTOCOL_NAME = 'default';
/** ConnectProtocol.CONNECTOR_TASK: the entry that assigns the connector instance, not a task */
export const CONNECTOR_TASK = -1;

export interface WorkerMetadata {
  url: string;
  configOffset: bigint;
}

export interface Assignment {
  error: number;
  leader: string;
  leaderUrl: string;
  configOffset: bigint;
  connectors: string[];
  tasks: Array<{ connector: string; task: number }>;
}

class Writer {
  private readonly parts: Buffer[] = [];
  int16(v: number): this { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); return this; }
  int32(v: number): this { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); return this; }
  int64(v: bigint): this { const b = Buffer.alloc(8); b.writeBigInt64BE(v); this.parts.push(b); return this; }
  string(s: string): this { const bytes = Buffer.from(s, 'utf8'); this.int16(bytes.length); this.parts.push(bytes); return this; }
  build(): Buffer { return Buffer.concat(this.parts); }
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number { const v = this.buf.readInt16BE(this.pos); this.pos += 2; return v; }
  int32(): number { const v = this.buf.readInt32BE(this.pos); this.pos += 4; return v; }
  int64(): bigint { const v = this.buf.readBigInt64BE(this.pos); this.pos += 8; return v; }
  string(): string { const n = this.int16(); const s = this.buf.toString('utf8', this.pos, this.pos + n); this.pos += n; return s; }
}

export function encodeMetadata(m: WorkerMetadata): Buffer {
  return new Writer().int16(0).string(m.url).int64(m.configOffset).build();
}

export function decodeMetadata(buf: Buffer): WorkerMetadata {
  const r = new Reader(buf);
  r.int16();
  return { url: r.string(), configOffset: r.int64() };
}

export function encodeAssignment(a: Assignment): Buffer {
  const byConnector = new Map<string, number[]>();
  for (const c of a.connectors) byConnector.set(c, [CONNECTOR_TASK]);
  for (const t of a.tasks) byConnector.set(t.connector, [...(byConnector.get(t.connector) ?? []), t.task]);
  const w = new Writer().int16(0).int16(a.error).string(a.leader).string(a.leaderUrl).int64(a.configOffset).int32(byConnector.size);
  for (const [connector, tasks] of byConnector) {
    w.string(connector).int32(tasks.length);
    for (const t of tasks) w.int32(t);
  }
  return w.build();
}

export function decodeAssignment(buf: Buffer): Assignment {
  const r = new Reader(buf);
  r.int16();
  const a: Assignment = { error: r.int16(), leader: r.string(), leaderUrl: r.string(), configOffset: r.int64(), connectors: [], tasks: [] };
  const count = r.int32();
  for (let i = 0; i < count; i++) {
    const connector = r.string();
    const n = r.int32();
    for (let j = 0; j < n; j++) {
      const task = r.int32();
      if (task === CONNECTOR_TASK) a.connectors.push(connector);
      else a.tasks.push({ connector, task });
    }
  }
  return a;
}

/**
 * The leader's assignment (Kafka's eager round-robin): connectors, then every task,
 * dealt in turn to the members sorted by member id.
 */
export function assignRoundRobin(
  memberIds: readonly string[],
  work: ReadonlyArray<{ connector: string; tasks: number }>,
): Map<string, { connectors: string[]; tasks: Array<{ connector: string; task: number }> }> {
  const members = [...memberIds].sort();
  const result = new Map(members.map((m) => [m, { connectors: [] as string[], tasks: [] as Array<{ connector: string; task: number }> }]));
  if (members.length === 0) return result;
  let next = 0;
  const sorted = [...work].sort((a, b) => (a.connector < b.connector ? -1 : a.connector > b.connector ? 1 : 0));
  for (const w of sorted) {
    result.get(members[next % members.length])!.connectors.push(w.connector);
    next++;
  }
  for (const w of sorted) {
    for (let task = 0; task < w.tasks; task++) {
      result.get(members[next % members.length])!.tasks.push({ connector: w.connector, task });
      next++;
    }
  }
  return result;
}
