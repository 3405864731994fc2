/** The console producer's line parsing: keys, headers, null marker, ignore.error and Kafka's error texts. */
import { describe, expect, it } from 'vitest';
import { lineReaderOptionsFrom, parseLine } from '../../src/cli/line-reader.js';

describe('LineMessageReader', () => {
  it('sends the whole line as the value by default, empty lines included', () => {
    const o = lineReaderOptionsFrom({});
    expect(parseLine('a\tb', 1, o)).toEqual({ key: null, value: 'a\tb', headers: [] });
    expect(parseLine('', 2, o)).toEqual({ key: null, value: '', headers: [] });
  });

  it('splits the key at the first separator', () => {
    const o = lineReaderOptionsFrom({ 'parse.key': 'true', 'key.separator': ':' });
    expect(parseLine('k1:v:1', 1, o)).toEqual({ key: 'k1', value: 'v:1', headers: [] });
    expect(() => parseLine('novalue', 3, o)).toThrow("No key separator found on line number 3: 'novalue'");
    const lenient = lineReaderOptionsFrom({ 'parse.key': 'true', 'key.separator': ':', 'ignore.error': 'true' });
    expect(parseLine('novalue', 3, lenient)).toEqual({ key: null, value: 'novalue', headers: [] });
  });

  it('parses headers before the key', () => {
    const o = lineReaderOptionsFrom({ 'parse.key': 'true', 'parse.headers': 'true' });
    expect(parseLine('h1:v1,h2:v2\tkey\tvalue', 1, o)).toEqual({ key: 'key', value: 'value', headers: [['h1', 'v1'], ['h2', 'v2']] });
    expect(() => parseLine('h1\tkey\tvalue', 4, o)).toThrow("No header key separator found in pair 'h1' on line number 4");
    expect(() => parseLine('nodelimiter', 5, o)).toThrow("No headers delimiter found on line number 5: 'nodelimiter'");
  });

  it('turns the null marker into nulls', () => {
    const o = lineReaderOptionsFrom({ 'parse.key': 'true', 'key.separator': ':', 'null.marker': 'NULL' });
    expect(parseLine('NULL:NULL', 1, o)).toEqual({ key: null, value: null, headers: [] });
  });

  it('rejects clashing separators', () => {
    expect(() => lineReaderOptionsFrom({ 'parse.headers': 'true', 'headers.delimiter': ',' })).toThrow('headers.delimiter and headers.separator may not be equal');
    expect(() => lineReaderOptionsFrom({ 'null.marker': '\t' })).toThrow('null.marker and key.separator may not be equal');
  });
});
