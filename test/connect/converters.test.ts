/**
 * Converters against the JSON real Kafka Connect wrote (kafka-outputs-more.md §1.2)
 * and Kafka's JsonConverter rules: envelope and schema JSON field order, schemaless
 * JSON, struct/map/array/bytes payloads, Java number text, and the errors a wrong
 * converter setting or a wrong record gives.
 */
import { describe, expect, it } from 'vitest';
import {
  BYTE_ARRAY_CONVERTER, ByteArrayConverter, JSON_CONVERTER, JsonConverter, STRING_CONVERTER, StringConverter, converterFor, jsonSchemaText,
} from '../../src/connect/converters.js';
import {
  BYTES_SCHEMA, FLOAT64_SCHEMA, INT32_SCHEMA, INT64_SCHEMA, OPTIONAL_STRING_SCHEMA, STRING_SCHEMA, Struct, javaDoubleString, javaToString, structSchema,
  type ConnectSchema,
} from '../../src/connect/data.js';
import { ConnectConfigError, DataException } from '../../src/connect/errors.js';

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

describe('JsonConverter with schemas (the tutorial default)', () => {
  const json = new JsonConverter({ 'schemas.enable': 'true' });

  it('writes a line of text exactly as Kafka Connect put it in connect-test', () => {
    expect(text(json.fromConnectData('connect-test', STRING_SCHEMA, 'foo'))).toBe('{"schema":{"type":"string","optional":false},"payload":"foo"}');
    expect(text(json.fromConnectData('connect-test', STRING_SCHEMA, 'Another line'))).toBe('{"schema":{"type":"string","optional":false},"payload":"Another line"}');
  });

  it('writes no bytes for a record without key (the console consumer prints null)', () => {
    expect(json.fromConnectData('connect-test', null, null)).toBeNull();
  });

  it('reads the envelope back to the string schema and value', () => {
    const read = json.toConnectData('connect-test', Buffer.from('{"schema":{"type":"string","optional":false},"payload":"bar"}'));
    expect(read.schema).toMatchObject({ type: 'string', optional: false });
    expect(read.value).toBe('bar');
  });

  it('writes ints, doubles and structs in JsonConverter field order (type, fields, optional, name, version, doc)', () => {
    expect(text(json.fromConnectData('t', INT32_SCHEMA, 42))).toBe('{"schema":{"type":"int32","optional":false},"payload":42}');
    expect(text(json.fromConnectData('t', FLOAT64_SCHEMA, 1))).toBe('{"schema":{"type":"double","optional":false},"payload":1.0}');
    const schema = structSchema([['id', INT64_SCHEMA], ['name', OPTIONAL_STRING_SCHEMA]], { name: 'com.example.User', version: 2, doc: 'a user' });
    const value = new Struct(schema).put('id', 7).put('name', null);
    expect(text(json.fromConnectData('t', schema, value))).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"}],' +
      '"optional":false,"name":"com.example.User","version":2,"doc":"a user"},"payload":{"id":7,"name":null}}');
  });

  it('writes maps with string keys as objects, other maps as [key, value] pairs, bytes as base64', () => {
    const stringMap: ConnectSchema = { type: 'map', optional: false, keySchema: STRING_SCHEMA, valueSchema: INT32_SCHEMA };
    const intMap: ConnectSchema = { type: 'map', optional: false, keySchema: INT32_SCHEMA, valueSchema: STRING_SCHEMA };
    expect(text(json.fromConnectData('t', stringMap, new Map([['a', 1]])))).toBe('{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"a":1}}');
    expect(text(json.fromConnectData('t', intMap, new Map([[1, 'x']])))).toBe('{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":false},"optional":false},"payload":[[1,"x"]]}');
    expect(text(json.fromConnectData('t', BYTES_SCHEMA, Buffer.from('hi')))).toBe('{"schema":{"type":"bytes","optional":false},"payload":"aGk="}');
    const array: ConnectSchema = { type: 'array', optional: true, valueSchema: INT32_SCHEMA };
    expect(text(json.fromConnectData('t', array, [1, 2]))).toBe('{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":true},"payload":[1,2]}');
  });

  it('round-trips a struct through its own JSON', () => {
    const schema = structSchema([['id', INT32_SCHEMA], ['tags', { type: 'array', optional: false, valueSchema: STRING_SCHEMA }]]);
    const bytes = json.fromConnectData('t', schema, new Struct(schema).put('id', 1).put('tags', ['a', 'b']));
    const read = json.toConnectData('t', bytes);
    expect(jsonSchemaText(read.schema as ConnectSchema)).toBe(jsonSchemaText(schema));
    expect(javaToString(read.value, read.schema)).toBe('Struct{id=1,tags=[a, b]}');
  });

  it('refuses plain text or JSON without the envelope with Kafka\'s hint to set schemas.enable=false', () => {
    expect(() => json.toConnectData('t', Buffer.from('{"a":1}'))).toThrow(/requires "schema" and "payload" fields.*set schemas.enable=false/);
    expect(() => json.toConnectData('t', Buffer.from('hello'))).toThrow(DataException);
    expect(() => json.toConnectData('t', Buffer.from('hello'))).toThrow(/^Converting byte\[\] to Kafka Connect data failed due to serialization error: /);
  });

  it('refuses a null for a required field', () => {
    expect(() => json.fromConnectData('t', STRING_SCHEMA, null)).toThrow('Conversion error: null value for field that is required and has no default value');
  });
});

describe('JsonConverter without schemas', () => {
  const json = new JsonConverter({ 'schemas.enable': 'false' });

  it('writes the bare payload and reads any JSON', () => {
    expect(text(json.fromConnectData('t', STRING_SCHEMA, 'foo'))).toBe('"foo"');
    expect(text(json.fromConnectData('t', null, 12))).toBe('12');
    const read = json.toConnectData('t', Buffer.from('{"a":[1,2.5,true]}'));
    expect(read.schema).toBeNull();
    expect(javaToString(read.value)).toBe('{a=[1, 2.5, true]}');
  });
});

describe('StringConverter and ByteArrayConverter', () => {
  it('StringConverter writes the text and reads an optional string', () => {
    const s = new StringConverter();
    expect(text(s.fromConnectData('t', STRING_SCHEMA, 'foo'))).toBe('foo');
    expect(s.fromConnectData('t', null, null)).toBeNull();
    expect(s.toConnectData('t', Buffer.from('bar'))).toEqual({ schema: OPTIONAL_STRING_SCHEMA, value: 'bar' });
  });

  it('ByteArrayConverter passes bytes through and refuses other schemas', () => {
    const b = new ByteArrayConverter();
    expect(b.fromConnectData('t', BYTES_SCHEMA, Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(() => b.fromConnectData('t', STRING_SCHEMA, 'x')).toThrow('Invalid schema type for ByteArrayConverter: STRING');
  });
});

describe('converterFor (worker and connector settings)', () => {
  it('picks the class by Kafka\'s name and strips the prefix for its own settings', () => {
    const props = { 'value.converter': JSON_CONVERTER, 'value.converter.schemas.enable': 'false', 'key.converter': STRING_CONVERTER };
    const value = converterFor(props, 'value.converter');
    expect(value).toBeInstanceOf(JsonConverter);
    expect((value as JsonConverter).schemasEnabled).toBe(false);
    expect(converterFor(props, 'key.converter').className).toBe(STRING_CONVERTER);
    expect(converterFor({ 'key.converter': BYTE_ARRAY_CONVERTER }, 'key.converter').className).toBe(BYTE_ARRAY_CONVERTER);
  });

  it('names an unknown class and lists the known ones', () => {
    expect(() => converterFor({ 'value.converter': 'io.confluent.connect.avro.AvroConverter' }, 'value.converter')).toThrow(ConnectConfigError);
    expect(() => converterFor({ 'value.converter': 'io.confluent.connect.avro.AvroConverter' }, 'value.converter'))
      .toThrow(`Invalid value io.confluent.connect.avro.AvroConverter for configuration value.converter: Class io.confluent.connect.avro.AvroConverter could not be found. Known converters: ${JSON_CONVERTER}, ${STRING_CONVERTER}, ${BYTE_ARRAY_CONVERTER}`);
    expect(() => converterFor({ 'key.converter': JSON_CONVERTER, 'key.converter.schemas.enable': 'yes' }, 'key.converter')).toThrow('Invalid value yes for configuration schemas.enable');
  });
});

describe('Java number text', () => {
  it('prints doubles and floats as Double.toString / Float.toString', () => {
    expect(javaDoubleString(1)).toBe('1.0');
    expect(javaDoubleString(2.5)).toBe('2.5');
    expect(javaDoubleString(1e10)).toBe('1.0E10');
    expect(javaDoubleString(1.5e-5)).toBe('1.5E-5');
    expect(javaDoubleString(0.1, true)).toBe('0.1');
  });
});
