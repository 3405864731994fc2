/**
 * Kafka Connect's data model (org.apache.kafka.connect.data): schemas, structs, and
 * the few conversions the file connectors need. A value travels between converters
 * and connectors together with its schema (SchemaAndValue), exactly as in Kafka, so
 * a JsonConverter envelope written here reads back in Java Connect and vice versa.
 */

/** Schema.Type, in Kafka's lower-case spelling as JsonConverter writes it (except float32/float64: see JSON_TYPE_NAMES). */
export type SchemaType =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64'
  | 'boolean' | 'string' | 'bytes' | 'array' | 'map' | 'struct';

export interface Field {
  name: string;
  index: number;
  schema: ConnectSchema;
}

export interface ConnectSchema {
  type: SchemaType;
  optional: boolean;
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Record<string, string>;
  defaultValue?: ConnectValue;
  /** struct only, in declaration order */
  fields?: Field[];
  /** map only */
  keySchema?: ConnectSchema;
  /** array elements and map values */
  valueSchema?: ConnectSchema;
}

/** A struct value: its schema and one value per field name. */
export class Struct {
  readonly values = new Map<string, ConnectValue>();
  constructor(readonly schema: ConnectSchema) {}

  put(field: string, value: ConnectValue): this {
    this.values.set(field, value);
    return this;
  }

  get(field: string): ConnectValue {
    return this.values.get(field) ?? null;
  }
}

/** What a Connect value can be at runtime; int64 may be a bigint when it does not fit a double. */
export type ConnectValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | ConnectValue[]
  | Map<ConnectValue, ConnectValue>
  | Struct;

export interface SchemaAndValue {
  schema: ConnectSchema | null;
  value: ConnectValue;
}

export const NULL_SCHEMA_AND_VALUE: SchemaAndValue = { schema: null, value: null };

function primitive(type: SchemaType, optional: boolean): ConnectSchema {
  return Object.freeze({ type, optional }) as ConnectSchema;
}

export const STRING_SCHEMA = primitive('string', false);
export const OPTIONAL_STRING_SCHEMA = primitive('string', true);
export const BYTES_SCHEMA = primitive('bytes', false);
export const OPTIONAL_BYTES_SCHEMA = primitive('bytes', true);
export const INT32_SCHEMA = primitive('int32', false);
export const INT64_SCHEMA = primitive('int64', false);
export const BOOLEAN_SCHEMA = primitive('boolean', false);
export const FLOAT64_SCHEMA = primitive('float64', false);

/** A struct schema from [name, schema] pairs (SchemaBuilder.struct().field(...)...). */
export function structSchema(fields: Array<[string, ConnectSchema]>, options: Partial<Omit<ConnectSchema, 'type' | 'fields'>> = {}): ConnectSchema {
  return {
    type: 'struct',
    optional: options.optional ?? false,
    ...options,
    fields: fields.map(([name, schema], index) => ({ name, index, schema })),
  };
}

/**
 * The text Java's String.valueOf gives for a Connect value: what FileStreamSinkTask
 * prints per record (`Struct{a=1,b=x}`, `{k=v}`, `[1, 2]`). Doubles print as Java
 * prints them (1.0, 1.0E10).
 */
export function javaToString(value: ConnectValue, schema: ConnectSchema | null = null): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    const floating = schema ? schema.type === 'float32' || schema.type === 'float64' : !Number.isInteger(value);
    return floating ? javaDoubleString(value, schema?.type === 'float32') : String(value);
  }
  if (Buffer.isBuffer(value)) return `[B@${value.length.toString(16)}`;
  if (Array.isArray(value)) return `[${value.map((v) => javaToString(v, schema?.valueSchema ?? null)).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value.entries()].map(([k, v]) => `${javaToString(k, schema?.keySchema ?? null)}=${javaToString(v, schema?.valueSchema ?? null)}`).join(', ')}}`;
  }
  const parts = (value.schema.fields ?? []).map((f) => `${f.name}=${javaToString(value.get(f.name), f.schema)}`);
  return `Struct{${parts.join(',')}}`;
}

/**
 * Java's Double.toString / Float.toString: plain notation between 10^-3 and 10^7
 * (always with a fraction digit), computerized scientific notation (`1.0E10`) outside.
 */
export function javaDoubleString(value: number, float32 = false): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const shortest = float32 ? shortestFloat32(value) : String(value);
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = /e/.test(shortest) ? Number(shortest).toFixed(20).replace(/0+$/, '') : shortest;
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = Number(shortest).toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/** The shortest decimal that reads back as the same 32-bit float (what Float.toString prints). */
function shortestFloat32(value: number): string {
  const target = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const text = target.toPrecision(digits);
    if (Math.fround(Number(text)) === target) return String(Number(text));
  }
  return String(target);
}
