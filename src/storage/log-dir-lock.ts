/**
 * Exclusive use of a log dir by one broker, like Kafka's `.lock` file: two brokers
 * writing one directory would corrupt each other's logs. Node has no portable flock,
 * so the lock file holds the owner's pid; a lock whose process is gone (kill -9) is
 * stale and taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = '.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed broker that its parent has not reaped yet is a zombie: signal 0 still
  // reaches it, but it holds no files and will never write again (Linux: state Z).
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

export class LogDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly ownerPid: number,
  ) {
    super(
      `Failed to acquire lock on file ${LOCK_FILE} in ${dir}: another Kafka broker (pid ${ownerPid}) is using this directory; ` +
        'stop it (kafka-server-stop) or give this broker its own log.dirs',
    );
    this.name = 'LogDirInUseError';
  }
}

export class LogDirLock {
  private constructor(readonly dir: string) {}

  static acquire(dir: string): LogDirLock {
    const file = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return new LogDirLock(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      } catch {
        // vanished between open and read: try again
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new LogDirInUseError(dir, owner);
      }
      // stale: its broker is gone, or it is this process's own (an embedded broker that
      // was not closed, e.g. a test simulating a crash)
      try {
        unlinkSync(file);
      } catch {
        // someone else removed it first
      }
    }
    throw new Error(`Could not acquire ${file}`);
  }

  private released = false;

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      unlinkSync(join(this.dir, LOCK_FILE));
    } catch {
      // already gone
    }
  }
}
