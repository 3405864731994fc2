/**
 * End-to-end: seed 002 §6 as typed, with the real bin/connect-standalone.sh and the
 * shipped config/connect-*.properties against a broker from bin/kafka-server-start.sh:
 * test.txt's lines reach connect-test (JsonConverter envelopes) and test.sink.txt,
 * appended lines follow, a REST round trip (create, RUNNING, pause, resume, delete),
 * then SIGTERM + restart: the offsets file holds the position, nothing is re-sent or
 * skipped, and the sink's group committed every record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJavaOffsetsFile } from '../../src/connect/java-offsets-file.js';
import { eventually, readIfExists as read, spawnConnectWorker, type ConnectWorker } from '../helpers/connect.js';
import { REPO_ROOT, freePort, requireBuiltBroker, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

const envelope = (s: string): string => `{"schema":{"type":"string","optional":false},"payload":${JSON.stringify(s)}}`;

describe('connect-standalone (seed 002 §6)', () => {
  let broker: TestBroker;
  let dir: string;
  let restPort: number;
  let worker: ConnectWorker | undefined;
  let args: string[];

  beforeAll(async () => {
    broker = await startTestBroker();
    dir = tempDir('connect-e2e');
    restPort = await freePort();
    // The stock worker file, pointed at this broker, a private offsets file and a free REST port.
    const stock = fs.readFileSync(path.join(REPO_ROOT, 'config', 'connect-standalone.properties'), 'utf8');
    fs.writeFileSync(path.join(dir, 'connect-standalone.properties'), stock
      .replace(/^bootstrap\.servers=.*$/m, `bootstrap.servers=${broker.bootstrap}`)
      .replace(/^offset\.storage\.file\.filename=.*$/m, `offset.storage.file.filename=${path.join(dir, 'connect.offsets')}`) + `listeners=http://127.0.0.1:${restPort}\n`);
    args = ['connect-standalone.properties', path.join(REPO_ROOT, 'config', 'connect-file-source.properties'), path.join(REPO_ROOT, 'config', 'connect-file-sink.properties')];
  });

  afterAll(async () => {
    if (worker && worker.process.exitCode === null) {
      worker.process.kill('SIGKILL');
      await worker.exited;
    }
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rest = async (method: string, p: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const res = await fetch(`http://127.0.0.1:${restPort}${p}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };

  it('streams test.txt into connect-test and test.sink.txt, then follows appended lines', async () => {
    fs.writeFileSync(path.join(dir, 'test.txt'), 'foo\nbar\n'); // echo -e "foo\nbar" > test.txt
    worker = spawnConnectWorker(dir, args);
    const w = worker;
    await eventually('foo and bar in test.sink.txt', () => read(path.join(dir, 'test.sink.txt')) === 'foo\nbar\n', () => w.output());
    expect(w.output()).toMatch(/INFO Kafka Connect started \(org\.apache\.kafka\.connect\.runtime\.Connect\)/);
    expect(w.output()).toMatch(/INFO WorkerSourceTask\{id=local-file-source-0\} Source task finished initialization and start/);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'connect-test', '--from-beginning', '--max-messages', '2']);
    expect(consumed.stdout).toBe(`${envelope('foo')}\n${envelope('bar')}\n`);

    fs.appendFileSync(path.join(dir, 'test.txt'), 'Another line\n');
    await eventually('the appended line in test.sink.txt', () => read(path.join(dir, 'test.sink.txt')) === 'foo\nbar\nAnother line\n', () => w.output());
    const keyed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'connect-test', '--from-beginning', '--max-messages', '3', '--property', 'print.key=true']);
    expect(keyed.stdout).toBe(`null\t${envelope('foo')}\nnull\t${envelope('bar')}\nnull\t${envelope('Another line')}\n`);
  });

  it('creates, pauses, resumes and deletes a connector over REST', async () => {
    const connectors = await rest('GET', '/connectors');
    expect(connectors).toEqual({ status: 200, text: '["local-file-source","local-file-sink"]' });
    const created = await rest('POST', '/connectors', { name: 'sink2', config: { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: 'test.sink2.txt', topics: 'connect-test' } });
    expect(created.status).toBe(201);
    expect(created.text).toBe('{"name":"sink2","config":{"connector.class":"FileStreamSink","tasks.max":"1","file":"test.sink2.txt","topics":"connect-test","name":"sink2"},"tasks":[{"connector":"sink2","task":0}],"type":"sink"}');
    await eventually('sink2 to copy the topic', () => read(path.join(dir, 'test.sink2.txt')) === 'foo\nbar\nAnother line\n');
    const running = await rest('GET', '/connectors/sink2/status');
    expect(running.text).toBe(`{"name":"sink2","connector":{"state":"RUNNING","worker_id":"127.0.0.1:${restPort}"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:${restPort}"}],"type":"sink"}`);

    expect(await rest('PUT', '/connectors/local-file-source/pause')).toEqual({ status: 202, text: '' });
    const paused = JSON.parse((await rest('GET', '/connectors/local-file-source/status')).text);
    expect([paused.connector.state, paused.tasks[0].state]).toEqual(['PAUSED', 'PAUSED']);
    expect(await rest('PUT', '/connectors/local-file-source/resume')).toEqual({ status: 202, text: '' });
    const resumed = JSON.parse((await rest('GET', '/connectors/local-file-source/status')).text);
    expect([resumed.connector.state, resumed.tasks[0].state]).toEqual(['RUNNING', 'RUNNING']);

    // A connector's own converter setting overrides the worker's: StringConverter writes the JSON as it is in the topic
    expect((await rest('POST', '/connectors', { name: 'raw-sink', config: { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', file: 'raw.txt', topics: 'connect-test', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' } })).status).toBe(201);
    await eventually('raw-sink to copy the topic', () => read(path.join(dir, 'raw.txt')).split('\n').length > 3);
    expect(read(path.join(dir, 'raw.txt'))).toBe(`${envelope('foo')}\n${envelope('bar')}\n${envelope('Another line')}\n`);
    expect((await rest('DELETE', '/connectors/raw-sink')).status).toBe(204);

    // Plain JSON (no schema envelope) under schemas.enable=true fails the task, with Kafka's hint in the status
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'plain-text'], { input: '{"greeting":"hello"}\n' });
    expect(produced.code).toBe(0);
    expect((await rest('POST', '/connectors', { name: 'json-sink', config: { 'connector.class': 'FileStreamSink', file: 'json.txt', topics: 'plain-text' } })).status).toBe(201);
    let failed: { tasks: Array<{ state: string; trace?: string }> } = { tasks: [] };
    await eventually('json-sink to fail on plain text', async () => {
      failed = JSON.parse((await rest('GET', '/connectors/json-sink/status')).text);
      return failed.tasks[0]?.state === 'FAILED';
    });
    expect(failed.tasks[0].trace).toMatch(/^org\.apache\.kafka\.connect\.errors\.DataException: JsonConverter with schemas.enable requires "schema" and "payload" fields.*set schemas.enable=false in your converter configuration\.$/);
    expect(read(path.join(dir, 'json.txt'))).toBe('');
    expect((await rest('DELETE', '/connectors/json-sink')).status).toBe(204);

    expect(await rest('DELETE', '/connectors/sink2')).toEqual({ status: 204, text: '' });
    expect(await rest('DELETE', '/connectors/sink2')).toEqual({ status: 404, text: '{"error_code":404,"message":"Connector sink2 not found"}' });
    expect((await rest('GET', '/connectors')).text).toBe('["local-file-source","local-file-sink"]');
  });

  it('stops on SIGTERM with the position in the offsets file, and a restart re-sends nothing and skips nothing', async () => {
    const first = worker as ConnectWorker;
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/INFO Kafka Connect stopped/);
    // 21 = bytes of "foo\nbar\nAnother line\n"
    // Kafka's own file format: a Java-serialized HashMap<byte[],byte[]>
    const stored = readJavaOffsetsFile(fs.readFileSync(path.join(dir, 'connect.offsets')));
    expect(stored.map(([k, v]) => [k.toString(), v?.toString()])).toEqual([['["local-file-source",{"filename":"test.txt"}]', '{"position":21}']]);

    fs.appendFileSync(path.join(dir, 'test.txt'), 'line after stop\n');
    worker = spawnConnectWorker(dir, args);
    const second = worker;
    const sinkFile = path.join(dir, 'test.sink.txt');
    await eventually('the line written while stopped', () => read(sinkFile).includes('line after stop'), () => second.output());
    expect(second.output()).toContain('Found previous offset, trying to skip to file offset 21');
    fs.appendFileSync(path.join(dir, 'test.txt'), 'one more\n');
    await eventually('the line after the restart', () => read(sinkFile).includes('one more'), () => second.output());
    expect(read(sinkFile)).toBe('foo\nbar\nAnother line\nline after stop\none more\n');

    const all = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'connect-test', '--from-beginning', '--timeout-ms', '3000']);
    expect(all.stdout).toBe(['foo', 'bar', 'Another line', 'line after stop', 'one more'].map((l) => `${envelope(l)}\n`).join(''));

    // the sink's group committed past every record it wrote
    await eventually('connect-local-file-sink to commit offset 5', async () => {
      const groups = await runCli('kafka-consumer-groups', ['--bootstrap-server', broker.bootstrap, '--describe', '--group', 'connect-local-file-sink']);
      return /connect-local-file-sink\s+connect-test\s+0\s+5\s+5\s+0\s/.test(groups.stdout);
    });
    // KIP-875's view of both connectors
    expect(await rest('GET', '/connectors/local-file-sink/offsets')).toEqual({ status: 200, text: '{"offsets":[{"partition":{"kafka_topic":"connect-test","kafka_partition":0},"offset":{"kafka_offset":5}}]}' });
    expect((await rest('GET', '/connectors/local-file-source/offsets')).text).toMatch(/^\{"offsets":\[\{"partition":\{"filename":"test\.txt"\},"offset":\{"position":(21|37|46)\}\}\]\}$/);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('names an unknown connector class, a missing file and an unreachable broker in one line', async () => {
    const bad = path.join(dir, 'bad.properties');
    fs.writeFileSync(bad, 'name=bad\nconnector.class=NoSuchConnector\ntopics=x\n');
    const port = await freePort();
    const worker2 = path.join(dir, 'w2.properties');
    fs.writeFileSync(worker2, fs.readFileSync(path.join(dir, 'connect-standalone.properties'), 'utf8').replace(/^listeners=.*$/m, `listeners=http://127.0.0.1:${port}`));
    const unknown = await runCli('connect-standalone', [worker2, bad]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Failed to create connector bad from .*bad\.properties: Failed to find any class that implements Connector and which name matches NoSuchConnector, available connectors are: org\.apache\.kafka\.connect\.file\.FileStreamSinkConnector.*FileStreamSourceConnector.*\n$/);

    const avro = path.join(dir, 'avro.properties');
    fs.writeFileSync(avro, fs.readFileSync(worker2, 'utf8').replace(/^value\.converter=.*$/m, 'value.converter=io.confluent.connect.avro.AvroConverter'));
    const badConverter = await runCli('connect-standalone', [avro]);
    expect(badConverter.code).toBe(1);
    expect(badConverter.stderr).toBe('Invalid value io.confluent.connect.avro.AvroConverter for configuration value.converter: Class io.confluent.connect.avro.AvroConverter could not be found. ' +
      'Known converters: org.apache.kafka.connect.json.JsonConverter, org.apache.kafka.connect.storage.StringConverter, org.apache.kafka.connect.converters.ByteArrayConverter\n');

    const missing = await runCli('connect-standalone', [path.join(dir, 'nope.properties')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`Cannot read worker properties file ${path.join(dir, 'nope.properties')}: no such file\n`);

    const offline = path.join(dir, 'offline.properties');
    fs.writeFileSync(offline, fs.readFileSync(worker2, 'utf8').replace(/^bootstrap\.servers=.*$/m, `bootstrap.servers=127.0.0.1:${await freePort()}`));
    const unreachable = await runCli('connect-standalone', [offline]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^Cannot connect to the Kafka broker at 127\.0\.0\.1:\d+ \(connection refused\)\. .*set bootstrap\.servers in .*offline\.properties\.\n$/);

    // -daemon (as Kafka's script takes it) reports the detached worker's own failure
    const daemon = await runCli('connect-standalone', ['-daemon', offline], { env: { LOG_DIR: path.join(dir, 'logs') } });
    expect(daemon.code).toBe(1);
    expect(daemon.stderr).toContain(`connect-standalone exited during startup (exit status 1); its output (${path.join(dir, 'logs', 'connectStandalone.out')}):\nCannot connect to the Kafka broker at 127.0.0.1:`);
  });
});
