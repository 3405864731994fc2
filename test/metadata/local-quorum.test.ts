/**
 * LocalQuorum: a quorum of one voter over the metadata log. It leads at the epoch
 * the log opened with, commits each append once fsynced, tells listeners every
 * committed batch in order (a late listener first gets the state so far), refuses
 * a batch that does not apply without writing it, and keeps everything over a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataReplayError } from '../../src/metadata/apply.js';
import { LocalQuorum } from '../../src/metadata/local-quorum.js';
import type { CommittedBatch, LeaderAndEpoch } from '../../src/metadata/quorum.js';
import { topicRecords } from '../../src/metadata/records.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { metadataRecord, type MetadataRecord } from '../../src/protocol/metadata-records.js';

const IDS = ['Ab3dEfGhIjKlMnOpQrStUw', 'ZYxwVUtSrQpOnMlKjIhGfA'];
let root: string;
let open: LocalQuorum[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kts-local-quorum-'));
  open = [];
});
afterEach(() => {
  for (const q of open) q.close();
  rmSync(root, { recursive: true, force: true });
});

function quorum(): LocalQuorum {
  const q = LocalQuorum.open({ logDir: root, nodeId: 7, clusterId: 'cluster-L' });
  open.push(q);
  return q;
}

function topic(name: string, topicId: string): MetadataRecord[] {
  return topicRecords({ name, topicId, partitions: [{ partition: 0, replicas: [7], isr: [7], leader: 7, leaderEpoch: 0 }] });
}

describe('LocalQuorum', () => {
  it('leads alone and commits each append at once, telling listeners in order', async () => {
    const q = quorum();
    expect(q.isLeader()).toBe(true);
    const leader = q.leaderAndEpoch();
    expect(leader.leaderId).toBe(7);
    expect(leader.epoch).toBeGreaterThan(0);

    const batches: CommittedBatch[] = [];
    const leaders: LeaderAndEpoch[] = [];
    q.addListener({ onCommit: (b) => batches.push(b), onLeaderChange: (l) => leaders.push(l) });
    // an empty log: nothing to catch up on, but the leader is announced
    expect(batches).toEqual([]);
    expect(leaders).toEqual([leader]);

    const first = await q.append(topic('orders', IDS[0]!));
    const second = await q.append(topic('payments', IDS[1]!));
    expect(second).toBeGreaterThan(first);
    expect([...q.image().topicsByName.keys()].sort()).toEqual(['orders', 'payments']);
    expect(batches.map((b) => b.lastOffset)).toEqual([first, second]);
    expect(batches[0]!.previous.topicsByName.size).toBe(0);
    expect(batches[1]!.previous).toBe(batches[0]!.image);
    expect(batches[1]!.image).toBe(q.image());
  });

  it('rejects a batch that does not apply and writes nothing', async () => {
    const q = quorum();
    await q.append(topic('orders', IDS[0]!));
    const before = q.image();
    await expect(q.append([metadataRecord('RemoveTopicRecord', { topicId: IDS[1]! })])).rejects.toBeInstanceOf(MetadataReplayError);
    expect(q.image()).toBe(before);
  });

  it('keeps committed records over a restart at a higher epoch, and a late listener hears them first', async () => {
    let q = quorum();
    const last = await q.append(topic('orders', IDS[0]!));
    const epoch = q.leaderAndEpoch().epoch;
    q.close();
    open = [];
    q = quorum();
    expect(q.leaderAndEpoch().epoch).toBeGreaterThan(epoch);
    expect(q.image().topicsByName.has('orders')).toBe(true);
    const batches: CommittedBatch[] = [];
    q.addListener({ onCommit: (b) => batches.push(b) });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.lastOffset).toBe(last);
    expect(batches[0]!.records.some((r) => r.type === 'TopicRecord')).toBe(true);
    expect(batches[0]!.image).toBe(q.image());
  });

  it('refuses appends once closed with NOT_CONTROLLER', async () => {
    const q = quorum();
    q.close();
    const err = await q.append(topic('orders', IDS[0]!)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(ErrorCode.NOT_CONTROLLER);
    expect(q.isLeader()).toBe(false);
  });
});
