/**
 * Kafka Connect workers for e2e tests: the real bin/connect-*.sh as a child process
 * with its output kept, and a bounded poll for what a user checks with `cat`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN_DIR } from './cli.js';

export interface ConnectWorker {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Spawns `bin/<script>` (connect-standalone.sh by default) in `cwd` with `args`. */
export function spawnConnectWorker(cwd: string, args: string[], script = 'connect-standalone.sh'): ConnectWorker {
  const child = spawn(path.join(BIN_DIR, script), args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { output += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

/** Polls until `check` holds; fails naming `what` (and `describeState()`) after 30 s. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, describeState: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${describeState()}`);
}

/** A file's text, or '' while it does not exist yet. */
export const readIfExists = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
