/**
 * KRaft snapshots: `<endOffset, 20 digits>-<epoch, 10 digits>.checkpoint` in the
 * metadata log's directory, where endOffset is one past the last log offset the
 * snapshot contains and epoch the raft epoch of that offset (Kafka's
 * OffsetAndEpoch snapshot id). The file is a sequence of magic-2 record batches,
 * offsets starting at 0, as RecordsSnapshotWriter writes it: a control batch with
 * a SnapshotHeaderRecord, data batches whose record values are framed metadata
 * records, and a control batch with a SnapshotFooterRecord. A snapshot without its
 * footer is incomplete and not used.
 *
 * Written as `<name>.checkpoint.part`, fsynced, then renamed into place (Kafka's
 * FileRawSnapshotWriter.freeze), so a crash never leaves a partial `.checkpoint`.
 */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeMetadataRecord,
  decodeRaftControlRecord,
  encodeMetadataRecord,
  encodeRaftControlRecord,
  RaftControlRecordType,
  type MetadataRecord,
} from '../protocol/metadata-records.js';
import { controlRecordType, decodeRecordBatch, buildRecordBatch, type RecordInput } from '../protocol/records/record.js';
import { validateBatches } from '../protocol/records/batch.js';

export const SNAPSHOT_SUFFIX = '.checkpoint';
export const PARTIAL_SNAPSHOT_SUFFIX = '.checkpoint.part';
/** Snapshots Kafka has marked for deletion (and we too, when replacing them). */
export const DELETED_SNAPSHOT_SUFFIX = '.checkpoint.deleted';

/** Kafka's OffsetAndEpoch naming a snapshot. */
export interface SnapshotId {
  /** one past the last contained offset */
  readonly endOffset: number;
  readonly epoch: number;
}

/** Records per data batch: keeps each batch well below the 8 MiB raft batch limit. */
const RECORDS_PER_BATCH = 1000;

export function snapshotFileName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}${SNAPSHOT_SUFFIX}`;
}

/** The snapshot id in a file name, or null when the name is not a complete snapshot's. */
export function parseSnapshotFileName(name: string): SnapshotId | null {
  const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
  return m ? { endOffset: Number(m[1]), epoch: Number(m[2]) } : null;
}

/** Snapshot ids in `dir`, oldest first; removes leftover `.part` and `.deleted` files. */
export function listSnapshots(dir: string): SnapshotId[] {
  const ids: SnapshotId[] = [];
  for (const name of readdirSync(dir)) {
    if (name.endsWith(PARTIAL_SNAPSHOT_SUFFIX) || name.endsWith(DELETED_SNAPSHOT_SUFFIX)) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    const id = parseSnapshotFileName(name);
    if (id !== null) ids.push(id);
  }
  return ids.sort((a, b) => a.endOffset - b.endOffset || a.epoch - b.epoch);
}

export interface SnapshotContents {
  readonly id: SnapshotId;
  /** SnapshotHeaderRecord.LastContainedLogTimestamp */
  readonly lastContainedLogTimestamp: number;
  readonly records: MetadataRecord[];
}

/** Writes and fsyncs a snapshot; returns its size in bytes. */
export function writeSnapshot(
  dir: string,
  id: SnapshotId,
  records: readonly MetadataRecord[],
  lastContainedLogTimestamp: number,
  now: number = Date.now(),
): number {
  const batches: Buffer[] = [];
  let offset = 0;
  const push = (inputs: RecordInput[], control: boolean): void => {
    batches.push(buildRecordBatch(inputs, { baseOffset: offset, partitionLeaderEpoch: id.epoch, timestamp: now, control }));
    offset += inputs.length;
  };
  push([encodeRaftControlRecord('SnapshotHeaderRecord', { lastContainedLogTimestamp: BigInt(lastContainedLogTimestamp) })], true);
  for (let i = 0; i < records.length; i += RECORDS_PER_BATCH) {
    push(records.slice(i, i + RECORDS_PER_BATCH).map((r) => ({ key: null, value: encodeMetadataRecord(r) })), false);
  }
  push([encodeRaftControlRecord('SnapshotFooterRecord', {})], true);
  const bytes = Buffer.concat(batches);
  writeSnapshotFile(dir, id, bytes);
  return bytes.length;
}

/**
 * Writes a snapshot's bytes as they are (a follower installing one fetched from the
 * leader with FetchSnapshot): into `.checkpoint.part`, fsynced, then renamed, so a
 * crash never leaves a partial file under the final name.
 */
export function writeSnapshotFile(dir: string, id: SnapshotId, bytes: Buffer): void {
  const path = join(dir, snapshotFileName(id));
  const part = path.replace(/\.checkpoint$/, PARTIAL_SNAPSHOT_SUFFIX);
  const fd = openSync(part, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(part, path);
  fsyncDir(dir);
}

export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not possible on every platform (Windows); the rename still stands.
  }
}

/**
 * Reads a snapshot, checking every batch's CRC and the header/footer framing.
 * Throws (with the file named) when it is damaged or incomplete.
 */
export function readSnapshot(dir: string, id: SnapshotId): SnapshotContents {
  const path = join(dir, snapshotFileName(id));
  const bytes = readFileSync(path);
  const fail = (why: string): never => {
    throw new Error(`Unreadable metadata snapshot ${path}: ${why}`);
  };
  try {
    validateBatches(bytes);
  } catch (err) {
    fail((err as Error).message);
  }
  let pos = 0;
  let header: { lastContainedLogTimestamp: bigint } | null = null;
  let footer = false;
  const records: MetadataRecord[] = [];
  while (pos < bytes.length) {
    const size = bytes.readInt32BE(pos + 8) + 12;
    const batch = decodeRecordBatch(bytes.subarray(pos, pos + size));
    pos += size;
    if (footer) fail('records after the snapshot footer');
    if (batch.header.isControl) {
      for (const record of batch.records) {
        const type = controlRecordType(record.key);
        if (type === RaftControlRecordType.SNAPSHOT_HEADER) {
          if (header !== null || records.length > 0) fail('snapshot header is not first');
          header = decodeRaftControlRecord('SnapshotHeaderRecord', record.value ?? Buffer.alloc(0));
        } else if (type === RaftControlRecordType.SNAPSHOT_FOOTER) {
          footer = true;
        }
        // other control records (kraft.version, voters) are not part of the image
      }
      continue;
    }
    if (header === null) fail('no snapshot header');
    for (const record of batch.records) {
      if (record.value === null) fail(`record at offset ${record.offset} has no value`);
      records.push(decodeMetadataRecord(record.value!));
    }
  }
  if (header === null) fail('no snapshot header');
  if (!footer) fail('no snapshot footer (incomplete snapshot)');
  return { id, lastContainedLogTimestamp: Number(header!.lastContainedLogTimestamp), records };
}

/** Removes a snapshot file (renamed to `.deleted` first, as Kafka does, so a crash mid-delete is cleaned up on open). */
export function deleteSnapshot(dir: string, id: SnapshotId): void {
  const path = join(dir, snapshotFileName(id));
  const deleted = path.replace(/\.checkpoint$/, DELETED_SNAPSHOT_SUFFIX);
  renameSync(path, deleted);
  rmSync(deleted, { force: true });
}
