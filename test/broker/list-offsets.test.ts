/**
 * ListOffsets v1-10 over the wire: latest / earliest / max-timestamp / earliest-local /
 * latest-tiered special timestamps, lookup by time, CurrentLeaderEpoch checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { WireClient } from './fetch-wire.js';

let broker: TestBroker;
let client: WireClient;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  broker = await startTestBroker();
  client = await WireClient.connect(broker.port);
  await client.createTopic('lo', 1);
  // offsets 0..2 at T0, T0+30, T0+10; offsets 3..4 at T0+20, T0+40
  await client.produce('lo', 0, [], buildRecordBatch([0, 30, 10].map((d) => ({ key: null, value: Buffer.from('v'), timestamp: T0 + d }))));
  await client.produce('lo', 0, [], buildRecordBatch([20, 40].map((d) => ({ key: null, value: Buffer.from('v'), timestamp: T0 + d }))));
  // DeleteRecords v2: log start moves to 1
  const del = await client.send(21, 2, { topics: [{ name: 'lo', partitions: [{ partitionIndex: 0, offset: 1n }] }], timeoutMs: 5000 });
  expect(del.topics[0].partitions[0].errorCode).toBe(0);
});
afterAll(async () => {
  client.close();
  await broker.close();
});

async function listOffset(version: number, timestamp: number, opts: { isolationLevel?: number; currentLeaderEpoch?: number; partition?: number } = {}) {
  const res = await client.send(2, version, {
    replicaId: -1,
    isolationLevel: opts.isolationLevel ?? 0,
    topics: [
      {
        name: 'lo',
        partitions: [{ partitionIndex: opts.partition ?? 0, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 }],
      },
    ],
    timeoutMs: 1000,
  });
  const p = res.topics[0].partitions[0];
  return { errorCode: p.errorCode as number, offset: Number(p.offset), timestamp: Number(p.timestamp), leaderEpoch: p.leaderEpoch as number };
}

describe('ListOffsets', () => {
  it('answers -1 latest and -2 earliest at every version 1-10', async () => {
    for (let v = 1; v <= 10; v++) {
      expect((await listOffset(v, -1)).offset).toBe(5);
      expect((await listOffset(v, -2)).offset).toBe(1);
    }
  });

  it('-3 (v7+) gives the offset of the max timestamp', async () => {
    const r = await listOffset(7, -3);
    expect(r).toMatchObject({ errorCode: 0, offset: 4, timestamp: T0 + 40 });
  });

  it('-4 (v8+) is the earliest local offset, -5 (v9+) is latest tiered: -1 without tiered storage', async () => {
    expect(await listOffset(8, -4)).toMatchObject({ errorCode: 0, offset: 1 });
    expect(await listOffset(9, -5)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 });
    expect(await listOffset(10, -5)).toMatchObject({ errorCode: 0, offset: -1 });
  });

  it('finds the first offset with a timestamp at or after the target, from the log start on', async () => {
    expect(await listOffset(10, T0 + 15)).toMatchObject({ errorCode: 0, offset: 1, timestamp: T0 + 30 });
    expect(await listOffset(4, T0 + 35)).toMatchObject({ errorCode: 0, offset: 4, timestamp: T0 + 40 });
    expect(await listOffset(10, T0 + 41)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 });
  });

  it('returns the leader epoch from v4 and checks CurrentLeaderEpoch', async () => {
    expect((await listOffset(4, -1)).leaderEpoch).toBe(0);
    expect((await listOffset(10, -1, { currentLeaderEpoch: 0 })).errorCode).toBe(0);
    expect((await listOffset(10, -1, { currentLeaderEpoch: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });

  it('reports an unknown partition', async () => {
    expect((await listOffset(10, -1, { partition: 7 })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
