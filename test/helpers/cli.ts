/**
 * Test helpers for the command-line tools: find a free port, run a bin/*.sh
 * command and collect its output, start a real broker with bin/kafka-server-start.sh
 * on a temp log dir, and check that the build the bin/ scripts run exists (e2e suites
 * fail, saying so, when it does not: npm test builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN_DIR = path.join(REPO_ROOT, 'bin');

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** pipe stdout through a reader that closes after this many bytes (like `| head -c`) */
  closeStdoutAfterBytes?: number;
}

/** Runs `bin/<command>.sh args...` to completion. */
export function runCli(command: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(BIN_DIR, `${command}.sh`), [...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      stdoutBytes += chunk.length;
      if (options.closeStdoutAfterBytes !== undefined && stdoutBytes >= options.closeStdoutAfterBytes) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/**
 * Checks that the compiled broker and CLI the bin/ scripts run exist and load. An e2e
 * suite calls it at the top and fails loudly (never skips) when they do not: `npm test`
 * builds first; run `npm run build` before running an e2e file alone.
 */
export async function requireBuiltBroker(): Promise<void> {
  const entry = path.join(REPO_ROOT, 'dist', 'index.js');
  const cli = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
  for (const file of [entry, cli]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is not built: run npm run build (npm test builds first)`);
  }
  let mod: { startBroker?: unknown };
  try {
    mod = (await import(pathToFileURL(entry).href)) as { startBroker?: unknown };
  } catch (err) {
    throw new Error(`${entry} failed to load (${(err as Error).message}): run npm run build`);
  }
  if (typeof mod.startBroker !== 'function') throw new Error(`${entry} exports no startBroker: run npm run build`);
}

export interface TestBroker {
  port: number;
  bootstrap: string;
  logDir: string;
  runDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts bin/kafka-server-start.sh with a temp properties file; resolves once it logged "started". */
export async function startTestBroker(extraProperties: Record<string, string> = {}): Promise<TestBroker> {
  const port = await freePort();
  const base = tempDir('kafka-ts-e2e');
  const logDir = path.join(base, 'data');
  const runDir = path.join(base, 'run');
  const props = {
    'broker.id': '0',
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': logDir,
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '3',
    'group.initial.rebalance.delay.ms': '0',
    ...extraProperties,
  };
  const file = path.join(base, 'server.properties');
  fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const child = spawn(path.join(BIN_DIR, 'kafka-server-start.sh'), [file], {
    env: { ...process.env, KAFKA_TS_RUN_DIR: runDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start within 20 s:\n${output}`)), 20_000);
    const check = (): void => {
      if (/started; listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code}) during startup:\n${output}`));
    });
  });
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    logDir,
    runDir,
    process: child,
    output: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) {
        resolve(child.exitCode);
        return;
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        fs.rmSync(base, { recursive: true, force: true });
        resolve(code);
      });
      child.kill('SIGTERM');
    }),
  };
}
