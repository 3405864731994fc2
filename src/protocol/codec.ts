/**
 * Runtime codec for every Kafka message in generated/schemas.ts. Each
 * (message, version) is compiled once into closures (no per-field spec lookups on
 * the hot path) and cached. Decoding fills every field, using spec defaults for
 * fields the version does not carry; encoding ignores fields the version does not
 * carry and writes tagged fields only when they differ from their defaults.
 */
import { ErrorCode, KafkaError } from './errors.js';
import { messageSpecs } from './generated/schemas.js';
import { ByteReader, ByteWriter, ProtocolDecodeError, ZERO_UUID } from './primitives.js';
import { inVersionRange, type FieldSpec, type MessageSpec } from './schema-types.js';

type Obj = Record<string, unknown>;
type ReadFn = (r: ByteReader) => unknown;
type WriteFn = (w: ByteWriter, v: unknown) => void;

/** A compiled encoder/decoder for one message at one version. */
export interface MessageCodec<T = unknown> {
  readonly spec: MessageSpec;
  readonly version: number;
  readonly flexible: boolean;
  read(reader: ByteReader): T;
  write(writer: ByteWriter, value: T): void;
}

export type MessageKind = MessageSpec['kind'];
export type DataSchemaName = 'ConsumerProtocolSubscription' | 'ConsumerProtocolAssignment';

// ---------------------------------------------------------------------------
// Spec lookup

const requestSpecs: (MessageSpec | undefined)[] = [];
const responseSpecs: (MessageSpec | undefined)[] = [];
const namedSpecs = new Map<string, MessageSpec>();
for (const spec of messageSpecs) {
  namedSpecs.set(spec.name, spec);
  if (spec.apiKey === undefined) continue;
  if (spec.kind === 'request') requestSpecs[spec.apiKey] = spec;
  else if (spec.kind === 'response') responseSpecs[spec.apiKey] = spec;
}

/** The IR of the request or response with this API key (undefined when the broker does not speak it). */
export function messageSpec(kind: 'request' | 'response', apiKey: number): MessageSpec | undefined {
  return (kind === 'request' ? requestSpecs : responseSpecs)[apiKey];
}

/** The IR of a header or data schema by name (RequestHeader, ConsumerProtocolAssignment, ...). */
export function namedMessageSpec(name: string): MessageSpec | undefined {
  return namedSpecs.get(name);
}

/** Every request spec the broker listener accepts, in API-key order. */
export function requestSpecList(): readonly MessageSpec[] {
  return requestSpecs.filter((s): s is MessageSpec => s !== undefined);
}

// ---------------------------------------------------------------------------
// Defaults

/** Returns a factory so mutable defaults (arrays, structs, buffers) are fresh per decode. */
function defaultFactory(f: FieldSpec): () => unknown {
  if (f.default === null) return () => null;
  if (f.array) return () => [];
  switch (f.type) {
    case 'struct': {
      const makers = f.fields!.map((sub) => [sub.name, defaultFactory(sub)] as const);
      return () => {
        const o: Obj = {};
        for (const [name, make] of makers) o[name] = make();
        return o;
      };
    }
    case 'int64': {
      const v = BigInt((f.default as string | undefined) ?? '0');
      return () => v;
    }
    case 'bool': {
      const v = (f.default as boolean | undefined) ?? false;
      return () => v;
    }
    case 'string': {
      const v = (f.default as string | undefined) ?? '';
      return () => v;
    }
    case 'uuid':
      return () => ZERO_UUID;
    case 'bytes':
    case 'records':
      return () => Buffer.alloc(0);
    default: {
      const v = (f.default as number | undefined) ?? 0;
      return () => v;
    }
  }
}

/** Whether v equals the field's default, deciding if a tagged field is written at all. */
function defaultTester(f: FieldSpec, version: number): (v: unknown) => boolean {
  if (f.default === null) return (v) => v === null;
  if (f.array) return (v) => Array.isArray(v) && v.length === 0;
  switch (f.type) {
    case 'struct': {
      const testers = f.fields!
        .filter((sub) => inVersionRange(sub.versions, version))
        .map((sub) => [sub.name, defaultTester(sub, version)] as const);
      return (v) => {
        if (v === null || typeof v !== 'object') return false;
        for (const [name, isDefault] of testers) {
          const sub = (v as Obj)[name];
          if (sub !== undefined && !isDefault(sub)) return false;
        }
        return true;
      };
    }
    case 'bytes':
    case 'records':
      return (v) => Buffer.isBuffer(v) && v.length === 0;
    default: {
      const d = defaultFactory(f)();
      return (v) => v === d;
    }
  }
}

// ---------------------------------------------------------------------------
// Compilation

interface Compiled {
  read: ReadFn;
  write: WriteFn;
  /** smallest encoded size of one value, used to bound array counts before allocating */
  minSize: number;
}

function primitive(f: FieldSpec, flexible: boolean, nullable: boolean, path: string): Compiled {
  const notNull = (v: unknown): void => {
    if (v === null) throw new TypeError(`${path} is null but not nullable in this version`);
  };
  switch (f.type) {
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean), minSize: 1 };
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number), minSize: 1 };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number), minSize: 2 };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number), minSize: 2 };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number), minSize: 4 };
    case 'uint32':
      return { read: (r) => r.uint32(), write: (w, v) => w.uint32(v as number), minSize: 4 };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(v as bigint), minSize: 8 };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number), minSize: 8 };
    case 'uuid':
      return { read: (r) => r.uuid(), write: (w, v) => w.uuid(v as string), minSize: 16 };
    case 'string':
      if (flexible) {
        return nullable
          ? { read: (r) => r.compactNullableString(), write: (w, v) => w.compactNullableString(v as string | null), minSize: 1 }
          : { read: (r) => r.compactString(), write: (w, v) => (notNull(v), w.compactString(v as string)), minSize: 1 };
      }
      return nullable
        ? { read: (r) => r.nullableString(), write: (w, v) => w.nullableString(v as string | null), minSize: 2 }
        : { read: (r) => r.string(), write: (w, v) => (notNull(v), w.string(v as string)), minSize: 2 };
    case 'bytes': {
      // Copied on decode: small values (member metadata, SASL tokens) outlive the request frame.
      const read: ReadFn = flexible
        ? nullable
          ? (r) => r.compactNullableBytes()
          : (r) => r.compactBytes()
        : nullable
          ? (r) => r.nullableBytes()
          : (r) => r.bytes();
      const write: WriteFn = flexible
        ? (w, v) => {
            if (!nullable) notNull(v);
            w.compactNullableBytes(v as Buffer | null);
          }
        : (w, v) => {
            if (!nullable) notNull(v);
            w.nullableBytes(v as Buffer | null);
          };
      return { read, write, minSize: flexible ? 1 : 4 };
    }
    case 'records': {
      // Zero-copy both ways: record batches can be megabytes (Produce in, Fetch out).
      const read: ReadFn = flexible
        ? (r) => {
            const v = r.compactNullableBytesView();
            if (v === null && !nullable) throw new ProtocolDecodeError(`${path}: null records where not nullable`);
            return v;
          }
        : (r) => {
            const v = r.nullableBytesView();
            if (v === null && !nullable) throw new ProtocolDecodeError(`${path}: null records where not nullable`);
            return v;
          };
      const write: WriteFn = (w, v) => {
        if (v === null) {
          if (!nullable) notNull(v);
          if (flexible) w.uvarint(0);
          else w.int32(-1);
          return;
        }
        const buf = v as Buffer;
        if (flexible) w.uvarint(buf.length + 1);
        else w.int32(buf.length);
        w.appendBuffer(buf);
      };
      return { read, write, minSize: flexible ? 1 : 4 };
    }
    default:
      throw new Error(`unknown primitive type ${f.type} at ${path}`);
  }
}

interface StructCodec {
  read: (r: ByteReader) => Obj;
  write: (w: ByteWriter, v: Obj) => void;
  minSize: number;
}

interface TaggedField {
  tag: number;
  name: string;
  read: ReadFn;
  write: WriteFn;
  isDefault: (v: unknown) => boolean;
  makeDefault: () => unknown;
}

function compileStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, path: string): StructCodec {
  type ReadStep = (r: ByteReader, o: Obj) => void;
  type WriteStep = (w: ByteWriter, o: Obj) => void;
  const readSteps: ReadStep[] = [];
  const writeSteps: WriteStep[] = [];
  const tagged: TaggedField[] = [];
  let minSize = flexible ? 1 : 0;

  for (const f of fields) {
    const name = f.name;
    const makeDefault = defaultFactory(f);
    if (!inVersionRange(f.versions, version)) {
      readSteps.push((_r, o) => {
        o[name] = makeDefault();
      });
      continue;
    }
    const fieldPath = `${path}.${name}`;
    const fieldFlexible = f.flexibleVersions !== undefined ? inVersionRange(f.flexibleVersions, version) : flexible;
    const c = compileField(f, version, fieldFlexible, flexible, fieldPath);
    if (flexible && f.tag !== undefined && inVersionRange(f.taggedVersions, version)) {
      tagged.push({ tag: f.tag, name, read: c.read, write: c.write, isDefault: defaultTester(f, version), makeDefault });
      readSteps.push((_r, o) => {
        o[name] = makeDefault();
      });
      continue;
    }
    minSize += c.minSize;
    const read = c.read;
    const write = c.write;
    readSteps.push((r, o) => {
      o[name] = read(r);
    });
    writeSteps.push((w, o) => {
      const v = o[name];
      write(w, v === undefined ? makeDefault() : v);
    });
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const tagsByNumber = new Map(tagged.map((t) => [t.tag, t]));

  const read = (r: ByteReader): Obj => {
    const o: Obj = {};
    for (let i = 0; i < readSteps.length; i++) readSteps[i]!(r, o);
    if (flexible) readTaggedFields(r, o, tagsByNumber, path);
    return o;
  };
  const write = (w: ByteWriter, o: Obj): void => {
    if (o === null || typeof o !== 'object') throw new TypeError(`${path} must be an object`);
    for (let i = 0; i < writeSteps.length; i++) writeSteps[i]!(w, o);
    if (flexible) writeTaggedFields(w, o, tagged);
  };
  return { read, write, minSize };
}

function readTaggedFields(r: ByteReader, o: Obj, tags: ReadonlyMap<number, TaggedField>, path: string): void {
  const count = r.uvarint();
  if (count > r.remaining / 2) throw new ProtocolDecodeError(`${path}: tagged field count ${count} exceeds remaining bytes`);
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    if (tag <= previous) throw new ProtocolDecodeError(`${path}: tagged fields out of order (tag ${tag} after ${previous})`);
    previous = tag;
    const field = tags.get(tag);
    if (field === undefined) {
      r.skip(size); // unknown tags are skipped (KIP-482)
      continue;
    }
    if (size > r.remaining) throw new ProtocolDecodeError(`${path}: tagged field ${tag} size ${size} exceeds remaining bytes`);
    const sub = new ByteReader(r.buf, r.offset, r.offset + size);
    o[field.name] = field.read(sub);
    r.offset += size;
  }
}

function writeTaggedFields(w: ByteWriter, o: Obj, tagged: readonly TaggedField[]): void {
  if (tagged.length === 0) {
    w.uvarint(0);
    return;
  }
  const present: TaggedField[] = [];
  for (const t of tagged) {
    const v = o[t.name];
    if (v !== undefined && !t.isDefault(v)) present.push(t);
  }
  w.uvarint(present.length);
  for (const t of present) {
    const payload = new ByteWriter(64);
    t.write(payload, o[t.name]);
    w.uvarint(t.tag);
    w.uvarint(payload.length);
    w.appendWriter(payload);
  }
}

/**
 * Compiles one field's value codec (arrays, nullable structs and primitives).
 * `fieldFlexible` chooses compact encodings; `structFlexible` is the message-level
 * flexibility that nested structs inherit.
 */
function compileField(f: FieldSpec, version: number, fieldFlexible: boolean, structFlexible: boolean, path: string): Compiled {
  const nullable = inVersionRange(f.nullableVersions, version);
  let element: Compiled;
  if (f.type === 'struct') {
    const s = compileStruct(f.fields!, version, structFlexible, path);
    element = { read: s.read, write: s.write as WriteFn, minSize: s.minSize };
  } else {
    element = primitive(f, fieldFlexible, f.array ? false : nullable, path);
  }
  if (f.array) return arrayOf(element, fieldFlexible, nullable, path);
  if (f.type === 'struct' && nullable) {
    // Nullable structs carry an int8 presence marker: -1 null, 1 present.
    const { read, write } = element;
    return {
      read: (r) => {
        const marker = r.int8();
        if (marker < 0) return null;
        return read(r);
      },
      write: (w, v) => {
        if (v === null) {
          w.int8(-1);
          return;
        }
        w.int8(1);
        write(w, v);
      },
      minSize: 1,
    };
  }
  if (f.type === 'struct') {
    const { write } = element;
    return {
      ...element,
      write: (w, v) => {
        if (v === null) throw new TypeError(`${path} is null but not nullable in this version`);
        write(w, v);
      },
    };
  }
  return element;
}

function arrayOf(element: Compiled, flexible: boolean, nullable: boolean, path: string): Compiled {
  const { read: readElement, write: writeElement } = element;
  // A zero-byte element would let a forged count spin without consuming input; count every element as >= 1 byte.
  const elementMin = Math.max(1, element.minSize);
  const read: ReadFn = (r) => {
    const count = flexible ? r.uvarint() - 1 : r.int32();
    if (count < 0) {
      if (count === -1 && nullable) return null;
      throw new ProtocolDecodeError(`${path}: ${count === -1 ? 'null array where not nullable' : `negative array length ${count}`}`);
    }
    if (count * elementMin > r.remaining) {
      throw new ProtocolDecodeError(`${path}: array of ${count} elements exceeds remaining ${r.remaining} bytes`);
    }
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) out[i] = readElement(r);
    return out;
  };
  const write: WriteFn = (w, v) => {
    if (v === null) {
      if (!nullable) throw new TypeError(`${path} is null but not nullable in this version`);
      if (flexible) w.uvarint(0);
      else w.int32(-1);
      return;
    }
    const arr = v as unknown[];
    if (flexible) w.uvarint(arr.length + 1);
    else w.int32(arr.length);
    for (let i = 0; i < arr.length; i++) writeElement(w, arr[i]);
  };
  return { read, write, minSize: flexible ? 1 : 4 };
}

/** Compiles (uncached) the codec of one message at one version. */
export function compileMessage(spec: MessageSpec, version: number): MessageCodec<Obj> {
  const flexible = inVersionRange(spec.flexibleVersions, version);
  const s = compileStruct(spec.fields, version, flexible, `${spec.name}v${version}`);
  return { spec, version, flexible, read: s.read, write: s.write };
}

// ---------------------------------------------------------------------------
// Cached entry points

const requestCodecs = new Map<number, MessageCodec<Obj>>();
const responseCodecs = new Map<number, MessageCodec<Obj>>();
const namedCodecs = new Map<string, MessageCodec<Obj>>();

function cachedApiCodec(kind: 'request' | 'response', apiKey: number, version: number): MessageCodec<Obj> {
  const cache = kind === 'request' ? requestCodecs : responseCodecs;
  const key = apiKey * 0x10000 + version;
  let codec = cache.get(key);
  if (codec === undefined) {
    const spec = messageSpec(kind, apiKey);
    if (spec === undefined) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `unknown API key ${apiKey}`);
    if (!inVersionRange(spec.validVersions, version)) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${spec.name} version ${version} is not supported`);
    }
    codec = compileMessage(spec, version);
    cache.set(key, codec);
  }
  return codec;
}

/** The cached codec of a header or data schema (RequestHeader, ConsumerProtocolSubscription, ...). */
export function namedCodec(name: string, version: number): MessageCodec<Obj> {
  const key = `${name}/${version}`;
  let codec = namedCodecs.get(key);
  if (codec === undefined) {
    const spec = namedSpecs.get(name);
    if (spec === undefined || !inVersionRange(spec.validVersions, version)) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${name} version ${version} is not supported`);
    }
    codec = compileMessage(spec, version);
    namedCodecs.set(key, codec);
  }
  return codec;
}

/** Codec of a request body; throws KafkaError(UNSUPPORTED_VERSION) for unknown (apiKey, version). */
export function requestCodec<T = unknown>(apiKey: number, version: number): MessageCodec<T> {
  return cachedApiCodec('request', apiKey, version) as unknown as MessageCodec<T>;
}

/** Codec of a response body; throws KafkaError(UNSUPPORTED_VERSION) for unknown (apiKey, version). */
export function responseCodec<T = unknown>(apiKey: number, version: number): MessageCodec<T> {
  return cachedApiCodec('response', apiKey, version) as unknown as MessageCodec<T>;
}

export function decodeRequest<T = unknown>(apiKey: number, version: number, reader: ByteReader): T {
  return cachedApiCodec('request', apiKey, version).read(reader) as T;
}

export function decodeResponse<T = unknown>(apiKey: number, version: number, reader: ByteReader): T {
  return cachedApiCodec('response', apiKey, version).read(reader) as T;
}

/** Encodes a request body; fields missing from `value` take their defaults. */
export function encodeRequest(apiKey: number, version: number, value: unknown): Buffer[] {
  const w = new ByteWriter();
  cachedApiCodec('request', apiKey, version).write(w, value as Obj);
  return w.toChunks();
}

/** Encodes a response body as a chunk list (record bytes are referenced, not copied). */
export function encodeResponse(apiKey: number, version: number, value: unknown): Buffer[] {
  const w = new ByteWriter();
  cachedApiCodec('response', apiKey, version).write(w, value as Obj);
  return w.toChunks();
}

/** Decodes a data schema body (the bytes after its int16 version prefix). */
export function decodeData<T = unknown>(name: DataSchemaName, version: number, reader: ByteReader): T {
  return namedCodec(name, version).read(reader) as T;
}

/** Encodes a data schema body (without the int16 version prefix). */
export function encodeData(name: DataSchemaName, version: number, value: unknown): Buffer[] {
  const w = new ByteWriter();
  namedCodec(name, version).write(w, value as Obj);
  return w.toChunks();
}
