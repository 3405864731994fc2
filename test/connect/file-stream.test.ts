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

  it('reads a file rewritten shorter, or replaced, from its start again, saying so', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'test.txt');
    fs.writeFileSync(file, 'foo\nbar\nAnother line\n');
    const warnings: string[] = [];
    const task = new FileStreamSourceTask();
    task.start({ file, topic: 't' }, () => null, { info: () => undefined, warn: (m) => warnings.push(m) });
    expect(values(await task.poll())).toEqual(['foo', 'bar', 'Another line']);
    fs.writeFileSync(file, 'new\n'); // echo new > test.txt
    const again = await task.poll();
    expect(values(again)).toEqual(['new']);
    expect(again[0].sourceOffset).toEqual({ position: 4 });
    expect(warnings).toEqual([`${file} was truncated to 4 bytes, below the position 21 read so far; reading it from the start`]);
    fs.renameSync(file, `${file}.1`); // rotated
    fs.writeFileSync(file, 'rotated\n');
    expect(values(await task.poll())).toEqual(['rotated']);
    expect(warnings[1]).toBe(`${file} was replaced by a new file; reading it from the start`);
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

/** `od -c` output as captured from Java Kafka Connect 2.4.1's /tmp/connect.offsets (kafka-outputs-more.md §1.5). */
const JAVA_OFFSETS_OD = `
0000000 254 355  \\0 005   s   r  \\0 021   j   a   v   a   .   u   t   i
0000020   l   .   H   a   s   h   M   a   p 005  \\a 332 301 303 026   \`
0000040 321 003  \\0 002   F  \\0  \\n   l   o   a   d   F   a   c   t   o
0000060   r   I  \\0  \\t   t   h   r   e   s   h   o   l   d   x   p   ?
0000100   @  \\0  \\0  \\0  \\0  \\0  \\f   w  \\b  \\0  \\0  \\0 020  \\0  \\0  \\0
0000120 001   u   r  \\0 002   [   B 254 363 027 370 006  \\b   T 340 002
0000140  \\0  \\0   x   p  \\0  \\0  \\0   -   [   "   l   o   c   a   l   -
0000160   f   i   l   e   -   s   o   u   r   c   e   "   ,   {   "   f
0000200   i   l   e   n   a   m   e   "   :   "   t   e   s   t   .   t
0000220   x   t   "   }   ]   u   q  \\0   ~  \\0 002  \\0  \\0  \\0 017   {
0000240   "   p   o   s   i   t   i   o   n   "   :   2   1   }   x
`;

/** Decodes `od -c` lines: 16 cells of 4 characters after the 7-digit offset. */
function fromOd(text: string): Buffer {
  const escapes: Record<string, number> = { '\\0': 0, '\\a': 7, '\\b': 8, '\\t': 9, '\\n': 10, '\\v': 11, '\\f': 12, '\\r': 13 };
  const bytes: number[] = [];
  for (const line of text.split('\n').filter((l) => /^\d{7} /.test(l))) {
    const cells = line.slice(8);
    for (let i = 0; i < cells.length; i += 4) {
      const cell = cells.slice(i, i + 4).trim();
      if (cell === '') { bytes.push(0x20); continue; }
      if (/^\d{3}$/.test(cell)) bytes.push(parseInt(cell, 8));
      else if (cell in escapes) bytes.push(escapes[cell]);
      else bytes.push(cell.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}

describe('FileOffsetStore (Kafka\'s offsets file format)', () => {
  it('writes the bytes Java Kafka Connect wrote for the same offset', async () => {
    const golden = fromOd(JAVA_OFFSETS_OD);
    expect(golden.length).toBe(175); // the size ls -l showed
    const dir = tempDir();
    const file = path.join(dir, 'connect.offsets');
    const store = new FileOffsetStore(file);
    await store.start();
    const key = offsetKey('local-file-source', { filename: 'test.txt' });
    expect(key).toBe('["local-file-source",{"filename":"test.txt"}]');
    await store.set(new Map([[key, '{"position":21}']]));
    expect(fs.readFileSync(file).toString('hex')).toBe(golden.toString('hex'));
  });

  it('reads a file Java Kafka Connect wrote, and its own after a restart', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'connect.offsets');
    fs.writeFileSync(file, fromOd(JAVA_OFFSETS_OD));
    const fromJava = new FileOffsetStore(file);
    await fromJava.start();
    expect(fromJava.get('["local-file-source",{"filename":"test.txt"}]')).toBe('{"position":21}');
    const more = new Map(Array.from({ length: 20 }, (_, i) => [offsetKey('c', { filename: `f${i}` }), `{"position":${i}}`] as [string, string]));
    await fromJava.set(more);
    const reopened = new FileOffsetStore(file);
    await reopened.start();
    expect(reopened.get(offsetKey('c', { filename: 'f19' }))).toBe('{"position":19}');
    expect(reopened.get('["local-file-source",{"filename":"test.txt"}]')).toBe('{"position":21}');
  });

  it('refuses a file that is neither, naming it and the way out', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'connect.offsets');
    fs.writeFileSync(file, 'not offsets');
    await expect(new FileOffsetStore(file).start()).rejects.toThrow(`offset.storage.file.filename ${file} is not an offsets file`);
  });
});
