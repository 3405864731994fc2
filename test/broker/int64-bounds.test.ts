/**
 * Request int64s beyond what a JS number holds exactly (2^63 - 1 as a committed offset)
 * are clamped to the safe range instead of overflowing the encoder when written back
 * (the protocol fuzz test found OffsetCommit failing with a RangeError there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { WireClient } from './fetch-wire.js';
import { int64ToNumber } from '../../src/broker/handler.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker.close();
});

describe('int64 bounds', () => {
  it('clamps to the safe integer range', () => {
    expect(int64ToNumber(2n ** 63n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(int64ToNumber(-(2n ** 63n))).toBe(Number.MIN_SAFE_INTEGER);
    expect(int64ToNumber(-1n)).toBe(-1);
    expect(int64ToNumber(12345678901n)).toBe(12345678901);
  });

  it('an OffsetCommit of 2^63 - 1 is stored (clamped), not a broker error', async () => {
    const client = await WireClient.connect(broker.port);
    try {
      await client.createTopic('huge-offsets');
      // the first commit creates __consumer_offsets (COORDINATOR_NOT_AVAILABLE until it exists)
      const commitHuge = () => client.send(8, 8, {
        groupId: 'huge-offsets-group',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'huge-offsets', partitions: [{ partitionIndex: 0, committedOffset: 2n ** 63n - 1n, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      });
      let commit = await commitHuge();
      for (let i = 0; i < 50 && commit.topics[0].partitions[0].errorCode === 15; i++) {
        await new Promise((r) => setTimeout(r, 100));
        commit = await commitHuge();
      }
      expect(commit.topics[0].partitions[0].errorCode).toBe(0);
      const fetched = await client.send(9, 8, {
        groups: [{ groupId: 'huge-offsets-group', memberId: null, memberEpoch: -1, topics: [{ name: 'huge-offsets', partitionIndexes: [0] }] }],
        requireStable: false,
      });
      expect(fetched.groups[0].topics[0].partitions[0].committedOffset).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    } finally {
      client.close();
    }
    expect(broker.lines.filter((l) => l.includes('failed unexpectedly'))).toEqual([]);
  });
});
