/**
 * End-to-end: the SysV init script of tutorial seed 002 ("配置服务启动脚本"),
 * written for Java Kafka, runs unchanged against our broker: `start` (nohup
 * kafka-server-start.sh in the foreground), `status` and `stop` / `hardstop`
 * (which find Kafka with `ps -ef | grep kafka.Kafka | grep -v grep` and
 * `kill -9` it), for a broker it started and for one started with -daemon.
 * Only paths and ports are adapted; the RHEL-only `source
 * /etc/rc.d/init.d/functions` (none of its functions is used) is left out.
 *
 * `stop` kills every kafka.Kafka process it sees, so the script runs in a PID
 * namespace of its own (unshare, as root; the script itself calls
 * /sbin/runuser, which needs root) where it sees only this test's brokers. As
 * root without namespaces, a `ps` early in PATH shows the script only the
 * processes under this test's KAFKA_HOME instead. Not root: skipped, recorded.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuiltBroker, BIN_DIR, freePort, tempDir } from '../helpers/cli.js';
import { recordSkip } from '../helpers/skips.js';

await requireBuiltBroker();
const isRoot = process.getuid?.() === 0;
const hasPidNamespace = isRoot && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
const runnable = isRoot && fs.existsSync('/sbin/runuser');
if (!runnable) {
  recordSkip({ suite: 'seed 002 init script (e2e)', reason: 'needs root and /sbin/runuser, as the tutorial script runs them', package: 'util-linux (run the tests as root)' });
}

/** Seed 002's init script; KAFKA_HOME and LOG_DIR are this test's. */
function initScript(kafkaHome: string, logDir: string): string {
  return `#!/bin/sh
KAFKA_HOME=${kafkaHome}
KAFKA_USER=root
export LOG_DIR=${logDir}
[ -e /etc/sysconfig/kafka ] && . /etc/sysconfig/kafka
case "$1" in
  start)
    echo -n "Starting Kafka:"
    /sbin/runuser -s /bin/sh $KAFKA_USER -c "nohup $KAFKA_HOME/bin/kafka-server-start.sh $KAFKA_HOME/config/server.properties > $LOG_DIR/server.out 2> $LOG_DIR/server.err &"
    echo " done."
    exit 0
    ;;
  stop)
    echo -n "Stopping Kafka: "
    /sbin/runuser -s /bin/sh $KAFKA_USER  -c "ps -ef | grep kafka.Kafka | grep -v grep | awk '{print \\$2}' | xargs kill \\-9"
    echo " done."
    exit 0
    ;;
  hardstop)
    echo -n "Stopping (hard) Kafka: "
    /sbin/runuser -s /bin/sh $KAFKA_USER  -c "ps -ef | grep kafka.Kafka | grep -v grep | awk '{print \\$2}' | xargs kill -9"
    echo " done."
    exit 0
    ;;
  status)
    c_pid=\`ps -ef | grep kafka.Kafka | grep -v grep | awk '{print $2}'\`
    if [ "$c_pid" = "" ] ; then
      echo "Stopped"
      exit 3
    else
      echo "Running $c_pid"
      exit 0
    fi
    ;;
  restart)
    stop
    start
    ;;
  *)
    echo "Usage: kafka {start|stop|hardstop|status|restart}"
    exit 1
    ;;
esac
`;
}

/**
 * The test's side of the session, as a user would type it: start with the
 * script, status, stop, status; then a broker from `kafka-server-start.sh
 * -daemon`, status, hardstop, status. Prints `== step` headers, the script's
 * output and `rc=N`, and the pids `ps -ef | grep kafka.Kafka` finds.
 */
const SESSION = `
INIT=$1
started() { i=0; until grep -q 'started; listening on' "$1" 2>/dev/null; do i=$((i+1)); if [ $i -gt 600 ]; then echo "never started:"; cat "$1" "$2"; exit 1; fi; sleep 0.1; done; }
stopped() { while ps -ef | grep kafka.Kafka | grep -v grep >/dev/null; do sleep 0.1; done; }
echo "== start"; sh "$INIT" start; echo "rc=$?"
started "$LOG_DIR/server.out" "$LOG_DIR/server.err"
echo "== pids"; ps -ef | grep kafka.Kafka | grep -v grep | awk '{print $2}'
echo "== status"; sh "$INIT" status; echo "rc=$?"
echo "== stop"; sh "$INIT" stop; echo "rc=$?"
stopped
echo "== status"; sh "$INIT" status; echo "rc=$?"
echo "== daemon"; "$KAFKA_HOME/bin/kafka-server-start.sh" -daemon "$KAFKA_HOME/config/server-1.properties" >/dev/null; echo "rc=$?"
echo "== pids"; ps -ef | grep kafka.Kafka | grep -v grep | awk '{print $2}'
echo "== status"; sh "$INIT" status; echo "rc=$?"
echo "== hardstop"; sh "$INIT" hardstop; echo "rc=$?"
stopped
echo "== status"; sh "$INIT" status; echo "rc=$?"
`;

/** The session's output split into its steps: [name, lines][]. */
function steps(output: string): [string, string[]][] {
  const result: [string, string[]][] = [];
  for (const line of output.split('\n')) {
    const header = /^== (\w+)$/.exec(line);
    if (header) result.push([header[1], []]);
    else if (line !== '' && result.length > 0) result[result.length - 1][1].push(line);
  }
  return result;
}

describe.skipIf(!runnable)('seed 002 init script against our broker', () => {
  it('start, status, stop, status; -daemon, status, hardstop, status', async () => {
    const base = tempDir('kafka-ts-e2e-seed002');
    const kafkaHome = path.join(base, 'kafka');
    const logDir = path.join(base, 'kafka-logs');
    fs.mkdirSync(path.join(kafkaHome, 'config'), { recursive: true });
    fs.mkdirSync(logDir);
    fs.symlinkSync(BIN_DIR, path.join(kafkaHome, 'bin'));
    const [port, port1] = [await freePort(), await freePort()];
    fs.writeFileSync(path.join(kafkaHome, 'config', 'server.properties'), `broker.id=0\nlisteners=PLAINTEXT://127.0.0.1:${port}\nlog.dirs=${path.join(base, 'data-0')}\n`);
    fs.writeFileSync(path.join(kafkaHome, 'config', 'server-1.properties'), `broker.id=1\nlisteners=PLAINTEXT://127.0.0.1:${port1}\nlog.dirs=${path.join(base, 'data-1')}\n`);
    const init = path.join(base, 'init.d', 'kafka');
    fs.mkdirSync(path.dirname(init));
    fs.writeFileSync(init, initScript(kafkaHome, logDir), { mode: 0o755 });
    const session = path.join(base, 'session.sh');
    fs.writeFileSync(session, SESSION);

    const env: Record<string, string> = { ...process.env as Record<string, string>, KAFKA_HOME: kafkaHome, LOG_DIR: logDir, KAFKA_TS_RUN_DIR: path.join(base, 'run') };
    let command = 'unshare';
    let args = ['--pid', '--fork', '--mount-proc', 'sh', session, init];
    if (!hasPidNamespace) {
      // no namespace: a ps that lists only processes under this KAFKA_HOME, so stop cannot touch other brokers
      const fakeBin = path.join(base, 'fakebin');
      fs.mkdirSync(fakeBin);
      const realPs = spawnSync('sh', ['-c', 'command -v ps'], { encoding: 'utf8' }).stdout.trim();
      fs.writeFileSync(path.join(fakeBin, 'ps'), `#!/bin/sh\n${realPs} "$@" | awk 'NR == 1 || index($0, "${kafkaHome}/")'\n`, { mode: 0o755 });
      env.PATH = `${fakeBin}:${env.PATH}`;
      command = 'sh';
      args = [session, init];
    }
    const output = await new Promise<string>((resolve, reject) => {
      execFile(command, args, { env, timeout: 90_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout)));
    });

    const s = steps(output);
    expect(s.map(([name]) => name)).toEqual(['start', 'pids', 'status', 'stop', 'status', 'daemon', 'pids', 'status', 'hardstop', 'status']);
    const [start, pids, status, stop, stoppedStatus, daemon, daemonPids, daemonStatus, hardstop, finalStatus] = s.map(([, lines]) => lines);
    expect(start).toEqual(['Starting Kafka: done.', 'rc=0']);
    // exactly one broker process matches (not the shim, not a parent)
    expect(pids).toHaveLength(1);
    expect(status).toEqual([`Running ${pids[0]}`, 'rc=0']);
    expect(stop).toEqual(['Stopping Kafka:  done.', 'rc=0']);
    expect(stoppedStatus).toEqual(['Stopped', 'rc=3']);
    expect(daemon).toEqual(['rc=0']);
    expect(daemonPids).toHaveLength(1);
    expect(daemonStatus).toEqual([`Running ${daemonPids[0]}`, 'rc=0']);
    expect(hardstop).toEqual(['Stopping (hard) Kafka:  done.', 'rc=0']);
    expect(finalStatus).toEqual(['Stopped', 'rc=3']);
    // the first broker really served: it logged its start, and the script's redirect caught it
    expect(fs.readFileSync(path.join(logDir, 'server.out'), 'utf8')).toContain(`listening on PLAINTEXT://127.0.0.1:${port}`);
    fs.rmSync(base, { recursive: true, force: true });
  });
});
