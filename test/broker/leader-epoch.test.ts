/**
 * OffsetForLeaderEpoch v2-4: Kafka's endOffsetFor rules on an epoch history, and
 * the handler over the wire (current epoch ends at the log end offset, stale or
 * future CurrentLeaderEpoch, unknown partitions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endOffsetForEpoch, epochHistory } from '../../src/broker/handlers/23-offset-for-leader-epoch.js';
import { batchHeadersFrom, leaderEpochsFromBatches } from '../../src/storage/batch-headers.js';
import { PartitionLog, defaultLogConfig } from '../../src/storage/partition-log.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { WireClient } from './fetch-wire.js';

describe('endOffsetForEpoch', () => {
  const history = [
    { epoch: 2, startOffset: 10 },
    { epoch: 4, startOffset: 25 },
    { epoch: 5, startOffset: 40 },
  ];
  it('follows LeaderEpochFileCache.endOffsetFor', () => {
    expect(endOffsetForEpoch(history, 5, 55)).toEqual({ leaderEpoch: 5, endOffset: 55 });
    expect(endOffsetForEpoch(history, 4, 55)).toEqual({ leaderEpoch: 4, endOffset: 40 });
    // an epoch never seen between two known ones: the floor epoch and the next start
    expect(endOffsetForEpoch(history, 3, 55)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    // older than anything known: the requested epoch, ending where the first known starts
    expect(endOffsetForEpoch(history, 1, 55)).toEqual({ leaderEpoch: 1, endOffset: 10 });
    expect(endOffsetForEpoch(history, 6, 55)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(endOffsetForEpoch(history, -1, 55)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(endOffsetForEpoch([], 0, 55)).toEqual({ leaderEpoch: -1, endOffset: -1 });
  });
});

describe('epoch history of a log', () => {
  it('comes from batch headers when there is no checkpoint, across segments, with the current epoch last', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leader-epoch-'));
    try {
      const dir = path.join(root, 't-0');
      const config = { ...defaultLogConfig(), segmentBytes: 300 };
      let log = PartitionLog.open(dir, config);
      const batch = (n: number) => buildRecordBatch(Array.from({ length: n }, () => ({ key: null, value: Buffer.alloc(40, 1) })));
      for (const [epoch, n] of [[0, 2], [0, 1], [2, 3], [2, 1], [5, 2]] as const) log.appendAsLeader(batch(n), epoch);
      expect(log.numberOfSegments).toBeGreaterThan(1);
      const expected = [
        { epoch: 0, startOffset: 0 },
        { epoch: 2, startOffset: 3 },
        { epoch: 5, startOffset: 7 },
      ];
      expect(leaderEpochsFromBatches(log)).toEqual(expected);
      expect([...batchHeadersFrom(log, 4)].map((h) => h.baseOffset)).toEqual([3, 6, 7]);
      // storage's leader-epoch-checkpoint agrees
      expect(log.leaderEpochEntries()).toEqual(expected);
      expect(epochHistory(log, 5)).toEqual(expected);
      // no leader-epoch-checkpoint (a log from before it existed): the batches still tell
      log.close();
      fs.rmSync(path.join(dir, 'leader-epoch-checkpoint'), { force: true });
      log = PartitionLog.open(dir, config);
      expect(epochHistory(log, 5)).toEqual(expected);
      // leader since epoch 7 without having written anything yet: epoch 7 starts at the log end
      expect(epochHistory(log, 7)).toEqual([...expected, { epoch: 7, startOffset: 9 }]);
      expect(endOffsetForEpoch(epochHistory(log, 7), 5, log.logEndOffset)).toEqual({ leaderEpoch: 5, endOffset: 9 });
      expect(endOffsetForEpoch(epochHistory(log, 7), 2, log.logEndOffset)).toEqual({ leaderEpoch: 2, endOffset: 7 });
      log.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('OffsetForLeaderEpoch over the wire', () => {
  let broker: TestBroker;
  let client: WireClient;
  beforeAll(async () => {
    broker = await startTestBroker();
    client = await WireClient.connect(broker.port);
    await client.createTopic('ole', 2);
    await client.produce('ole', 0, ['a', 'b', 'c']);
  });
  afterAll(async () => {
    client.close();
    await broker.close();
  });

  async function ask(version: number, partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[], topic = 'ole') {
    const res = await client.send(23, version, { replicaId: -1, topics: [{ topic, partitions }] });
    expect(res.topics[0].topic).toBe(topic);
    return res.topics[0].partitions.map((p: any) => [p.partition, p.errorCode, p.leaderEpoch, Number(p.endOffset)]);
  }

  it('answers the current epoch with the log end offset at v2, v3 and v4', async () => {
    for (const v of [2, 3, 4]) {
      expect(
        await ask(v, [
          { partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 },
          { partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 },
        ]),
      ).toEqual([
        [0, 0, 0, 3],
        [1, 0, 0, 0],
      ]);
    }
  });

  it('an epoch above the current one is undefined; CurrentLeaderEpoch and unknown partitions are checked', async () => {
    expect(await ask(4, [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 3 }])).toEqual([[0, 0, -1, -1]]);
    expect(await ask(4, [{ partition: 0, currentLeaderEpoch: 2, leaderEpoch: 0 }])).toEqual([[0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1]]);
    expect(await ask(4, [{ partition: 5, currentLeaderEpoch: -1, leaderEpoch: 0 }])).toEqual([[5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]]);
    expect(await ask(3, [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }], 'nope')).toEqual([[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]]);
  });
});
