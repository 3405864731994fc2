/**
 * The console producer's LineMessageReader: turns one stdin line into a record,
 * honouring `parse.key`, `key.separator`, `parse.headers`, `headers.delimiter`,
 * `headers.separator` (a regex, as in Kafka), `headers.key.separator`,
 * `null.marker` and `ignore.error`, with Kafka 3.2+ error texts.
 */
import { CliError } from './errors.js';
import { unescapeSeparator } from './format.js';

export interface LineReaderOptions {
  parseKey: boolean;
  keySeparator: string;
  ignoreError: boolean;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: RegExp;
  headersSeparatorText: string;
  headersKeySeparator: string;
  nullMarker: string | undefined;
}

export interface LineRecord {
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

/** Reader settings from `--property` pairs; rejects separator clashes as Kafka does. */
export function lineReaderOptionsFrom(properties: Record<string, string>): LineReaderOptions {
  const bool = (key: string): boolean => (properties[key] ?? 'false').trim().toLowerCase() === 'true';
  const text = (key: string, fallback: string): string => (key in properties ? unescapeSeparator(properties[key]) : fallback);
  const headersSeparatorText = text('headers.separator', ',');
  const options: LineReaderOptions = {
    parseKey: bool('parse.key'),
    keySeparator: text('key.separator', '\t'),
    ignoreError: bool('ignore.error'),
    parseHeaders: bool('parse.headers'),
    headersDelimiter: text('headers.delimiter', '\t'),
    headersSeparator: new RegExp(headersSeparatorText),
    headersSeparatorText,
    headersKeySeparator: text('headers.key.separator', ':'),
    nullMarker: 'null.marker' in properties ? properties['null.marker'] : undefined,
  };
  if (options.parseHeaders) {
    if (options.headersDelimiter === options.headersSeparatorText) throw new CliError('headers.delimiter and headers.separator may not be equal');
    if (options.headersDelimiter === options.headersKeySeparator) throw new CliError('headers.delimiter and headers.key.separator may not be equal');
    if (options.headersSeparatorText === options.headersKeySeparator) throw new CliError('headers.separator and headers.key.separator may not be equal');
  }
  if (options.nullMarker !== undefined) {
    const clashes: Array<[string, string]> = [['key.separator', options.keySeparator], ['headers.delimiter', options.headersDelimiter], ['headers.separator', options.headersSeparatorText], ['headers.key.separator', options.headersKeySeparator]];
    for (const [name, value] of clashes) {
      if (value === options.nullMarker) throw new CliError(`null.marker and ${name} may not be equal`);
    }
  }
  return options;
}

/** Parses one input line (without its line terminator); `lineNumber` counts from 1. */
export function parseLine(line: string, lineNumber: number, options: LineReaderOptions): LineRecord {
  let rest = line;
  const headers: Array<[string, string | null]> = [];
  const orNull = (s: string): string | null => (options.nullMarker !== undefined && s === options.nullMarker ? null : s);

  if (options.parseHeaders) {
    const at = rest.indexOf(options.headersDelimiter);
    if (at < 0) {
      if (!options.ignoreError) throw new CliError(`No headers delimiter found on line number ${lineNumber}: '${line}'`);
    } else {
      const headerText = rest.slice(0, at);
      rest = rest.slice(at + options.headersDelimiter.length);
      if (headerText.length > 0) {
        for (const pair of headerText.split(options.headersSeparator)) {
          const sep = pair.indexOf(options.headersKeySeparator);
          let name: string;
          let value: string | null;
          if (sep < 0) {
            if (!options.ignoreError) throw new CliError(`No header key separator found in pair '${pair}' on line number ${lineNumber}`);
            name = pair;
            value = null;
          } else {
            name = pair.slice(0, sep);
            value = orNull(pair.slice(sep + options.headersKeySeparator.length));
          }
          if (options.nullMarker !== undefined && name === options.nullMarker) {
            throw new CliError(`Header keys should not be equal to the null marker '${options.nullMarker}' as they can't be null`);
          }
          headers.push([name, value]);
        }
      }
    }
  }

  let key: string | null = null;
  if (options.parseKey) {
    const at = rest.indexOf(options.keySeparator);
    if (at < 0) {
      if (!options.ignoreError) throw new CliError(`No key separator found on line number ${lineNumber}: '${line}'`);
    } else {
      key = orNull(rest.slice(0, at));
      rest = rest.slice(at + options.keySeparator.length);
    }
  }
  return { key, value: orNull(rest), headers };
}
