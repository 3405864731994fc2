/**
 * A partition whose log is refused for a corrupt batch in the middle is reported offline
 * by Metadata (v1, v12) and DescribeTopicPartitions (v0), over the wire: this broker in
 * offlineReplicas, leader -1 and LEADER_NOT_AVAILABLE (what Kafka's metadata cache
 * answers when a partition's leader is unavailable); the topic's other partition is
 * reported as led. Also checked directly: the offline view follows the log's state as it
 * changes (a corruption found on a read), and never alters the stored partition state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { reportedPartitionState, type PartitionState } from '../../src/broker/services/metadata-service.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { CLEAN_SHUTDOWN_FILE, RECOVERY_POINT_CHECKPOINT_FILE } from '../../src/storage/log-manager.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from './fetch-wire.js';

const logDir = tempDir();
let broker: TestBroker | undefined;
let client: WireClient | undefined;
afterAll(async () => {
  client?.close();
  await broker?.close();
  fs.rmSync(logDir, { recursive: true, force: true });
});

/** Flips bytes inside the 5th of the segment's batches (baseOffset 8, batchLength 12, framing skipped). */
function corruptMiddleBatch(segmentFile: string): void {
  const bytes = fs.readFileSync(segmentFile);
  let position = 0;
  for (let i = 0; i < 4; i++) position += 12 + bytes.readInt32BE(position + 8);
  const size = 12 + bytes.readInt32BE(position + 8);
  bytes[position + size - 20] ^= 0x5a;
  fs.writeFileSync(segmentFile, bytes);
}

describe('offline partition in Metadata and DescribeTopicPartitions', () => {
  it('reports the refused partition with no leader and this broker offline; the other partition stays led', async () => {
    broker = await startTestBroker({ logDirs: [logDir] });
    client = await WireClient.connect(broker.port);
    const topicId = await client.createTopic('offline-t', 2);
    for (let i = 0; i < 10; i++) expect((await client.produce('offline-t', 0, [`m${i}`])).errorCode).toBe(0);
    expect((await client.produce('offline-t', 1, ['fine'])).errorCode).toBe(0);
    client.close();
    await broker.close();

    // as after a crash: no clean-shutdown marker and no recovery point, so the segment is re-validated
    corruptMiddleBatch(path.join(logDir, 'offline-t-0', '00000000000000000000.log'));
    fs.rmSync(path.join(logDir, CLEAN_SHUTDOWN_FILE), { force: true });
    fs.rmSync(path.join(logDir, RECOVERY_POINT_CHECKPOINT_FILE), { force: true });
    broker = await startTestBroker({ logDirs: [logDir] });
    client = await WireClient.connect(broker.port);
    const self = broker.config.brokerId;
    expect(broker.lines.some((l) => l.includes('corrupt record batch in the middle'))).toBe(true);

    for (const version of [1, 12]) {
      const body = version >= 10 ? { topics: [{ topicId, name: 'offline-t' }], allowAutoTopicCreation: false } : { topics: [{ name: 'offline-t' }] };
      const res = await client.send(3, version, { includeTopicAuthorizedOperations: false, ...body });
      const [p0, p1] = res.topics[0].partitions;
      expect(res.topics[0].errorCode).toBe(0);
      expect(p0).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, replicaNodes: [self], isrNodes: [self] });
      // offlineReplicas exists from Metadata v5
      expect(p0.offlineReplicas).toEqual(version >= 5 ? [self] : []);
      expect(p1).toMatchObject({ partitionIndex: 1, errorCode: ErrorCode.NONE, leaderId: self, offlineReplicas: [] });
    }

    const described = await client.send(75, 0, { topics: [{ name: 'offline-t' }], responsePartitionLimit: 2000, cursor: null });
    const [d0, d1] = described.topics[0].partitions;
    expect(d0).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, offlineReplicas: [self] });
    expect(d1).toMatchObject({ partitionIndex: 1, errorCode: ErrorCode.NONE, leaderId: self, offlineReplicas: [] });

    // the data path refuses it with KAFKA_STORAGE_ERROR; the other partition takes writes
    expect((await client.produce('offline-t', 0, ['x'])).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect((await client.produce('offline-t', 1, ['y'])).errorCode).toBe(0);
  });
});

describe('reportedPartitionState', () => {
  const stored: PartitionState = { partition: 0, leader: 1, leaderEpoch: 3, replicas: [1, 2], isr: [1, 2], offlineReplicas: [] };

  it('follows the log going offline and leaves the stored state alone', () => {
    let offlineReason: string | null = null;
    const log = { get offlineReason() { return offlineReason; } } as unknown as PartitionLog;
    const metadata = { brokerId: 1, getPartition: () => ({ state: stored, log }) };
    expect(reportedPartitionState(metadata, 't', stored)).toBe(stored);
    offlineReason = '00000000000000000000.log at position 420 (found on read)';
    expect(reportedPartitionState(metadata, 't', stored)).toEqual({ ...stored, leader: -1, offlineReplicas: [1] });
    expect(stored).toEqual({ partition: 0, leader: 1, leaderEpoch: 3, replicas: [1, 2], isr: [1, 2], offlineReplicas: [] });
    // another broker's leadership is not this broker's to withdraw
    expect(reportedPartitionState(metadata, 't', { ...stored, leader: 2 })).toMatchObject({ leader: 2, offlineReplicas: [1] });
    // a partition with no local log here is reported as stored
    expect(reportedPartitionState({ brokerId: 1, getPartition: () => undefined }, 't', stored)).toBe(stored);
  });
});
