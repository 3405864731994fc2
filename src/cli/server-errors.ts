/**
 * What goes wrong when a broker starts, said in the user's own words: the
 * setting they wrote (`listeners`, or the pre-1.0 `port` / `host.name`;
 * `log.dirs` or `log.dir`), where they wrote it (the properties file or an
 * --override), and what to do. One line each, as every other CLI error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrokerConfig } from '../broker/config.js';
import { CliError } from './errors.js';
import { formatEndpoint } from './server-properties.js';
import { SecurityConfigError } from '../broker/security/security-config-error.js';

/** Where the broker's settings came from. */
export interface SettingsOrigin {
  /** the properties file given on the command line, if any */
  file?: string;
  /** the --override values */
  overrides: Record<string, string>;
}

/**
 * How to change `key`: in the --override that set it, in the file that set it,
 * or (set nowhere, the embedded default) with a new --override `example`.
 */
export function settingHint(key: string, origin: SettingsOrigin, example: string, what = 'value'): string {
  if (origin.overrides[key] !== undefined) return `pass another ${what} in --override ${key}=…`;
  if (origin.file) return `change ${key} in ${origin.file}`;
  return `pass --override ${key}=${example}`;
}

/**
 * The settings the listener came from, as written: Kafka 2.x builds the
 * PLAINTEXT listener from `host.name` and `port` when `listeners` is absent.
 */
export function listenerKeys(config: BrokerConfig): { host: string; port: string } {
  const raw = config.raw;
  if (raw.listeners === undefined && (raw.port !== undefined || raw['host.name'] !== undefined)) return { host: 'host.name', port: 'port' };
  return { host: 'listeners', port: 'listeners' };
}

/** `log.dirs`, or `log.dir` when that is the key the user set. */
function logDirsKey(config: BrokerConfig): string {
  const raw = config.raw;
  return raw['log.dirs'] === undefined && raw['log.dir'] !== undefined ? 'log.dir' : 'log.dirs';
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/**
 * Why `dir` cannot be used as a directory the broker writes to, or undefined
 * when it can (it exists as a writable directory, or can be created under the
 * nearest existing ancestor). `label` names it as the user set it, e.g.
 * `log.dirs /data/kafka`; `hint` says where to change it.
 */
export function unusableDirReason(dir: string, label: string, hint: string): string | undefined {
  // the nearest part of the path that exists decides: a file, or a directory we cannot write
  let existing = dir;
  let stat: fs.Stats | undefined;
  for (;;) {
    try {
      stat = fs.statSync(existing);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `Cannot use ${label}: ${(err as Error).message}; ${hint}`;
      const parent = path.dirname(existing);
      if (parent === existing) return undefined;
      existing = parent;
    }
  }
  if (!stat.isDirectory()) {
    return existing === dir
      ? `${label} is a file, not a directory: ${hint} (a directory, existing or not), or move the file away`
      : `${label} cannot be created: ${existing} is a file, not a directory; ${hint}`;
  }
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = existing === dir ? `${label} is not writable` : `${label} cannot be created in ${existing}`;
    if (code === 'EROFS') return `${what}: read-only file system; ${hint}`;
    return `${what} by user ${currentUser()} (permission denied): ${hint}, or give that user the directory (chown)`;
  }
  return undefined;
}

/**
 * Checks before the broker starts that every log dir is (or can be made) a
 * writable directory, so `log.dirs=/etc/passwd` is one line naming the setting,
 * not `EEXIST: file already exists, mkdir …` from deep inside the storage layer.
 */
export function checkLogDirs(config: BrokerConfig, origin: SettingsOrigin): void {
  const key = logDirsKey(config);
  const hint = settingHint(key, origin, '/path/to/kafka-logs');
  for (const dir of config.logDirs) {
    const reason = unusableDirReason(dir, `${key} ${dir}`, hint);
    if (reason) throw new CliError(reason);
  }
}

/** A startup failure of the broker (bind, log dirs) as one line naming the setting the user wrote. */
export function startupError(err: unknown, config: BrokerConfig, origin: SettingsOrigin): CliError {
  if (err instanceof CliError) return err;
  // TLS stores, JAAS, principal rules, authorizer: already one line naming the key
  if (err instanceof SecurityConfigError || (err as Error | undefined)?.name === 'SecurityConfigError') return new CliError((err as Error).message);
  const e = err as NodeJS.ErrnoException & { port?: number };
  const keys = listenerKeys(config);
  const raw = config.raw;
  const listeners = config.listeners.map(formatEndpoint).join(',');
  if (e.code === 'EADDRINUSE') {
    const port = e.port ?? config.listeners[0]?.port;
    const written = keys.port === 'port' ? `port=${raw.port ?? port}` : `listeners=${listeners}`;
    const hint = keys.port === 'port' ? settingHint('port', origin, '<another port>', 'port') : settingHint('listeners', origin, 'PLAINTEXT://:<another port>', 'port');
    return new CliError(`port ${port} is already in use (${written}): stop the other broker (kafka-server-stop) or ${hint}`);
  }
  if (e.code === 'EACCES' && /listen|bind/i.test(e.message)) {
    const written = keys.port === 'port' ? `port=${raw.port ?? config.listeners[0]?.port}` : `listeners=${listeners}`;
    const hint = keys.port === 'port' ? settingHint('port', origin, '<a port above 1023>') : settingHint('listeners', origin, 'PLAINTEXT://:<a port above 1023>');
    return new CliError(`permission denied listening on ${written} (ports below 1024 need root): ${hint}`);
  }
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EAI_NONAME') {
    const host = config.listeners[0]?.host ?? '';
    const written = keys.host === 'host.name' ? `host.name=${raw['host.name'] ?? host}` : `listeners=${listeners}`;
    const why = e.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : 'does not resolve to an address of this machine';
    const hint = keys.host === 'host.name' ? settingHint('host.name', origin, '<a name of this machine>') : settingHint('listeners', origin, 'PLAINTEXT://:<port>');
    return new CliError(`cannot listen on ${written}: ${host} ${why}; ${hint} (empty means every interface)`);
  }
  if (['EEXIST', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC'].includes(e.code ?? '')) {
    // the preflight check covers these; this is a race (the dir changed under us) or a file inside it
    const key = logDirsKey(config);
    return new CliError(`cannot use ${key} ${config.logDirs.join(',')}: ${e.message}; ${settingHint(key, origin, '/path/to/kafka-logs')}`);
  }
  return new CliError(`Exiting Kafka due to fatal exception during startup: ${e.message ?? String(err)}`);
}
