/**
 * Small durable files of the storage layer: atomic replace (tmp, fsync, rename, fsync
 * dir) and Kafka's OffsetCheckpointFile text format, shared by LogManager's
 * checkpoints, the cleaner's `cleaner-offset-checkpoint` and `leader-epoch-checkpoint`.
 * Checkpoint format: a version line "0", a count line, then one "topic partition offset"
 * line per partition.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFully } from './disk-errors.js';

/** "topic partition offset" entries of a checkpoint file, keyed by "topic-partition". */
export type OffsetCheckpoint = Map<string, { topic: string; partition: number; offset: number }>;

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * Writes `contents` atomically: tmp file, fsync, rename (then fsync the directory where
 * allowed). A failed write (disk full) removes the tmp file and leaves `path` as it was.
 */
export function writeFileAtomically(path: string, contents: string | Buffer): void {
  const tmp = `${path}.tmp`;
  const bytes = typeof contents === 'string' ? Buffer.from(contents) : contents;
  const fd = openSync(tmp, 'w');
  try {
    try {
      writeFully(fd, tmp, bytes, 0, bytes.length, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, path);
  try {
    const dirFd = openSync(join(path, '..'), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Directory fsync is not possible on every platform (Windows); the rename still stands.
  }
}

/** Writes a checkpoint file in Kafka's text format. */
export function writeOffsetCheckpoint(path: string, entries: Iterable<{ topic: string; partition: number; offset: number }>): void {
  const lines = [...entries].map((e) => `${e.topic} ${e.partition} ${e.offset}`);
  writeFileAtomically(path, ['0', String(lines.length), ...lines].join('\n') + '\n');
}

/**
 * Reads a checkpoint file; a missing file is empty. A malformed file throws, as in
 * Kafka (which then refuses to load that log dir); callers may choose to warn instead.
 */
export function readOffsetCheckpoint(path: string): OffsetCheckpoint {
  const result: OffsetCheckpoint = new Map();
  if (!existsSync(path)) return result;
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== '0') throw new Error(`${path}: unsupported checkpoint version ${JSON.stringify(lines[0])}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) {
    throw new Error(`${path}: expected ${lines[1]} entries, found ${lines.length - 2}`);
  }
  for (const line of lines.slice(2)) {
    const parts = line.trim().split(/\s+/);
    const offset = Number(parts[parts.length - 1]);
    const partition = Number(parts[parts.length - 2]);
    // Topic names cannot contain spaces, so the first field is the topic.
    const topic = parts.slice(0, -2).join(' ');
    if (parts.length !== 3 || !Number.isInteger(partition) || !Number.isSafeInteger(offset)) {
      throw new Error(`${path}: malformed line ${JSON.stringify(line)}`);
    }
    result.set(topicPartitionKey(topic, partition), { topic, partition, offset });
  }
  return result;
}
