/**
 * zstd and old Fetch versions over the wire (KIP-110 as Kafka applies it): stored zstd
 * batches of a topic with the default compression.type=producer go to any Fetch version
 * (v4 here, as kafka-python sends it), while a topic whose compression.type is zstd is
 * refused with UNSUPPORTED_COMPRESSION_TYPE below Fetch v10 and served from v10.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { WireClient } from './fetch-wire.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/protocol/records/record.js';
import { ErrorCode } from '../../src/protocol/errors.js';

let broker: TestBroker;
let client: WireClient;
beforeAll(async () => {
  broker = await startTestBroker();
  client = await WireClient.connect(broker.port);
});
afterAll(async () => {
  client?.close();
  await broker?.close();
});

function zstdBatch(values: string[]): Buffer {
  return buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })), { compression: 'zstd' });
}

async function fetch(version: number, topic: string): Promise<Record<string, any>> {
  const res = await client.send(1, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  return res.responses[0].partitions[0];
}

describe('zstd batches and Fetch versions', () => {
  it('serves stored zstd batches to Fetch v4 when the topic compression.type is producer', async () => {
    await client.createTopic('zstd-producer');
    const produced = await client.produce('zstd-producer', 0, [], zstdBatch(['a', 'b', 'c']));
    expect(produced.errorCode).toBe(ErrorCode.NONE);
    for (const version of [4, 9, 10]) {
      const p = await fetch(version, 'zstd-producer');
      expect(p.errorCode, `Fetch v${version}`).toBe(ErrorCode.NONE);
      expect(Number(p.highWatermark)).toBe(3);
      const batches = decodeRecordBatches(p.records as Buffer);
      expect(batches.map((b) => b.header.compression)).toEqual([4]);
      expect(batches.flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['a', 'b', 'c']);
    }
  });

  it('refuses Fetch v9 and serves Fetch v10 for a topic whose compression.type is zstd', async () => {
    const res = await client.send(19, 7, {
      topics: [{ name: 'zstd-topic', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'compression.type', value: 'zstd' }] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(res.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect((await client.produce('zstd-topic', 0, [], zstdBatch(['x', 'y']))).errorCode).toBe(ErrorCode.NONE);
    for (const version of [4, 9]) {
      const p = await fetch(version, 'zstd-topic');
      expect(p.errorCode, `Fetch v${version}`).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      expect((p.records as Buffer).length).toBe(0);
    }
    const v10 = await fetch(10, 'zstd-topic');
    expect(v10.errorCode).toBe(ErrorCode.NONE);
    expect(decodeRecordBatches(v10.records as Buffer).flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['x', 'y']);
  });
});
