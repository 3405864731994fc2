/**
 * Where source offsets live (Kafka's OffsetBackingStore). Keys and values are the
 * JSON Kafka writes (the internal JsonConverter without schemas):
 *   key   ["local-file-source",{"filename":"test.txt"}]   (connector name, source partition)
 *   value {"position":21}                                  (source offset)
 * Standalone workers keep them in offset.storage.file.filename (FileOffsetStore);
 * distributed workers in the offset.storage.topic (distributed/kafka-offset-store.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JsonMap, JsonValue } from './connector.js';
import { ConnectConfigError } from './errors.js';

export interface OffsetStore {
  start(): Promise<void>;
  /** the stored offset value (JSON text) for a key (JSON text) */
  get(key: string): string | undefined;
  /** stores the entries durably before resolving */
  set(entries: ReadonlyMap<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** The key Kafka's OffsetStorageWriter writes for a connector's source partition. */
export function offsetKey(connector: string, partition: JsonMap): string {
  return JSON.stringify([connector, partition]);
}

/** Offsets in memory only (tests; connectors that need none). */
export class MemoryOffsetStore implements OffsetStore {
  protected readonly data = new Map<string, string>();
  async start(): Promise<void> {}
  get(key: string): string | undefined {
    return this.data.get(key);
  }
  async set(entries: ReadonlyMap<string, string>): Promise<void> {
    for (const [k, v] of entries) this.data.set(k, v);
  }
  async stop(): Promise<void> {}
}

/** Java serialization's stream magic: a file written by Java Kafka Connect's FileOffsetBackingStore. */
const JAVA_SERIALIZATION_MAGIC = 0xaced;

/**
 * Offsets in one JSON file: an array of [key, value] pairs, each written as the JSON it
 * stands for (`[[["local-file-source",{"filename":"test.txt"}],{"position":21}]]`), so
 * the file can be read and edited by hand. Rewritten whole (temp file, fsync, rename)
 * on every flush, so a crash leaves the previous or the new content, never half.
 */
export class FileOffsetStore extends MemoryOffsetStore {
  constructor(readonly file: string) {
    super();
  }

  override async start(): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new ConnectConfigError(`Cannot read offset.storage.file.filename ${this.file}: ${(err as Error).message}`);
    }
    if (bytes.length === 0) return;
    if (bytes.length >= 2 && bytes.readUInt16BE(0) === JAVA_SERIALIZATION_MAGIC) {
      throw new ConnectConfigError(`offset.storage.file.filename ${this.file} was written by Java Kafka Connect, whose format this worker does not read; ` +
        'move the file away (its source connectors then start from the beginning of their files) or set offset.storage.file.filename to another file');
    }
    let pairs: unknown;
    try {
      pairs = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new ConnectConfigError(`offset.storage.file.filename ${this.file} is not a valid offsets file (${(err as Error).message}); move it away to start without stored offsets`);
    }
    if (!Array.isArray(pairs)) throw new ConnectConfigError(`offset.storage.file.filename ${this.file} is not a valid offsets file (expected a JSON array of [key, value] pairs)`);
    for (const pair of pairs as Array<[JsonValue, JsonValue]>) {
      if (Array.isArray(pair) && pair.length === 2) this.data.set(JSON.stringify(pair[0]), JSON.stringify(pair[1]));
    }
  }

  override async set(entries: ReadonlyMap<string, string>): Promise<void> {
    await super.set(entries);
    const pairs = [...this.data.entries()].map(([k, v]) => `[${k},${v}]`);
    const text = `[${pairs.join(',\n')}]\n`;
    const dir = path.dirname(path.resolve(this.file));
    fs.mkdirSync(dir, { recursive: true });
    const temp = `${this.file}.tmp`;
    const fd = fs.openSync(temp, 'w');
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, this.file);
  }
}
