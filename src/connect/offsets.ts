/**
 * Where source offsets live (Kafka's OffsetBackingStore). Keys and values are the
 * JSON Kafka writes (the internal JsonConverter without schemas):
 *   key   ["local-file-source",{"filename":"test.txt"}]   (connector name, source partition)
 *   value {"position":21}                                  (source offset)
 * Standalone workers keep them in offset.storage.file.filename (FileOffsetStore, Kafka's file format);
 * distributed workers in the offset.storage.topic (distributed/kafka-offset-store.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JsonMap, JsonValue } from './connector.js';
import { ConnectConfigError } from './errors.js';
import { isJavaSerialized, readJavaOffsetsFile, writeJavaOffsetsFile } from './java-offsets-file.js';

export interface OffsetStore {
  start(): Promise<void>;
  /** the stored offset value (JSON text) for a key (JSON text) */
  get(key: string): string | undefined;
  /** stores the entries durably before resolving */
  set(entries: ReadonlyMap<string, string>): Promise<void>;
  /** every stored key and value (JSON text) */
  entries(): Array<[string, string]>;
  stop(): Promise<void>;
}

export interface SourcePartitionOffset {
  partition: JsonMap;
  offset: JsonMap;
}

/** A connector's stored source offsets (GET /connectors/{name}/offsets, KIP-875), from the keys that name it. */
export function connectorOffsets(store: OffsetStore, connector: string): SourcePartitionOffset[] {
  const result: SourcePartitionOffset[] = [];
  for (const [key, value] of store.entries()) {
    try {
      const parsedKey = JSON.parse(key) as unknown;
      if (!Array.isArray(parsedKey) || parsedKey[0] !== connector) continue;
      result.push({ partition: parsedKey[1] as JsonMap, offset: JSON.parse(value) as JsonMap });
    } catch {
      // a key some other writer left in the store: not this connector's
    }
  }
  return result;
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
  entries(): Array<[string, string]> {
    return [...this.data];
  }
  async stop(): Promise<void> {}
}

/**
 * Offsets in one file, in the format Kafka's FileOffsetBackingStore uses (a
 * Java-serialized HashMap<byte[],byte[]>, java-offsets-file.ts), so the file a Java
 * worker left behind is read here and the other way round. Rewritten whole (temp
 * file, fsync, rename) on every flush: a crash leaves the previous or the new content.
 * A JSON array of [key, value] pairs is read too (what this toolkit wrote before).
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
    try {
      if (isJavaSerialized(bytes)) {
        for (const [key, value] of readJavaOffsetsFile(bytes)) if (value !== null) this.data.set(key.toString('utf8'), value.toString('utf8'));
        return;
      }
      const pairs = JSON.parse(bytes.toString('utf8')) as unknown;
      if (!Array.isArray(pairs)) throw new Error('expected a JSON array of [key, value] pairs');
      for (const pair of pairs as Array<[JsonValue, JsonValue]>) {
        if (Array.isArray(pair) && pair.length === 2) this.data.set(JSON.stringify(pair[0]), JSON.stringify(pair[1]));
      }
    } catch (err) {
      throw new ConnectConfigError(`offset.storage.file.filename ${this.file} is not an offsets file (${(err as Error).message}); move it away to start without stored offsets`);
    }
  }

  override async set(entries: ReadonlyMap<string, string>): Promise<void> {
    await super.set(entries);
    const bytes = writeJavaOffsetsFile([...this.data].map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')]));
    fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const temp = `${this.file}.tmp`;
    const fd = fs.openSync(temp, 'w');
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, this.file);
  }
}
