/**
 * Reading Java-style `.properties` files (server.properties, --command-config,
 * --producer.config, --consumer.config) into plain string maps.
 */
import fs from 'node:fs';
import propertiesReader from 'properties-reader';
import { CliError } from './errors.js';

/** Parses properties text; values stay strings, keys keep their dotted names. */
export function parseProperties(text: string): Record<string, string> {
  // properties-reader treats `[name]` lines as ini sections; Java properties have
  // no sections, so such lines are dropped before parsing.
  const cleaned = text
    .split(/\r?\n/)
    .filter((line) => !/^\s*\[[^\]]*\]\s*$/.test(line))
    .join('\n');
  const reader = propertiesReader();
  reader.read(cleaned);
  return Object.fromEntries(reader.entries());
}

/** Reads a properties file; a missing or unreadable file is a one-line CliError naming it. */
export function readPropertiesFile(file: string, what: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(err);
    throw new CliError(`Cannot read ${what} ${file}: ${reason}`);
  }
  return parseProperties(text);
}
