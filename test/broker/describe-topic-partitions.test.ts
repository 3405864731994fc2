/**
 * DescribeTopicPartitions v0 over the wire: name order, unknown topics, the
 * response partition limit and cursor pagination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { WireClient } from './fetch-wire.js';

let broker: TestBroker;
let client: WireClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  broker = await startTestBroker();
  client = await WireClient.connect(broker.port);
  ids['dtp-b'] = await client.createTopic('dtp-b', 3);
  ids['dtp-a'] = await client.createTopic('dtp-a', 2);
  ids['dtp-c'] = await client.createTopic('dtp-c', 1);
});
afterAll(async () => {
  client.close();
  await broker.close();
});

type Cursor = { topicName: string; partitionIndex: number } | null;

async function describeTopics(names: string[], limit: number, cursor: Cursor = null) {
  const res = await client.send(75, 0, { topics: names.map((name) => ({ name })), responsePartitionLimit: limit, cursor });
  return {
    topics: res.topics.map((t: any) => [t.name, t.errorCode, t.partitions.map((p: any) => p.partitionIndex)]),
    raw: res.topics,
    nextCursor: res.nextCursor as Cursor,
  };
}

describe('DescribeTopicPartitions', () => {
  it('describes requested topics in name order with ids, leaders and ISR; unknown ones get UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const r = await describeTopics(['dtp-b', 'missing', 'dtp-a'], 2000);
    expect(r.topics).toEqual([
      ['dtp-a', 0, [0, 1]],
      ['dtp-b', 0, [0, 1, 2]],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []],
    ]);
    expect(r.nextCursor).toBeNull();
    const a = r.raw[0];
    expect(a.topicId).toBe(ids['dtp-a']);
    expect(a.isInternal).toBe(false);
    expect(a.partitions[0]).toMatchObject({ errorCode: 0, leaderId: broker.config.brokerId, leaderEpoch: 0, replicaNodes: [broker.config.brokerId], isrNodes: [broker.config.brokerId], eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [] });
  });

  it('pages through partitions with the cursor', async () => {
    const names = ['dtp-a', 'dtp-b', 'dtp-c'];
    const first = await describeTopics(names, 4);
    expect(first.topics).toEqual([
      ['dtp-a', 0, [0, 1]],
      ['dtp-b', 0, [0, 1]],
    ]);
    expect(first.nextCursor).toEqual({ topicName: 'dtp-b', partitionIndex: 2 });
    const second = await describeTopics(names, 1, first.nextCursor);
    expect(second.topics).toEqual([['dtp-b', 0, [2]]]);
    // the limit ran out exactly at a topic's end: the cursor points at the next topic's start
    expect(second.nextCursor).toEqual({ topicName: 'dtp-c', partitionIndex: 0 });
    const third = await describeTopics(names, 10, second.nextCursor);
    expect(third.topics).toEqual([['dtp-c', 0, [0]]]);
    expect(third.nextCursor).toBeNull();
  });

  it('an empty topic list means every topic; a cursor topic outside a given list is INVALID_REQUEST', async () => {
    const all = await describeTopics([], 2000);
    expect(all.topics.map((t: any) => t[0])).toEqual(['dtp-a', 'dtp-b', 'dtp-c']);
    const bad = await describeTopics(['dtp-a'], 10, { topicName: 'dtp-c', partitionIndex: 0 });
    expect(bad.topics).toEqual([['dtp-a', ErrorCode.INVALID_REQUEST, []]]);
  });
});
