/**
 * The `__consumer_offsets` record formats Kafka uses for classic groups, encoded by
 * hand with the protocol's ByteReader/ByteWriter (all non-flexible): keys are an int16
 * record type + struct (OffsetCommitKey type 1, GroupMetadataKey type 2); values an
 * int16 version + struct (we write OffsetCommitValue v3 and GroupMetadataValue v3, and
 * read versions 0-3 of both). Null value = tombstone. Decoding throws
 * ProtocolDecodeError on truncated input. Also `offsetsPartitionFor`: Kafka's
 * group → partition mapping.
 */
import { decodeData } from '../protocol/codec.js';
import { ByteReader, ByteWriter } from '../protocol/primitives.js';

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

/** Non-flexible string where Kafka's schema is not nullable but old writers may have left null. */
function lenientString(r: ByteReader): string {
  return r.nullableString() ?? '';
}

function int64(r: ByteReader): number {
  return Number(r.int64());
}

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  return new ByteWriter().int16(OFFSET_COMMIT_KEY_TYPE).string(key.group).string(key.topic).int32(key.partition).toBuffer();
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  return new ByteWriter()
    .int16(OFFSET_COMMIT_VALUE_VERSION)
    .int64(BigInt(value.offset))
    .int32(value.leaderEpoch)
    .string(value.metadata)
    .int64(BigInt(value.commitTimestamp))
    .toBuffer();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new ByteWriter().int16(GROUP_METADATA_KEY_TYPE).string(group).toBuffer();
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new ByteWriter()
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(value.protocolType)
    .int32(value.generation)
    .nullableString(value.protocol)
    .nullableString(value.leader)
    .int64(BigInt(value.currentStateTimestamp))
    .int32(value.members.length);
  for (const m of value.members) {
    w.string(m.memberId)
      .nullableString(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeout)
      .int32(m.sessionTimeout)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupRecordKey(buf: Buffer): GroupRecordKey {
  const r = new ByteReader(buf);
  const recordType = r.int16();
  // OffsetCommitKey versions 0 and 1 share one layout.
  if (recordType === 0 || recordType === OFFSET_COMMIT_KEY_TYPE) {
    return { type: 'offset', key: { group: lenientString(r), topic: lenientString(r), partition: r.int32() } };
  }
  if (recordType === GROUP_METADATA_KEY_TYPE) return { type: 'group', group: lenientString(r) };
  return { type: 'unknown', recordType };
}

/** Returns null for versions this broker cannot read (flexible v4+). */
export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue | null {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) return null;
  const offset = int64(r);
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = lenientString(r);
  const commitTimestamp = int64(r);
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

/** Returns null for versions this broker cannot read (flexible v4+). */
export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue | null {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) return null;
  const protocolType = lenientString(r);
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestamp = version >= 2 ? int64(r) : -1;
  const count = r.int32();
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = lenientString(r);
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = lenientString(r);
    const clientHost = lenientString(r);
    const rebalanceTimeout = version >= 1 ? r.int32() : -1;
    const sessionTimeout = r.int32();
    const subscription = r.nullableBytes() ?? Buffer.alloc(0);
    const assignment = r.nullableBytes() ?? Buffer.alloc(0);
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

/** Highest ConsumerProtocolSubscription version in our schemas; newer ones start with the same fields. */
const MAX_SUBSCRIPTION_VERSION = 3;

/**
 * Topics of a ConsumerProtocolSubscription (int16 version + struct), decoded with the
 * generated data codec; null when the bytes do not parse.
 */
export function decodeSubscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const r = new ByteReader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    const subscription = decodeData<{ topics: string[] }>(
      'ConsumerProtocolSubscription',
      Math.min(version, MAX_SUBSCRIPTION_VERSION),
      r,
    );
    return subscription.topics;
  } catch {
    return null;
  }
}
