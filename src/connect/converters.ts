/**
 * Connect converters: the bytes in Kafka ↔ Connect data (schema + value). The three
 * Kafka ships with the runtime, under their Java class names so worker and connector
 * configs written for Kafka work unchanged:
 *   org.apache.kafka.connect.json.JsonConverter         (schemas.enable, default true)
 *   org.apache.kafka.connect.storage.StringConverter    (converter.encoding, default UTF-8)
 *   org.apache.kafka.connect.converters.ByteArrayConverter
 * The JSON written is byte for byte what Kafka's JsonConverter writes (Jackson's
 * compact form, schema fields in its order: type, items|keys+values|fields, optional,
 * name, version, doc, parameters, default), so Java consumers read it and vice versa.
 */
import {
  NULL_SCHEMA_AND_VALUE, OPTIONAL_BYTES_SCHEMA, OPTIONAL_STRING_SCHEMA, Struct,
  javaDoubleString, javaToString,
  type ConnectSchema, type ConnectValue, type Field, type SchemaAndValue, type SchemaType,
} from './data.js';
import { ConnectConfigError, DataException } from './errors.js';

export interface Converter {
  /** the Java class name it was configured as */
  readonly className: string;
  fromConnectData(topic: string, schema: ConnectSchema | null, value: ConnectValue): Buffer | null;
  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue;
}

export const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
export const STRING_CONVERTER = 'org.apache.kafka.connect.storage.StringConverter';
export const BYTE_ARRAY_CONVERTER = 'org.apache.kafka.connect.converters.ByteArrayConverter';
export const CONVERTER_CLASSES = [JSON_CONVERTER, STRING_CONVERTER, BYTE_ARRAY_CONVERTER] as const;

/** JsonConverter's names for the schema types (float32/float64 are "float"/"double" in JSON). */
const JSON_TYPE_NAMES: Record<SchemaType, string> = {
  int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64', float32: 'float', float64: 'double',
  boolean: 'boolean', string: 'string', bytes: 'bytes', array: 'array', map: 'map', struct: 'struct',
};
const TYPES_BY_JSON_NAME = new Map(Object.entries(JSON_TYPE_NAMES).map(([type, name]) => [name, type as SchemaType]));

const str = (s: string): string => JSON.stringify(s);

/** JsonConverter.asJsonSchema, as JSON text. */
export function jsonSchemaText(schema: ConnectSchema): string {
  const parts = [`"type":${str(JSON_TYPE_NAMES[schema.type])}`];
  if (schema.type === 'array') parts.push(`"items":${schema.valueSchema ? jsonSchemaText(schema.valueSchema) : 'null'}`);
  if (schema.type === 'map') {
    parts.push(`"keys":${schema.keySchema ? jsonSchemaText(schema.keySchema) : 'null'}`);
    parts.push(`"values":${schema.valueSchema ? jsonSchemaText(schema.valueSchema) : 'null'}`);
  }
  if (schema.type === 'struct') {
    const fields = (schema.fields ?? []).map((f) => `${jsonSchemaText(f.schema).slice(0, -1)},"field":${str(f.name)}}`);
    parts.push(`"fields":[${fields.join(',')}]`);
  }
  parts.push(`"optional":${schema.optional}`);
  if (schema.name !== undefined) parts.push(`"name":${str(schema.name)}`);
  if (schema.version !== undefined) parts.push(`"version":${schema.version}`);
  if (schema.doc !== undefined) parts.push(`"doc":${str(schema.doc)}`);
  if (schema.parameters !== undefined) {
    parts.push(`"parameters":{${Object.entries(schema.parameters).map(([k, v]) => `${str(k)}:${str(v)}`).join(',')}}`);
  }
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) parts.push(`"default":${valueJson(schema, schema.defaultValue) ?? 'null'}`);
  return `{${parts.join(',')}}`;
}

function inferType(value: Exclude<ConnectValue, null>): SchemaType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (Buffer.isBuffer(value)) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map) return 'map';
  return 'struct';
}

function requireType(ok: boolean, schemaType: SchemaType, value: ConnectValue): void {
  if (!ok) throw new DataException(`Invalid Java object for schema type ${schemaType.toUpperCase()}: ${typeof value}`);
}

/** JsonConverter.convertToJson as JSON text; undefined stands for Java null (no JSON node at all). */
export function valueJson(schema: ConnectSchema | null, value: ConnectValue): string | undefined {
  if (value === null) {
    if (schema === null) return undefined;
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return valueJson(schema, schema.defaultValue);
    if (schema.optional) return 'null';
    throw new DataException('Conversion error: null value for field that is required and has no default value');
  }
  const type = schema ? schema.type : inferType(value);
  switch (type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      requireType(typeof value === 'number' || typeof value === 'bigint', type, value);
      return String(value);
    case 'float32': case 'float64':
      requireType(typeof value === 'number', type, value);
      return javaDoubleString(value as number, type === 'float32');
    case 'boolean':
      requireType(typeof value === 'boolean', type, value);
      return String(value);
    case 'string':
      requireType(typeof value === 'string', type, value);
      return str(value as string);
    case 'bytes':
      requireType(Buffer.isBuffer(value), type, value);
      return str((value as Buffer).toString('base64'));
    case 'array': {
      requireType(Array.isArray(value), type, value);
      const elementSchema = schema?.valueSchema ?? null;
      return `[${(value as ConnectValue[]).map((v) => valueJson(elementSchema, v) ?? 'null').join(',')}]`;
    }
    case 'map': {
      requireType(value instanceof Map, type, value);
      const map = value as Map<ConnectValue, ConnectValue>;
      const objectMode = schema ? schema.keySchema?.type === 'string' : [...map.keys()].every((k) => typeof k === 'string');
      const keySchema = schema?.keySchema ?? null;
      const valueSchema = schema?.valueSchema ?? null;
      if (objectMode) return `{${[...map.entries()].map(([k, v]) => `${str(String(k))}:${valueJson(valueSchema, v) ?? 'null'}`).join(',')}}`;
      return `[${[...map.entries()].map(([k, v]) => `[${valueJson(keySchema, k) ?? 'null'},${valueJson(valueSchema, v) ?? 'null'}]`).join(',')}]`;
    }
    case 'struct': {
      requireType(value instanceof Struct, type, value);
      const struct = value as Struct;
      if (schema && struct.schema !== schema && jsonSchemaText(struct.schema) !== jsonSchemaText(schema)) {
        throw new DataException('Mismatching schema.');
      }
      const fields = (struct.schema.fields ?? []).map((f) => `${str(f.name)}:${valueJson(f.schema, struct.get(f.name)) ?? 'null'}`);
      return `{${fields.join(',')}}`;
    }
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(node: Json | undefined): node is { [key: string]: Json } {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** JsonConverter.asConnectSchema. */
export function schemaFromJson(node: Json): ConnectSchema | null {
  if (node === null) return null;
  if (!isObject(node) || typeof node.type !== 'string') throw new DataException("Schema must contain 'type' field");
  const type = TYPES_BY_JSON_NAME.get(node.type);
  if (!type) throw new DataException(`Unknown schema type: ${node.type}`);
  const schema: ConnectSchema = { type, optional: node.optional === true };
  if (type === 'array') {
    if (node.items === undefined || node.items === null) throw new DataException('Array schema did not specify the element type');
    schema.valueSchema = schemaFromJson(node.items) ?? undefined;
  } else if (type === 'map') {
    if (node.keys === undefined) throw new DataException('Map schema did not specify the key type');
    if (node.values === undefined) throw new DataException('Map schema did not specify the value type');
    schema.keySchema = schemaFromJson(node.keys) ?? undefined;
    schema.valueSchema = schemaFromJson(node.values) ?? undefined;
  } else if (type === 'struct') {
    if (!Array.isArray(node.fields)) throw new DataException('Struct schema\'s "fields" argument is not an array.');
    schema.fields = node.fields.map((f, index): Field => {
      if (!isObject(f) || typeof f.field !== 'string') throw new DataException("Struct schema's field name not specified properly");
      return { name: f.field, index, schema: schemaFromJson(f) as ConnectSchema };
    });
  }
  if (typeof node.name === 'string') schema.name = node.name;
  if (typeof node.version === 'number' && Number.isInteger(node.version)) schema.version = node.version;
  if (typeof node.doc === 'string') schema.doc = node.doc;
  if (isObject(node.parameters)) {
    schema.parameters = {};
    for (const [k, v] of Object.entries(node.parameters)) {
      if (typeof v !== 'string') throw new DataException('Schema parameters must have string values.');
      schema.parameters[k] = v;
    }
  }
  if (node.default !== undefined) schema.defaultValue = valueFromJson(schema, node.default);
  return schema;
}

/** JsonConverter.convertToConnect: a JSON node read with (or, schema null, without) a schema. */
export function valueFromJson(schema: ConnectSchema | null, node: Json | undefined): ConnectValue {
  if (node === undefined || node === null) {
    if (schema === null) return null;
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return schema.defaultValue;
    if (schema.optional) return null;
    throw new DataException(`Invalid null value for required ${schema.type.toUpperCase()} field`);
  }
  if (schema === null) {
    if (Array.isArray(node)) return node.map((n) => valueFromJson(null, n));
    if (isObject(node)) return new Map<ConnectValue, ConnectValue>(Object.entries(node).map(([k, v]) => [k, valueFromJson(null, v)]));
    return node;
  }
  const mismatch = (): DataException => new DataException(`Invalid JSON for ${schema.type} schema: ${JSON.stringify(node)}`);
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64':
      if (typeof node !== 'number') throw mismatch();
      return schema.type === 'float32' ? Math.fround(node) : node;
    case 'boolean':
      if (typeof node !== 'boolean') throw mismatch();
      return node;
    case 'string':
      if (typeof node !== 'string') throw mismatch();
      return node;
    case 'bytes':
      if (typeof node !== 'string') throw new DataException('Invalid bytes field');
      return Buffer.from(node, 'base64');
    case 'array':
      if (!Array.isArray(node)) throw mismatch();
      return node.map((n) => valueFromJson(schema.valueSchema ?? null, n));
    case 'map': {
      const result = new Map<ConnectValue, ConnectValue>();
      if (schema.keySchema?.type === 'string') {
        if (!isObject(node)) throw new DataException(`Maps with string fields should be encoded as JSON objects, but found ${Array.isArray(node) ? 'ARRAY' : typeof node}`);
        for (const [k, v] of Object.entries(node)) result.set(k, valueFromJson(schema.valueSchema ?? null, v));
      } else {
        if (!Array.isArray(node)) throw new DataException('Maps with non-string fields should be encoded as JSON array of tuples');
        for (const entry of node) {
          if (!Array.isArray(entry) || entry.length !== 2) throw new DataException('Found invalid map entry, expected an array of 2');
          result.set(valueFromJson(schema.keySchema ?? null, entry[0]), valueFromJson(schema.valueSchema ?? null, entry[1]));
        }
      }
      return result;
    }
    case 'struct': {
      if (!isObject(node)) throw new DataException('Structs should be encoded as JSON objects');
      const struct = new Struct(schema);
      for (const f of schema.fields ?? []) struct.put(f.name, valueFromJson(f.schema, node[f.name]));
      return struct;
    }
  }
}

function parseJson(bytes: Buffer): Json {
  try {
    return JSON.parse(bytes.toString('utf8')) as Json;
  } catch (err) {
    throw new DataException(`Converting byte[] to Kafka Connect data failed due to serialization error: ${(err as Error).message}`);
  }
}

export class JsonConverter implements Converter {
  readonly className = JSON_CONVERTER;
  readonly schemasEnabled: boolean;

  constructor(config: Record<string, string> = {}) {
    this.schemasEnabled = booleanConfig(config, 'schemas.enable', true);
  }

  fromConnectData(_topic: string, schema: ConnectSchema | null, value: ConnectValue): Buffer | null {
    if (schema === null && value === null) return null;
    let text: string;
    if (this.schemasEnabled) {
      text = `{"schema":${schema ? jsonSchemaText(schema) : 'null'},"payload":${valueJson(schema, value) ?? 'null'}}`;
    } else {
      text = valueJson(schema, value) ?? 'null';
    }
    return Buffer.from(text, 'utf8');
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    // A tombstone stays a tombstone, with or without schemas (Kafka 2.x+, KAFKA-3832).
    if (bytes === null) return NULL_SCHEMA_AND_VALUE;
    const node = parseJson(bytes);
    if (!this.schemasEnabled) return { schema: null, value: valueFromJson(null, node) };
    if (!isObject(node) || Object.keys(node).length !== 2 || !('schema' in node) || !('payload' in node)) {
      throw new DataException('JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. ' +
        'If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.');
    }
    const schema = schemaFromJson(node.schema);
    return { schema, value: valueFromJson(schema, node.payload) };
  }
}

/** Node's names for the Java charsets StringConverter's converter.encoding may name. */
const ENCODINGS: Record<string, BufferEncoding> = {
  'utf8': 'utf8', 'utf-8': 'utf8', 'us-ascii': 'ascii', 'ascii': 'ascii', 'iso-8859-1': 'latin1', 'latin1': 'latin1',
  'utf-16le': 'utf16le', 'utf16le': 'utf16le',
};

export class StringConverter implements Converter {
  readonly className = STRING_CONVERTER;
  private readonly encoding: BufferEncoding;

  constructor(config: Record<string, string> = {}) {
    const name = config['converter.encoding'] ?? 'UTF8';
    const encoding = ENCODINGS[name.toLowerCase()];
    if (!encoding) throw new ConnectConfigError(`Invalid value ${name} for configuration converter.encoding: supported encodings are UTF8, US-ASCII, ISO-8859-1, UTF-16LE`);
    this.encoding = encoding;
  }

  fromConnectData(_topic: string, schema: ConnectSchema | null, value: ConnectValue): Buffer | null {
    return value === null ? null : Buffer.from(javaToString(value, schema), this.encoding);
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return bytes === null ? { schema: OPTIONAL_STRING_SCHEMA, value: null } : { schema: OPTIONAL_STRING_SCHEMA, value: bytes.toString(this.encoding) };
  }
}

export class ByteArrayConverter implements Converter {
  readonly className = BYTE_ARRAY_CONVERTER;

  fromConnectData(_topic: string, schema: ConnectSchema | null, value: ConnectValue): Buffer | null {
    if (schema !== null && schema.type !== 'bytes') throw new DataException(`Invalid schema type for ByteArrayConverter: ${schema.type.toUpperCase()}`);
    if (value !== null && !Buffer.isBuffer(value)) throw new DataException(`ByteArrayConverter is not compatible with objects of type ${typeof value}`);
    return value;
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: OPTIONAL_BYTES_SCHEMA, value: bytes };
  }
}

function booleanConfig(config: Record<string, string>, key: string, fallback: boolean): boolean {
  const raw = config[key];
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConnectConfigError(`Invalid value ${raw} for configuration ${key}: Expected value to be either true or false`);
}

/** The short names people also write (Kafka resolves simple class names of plugins as aliases too). */
function converterClass(name: string): string | undefined {
  const trimmed = name.trim();
  return CONVERTER_CLASSES.find((c) => c === trimmed || c.endsWith(`.${trimmed}`));
}

/**
 * The converter a worker or connector config names under `prefix` (`key.converter`,
 * `value.converter`), configured with the keys under `prefix.` (Kafka strips the
 * prefix: `value.converter.schemas.enable` → `schemas.enable`).
 */
export function converterFor(config: Record<string, string>, prefix: 'key.converter' | 'value.converter', fallback?: string): Converter {
  const name = config[prefix] ?? fallback;
  if (name === undefined) throw new ConnectConfigError(`Missing required configuration "${prefix}" which has no default value.`);
  const className = converterClass(name);
  if (!className) {
    throw new ConnectConfigError(`Invalid value ${name} for configuration ${prefix}: Class ${name} could not be found. Known converters: ${CONVERTER_CLASSES.join(', ')}`);
  }
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) if (key.startsWith(`${prefix}.`)) own[key.slice(prefix.length + 1)] = value;
  if (className === JSON_CONVERTER) return new JsonConverter(own);
  if (className === STRING_CONVERTER) return new StringConverter(own);
  return new ByteArrayConverter();
}
