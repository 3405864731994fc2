/**
 * The committed completion scripts in the real shells: each loads without error
 * output and completes a topic name asked from a running broker (the one named
 * on the line being completed, with the line's --command-config for a SASL broker),
 * and offers nothing, silently, when no broker answers there.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, freePort, REPO_ROOT, requireBuiltBroker, runCli, startTestBroker, type TestBroker } from '../helpers/cli.js';
import { recordSkip } from '../helpers/skips.js';

const COMPLETIONS = path.join(REPO_ROOT, 'completions');
// the scripts call our own kafka-topics / kafka-consumer-groups by name, as an installed toolkit would
// (and may take longer than the scripts' 3 s on a loaded test machine)
const ENV = { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`, NO_COLOR: '1', KAFKA_TS_COMPLETION_TIMEOUT: '30' };

function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}
const hasZsh = hasShell('zsh');
const hasFish = hasShell('fish');
if (!hasZsh) recordSkip({ suite: 'zsh completion', reason: 'zsh is not installed', package: 'zsh', install: 'apt-get install zsh' });
if (!hasFish) recordSkip({ suite: 'fish completion', reason: 'fish is not installed', package: 'fish', install: 'apt-get install fish' });

function shell(command: string, args: string[], env: Record<string, string> = {}): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, env: { ...ENV, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** bash: the completion function run as bash runs it, with COMP_WORDS split the way bash splits host:port. */
function bashComplete(fn: string, words: string[]): { stdout: string; stderr: string; status: number | null } {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  return shell('bash', ['-c', `source completions/kafka-ts.bash; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; ${fn}; echo "\${COMPREPLY[@]}"`]);
}

/**
 * zsh: an interactive zsh in a pseudo-terminal (zsh/zpty) with compinit and completions/
 * on $fpath, a line typed ending in TAB; what the completion system lists is read back.
 */
const ZSH_DRIVER = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PROMPT="> "; fpath=($COMPLETIONS $fpath); autoload -U compinit; compinit -u -D'
zpty -w -n z "$LINE"$'\\t'
out=
for i in {1..150}; do
  while zpty -r -t z chunk; do out+=$chunk; done
  [[ $out == *"$WANT"* ]] && break
  sleep 0.2
done
zpty -d z
print -r -- "$out"
`;

describe('completion scripts in bash, zsh and fish', () => {
  let broker: TestBroker;
  let secured: TestBroker;
  let securedConfig: string;
  let nobody: string;

  beforeAll(async () => {
    await requireBuiltBroker();
    broker = await startTestBroker();
    for (const topic of ['orders.v1', 'payments']) {
      const created = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', topic]);
      expect(created.code, created.stderr).toBe(0);
    }
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'payments', '--group', 'billing', '--from-beginning', '--timeout-ms', '1500']);
    expect(consumed.stderr).not.toMatch(/error/i);
    nobody = `127.0.0.1:${await freePort()}`;
    // a SASL_PLAINTEXT broker: its topics are listed only with the client config the line names
    const port = await freePort();
    secured = await startTestBroker({
      listeners: `SASL_PLAINTEXT://127.0.0.1:${port}`,
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";',
    }).then((b) => ({ ...b, bootstrap: `127.0.0.1:${port}` }));
    securedConfig = path.join(secured.runDir, 'admin.properties');
    fs.mkdirSync(secured.runDir, { recursive: true });
    fs.writeFileSync(securedConfig, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n');
    const created = await runCli('kafka-topics', ['--bootstrap-server', secured.bootstrap, '--command-config', securedConfig, '--create', '--topic', 'secret-orders']);
    expect(created.code, created.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
    await secured?.stop();
  });

  it('the committed scripts exist for all three shells', () => {
    for (const file of ['kafka-ts.bash', '_kafka-ts', 'kafka-ts.fish']) expect(fs.existsSync(path.join(COMPLETIONS, file)), file).toBe(true);
  });

  describe('bash', () => {
    it('loads without error output', () => {
      const loaded = shell('bash', ['-c', 'source completions/kafka-ts.bash && complete -p kafka-topics kafka-console-producer.sh']);
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout).toContain('complete -F _kafka_topics kafka-topics');
      expect(loaded.stdout).toContain('complete -F _kafka_console_producer kafka-console-producer.sh');
    });

    it('completes a topic name from the broker given by --bootstrap-server (host:port split as bash splits it)', () => {
      const [host, port] = broker.bootstrap.split(':');
      const r = bashComplete('_kafka_topics', ['kafka-topics', '--bootstrap-server', host, ':', port, '--describe', '--topic', 'ord']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('orders.v1');
      const all = bashComplete('_kafka_topics', ['kafka-topics', `--bootstrap-server=${broker.bootstrap}`, '--describe', '--topic', '']);
      expect(all.stdout.trim().split(' ')).toEqual(expect.arrayContaining(['orders.v1', 'payments']));
    });

    it('every command with --topic completes it, --broker-list names the broker too, and --group completes group ids', () => {
      const producer = bashComplete('_kafka_console_producer', ['kafka-console-producer.sh', '--broker-list', broker.bootstrap, '--topic', 'pay']);
      expect(producer.stdout.trim()).toBe('payments');
      const perf = bashComplete('_kafka_producer_perf_test', ['bin/kafka-producer-perf-test.sh', '--bootstrap-server', broker.bootstrap, '--topic', 'ord']);
      expect(perf.stdout.trim()).toBe('orders.v1');
      const groups = bashComplete('_kafka_consumer_groups', ['kafka-consumer-groups', '--bootstrap-server', broker.bootstrap, '--describe', '--group', '']);
      expect(groups.stdout.trim()).toBe('billing');
    });

    it('asks a secured broker with the --command-config (or --producer.config) the line names', () => {
      const admin = bashComplete('_kafka_topics', ['kafka-topics', '--bootstrap-server', secured.bootstrap, '--command-config', securedConfig, '--describe', '--topic', 'sec']);
      expect(admin.stderr).toBe('');
      expect(admin.stdout.trim()).toBe('secret-orders');
      const producer = bashComplete('_kafka_console_producer', ['kafka-console-producer', '--bootstrap-server', secured.bootstrap, `--producer.config=${securedConfig}`, '--topic', '']);
      expect(producer.stdout.trim()).toBe('secret-orders');
      // without the config the broker does not answer a plain client: nothing, silently
      const refused = bashComplete('_kafka_topics', ['kafka-topics', '--bootstrap-server', secured.bootstrap, '--describe', '--topic', '']);
      expect(refused).toMatchObject({ stdout: '\n', stderr: '' });
    });

    it('offers nothing and prints nothing when no broker answers', () => {
      const r = bashComplete('_kafka_topics', ['kafka-topics', '--bootstrap-server', nobody, '--describe', '--topic', '']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('');
    });
  });

  describe.skipIf(!hasZsh)('zsh', () => {
    it('loads under compinit without error output', () => {
      const loaded = shell('zsh', ['-f', '-c', `fpath=(${COMPLETIONS} $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[kafka-topics] $_comps[kafka-topics.sh]`]);
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout.trim()).toBe('_kafka-ts _kafka-ts');
      const sourced = shell('zsh', ['-f', '-c', 'source completions/_kafka-ts']);
      expect(sourced.stderr).toBe('');
      expect(sourced.status).toBe(0);
    });

    it('lists the broker\'s topic names when TAB is pressed after --topic', () => {
      const r = shell('zsh', ['-f', '-c', ZSH_DRIVER], { COMPLETIONS, LINE: `kafka-topics --bootstrap-server ${broker.bootstrap} --describe --topic `, WANT: 'payments' });
      expect(r.stderr).toBe('');
      // the typed line names neither topic: only the completion listing can
      expect(r.stdout).toContain('orders.v1');
      expect(r.stdout).toContain('payments');
    });

    it('asks a secured broker with the line\'s --command-config', () => {
      const r = shell('zsh', ['-f', '-c', ZSH_DRIVER], { COMPLETIONS, LINE: `kafka-topics --bootstrap-server ${secured.bootstrap} --command-config ${securedConfig} --describe --topic sec`, WANT: 'secret-orders' });
      expect(r.stdout).toContain('--topic secret-orders');
    });

    it('completes a topic prefix in place', () => {
      const r = shell('zsh', ['-f', '-c', ZSH_DRIVER], { COMPLETIONS, LINE: `kafka-console-consumer --bootstrap-server ${broker.bootstrap} --topic ord`, WANT: 'orders.v1' });
      expect(r.stdout).toContain('--topic orders.v1');
    });
  });

  describe.skipIf(!hasFish)('fish', () => {
    function fishComplete(line: string): { stdout: string; stderr: string; status: number | null } {
      return shell('fish', ['--no-config', '-c', `source completions/kafka-ts.fish; complete -C "${line}"`]);
    }

    it('loads without error output', () => {
      const loaded = shell('fish', ['--no-config', '-c', 'source completions/kafka-ts.fish; and complete -C "kafka-topics --desc"']);
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout).toMatch(/^--describe\t/m);
    });

    it('completes a topic name from the broker named on the line', () => {
      const r = fishComplete(`kafka-topics --bootstrap-server ${broker.bootstrap} --describe --topic `);
      expect(r.stderr).toBe('');
      const names = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
      expect(names).toEqual(expect.arrayContaining(['orders.v1', 'payments']));
      const producer = fishComplete(`kafka-console-producer.sh --broker-list ${broker.bootstrap} --topic pay`);
      expect(producer.stdout.split('\t')[0]).toBe('payments');
      const groups = fishComplete(`kafka-consumer-groups --bootstrap-server=${broker.bootstrap} --describe --group `);
      expect(groups.stdout.split('\t')[0]).toBe('billing');
    });

    it('asks a secured broker with the line\'s --command-config', () => {
      const r = fishComplete(`kafka-topics --bootstrap-server ${secured.bootstrap} --command-config ${securedConfig} --describe --topic `);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\t')[0]).toBe('secret-orders');
      // without it the tool fails (its error line on stdout, as Kafka's): nothing offered, nothing printed
      expect(fishComplete(`kafka-topics --bootstrap-server ${secured.bootstrap} --describe --topic `)).toMatchObject({ stdout: '', stderr: '' });
    });

    it('offers nothing and prints nothing when no broker answers', () => {
      const r = fishComplete(`kafka-topics --bootstrap-server ${nobody} --describe --topic `);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('');
    });
  });
});
