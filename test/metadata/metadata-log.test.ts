/**
 * The metadata log on disk: records appended and fsynced into __cluster_metadata-0,
 * the image rebuilt on reopen from the log alone and from a snapshot plus the
 * records after it, a torn tail cut off, snapshots written every
 * metadata.log.max.record.bytes.between.snapshots and the segments behind them
 * deleted, and the segment readable by kafka-dump-log.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dumpFiles } from '../../src/cli/commands/kafka-dump-log.js';
import { BufferedWriter } from '../../src/cli/output.js';
import { MetadataReplayError } from '../../src/metadata/apply.js';
import { ConfigResourceType, partitionsOf, resourceConfigs } from '../../src/metadata/image.js';
import { METADATA_LOG_DIR_NAME, MetadataLog, type MetadataChange, type MetadataLogOptions } from '../../src/metadata/metadata-log.js';
import { configRecord, registerBrokerRecord, topicRecords } from '../../src/metadata/records.js';
import { listSnapshots, readSnapshot, snapshotFileName } from '../../src/metadata/snapshot-file.js';
import { decodeMetadataRecord, metadataRecord, type MetadataRecord } from '../../src/protocol/metadata-records.js';
import { controlRecordType, decodeRecordBatches } from '../../src/protocol/records/record.js';
import { LogManager, writeMetaProperties } from '../../src/storage/log-manager.js';
import { defaultLogConfig } from '../../src/storage/partition-log.js';

const IDS = ['Ab3dEfGhIjKlMnOpQrStUw', 'ZYxwVUtSrQpOnMlKjIhGfA', 'q1w2e3r4t5y6u7i8o9p0aQ', 'MNbvCXzlKJhgFDsaPOiuYA'];

let root: string;
let opened: MetadataLog[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kts-metadata-log-'));
  opened = [];
});
afterEach(() => {
  for (const log of opened) {
    try {
      log.close();
    } catch {
      // already closed
    }
  }
  rmSync(root, { recursive: true, force: true });
});

function open(overrides: Partial<MetadataLogOptions> = {}): MetadataLog {
  const log = MetadataLog.open({ logDir: root, nodeId: 1, clusterId: 'cluster-A', ...overrides });
  opened.push(log);
  return log;
}

function reopen(log: MetadataLog, overrides: Partial<MetadataLogOptions> = {}): MetadataLog {
  log.close();
  opened = opened.filter((l) => l !== log);
  return open(overrides);
}

function topic(name: string, topicId: string, partitions = 2): MetadataRecord[] {
  return topicRecords({
    name,
    topicId,
    partitions: Array.from({ length: partitions }, (_, partition) => ({ partition, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 })),
    configs: { 'retention.ms': String(1000 + partitions) },
  });
}

const broker = registerBrokerRecord({
  id: 1,
  epoch: 0n,
  incarnationId: IDS[3]!,
  endpoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0 }],
  rack: null,
  fenced: false,
  inControlledShutdown: false,
});

/** A history touching every part of the image. */
function writeHistory(log: MetadataLog): void {
  log.append([metadataRecord('FeatureLevelRecord', { name: 'metadata.version', featureLevel: 21 }), broker]);
  log.append(topic('orders', IDS[0]!, 3));
  log.append(topic('payments', IDS[1]!, 1));
  log.append([metadataRecord('PartitionChangeRecord', { partitionId: 2, topicId: IDS[0]!, leader: -1, isr: [] })]);
  log.append([configRecord(ConfigResourceType.TOPIC, 'orders', 'retention.ms', null), configRecord(ConfigResourceType.BROKER, '', 'log.retention.ms', '9')]);
  log.append([metadataRecord('ProducerIdsRecord', { brokerId: 1, brokerEpoch: 0n, nextProducerId: 1000n })]);
  log.append([metadataRecord('RemoveTopicRecord', { topicId: IDS[1]! })]);
}

describe('MetadataLog', () => {
  it('appends durably and rebuilds the same image from the log after a restart', () => {
    let log = open();
    expect(existsSync(join(root, METADATA_LOG_DIR_NAME, '00000000000000000000.log'))).toBe(true);
    writeHistory(log);
    const image = log.image();
    expect(image.topicsByName.has('payments')).toBe(false);
    expect(partitionsOf(image.topicsByName.get('orders')!).map((p) => [p.leader, p.leaderEpoch, p.partitionEpoch])).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [-1, 1, 1],
    ]);
    expect(resourceConfigs(image, ConfigResourceType.TOPIC, 'orders')).toEqual({});
    const firstEpoch = log.epoch;

    log = reopen(log);
    expect(log.image()).toEqual(image);
    expect(log.image().clusterId).toBe('cluster-A');
    expect(log.epoch).toBe(firstEpoch + 1);
    expect(log.snapshotIds()).toEqual([]);
  });

  it('takes the cluster id from meta.properties when none is given, and refuses to open without one', () => {
    expect(() => open({ clusterId: undefined })).toThrow(/meta.properties has no cluster.id/);
    writeMetaProperties(root, { clusterId: 'from-meta-props', nodeId: 1 });
    expect(open({ clusterId: undefined }).image().clusterId).toBe('from-meta-props');
  });

  it('refuses records that do not apply, writing nothing', () => {
    const log = open();
    log.append(topic('orders', IDS[0]!));
    const end = log.endOffset;
    const before = log.image();
    expect(() => log.append([metadataRecord('RemoveTopicRecord', { topicId: IDS[1]! })])).toThrow(MetadataReplayError);
    // all-or-nothing: a valid record in the same append is not written either
    expect(() => log.append([...topic('other', IDS[2]!), metadataRecord('PartitionChangeRecord', { partitionId: 7, topicId: IDS[2]!, isr: [] })])).toThrow(
      MetadataReplayError,
    );
    // a record the image would not keep (and a snapshot would lose) is refused too
    expect(() =>
      log.append([metadataRecord('ClientQuotaRecord', { entity: [{ entityType: 'user', entityName: 'a' }], key: 'producer_byte_rate', value: 1024, remove: false })]),
    ).toThrow(/not kept by the metadata image/);
    expect(log.endOffset).toBe(end);
    expect(log.image()).toBe(before);
    expect(reopen(log).image()).toEqual(before);
  });

  it('tells listeners about each change after it is durable, with the previous image and offsets', () => {
    const log = open();
    const seen: MetadataChange[] = [];
    const unsubscribe = log.onChange((image, change) => {
      expect(image.topicsByName.has('orders')).toBe(true);
      seen.push(change);
    });
    const base = log.endOffset;
    const last = log.append(topic('orders', IDS[0]!));
    expect(last).toBe(base + 3);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ baseOffset: base, lastOffset: base + 3 });
    expect(seen[0]!.previous.topicsByName.size).toBe(0);
    expect(log.image().provenance).toMatchObject({ lastContainedOffset: last, lastContainedEpoch: log.epoch });
    unsubscribe();
    log.append([configRecord(ConfigResourceType.TOPIC, 'orders', 'cleanup.policy', 'compact')]);
    expect(seen).toHaveLength(1);
  });

  it('rebuilds the image from a snapshot plus the records after it, after the segments behind the snapshot are gone', () => {
    let log = open({ segmentBytes: 512 });
    writeHistory(log);
    const id = log.snapshot()!;
    expect(id.endOffset).toBe(log.image().provenance.lastContainedOffset + 1);
    expect(id.epoch).toBe(log.epoch);
    const dir = join(root, METADATA_LOG_DIR_NAME);
    expect(existsSync(join(dir, snapshotFileName(id)))).toBe(true);
    expect(snapshotFileName(id)).toMatch(/^\d{20}-\d{10}\.checkpoint$/);
    // small segments: everything wholly before the snapshot was deleted
    expect(log.segmentBaseOffsets()[0]).toBeGreaterThan(0);
    expect(log.segmentBaseOffsets()[0]).toBeLessThanOrEqual(id.endOffset);

    log.append(topic('later', IDS[2]!, 2));
    log.append([metadataRecord('PartitionChangeRecord', { partitionId: 0, topicId: IDS[0]!, isr: [1], leader: 1 })]);
    const image = log.image();

    log = reopen(log, { segmentBytes: 512 });
    expect(log.image()).toEqual(image);
    expect(log.image().topicsByName.get('orders')!.partitions.get(0)).toMatchObject({ leaderEpoch: 1, partitionEpoch: 1 });
    // the snapshot alone holds the image as of its offset
    const contents = readSnapshot(dir, id);
    expect(contents.records.some((r) => r.type === 'TopicRecord' && r.data.name === 'later')).toBe(false);
    expect(contents.records[0]).toMatchObject({ type: 'FeatureLevelRecord' });
  });

  it('writes a snapshot every metadata.log.max.record.bytes.between.snapshots and keeps only the newest', () => {
    let log = open({ maxBytesBetweenSnapshots: 600 });
    for (let i = 0; i < 12; i++) log.append([configRecord(ConfigResourceType.BROKER, '', `k${i}`, 'x'.repeat(50))]);
    const ids = log.snapshotIds();
    expect(ids).toHaveLength(1);
    expect(listSnapshots(join(root, METADATA_LOG_DIR_NAME))).toEqual(ids);
    const image = log.image();
    log = reopen(log, { maxBytesBetweenSnapshots: 600 });
    expect(log.image()).toEqual(image);
    expect(Object.keys(resourceConfigs(log.image(), ConfigResourceType.BROKER, ''))).toHaveLength(12);
  });

  it('writes a snapshot once the oldest record outside one is metadata.log.max.snapshot.interval.ms old', () => {
    let now = 1_000_000;
    const log = open({ maxSnapshotIntervalMs: 60_000, clock: () => now });
    log.append(topic('orders', IDS[0]!));
    now += 59_999;
    log.append(topic('payments', IDS[1]!));
    expect(log.snapshotIds()).toEqual([]);
    now += 1;
    log.append([configRecord(ConfigResourceType.TOPIC, 'orders', 'retention.ms', '1')]);
    const first = { endOffset: log.image().provenance.lastContainedOffset + 1, epoch: log.epoch };
    expect(log.snapshotIds()).toEqual([first]);
    // the clock restarts with the next record: a long pause before it does not count
    now += 60_000;
    log.append([configRecord(ConfigResourceType.TOPIC, 'orders', 'retention.ms', '2')]);
    expect(log.snapshotIds()).toEqual([first]);
    now += 60_000;
    log.append([configRecord(ConfigResourceType.TOPIC, 'orders', 'retention.ms', '3')]);
    expect(log.snapshotIds()).toEqual([{ endOffset: log.endOffset, epoch: log.epoch }]);
  });

  it('falls back to the log when the newest snapshot is damaged, and ignores a partial snapshot', () => {
    let log = open();
    writeHistory(log);
    const id = log.snapshot()!;
    log.append(topic('later', IDS[2]!));
    const image = log.image();
    log.close();
    opened = [];
    const dir = join(root, METADATA_LOG_DIR_NAME);
    const file = join(dir, snapshotFileName(id));
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] ^= 0xff; // CRC mismatch in the footer batch
    writeFileSync(file, bytes);
    writeFileSync(join(dir, '00000000000000000999-0000000009.checkpoint.part'), 'partial');
    const lines: string[] = [];
    log = open({ logger: (l) => lines.push(l) });
    expect(log.image()).toEqual(image);
    expect(lines.some((l) => l.includes('Unreadable metadata snapshot'))).toBe(true);
    expect(readdirSync(dir).some((n) => n.endsWith('.part'))).toBe(false);
  });

  it('cuts off a torn tail on reopen, keeping every whole batch', () => {
    let log = open();
    log.append(topic('orders', IDS[0]!));
    const kept = log.image();
    const segment = join(root, METADATA_LOG_DIR_NAME, '00000000000000000000.log');
    const sizeBefore = statSync(segment).size;
    log.append(topic('torn', IDS[1]!));
    log.close();
    opened = [];
    // a crash mid-write: only part of the last batch reached the disk, then garbage
    truncateSync(segment, sizeBefore + 30);
    appendFileSync(segment, Buffer.from([1, 2, 3, 4, 5]));
    const lines: string[] = [];
    log = open({ logger: (l) => lines.push(l) });
    expect(log.image().topicsByName.has('torn')).toBe(false);
    expect({ ...log.image(), provenance: kept.provenance }).toEqual(kept);
    expect(lines.some((l) => /truncated \d+ bytes/.test(l))).toBe(true);
    // and the log goes on from there
    log.append(topic('torn', IDS[1]!));
    const image = log.image();
    expect(reopen(log).image()).toEqual(image);
  });

  it('cuts off a torn tail after a snapshot too (the segments past the snapshot are re-validated)', () => {
    let log = open();
    writeHistory(log);
    log.snapshot();
    log.append(topic('after-snapshot', IDS[2]!));
    const kept = log.image();
    const keptEnd = log.endOffset;
    const segment = join(root, METADATA_LOG_DIR_NAME, '00000000000000000000.log');
    const sizeBefore = statSync(segment).size;
    log.append(topic('torn', IDS[1]!));
    log.close();
    opened = [];
    truncateSync(segment, sizeBefore + 20);
    log = open();
    expect(log.image().topicsByName.has('torn')).toBe(false);
    expect(log.image()).toEqual(kept);
    // the torn batch is gone; the new epoch's LeaderChange batch follows the last whole one
    expect(log.endOffset).toBe(keptEnd + 1);
  });

  it("is not opened as a partition log by storage's LogManager (which would take it for a deleted topic's)", () => {
    const log = open();
    log.append(topic('orders', IDS[0]!));
    const manager = new LogManager([root], defaultLogConfig());
    try {
      expect(manager.loadLogs().map((l) => `${l.topic}-${l.partition}`)).toEqual([]);
    } finally {
      manager.shutdown();
    }
    expect(reopen(log).image().topicsByName.has('orders')).toBe(true);
  });

  it('is a Kafka log: magic-2 batches at the raft epoch, a LeaderChange control batch per election, that kafka-dump-log prints', async () => {
    let log = open();
    log.append(topic('orders', IDS[0]!, 1));
    log = reopen(log);
    log.append([broker]);
    log.close();
    opened = [];
    const segment = join(root, METADATA_LOG_DIR_NAME, '00000000000000000000.log');
    const batches = decodeRecordBatches(readFileSync(segment));
    expect(batches.map((b) => [b.header.baseOffset, b.header.isControl, b.header.partitionLeaderEpoch, b.header.recordCount])).toEqual([
      [0, true, 1, 1],
      [1, false, 1, 3],
      [4, true, 2, 1],
      [5, false, 2, 1],
    ]);
    expect(controlRecordType(batches[0]!.records[0]!.key)).toBe(2); // LEADER_CHANGE
    expect(batches[1]!.records.map((r) => decodeMetadataRecord(r.value!).type)).toEqual(['TopicRecord', 'ConfigRecord', 'PartitionRecord']);
    expect(readFileSync(join(root, METADATA_LOG_DIR_NAME, 'quorum-state'), 'utf8')).toContain('"leaderEpoch":2');

    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const out = new BufferedWriter(sink);
    dumpFiles(out, [segment], {
      printDataLog: false,
      deepIteration: false,
      skipRecordMetadata: false,
      maxBytes: 2147483647,
      maxMessageSize: 5 * 1024 * 1024,
      indexSanityOnly: false,
      verifyOnly: false,
      parser: () => ({ key: null, payload: null }),
    });
    await out.flush();
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toContain(`Dumping ${segment}`);
    expect(text.match(/^baseOffset: /gm)).toHaveLength(4);
    expect(text).toMatch(/baseOffset: 1 lastOffset: 3 count: 3 .*partitionLeaderEpoch: 1 isTransactional: false isControl: false/);
  });
});
