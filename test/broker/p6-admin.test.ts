/**
 * The P6 admin APIs over the wire against an in-process broker with two log dirs:
 * ApiVersions ranges, DescribeLogDirs (v0-4: placement, sizes against the files on
 * disk, filters, v4 space), ElectLeaders (v0-2) and AlterPartitionReassignments (v0)
 * with ListPartitionReassignments staying empty; plus @platformatic/kafka's
 * Admin.describeLogDirs and its own DescribeLogDirs v4 / AlterPartitionReassignments
 * v0 codecs as a third-party check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from './fetch-wire.js';

type Platformatic = typeof import('@platformatic/kafka');
let pk: Platformatic | undefined;
try {
  pk = await import('@platformatic/kafka');
} catch {
  console.warn('@platformatic/kafka checks skipped: the package is not installed');
}

let broker: TestBroker;
let client: WireClient;
let dirs: string[];
let brokerId: number;

beforeAll(async () => {
  dirs = [tempDir(), tempDir()];
  broker = await startTestBroker({ logDirs: dirs });
  brokerId = broker.config.brokerId;
  client = await WireClient.connect(broker.port);
  await client.createTopic('p6-logs', 4);
  await client.createTopic('p6-other', 1);
  for (let p = 0; p < 4; p++) {
    const res = await client.produce('p6-logs', p, Array.from({ length: p + 1 }, (_, i) => `value-${p}-${i}`));
    expect(res.errorCode).toBe(0);
  }
});
afterAll(async () => {
  client.close();
  await broker.close();
});

/** bytes of the partition's segment files, read straight from disk */
function segmentBytesOnDisk(dir: string, topic: string, partition: number): number {
  const partitionDir = path.join(dir, `${topic}-${partition}`);
  return fs
    .readdirSync(partitionDir)
    .filter((f) => f.endsWith('.log'))
    .reduce((sum, f) => sum + fs.statSync(path.join(partitionDir, f)).size, 0);
}

function partitionsIn(result: { topics: { name: string; partitions: { partitionIndex: number }[] }[] }): string[] {
  return result.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}`)).sort();
}

describe('ApiVersions', () => {
  it('advertises the P6 ranges Kafka 3.9 serves', async () => {
    const res = await client.send(18, 3, { clientSoftwareName: 'p6-test', clientSoftwareVersion: '1' });
    const ranges = new Map<number, [number, number]>(res.apiKeys.map((k: any) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect(ranges.get(35)).toEqual([0, 4]);
    expect(ranges.get(43)).toEqual([0, 2]);
    expect(ranges.get(45)).toEqual([0, 0]);
    expect(ranges.get(46)).toEqual([0, 0]);
    expect(ranges.get(61)).toEqual([0, 0]);
    expect(ranges.get(65)).toEqual([0, 0]);
    expect(ranges.get(66)).toEqual([0, 1]);
  });
});

describe('DescribeLogDirs', () => {
  it('lists every log dir with the partitions stored in it and their on-disk size (v4 adds space)', async () => {
    const res = await client.send(35, 4, { topics: null });
    expect(res.errorCode).toBe(0);
    expect(res.results.map((r: any) => r.logDir)).toEqual(dirs.map((d) => path.resolve(d)));
    const all: string[] = [];
    for (const [i, result] of res.results.entries()) {
      expect(result.errorCode).toBe(0);
      expect(result.totalBytes).toBeGreaterThan(0n);
      expect(result.usableBytes).toBeGreaterThanOrEqual(0n);
      expect(result.usableBytes).toBeLessThanOrEqual(result.totalBytes);
      for (const topic of result.topics) {
        for (const p of topic.partitions) {
          // each partition is reported in the dir that really holds it, with its segment bytes
          expect(fs.existsSync(path.join(dirs[i]!, `${topic.name}-${p.partitionIndex}`))).toBe(true);
          expect(Number(p.partitionSize)).toBe(segmentBytesOnDisk(dirs[i]!, topic.name, p.partitionIndex));
          expect(p.offsetLag).toBe(0n);
          expect(p.isFutureKey).toBe(false);
        }
      }
      // placement by fewest partitions spreads the five over both dirs
      expect(partitionsIn(result).filter((tp) => tp.startsWith('p6-')).length).toBeGreaterThan(0);
      all.push(...partitionsIn(result));
    }
    expect(all.filter((tp) => tp.startsWith('p6-')).sort()).toEqual(
      ['p6-logs-0', 'p6-logs-1', 'p6-logs-2', 'p6-logs-3', 'p6-other-0'],
    );
    // records were written, so the logs are not empty and the larger partition is bigger
    const size = (tp: string) =>
      res.results.flatMap((r: any) => r.topics.flatMap((t: any) => t.partitions.map((p: any) => [`${t.name}-${p.partitionIndex}`, Number(p.partitionSize)])))
        .find(([name]: [string]) => name === tp)[1];
    expect(size('p6-logs-3')).toBeGreaterThan(size('p6-logs-0'));
    expect(size('p6-logs-0')).toBeGreaterThan(0);
  });

  it('filters by topic and partition; unknown ones are simply absent', async () => {
    const res = await client.send(35, 1, {
      topics: [
        { topic: 'p6-logs', partitions: [1, 3, 99] },
        { topic: 'missing', partitions: [0] },
      ],
    });
    expect(res.results).toHaveLength(2);
    const found = res.results.flatMap((r: any) => partitionsIn(r));
    expect(found.sort()).toEqual(['p6-logs-1', 'p6-logs-3']);
  });

  it('an empty topic list describes the dirs with no partitions', async () => {
    const res = await client.send(35, 2, { topics: [] });
    expect(res.results.map((r: any) => [r.errorCode, r.topics.length])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});

describe('ElectLeaders', () => {
  it('answers ELECTION_NOT_NEEDED for partitions already led by their preferred replica (v0, v1, v2; both types)', async () => {
    for (const [version, electionType] of [[0, 0], [1, 0], [1, 1], [2, 0], [2, 1]] as const) {
      const res = await client.send(43, version, {
        electionType,
        topicPartitions: [{ topic: 'p6-logs', partitions: [0, 2] }],
        timeoutMs: 5000,
      });
      if (version >= 1) expect(res.errorCode).toBe(0);
      expect(res.replicaElectionResults).toEqual([
        {
          topic: 'p6-logs',
          partitionResult: [
            { partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
            { partitionId: 2, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
          ],
        },
      ]);
    }
  });

  it('unknown topics and partitions answer UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const res = await client.send(43, 2, {
      electionType: 0,
      topicPartitions: [
        { topic: 'p6-other', partitions: [5] },
        { topic: 'nope', partitions: [0] },
      ],
      timeoutMs: 5000,
    });
    expect(res.replicaElectionResults).toEqual([
      { topic: 'p6-other', partitionResult: [{ partitionId: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as p6-other-5' }] },
      { topic: 'nope', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as nope' }] },
    ]);
  });

  it('null partitions = all partitions; those needing no election are left out', async () => {
    const res = await client.send(43, 2, { electionType: 0, topicPartitions: null, timeoutMs: 5000 });
    expect(res.errorCode).toBe(0);
    const byTopic = new Map(res.replicaElectionResults.map((r: any) => [r.topic, r.partitionResult]));
    expect(byTopic.get('p6-logs')).toEqual([]);
    expect(byTopic.get('p6-other')).toEqual([]);
  });

  it('an unknown election type fails the request with INVALID_REQUEST', async () => {
    const res = await client.send(43, 1, { electionType: 7, topicPartitions: [{ topic: 'p6-logs', partitions: [0] }], timeoutMs: 5000 });
    expect(res.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(res.replicaElectionResults[0].partitionResult[0]).toMatchObject({ partitionId: 0, errorCode: ErrorCode.INVALID_REQUEST });
  });
});

describe('AlterPartitionReassignments', () => {
  async function alter(partitions: { partitionIndex: number; replicas: number[] | null }[], topic = 'p6-logs') {
    const res = await client.send(45, 0, { timeoutMs: 5000, topics: [{ name: topic, partitions }] });
    expect(res.errorCode).toBe(0);
    expect(res.errorMessage).toBeNull();
    return res.responses[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode, p.errorMessage]);
  }

  it('a reassignment to the current replicas succeeds with no change; other targets are refused as Kafka refuses them', async () => {
    expect(
      await alter([
        { partitionIndex: 0, replicas: [brokerId] },
        { partitionIndex: 1, replicas: [brokerId + 1] },
        { partitionIndex: 2, replicas: [] },
        { partitionIndex: 3, replicas: [brokerId, brokerId] },
        { partitionIndex: 9, replicas: [brokerId] },
      ]),
    ).toEqual([
      [0, ErrorCode.NONE, null],
      [1, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${brokerId + 1}, but no such broker is registered.`],
      [2, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'],
      [3, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${brokerId} more than once.`],
      [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find partition p6-logs:9.'],
    ]);
    expect(await alter([{ partitionIndex: 0, replicas: [brokerId] }], 'ghost')).toEqual([
      [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find a topic named ghost.'],
    ]);
  });

  it('cancelling where nothing is in progress answers NO_REASSIGNMENT_IN_PROGRESS; ListPartitionReassignments stays empty', async () => {
    expect(await alter([{ partitionIndex: 1, replicas: null }])).toEqual([
      [1, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress.'],
    ]);
    const listed = await client.send(46, 0, { timeoutMs: 5000, topics: null });
    expect(listed.errorCode).toBe(0);
    expect(listed.topics).toEqual([]);
    // and the replicas really are unchanged
    const md = await client.send(3, 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'p6-logs' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(md.topics[0].partitions.map((p: any) => p.replicaNodes)).toEqual([[brokerId], [brokerId], [brokerId], [brokerId]]);
  });
});

describe.skipIf(!pk)('@platformatic/kafka', () => {
  it('Admin.describeLogDirs sees both dirs and the partition sizes', async () => {
    const admin = new pk!.Admin({ clientId: 'p6-platformatic', bootstrapBrokers: [broker.bootstrap], retries: 3, retryDelay: 100 });
    try {
      const described = await admin.describeLogDirs({ topics: [{ name: 'p6-logs', partitions: [0, 1, 2, 3] }] });
      expect(described).toHaveLength(1);
      expect(described[0]!.broker).toBe(brokerId);
      const results = described[0]!.results;
      expect(results.map((r) => r.logDir)).toEqual(dirs.map((d) => path.resolve(d)));
      const sizes = new Map<number, number>();
      results.forEach((r, i) => {
        for (const t of r.topics) for (const p of t.partitions) sizes.set(p.partitionIndex, Number(p.partitionSize));
        for (const t of r.topics) for (const p of t.partitions) expect(Number(p.partitionSize)).toBe(segmentBytesOnDisk(dirs[i]!, t.name, p.partitionIndex));
      });
      expect([...sizes.keys()].sort()).toEqual([0, 1, 2, 3]);
    } finally {
      await admin.close();
    }
  });

  it('its AlterPartitionReassignments v0 codec gets the no-op success', async () => {
    const connection = new pk!.Connection('p6-platformatic');
    await connection.connect('127.0.0.1', broker.port);
    try {
      const res = await pk!.alterPartitionReassignmentsV0.api.async(connection, 5000, false, [
        { name: 'p6-other', partitions: [{ partitionIndex: 0, replicas: [brokerId] }] },
      ]);
      expect(res.responses).toEqual([{ name: 'p6-other', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }]);
    } finally {
      await connection.close();
    }
  });
});
