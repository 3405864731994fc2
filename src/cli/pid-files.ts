/**
 * Pid files of running brokers: `<runDir>/<pid>.pid` holding the pid, the
 * listeners and the data dirs, written only once the broker accepts connections
 * (so `-daemon` can wait for it) and removed on exit. kafka-server-stop reads
 * them instead of grepping `ps` output like Kafka's script does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PidFileEntry {
  pid: number;
  listeners: string[];
  logDirs: string[];
  /** node.id, process.roles and the properties file of the node, when its starter recorded them */
  fields: Record<string, string>;
  file: string;
}

/** $KAFKA_TS_RUN_DIR, else <tmp>/kafka-ts-run. */
export function runDir(): string {
  return process.env.KAFKA_TS_RUN_DIR || path.join(os.tmpdir(), 'kafka-ts-run');
}

export function pidFilePath(pid: number, dir = runDir()): string {
  return path.join(dir, `${pid}.pid`);
}

/** Pid files of ZooKeeper-style controllers (zookeeper-server-start), apart from the brokers' so each stop command finds its own. */
export function zookeeperRunDir(): string {
  return path.join(runDir(), 'zookeeper');
}

/**
 * Writes the pid file atomically (temp file + rename) so readers never see half of it.
 * `fields` (node.id, process.roles, config) let kafka-server-stop --node-id / --process-role
 * pick nodes without re-reading their properties files.
 */
export function writePidFile(pid: number, listeners: readonly string[], logDirs: readonly string[], dir = runDir(), fields: Record<string, string> = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = pidFilePath(pid, dir);
  const tmp = `${file}.tmp`;
  const extra = Object.entries(fields).map(([k, v]) => `${k}=${v}\n`).join('');
  fs.writeFileSync(tmp, `${pid}\nlisteners=${listeners.join(',')}\nlog.dirs=${logDirs.join(',')}\n${extra}`);
  fs.renameSync(tmp, file);
  return file;
}

export function removePidFile(pid: number, dir = runDir()): void {
  try {
    fs.unlinkSync(pidFilePath(pid, dir));
  } catch {
    // already gone
  }
}

export function readPidFile(file: string): PidFileEntry | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const field = (name: string): string[] => {
    const line = lines.find((l) => l.startsWith(`${name}=`));
    return line ? line.slice(name.length + 1).split(',').filter((s) => s.length > 0) : [];
  };
  const fields: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const eq = line.indexOf('=');
    if (eq > 0 && !line.startsWith('listeners=') && !line.startsWith('log.dirs=')) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { pid, listeners: field('listeners'), logDirs: field('log.dirs'), fields, file };
}

/** True when `pid` is a live process that is (as far as /proc can tell) one of our brokers. */
export function isLiveBroker(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but not ours to signal; count it as live so we do not delete its file
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // a recycled pid now running something else → stale file (a broker's title may be just `kafka.Kafka …`)
    return /kafka-server-start|kafka\.Kafka|node/.test(cmdline);
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** Every pid file in the run dir; stale ones (dead process) are deleted on the way. */
export function liveBrokers(dir = runDir()): PidFileEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const live: PidFileEntry[] = [];
  for (const name of names) {
    if (!name.endsWith('.pid')) continue;
    const entry = readPidFile(path.join(dir, name));
    if (!entry) continue;
    if (isLiveBroker(entry.pid)) live.push(entry);
    else removePidFile(entry.pid, dir);
  }
  return live;
}
