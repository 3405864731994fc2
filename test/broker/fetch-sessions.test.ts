/**
 * Fetch sessions (KIP-227) and Fetch v13+ by topic id, through the real codec
 * against an in-process broker: full fetches create sessions, incremental fetches
 * return only partitions with changes, forgotten topics leave the session, and bad
 * epochs / unknown ids get the session errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { FetchSessionCache, nextSessionEpoch, type FetchPartitionParams } from '../../src/broker/fetch-sessions.js';
import { WireClient } from './fetch-wire.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
let broker: TestBroker;
let client: WireClient;

beforeAll(async () => {
  broker = await startTestBroker();
  client = await WireClient.connect(broker.port);
});
afterAll(async () => {
  client.close();
  await broker.close();
});

type Part = { partition: number; fetchOffset: number };

function fetchBody(
  sessionId: number,
  sessionEpoch: number,
  topics: { topic?: string; topicId?: string; partitions: Part[] }[],
  forgotten: { topic?: string; topicId?: string; partitions: number[] }[] = [],
  maxWaitMs = 0,
) {
  return {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1024 * 1024,
    isolationLevel: 0,
    sessionId,
    sessionEpoch,
    topics: topics.map((t) => ({
      topic: t.topic ?? '',
      topicId: t.topicId ?? ZERO_UUID,
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        currentLeaderEpoch: -1,
        fetchOffset: BigInt(p.fetchOffset),
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: 1024 * 1024,
      })),
    })),
    forgottenTopicsData: forgotten.map((f) => ({ topic: f.topic ?? '', topicId: f.topicId ?? ZERO_UUID, partitions: f.partitions })),
    rackId: '',
  };
}

/** [topic or id, partition, highWatermark, records bytes] for each partition in a response */
function summary(res: Record<string, any>, byId = false): [string, number, number, number][] {
  return res.responses.flatMap((t: any) =>
    t.partitions.map((p: any) => [byId ? t.topicId : t.topic, p.partitionIndex, Number(p.highWatermark), p.records?.length ?? -1]),
  );
}

describe('fetch sessions over the wire (v11 by name)', () => {
  it('creates a session, then answers incremental fetches with only changed partitions', async () => {
    await client.createTopic('sess-a', 3);
    await client.produce('sess-a', 0, ['a0']);
    const full = await client.send(1, 11, fetchBody(0, 0, [{ topic: 'sess-a', partitions: [0, 1, 2].map((p) => ({ partition: p, fetchOffset: 0 })) }]));
    expect(full.errorCode).toBe(0);
    expect(full.sessionId).toBeGreaterThan(0);
    expect(summary(full).map(([t, p, hw]) => [t, p, hw])).toEqual([
      ['sess-a', 0, 1],
      ['sess-a', 1, 0],
      ['sess-a', 2, 0],
    ]);
    const sessionId = full.sessionId;

    // Nothing changed: an incremental fetch lists no partitions (partition 0 fetches from 1 now).
    const quiet = await client.send(1, 11, fetchBody(sessionId, 1, [{ topic: 'sess-a', partitions: [{ partition: 0, fetchOffset: 1 }] }]));
    expect(quiet.errorCode).toBe(0);
    expect(quiet.sessionId).toBe(sessionId);
    expect(summary(quiet)).toEqual([]);

    // New data on partition 2 only: only partition 2 comes back, with its records.
    await client.produce('sess-a', 2, ['c0', 'c1']);
    const changed = await client.send(1, 11, fetchBody(sessionId, 2, []));
    const rows = summary(changed);
    expect(rows.map(([t, p, hw]) => [t, p, hw])).toEqual([['sess-a', 2, 2]]);
    expect(rows[0]![3]).toBeGreaterThan(0);

    // The session still fetches partition 2 from offset 0 until the client says otherwise:
    // records again, but the high watermark is unchanged so only the data triggers it.
    const again = await client.send(1, 11, fetchBody(sessionId, 3, [{ topic: 'sess-a', partitions: [{ partition: 2, fetchOffset: 2 }] }]));
    expect(summary(again)).toEqual([]);
  });

  it('forgotten topics leave the session and a partition added later is answered in full', async () => {
    await client.createTopic('sess-b', 2);
    await client.createTopic('sess-c', 1);
    const full = await client.send(1, 11, fetchBody(0, 0, [{ topic: 'sess-b', partitions: [{ partition: 0, fetchOffset: 0 }, { partition: 1, fetchOffset: 0 }] }]));
    const id = full.sessionId;
    // forget sess-b/1, add sess-c/0
    const inc = await client.send(
      1,
      11,
      fetchBody(id, 1, [{ topic: 'sess-c', partitions: [{ partition: 0, fetchOffset: 0 }] }], [{ topic: 'sess-b', partitions: [1] }]),
    );
    expect(summary(inc).map(([t, p]) => [t, p])).toEqual([['sess-c', 0]]);
    await client.produce('sess-b', 1, ['forgotten']);
    await client.produce('sess-b', 0, ['kept']);
    const next = await client.send(1, 11, fetchBody(id, 2, []));
    expect(summary(next).map(([t, p]) => [t, p])).toEqual([['sess-b', 0]]);
    // forgetting everything closes the session: a sessionless answer (id 0)
    const empty = await client.send(1, 11, fetchBody(id, 3, [], [{ topic: 'sess-b', partitions: [0] }, { topic: 'sess-c', partitions: [0] }]));
    expect(empty.sessionId).toBe(0);
    const gone = await client.send(1, 11, fetchBody(id, 4, []));
    expect(gone.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('answers a wrong epoch with INVALID_FETCH_SESSION_EPOCH and an unknown id with FETCH_SESSION_ID_NOT_FOUND', async () => {
    await client.createTopic('sess-d', 1);
    const full = await client.send(1, 11, fetchBody(0, 0, [{ topic: 'sess-d', partitions: [{ partition: 0, fetchOffset: 0 }] }]));
    const bad = await client.send(1, 11, fetchBody(full.sessionId, 5, []));
    expect(bad.errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(bad.sessionId).toBe(0);
    expect(bad.responses).toEqual([]);
    // the session survives a bad epoch
    const good = await client.send(1, 11, fetchBody(full.sessionId, 1, []));
    expect(good.errorCode).toBe(0);
    const unknown = await client.send(1, 11, fetchBody(full.sessionId ^ 0x5a5a5a, 1, []));
    expect(unknown.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('epoch -1 is sessionless and closes a named session; sessions are per broker, not per connection', async () => {
    await client.createTopic('sess-e', 1);
    const full = await client.send(1, 11, fetchBody(0, 0, [{ topic: 'sess-e', partitions: [{ partition: 0, fetchOffset: 0 }] }]));
    const other = await WireClient.connect(broker.port);
    try {
      const inc = await other.send(1, 11, fetchBody(full.sessionId, 1, []));
      expect(inc.errorCode).toBe(0);
      expect(inc.sessionId).toBe(full.sessionId);
      const close = await other.send(1, 11, fetchBody(full.sessionId, -1, [{ topic: 'sess-e', partitions: [{ partition: 0, fetchOffset: 0 }] }]));
      expect(close.sessionId).toBe(0);
      expect(summary(close).map(([t, p]) => [t, p])).toEqual([['sess-e', 0]]);
    } finally {
      other.close();
    }
    const after = await client.send(1, 11, fetchBody(full.sessionId, 2, []));
    expect(after.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    // Fetch v4-6 have no session fields: always sessionless
    const old = await client.send(1, 6, fetchBody(0, 0, [{ topic: 'sess-e', partitions: [{ partition: 0, fetchOffset: 0 }] }]));
    expect(summary(old).map(([t, p]) => [t, p])).toEqual([['sess-e', 0]]);
  });

  it('a long-polling incremental fetch wakes on new data in a session partition', async () => {
    await client.createTopic('sess-f', 1);
    const full = await client.send(1, 11, fetchBody(0, 0, [{ topic: 'sess-f', partitions: [{ partition: 0, fetchOffset: 0 }] }]));
    const producer = await WireClient.connect(broker.port);
    const started = Date.now();
    const pending = client.send(1, 11, fetchBody(full.sessionId, 1, [], [], 5000));
    setTimeout(() => void producer.produce('sess-f', 0, ['late']), 100);
    const res = await pending;
    producer.close();
    expect(Date.now() - started).toBeLessThan(4000);
    expect(summary(res).map(([t, p, hw]) => [t, p, hw])).toEqual([['sess-f', 0, 1]]);
  });
});

describe('max.incremental.fetch.session.cache.slots', () => {
  it('bounds the sessions of a broker; 0 turns sessions off', async () => {
    for (const [slots, expectSecond] of [
      ['1', 'evicts'],
      ['0', 'none'],
    ] as const) {
      const small = await startTestBroker({ raw: { 'max.incremental.fetch.session.cache.slots': slots } });
      const c = await WireClient.connect(small.port);
      try {
        await c.createTopic('slots', 2);
        const one = await c.send(1, 11, fetchBody(0, 0, [{ topic: 'slots', partitions: [{ partition: 0, fetchOffset: 0 }] }]));
        if (expectSecond === 'none') {
          expect(one.sessionId).toBe(0);
          continue;
        }
        expect(one.sessionId).toBeGreaterThan(0);
        // same size, nothing stale: no room
        const same = await c.send(1, 11, fetchBody(0, 0, [{ topic: 'slots', partitions: [{ partition: 1, fetchOffset: 0 }] }]));
        expect(same.sessionId).toBe(0);
        // bigger: the smaller session is evicted
        const bigger = await c.send(1, 11, fetchBody(0, 0, [{ topic: 'slots', partitions: [0, 1].map((p) => ({ partition: p, fetchOffset: 0 })) }]));
        expect(bigger.sessionId).toBeGreaterThan(0);
        const evicted = await c.send(1, 11, fetchBody(one.sessionId, 1, []));
        expect(evicted.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
      } finally {
        c.close();
        await small.close();
      }
    }
  });
});

describe('Fetch v13+ by topic id', () => {
  it('fetches by id, reports UNKNOWN_TOPIC_ID, and a recreated topic has a new id', async () => {
    const id = await client.createTopic('by-id', 1);
    await client.produce('by-id', 0, ['x', 'y']);
    for (const version of [13, 15, 16, 17]) {
      const res = await client.send(1, version, fetchBody(0, -1, [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 0 }] }]));
      expect(res.errorCode).toBe(0);
      expect(res.responses[0].topicId).toBe(id);
      expect(res.responses[0].partitions[0].errorCode).toBe(0);
      expect(res.responses[0].partitions[0].records.length).toBeGreaterThan(0);
    }
    await client.deleteTopic('by-id');
    const newId = await client.createTopic('by-id', 1);
    expect(newId).not.toBe(id);
    const stale = await client.send(1, 13, fetchBody(0, -1, [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 0 }] }]));
    expect(stale.responses[0].topicId).toBe(id);
    expect(stale.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const fresh = await client.send(1, 13, fetchBody(0, -1, [{ topicId: newId, partitions: [{ partition: 0, fetchOffset: 0 }] }]));
    expect(fresh.responses[0].partitions[0].errorCode).toBe(0);
    expect(Number(fresh.responses[0].partitions[0].highWatermark)).toBe(0);
  });

  it('sessions by id: a topic deleted under a session turns into UNKNOWN_TOPIC_ID; mixing versions is FETCH_SESSION_TOPIC_ID_ERROR', async () => {
    const id = await client.createTopic('sess-id', 1);
    const full = await client.send(1, 13, fetchBody(0, 0, [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 0 }] }]));
    expect(full.sessionId).toBeGreaterThan(0);
    await client.produce('sess-id', 0, ['one']);
    const inc = await client.send(1, 13, fetchBody(full.sessionId, 1, []));
    expect(summary(inc, true).map(([t, p, hw]) => [t, p, hw])).toEqual([[id, 0, 1]]);
    const mixed = await client.send(1, 12, fetchBody(full.sessionId, 2, []));
    expect(mixed.errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    await client.deleteTopic('sess-id');
    const afterDelete = await client.send(1, 13, fetchBody(full.sessionId, 2, []));
    expect(afterDelete.responses[0].topicId).toBe(id);
    expect(afterDelete.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('checks CurrentLeaderEpoch (v9+) and ignores it when -1', async () => {
    await client.createTopic('epochs', 1);
    const body = (epoch: number) => {
      const b = fetchBody(0, -1, [{ topic: 'epochs', partitions: [{ partition: 0, fetchOffset: 0 }] }]);
      b.topics[0]!.partitions[0]!.currentLeaderEpoch = epoch;
      return b;
    };
    const ok = await client.send(1, 12, body(0));
    expect(ok.responses[0].partitions[0].errorCode).toBe(0);
    const future = await client.send(1, 12, body(7));
    expect(future.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    const unknownPartition = await client.send(1, 12, fetchBody(0, -1, [{ topic: 'epochs', partitions: [{ partition: 9, fetchOffset: 0 }] }]));
    expect(unknownPartition.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('advertises Fetch 4-17, ListOffsets 1-10, OffsetForLeaderEpoch 2-4 and DescribeTopicPartitions 0', async () => {
    const res = await client.send(18, 3, { clientSoftwareName: 'wire-test', clientSoftwareVersion: '1' });
    const range = (key: number) => {
      const k = res.apiKeys.find((a: any) => a.apiKey === key);
      return k ? [k.minVersion, k.maxVersion] : null;
    };
    expect(range(1)).toEqual([4, 17]);
    expect(range(2)).toEqual([1, 10]);
    expect(range(23)).toEqual([2, 4]);
    expect(range(75)).toEqual([0, 0]);
  });
});

describe('FetchSessionCache', () => {
  const part = (topic: string, partition: number): FetchPartitionParams => ({
    topicId: ZERO_UUID,
    topic,
    partition,
    fetchOffset: 0,
    partitionMaxBytes: 1000,
    currentLeaderEpoch: -1,
  });
  const ok = { errorCode: 0, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, recordBytes: 0 };

  it('wraps epochs after Int32.MAX to 1', () => {
    expect(nextSessionEpoch(0)).toBe(1);
    expect(nextSessionEpoch(0x7fffffff)).toBe(1);
    expect(nextSessionEpoch(-1)).toBe(-1);
  });

  it('is bounded: evicts a stale session first, else the smallest one when the new one is bigger, else refuses', () => {
    let now = 1000;
    const cache = new FetchSessionCache({ maxSlots: 2, evictionMs: 100, clock: () => now });
    const small = cache.createSession([{ params: part('t', 0), result: ok }], false);
    const big = cache.createSession([0, 1, 2].map((p) => ({ params: part('t', p), result: ok })), false);
    expect(cache.size).toBe(2);
    // same size as the smallest and nothing stale: refused
    expect(cache.createSession([{ params: part('u', 0), result: ok }], false)).toBe(0);
    // bigger than the smallest: the smallest goes
    const bigger = cache.createSession([0, 1].map((p) => ({ params: part('u', p), result: ok })), false);
    expect(bigger).not.toBe(0);
    expect(cache.get(small)).toBeUndefined();
    expect(cache.get(big)).toBeDefined();
    // after the eviction time the least recently used session goes, whatever its size
    now += 500;
    cache.newContext(bigger, 1, [], [], false);
    const late = cache.createSession([{ params: part('v', 0), result: ok }], false);
    expect(late).not.toBe(0);
    expect(cache.get(big)).toBeUndefined();
    expect(cache.get(bigger)).toBeDefined();
    expect(cache.evictions).toBe(2);
  });

  it('sends a partition again after an error clears, and when the log start moves', () => {
    const cache = new FetchSessionCache();
    const id = cache.createSession([{ params: part('t', 0), result: { ...ok, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, highWatermark: -1 } }], false);
    const ctx = cache.newContext(id, 1, [], [], false);
    if (ctx.kind !== 'incremental') throw new Error(ctx.kind);
    expect(ctx.session.mustRespond(part('t', 0), ok)).toBe(true);
    expect(ctx.session.mustRespond(part('t', 0), ok)).toBe(false);
    expect(ctx.session.mustRespond(part('t', 0), { ...ok, logStartOffset: 5 })).toBe(true);
    expect(ctx.session.mustRespond(part('t', 0), { ...ok, logStartOffset: 5, lastStableOffset: 3 })).toBe(true);
  });
});
