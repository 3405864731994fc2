/**
 * FileStreamSource and FileStreamSink, the example connectors Kafka ships
 * (connect/file): the source streams the lines of a file into one topic, following
 * what is appended, and remembers the byte position after the last line it sent as
 * the offset of source partition {"filename": <file>}; the sink appends each record's
 * value as one line (standard output when no file is set).
 */
import fs from 'node:fs';
import { STRING_SCHEMA, javaToString } from './data.js';
import type {
  ConfigProblem, ConnectorPlugin, JsonMap, OffsetReader, SinkRecord, SinkTask, SourceRecord, SourceTask, TaskLogger,
} from './connector.js';

export const FILE_SOURCE_CLASS = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
export const FILE_SINK_CLASS = 'org.apache.kafka.connect.file.FileStreamSinkConnector';
export const FILE_SOURCE_TASK_CLASS = 'org.apache.kafka.connect.file.FileStreamSourceTask';
export const FILE_SINK_TASK_CLASS = 'org.apache.kafka.connect.file.FileStreamSinkTask';

const DEFAULT_BATCH_SIZE = 2000;
/** bytes read per poll; lines longer than this are read over several polls */
const READ_CHUNK = 64 * 1024;

export class FileStreamSourceTask implements SourceTask {
  private file = '';
  private topic = '';
  private batchSize = DEFAULT_BATCH_SIZE;
  private position = 0;
  private fd: number | undefined;
  private pending = Buffer.alloc(0);
  private log: TaskLogger | undefined;
  private warnedMissing = false;

  start(config: Record<string, string>, offsets: OffsetReader, log: TaskLogger): void {
    this.file = config.file ?? '';
    this.topic = config.topic ?? '';
    this.batchSize = Number(config['batch.size'] ?? DEFAULT_BATCH_SIZE) || DEFAULT_BATCH_SIZE;
    this.log = log;
    const stored = offsets(this.sourcePartition());
    const position = stored?.position;
    if (typeof position === 'number' && position >= 0) {
      this.position = position;
      log.info(`Found previous offset, trying to skip to file offset ${position}`);
    }
  }

  private sourcePartition(): JsonMap {
    return { filename: this.file };
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(this.file, 'r');
        this.warnedMissing = false;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (!this.warnedMissing) this.log?.warn(`Couldn't find file ${this.file} for FileStreamSourceTask, sleeping to wait for it to be created`);
        this.warnedMissing = true;
        return [];
      }
    }
    this.noticeReplacedOrTruncated();
    const readFrom = this.position + this.pending.length;
    const chunk = Buffer.alloc(READ_CHUNK);
    const bytesRead = await new Promise<number>((resolve, reject) => {
      fs.read(this.fd as number, chunk, 0, READ_CHUNK, readFrom, (err, n) => (err ? reject(err) : resolve(n)));
    });
    if (bytesRead > 0) this.pending = Buffer.concat([this.pending, chunk.subarray(0, bytesRead)]);
    const records: SourceRecord[] = [];
    let start = 0;
    while (records.length < this.batchSize) {
      const end = lineEnd(this.pending, start);
      if (end === undefined) break;
      const line = this.pending.subarray(start, end.contentEnd).toString('utf8');
      start = end.next;
      records.push({
        sourcePartition: this.sourcePartition(),
        sourceOffset: { position: this.position + start },
        topic: this.topic,
        keySchema: null,
        key: null,
        valueSchema: STRING_SCHEMA,
        value: line,
      });
    }
    if (start > 0) {
      this.position += start;
      this.pending = this.pending.subarray(start);
    }
    return records;
  }

  /**
   * A file rewritten shorter than the position (`echo … > test.txt` again) or replaced by
   * a new one (log rotation) is read again from its start, with a warning; Kafka's task
   * would wait silently until the file grew past the old position.
   */
  private noticeReplacedOrTruncated(): void {
    if (this.fd === undefined) return;
    const open = fs.fstatSync(this.fd);
    let current: fs.Stats | undefined;
    try {
      current = fs.statSync(this.file);
    } catch {
      return; // removed: keep reading what is open until a new file appears
    }
    const replaced = current.ino !== open.ino || current.dev !== open.dev;
    const truncated = !replaced && open.size < this.position + this.pending.length;
    if (!replaced && !truncated) return;
    this.log?.warn(`${this.file} was ${replaced ? 'replaced by a new file' : `truncated to ${open.size} bytes, below the position ${this.position} read so far`}; reading it from the start`);
    if (replaced) {
      fs.closeSync(this.fd);
      this.fd = fs.openSync(this.file, 'r');
    }
    this.position = 0;
    this.pending = Buffer.alloc(0);
  }

  async stop(): Promise<void> {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Where the line starting at `start` ends: `\n`, `\r\n` or a lone `\r` (as Kafka's task); undefined while incomplete. */
function lineEnd(buf: Buffer, start: number): { contentEnd: number; next: number } | undefined {
  for (let i = start; i < buf.length; i++) {
    const byte = buf[i];
    if (byte === 0x0a) return { contentEnd: i, next: i + 1 };
    if (byte === 0x0d) {
      if (i + 1 >= buf.length) return undefined; // a \n may still follow
      return { contentEnd: i, next: buf[i + 1] === 0x0a ? i + 2 : i + 1 };
    }
  }
  return undefined;
}

export class FileStreamSinkTask implements SinkTask {
  private fd: number | undefined;
  private toStdout = true;

  start(config: Record<string, string>): void {
    const file = config.file;
    if (file) {
      this.fd = fs.openSync(file, 'a');
      this.toStdout = false;
    }
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map((r) => `${javaToString(r.value, r.valueSchema)}\n`).join('');
    if (this.toStdout) {
      process.stdout.write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(this.fd as number, bytes, written);
  }

  async flush(): Promise<void> {
    if (this.fd !== undefined) fs.fsyncSync(this.fd);
  }

  async stop(): Promise<void> {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export const fileStreamSource: ConnectorPlugin = {
  className: FILE_SOURCE_CLASS,
  type: 'source',
  taskClass: FILE_SOURCE_TASK_CLASS,
  validate(config) {
    const problems: ConfigProblem[] = [];
    const topic = config.topic ?? '';
    if (topic.trim() === '') problems.push({ key: 'topic', message: 'Missing required configuration "topic" which has no default value.' });
    else if (topic.includes(',')) problems.push({ key: 'topic', message: "'topic' in FileStreamSourceConnector configuration requires definition of a single topic" });
    if (!config.file) problems.push({ key: 'file', message: 'Missing configuration "file": the source file to read (reading standard input is not supported here)' });
    const batch = config['batch.size'];
    if (batch !== undefined && !/^\d+$/.test(batch.trim())) problems.push({ key: 'batch.size', message: `Invalid value ${batch} for configuration batch.size: Not a number of type INT` });
    return problems;
  },
  taskConfigs(config) {
    // Kafka's source reads one file, so it never runs more than one task.
    return [{ topic: config.topic, file: config.file, 'task.class': FILE_SOURCE_TASK_CLASS, 'batch.size': config['batch.size'] ?? String(DEFAULT_BATCH_SIZE) }];
  },
  createSourceTask: () => new FileStreamSourceTask(),
};

export const fileStreamSink: ConnectorPlugin = {
  className: FILE_SINK_CLASS,
  type: 'sink',
  taskClass: FILE_SINK_TASK_CLASS,
  validate(config) {
    const topics = (config.topics ?? '').trim();
    const regex = (config['topics.regex'] ?? '').trim();
    if (topics === '' && regex === '') return [{ key: 'topics', message: 'Must configure one of topics or topics.regex' }];
    if (topics !== '' && regex !== '') return [{ key: 'topics', message: 'topics and topics.regex are mutually exclusive options, but both are set.' }];
    return [];
  },
  taskConfigs(config, maxTasks) {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...config, 'task.class': FILE_SINK_TASK_CLASS }));
  },
  createSinkTask: () => new FileStreamSinkTask(),
};
