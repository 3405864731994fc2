/**
 * What connect-standalone and connect-distributed share: reading the worker and
 * connector files, checking the broker answers before anything starts (so a wrong
 * bootstrap.servers is one line naming the file, not a minute of client retries),
 * and running the worker until SIGTERM/SIGINT stops it gracefully.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConnectConfigError, ConnectRestError } from '../../connect/errors.js';
import type { SecurityReader } from '../../connect/kafka-clients.js';
import { streamLog, type ConnectLog } from '../../connect/log.js';
import { readPropertiesFile } from '../config-files.js';
import { socketReason, splitHostPort } from '../connection.js';
import { CliError } from '../errors.js';
import { clientSecurity, kafkajsSecurity } from '../security-config.js';
import { startSpinner } from '../output.js';
import { serverLogDir } from './kafka-server-start.js';

export function readWorkerProperties(file: string): Record<string, string> {
  return readPropertiesFile(file, 'worker properties file');
}

/** A connector config from a `.properties` file, or (as Kafka 3.6+ accepts) a `.json` file holding the config or `{"name":…,"config":{…}}`. */
export function readConnectorFile(file: string): Record<string, string> {
  if (!file.endsWith('.json')) return readPropertiesFile(file, 'connector properties file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `Cannot read connector config file ${file}: no such file` : `Connector config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const object = parsed as { name?: unknown; config?: unknown };
  const config = (typeof object.config === 'object' && object.config !== null ? object.config : object) as Record<string, unknown>;
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (v !== null && v !== undefined) result[k] = String(v);
  if (typeof object.name === 'string' && result.name === undefined) result.name = object.name;
  return result;
}

function probe(host: string, port: number, timeoutMs: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host || 'localhost', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => { clearTimeout(timer); socket.destroy(); resolve(undefined); });
    socket.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(err); });
  });
}

/** Fails with one line when no broker of bootstrap.servers accepts a connection. */
export async function ensureBrokerReachable(props: Record<string, string>, workerFile: string): Promise<void> {
  const list = props['bootstrap.servers'] ?? 'localhost:9092';
  const entries = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const reasons = new Set<string>();
  for (const entry of entries) {
    const address = splitHostPort(entry);
    if (!address) throw new CliError(`Invalid value ${list} for configuration bootstrap.servers in ${workerFile}: give host:port pairs like localhost:9092`);
    const err = await probe(address.host, address.port, 3000);
    if (!err) return;
    reasons.add(socketReason(err));
  }
  throw new CliError(`Cannot connect to the Kafka broker at ${entries.join(',')} (${[...reasons].join(', ')}). Is a broker running there? ` +
    `Start one with kafka-server-start, or set bootstrap.servers in ${workerFile}.`);
}

/**
 * Starts the worker, with a spinner on stderr while it starts when stderr is a terminal
 * (never in pipes or CI); the runtime's configuration errors become the one-line CLI error.
 */
export async function asCliErrors<T>(start: (log: ConnectLog) => Promise<T>): Promise<T> {
  const spinner = startSpinner('Starting Kafka Connect…');
  // log lines written while the spinner turns: clear its line, write, draw it again
  const log: ConnectLog = {
    log(level, message, category) {
      if (spinner?.isSpinning) spinner.clear();
      workerLog.log(level, message, category);
      if (spinner?.isSpinning) spinner.render();
    },
  };
  try {
    return await start(log);
  } catch (err) {
    if (err instanceof ConnectConfigError || err instanceof ConnectRestError) throw new CliError(err.message);
    throw err;
  } finally {
    spinner?.stop();
  }
}

/** How a worker's clients read security.protocol, ssl.* and sasl.*: as every tool's --command-config is read. */
export const readConnectSecurity: SecurityReader = (props) => {
  const security = clientSecurity(props);
  return { kafkajs: kafkajsSecurity(props), network: { tls: security.tls, sasl: security.sasl } };
};

export const workerLog: ConnectLog = streamLog(process.stdout);

/** Runs until SIGTERM/SIGINT/SIGHUP, then stops gracefully (a second signal halts at once). */
export function runUntilSignalled(stop: () => Promise<void>, log: ConnectLog): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.log('WARN', `Received ${signal} again during shutdown; halting`, 'org.apache.kafka.connect.runtime.Connect');
        process.exit(1);
      }
      stopping = true;
      stop().then(() => resolve(0), (err: unknown) => {
        log.log('ERROR', `Failed to stop cleanly: ${(err as Error).message ?? String(err)}`, 'org.apache.kafka.connect.runtime.Connect');
        resolve(1);
      });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => shutdown('SIGHUP'));
  });
}

/** Tells a -daemon parent that the worker is up (no-op in the foreground). */
export function tellDaemonParentReady(url: string): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send({ ready: url }, undefined, {}, () => {
      process.disconnect();
      resolve();
    });
  });
}

/**
 * `-daemon` first, as Kafka's connect-*.sh accept it: runs the worker detached, its output
 * appended to $LOG_DIR/<name>.out (kafka-run-class.sh's -name), and returns once the
 * worker serves REST, or prints why it did not start.
 */
export async function startWorkerDaemon(commandName: string, outName: string, argv: readonly string[]): Promise<number> {
  const logDir = serverLogDir();
  try {
    fs.mkdirSync(logDir, { recursive: true });
  } catch (err) {
    throw new CliError(`Cannot create the log directory ${logDir}: ${(err as Error).message}; set LOG_DIR to a directory you can write`);
  }
  const outFile = path.join(logDir, `${outName}.out`);
  const outFd = fs.openSync(outFile, 'a');
  const startOffset = fs.fstatSync(outFd).size;
  const child = spawn(process.execPath, [process.argv[1], ...argv], {
    detached: true,
    stdio: ['ignore', outFd, outFd, 'ipc'],
    env: { ...process.env, KAFKA_TS_DAEMON_CHILD: '1', LOG_DIR: logDir },
  });
  fs.closeSync(outFd);
  const outcome = await new Promise<{ ready: string } | { exited: string } | { timeout: true }>((resolve) => {
    const timer = setTimeout(() => resolve({ timeout: true }), 60_000);
    child.on('message', (m: unknown) => {
      const message = m as { ready?: unknown } | null;
      if (message && typeof message.ready === 'string') { clearTimeout(timer); resolve({ ready: message.ready }); }
    });
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ exited: signal ?? `exit status ${code}` }); });
  });
  if (child.connected) child.disconnect();
  child.unref();
  if ('ready' in outcome) {
    process.stdout.write(`${commandName} started in the background (pid ${child.pid}), REST API at ${outcome.ready}; log: ${outFile}\n`);
    return 0;
  }
  let tail = '';
  try {
    tail = fs.readFileSync(outFile).subarray(startOffset).toString('utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    // nothing written
  }
  if ('exited' in outcome) throw new CliError(`${commandName} exited during startup (${outcome.exited})${tail ? `; its output (${outFile}):\n${tail}` : ''}`);
  throw new CliError(`${commandName} (pid ${child.pid}) did not start within 60 s; see ${outFile}`);
}

/** Splits a leading `-daemon` off the arguments (only outside the daemon's own child). */
export function daemonArgs(argv: readonly string[]): { daemon: boolean; rest: string[] } {
  if (argv[0] === '-daemon' || argv[0] === '--daemon') return { daemon: !process.env.KAFKA_TS_DAEMON_CHILD, rest: argv.slice(1) };
  return { daemon: false, rest: [...argv] };
}
