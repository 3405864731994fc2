/**
 * A message as the JSON Kafka's generated JsonConverter.write produces (what its
 * tools print, e.g. kafka-dump-log --cluster-metadata-decoder): the fields the
 * version carries, in spec order, tagged fields only when they differ from their
 * default; uuids in their 22-char form, int64 as plain numbers, bytes as base64,
 * compact (Jackson's ObjectNode.toString).
 */
import { inVersionRange, type FieldSpec, type MessageSpec } from './schema-types.js';

function isDefault(f: FieldSpec, v: unknown): boolean {
  if (f.default === null) return v === null;
  if (f.array) return Array.isArray(v) && v.length === 0;
  switch (f.type) {
    case 'int64':
      return typeof v === 'bigint' && v === BigInt((f.default as string | undefined) ?? '0');
    case 'bool':
      return v === ((f.default as boolean | undefined) ?? false);
    case 'string':
      return v === ((f.default as string | undefined) ?? '');
    case 'uuid':
      return v === 'AAAAAAAAAAAAAAAAAAAAAA';
    case 'bytes':
    case 'records':
      return Buffer.isBuffer(v) && v.length === 0;
    case 'struct':
      return false;
    default:
      return v === ((f.default as number | undefined) ?? 0);
  }
}

function valueJson(f: FieldSpec, v: unknown, version: number): string {
  if (v === null || v === undefined) return 'null';
  if (f.array) return `[${(v as unknown[]).map((e) => elementJson(f, e, version)).join(',')}]`;
  return elementJson(f, v, version);
}

function elementJson(f: FieldSpec, v: unknown, version: number): string {
  switch (f.type) {
    case 'struct':
      return structJson(f.fields ?? [], v as Record<string, unknown>, version);
    case 'int64':
      return (v as bigint).toString();
    case 'bytes':
    case 'records':
      return JSON.stringify((v as Buffer).toString('base64'));
    case 'float64':
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'bool':
    case 'string':
    case 'uuid':
      return JSON.stringify(v);
    default:
      throw new Error(`unknown field type ${f.type as string}`);
  }
}

function structJson(fields: readonly FieldSpec[], value: Record<string, unknown>, version: number): string {
  const parts: string[] = [];
  for (const f of fields) {
    if (!inVersionRange(f.versions, version)) continue;
    const v = value[f.name];
    if (inVersionRange(f.taggedVersions, version) && isDefault(f, v)) continue;
    parts.push(`${JSON.stringify(f.name)}:${valueJson(f, v, version)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The JsonConverter form of `value`, a `spec` message at `version`. */
export function messageToJson(spec: MessageSpec, version: number, value: Record<string, unknown>): string {
  return structJson(spec.fields, value, version);
}
