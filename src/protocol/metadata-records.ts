/**
 * Serialization of KRaft metadata records, as Kafka's MetadataRecordSerde
 * (AbstractApiMessageSerde) frames them in the value of each record of
 * `__cluster_metadata`:
 *
 *   frame version (unsigned varint, 1) · record type (unsigned varint, the spec's apiKey)
 *   · record version (unsigned varint) · the record body at that version
 *
 * Frame version 0 was KRaft's 2.8 preview format and is refused, as Kafka does.
 * Also the raft control records (LeaderChangeMessage, SnapshotHeaderRecord,
 * SnapshotFooterRecord) that sit in control batches of the same log and of
 * snapshots: their key is the usual int16 version + int16 control type, their value
 * the message body alone (each carries its own Version field).
 */
import { compileMessage, type MessageCodec } from './codec.js';
import {
  MetadataRecordMaxVersion,
  MetadataRecordType,
  metadataRecordSpecs,
  raftControlRecordSpecs,
  type LeaderChangeMessage,
  type MetadataRecordBodies,
  type MetadataRecordName,
  type SnapshotFooterRecord,
  type SnapshotHeaderRecord,
} from './generated/metadata-records.js';
import { ByteReader, ByteWriter, ProtocolDecodeError } from './primitives.js';
import { messageToJson } from './message-json.js';
import { inVersionRange, type MessageSpec } from './schema-types.js';

export * from './generated/metadata-records.js';

/** The only frame version Kafka reads and writes (AbstractApiMessageSerde.DEFAULT_FRAME_VERSION). */
export const METADATA_RECORD_FRAME_VERSION = 1;

/** One metadata record with the version it is (to be) written at: Kafka's ApiMessageAndVersion. */
export type MetadataRecord = {
  [K in MetadataRecordName]: { type: K; version: number; data: MetadataRecordBodies[K] };
}[MetadataRecordName];

/** The record of type `K`, narrowed (for switch-free access in tests and appliers). */
export type MetadataRecordOf<K extends MetadataRecordName> = Extract<MetadataRecord, { type: K }>;

const specsByType = new Map<number, MessageSpec>(metadataRecordSpecs.map((s) => [s.apiKey!, s]));
const codecCache = new Map<number, MessageCodec<Record<string, unknown>>>();

function codecFor(apiKey: number, version: number, what: string): MessageCodec<Record<string, unknown>> {
  const key = apiKey * 0x10000 + version;
  let codec = codecCache.get(key);
  if (codec === undefined) {
    const spec = specsByType.get(apiKey);
    if (spec === undefined) throw new ProtocolDecodeError(`unknown metadata record type ${apiKey}${what}`);
    if (!inVersionRange(spec.validVersions, version)) {
      throw new ProtocolDecodeError(`${spec.name} version ${version} is not supported${what}`);
    }
    codec = compileMessage(spec, version);
    codecCache.set(key, codec);
  }
  return codec;
}

/** Name of a metadata record type id, e.g. 2 → "TopicRecord"; undefined for unknown ids. */
export function metadataRecordName(type: number): MetadataRecordName | undefined {
  return specsByType.get(type)?.name as MetadataRecordName | undefined;
}

/**
 * A record at the highest version this code knows (or `version`). Fields missing
 * from `data` get their spec defaults (PartitionChangeRecord.Leader -2, absent
 * lists null, ...): the record is put through its codec, so it is exactly what a
 * reader of the log will see.
 */
export function metadataRecord<K extends MetadataRecordName>(
  type: K,
  data: Partial<MetadataRecordBodies[K]>,
  version: number = MetadataRecordMaxVersion[type],
): MetadataRecordOf<K> {
  return decodeMetadataRecord(encodeMetadataRecord({ type, version, data } as unknown as MetadataRecord)) as MetadataRecordOf<K>;
}

/** The framed bytes of one record (what goes in a log record's value). */
export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const apiKey = MetadataRecordType[record.type];
  const w = new ByteWriter(64);
  w.uvarint(METADATA_RECORD_FRAME_VERSION);
  w.uvarint(apiKey);
  w.uvarint(record.version);
  codecFor(apiKey, record.version, '').write(w, record.data as unknown as Record<string, unknown>);
  return w.toBuffer();
}

function uvarintAsShort(r: ByteReader, what: string): number {
  const v = r.uvarint();
  if (v > 0x7fff) throw new ProtocolDecodeError(`metadata record ${what} ${v} is too large`);
  return v;
}

/**
 * Decodes one framed record. Unknown frame versions, unknown types or versions,
 * and bytes left over after the body are errors (ProtocolDecodeError), as in Kafka.
 */
export function decodeMetadataRecord(value: Buffer): MetadataRecord {
  const r = new ByteReader(value);
  const frameVersion = uvarintAsShort(r, 'frame version');
  if (frameVersion !== METADATA_RECORD_FRAME_VERSION) {
    throw new ProtocolDecodeError(
      `cannot read metadata record frame version ${frameVersion} (only ${METADATA_RECORD_FRAME_VERSION} is supported)`,
    );
  }
  const apiKey = uvarintAsShort(r, 'type');
  const version = uvarintAsShort(r, 'version');
  const data = codecFor(apiKey, version, '').read(r);
  if (r.remaining > 0) {
    throw new ProtocolDecodeError(`found ${r.remaining} byte(s) of garbage after metadata record type ${apiKey}`);
  }
  return { type: metadataRecordName(apiKey)!, version, data } as MetadataRecord;
}

// ---------------------------------------------------------------------------
// raft control records

/** Control record types of the raft log (ControlRecordType: 0/1 are transaction markers). */
export const RaftControlRecordType = {
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
} as const;

interface RaftControlBodies {
  LeaderChangeMessage: LeaderChangeMessage;
  SnapshotHeaderRecord: SnapshotHeaderRecord;
  SnapshotFooterRecord: SnapshotFooterRecord;
}
export type RaftControlName = keyof RaftControlBodies;

const CONTROL_TYPE_OF: Record<RaftControlName, number> = {
  LeaderChangeMessage: RaftControlRecordType.LEADER_CHANGE,
  SnapshotHeaderRecord: RaftControlRecordType.SNAPSHOT_HEADER,
  SnapshotFooterRecord: RaftControlRecordType.SNAPSHOT_FOOTER,
};
const controlSpecs = new Map(raftControlRecordSpecs.map((s) => [s.name, s]));

/** Control record key/value of a raft control record, written at version 0 (Kafka's current versions). */
export function encodeRaftControlRecord<K extends RaftControlName>(
  name: K,
  data: Omit<RaftControlBodies[K], 'version'>,
): { key: Buffer; value: Buffer } {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(CONTROL_TYPE_OF[name], 2);
  const w = new ByteWriter(32);
  compileMessage(controlSpecs.get(name)!, 0).write(w, { ...data, version: 0 });
  return { key, value: w.toBuffer() };
}

/** Decodes a raft control record's value; the type comes from its key. */
export function decodeRaftControlRecord<K extends RaftControlName>(name: K, value: Buffer): RaftControlBodies[K] {
  const r = new ByteReader(value);
  // Each carries its own int16 Version first; read the body at that version.
  const version = value.length >= 2 ? value.readInt16BE(0) : 0;
  const spec = controlSpecs.get(name)!;
  if (!inVersionRange(spec.validVersions, version)) throw new ProtocolDecodeError(`${name} version ${version} is not supported`);
  return compileMessage(spec, version).read(r) as unknown as RaftControlBodies[K];
}

// ---------------------------------------------------------------------------
// JSON, as Kafka's tools print records (kafka-dump-log --cluster-metadata-decoder)

/** Kafka's MetadataRecordType constant name: TopicRecord → TOPIC_RECORD (MessageGenerator.toSnakeCase). */
export function metadataRecordTypeConstant(name: string): string {
  let out = '';
  let previousWasCapital = true;
  for (const c of name) {
    const upper = c !== c.toLowerCase();
    if (upper && !previousWasCapital) out += '_';
    out += c.toUpperCase();
    previousWasCapital = upper;
  }
  return out;
}

/** `{"type":"TOPIC_RECORD","version":0,"data":{...}}`, as DumpLogSegments' ClusterMetadataLogMessageParser prints a record. */
export function metadataRecordJson(record: MetadataRecord): string {
  const spec = specsByType.get(MetadataRecordType[record.type])!;
  const data = messageToJson(spec, record.version, record.data as unknown as Record<string, unknown>);
  return `{"type":${JSON.stringify(metadataRecordTypeConstant(record.type))},"version":${record.version},"data":${data}}`;
}

/** A raft control record's value as JsonConverter prints it (SnapshotHeader / SnapshotFooter lines of kafka-dump-log). */
export function raftControlRecordJson(name: RaftControlName, value: Buffer): string {
  const decoded = decodeRaftControlRecord(name, value) as unknown as Record<string, unknown>;
  return messageToJson(controlSpecs.get(name)!, decoded.version as number, decoded);
}
