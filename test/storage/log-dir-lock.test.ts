/**
 * One broker per log dir: a second LogManager (or broker) on a dir in use is refused
 * with one clear message and touches nothing; a lock left by a dead broker is taken over.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogManager } from '../../src/storage/log-manager.js';
import { defaultLogConfig } from '../../src/storage/partition-log.js';
import { LOCK_FILE, LogDirInUseError } from '../../src/storage/log-dir-lock.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-ts-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('log dir lock', () => {
  it('refuses a dir locked by another live process and leaves the dir alone', () => {
    const dir = tempDir();
    const first = new LogManager([dir], defaultLogConfig());
    first.loadLogs();
    first.createLog('t', 0, defaultLogConfig());
    first.shutdown();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    fs.rmSync(path.join(dir, '.kafka_cleanshutdown'));
    // another broker process (our parent: alive, and not us) holds the dir
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    const second = new LogManager([dir], defaultLogConfig());
    expect(() => second.loadLogs()).toThrow(LogDirInUseError);
    second.shutdown(); // must not write a clean-shutdown marker into the other broker's dir
    expect(fs.existsSync(path.join(dir, '.kafka_cleanshutdown'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.ppid));
    // free again once the other broker is gone
    fs.rmSync(path.join(dir, LOCK_FILE));
    const third = new LogManager([dir], defaultLogConfig());
    expect(third.loadLogs().map((l) => l.topic)).toEqual(['t']);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    third.shutdown();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('names the other broker process in the message', () => {
    const dir = tempDir();
    // pid 1 is always alive and is not us
    fs.writeFileSync(path.join(dir, LOCK_FILE), '1\n');
    const manager = new LogManager([dir], defaultLogConfig());
    expect(() => manager.loadLogs()).toThrow(/Failed to acquire lock on file \.lock in .*: another Kafka broker \(pid 1\) is using this directory; stop it \(kafka-server-stop\) or give this broker its own log.dirs/);
  });

  it('takes over a lock whose broker is gone (kill -9)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '2147483646\n');
    const manager = new LogManager([dir], defaultLogConfig());
    manager.loadLogs();
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    manager.shutdown();
  });

  it('takes over a lock whose broker was killed but not yet reaped (a zombie)', async () => {
    const dir = tempDir();
    // sh starts a child, the child is killed, and sh sleeps without waiting for it: a zombie
    const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; kill -9 $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
      for (let i = 0; i < 100 && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); i++) execFileSync('sleep', ['0.02']);
      expect(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) Z /);
      fs.writeFileSync(path.join(dir, LOCK_FILE), `${pid}\n`);
      const manager = new LogManager([dir], defaultLogConfig());
      manager.loadLogs();
      expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
      manager.shutdown();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
