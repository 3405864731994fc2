/**
 * A secured broker driven only through bin/ commands: one SASL_SSL listener (PEM key
 * store from a throw-away CA), PLAIN for the admin, SCRAM-SHA-256 users created with
 * `kafka-configs --entity-type users`, the ACL authorizer with `kafka-acls`
 * add/list/remove (Kafka's output blocks), console producer and consumer with
 * --producer.config / --consumer.config, and SCRAM credentials that still authenticate
 * after a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBuiltBroker, runCli, startTestBroker, type TestBroker } from '../helpers/cli.js';
import { recordSkip } from '../helpers/skips.js';
import { hasOpenssl, makeCerts, type TestCerts } from '../broker/security/certs.js';

await requireBuiltBroker();
if (!hasOpenssl) recordSkip({ suite: 'security CLI e2e', reason: 'openssl is not installed', package: 'openssl', install: 'apt-get install openssl' });

let certs: TestCerts;
let broker: TestBroker;
let bootstrap: string;
let dir: string;
let serverProps: Record<string, string>;

function clientFile(name: string, props: Record<string, string>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return file;
}

const tlsProps = (): Record<string, string> => ({ 'security.protocol': 'SASL_SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': certs.caPem });
let adminConfig: string;
let aliceConfig: string;
let aliceWrong: string;

describe.skipIf(!hasOpenssl)('security through the CLI', () => {
  beforeAll(async () => {
    certs = makeCerts();
    dir = certs.dir;
    const port = await freePort();
    bootstrap = `localhost:${port}`;
    serverProps = {
      listeners: `SASL_SSL://127.0.0.1:${port}`,
      'advertised.listeners': `SASL_SSL://localhost:${port}`,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverKeystorePem,
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
    };
    broker = await startTestBroker(serverProps);
    adminConfig = clientFile('admin.properties', { ...tlsProps(), 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";' });
    aliceConfig = clientFile('alice.properties', { ...tlsProps(), 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";' });
    aliceWrong = clientFile('alice-wrong.properties', { ...tlsProps(), 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="nope";' });
  }, 60_000);
  afterAll(async () => {
    await broker?.stop();
  });

  it('creates and describes SCRAM users with kafka-configs, never echoing the password', async () => {
    const add = await runCli('kafka-configs', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--alter', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]', '--entity-type', 'users', '--entity-name', 'alice']);
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('Completed updating config for user alice.\n');
    const describe = await runCli('kafka-configs', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--describe', '--entity-type', 'users']);
    expect(describe.stdout, describe.stderr + broker.output().slice(-3000)).toBe("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n");
    const tooFew = await runCli('kafka-configs', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--alter', '--add-config', 'SCRAM-SHA-256=[iterations=10,password=bob-secret]', '--entity-type', 'users', '--entity-name', 'bob']);
    expect(tooFew.code).toBe(1);
    expect(tooFew.stderr).toMatch(/Too few iterations/);
    expect(tooFew.stderr).not.toContain('bob-secret');
    expect(broker.output()).not.toMatch(/alice-secret|admin-secret|bob-secret/);
  });

  it('refuses alice before the ACLs, then lets her produce and consume after kafka-acls --add', async () => {
    expect((await runCli('kafka-topics', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--create', '--topic', 'secured'])).stdout).toBe('Created topic secured.\n');
    const denied = await runCli('kafka-console-producer', ['--bootstrap-server', bootstrap, '--producer.config', aliceConfig, '--topic', 'secured'], { input: 'nope\n' });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/TOPIC_AUTHORIZATION_FAILED/);

    const block = (head: string, name: string, type: string, entries: string[]): string =>
      `${head} for resource \`ResourcePattern(resourceType=${type}, name=${name}, patternType=LITERAL)\`: \n ${entries.map((e) => `\t(principal=User:alice, host=*, operation=${e}, permissionType=ALLOW)`).join('\n')} \n\n`;
    const added = await runCli('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Describe', '--topic', 'secured', '--group', 'g']);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe(
      block('Adding ACLs', 'secured', 'TOPIC', ['READ', 'DESCRIBE']) + block('Adding ACLs', 'g', 'GROUP', ['READ', 'DESCRIBE']) +
      block('Current ACLs', 'secured', 'TOPIC', ['READ', 'DESCRIBE']) + block('Current ACLs', 'g', 'GROUP', ['READ', 'DESCRIBE']),
    );
    const producerAcls = await runCli('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--add', '--producer', '--topic', 'secured', '--allow-principal', 'User:alice']);
    expect(producerAcls.stdout).toBe(block('Adding ACLs', 'secured', 'TOPIC', ['WRITE', 'CREATE', 'DESCRIBE']) + block('Current ACLs', 'secured', 'TOPIC', ['READ', 'DESCRIBE', 'WRITE', 'CREATE']));

    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', bootstrap, '--producer.config', aliceConfig, '--topic', 'secured'], { input: 'hello\nsecure\n' });
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', bootstrap, '--consumer.config', aliceConfig, '--topic', 'secured', '--group', 'g', '--from-beginning', '--max-messages', '2']);
    expect(consumed.stdout, consumed.stderr).toBe('hello\nsecure\n');

    // the tools that talk to brokers directly (topic ids, the group coordinator) use the same settings
    const described = await runCli('kafka-topics', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--describe', '--topic', 'secured']);
    expect(described.stdout, described.stderr).toMatch(/^Topic: secured\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 1/);
    const groups = await runCli('kafka-consumer-groups', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--describe', '--group', 'g']);
    expect(groups.stdout, groups.stderr).toMatch(/\ng +secured +0 +2 +2 +0 /);

    const listed = await runCli('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--list', '--group', 'g']);
    expect(listed.stdout, listed.stderr).toBe(block('Current ACLs', 'g', 'GROUP', ['READ', 'DESCRIBE']));
    const removed = await runCli('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--remove', '--allow-principal', 'User:alice', '--operation', 'Describe', '--group', 'g', '--force']);
    expect(removed.stdout, removed.stderr).toBe(block('Current ACLs', 'g', 'GROUP', ['READ']));
    const declined = await runCli('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--remove', '--group', 'g'], { input: 'n\n' });
    expect(declined.stdout).toBe('Are you sure you want to delete all ACLs for resource filter `ResourcePattern(resourceType=GROUP, name=g, patternType=LITERAL)`? (y/n)\n' + block('Current ACLs', 'g', 'GROUP', ['READ']));
    const bad = await runCli('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--add', '--allow-principal', 'alice', '--operation', 'Read', '--topic', 'secured']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Error while executing ACL command: expected a string in format principalType:principalName but got alice/);
  });

  it('keeps SCRAM users and ACLs across a restart, and refuses a wrong password in one line', async () => {
    // stop() would remove the data; a plain SIGTERM keeps it for the restart
    const exited = new Promise<number | null>((resolve) => broker.process.once('exit', resolve));
    broker.process.kill('SIGTERM');
    expect(await exited).toBe(0);
    broker = await startTestBroker({ ...serverProps, 'log.dirs': broker.logDir });
    const users = await runCli('kafka-configs', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--describe', '--entity-type', 'users']);
    expect(users.stdout, users.stderr + broker.output()).toBe("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n");
    // group g committed past both records before the restart: read from the start with a fresh console-consumer-NNNNN group
    const prefixed = await runCli('kafka-acls', ['--bootstrap-server', bootstrap, '--command-config', adminConfig, '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--group', 'console-consumer-', '--resource-pattern-type', 'prefixed']);
    expect(prefixed.stdout).toContain('Adding ACLs for resource `ResourcePattern(resourceType=GROUP, name=console-consumer-, patternType=PREFIXED)`: \n \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW) \n\n');
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', bootstrap, '--consumer.config', aliceConfig, '--topic', 'secured', '--from-beginning', '--max-messages', '2', '--timeout-ms', '10000']);
    expect(consumed.stdout, consumed.stderr).toBe('hello\nsecure\n');
    const wrong = await runCli('kafka-topics', ['--bootstrap-server', bootstrap, '--command-config', aliceWrong, '--list']);
    expect(wrong.code).toBe(1);
    // kafka-topics prints its errors on stdout, as Kafka's TopicCommand does: one line
    const said = wrong.stdout + wrong.stderr;
    expect(said.trim().split('\n')).toHaveLength(1);
    expect(said).toMatch(/authentication with the broker at localhost:\d+ failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256\. Check sasl.mechanism/);
    expect(said).not.toContain('nope');
  });

  it('refuses to start on an unreadable key store or a JKS file, in one line naming the key', async () => {
    const start = async (extra: Record<string, string>): Promise<{ code: number | null; said: string }> => {
      const file = clientFile('bad-server.properties', { ...serverProps, listeners: `SASL_SSL://127.0.0.1:${await freePort()}`, 'log.dirs': path.join(dir, 'bad-data'), ...extra });
      const result = await runCli('kafka-server-start', [file], { env: { KAFKA_TS_RUN_DIR: path.join(dir, 'bad-run') } });
      return { code: result.code, said: (result.stdout + result.stderr).trim() };
    };
    const missing = await start({ 'ssl.keystore.location': path.join(dir, 'missing.pem') });
    expect(missing.code).not.toBe(0);
    expect(missing.said).toBe(`Cannot read ssl.keystore.location ${path.join(dir, 'missing.pem')}: no such file`);
    const jks = path.join(dir, 'server.keystore.jks');
    fs.writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    const old = await start({ 'ssl.keystore.location': jks, 'ssl.keystore.type': 'JKS', 'ssl.keystore.password': 'store-secret' });
    expect(old.code).not.toBe(0);
    expect(old.said.split('\n')).toHaveLength(1);
    expect(old.said).toMatch(/is a JKS keystore, which this broker cannot read: convert it with keytool -importkeystore/);
    expect(old.said).not.toContain('store-secret');
  });
});

