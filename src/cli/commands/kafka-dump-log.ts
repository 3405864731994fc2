/**
 * kafka-dump-log: prints what a segment's files hold, in the line format of Kafka's
 * DumpLogSegments tool (Kafka 3.x): `.log` batches (and with --deep-iteration /
 * --print-data-log their records), `.index` entries, `.timeindex` entries, and KRaft
 * snapshots (`<offset>-<epoch>.checkpoint`, batches like a segment's; records of
 * __cluster_metadata decoded with --cluster-metadata-decoder). Reads the
 * files directly (no broker needed); one batch in memory at a time, so large segments
 * are fine. Learners use it to see what a segment holds.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { intOption, parseArgs, type CommandSpec } from '../options.js';
import { BufferedWriter } from '../output.js';
import {
  BATCH_HEADER_SIZE,
  DELETE_HORIZON_FLAG_MASK,
  LOG_OVERHEAD,
  computeBatchCrc,
  readBatchHeader,
  type BatchHeader,
} from '../../protocol/records/batch.js';
import { compressionCodecFromId } from '../../protocol/records/compression.js';
import { controlRecordType, decodeControlRecordValue, decodeRecordBatch, type DecodedRecord } from '../../protocol/records/record.js';
import { ByteReader } from '../../protocol/primitives.js';
import { decodeData } from '../../protocol/codec.js';
import {
  decodeMetadataRecord,
  metadataRecordJson,
  raftControlRecordJson,
  RaftControlRecordType,
} from '../../protocol/metadata-records.js';
import {
  decodeGroupMetadataValue,
  decodeGroupRecordKey,
  decodeOffsetCommitValue,
} from '../../coordinator/group-records.js';

export const spec: CommandSpec = {
  name: 'kafka-dump-log',
  summary: 'This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment.',
  options: [
    { name: 'files', arg: 'String: file1, file2, ...', description: 'REQUIRED: The comma separated list of data and index log files to be dumped.', complete: 'file' },
    { name: 'print-data-log', description: 'If set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified.' },
    { name: 'deep-iteration', description: 'If set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.' },
    { name: 'offsets-decoder', description: 'If set, log data will be parsed as offset data from the __consumer_offsets topic.' },
    { name: 'transaction-log-decoder', description: 'If set, log data will be parsed as transaction metadata from the __transaction_state topic.' },
    { name: 'cluster-metadata-decoder', description: 'If set, log data will be parsed as cluster metadata records.' },
    { name: 'skip-record-metadata', description: 'Whether to skip printing metadata for each record.' },
    { name: 'max-bytes', arg: 'Integer: size', description: 'Limit the amount of total batches read in bytes avoiding reading the whole .log file(s). (default: 2147483647)', complete: 'none' },
    { name: 'max-message-size', arg: 'Integer: size', description: 'Size of largest message. (default: 5242880)', complete: 'none' },
    { name: 'index-sanity-check', description: 'If set, just checks the index sanity without printing its content. This is the same check that is executed on broker startup to determine if an index needs rebuilding or not.' },
    { name: 'verify-index-only', description: 'If set, just verify the index log without printing its content.' },
    { name: 'key-decoder-class', arg: 'String', optionalArg: true, description: 'Accepted for compatibility; keys are printed as UTF-8 strings (StringDecoder).', complete: 'none' },
    { name: 'value-decoder-class', arg: 'String', optionalArg: true, description: 'Accepted for compatibility; values are printed as UTF-8 strings (StringDecoder).', complete: 'none' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

const INT_MAX = 2147483647;
const RECORD_INDENT = '|';

/** What a record's key and value print as; null = left out of the line. */
type RecordParser = (record: DecodedRecord) => { key: string | null; payload: string | null };

export interface DumpLogOptions {
  printDataLog: boolean;
  deepIteration: boolean;
  skipRecordMetadata: boolean;
  maxBytes: number;
  maxMessageSize: number;
  indexSanityOnly: boolean;
  verifyOnly: boolean;
  parser: RecordParser;
}

/** Problems collected while dumping, printed on stderr at the end as Kafka does. */
interface DumpProblems {
  indexMismatches: Map<string, Array<[number, number]>>;
  nonConsecutive: Map<string, Array<[number, number]>>;
  timeIndexMismatches: Map<string, Array<[number, number]>>;
  /** index timestamp vs the indexed batch's max timestamp */
  timestampMismatches: Map<string, Array<[number, number]>>;
}

const stringParser: RecordParser = (record) => ({
  key: record.key === null ? null : record.key.toString('utf8'),
  payload: record.value === null ? null : record.value.toString('utf8'),
});

/** Kafka prints java.util.OptionalLong as `OptionalLong.empty` / `OptionalLong[n]`. */
function optionalLong(value: number | null): string {
  return value === null ? 'OptionalLong.empty' : `OptionalLong[${value}]`;
}

/** An open file read with positional reads. */
class FileReader {
  readonly fd: number;
  readonly size: number;
  constructor(readonly filePath: string) {
    try {
      this.fd = openSync(filePath, 'r');
    } catch (err) {
      throw new CliError(`Could not open ${filePath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    this.size = fstatSync(this.fd).size;
  }
  read(position: number, length: number): Buffer {
    const buf = Buffer.alloc(Math.max(0, Math.min(length, this.size - position)));
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Reads the batch framed at `position`, or null when no whole, plausible batch fits there. */
function batchAt(file: FileReader, position: number, limit: number, maxMessageSize: number): { header: BatchHeader; bytes: Buffer } | null {
  if (position + BATCH_HEADER_SIZE > limit) return null;
  const head = file.read(position, BATCH_HEADER_SIZE);
  const header = readBatchHeader(head, 0);
  if (header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || header.sizeInBytes > Math.max(maxMessageSize, BATCH_HEADER_SIZE)) {
    return null;
  }
  if (position + header.sizeInBytes > limit) return null;
  return { header, bytes: file.read(position, header.sizeInBytes) };
}

function batchLine(header: BatchHeader, bytes: Buffer, position: number): string {
  const deleteHorizon = header.attributes & DELETE_HORIZON_FLAG_MASK ? header.baseTimestamp : null;
  const isValid = header.magic === 2 && computeBatchCrc(bytes, 0, header.sizeInBytes) === header.crc;
  let codec: string;
  try {
    codec = compressionCodecFromId(header.compression);
  } catch {
    codec = `unknown(${header.compression})`;
  }
  return (
    `baseOffset: ${header.baseOffset} lastOffset: ${header.lastOffset} count: ${header.recordCount}` +
    ` baseSequence: ${header.baseSequence} lastSequence: ${lastSequence(header)}` +
    ` producerId: ${header.producerId} producerEpoch: ${header.producerEpoch}` +
    ` partitionLeaderEpoch: ${header.partitionLeaderEpoch} isTransactional: ${header.isTransactional}` +
    ` isControl: ${header.isControl} deleteHorizonMs: ${optionalLong(deleteHorizon)}` +
    ` position: ${position} ${header.timestampType}: ${header.maxTimestamp} size: ${header.sizeInBytes}` +
    ` magic: ${header.magic} compresscodec: ${codec} crc: ${header.crc} isvalid: ${isValid}`
  );
}

/** DefaultRecordBatch.lastSequence: -1 without a sequence, wrapping past Int.MaxValue. */
function lastSequence(header: BatchHeader): number {
  if (header.baseSequence === -1) return -1;
  const last = header.baseSequence + header.lastOffsetDelta;
  return last > INT_MAX ? last - INT_MAX - 1 : last;
}

/** Kafka's ControlRecordType names beyond the transaction markers (KRaft's control records). */
const CONTROL_TYPE_NAMES: Record<number, string> = { 2: 'LEADER_CHANGE', 3: 'SNAPSHOT_HEADER', 4: 'SNAPSHOT_FOOTER', 5: 'KRAFT_VERSION', 6: 'KRAFT_VOTERS' };

function recordLine(header: BatchHeader, record: DecodedRecord, opts: DumpLogOptions): string {
  let line = '';
  let prefix = `${RECORD_INDENT} `;
  if (!opts.skipRecordMetadata) {
    line += `${prefix}offset: ${record.offset} ${header.timestampType}: ${record.timestamp}` +
      ` keySize: ${record.key?.length ?? -1} valueSize: ${record.value?.length ?? -1}`;
    prefix = ' ';
    line += ` sequence: ${header.baseSequence === -1 ? -1 : header.baseSequence + (record.offset - header.baseOffset)}` +
      ` headerKeys: [${record.headers.map((h) => h.key).join(',')}]`;
    if (header.isControl) {
      const type = controlRecordType(record.key);
      if (type === 0 || type === 1) {
        const { coordinatorEpoch } = decodeControlRecordValue(record.value);
        line += ` endTxnMarker: ${type === 0 ? 'ABORT' : 'COMMIT'} coordinatorEpoch: ${coordinatorEpoch}`;
      } else if (type === RaftControlRecordType.SNAPSHOT_HEADER || type === RaftControlRecordType.SNAPSHOT_FOOTER) {
        const header = type === RaftControlRecordType.SNAPSHOT_HEADER;
        const name = header ? 'SnapshotHeaderRecord' : 'SnapshotFooterRecord';
        line += ` ${header ? 'SnapshotHeader' : 'SnapshotFooter'} ${raftControlRecordJson(name, record.value ?? Buffer.alloc(0))}`;
      } else {
        line += ` controlType: ${CONTROL_TYPE_NAMES[type] ?? 'UNKNOWN'}(${type})`;
      }
    }
  }
  if (opts.printDataLog && !header.isControl) {
    const { key, payload } = opts.parser(record);
    if (key !== null) {
      line += `${prefix}key: ${key}`;
      prefix = ' ';
    }
    if (payload !== null) line += ` payload: ${payload}`;
  }
  return line;
}

function dumpLog(out: BufferedWriter, filePath: string, opts: DumpLogOptions, problems: DumpProblems): void {
  const name = path.basename(filePath);
  const snapshot = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
  if (name.endsWith('.log')) {
    out.write(`Log starting offset: ${Number(name.split('.')[0])}\n`);
  } else if (name === 'bootstrap.checkpoint') {
    out.write('KRaft bootstrap snapshot\n');
  } else if (snapshot !== null) {
    out.write(`Snapshot end offset: ${Number(snapshot[1])}, epoch: ${Number(snapshot[2])}\n`);
  }
  const file = new FileReader(filePath);
  try {
    const limit = Math.min(file.size, opts.maxBytes);
    let position = 0;
    let lastOffset = -1;
    for (;;) {
      // A batch larger than max-message-size still prints (Kafka's FileRecords has no such cap).
      const batch = batchAt(file, position, limit, INT_MAX);
      if (batch === null) break;
      const { header, bytes } = batch;
      out.write(batchLine(header, bytes, position) + '\n');
      if (opts.deepIteration) {
        let records: DecodedRecord[];
        try {
          records = decodeRecordBatch(bytes).records;
        } catch (err) {
          throw new CliError(`Found invalid records in batch at position ${position} of ${filePath}: ${(err as Error).message}`);
        }
        for (const record of records) {
          if (lastOffset !== -1 && record.offset !== lastOffset + 1) {
            const list = problems.nonConsecutive.get(path.resolve(filePath)) ?? [];
            list.unshift([lastOffset, record.offset]);
            problems.nonConsecutive.set(path.resolve(filePath), list);
          }
          lastOffset = record.offset;
          out.write(recordLine(header, record, opts) + '\n');
        }
      }
      position += header.sizeInBytes;
      if (out.closed) return;
    }
    const trailing = limit - position;
    if (trailing > 0 && opts.maxBytes === INT_MAX) {
      out.write(`Found ${trailing} invalid bytes at the end of ${path.basename(filePath)}\n`);
    }
  } finally {
    file.close();
  }
}

function siblingPath(filePath: string, suffix: string): string {
  const dir = path.dirname(path.resolve(filePath));
  return path.join(dir, path.basename(filePath).split('.')[0] + suffix);
}

/** Entries of a fixed-width index file up to the first zero-filled slot (preallocated tail). */
function indexEntries(buf: Buffer, entrySize: number, read: (pos: number) => [number, number]): Array<[number, number]> {
  const entries: Array<[number, number]> = [];
  for (let pos = 0; pos + entrySize <= buf.length; pos += entrySize) entries.push(read(pos));
  return entries;
}

function dumpIndex(out: BufferedWriter, filePath: string, opts: DumpLogOptions, problems: DumpProblems): void {
  const baseOffset = Number(path.basename(filePath).split('.')[0]);
  const index = new FileReader(filePath);
  const buf = index.read(0, index.size);
  index.close();
  // offset index entry: int32 relative offset, int32 position
  const entries = indexEntries(buf, 8, (pos) => [baseOffset + buf.readInt32BE(pos), buf.readInt32BE(pos + 4)]);
  if (entries.length === 0) {
    out.write(`${filePath} is empty.\n`);
    return;
  }
  if (opts.indexSanityOnly) {
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]![0] <= entries[i - 1]![0]) {
        throw new CliError(`Corrupt index found, index file (${filePath}) has non-zero size but the last offset is ${entries[entries.length - 1]![0]} which is no greater than the base offset ${baseOffset}.`);
      }
    }
    out.write(`${filePath} passed sanity check.\n`);
    return;
  }
  const log = new FileReader(siblingPath(filePath, '.log'));
  try {
    for (let i = 0; i < entries.length; i++) {
      const [offset, position] = entries[i]!;
      // a sparse (preallocated) index ends in zero entries; stop at the first one
      if (offset === baseOffset && i > 0) return;
      const batch = batchAt(log, position, log.size, opts.maxMessageSize);
      const batchLastOffset = batch === null ? -1 : batch.header.lastOffset;
      if (batchLastOffset !== offset) {
        const key = path.resolve(filePath);
        const list = problems.indexMismatches.get(key) ?? [];
        list.unshift([offset, batchLastOffset]);
        problems.indexMismatches.set(key, list);
      }
      if (!opts.verifyOnly) out.write(`offset: ${offset} position: ${position}\n`);
    }
  } finally {
    log.close();
  }
}

/** The .index entries as [offset, position] (empty when the file is missing). */
function readOffsetIndex(indexPath: string, baseOffset: number): Array<[number, number]> {
  let buf: Buffer;
  try {
    const file = new FileReader(indexPath);
    buf = file.read(0, file.size);
    file.close();
  } catch {
    return [];
  }
  const entries = indexEntries(buf, 8, (pos) => [baseOffset + buf.readInt32BE(pos), buf.readInt32BE(pos + 4)]);
  const end = entries.findIndex(([offset], i) => i > 0 && offset === baseOffset);
  return end < 0 ? entries : entries.slice(0, end);
}

/** Position of the last index entry whose offset is <= `offset` (binary search), else 0. */
function floorPosition(entries: Array<[number, number]>, offset: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  let position = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]![0] <= offset) {
      position = entries[mid]![1];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return position;
}

function dumpTimeIndex(out: BufferedWriter, filePath: string, opts: DumpLogOptions, problems: DumpProblems): void {
  const baseOffset = Number(path.basename(filePath).split('.')[0]);
  const index = new FileReader(filePath);
  const buf = index.read(0, index.size);
  index.close();
  // time index entry: int64 timestamp, int32 relative offset
  const entries = indexEntries(buf, 12, (pos) => [Number(buf.readBigInt64BE(pos)), baseOffset + buf.readInt32BE(pos + 8)]);
  if (opts.indexSanityOnly) {
    for (let i = 1; i < entries.length; i++) {
      const [ts, off] = entries[i]!;
      if (off === baseOffset && ts === 0) break;
      if (ts < entries[i - 1]![0] || off < entries[i - 1]![1]) {
        throw new CliError(`Corrupt time index found, time index file (${filePath}) has entries out of order at slot ${i}.`);
      }
    }
    out.write(`${filePath} passed sanity check.\n`);
    return;
  }
  const log = new FileReader(siblingPath(filePath, '.log'));
  const offsetIndex = readOffsetIndex(siblingPath(filePath, '.index'), baseOffset);
  try {
    for (let i = 0; i < entries.length; i++) {
      const [timestamp, offset] = entries[i]!;
      if (offset === baseOffset && i > 0) return;
      // find the batch ending at the indexed offset, starting where the offset index points
      let position = floorPosition(offsetIndex, offset);
      let found: BatchHeader | null = null;
      for (let batch = batchAt(log, position, log.size, INT_MAX); batch !== null; batch = batchAt(log, position, log.size, INT_MAX)) {
        if (batch.header.lastOffset >= offset) {
          found = batch.header;
          break;
        }
        position += batch.header.sizeInBytes;
      }
      if (found === null || found.lastOffset !== offset) {
        const key = path.resolve(filePath);
        const list = problems.timeIndexMismatches.get(key) ?? [];
        list.push([offset, found?.lastOffset ?? -1]);
        problems.timeIndexMismatches.set(key, list);
      } else if (found.maxTimestamp !== timestamp) {
        const key = path.resolve(filePath);
        const list = problems.timestampMismatches.get(key) ?? [];
        list.push([timestamp, found.maxTimestamp]);
        problems.timestampMismatches.set(key, list);
      }
      if (!opts.verifyOnly) out.write(`timestamp: ${timestamp} offset: ${offset}\n`);
    }
  } finally {
    log.close();
  }
}

// ---------------------------------------------------------------------------
// __consumer_offsets and __transaction_state decoders (Kafka's JSON layout:
// key {"type":"<record type>","data":{...}}, value {"version":"<v>","data":{...}})

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value !== null && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  }
  return value;
}

/** Decodes an embedded consumer-protocol blob (int16 version + struct) for display; null when it does not parse. */
function consumerProtocolJson(schema: 'ConsumerProtocolSubscription' | 'ConsumerProtocolAssignment', bytes: Buffer): unknown {
  try {
    const reader = new ByteReader(bytes);
    const version = reader.int16();
    if (version < 0) return null;
    return decodeData(schema, Math.min(version, 3), reader);
  } catch {
    return null;
  }
}

export const offsetsParser: RecordParser = (record) => {
  if (record.key === null) {
    throw new CliError(`Failed to decode message at offset ${record.offset} using offset topic decoder (message had a missing key)`);
  }
  try {
    const key = decodeGroupRecordKey(record.key);
    const keyType = record.key.readInt16BE(0);
    if (key.type === 'unknown') return { key: `Unknown record type ${key.recordType} at offset ${record.offset}, skipping.`, payload: null };
    const keyJson = key.type === 'offset'
      ? JSON.stringify({ type: String(keyType), data: key.key })
      : JSON.stringify({ type: String(keyType), data: { group: key.group } });
    if (record.value === null) return { key: keyJson, payload: '<DELETE>' };
    const version = record.value.readInt16BE(0);
    if (key.type === 'offset') {
      const value = decodeOffsetCommitValue(record.value);
      if (value === null) throw new Error(`unsupported OffsetCommitValue version ${version}`);
      const data: Record<string, unknown> = { offset: value.offset };
      if (version >= 3) data.leaderEpoch = value.leaderEpoch;
      data.metadata = value.metadata;
      data.commitTimestamp = value.commitTimestamp;
      return { key: keyJson, payload: JSON.stringify({ version: String(version), data }) };
    }
    const value = decodeGroupMetadataValue(record.value);
    if (value === null) throw new Error(`unsupported GroupMetadataValue version ${version}`);
    const data: Record<string, unknown> = {
      protocolType: value.protocolType,
      generation: value.generation,
      protocol: value.protocol,
      leader: value.leader,
    };
    if (version >= 2) data.currentStateTimestamp = value.currentStateTimestamp;
    data.members = value.members.map((m) => {
      const member: Record<string, unknown> = { memberId: m.memberId };
      if (version >= 3) member.groupInstanceId = m.groupInstanceId;
      member.clientId = m.clientId;
      member.clientHost = m.clientHost;
      if (version >= 1) member.rebalanceTimeout = m.rebalanceTimeout;
      member.sessionTimeout = m.sessionTimeout;
      const consumer = value.protocolType === 'consumer';
      member.subscription = (consumer ? consumerProtocolJson('ConsumerProtocolSubscription', m.subscription) : null) ?? m.subscription;
      member.assignment = (consumer ? consumerProtocolJson('ConsumerProtocolAssignment', m.assignment) : null) ?? m.assignment;
      return member;
    });
    return { key: keyJson, payload: JSON.stringify({ version: String(version), data }, jsonReplacer) };
  } catch (err) {
    return { key: `Error at offset ${record.offset}, skipping. ${(err as Error).message}`, payload: null };
  }
};

/** --cluster-metadata-decoder: each record's value is a framed KRaft metadata record; no keys. */
export const clusterMetadataParser: RecordParser = (record) => {
  try {
    if (record.value === null) throw new Error('the record has no value');
    return { key: null, payload: metadataRecordJson(decodeMetadataRecord(record.value)) };
  } catch (err) {
    return { key: null, payload: `Error at ${record.offset}, skipping. ${(err as Error).message}` };
  }
};

const TRANSACTION_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

/** TransactionLogKey v0 (string transactionalId) and TransactionLogValue v0-1, printed as Kafka 3.x's TransactionLog formatter does. */
export const transactionLogParser: RecordParser = (record) => {
  if (record.key === null) throw new CliError(`Failed to decode message at offset ${record.offset} using transaction log decoder (message had a missing key)`);
  try {
    const keyReader = new ByteReader(record.key);
    const keyVersion = keyReader.int16();
    if (keyVersion !== 0) return { key: `unknown::version=${keyVersion}`, payload: 'unknown' };
    const transactionalId = keyReader.string();
    const key = `transaction_metadata::transactionalId=${transactionalId}`;
    if (record.value === null) return { key, payload: '<DELETE>' };
    const r = new ByteReader(record.value);
    r.int16();
    const producerId = Number(r.int64());
    const producerEpoch = r.int16();
    const txnTimeoutMs = r.int32();
    const state = r.int8();
    const partitionCount = r.int32();
    const partitions: string[] = [];
    for (let i = 0; i < partitionCount; i++) {
      const topic = r.string();
      const ids = r.int32();
      for (let j = 0; j < ids; j++) partitions.push(`${topic}-${r.int32()}`);
    }
    const txnLastUpdateTimestamp = Number(r.int64());
    const payload = `producerId:${producerId},producerEpoch:${producerEpoch},state=${TRANSACTION_STATES[state] ?? state},` +
      `partitions=${partitions.join(',')},txnLastUpdateTimestamp=${txnLastUpdateTimestamp},txnTimeoutMs=${txnTimeoutMs}`;
    return { key, payload };
  } catch (err) {
    return { key: `Error at offset ${record.offset}, skipping. ${(err as Error).message}`, payload: null };
  }
};

function printProblems(problems: DumpProblems): void {
  for (const [file, list] of problems.indexMismatches) {
    process.stderr.write(`Mismatches in :${file}\n`);
    for (const [indexOffset, logOffset] of list) process.stderr.write(`  Index offset: ${indexOffset}, log offset: ${logOffset}\n`);
  }
  for (const [file, list] of problems.timestampMismatches) {
    process.stderr.write(`Found timestamp mismatch in :${file}\n`);
    for (const [indexed, logged] of list) process.stderr.write(`  Index timestamp: ${indexed}, log timestamp: ${logged}\n`);
  }
  for (const list of problems.timeIndexMismatches.values()) {
    process.stderr.write('The following indexed offsets are not found in the log.\n');
    for (const [indexed, found] of list) process.stderr.write(`Indexed offset: ${indexed}, found log offset: ${found}\n`);
  }
  for (const [file, list] of problems.nonConsecutive) {
    process.stderr.write(`Non-consecutive offsets in ${file}\n`);
    for (const [first, second] of list) process.stderr.write(`  ${first} is followed by ${second}\n`);
  }
}

/** Dumps each file to `out` (the tool's work without process handling; exported for tests). */
export function dumpFiles(out: BufferedWriter, files: readonly string[], opts: DumpLogOptions): void {
  const problems: DumpProblems = { indexMismatches: new Map(), nonConsecutive: new Map(), timeIndexMismatches: new Map(), timestampMismatches: new Map() };
  for (const file of files) {
    out.write(`Dumping ${file}\n`);
    const suffix = path.extname(file);
    if (suffix === '.log' || suffix === '.checkpoint') dumpLog(out, file, opts, problems);
    else if (suffix === '.index') dumpIndex(out, file, opts, problems);
    else if (suffix === '.timeindex') dumpTimeIndex(out, file, opts, problems);
    else process.stderr.write(`Ignoring unknown file ${file}\n`);
    if (out.closed) return;
  }
  printProblems(problems);
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const filesArg = args.get('files');
    if (filesArg === undefined) throw new UsageError('Missing required argument "[files]"');
    const offsets = args.has('offsets-decoder');
    const transactions = args.has('transaction-log-decoder');
    const clusterMetadata = args.has('cluster-metadata-decoder');
    const printDataLog = args.has('print-data-log') || offsets || transactions || clusterMetadata ||
      args.has('key-decoder-class') || args.has('value-decoder-class');
    const opts: DumpLogOptions = {
      printDataLog,
      deepIteration: args.has('deep-iteration') || printDataLog,
      skipRecordMetadata: args.has('skip-record-metadata'),
      maxBytes: intOption(args, 'max-bytes') ?? INT_MAX,
      maxMessageSize: intOption(args, 'max-message-size') ?? 5 * 1024 * 1024,
      indexSanityOnly: args.has('index-sanity-check'),
      verifyOnly: args.has('verify-index-only'),
      parser: offsets ? offsetsParser : transactions ? transactionLogParser : clusterMetadata ? clusterMetadataParser : stringParser,
    };
    const out = new BufferedWriter(process.stdout);
    try {
      dumpFiles(out, filesArg.split(','), opts);
    } finally {
      await out.flush();
    }
    return 0;
  },
};
