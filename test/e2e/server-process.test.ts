/**
 * End-to-end: the broker process as scripts written for Java Kafka see it.
 * `ps -ef | grep kafka.Kafka` and `ps aux | grep <properties file>` find a
 * broker started by bin/kafka-server-start.sh (foreground or -daemon); `kill`
 * of that pid stops it gracefully and `kill -9` stops it at once. A failed
 * -daemon start prints its own reason, not the lines other brokers wrote to the
 * shared logs/; startup errors name the setting as the user wrote it
 * (host.name, port, log.dirs).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN_DIR, requireBuiltBroker, freePort, runCli, startTestBroker, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

/** Runs a pipeline through sh, as an init script would. */
const sh = (script: string): string => execFileSync('sh', ['-c', script], { encoding: 'utf8' });
const pidsOf = (out: string): number[] => out.split(/\s+/).filter(Boolean).map(Number);

/** Whether `pid` exists (a killed process still counts until its parent, or init, has reaped it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (polling, no fixed sleep asserted on) until `pid` is gone. */
async function exitOf(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}

interface DaemonSetup {
  base: string;
  port: number;
  props: string;
  env: Record<string, string>;
}

/** A properties file on a free port and temp data dir, named like the tutorials' server-1.properties. */
async function daemonSetup(name = 'server-1.properties'): Promise<DaemonSetup> {
  const base = tempDir('kafka-ts-e2e-ps');
  const port = await freePort();
  const props = path.join(base, name);
  fs.writeFileSync(props, `broker.id=1\nlisteners=PLAINTEXT://127.0.0.1:${port}\nlog.dirs=${path.join(base, 'data')}\n`);
  return { base, port, props, env: { KAFKA_TS_RUN_DIR: path.join(base, 'run'), LOG_DIR: path.join(base, 'logs') } };
}

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already stopped by the test
    }
  }
});

/** Starts `bin/kafka-server-start.sh -daemon <props>` and returns the pid it reports. */
async function startDaemon(setup: DaemonSetup): Promise<number> {
  const result = await runCli('kafka-server-start', ['-daemon', setup.props], { env: setup.env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const pid = Number(/\(pid (\d+)\)/.exec(result.stdout)?.[1]);
  started.push(pid);
  return pid;
}

describe('the broker process as ps and kill see it', () => {
  it('ps -ef | grep kafka.Kafka and ps aux | grep <properties file> find a -daemon broker; kill stops it gracefully', async () => {
    const setup = await daemonSetup();
    const pid = await startDaemon(setup);

    // other brokers may run on this machine (other tests); ours must be among the matches
    expect(pidsOf(sh("ps -ef | grep kafka.Kafka | grep -v grep | awk '{print $2}'"))).toContain(pid);
    // the properties file path is unique to this test: exactly our broker
    expect(pidsOf(sh(`ps aux | grep '${setup.props}' | grep -v grep | awk '{print $2}'`))).toEqual([pid]);
    // the command line reads as Java Kafka's does: … kafka.Kafka <properties file>
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(-2)).toEqual(['kafka.Kafka', setup.props]);

    sh(`kill ${pid}`);
    await exitOf(pid);
    const log = fs.readFileSync(path.join(setup.env.LOG_DIR, 'server.log'), 'utf8');
    expect(log).toContain('Terminating process due to signal SIGTERM');
    expect(log).toContain('[KafkaServer id=1] shut down completed');
    expect(fs.readdirSync(setup.env.KAFKA_TS_RUN_DIR).filter((f) => f.endsWith('.pid'))).toEqual([]);
    // Kafka's daemon naming: stdout in kafkaServer.out as well as server.log
    expect(fs.readFileSync(path.join(setup.env.LOG_DIR, 'kafkaServer.out'), 'utf8')).toContain('[KafkaServer id=1] started; listening on');
  });

  it('kill -9 of the pid grep found stops the broker; kafka-server-stop then finds none and a restart on the same data works', async () => {
    const setup = await daemonSetup('server-2.properties');
    const pid = await startDaemon(setup);
    sh(`ps aux | grep '${setup.props}' | grep -v grep | awk '{print $2}' | xargs kill -9`);
    await exitOf(pid);
    const stop = await runCli('kafka-server-stop', [], { env: setup.env });
    expect(stop.stdout).toBe('No kafka server to stop\n');
    expect(stop.code).toBe(1);
    const again = await startDaemon(setup);
    expect(again).not.toBe(pid);
    expect(pidsOf(sh(`ps -ef | grep kafka.Kafka | grep '${setup.props}' | grep -v grep | awk '{print $2}'`))).toEqual([again]);
    expect((await runCli('kafka-server-stop', [], { env: setup.env })).code).toBe(0);
  });

  it('a foreground broker from bin/kafka-server-start.sh carries kafka.Kafka <properties file> too', async () => {
    const broker = await startTestBroker();
    try {
      const pid = broker.process.pid ?? 0;
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(cmdline.slice(-2)).toEqual(['kafka.Kafka', path.join(path.dirname(broker.logDir), 'server.properties')]);
      expect(pidsOf(sh("ps -ef | grep kafka.Kafka | grep -v grep | awk '{print $2}'"))).toContain(pid);
    } finally {
      expect(await broker.stop()).toBe(0);
    }
  });

  it('a broker started through the node shim rewrites its title to carry kafka.Kafka <properties file>', async () => {
    const setup = await daemonSetup('server-3.properties');
    const broker = spawn(path.join(BIN_DIR, 'kafka-server-start'), [setup.props], { env: { ...process.env, ...setup.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    broker.stdout.on('data', (c: Buffer) => (output += c.toString()));
    while (!output.includes('started; listening on')) {
      if (broker.exitCode !== null) throw new Error(`broker exited: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = broker.pid ?? 0;
    started.push(pid);
    expect(pidsOf(sh(`ps -ef | grep kafka.Kafka | grep '${setup.props}' | grep -v grep | awk '{print $2}'`))).toEqual([pid]);
    const exited = new Promise<number | null>((resolve) => broker.once('exit', resolve));
    sh(`kill ${pid}`);
    expect(await exited).toBe(0);
    expect(output).toContain('shut down completed');
  });
});

describe('a failed -daemon start says why, in its own words', () => {
  it('shows only this start\'s reason, not lines another broker wrote to the shared logs/', async () => {
    const first = await daemonSetup();
    await startDaemon(first);
    // the shared LOG_DIR already holds the running broker's lines, and more from elsewhere
    const serverLog = path.join(first.env.LOG_DIR, 'server.log');
    fs.appendFileSync(serverLog, '[2026-01-01 00:00:00,000] INFO [GroupCoordinator 1]: another broker was here (kafka.coordinator.group.GroupCoordinator)\n');
    const second = path.join(first.base, 'server-2.properties');
    fs.writeFileSync(second, `broker.id=2\nlisteners=PLAINTEXT://127.0.0.1:${first.port}\nlog.dirs=${path.join(first.base, 'data-2')}\n`);
    const result = await runCli('kafka-server-start', ['-daemon', second], { env: first.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`port ${first.port} is already in use (listeners=PLAINTEXT://127.0.0.1:${first.port}): stop the other broker (kafka-server-stop) or change listeners in ${second}\n`);
    // the failure is in the shared server.log too, after the other broker's lines
    expect(fs.readFileSync(serverLog, 'utf8').trimEnd().split('\n').at(-1)).toContain(`ERROR Fatal error during KafkaServer startup: port ${first.port} is already in use`);
    expect((await runCli('kafka-server-stop', [], { env: first.env })).code).toBe(0);
  });

  it('says in one line when LOG_DIR cannot be used', async () => {
    const setup = await daemonSetup();
    const file = path.join(setup.base, 'not-a-dir');
    fs.writeFileSync(file, '');
    const result = await runCli('kafka-server-start', ['-daemon', setup.props], { env: { ...setup.env, LOG_DIR: file } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`the log directory ${file} (LOG_DIR) is a file, not a directory: set LOG_DIR to a directory you can write (a directory, existing or not), or move the file away\n`);
  });
});

describe('startup errors name the setting the user wrote', () => {
  it('host.name (no listeners) that is not this machine: names host.name, not listeners', async () => {
    const base = tempDir('kafka-ts-e2e-hostname');
    const props = path.join(base, 'server.properties');
    fs.writeFileSync(props, `broker.id=0\nhost.name=master.invalid\nport=${await freePort()}\nlog.dirs=${path.join(base, 'data')}\n`);
    const result = await runCli('kafka-server-start', [props], { env: { KAFKA_TS_RUN_DIR: path.join(base, 'run') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`cannot listen on host.name=master.invalid: master.invalid does not resolve to an address of this machine; change host.name in ${props} (empty means every interface)\n`);
  });

  it('port (no listeners) already in use: names port', async () => {
    const setup = await daemonSetup();
    await startDaemon(setup);
    const props = path.join(setup.base, 'legacy.properties');
    fs.writeFileSync(props, `port=${setup.port}\nhost.name=127.0.0.1\nlog.dirs=${path.join(setup.base, 'data-legacy')}\n`);
    const result = await runCli('kafka-server-start', [props], { env: setup.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`port ${setup.port} is already in use (port=${setup.port}): stop the other broker (kafka-server-stop) or change port in ${props}\n`);
    expect((await runCli('kafka-server-stop', [], { env: setup.env })).code).toBe(0);
  });

  it('log.dirs pointing at a regular file: one line, in the terminal also with -daemon', async () => {
    const base = tempDir('kafka-ts-e2e-logdirs');
    const file = path.join(base, 'kafka-logs');
    fs.writeFileSync(file, 'not a directory\n');
    const props = path.join(base, 'server.properties');
    fs.writeFileSync(props, `listeners=PLAINTEXT://127.0.0.1:${await freePort()}\nlog.dirs=${file}\n`);
    const env = { KAFKA_TS_RUN_DIR: path.join(base, 'run'), LOG_DIR: path.join(base, 'logs') };
    const expected = `log.dirs ${file} is a file, not a directory: change log.dirs in ${props} (a directory, existing or not), or move the file away\n`;
    for (const args of [[props], ['-daemon', props]]) {
      const result = await runCli('kafka-server-start', args, { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(expected);
    }
    const below = await runCli('kafka-server-start', ['--override', `log.dir=${file}/data`, '--override', `listeners=PLAINTEXT://127.0.0.1:0`], { env });
    expect(below.stderr).toBe(`log.dir ${file}/data cannot be created: ${file} is a file, not a directory; pass another value in --override log.dir=…\n`);
  });

  it('a properties file that is missing or a directory: one line saying what to give instead', async () => {
    const base = tempDir('kafka-ts-e2e-props');
    const missing = await runCli('kafka-server-start', [path.join(base, 'server.properties')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`Cannot read server properties file ${path.join(base, 'server.properties')}: no such file; give the path of an existing file (the stock one is config/server.properties), or none for the embedded defaults\n`);
    const dir = await runCli('kafka-server-start', ['-daemon', base]);
    expect(dir.stderr).toBe(`Cannot read server properties file ${base}: it is a directory; give the properties file inside it (e.g. server.properties)\n`);
  });
});
