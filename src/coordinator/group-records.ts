/**
 * The `__consumer_offsets` record formats Kafka uses for classic groups, hand-encoded
 * (all non-flexible): keys are an int16 record type + struct (OffsetCommitKey type 1,
 * GroupMetadataKey type 2); values an int16 version + struct (we write OffsetCommitValue
 * v3 and GroupMetadataValue v3, and read versions 0-3 of both). Null value = tombstone.
 * Also `offsetsPartitionFor`: Kafka's group → partition mapping.
 */

export const OFFSET_COMMIT_KEY_TYPE = 1;
export const GROUP_METADATA_KEY_TYPE = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const GROUP_METADATA_VALUE_VERSION = 3;

export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface GroupMetadataMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: GroupMetadataMember[];
}

export type GroupRecordKey =
  | { type: 'offset'; key: OffsetCommitKey }
  | { type: 'group'; group: string }
  | { type: 'unknown'; recordType: number };

/** Java's String.hashCode over UTF-16 code units, as int32. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's partitionFor: Utils.abs(groupId.hashCode) % partitions, where Utils.abs is `& 0x7fffffff`. */
export function offsetsPartitionFor(groupId: string, numPartitions: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % numPartitions;
}

class StructWriter {
  private parts: Buffer[] = [];

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    this.parts.push(b);
    return this;
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  bytes(v: Buffer): this {
    this.int32(v.length);
    this.parts.push(v);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads a non-flexible struct; throws RangeError on truncation (records we cannot parse are skipped). */
class StructReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new RangeError('truncated __consumer_offsets record');
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const v = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
  string(): string {
    return this.nullableString() ?? '';
  }
  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) return Buffer.alloc(0);
    this.need(len);
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return v;
  }
}

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  return new StructWriter().int16(OFFSET_COMMIT_KEY_TYPE).string(key.group).string(key.topic).int32(key.partition).done();
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  return new StructWriter()
    .int16(OFFSET_COMMIT_VALUE_VERSION)
    .int64(value.offset)
    .int32(value.leaderEpoch)
    .string(value.metadata)
    .int64(value.commitTimestamp)
    .done();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new StructWriter().int16(GROUP_METADATA_KEY_TYPE).string(group).done();
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new StructWriter()
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(value.protocolType)
    .int32(value.generation)
    .string(value.protocol)
    .string(value.leader)
    .int64(value.currentStateTimestamp)
    .int32(value.members.length);
  for (const m of value.members) {
    w.string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeout)
      .int32(m.sessionTimeout)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.done();
}

export function decodeGroupRecordKey(buf: Buffer): GroupRecordKey {
  const r = new StructReader(buf);
  const recordType = r.int16();
  // OffsetCommitKey versions 0 and 1 share one layout.
  if (recordType === 0 || recordType === OFFSET_COMMIT_KEY_TYPE) {
    return { type: 'offset', key: { group: r.string(), topic: r.string(), partition: r.int32() } };
  }
  if (recordType === GROUP_METADATA_KEY_TYPE) return { type: 'group', group: r.string() };
  return { type: 'unknown', recordType };
}

/** Returns null for versions this broker cannot read (flexible v4+). */
export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue | null {
  const r = new StructReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) return null;
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

/** Returns null for versions this broker cannot read (flexible v4+). */
export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue | null {
  const r = new StructReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) return null;
  const protocolType = r.string();
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestamp = version >= 2 ? r.int64() : -1;
  const count = r.int32();
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeout = version >= 1 ? r.int32() : -1;
    const sessionTimeout = r.int32();
    const subscription = r.bytes();
    const assignment = r.bytes();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

/**
 * Topics of a ConsumerProtocolSubscription (int16 version, then `[]string Topics`
 * first in every version 0-3); null when the bytes do not parse.
 */
export function decodeSubscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const r = new StructReader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    const count = r.int32();
    if (count < 0 || count > metadata.length) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) topics.push(r.string());
    return topics;
  } catch {
    return null;
  }
}
