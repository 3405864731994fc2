#!/usr/bin/env node
// Generates src/protocol/generated/{schemas,types,api-keys}.ts from Apache Kafka's
// JSON message definitions (../shared/kafka-protocol by default), and
// metadata-records.ts from the KRaft metadata record definitions in its
// metadata/ folder (plus the raft control records snapshots and leader changes use).
//
// Usage: node scripts/gen-protocol.mjs [specDir] [outDir]
//
// Only structure is carried over (names, types, version ranges, tags, defaults);
// the specs' descriptive text is deliberately left behind. Output is deterministic
// so the committed files can be compared against a fresh run in tests.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const specDir = resolve(process.argv[2] ?? join(repoRoot, '..', 'shared', 'kafka-protocol'));
const outDir = resolve(process.argv[3] ?? join(repoRoot, 'src', 'protocol', 'generated'));

/** Highest version number; "N+" ranges are open up to this. */
const MAX_VERSION = 0x7fff;
const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid']);
const INTEGER_TYPES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32']);
const DATA_SCHEMAS = new Set(['ConsumerProtocolSubscription', 'ConsumerProtocolAssignment']);

function readSpec(file, dir = specDir) {
  const text = readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  return JSON.parse(text);
}

/** "3+" → [3, MAX], "0-2" → [0, 2], "5" → [5, 5], "none" → null */
function parseVersions(text, what) {
  if (text === undefined || text === 'none') return null;
  const s = String(text).trim();
  let m;
  if ((m = /^(\d+)\+$/.exec(s))) return [Number(m[1]), MAX_VERSION];
  if ((m = /^(\d+)-(\d+)$/.exec(s))) return [Number(m[1]), Number(m[2])];
  if ((m = /^(\d+)$/.exec(s))) return [Number(m[1]), Number(m[1])];
  throw new Error(`bad version range ${JSON.stringify(text)} in ${what}`);
}

function camel(name) {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Normalises a JSON `default` for the IR: numbers for 32-bit-or-less ints, decimal strings for int64. */
function normaliseDefault(type, raw, what) {
  if (raw === undefined) return undefined;
  if (raw === 'null') return null;
  if (INTEGER_TYPES.has(type) || type === 'float64') {
    const n = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(n)) throw new Error(`bad default ${raw} in ${what}`);
    return n;
  }
  if (type === 'int64') return BigInt(String(raw)).toString();
  if (type === 'bool') return raw === true || raw === 'true';
  if (type === 'string') return String(raw);
  throw new Error(`unsupported default ${JSON.stringify(raw)} for ${type} in ${what}`);
}

/** Converts one message file into the IR, resolving struct references. */
function buildMessage(spec) {
  const commonStructs = new Map((spec.commonStructs ?? []).map((s) => [s.name, s]));
  // Struct types defined inline may be referenced by name elsewhere in the same file.
  const inlineStructs = new Map();
  const collectInline = (fields) => {
    for (const f of fields ?? []) {
      if (f.fields) {
        inlineStructs.set(f.type.replace(/^\[\]/, ''), f);
        collectInline(f.fields);
      }
    }
  };
  collectInline(spec.fields);
  for (const s of commonStructs.values()) collectInline(s.fields);

  const convertFields = (fields, path) => fields.map((f) => convertField(f, `${path}.${f.name}`));
  const convertField = (f, what) => {
    const isArray = f.type.startsWith('[]');
    const elementType = isArray ? f.type.slice(2) : f.type;
    const out = { name: camel(f.name) };
    let structFields;
    if (PRIMITIVES.has(elementType)) {
      out.type = elementType;
    } else {
      out.type = 'struct';
      out.struct = elementType;
      const def = f.fields ? f : (commonStructs.get(elementType) ?? inlineStructs.get(elementType));
      if (!def) throw new Error(`unresolved struct ${elementType} in ${what}`);
      structFields = def.fields;
    }
    if (isArray) out.array = true;
    out.versions = parseVersions(f.versions, what);
    const nullable = parseVersions(f.nullableVersions, what);
    if (nullable) out.nullableVersions = nullable;
    if (f.tag !== undefined) {
      // some specs spell the tag as a string ("tag": "0" in RegisterBrokerRecord.LogDirs)
      out.tag = Number(f.tag);
      if (!Number.isInteger(out.tag)) throw new Error(`bad tag ${JSON.stringify(f.tag)} in ${what}`);
      out.taggedVersions = parseVersions(f.taggedVersions, what);
    }
    if (f.flexibleVersions !== undefined) out.flexibleVersions = parseVersions(f.flexibleVersions, what);
    if (f.default !== undefined) {
      if (isArray || out.type === 'struct' || out.type === 'bytes' || out.type === 'records' || out.type === 'uuid') {
        if (f.default !== 'null') throw new Error(`unsupported default for ${f.type} in ${what}`);
        out.default = null;
      } else {
        out.default = normaliseDefault(out.type, f.default, what);
      }
    }
    if (structFields) out.fields = convertFields(structFields, what);
    return out;
  };

  const kind = spec.type;
  const msg = { kind, name: spec.name };
  if (spec.apiKey !== undefined) msg.apiKey = spec.apiKey;
  msg.validVersions = parseVersions(spec.validVersions, spec.name);
  msg.flexibleVersions = parseVersions(spec.flexibleVersions, spec.name);
  if (spec.latestVersionUnstable === true) msg.latestVersionUnstable = true;
  msg.fields = convertFields(spec.fields ?? [], spec.name);
  return msg;
}

// ---------------------------------------------------------------------------
// Selection

const files = readdirSync(specDir).filter((f) => f.endsWith('.json')).sort();
const specs = files.map((f) => ({ file: f, spec: readSpec(f) }));
const brokerApiKeys = new Set(
  specs
    .filter(({ spec }) => spec.type === 'request' && (spec.listeners ?? []).some((l) => l === 'broker' || l === 'controller'))
    .map(({ spec }) => spec.apiKey),
);
const selected = specs
  .map(({ spec }) => spec)
  .filter(
    (spec) =>
      ((spec.type === 'request' || spec.type === 'response') && brokerApiKeys.has(spec.apiKey)) ||
      spec.type === 'header' ||
      (spec.type === 'data' && DATA_SCHEMAS.has(spec.name)),
  );
const kindOrder = { header: 0, data: 1, request: 2, response: 2 };
selected.sort(
  (a, b) =>
    kindOrder[a.type] - kindOrder[b.type] ||
    (a.apiKey ?? 0) - (b.apiKey ?? 0) ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
);
const messages = selected.map(buildMessage);

// ---------------------------------------------------------------------------
// schemas.ts

const HEADER = (what) =>
  `// GENERATED by scripts/gen-protocol.mjs from Apache Kafka's JSON message definitions. Do not edit.\n` +
  `// ${what}\n`;

function emitSchemas() {
  let s = HEADER('Compact IR of every message the broker speaks; the runtime codec compiles it per (api, version).');
  s += `import type { MessageSpec } from '../schema-types.js';\n\n`;
  s += `export const messageSpecs: readonly MessageSpec[] = [\n`;
  for (const m of messages) s += `  ${JSON.stringify(m)},\n`;
  s += `];\n`;
  return s;
}

// ---------------------------------------------------------------------------
// types.ts

const globalTypeNames = new Map();
function claimTypeName(name, owner) {
  const prev = globalTypeNames.get(name);
  if (prev !== undefined && prev !== owner) throw new Error(`type name collision: ${name} (${prev} vs ${owner})`);
  globalTypeNames.set(name, owner);
  return name;
}

/** Struct interfaces get the message name as prefix unless the struct name already starts with it. */
function structTypeName(messageName, structName) {
  return structName.startsWith(messageName) ? structName : messageName + structName;
}

function inRangeAny(range) {
  return range !== null && range !== undefined;
}

function emitTypes() {
  let s = HEADER('TypeScript shapes of every message; the decoder fills every field (absent ones get their defaults).');
  s += `/* eslint-disable */\n`;
  return s + emitInterfaces(messages);
}

/** One interface per message (and per struct it uses), in message order. */
function emitInterfaces(list) {
  let s = '';
  for (const m of list) {
    const interfaces = [];
    const seen = new Map();
    const tsType = (f, owner) => {
      let t;
      switch (f.type) {
        case 'bool': t = 'boolean'; break;
        case 'int8': case 'int16': case 'uint16': case 'int32': case 'uint32': case 'float64': t = 'number'; break;
        case 'int64': t = 'bigint'; break;
        case 'string': case 'uuid': t = 'string'; break;
        case 'bytes': case 'records': t = 'Buffer'; break;
        case 'struct': {
          const name = structTypeName(m.name, f.struct);
          const shape = JSON.stringify(f.fields);
          if (!seen.has(name)) {
            seen.set(name, shape);
            claimTypeName(name, `${m.name}/${f.struct}`);
            interfaces.push(emitInterface(name, f.fields));
          } else if (seen.get(name) !== shape) {
            // Same struct name used with different shapes (never in Kafka's specs so far).
            throw new Error(`struct ${f.struct} has two shapes in ${m.name} (${owner})`);
          }
          t = name;
          break;
        }
        default: throw new Error(`unknown type ${f.type}`);
      }
      if (f.array) t = `${t}[]`;
      // records are nullable in every spec that uses them; default to allowing null.
      const nullable = inRangeAny(f.nullableVersions) || f.type === 'records';
      return nullable ? `${t} | null` : t;
    };
    const emitInterface = (name, fields) => {
      let out = `export interface ${name} {\n`;
      for (const f of fields) {
        const v = f.versions === null ? 'none' : `${f.versions[0]}${f.versions[1] === MAX_VERSION ? '+' : f.versions[0] === f.versions[1] ? '' : '-' + f.versions[1]}`;
        const tag = f.tag !== undefined ? `, tag ${f.tag}` : '';
        out += `  /** versions ${v}${tag} */\n  ${f.name}: ${tsType(f, name)};\n`;
      }
      return out + `}\n`;
    };
    claimTypeName(m.name, m.name);
    const top = emitInterface(m.name, m.fields);
    s += `\n` + [top, ...interfaces].join('\n');
  }
  return s;
}

// ---------------------------------------------------------------------------
// api-keys.ts

function emitApiKeys() {
  const requests = messages.filter((m) => m.kind === 'request');
  let s = HEADER('API keys of every request the broker listener accepts.');
  s += `export const ApiKey = {\n`;
  for (const m of requests) s += `  ${m.name.replace(/Request$/, '')}: ${m.apiKey},\n`;
  s += `} as const;\n\n`;
  s += `export type ApiKeyName = keyof typeof ApiKey;\n`;
  s += `export type ApiKeyValue = (typeof ApiKey)[ApiKeyName];\n\n`;
  s += `const namesByKey: ReadonlyMap<number, ApiKeyName> = new Map(\n`;
  s += `  (Object.keys(ApiKey) as ApiKeyName[]).map((name) => [ApiKey[name], name]),\n);\n\n`;
  s += `/** Kafka's name for an API key, e.g. 3 → "Metadata"; unknown keys read "Unknown(<key>)". */\n`;
  s += `export function apiName(key: number): string {\n  return namesByKey.get(key) ?? \`Unknown(\${key})\`;\n}\n`;
  return s;
}

// ---------------------------------------------------------------------------
// metadata-records.ts: KRaft metadata records (type "metadata", apiKey = record type)
// and the raft control records that frame snapshots and leader changes.

const metadataDir = join(specDir, 'metadata');
const RAFT_CONTROL_RECORDS = ['LeaderChangeMessage', 'SnapshotHeaderRecord', 'SnapshotFooterRecord'];
const metadataRecords = existsSync(metadataDir)
  ? readdirSync(metadataDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => readSpec(f, metadataDir))
      .filter((spec) => spec.type === 'metadata')
      .sort((a, b) => a.apiKey - b.apiKey)
      .map(buildMessage)
  : [];
const controlRecords = specs
  .map(({ spec }) => spec)
  .filter((spec) => spec.type === 'data' && RAFT_CONTROL_RECORDS.includes(spec.name))
  .sort((a, b) => RAFT_CONTROL_RECORDS.indexOf(a.name) - RAFT_CONTROL_RECORDS.indexOf(b.name))
  .map(buildMessage);

function emitMetadataRecords() {
  let s = HEADER('KRaft metadata records (apiKey = record type) and raft control records, as IR and TypeScript shapes.');
  s += `/* eslint-disable */\n`;
  s += `import type { MessageSpec } from '../schema-types.js';\n\n`;
  s += `export const metadataRecordSpecs: readonly MessageSpec[] = [\n`;
  for (const m of metadataRecords) s += `  ${JSON.stringify(m)},\n`;
  s += `];\n\n`;
  s += `/** Control-batch payloads of the raft log: LeaderChangeMessage, SnapshotHeaderRecord, SnapshotFooterRecord. */\n`;
  s += `export const raftControlRecordSpecs: readonly MessageSpec[] = [\n`;
  for (const m of controlRecords) s += `  ${JSON.stringify(m)},\n`;
  s += `];\n\n`;
  s += `/** Record type (the apiKey of the JSON spec) of every metadata record. */\n`;
  s += `export const MetadataRecordType = {\n`;
  for (const m of metadataRecords) s += `  ${m.name}: ${m.apiKey},\n`;
  s += `} as const;\n\n`;
  s += `export type MetadataRecordName = keyof typeof MetadataRecordType;\n\n`;
  s += `/** Highest version of each record this code knows how to write and read. */\n`;
  s += `export const MetadataRecordMaxVersion: { readonly [K in MetadataRecordName]: number } = {\n`;
  for (const m of metadataRecords) s += `  ${m.name}: ${m.validVersions[1]},\n`;
  s += `};\n\n`;
  s += `/** Record name → its TypeScript shape. */\n`;
  s += `export interface MetadataRecordBodies {\n`;
  for (const m of metadataRecords) s += `  ${m.name}: ${m.name};\n`;
  s += `}\n`;
  s += emitInterfaces([...metadataRecords, ...controlRecords]);
  return s;
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'schemas.ts'), emitSchemas());
writeFileSync(join(outDir, 'types.ts'), emitTypes());
writeFileSync(join(outDir, 'api-keys.ts'), emitApiKeys());
writeFileSync(join(outDir, 'metadata-records.ts'), emitMetadataRecords());
console.log(`gen-protocol: ${messages.length} messages, ${metadataRecords.length} metadata records → ${outDir}`);
