/**
 * The metadata log as one replica of a raft quorum (`raft: true`): records past the high
 * watermark are pending — written and fsynced but not in image() — until commitTo; the
 * leader validates against the latest image; a follower appends the leader's batches as
 * they are, truncates an uncommitted tail (never a committed one), answers
 * endOffsetForEpoch as Kafka's leader-epoch cache does, and installs a snapshot fetched
 * from the leader; after a reopen nothing past the snapshot counts as committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataReplayError } from '../../src/metadata/apply.js';
import { MetadataLog, type MetadataChange } from '../../src/metadata/metadata-log.js';
import { topicRecords } from '../../src/metadata/records.js';
import { encodeRaftControlRecord, metadataRecord, type MetadataRecord } from '../../src/protocol/metadata-records.js';

let root: string;
const opened: MetadataLog[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kts-metadata-log-raft-'));
});
afterEach(() => {
  for (const log of opened.splice(0)) {
    try {
      log.close();
    } catch {
      // closed by the test
    }
  }
  rmSync(root, { recursive: true, force: true });
});

function open(name: string, extra: { maxBytesBetweenSnapshots?: number } = {}): MetadataLog {
  const log = MetadataLog.open({ logDir: join(root, name), nodeId: 1, clusterId: 'raft-cluster', raft: true, ...extra });
  opened.push(log);
  return log;
}

let n = 0;
function topic(name: string): MetadataRecord[] {
  n++;
  return topicRecords({ name, topicId: `R${String(n).padStart(4, '0')}${name.padEnd(16, 'x').slice(0, 16)}A`, partitions: [{ partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 }] });
}

function leaderChange(): { key: Buffer; value: Buffer } {
  const voters = [{ voterId: 1, voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' }];
  return encodeRaftControlRecord('LeaderChangeMessage', { leaderId: 1, voters, grantingVoters: voters });
}

describe('MetadataLog in raft mode', () => {
  it('keeps appended batches out of the image until committed, then publishes them in order', () => {
    const log = open('leader');
    expect(log.endOffset).toBe(0);
    expect(log.lastFetchedEpoch).toBe(0);
    log.appendControl(leaderChange(), 1);
    const a = log.appendAsLeader(topic('a'), 1);
    const b = log.appendAsLeader(topic('b'), 1);
    expect(log.image().topicsByName.size).toBe(0);
    expect([...log.latestImage().topicsByName.keys()]).toEqual(['a', 'b']);
    // a record must apply to the latest image, committed or not
    expect(() => log.appendAsLeader(topic('a'), 1)).toThrow(MetadataReplayError);

    const changes: MetadataChange[] = [];
    log.onChange((_image, change) => changes.push(change));
    log.commitTo(b.baseOffset); // a only
    expect([...log.image().topicsByName.keys()]).toEqual(['a']);
    expect(log.highWatermark).toBe(a.lastOffset + 1);
    log.commitTo(log.endOffset);
    expect([...log.image().topicsByName.keys()]).toEqual(['a', 'b']);
    expect(changes.map((c) => [c.baseOffset, c.lastOffset])).toEqual([
      [a.baseOffset, a.lastOffset],
      [b.baseOffset, b.lastOffset],
    ]);
    expect(log.lastFetchedEpoch).toBe(1);
  });

  it('replicates batch for batch to a follower, which truncates an uncommitted tail but never a committed one', () => {
    const leader = open('leader');
    const follower = open('follower');
    leader.appendControl(leaderChange(), 1);
    leader.appendAsLeader(topic('a'), 1);
    // the follower takes the leader's bytes as they are
    follower.appendAsFollower(leader.readBatches(0, 1 << 20));
    expect(follower.endOffset).toBe(leader.endOffset);
    follower.commitTo(follower.endOffset);
    expect(follower.image().topicsByName.has('a')).toBe(true);
    const committed = follower.highWatermark;

    // epoch 2 on the follower (never committed), epoch 3 on the leader
    follower.appendAsFollower(buildOn(open('old-leader-2'), follower, 2, 'lost'));
    leader.appendControl(leaderChange(), 3);
    leader.appendAsLeader(topic('kept'), 3);
    expect(follower.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: follower.endOffset });
    // the leader has no epoch 2: the follower diverges at the leader's end of epoch 1
    const diverging = leader.endOffsetForEpoch(2);
    expect(diverging).toEqual({ epoch: 1, endOffset: committed });
    expect(() => follower.truncateTo(committed - 1)).toThrow(/below the high watermark/);
    follower.truncateTo(Math.min(diverging.endOffset, follower.endOffsetForEpoch(diverging.epoch).endOffset));
    expect(follower.endOffset).toBe(committed);
    expect(follower.lastFetchedEpoch).toBe(1);
    follower.appendAsFollower(leader.readBatches(follower.endOffset, 1 << 20));
    follower.commitTo(leader.endOffset);
    expect([...follower.image().topicsByName.keys()].sort()).toEqual(['a', 'kept']);
    expect(follower.readBatches(0, 1 << 20)).toEqual(leader.readBatches(0, 1 << 20));
    // a fetch that does not continue the log is refused
    expect(() => follower.appendAsFollower(leader.readBatches(0, 1 << 20))).toThrow(/does not continue the log/);
  });

  it('after a reopen counts nothing past the snapshot as committed until told', () => {
    let log = open('reopen');
    log.appendControl(leaderChange(), 4);
    log.appendAsLeader(topic('a'), 4);
    log.commitTo(log.endOffset);
    log.appendAsLeader(topic('b'), 4);
    const end = log.endOffset;
    log.close();
    log = open('reopen');
    expect(log.endOffset).toBe(end);
    expect(log.lastFetchedEpoch).toBe(4);
    expect(log.image().topicsByName.size).toBe(0);
    log.commitTo(end);
    expect([...log.image().topicsByName.keys()]).toEqual(['a', 'b']);
  });

  it('serves its snapshot in chunks and a follower installs it in place of its log', () => {
    const leader = open('leader', { maxBytesBetweenSnapshots: 1 });
    leader.appendControl(leaderChange(), 2);
    leader.appendAsLeader(topic('a'), 2);
    leader.appendAsLeader([metadataRecord('FeatureLevelRecord', { name: 'metadata.version', featureLevel: 21 })], 2);
    leader.commitTo(leader.endOffset); // snapshots (1 byte threshold)
    const id = leader.latestSnapshotId()!;
    expect(id.endOffset).toBe(leader.endOffset);
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const chunk = leader.readSnapshotChunk(id, position, 100)!;
      chunks.push(chunk.bytes);
      position += chunk.bytes.length;
      if (position >= chunk.size) break;
    }
    expect(leader.readSnapshotChunk({ endOffset: id.endOffset + 1, epoch: id.epoch }, 0, 100)).toBeNull();

    const follower = open('follower');
    follower.appendAsFollower(buildOn(open('other'), follower, 1, 'stale'));
    const changes: MetadataChange[] = [];
    follower.onChange((_i, c) => changes.push(c));
    follower.installSnapshot(id, Buffer.concat(chunks));
    expect(follower.image()).toEqual(leader.image());
    expect(follower.endOffset).toBe(id.endOffset);
    expect(follower.logStartOffset).toBe(id.endOffset);
    expect(follower.highWatermark).toBe(id.endOffset);
    expect(follower.lastFetchedEpoch).toBe(id.epoch);
    expect(changes).toHaveLength(1);
    leader.appendAsLeader(topic('after'), 2);
    follower.appendAsFollower(leader.readBatches(follower.endOffset, 1 << 20));
    follower.commitTo(leader.endOffset);
    expect(follower.image().topicsByName.has('after')).toBe(true);
  });
});

/** Batches another leader wrote at `epoch` continuing `base`'s log (a tail the real leader never had). */
function buildOn(scratch: MetadataLog, base: MetadataLog, epoch: number, name: string): Buffer {
  scratch.appendAsFollower(base.readBatches(base.logStartOffset, 1 << 20));
  const from = scratch.endOffset;
  scratch.appendAsLeader(topic(name), epoch);
  return scratch.readBatches(from, 1 << 20);
}
