/**
 * What every command module provides, and the options all of them share
 * (`--help`, `--version`). Commands are thin: they parse with their spec, call
 * kafkajs or the broker, print, and return the exit status.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandSpec, OptionSpec } from './options.js';

export interface CliCommand {
  spec: CommandSpec;
  /** Runs the command; resolves to the process exit status. */
  run(argv: readonly string[]): Promise<number>;
}

export const HELP_OPTION: OptionSpec = { name: 'help', description: 'Print usage information.' };
export const VERSION_OPTION: OptionSpec = { name: 'version', description: 'Display Kafka version.' };

/** The package root (the checkout, or the installed package): dist/cli/ → ../.. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Version string printed by `--version` (the package version). */
export function toolVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
