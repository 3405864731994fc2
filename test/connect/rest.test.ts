/**
 * The REST API of a standalone worker, over real HTTP, against the bodies real Kafka
 * Connect 2.4.1 answered (kafka-outputs-more.md §1.4, worker 127.0.0.1:8083): status
 * codes, JSON field order, Location, error bodies. Tasks run in a fake TaskRunner, so
 * this checks the API and the herder, not record movement (the e2e test does that).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inJavaHashMapOrder, javaHashMapOrder } from '../../src/connect/java-hash-order.js';
import type { ConnectorOffset } from '../../src/connect/herder.js';
import { memoryLog } from '../../src/connect/log.js';
import { MemoryOffsetStore } from '../../src/connect/offsets.js';
import { RestServer } from '../../src/connect/rest.js';
import { StandaloneHerder } from '../../src/connect/standalone-herder.js';
import { taskKey, type TargetState, type TaskId, type TaskRunner, type TaskStatus } from '../../src/connect/worker.js';

class FakeRunner implements TaskRunner {
  readonly tasks = new Map<string, TaskStatus>();
  readonly started: string[] = [];
  taskStatus(id: TaskId): TaskStatus | undefined {
    return this.tasks.get(taskKey(id));
  }
  async startTask(id: TaskId, _c: Record<string, string>, _t: Record<string, string>, target: TargetState): Promise<void> {
    this.started.push(taskKey(id));
    this.tasks.set(taskKey(id), { state: target === 'PAUSED' ? 'PAUSED' : 'RUNNING' });
  }
  async stopTask(id: TaskId): Promise<void> {
    this.tasks.delete(taskKey(id));
  }
  setTargetState(id: TaskId, target: TargetState): void {
    const status = this.tasks.get(taskKey(id));
    if (status) status.state = target === 'PAUSED' ? 'PAUSED' : 'RUNNING';
  }
}

const SOURCE_FILE = { name: 'local-file-source', 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: 'test.txt', topic: 'connect-test' };
const SINK_FILE = { name: 'local-file-sink', 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: 'test.sink.txt', topics: 'connect-test' };

let server: RestServer;
let base: string;
let runner: FakeRunner;

beforeEach(async () => {
  runner = new FakeRunner();
  const offsets = new MemoryOffsetStore();
  await offsets.set(new Map([
    ['["local-file-source",{"filename":"test.txt"}]', '{"position":21}'],
    ['["other-source",{"filename":"x"}]', '{"position":3}'],
  ]));
  const sinkOffsets = async (): Promise<ConnectorOffset[]> => [{ partition: { kafka_topic: 'connect-test', kafka_partition: 0 }, offset: { kafka_offset: 3 } }];
  const herder = new StandaloneHerder(runner, '127.0.0.1:8083', 'LuGo8R8kQIKeHL-JDUfnBw', memoryLog(), offsets, sinkOffsets);
  // as connect-standalone loads its properties files
  await herder.putConnectorConfig(SOURCE_FILE.name, inJavaHashMapOrder(SOURCE_FILE), false);
  await herder.putConnectorConfig(SINK_FILE.name, inJavaHashMapOrder(SINK_FILE), false);
  server = new RestServer(() => herder);
  const port = await server.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  await server.close();
});

async function call(method: string, path: string, body?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(base + path, { method, body, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe('Connect REST API (standalone)', () => {
  it('lists and describes connectors with Kafka 2.4.1\'s bytes', async () => {
    expect(await call('GET', '/connectors')).toMatchObject({ status: 200, body: '["local-file-source","local-file-sink"]' });
    const info = await call('GET', '/connectors/local-file-source');
    expect(info.status).toBe(200);
    expect(info.headers.get('content-type')).toBe('application/json');
    expect(info.body).toBe('{"name":"local-file-source","config":{"connector.class":"FileStreamSource","file":"test.txt","tasks.max":"1","name":"local-file-source","topic":"connect-test"},"tasks":[{"connector":"local-file-source","task":0}],"type":"source"}');
    expect(info.headers.get('content-length')).toBe('229');
    expect((await call('GET', '/connectors/local-file-source/config')).body).toBe('{"connector.class":"FileStreamSource","file":"test.txt","tasks.max":"1","name":"local-file-source","topic":"connect-test"}');
    expect((await call('GET', '/connectors/local-file-source/status')).body).toBe('{"name":"local-file-source","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:8083"}],"type":"source"}');
    expect((await call('GET', '/connectors/local-file-source/tasks')).body).toBe('[{"id":{"connector":"local-file-source","task":0},"config":{"topic":"connect-test","file":"test.txt","task.class":"org.apache.kafka.connect.file.FileStreamSourceTask","batch.size":"2000"}}]');
    expect((await call('GET', '/connectors/local-file-sink/status')).body).toBe('{"name":"local-file-sink","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:8083"}],"type":"sink"}');
    expect((await call('GET', '/connectors/local-file-source/tasks/0/status')).body).toBe('{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:8083"}');
    expect((await call('GET', '/connectors?expand=status')).body).toBe('{"local-file-source":{"status":{"name":"local-file-source","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:8083"}],"type":"source"}},"local-file-sink":{"status":{"name":"local-file-sink","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:8083"}],"type":"sink"}}}');
    expect((await call('GET', '/connectors?expand=info')).body).toBe('{"local-file-source":{"info":{"name":"local-file-source","config":{"connector.class":"FileStreamSource","file":"test.txt","tasks.max":"1","name":"local-file-source","topic":"connect-test"},"tasks":[{"connector":"local-file-source","task":0}],"type":"source"}},"local-file-sink":{"info":{"name":"local-file-sink","config":{"connector.class":"FileStreamSink","file":"test.sink.txt","tasks.max":"1","topics":"connect-test","name":"local-file-sink"},"tasks":[{"connector":"local-file-sink","task":0}],"type":"sink"}}}');
  });

  it('answers GET / with version, commit and the Kafka cluster id', async () => {
    const root = JSON.parse((await call('GET', '/')).body) as Record<string, unknown>;
    expect(Object.keys(root)).toEqual(['version', 'commit', 'kafka_cluster_id']);
    expect(root.kafka_cluster_id).toBe('LuGo8R8kQIKeHL-JDUfnBw');
  });

  it('pauses and resumes with 202 and an empty body', async () => {
    const pause = await call('PUT', '/connectors/local-file-source/pause');
    expect(pause.status).toBe(202);
    expect(pause.body).toBe('');
    expect(pause.headers.get('content-type')).toBeNull();
    expect((await call('GET', '/connectors/local-file-source/status')).body).toBe('{"name":"local-file-source","connector":{"state":"PAUSED","worker_id":"127.0.0.1:8083"},"tasks":[{"id":0,"state":"PAUSED","worker_id":"127.0.0.1:8083"}],"type":"source"}');
    expect((await call('PUT', '/connectors/local-file-source/resume')).status).toBe(202);
    expect((await call('GET', '/connectors/local-file-source/status')).body).toContain('"connector":{"state":"RUNNING"');
  });

  it('answers errors as {"error_code","message"} with Kafka\'s status codes and texts', async () => {
    expect(await call('GET', '/connectors/nope')).toMatchObject({ status: 404, body: '{"error_code":404,"message":"Connector nope not found"}' });
    expect(await call('GET', '/connectors/nope/status')).toMatchObject({ status: 404, body: '{"error_code":404,"message":"No status found for connector nope"}' });
    expect(await call('POST', '/connectors', '{"name":"local-file-source","config":{"connector.class":"FileStreamSource","file":"test.txt","topic":"connect-test"}}'))
      .toMatchObject({ status: 409, body: '{"error_code":409,"message":"Connector local-file-source already exists"}' });
    const unknown = await call('POST', '/connectors', '{"name":"bad2","config":{"connector.class":"NoSuchConnector"}}');
    expect(unknown.status).toBe(500);
    expect(JSON.parse(unknown.body).message).toMatch(/^Failed to find any class that implements Connector and which name matches NoSuchConnector, available connectors are: .*FileStreamSinkConnector.*FileStreamSourceConnector/);
    expect((await call('POST', '/connectors', '{not json')).status).toBe(500);
    const noConfig = await call('POST', '/connectors', '{"name":"bad"}');
    expect(noConfig.status).toBe(400);
    expect(JSON.parse(noConfig.body).error_code).toBe(400);
    const invalid = await call('POST', '/connectors', '{"name":"s","config":{"connector.class":"FileStreamSink"}}');
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).message).toContain('Must configure one of topics or topics.regex');
    const badConverter = await call('POST', '/connectors', '{"name":"s","config":{"connector.class":"FileStreamSink","topics":"t","value.converter":"com.example.Avro"}}');
    expect(badConverter.status).toBe(400);
    expect(JSON.parse(badConverter.body).message).toContain('Invalid value com.example.Avro for configuration value.converter: Class com.example.Avro could not be found. Known converters: org.apache.kafka.connect.json.JsonConverter');
    expect(await call('GET', '/nothing-here')).toMatchObject({ status: 404, body: '{"error_code":404,"message":"HTTP 404 Not Found"}' });
    expect((await call('DELETE', '/connectors')).status).toBe(405);
  });

  it('creates with POST (201, Location, name added last), replaces with PUT config (200), deletes (204, then 404)', async () => {
    const created = await call('POST', '/connectors', '{"name":"s3","config":{"connector.class":"FileStreamSink","tasks.max":"2","file":"x.txt","topics":"connect-test"}}');
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${base}/connectors/s3`);
    expect(created.body).toBe('{"name":"s3","config":{"connector.class":"FileStreamSink","tasks.max":"2","file":"x.txt","topics":"connect-test","name":"s3"},"tasks":[{"connector":"s3","task":0},{"connector":"s3","task":1}],"type":"sink"}');
    expect(runner.started).toContain('s3-1');
    const put = await call('PUT', '/connectors/sink2/config', '{"connector.class":"FileStreamSink","tasks.max":"1","file":"test.sink2.txt","topics":"connect-test"}');
    expect(put.status).toBe(201);
    expect(put.body).toBe('{"name":"sink2","config":{"connector.class":"FileStreamSink","tasks.max":"1","file":"test.sink2.txt","topics":"connect-test","name":"sink2"},"tasks":[{"connector":"sink2","task":0}],"type":"sink"}');
    const replaced = await call('PUT', '/connectors/sink2/config', '{"connector.class":"FileStreamSink","tasks.max":"1","file":"other.txt","topics":"connect-test"}');
    expect(replaced.status).toBe(200);
    expect(JSON.parse(replaced.body).config.file).toBe('other.txt');
    const deleted = await call('DELETE', '/connectors/local-file-sink');
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect(runner.tasks.has('local-file-sink-0')).toBe(false);
    expect(await call('DELETE', '/connectors/local-file-sink')).toMatchObject({ status: 404, body: '{"error_code":404,"message":"Connector local-file-sink not found"}' });
    expect((await call('GET', '/connectors')).body).toBe('["local-file-source","s3","sink2"]');
  });

  it('restarts a connector and a task with 204', async () => {
    expect((await call('POST', '/connectors/local-file-source/restart')).status).toBe(204);
    expect((await call('POST', '/connectors/local-file-source/tasks/0/restart')).status).toBe(204);
    expect(runner.started.filter((t) => t === 'local-file-source-0')).toHaveLength(2);
    expect((await call('POST', '/connectors/nope/restart')).status).toBe(404);
  });

  it('lists a source connector\'s stored offsets and a sink\'s consumer positions (KIP-875)', async () => {
    expect(await call('GET', '/connectors/local-file-source/offsets')).toMatchObject({ status: 200, body: '{"offsets":[{"partition":{"filename":"test.txt"},"offset":{"position":21}}]}' });
    expect((await call('GET', '/connectors/local-file-sink/offsets')).body).toBe('{"offsets":[{"partition":{"kafka_topic":"connect-test","kafka_partition":0},"offset":{"kafka_offset":3}}]}');
    expect((await call('GET', '/connectors/nope/offsets')).status).toBe(404);
  });

  it('lists the connector plugins and validates a config', async () => {
    const plugins = JSON.parse((await call('GET', '/connector-plugins')).body) as Array<{ class: string; type: string }>;
    expect(plugins.map((p) => [p.class, p.type])).toEqual([
      ['org.apache.kafka.connect.file.FileStreamSinkConnector', 'sink'],
      ['org.apache.kafka.connect.file.FileStreamSourceConnector', 'source'],
    ]);
    const validated = JSON.parse((await call('PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', '{"connector.class":"FileStreamSink","tasks.max":"1","topics":"connect-test"}')).body);
    expect(validated.name).toBe('FileStreamSink');
    expect(validated.error_count).toBe(1);
    expect(validated.configs[0].value).toEqual({ name: 'name', value: null, recommended_values: [], errors: ['Missing required configuration "name" which has no default value.'], visible: true });
  });
});

describe('javaHashMapOrder', () => {
  it('orders config keys as a Java HashMap iterates them (what Kafka lists for a properties file)', () => {
    expect(javaHashMapOrder(['name', 'connector.class', 'tasks.max', 'file', 'topic'])).toEqual(['connector.class', 'file', 'tasks.max', 'name', 'topic']);
    expect(javaHashMapOrder(['name', 'connector.class', 'tasks.max', 'file', 'topics'])).toEqual(['connector.class', 'file', 'tasks.max', 'topics', 'name']);
  });
});
