/**
 * kafka-dump-log over the KRaft metadata log this toolkit writes: the
 * __cluster_metadata-0 segment and a `<offset>-<epoch>.checkpoint` snapshot, with
 * --cluster-metadata-decoder printing each record as Kafka's DumpLogSegments does
 * ({"type":"TOPIC_RECORD","version":0,"data":{...}} from the generated JsonConverter,
 * tagged fields only when not default) and the raft control records by name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterMetadataParser, dumpFiles, type DumpLogOptions } from '../../src/cli/commands/kafka-dump-log.js';
import { BufferedWriter } from '../../src/cli/output.js';
import { MetadataLog } from '../../src/metadata/metadata-log.js';
import { snapshotFileName } from '../../src/metadata/snapshot-file.js';
import { topicRecords } from '../../src/metadata/records.js';
import { metadataRecord } from '../../src/protocol/metadata-records.js';

const T0 = 1_700_000_000_000;
const TOPIC_ID = 'Ab3dEfGhIjKlMnOpQrStUw';
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kts-dumplog-metadata-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function dump(files: string[]): Promise<string[]> {
  const opts: DumpLogOptions = {
    printDataLog: true,
    deepIteration: true,
    skipRecordMetadata: false,
    maxBytes: 2147483647,
    maxMessageSize: 5 * 1024 * 1024,
    indexSanityOnly: false,
    verifyOnly: false,
    parser: clusterMetadataParser,
  };
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const out = new BufferedWriter(sink);
  dumpFiles(out, files, opts);
  await out.flush();
  return Buffer.concat(chunks).toString('utf8').split('\n');
}

describe('kafka-dump-log --cluster-metadata-decoder', () => {
  it('prints metadata records as JSON and raft control records by type, for the log and for a snapshot', async () => {
    const log = MetadataLog.open({ logDir: root, nodeId: 1, clusterId: 'c', clock: () => T0 });
    log.append(
      topicRecords({ name: 'orders', topicId: TOPIC_ID, partitions: [{ partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 }] }),
    );
    log.append([metadataRecord('PartitionChangeRecord', { partitionId: 0, topicId: TOPIC_ID, isr: [], leader: -1 })]);
    const id = log.snapshot()!;
    log.close();
    const dir = join(root, '__cluster_metadata-0');

    const lines = await dump([join(dir, '00000000000000000000.log')]);
    const records = lines.filter((l) => l.startsWith('| '));
    expect(lines[1]).toBe('Log starting offset: 0');
    // value sizes: LeaderChangeMessage v0 = version 2 + leaderId 4 + two one-voter arrays 6 + 6 + tags 1;
    // PartitionRecord v0 = frame 3 + 4 + uuid 16 + [1] 5 + [1] 5 + [] 1 + [] 1 + 4 + 4 + 4 + tags 1;
    // PartitionChangeRecord = frame 3 + 4 + 16 + tag count 1 + isr (tag, size, []) 3 + leader (tag, size, int32) 6
    expect(records).toEqual([
      `| offset: 0 CreateTime: ${T0} keySize: 4 valueSize: 19 sequence: -1 headerKeys: [] controlType: LEADER_CHANGE(2)`,
      `| offset: 1 CreateTime: ${T0} keySize: -1 valueSize: 27 sequence: -1 headerKeys: [] payload: ` +
        `{"type":"TOPIC_RECORD","version":0,"data":{"name":"orders","topicId":"${TOPIC_ID}"}}`,
      `| offset: 2 CreateTime: ${T0} keySize: -1 valueSize: 48 sequence: -1 headerKeys: [] payload: ` +
        `{"type":"PARTITION_RECORD","version":0,"data":{"partitionId":0,"topicId":"${TOPIC_ID}","replicas":[1],"isr":[1],` +
        `"removingReplicas":[],"addingReplicas":[],"leader":1,"leaderEpoch":0,"partitionEpoch":0}}`,
      // only the tagged fields that were set: isr (tag 0) and leader (tag 1)
      `| offset: 3 CreateTime: ${T0} keySize: -1 valueSize: 33 sequence: -1 headerKeys: [] payload: ` +
        `{"type":"PARTITION_CHANGE_RECORD","version":2,"data":{"partitionId":0,"topicId":"${TOPIC_ID}","isr":[],"leader":-1}}`,
    ]);

    const snapshotLines = await dump([join(dir, snapshotFileName(id))]);
    expect(snapshotLines[1]).toBe(`Snapshot end offset: ${id.endOffset}, epoch: ${id.epoch}`);
    const snapshotRecords = snapshotLines.filter((l) => l.startsWith('| '));
    expect(snapshotRecords[0]).toBe(
      `| offset: 0 CreateTime: ${T0} keySize: 4 valueSize: 11 sequence: -1 headerKeys: [] SnapshotHeader {"version":0,"lastContainedLogTimestamp":${T0}}`,
    );
    expect(snapshotRecords[1]).toContain(`payload: {"type":"TOPIC_RECORD","version":0,"data":{"name":"orders","topicId":"${TOPIC_ID}"}}`);
    expect(snapshotRecords[2]).toContain('"leader":-1,"leaderEpoch":1,"partitionEpoch":1}}');
    expect(snapshotRecords[3]).toBe(`| offset: 3 CreateTime: ${T0} keySize: 4 valueSize: 3 sequence: -1 headerKeys: [] SnapshotFooter {"version":0}`);
    expect(snapshotLines.some((l) => l.startsWith('Found'))).toBe(false);
  });

  it('says which record it could not decode instead of stopping', () => {
    const garbage = clusterMetadataParser({ offset: 7, timestamp: 0, key: null, value: Buffer.from([0, 2, 0]), headers: [], attributes: 0 });
    expect(garbage).toEqual({ key: null, payload: expect.stringMatching(/^Error at 7, skipping\. .*frame version 0/) as unknown as string });
  });
});
