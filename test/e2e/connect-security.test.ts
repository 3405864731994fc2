/**
 * Kafka Connect against a secured broker (issue 11): connect-standalone with a worker
 * file that sets security.protocol=SASL_PLAINTEXT, sasl.mechanism and sasl.jaas.config
 * streams a file line through the broker (source task producer → topic → sink task
 * consumer), and the prefixed overrides (consumer.sasl.jaas.config) reach their client:
 * a wrong password there stops the sink while the source still produces. connect-distributed
 * with the same keys creates its internal topics, joins its group and runs a connector created
 * over REST (its internal-topic readers and group client are our network client, not kafkajs).
 * Over an SSL listener, the worker's ssl.truststore.* settings carry a line through too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readIfExists as read, spawnConnectWorker, type ConnectWorker } from '../helpers/connect.js';
import { freePort, requireBuiltBroker, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';
import { recordSkip } from '../helpers/skips.js';
import { hasOpenssl, makeCerts } from '../broker/security/certs.js';

await requireBuiltBroker();
if (!hasOpenssl) recordSkip({ suite: 'Kafka Connect over SSL', reason: 'openssl is not installed', package: 'openssl', install: 'apt-get install openssl' });

const plain = (user: string, password: string): string => `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${password}";`;

const writeProps = (file: string, props: Record<string, string>): void => {
  fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
};

describe('Kafka Connect workers against a SASL_PLAINTEXT broker', () => {
  let broker: TestBroker;
  let dir: string;
  let adminConfig: string;
  let worker: ConnectWorker | undefined;

  beforeAll(async () => {
    const port = await freePort();
    broker = await startTestBroker({
      listeners: `SASL_PLAINTEXT://127.0.0.1:${port}`,
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_connect="connect-secret";',
    }).then((b) => ({ ...b, bootstrap: `127.0.0.1:${port}` }));
    dir = tempDir('connect-sasl');
    adminConfig = path.join(dir, 'admin.properties');
    writeProps(adminConfig, { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': plain('admin', 'admin-secret') });
  }, 60_000);

  afterEach(async () => {
    if (worker && worker.process.exitCode === null) {
      worker.process.kill('SIGTERM');
      await worker.exited;
    }
    worker = undefined;
  });

  afterAll(async () => {
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A worker file for this broker with `extra` keys, and the stock file source and sink on `topic`, in their own directory. */
  async function setUp(name: string, topic: string, extra: Record<string, string>): Promise<{ cwd: string; args: string[] }> {
    const cwd = path.join(dir, name);
    fs.mkdirSync(cwd);
    writeProps(path.join(cwd, 'worker.properties'), {
      'bootstrap.servers': broker.bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': path.join(cwd, 'connect.offsets'),
      'offset.flush.interval.ms': '1000',
      listeners: `http://127.0.0.1:${await freePort()}`,
      ...extra,
    });
    writeProps(path.join(cwd, 'source.properties'), { name: `${name}-source`, 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: 'in.txt', topic });
    writeProps(path.join(cwd, 'sink.properties'), { name: `${name}-sink`, 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: 'out.txt', topics: topic });
    return { cwd, args: ['worker.properties', 'source.properties', 'sink.properties'] };
  }

  it('the broker refuses a plain connection (so the worker cannot pass by ignoring security)', async () => {
    const plainList = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--list'], { timeoutMs: 20_000 });
    expect(plainList.code).not.toBe(0);
  });

  it('streams a line from the source file through the topic into the sink file with the worker\'s sasl.* settings', async () => {
    const { cwd, args } = await setUp('worker-level', 'sasl-lines', { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': plain('connect', 'connect-secret') });
    fs.writeFileSync(path.join(cwd, 'in.txt'), 'through SASL\n');
    worker = spawnConnectWorker(cwd, args);
    const w = worker;
    await eventually('the line in out.txt', () => read(path.join(cwd, 'out.txt')) === 'through SASL\n', () => w.output());
    expect(w.output()).toMatch(/Kafka cluster ID: /);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--consumer.config', adminConfig, '--topic', 'sasl-lines', '--from-beginning', '--max-messages', '1']);
    expect(consumed.stdout).toBe('through SASL\n');
    expect(w.output()).not.toContain('connect-secret');
  });

  it('applies consumer.-prefixed overrides to the sink task\'s consumer only', async () => {
    const { cwd, args } = await setUp('prefixed', 'sasl-prefixed', {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': plain('connect', 'connect-secret'),
      // Kafka's documented layout repeats the keys per client; here the consumer's password is wrong
      'producer.security.protocol': 'SASL_PLAINTEXT',
      'producer.sasl.mechanism': 'PLAIN',
      'producer.sasl.jaas.config': plain('connect', 'connect-secret'),
      'consumer.sasl.jaas.config': plain('connect', 'wrong-password'),
    });
    fs.writeFileSync(path.join(cwd, 'in.txt'), 'only the source gets this far\n');
    worker = spawnConnectWorker(cwd, args);
    const w = worker;
    // the source task's producer (producer.* keys) delivers the line to the topic ...
    await eventually('the line in sasl-prefixed', async () => {
      const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--consumer.config', adminConfig, '--topic', 'sasl-prefixed', '--from-beginning', '--max-messages', '1', '--timeout-ms', '3000']);
      return consumed.stdout === 'only the source gets this far\n';
    }, () => w.output());
    // ... while the sink task's consumer, with consumer.sasl.jaas.config's wrong password, is refused
    await eventually('the sink task refused', () => /ERROR WorkerSinkTask\{id=prefixed-sink-0\} .*SASL PLAIN authentication failed/.test(w.output()), () => w.output());
    expect(read(path.join(cwd, 'out.txt'))).toBe('');
    expect(w.output()).not.toContain('wrong-password');
  });

  it('runs connect-distributed with the worker\'s sasl.* settings: internal topics, group, and a connector created over REST', async () => {
    const cwd = path.join(dir, 'distributed');
    fs.mkdirSync(cwd);
    const restPort = await freePort();
    writeProps(path.join(cwd, 'worker.properties'), {
      'bootstrap.servers': broker.bootstrap,
      'group.id': 'sasl-connect-cluster',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'config.storage.topic': 'sasl-connect-configs',
      'offset.storage.topic': 'sasl-connect-offsets',
      'status.storage.topic': 'sasl-connect-status',
      'config.storage.replication.factor': '1',
      'offset.storage.replication.factor': '1',
      'status.storage.replication.factor': '1',
      'offset.flush.interval.ms': '500',
      listeners: `http://127.0.0.1:${restPort}`,
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': plain('connect', 'connect-secret'),
    });
    fs.writeFileSync(path.join(cwd, 'in.txt'), 'distributed through SASL\n');
    const started = spawnConnectWorker(cwd, ['worker.properties'], 'connect-distributed.sh');
    worker = started;
    const output = (): string => started.output();
    await eventually('the worker to join its group', () => /Joined group at generation \d+/.test(output()), output);
    const post = async (body: unknown): Promise<number> => (await fetch(`http://127.0.0.1:${restPort}/connectors`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status;
    expect(await post({ name: 'dist-source', config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: 'in.txt', topic: 'sasl-dist' } })).toBe(201);
    expect(await post({ name: 'dist-sink', config: { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: 'out.txt', topics: 'sasl-dist' } })).toBe(201);
    await eventually('the line in out.txt', () => read(path.join(cwd, 'out.txt')) === 'distributed through SASL\n', output);
    const topics = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--command-config', adminConfig, '--list']);
    expect(topics.stdout.split('\n')).toEqual(expect.arrayContaining(['sasl-connect-configs', 'sasl-connect-offsets', 'sasl-connect-status', 'sasl-dist']));
  });
});

describe.skipIf(!hasOpenssl)('connect-standalone against an SSL broker', () => {
  let broker: TestBroker;
  let dir: string;
  let worker: ConnectWorker | undefined;

  afterAll(async () => {
    if (worker && worker.process.exitCode === null) {
      worker.process.kill('SIGTERM');
      await worker.exited;
    }
    await broker?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('streams a line through with the worker\'s ssl.truststore.* settings', async () => {
    const certs = makeCerts();
    dir = certs.dir;
    const port = await freePort();
    broker = await startTestBroker({
      listeners: `SSL://127.0.0.1:${port}`,
      'advertised.listeners': `SSL://localhost:${port}`,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverKeystorePem,
    }).then((b) => ({ ...b, bootstrap: `localhost:${port}` }));
    const cwd = path.join(dir, 'ssl-worker');
    fs.mkdirSync(cwd);
    writeProps(path.join(cwd, 'worker.properties'), {
      'bootstrap.servers': broker.bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': path.join(cwd, 'connect.offsets'),
      listeners: `http://127.0.0.1:${await freePort()}`,
      'security.protocol': 'SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': certs.caPem,
    });
    writeProps(path.join(cwd, 'source.properties'), { name: 'ssl-source', 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: 'in.txt', topic: 'ssl-lines' });
    writeProps(path.join(cwd, 'sink.properties'), { name: 'ssl-sink', 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: 'out.txt', topics: 'ssl-lines' });
    fs.writeFileSync(path.join(cwd, 'in.txt'), 'through TLS\n');
    worker = spawnConnectWorker(cwd, ['worker.properties', 'source.properties', 'sink.properties']);
    const w = worker;
    await eventually('the line in out.txt', () => read(path.join(cwd, 'out.txt')) === 'through TLS\n', () => w.output());
  });
});
