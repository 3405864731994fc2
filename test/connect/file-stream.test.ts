/**
 * FileStreamSource's line splitting and file positions, the offsets file, and the
 * sink's output, on real files: the pieces a restart without duplicates rests on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonMap, SourceRecord } from '../../src/connect/connector.js';
import { STRING_SCHEMA, Struct, INT32_SCHEMA, structSchema } from '../../src/connect/data.js';
import { FileStreamSinkTask, FileStreamSourceTask, fileStreamSink, fileStreamSource } from '../../src/connect/file-stream.js';
import { FileOffsetStore, offsetKey } from '../../src/connect/offsets.js';
import { findConnectorPlugin, unknownConnectorMessage } from '../../src/connect/plugins.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-unit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const quietLog = { info: (): void => undefined, warn: (): void => undefined };
const values = (records: SourceRecord[]): unknown[] => records.map((r) => r.value);

describe('FileStreamSourceTask', () => {
  it('sends complete lines only, with the byte position after each as its offset, and follows appends', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'test.txt');
    fs.writeFileSync(file, 'foo\nbär\r\npartial');
    const task = new FileStreamSourceTask();
    task.start({ file, topic: 'connect-test' }, () => null, quietLog);
    const first = await task.poll();
    expect(values(first)).toEqual(['foo', 'bär']);
    expect(first.map((r) => r.sourceOffset)).toEqual([{ position: 4 }, { position: 10 }]);
    expect(first[0]).toMatchObject({ topic: 'connect-test', sourcePartition: { filename: file }, key: null, keySchema: null, valueSchema: STRING_SCHEMA });
    expect(await task.poll()).toEqual([]);
    fs.appendFileSync(file, ' line\nAnother line\n');
    const second = await task.poll();
    expect(values(second)).toEqual(['partial line', 'Another line']);
    expect(second[1].sourceOffset).toEqual({ position: fs.statSync(file).size });
    await task.stop();
  });

  it('starts at the stored position, so nothing is sent twice', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'test.txt');
    fs.writeFileSync(file, 'foo\nbar\nline after stop\n');
    const task = new FileStreamSourceTask();
    const seen: JsonMap[] = [];
    task.start({ file, topic: 't' }, (p) => { seen.push(p); return { position: 8 }; }, quietLog);
    expect(seen).toEqual([{ filename: file }]);
    expect(values(await task.poll())).toEqual(['line after stop']);
    await task.stop();
  });

  it('waits for a file that does not exist yet', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'later.txt');
    const warnings: string[] = [];
    const task = new FileStreamSourceTask();
    task.start({ file, topic: 't' }, () => null, { info: () => undefined, warn: (m) => warnings.push(m) });
    expect(await task.poll()).toEqual([]);
    expect(warnings[0]).toBe(`Couldn't find file ${file} for FileStreamSourceTask, sleeping to wait for it to be created`);
    fs.writeFileSync(file, 'x\n');
    expect(values(await task.poll())).toEqual(['x']);
    await task.stop();
  });

  it('limits a poll to batch.size lines', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'many.txt');
    fs.writeFileSync(file, 'a\nb\nc\n');
    const task = new FileStreamSourceTask();
    task.start({ file, topic: 't', 'batch.size': '2' }, () => null, quietLog);
    expect(values(await task.poll())).toEqual(['a', 'b']);
    expect(values(await task.poll())).toEqual(['c']);
    await task.stop();
  });
});

describe('FileStreamSinkTask', () => {
  it('appends each value as a line (Java toString for structs)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'sink.txt');
    const task = new FileStreamSinkTask();
    task.start({ file });
    const schema = structSchema([['id', INT32_SCHEMA]]);
    await task.put([
      { topic: 't', partition: 0, offset: '0', keySchema: null, key: null, valueSchema: STRING_SCHEMA, value: 'foo' },
      { topic: 't', partition: 0, offset: '1', keySchema: null, key: null, valueSchema: schema, value: new Struct(schema).put('id', 3) },
    ]);
    await task.flush();
    await task.stop();
    expect(fs.readFileSync(file, 'utf8')).toBe('foo\nStruct{id=3}\n');
  });
});

describe('the file connectors as plugins', () => {
  it('are found by full class name and Kafka\'s aliases', () => {
    for (const name of ['FileStreamSource', 'FileStreamSourceConnector', 'org.apache.kafka.connect.file.FileStreamSourceConnector']) expect(findConnectorPlugin(name)).toBe(fileStreamSource);
    expect(findConnectorPlugin('FileStreamSink')).toBe(fileStreamSink);
    expect(findConnectorPlugin('FileStream')).toBeUndefined();
    expect(unknownConnectorMessage('Nope')).toContain('org.apache.kafka.connect.file.FileStreamSinkConnector');
  });

  it('check their configs as Kafka does', () => {
    expect(fileStreamSource.validate({ file: 'a', topic: 'x,y' })[0].message).toBe("'topic' in FileStreamSourceConnector configuration requires definition of a single topic");
    expect(fileStreamSink.validate({})[0].message).toBe('Must configure one of topics or topics.regex');
    expect(fileStreamSink.taskConfigs({ topics: 't' }, 3)).toHaveLength(3);
    expect(fileStreamSource.taskConfigs({ topic: 't', file: 'f' }, 3)).toHaveLength(1);
  });
});

describe('FileOffsetStore', () => {
  it('persists offsets under Kafka\'s key and value JSON and reads them back after a restart', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'connect.offsets');
    const store = new FileOffsetStore(file);
    await store.start();
    const key = offsetKey('local-file-source', { filename: 'test.txt' });
    expect(key).toBe('["local-file-source",{"filename":"test.txt"}]');
    await store.set(new Map([[key, '{"position":21}']]));
    expect(fs.readFileSync(file, 'utf8')).toBe('[[["local-file-source",{"filename":"test.txt"}],{"position":21}]]\n');
    const reopened = new FileOffsetStore(file);
    await reopened.start();
    expect(reopened.get(key)).toBe('{"position":21}');
  });

  it('refuses a file Java Kafka Connect wrote, naming it and the way out', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'connect.offsets');
    fs.writeFileSync(file, Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72]));
    await expect(new FileOffsetStore(file).start()).rejects.toThrow(`offset.storage.file.filename ${file} was written by Java Kafka Connect`);
  });
});
