/**
 * Startup errors of kafka-server-start as the user reads them: the setting named
 * as written (listeners, or the pre-1.0 host.name / port; log.dirs or log.dir),
 * where it was written (the file, an --override, nowhere) and what to do, one
 * line each. The socket and file-system failures are the errors Node raises.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLogDirs, startupError, unusableDirReason } from '../../src/cli/server-errors.js';
import { parseServerProperties } from '../../src/cli/server-properties.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FILE = 'config/server.properties';
const config = (text: string, overrides: Record<string, string> = {}) => parseServerProperties({ text, file: FILE }, overrides);
const errno = (code: string, message = code): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe('startupError', () => {
  it('a port in use names listeners, or port when the file has only host.name/port', () => {
    expect(startupError(errno('EADDRINUSE'), config('listeners=PLAINTEXT://:9092'), { file: FILE, overrides: {} }).message).toBe(
      'port 9092 is already in use (listeners=PLAINTEXT://:9092): stop the other broker (kafka-server-stop) or change listeners in config/server.properties',
    );
    expect(startupError(errno('EADDRINUSE'), config('host.name=master\nport=9092'), { file: FILE, overrides: {} }).message).toBe(
      'port 9092 is already in use (port=9092): stop the other broker (kafka-server-stop) or change port in config/server.properties',
    );
    const overridden = config('port=9092', { port: '9093' });
    expect(startupError(errno('EADDRINUSE'), overridden, { file: FILE, overrides: { port: '9093' } }).message).toBe(
      'port 9093 is already in use (port=9093): stop the other broker (kafka-server-stop) or pass another port in --override port=…',
    );
    expect(startupError(errno('EADDRINUSE'), parseServerProperties(undefined), { overrides: {} }).message).toBe(
      'port 9092 is already in use (listeners=PLAINTEXT://localhost:9092): stop the other broker (kafka-server-stop) or pass --override listeners=PLAINTEXT://:<another port>',
    );
  });

  it('a host that is not this machine names host.name=master, not listeners', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
      expect(startupError(errno(code), config('host.name=master\nport=9092'), { file: FILE, overrides: {} }).message).toBe(
        'cannot listen on host.name=master: master does not resolve to an address of this machine; change host.name in config/server.properties (empty means every interface)',
      );
    }
    expect(startupError(errno('EADDRNOTAVAIL'), config('listeners=PLAINTEXT://10.9.9.9:9092'), { file: FILE, overrides: {} }).message).toBe(
      'cannot listen on listeners=PLAINTEXT://10.9.9.9:9092: 10.9.9.9 is not an address of this machine; change listeners in config/server.properties (empty means every interface)',
    );
  });

  it('a low port names the setting and the fix', () => {
    expect(startupError(errno('EACCES', 'listen EACCES: permission denied 0.0.0.0:80'), config('port=80'), { file: FILE, overrides: {} }).message).toBe(
      'permission denied listening on port=80 (ports below 1024 need root): change port in config/server.properties',
    );
  });

  it('a log dir error that slipped past the check names log.dir as written', () => {
    expect(startupError(errno('EEXIST', "EEXIST: file already exists, mkdir '/k'"), config('log.dir=/k'), { file: FILE, overrides: {} }).message).toBe(
      "cannot use log.dir /k: EEXIST: file already exists, mkdir '/k'; change log.dir in config/server.properties",
    );
  });
});

describe('checkLogDirs', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-ts-logdirs-'));
  const file = path.join(base, 'a-file');
  fs.writeFileSync(file, '');

  it('accepts a directory, existing or to be created', () => {
    expect(() => checkLogDirs(config(`log.dirs=${base},${path.join(base, 'new', 'deeper')}`), { file: FILE, overrides: {} })).not.toThrow();
  });

  it('a regular file, or a file on the way, is one line saying what to do', () => {
    expect(() => checkLogDirs(config(`log.dirs=${file}`), { file: FILE, overrides: {} })).toThrow(
      `log.dirs ${file} is a file, not a directory: change log.dirs in config/server.properties (a directory, existing or not), or move the file away`,
    );
    expect(() => checkLogDirs(config('', { 'log.dirs': `${base},${file}/x` }), { file: FILE, overrides: { 'log.dirs': `${base},${file}/x` } })).toThrow(
      `log.dirs ${file}/x cannot be created: ${file} is a file, not a directory; pass another value in --override log.dirs=…`,
    );
  });

  it('a directory the user cannot write says so, naming the user', () => {
    const locked = path.join(base, 'locked');
    fs.mkdirSync(locked, { mode: 0o555 });
    const target = path.join(locked, 'data');
    if (process.getuid?.() !== 0) {
      expect(unusableDirReason(target, `log.dirs ${target}`, 'change it')).toBe(
        `log.dirs ${target} cannot be created in ${locked} by user ${os.userInfo().username} (permission denied): change it, or give that user the directory (chown)`,
      );
      return;
    }
    // root writes anywhere: ask as nobody, through the compiled module
    fs.chmodSync(base, 0o755);
    const module = pathToFileURL(path.join(REPO_ROOT, 'dist', 'cli', 'server-errors.js')).href;
    const script = `import(${JSON.stringify(module)}).then((m) => console.log(m.unusableDirReason(${JSON.stringify(target)}, 'log.dirs ${target}', 'change it')))`;
    const result = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`log.dirs ${target} cannot be created in ${locked} by user nobody (permission denied): change it, or give that user the directory (chown)\n`);
  });
});
