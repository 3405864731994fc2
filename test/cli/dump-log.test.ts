/**
 * kafka-dump-log against segments written by our storage layer (PartitionLog, the
 * broker's append path) with fixed timestamps, compared with Kafka 3.x's
 * DumpLogSegments line format; plus the index files, the __consumer_offsets decoder,
 * a torn tail and the real bin/ script.
 */
import { existsSync, mkdtempSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dumpFiles, offsetsParser, type DumpLogOptions } from '../../src/cli/commands/kafka-dump-log.js';
import { BufferedWriter } from '../../src/cli/output.js';
import {
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../src/coordinator/group-records.js';
import { buildRecordBatch } from '../../src/protocol/records/index.js';
import { defaultLogConfig, PartitionLog } from '../../src/storage/partition-log.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const T0 = 1_700_000_000_000;
const SEGMENT = '00000000000000000000';

let root: string;
let partitionDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kts-dumplog-'));
  partitionDir = join(root, 'demo-0');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function defaults(overrides: Partial<DumpLogOptions> = {}): DumpLogOptions {
  const base: DumpLogOptions = {
    printDataLog: false,
    deepIteration: false,
    skipRecordMetadata: false,
    maxBytes: 2147483647,
    maxMessageSize: 5 * 1024 * 1024,
    indexSanityOnly: false,
    verifyOnly: false,
    parser: (r) => ({ key: r.key?.toString('utf8') ?? null, payload: r.value?.toString('utf8') ?? null }),
  };
  return { ...base, ...overrides };
}

async function dump(files: string[], opts: DumpLogOptions): Promise<string> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const out = new BufferedWriter(sink);
  dumpFiles(out, files, opts);
  await out.flush();
  return Buffer.concat(chunks).toString('utf8');
}

/** Three batches: two plain (one keyed, one with a header and a null value), one gzip. */
function writeDemoSegment(indexIntervalBytes = 4096): PartitionLog {
  const log = PartitionLog.open(partitionDir, { ...defaultLogConfig(), indexIntervalBytes });
  log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('hello'), timestamp: T0 }]), 0);
  log.appendAsLeader(
    buildRecordBatch([
      { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: T0 + 1 },
      { key: Buffer.from('k2'), value: null, headers: [{ key: 'h1', value: Buffer.from('x') }, { key: 'h2', value: null }], timestamp: T0 + 2 },
    ]),
    3,
  );
  log.appendAsLeader(
    buildRecordBatch([{ key: null, value: Buffer.from('zipped'), timestamp: T0 + 3 }], { compression: 'gzip' }),
    3,
  );
  log.flush();
  return log;
}

describe('kafka-dump-log on a .log segment', () => {
  it('prints one line per batch in Kafka 3.x format', async () => {
    const log = writeDemoSegment();
    const file = join(partitionDir, `${SEGMENT}.log`);
    const text = await dump([file], defaults());
    log.close();
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`Dumping ${file}`);
    expect(lines[1]).toBe('Log starting offset: 0');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(
      /^baseOffset: 0 lastOffset: 0 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000000 size: (\d+) magic: 2 compresscodec: none crc: (\d+) isvalid: true$/,
    );
    const size0 = Number(/size: (\d+)/.exec(lines[2]!)![1]);
    expect(lines[3]).toMatch(
      new RegExp(`^baseOffset: 1 lastOffset: 2 count: 2 .* partitionLeaderEpoch: 3 .* position: ${size0} CreateTime: 1700000000002 size: \\d+ magic: 2 compresscodec: none crc: \\d+ isvalid: true$`),
    );
    expect(lines[4]).toMatch(/^baseOffset: 3 lastOffset: 3 count: 1 .* CreateTime: 1700000000003 size: \d+ magic: 2 compresscodec: gzip crc: \d+ isvalid: true$/);
  });

  it('matches the golden output byte for byte with --print-data-log', async () => {
    const log = writeDemoSegment();
    const file = join(partitionDir, `${SEGMENT}.log`);
    const text = await dump([file], defaults({ printDataLog: true, deepIteration: true }));
    log.close();
    // Sizes and CRCs are those of the batches our encoder builds (CRC-32C over fixed bytes).
    expect(text.replaceAll(file, '<file>')).toBe(
      [
        'Dumping <file>',
        'Log starting offset: 0',
        'baseOffset: 0 lastOffset: 0 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000000 size: 73 magic: 2 compresscodec: none crc: 3863061579 isvalid: true',
        '| offset: 0 CreateTime: 1700000000000 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] payload: hello',
        'baseOffset: 1 lastOffset: 2 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 3 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 73 CreateTime: 1700000000002 size: 90 magic: 2 compresscodec: none crc: 3391459145 isvalid: true',
        '| offset: 1 CreateTime: 1700000000001 keySize: 2 valueSize: 2 sequence: -1 headerKeys: [] key: k1 payload: v1',
        '| offset: 2 CreateTime: 1700000000002 keySize: 2 valueSize: -1 sequence: -1 headerKeys: [h1,h2] key: k2',
        'baseOffset: 3 lastOffset: 3 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 3 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 163 CreateTime: 1700000000003 size: GZIP_SIZE magic: 2 compresscodec: gzip crc: GZIP_CRC isvalid: true',
        '| offset: 3 CreateTime: 1700000000003 keySize: -1 valueSize: 6 sequence: -1 headerKeys: [] payload: zipped',
        '',
      ]
        .join('\n')
        // gzip output embeds the zlib version's choices; its size/CRC are checked by the regex test above
        .replace('size: GZIP_SIZE', `size: ${/baseOffset: 3 .* size: (\d+)/.exec(text)![1]}`)
        .replace('crc: GZIP_CRC', `crc: ${/baseOffset: 3 .* crc: (\d+)/.exec(text)![1]}`),
    );
  });

  it('--deep-iteration without --print-data-log prints record metadata only', async () => {
    const log = writeDemoSegment();
    const text = await dump([join(partitionDir, `${SEGMENT}.log`)], defaults({ deepIteration: true }));
    log.close();
    expect(text).toContain('| offset: 1 CreateTime: 1700000000001 keySize: 2 valueSize: 2 sequence: -1 headerKeys: []\n');
    expect(text).not.toContain('payload:');
  });

  it('reports a torn tail as invalid bytes, and --max-bytes stops early without that line', async () => {
    const log = writeDemoSegment();
    log.close();
    const file = join(partitionDir, `${SEGMENT}.log`);
    const size = statSync(file).size;
    truncateSync(file, size - 5);
    const text = await dump([file], defaults());
    expect(text.match(/^baseOffset:/gm)).toHaveLength(2);
    expect(text).toContain(`Found ${size - 5 - 163} invalid bytes at the end of ${SEGMENT}.log`);
    const limited = await dump([file], defaults({ maxBytes: 100 }));
    expect(limited.match(/^baseOffset:/gm)).toHaveLength(1);
    expect(limited).not.toContain('invalid bytes');
  });

  it('marks a batch with a flipped byte isvalid: false', async () => {
    const log = writeDemoSegment();
    log.close();
    const file = join(partitionDir, `${SEGMENT}.log`);
    const { openSync, readSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(file, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 70);
    b[0] = b[0]! ^ 0xff;
    writeSync(fd, b, 0, 1, 70);
    closeSync(fd);
    const text = await dump([file], defaults());
    expect(text).toMatch(/baseOffset: 0 .* isvalid: false/);
    expect(text).toMatch(/baseOffset: 1 .* isvalid: true/);
  });
});

describe('kafka-dump-log on index files', () => {
  it('prints .index and .timeindex entries that match the log', async () => {
    // index.interval.bytes 0: an entry for every batch after the first
    const log = writeDemoSegment(0);
    const index = join(partitionDir, `${SEGMENT}.index`);
    const timeIndex = join(partitionDir, `${SEGMENT}.timeindex`);
    const text = await dump([index, timeIndex], defaults());
    log.close();
    expect(text).toBe(
      [
        `Dumping ${index}`,
        'offset: 2 position: 73',
        'offset: 3 position: 163',
        `Dumping ${timeIndex}`,
        'timestamp: 1700000000002 offset: 2',
        'timestamp: 1700000000003 offset: 3',
        '',
      ].join('\n'),
    );
    expect(await dump([index], defaults({ indexSanityOnly: true }))).toBe(`Dumping ${index}\n${index} passed sanity check.\n`);
    expect(await dump([index], defaults({ verifyOnly: true }))).toBe(`Dumping ${index}\n`);
  });

  it('says an empty index is empty', async () => {
    const log = writeDemoSegment();
    const index = join(partitionDir, `${SEGMENT}.index`);
    const text = await dump([index], defaults());
    log.close();
    expect(text).toBe(`Dumping ${index}\n${index} is empty.\n`);
  });
});

describe('--offsets-decoder', () => {
  it('prints __consumer_offsets keys and values as Kafka JSON', () => {
    const key = encodeOffsetCommitKey({ group: 'g1', topic: 'demo', partition: 0 });
    const value = encodeOffsetCommitValue({ offset: 42, leaderEpoch: 5, metadata: '', commitTimestamp: T0 });
    const base = { offset: 7, timestamp: T0, headers: [], attributes: 0 };
    expect(offsetsParser({ ...base, key, value })).toEqual({
      key: '{"type":"1","data":{"group":"g1","topic":"demo","partition":0}}',
      payload: '{"version":"3","data":{"offset":42,"leaderEpoch":5,"metadata":"","commitTimestamp":1700000000000}}',
    });
    expect(offsetsParser({ ...base, key, value: null }).payload).toBe('<DELETE>');
    const groupKey = encodeGroupMetadataKey('g1');
    const groupValue = encodeGroupMetadataValue({
      protocolType: 'consumer', generation: 2, protocol: 'range', leader: 'm1', currentStateTimestamp: T0, members: [],
    });
    expect(offsetsParser({ ...base, key: groupKey, value: groupValue })).toEqual({
      key: '{"type":"2","data":{"group":"g1"}}',
      payload: '{"version":"3","data":{"protocolType":"consumer","generation":2,"protocol":"range","leader":"m1","currentStateTimestamp":1700000000000,"members":[]}}',
    });
    expect(offsetsParser({ ...base, key: Buffer.from([0, 9]), value: null }).key).toBe('Unknown record type 9 at offset 7, skipping.');
  });
});

describe('bin/kafka-dump-log.sh', () => {
  const built = existsSync(join(REPO_ROOT, 'dist', 'cli', 'commands', 'kafka-dump-log.js'));
  it.skipIf(!built)('dumps a segment with --files and exits 0; no --files is a usage error', async () => {
    const log = writeDemoSegment();
    log.close();
    const file = join(partitionDir, `${SEGMENT}.log`);
    const result = await runCli('kafka-dump-log', ['--files', file, '--print-data-log']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('| offset: 0 CreateTime: 1700000000000 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] payload: hello\n');
    const missing = await runCli('kafka-dump-log', []);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Missing required argument "[files]"');
  });
});
