/**
 * kafka-server-start [-daemon] [server.properties] [--override key=value]...:
 * builds the BrokerConfig, runs the broker in this process, logs Kafka-style
 * lines to stdout, writes a pid file once it listens, and shuts down cleanly on
 * SIGTERM/SIGINT. `-daemon` re-runs itself detached, its output in
 * $LOG_DIR/kafkaServer.out and its log lines also in $LOG_DIR/server.log (Kafka's
 * names), and returns once the child serves, or prints why that start failed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RunningBroker } from '../../index.js';
import type { BrokerConfig } from '../../broker/config.js';
import { quorumTopology } from '../../cluster/node-config.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, packageRoot, VERSION_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { logLine } from '../output.js';
import { parseArgs, parseKeyValues, type CommandSpec } from '../options.js';
import { removePidFile, runDir, writePidFile } from '../pid-files.js';
import { checkLogDirs, startupError, unusableDirReason } from '../server-errors.js';
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

/** The composition root (src/index.ts), loaded only when a broker starts. */
type BrokerModule = typeof import('../../index.js');

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
  // bin/kafka-server-start.sh and the -daemon parent put the main class first (see BROKER_MAIN_CLASS)
  if (rest[0] === BROKER_MAIN_CLASS) rest.shift();
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

/**
 * Java Kafka's main class. The broker's command line carries `kafka.Kafka
 * <properties file>` as `java … kafka.Kafka config/server.properties` does, so
 * scripts that find Kafka with `ps -ef | grep kafka.Kafka` find this broker:
 * bin/kafka-server-start.sh and the -daemon parent put it in argv, and a broker
 * started any other way rewrites its process title to carry it.
 */
export const BROKER_MAIN_CLASS = 'kafka.Kafka';

/** Kafka's LOG_DIR: $LOG_DIR, else logs/ in the checkout (kafka-run-class.sh's $base_dir/logs), else logs/ in the cwd. */
export function serverLogDir(): string {
  if (process.env.LOG_DIR) return path.resolve(process.env.LOG_DIR);
  const root = packageRoot();
  const base = fs.existsSync(path.join(root, '.git')) ? root : process.cwd();
  return path.join(base, 'logs');
}

/** The broker's own log (log4j's server.log in Kafka), appended to by every broker using this LOG_DIR. */
export function serverLogFile(): string {
  return path.join(serverLogDir(), 'server.log');
}

/** Where -daemon sends the broker's stdout and stderr, as `kafka-run-class.sh -name kafkaServer -daemon` does. */
export function daemonOutputFile(): string {
  // kafka-run-class.sh -name: kafkaServer for brokers, zookeeper for zookeeper-server-start's node
  return path.join(serverLogDir(), `${daemonName()}.out`);
}

/** The -daemon node's name: `zookeeper` when zookeeper-server-start runs it (KAFKA_TS_DAEMON_NAME), else `kafkaServer`. */
function daemonName(): string {
  return process.env.KAFKA_TS_DAEMON_NAME === 'zookeeper' ? 'zookeeper' : 'kafkaServer';
}

/** What the -daemon child tells its parent over the IPC channel while it starts. */
type DaemonMessage = { ready: string } | { failed: string };

function isDaemonMessage(value: unknown): value is DaemonMessage {
  const m = value as Record<string, unknown> | null;
  return typeof m === 'object' && m !== null && (typeof m.ready === 'string' || typeof m.failed === 'string');
}

/** Sends `message` to the -daemon parent (when there is one still listening) and waits until it is written. */
function tellDaemonParent(message: DaemonMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

/** The last `count` lines written to `file` after byte `from`. */
function lastLinesSince(file: string, from: number, count: number): string {
  try {
    return fs.readFileSync(file).subarray(from).toString('utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

async function startDaemon(parsed: ServerStartArgs): Promise<number> {
  const logDir = serverLogDir();
  const logDirProblem = unusableDirReason(logDir, `the log directory ${logDir}${process.env.LOG_DIR ? ' (LOG_DIR)' : ''}`, 'set LOG_DIR to a directory you can write');
  if (logDirProblem) throw new CliError(logDirProblem);
  fs.mkdirSync(logDir, { recursive: true });
  const outFile = daemonOutputFile();
  // Appended to, not truncated as kafka-run-class.sh's `> kafkaServer.out` does: another broker
  // still running with this LOG_DIR keeps writing there, and truncating under it leaves a file of
  // NULs. This start's output is what comes after `startOffset`.
  const outFd = fs.openSync(outFile, 'a');
  const startOffset = fs.fstatSync(outFd).size;
  const script = process.argv[1];
  const child = spawn(process.execPath, [script, BROKER_MAIN_CLASS, ...parsed.foregroundArgv], {
    detached: true,
    // the IPC channel carries this start's outcome, so a failure shows its own reason and
    // never lines another broker wrote to the shared server.log
    stdio: ['ignore', outFd, outFd, 'ipc'],
    env: { ...process.env, KAFKA_TS_DAEMON_CHILD: '1', LOG_DIR: logDir },
  });
  fs.closeSync(outFd);
  const pid = child.pid;
  if (pid === undefined) throw new CliError(`Could not start the broker process (${process.execPath} ${script})`);
  type Outcome = { ready: string } | { failed: string } | { exited: string } | { timeout: true };
  const outcome = await new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ timeout: true }), 60_000);
    const done = (o: Outcome): void => {
      clearTimeout(timer);
      resolve(o);
    };
    child.on('message', (message: unknown) => {
      if (!isDaemonMessage(message)) return;
      done('ready' in message ? { ready: message.ready } : { failed: message.failed });
    });
    child.once('exit', (code, signal) => {
      const exited = { exited: signal ?? `exit status ${code}` };
      // a message sent just before exiting is read before the channel closes
      if (child.connected) child.once('disconnect', () => done(exited));
      else done(exited);
    });
  });
  if (child.connected) child.disconnect();
  child.unref();
  if ('ready' in outcome) {
    const what = daemonName() === 'zookeeper' ? "The controller (zookeeper-server-start)" : 'Kafka server';
    process.stdout.write(`${what} started in the background (pid ${pid}), listening on ${outcome.ready}; log: ${serverLogFile()}\n`);
    return 0;
  }
  if ('failed' in outcome) throw new CliError(outcome.failed);
  if ('exited' in outcome) {
    const tail = lastLinesSince(outFile, startOffset, 10);
    throw new CliError(`The broker exited during startup (${outcome.exited})${tail ? `; its output (${outFile}):\n${tail}` : `; see ${outFile}`}`);
  }
  throw new CliError(`The broker (pid ${pid}) did not start listening within 60 s; see ${outFile}`);
}

async function loadBrokerModule(): Promise<BrokerModule> {
  // Loaded on demand: every command shares the CLI registry, and only this one needs the whole broker.
  const url = new URL('../../index.js', import.meta.url).href;
  try {
    return (await import(url)) as BrokerModule;
  } catch (err) {
    throw new CliError(`The broker is not built (${url} could not be loaded: ${(err as Error).message}); run npm run build`);
  }
}

/** The pid file is written once the broker serves; a run dir it cannot go in must stop it before that. */
function checkRunDir(): void {
  const dir = runDir();
  const problem = unusableDirReason(dir, `the pid file directory ${dir}${process.env.KAFKA_TS_RUN_DIR ? ' (KAFKA_TS_RUN_DIR)' : ''}`, 'set KAFKA_TS_RUN_DIR to a directory you can write');
  if (problem) throw new CliError(problem);
}

/** The -daemon child's server.log, appended to line by line (log4j's kafkaAppender in Kafka). */
function openServerLog(): number | undefined {
  try {
    fs.mkdirSync(serverLogDir(), { recursive: true });
    return fs.openSync(serverLogFile(), 'a');
  } catch {
    return undefined; // the lines still reach kafkaServer.out
  }
}

/** What kafka-server-stop --node-id / --process-role match on (Kafka reads them from the properties file). */
function nodePidFields(config: BrokerConfig, propertiesFile: string | undefined): Record<string, string> {
  let roles = 'broker,controller';
  try {
    roles = [...quorumTopology(config).roles].join(',');
  } catch {
    // a configuration the quorum refuses never gets this far
  }
  return { 'node.id': String(config.brokerId), 'process.roles': roles, ...(propertiesFile ? { config: path.resolve(propertiesFile) } : {}) };
}

async function runForeground(parsed: ServerStartArgs): Promise<number> {
  const origin = { file: parsed.propertiesFile, overrides: parsed.overrides };
  const config = parseServerProperties(parsed.propertiesFile ? { file: parsed.propertiesFile } : undefined, parsed.overrides);
  if (!process.argv.includes(BROKER_MAIN_CLASS)) {
    // started through the node shim itself: Linux lets the title use the original argv's room
    process.title = [BROKER_MAIN_CLASS, ...parsed.foregroundArgv].join(' ');
  }
  const serverLogFd = process.env.KAFKA_TS_DAEMON_CHILD ? openServerLog() : undefined;
  const log = (line: string): void => {
    // the broker's own lines get Kafka's `[timestamp] LEVEL` prefix unless they carry one
    // a leading "WARN " or "ERROR " names the level (broker/api-error.ts, disk-full warnings)
    const level = /^(WARN|ERROR) /.exec(line)?.[1] as 'WARN' | 'ERROR' | undefined;
    const text = (/^\[\d{4}-\d\d-\d\d /.test(line) ? line : level ? logLine(level, line.slice(level.length + 1), CATEGORY) : logLine('INFO', line, CATEGORY)) + '\n';
    process.stdout.write(text);
    if (serverLogFd !== undefined) fs.writeSync(serverLogFd, text);
  };
  let broker: RunningBroker;
  try {
    checkLogDirs(config, origin);
    checkRunDir();
    const brokerModule = await loadBrokerModule();
    broker = await brokerModule.startBroker(config, { log });
  } catch (err) {
    const error = startupError(err, config, origin);
    if (serverLogFd !== undefined) fs.writeSync(serverLogFd, logLine('ERROR', `Fatal error during KafkaServer startup: ${error.message}`, CATEGORY) + '\n');
    await tellDaemonParent({ failed: error.message });
    throw error;
  }
  const listeners = config.listeners.map((l, i) => formatEndpoint(i === 0 ? { ...l, host: l.host === '' ? broker.host || l.host : l.host, port: broker.port } : l));
  writePidFile(process.pid, listeners, config.logDirs, runDir(), nodePidFields(config, parsed.propertiesFile));
  log(logLine('INFO', `[KafkaServer id=${config.brokerId}] started; listening on ${listeners.join(',')}, data in ${config.logDirs.join(',')}`, CATEGORY));
  await tellDaemonParent({ ready: listeners.join(',') });
  if (process.connected) process.disconnect();

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
      const config = parseServerProperties(parsed.propertiesFile ? { file: parsed.propertiesFile } : undefined, parsed.overrides);
      checkLogDirs(config, { file: parsed.propertiesFile, overrides: parsed.overrides });
      checkRunDir();
      return startDaemon(parsed);
    }
    return runForeground(parsed);
  },
};
