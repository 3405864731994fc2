/**
 * kafka-server-start [-daemon] [server.properties] [--override key=value]...:
 * builds the BrokerConfig, runs the broker in this process, logs Kafka-style
 * lines to stdout, writes a pid file once it listens, and shuts down cleanly on
 * SIGTERM/SIGINT. `-daemon` re-runs itself detached with output to
 * logs/server.log and returns once the child serves (or failed).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BrokerConfig } from '../../broker/config.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, packageRoot, VERSION_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { logLine } from '../output.js';
import { parseArgs, parseKeyValues, type CommandSpec } from '../options.js';
import { pidFilePath, removePidFile, writePidFile } from '../pid-files.js';
import { formatEndpoint, parseServerProperties } from '../server-properties.js';

export const spec: CommandSpec = {
  name: 'kafka-server-start',
  summary: 'USAGE: kafka-server-start [-daemon] server.properties [--override property=value]*',
  positionals: true,
  options: [
    { name: 'override', arg: 'String: property=value', repeatable: true, description: 'Optional property that should override values set in server.properties file', complete: 'none' },
    { name: 'daemon', description: 'Run in the background (Kafka spells it -daemon, as the first argument)' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

/** What the broker engineer's src/index.ts provides. */
interface RunningBroker {
  config: BrokerConfig;
  port: number;
  host: string;
  close(): Promise<void>;
}
interface BrokerModule {
  startBroker?: (config: BrokerConfig, opts?: { log?: (line: string) => void }) => Promise<RunningBroker>;
}

const CATEGORY = 'kafka.server.KafkaServer';

export interface ServerStartArgs {
  daemon: boolean;
  propertiesFile?: string;
  overrides: Record<string, string>;
  /** argv for the re-spawned foreground child of -daemon */
  foregroundArgv: string[];
}

export function serverStartArgs(argv: readonly string[]): ServerStartArgs {
  const rest = [...argv];
  let daemon = false;
  if (rest[0] === '-daemon') {
    daemon = true;
    rest.shift();
  }
  const args = parseArgs(spec, rest);
  if (args.has('daemon')) daemon = true;
  const [propertiesFile, ...extra] = args.positionals;
  if (extra.length > 0) throw new UsageError(`Found non argument parameters: ${extra.join(',')}`);
  const overrides = parseKeyValues(args.all('override'), (item) => `Invalid --override '${item}': expected property=value`);
  const foregroundArgv = [...(propertiesFile ? [propertiesFile] : []), ...args.all('override').flatMap((o) => ['--override', o])];
  return { daemon, propertiesFile, overrides, foregroundArgv };
}

/** Kafka's logs/ directory: $LOG_DIR, else logs/ in the checkout (when writable), else in the cwd. */
export function serverLogFile(): string {
  if (process.env.LOG_DIR) return path.join(process.env.LOG_DIR, 'server.log');
  const root = packageRoot();
  const base = fs.existsSync(path.join(root, '.git')) ? root : process.cwd();
  return path.join(base, 'logs', 'server.log');
}

function tailOf(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function startDaemon(parsed: ServerStartArgs): Promise<number> {
  const logFile = serverLogFile();
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const logFd = fs.openSync(logFile, 'a');
  const script = process.argv[1];
  const child = spawn(process.execPath, [script, ...parsed.foregroundArgv], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, KAFKA_TS_DAEMON_CHILD: '1' },
  });
  fs.closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new CliError(`Could not start the broker process (${process.execPath} ${script})`);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.once('exit', (code, signal) => { exited = { code, signal }; });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (fs.existsSync(pidFilePath(pid))) {
      child.unref();
      const info = fs.readFileSync(pidFilePath(pid), 'utf8').split('\n').find((l) => l.startsWith('listeners='))?.slice('listeners='.length) ?? '';
      process.stdout.write(`Kafka server started in the background (pid ${pid}), listening on ${info}; log: ${logFile}\n`);
      return 0;
    }
    if (exited) {
      const tail = tailOf(logFile, 10);
      throw new CliError(`The broker exited during startup (${exited.signal ?? `exit status ${exited.code}`}); last lines of ${logFile}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.unref();
  throw new CliError(`The broker (pid ${pid}) did not start listening within 60 s; see ${logFile}`);
}

function startupError(err: unknown, config: BrokerConfig, file: string | undefined, overrides: Record<string, string> = {}): CliError {
  const e = err as NodeJS.ErrnoException & { port?: number };
  const listeners = config.listeners.map(formatEndpoint).join(',');
  // point at where the listener really came from: an --override wins over the file
  const where =
    overrides.listeners !== undefined
      ? 'pass another port in --override listeners=…'
      : file
        ? `change listeners in ${file}`
        : 'pass --override listeners=PLAINTEXT://:<another port>';
  if (e.code === 'EADDRINUSE') {
    const port = e.port ?? config.listeners[0]?.port;
    return new CliError(`port ${port} is already in use (listeners=${listeners}): stop the other broker (kafka-server-stop) or ${where}`);
  }
  if (e.code === 'EACCES' && /listen|bind/i.test(e.message)) {
    return new CliError(`permission denied listening on ${listeners} (ports below 1024 need root): ${where}`);
  }
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') {
    return new CliError(`cannot listen on ${listeners}: the host is not an address of this machine; ${where}`);
  }
  if (e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'ENOTDIR') {
    return new CliError(`cannot use log.dirs ${config.logDirs.join(',')}: ${e.message}; change log.dirs${file ? ` in ${file}` : ''}`);
  }
  return new CliError(`Exiting Kafka due to fatal exception during startup: ${e.message ?? String(err)}`);
}

async function loadBrokerModule(): Promise<BrokerModule> {
  // Resolved at run time so the CLI builds before the broker's entry point exists.
  const url = new URL('../../index.js', import.meta.url).href;
  try {
    return (await import(url)) as BrokerModule;
  } catch (err) {
    throw new CliError(`The broker is not built (${url} could not be loaded: ${(err as Error).message}); run npm run build`);
  }
}

async function runForeground(parsed: ServerStartArgs): Promise<number> {
  const config = parseServerProperties(parsed.propertiesFile ? { file: parsed.propertiesFile } : undefined, parsed.overrides);
  const brokerModule = await loadBrokerModule();
  if (typeof brokerModule.startBroker !== 'function') throw new CliError('This build has no broker yet (dist/index.js exports no startBroker); run npm run build after the broker lands');
  const log = (line: string): void => {
    // the broker's own lines get Kafka's `[timestamp] LEVEL` prefix unless they carry one
    process.stdout.write((/^\[\d{4}-\d\d-\d\d /.test(line) ? line : logLine('INFO', line, CATEGORY)) + '\n');
  };
  let broker: RunningBroker;
  try {
    broker = await brokerModule.startBroker(config, { log });
  } catch (err) {
    throw startupError(err, config, parsed.propertiesFile, parsed.overrides);
  }
  const listeners = config.listeners.map((l, i) => formatEndpoint(i === 0 ? { ...l, host: l.host === '' ? broker.host || l.host : l.host, port: broker.port } : l));
  writePidFile(process.pid, listeners, config.logDirs);
  log(logLine('INFO', `[KafkaServer id=${config.brokerId}] started; listening on ${listeners.join(',')}, data in ${config.logDirs.join(',')}`, CATEGORY));

  return new Promise<number>((resolve) => {
    let closing = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (closing) {
        log(logLine('WARN', `Received ${signal} again during shutdown; halting`, CATEGORY));
        removePidFile(process.pid);
        process.exit(1);
      }
      closing = true;
      log(logLine('INFO', `Terminating process due to signal ${signal}`, 'org.apache.kafka.common.utils.LoggingSignalHandler'));
      log(logLine('INFO', `[KafkaServer id=${config.brokerId}] shutting down`, CATEGORY));
      broker.close().then(
        () => {
          removePidFile(process.pid);
          log(logLine('INFO', `[KafkaServer id=${config.brokerId}] shut down completed`, CATEGORY));
          resolve(0);
        },
        (err: unknown) => {
          removePidFile(process.pid);
          log(logLine('ERROR', `Fatal error during shutdown: ${(err as Error).message ?? String(err)}`, CATEGORY));
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => shutdown('SIGHUP'));
    process.on('exit', () => removePidFile(process.pid));
  });
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const parsed = serverStartArgs(argv);
    if (parsed.daemon && !process.env.KAFKA_TS_DAEMON_CHILD) {
      // validate the configuration here so a typo fails in the terminal, not in the log
      parseServerProperties(parsed.propertiesFile ? { file: parsed.propertiesFile } : undefined, parsed.overrides);
      return startDaemon(parsed);
    }
    return runForeground(parsed);
  },
};
