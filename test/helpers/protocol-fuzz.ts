/**
 * Seeded request frames for the protocol fuzz test: valid requests of any API and version,
 * built from the generated message specs (values biased towards what reaches deep into a
 * handler: known topic, group and transactional ids, small partition numbers, real record
 * batches), then mutated as a broken or hostile client would send them: bit flips,
 * truncation, length and count fields set huge, random bodies, lying size prefixes.
 */
import { encodeRequest, encodeRequestFrame, messageSpec, readRequestHeader, ZERO_UUID, inVersionRange } from '../../src/protocol/index.js';
import type { FieldSpec } from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { BATCH_HEADER_SIZE, computeBatchCrc } from '../../src/protocol/records/batch.js';

/** mulberry32: small, fast, good enough to drive a fuzzer, and reproducible from one seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Names the generated requests aim at, so handlers get past "unknown topic". */
export interface FuzzTargets {
  topics: string[];
  topicIds: string[];
  groups: string[];
  transactionalIds: string[];
}

const CONFIG_NAMES = ['retention.ms', 'cleanup.policy', 'segment.bytes', 'max.message.bytes', 'compression.type', 'min.insync.replicas', 'message.timestamp.type', 'no.such.config'];
const CONFIG_VALUES = ['1', '-1', '0', 'compact', 'delete', 'zstd', 'producer', 'LogAppendTime', 'abc', '99999999999999999999', ''];
const ODD_STRINGS = ['', ' ', '..', '.', 'a'.repeat(300), 'ü-topic', 'x/../../y', '__consumer_offsets-fake', '\u0000', 'null'];

function randomAscii(rng: Rng, max: number): string {
  const n = rng.int(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(0x21 + rng.int(94));
  return s;
}

function stringFor(name: string, rng: Rng, t: FuzzTargets): string {
  if (rng.chance(0.1)) return rng.pick(ODD_STRINGS);
  if (rng.chance(0.05)) return randomAscii(rng, 20);
  const n = name.toLowerCase();
  if (n.includes('transactional')) return rng.pick(t.transactionalIds);
  if (n.includes('group')) return rng.pick(t.groups);
  if (n.includes('protocoltype')) return rng.pick(['consumer', 'connect', '']);
  if (n.includes('protocolname') || (n === 'name' && rng.chance(0.1))) return rng.pick(['range', 'roundrobin', 'cooperative-sticky']);
  if (n.includes('member') || n.includes('instance')) return rng.chance(0.5) ? '' : randomAscii(rng, 12);
  if (n.includes('config') || n === 'key') return rng.pick(CONFIG_NAMES);
  if (n === 'value') return rng.pick(CONFIG_VALUES);
  if (n.includes('resourcename')) return rng.chance(0.3) ? rng.pick(['0', '1', '']) : rng.pick(t.topics);
  if (n.includes('rack')) return rng.chance(0.5) ? '' : 'rack-a';
  if (n.includes('topic') || n === 'name') return rng.pick(t.topics);
  return randomAscii(rng, 16);
}

function intFor(name: string, type: string, rng: Rng): number {
  const n = name.toLowerCase();
  const extremes: Record<string, number[]> = {
    int8: [-128, 127, -1],
    int16: [-32768, 32767, -1],
    uint16: [0, 65535],
    int32: [-2147483648, 2147483647, -1, 0x7ffffff0],
    uint32: [0, 4294967295],
  };
  if (rng.chance(0.08)) return rng.pick(extremes[type] ?? [0]);
  if (n.includes('partition') && !n.includes('bytes')) return rng.chance(0.15) ? -1 : rng.int(4);
  if (n.includes('timeout') || n.includes('waitms') || n.includes('delay')) return rng.int(200);
  if (n.includes('epoch')) return rng.int(4) - 1;
  if (n.includes('acks')) return rng.pick([-1, 1, 1, 0]);
  if (n === 'numpartitions' || n === 'count') return rng.chance(0.1) ? rng.pick([-1, 0, 100_000]) : 1 + rng.int(3);
  if (n.includes('replicationfactor')) return rng.pick([-1, 1, 1, 3]);
  if (n.includes('bytes')) return rng.chance(0.2) ? rng.int(100) : 1 << 20;
  if (n.includes('isolation')) return rng.int(3);
  if (n.includes('resourcetype')) return rng.pick([2, 4, 0, 3]);
  if (n.includes('operation')) return rng.int(5);
  if (n.includes('id') && rng.chance(0.5)) return rng.int(3) - 1;
  return type === 'uint16' || type === 'uint32' ? rng.int(10) : rng.int(10) - 1;
}

function int64For(name: string, rng: Rng): bigint {
  if (rng.chance(0.08)) return rng.pick([-(2n ** 63n), 2n ** 63n - 1n, -1n, -2n, 2n ** 53n]);
  const n = name.toLowerCase();
  if (n.includes('timestamp')) return rng.chance(0.5) ? -1n : BigInt(Date.now() - rng.int(1_000_000));
  if (n.includes('producerid')) return BigInt(rng.int(4) - 1);
  return BigInt(rng.int(40) - 2);
}

function recordsFor(rng: Rng, nullable: boolean): Buffer | null {
  if (nullable && rng.chance(0.05)) return null;
  const roll = rng.next();
  if (roll < 0.1) return rng.bytes(rng.int(80));
  const batch = buildRecordBatch(
    Array.from({ length: 1 + rng.int(3) }, (_, i) => ({
      key: rng.chance(0.3) ? null : Buffer.from(`k${i}`),
      value: rng.chance(0.1) ? null : rng.bytes(rng.int(40)),
      headers: rng.chance(0.2) ? [{ key: 'h', value: Buffer.from('v') }] : [],
    })),
    { compression: rng.pick(['none', 'none', 'gzip', 'snappy', 'lz4', 'zstd']), transactional: rng.chance(0.05) },
  );
  if (roll < 0.2) {
    batch[rng.int(batch.length)] ^= 1 << rng.int(8); // a corrupt batch (its CRC no longer matches)
  } else if (roll < 0.35 && batch.length > BATCH_HEADER_SIZE) {
    // corrupt records under a good CRC: reaches the decompressor and the record parser
    batch[BATCH_HEADER_SIZE + rng.int(batch.length - BATCH_HEADER_SIZE)] ^= 1 << rng.int(8);
    batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), 17);
  }
  return batch;
}

function valueFor(f: FieldSpec, version: number, rng: Rng, t: FuzzTargets, depth: number): unknown {
  const nullable = inVersionRange(f.nullableVersions, version);
  if (f.array) {
    if (nullable && rng.chance(0.1)) return null;
    const count = depth > 3 ? rng.int(2) : rng.pick([0, 1, 1, 1, 2, 3]);
    return Array.from({ length: count }, () => elementFor(f, version, rng, t, depth + 1));
  }
  if (nullable && f.type !== 'records' && rng.chance(0.1)) return null;
  return elementFor(f, version, rng, t, depth);
}

function elementFor(f: FieldSpec, version: number, rng: Rng, t: FuzzTargets, depth: number): unknown {
  switch (f.type) {
    case 'struct':
      return structFor(f.fields ?? [], version, rng, t, depth);
    case 'bool':
      return rng.chance(0.5);
    case 'int64':
      return int64For(f.name, rng);
    case 'float64':
      return rng.next() * 1000;
    case 'string':
      return stringFor(f.name, rng, t);
    case 'uuid':
      return rng.chance(0.6) ? rng.pick(t.topicIds) : rng.chance(0.5) ? ZERO_UUID : rng.bytes(16).toString('base64url');
    case 'bytes':
      return rng.bytes(rng.int(48));
    case 'records':
      return recordsFor(rng, inVersionRange(f.nullableVersions, version));
    default:
      return intFor(f.name, f.type, rng);
  }
}

function structFor(fields: readonly FieldSpec[], version: number, rng: Rng, t: FuzzTargets, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!inVersionRange(f.versions, version)) continue;
    out[f.name] = valueFor(f, version, rng, t, depth);
  }
  return out;
}

export interface ServedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface FuzzFrame {
  bytes: Buffer;
  /** what was done to it, for the failure report */
  label: string;
  /** how the broker will read the header, when it can (null: it cannot, expect a close) */
  header: { apiKey: number; apiVersion: number; correlationId: number } | null;
}

/** A valid request frame of a served API at a served version, with random but plausible values. */
export function validFrame(rng: Rng, apis: readonly ServedApi[], t: FuzzTargets, correlationId: number): { bytes: Buffer; apiKey: number; version: number } {
  for (;;) {
    const api = rng.pick(apis);
    // DeleteTopics rarely: the targets should mostly exist
    if (api.apiKey === 20 && !rng.chance(0.2)) continue;
    const version = api.minVersion + rng.int(api.maxVersion - api.minVersion + 1);
    const spec = messageSpec('request', api.apiKey);
    if (!spec || !inVersionRange(spec.validVersions, version)) continue;
    try {
      const body = encodeRequest(api.apiKey, version, structFor(spec.fields, version, rng, t, 0));
      return { bytes: Buffer.concat(encodeRequestFrame(api.apiKey, version, correlationId, rng.chance(0.1) ? null : 'fuzz', body)), apiKey: api.apiKey, version };
    } catch {
      // a generated value the encoder refuses (e.g. a string too long for int16); draw again
    }
  }
}

function writeHuge(rng: Rng, frame: Buffer, at: number): string {
  const kind = rng.int(4);
  if (kind === 0 && at + 4 <= frame.length) {
    frame.writeInt32BE(rng.pick([0x7fffffff, -2, 0x10000000]), at);
    return `int32 huge at ${at}`;
  }
  if (kind === 1 && at + 2 <= frame.length) {
    frame.writeInt16BE(rng.pick([0x7fff, -2]), at);
    return `int16 huge at ${at}`;
  }
  if (kind === 2 && at + 5 <= frame.length) {
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]).copy(frame, at);
    return `uvarint huge at ${at}`;
  }
  frame[at] = 0xff;
  return `0xff at ${at}`;
}

/** One frame to send: a valid request, or a mutation of one, or garbage. */
export function fuzzFrame(rng: Rng, apis: readonly ServedApi[], t: FuzzTargets, correlationId: number): FuzzFrame {
  const valid = validFrame(rng, apis, t, correlationId);
  let frame = Buffer.from(valid.bytes);
  let label: string;
  let fixSize = true;
  // keep the header (size, key, version, correlation id) intact most of the time
  const bodyStart = rng.chance(0.85) ? 12 : 4;
  const span = Math.max(1, frame.length - bodyStart);
  const roll = rng.int(100);
  if (roll < 15) {
    label = 'valid';
  } else if (roll < 40) {
    const flips = 1 + rng.int(4);
    for (let i = 0; i < flips; i++) frame[bodyStart + rng.int(span)] ^= 1 << rng.int(8);
    label = `${flips} bit flips from ${bodyStart}`;
  } else if (roll < 55) {
    const keep = bodyStart + rng.int(span);
    frame = frame.subarray(0, keep);
    label = `truncated to ${keep}`;
  } else if (roll < 72) {
    label = writeHuge(rng, frame, bodyStart + rng.int(span));
  } else if (roll < 82) {
    frame = Buffer.concat([frame.subarray(0, Math.min(frame.length, 12 + rng.int(12))), rng.bytes(rng.int(200))]);
    label = 'random body';
  } else if (roll < 88) {
    const at = bodyStart + rng.int(span);
    const len = 1 + rng.int(16);
    frame = Buffer.concat([frame.subarray(0, at), frame.subarray(at, at + len), frame.subarray(at)]);
    label = `spliced ${len} bytes at ${at}`;
  } else if (roll < 93) {
    frame = Buffer.concat([Buffer.alloc(4), rng.bytes(8 + rng.int(60))]);
    frame.writeInt16BE(rng.chance(0.5) ? rng.int(100) : rng.int(65536) - 32768, 4);
    frame.writeInt32BE(correlationId, 8);
    label = 'random frame';
  } else {
    // the size prefix lies: a little more than sent (the next frame completes it) or less
    fixSize = false;
    frame.writeInt32BE(Math.max(0, frame.length - 4 + rng.pick([-3, -1, 1, 7, 1000])), 0);
    label = 'size prefix lies';
  }
  if (frame.length < 4) frame = Buffer.concat([frame, Buffer.alloc(4 - frame.length)]);
  if (fixSize) frame.writeInt32BE(frame.length - 4, 0);
  let header: FuzzFrame['header'] = null;
  try {
    const h = readRequestHeader(frame.subarray(4));
    header = { apiKey: h.apiKey, apiVersion: h.apiVersion, correlationId: h.correlationId };
  } catch {
    header = null;
  }
  return { bytes: frame, label: `${label} (of api ${valid.apiKey} v${valid.version})`, header };
}
