/** __consumer_offsets record encodings: Kafka's byte layouts, old versions, subscriptions, bad records on replay. */
import { describe, expect, it } from 'vitest';
import {
  decodeGroupMetadataValue,
  decodeGroupRecordKey,
  decodeOffsetCommitValue,
  decodeSubscriptionTopics,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../src/coordinator/group-records.js';
import { GroupCoordinator } from '../../src/coordinator/group-coordinator.js';
import { ManualScheduler } from '../../src/coordinator/clock.js';
import { buildRecordBatch } from '../../src/protocol/records/record.js';
import { encodeData } from '../../src/protocol/codec.js';
import { FakeOffsetsLog } from './fake-offsets-log.js';

describe('__consumer_offsets records', () => {
  it('writes OffsetCommitKey v1 and OffsetCommitValue v3 byte for byte', () => {
    const key = encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 2 });
    expect(key.toString('hex')).toBe('0001' + '000167' + '000174' + '00000002');
    const value = encodeOffsetCommitValue({ offset: 5, leaderEpoch: 1, metadata: '', commitTimestamp: 10 });
    expect(value.toString('hex')).toBe('0003' + '0000000000000005' + '00000001' + '0000' + '000000000000000a');
    expect(decodeOffsetCommitValue(value)).toEqual({ offset: 5, leaderEpoch: 1, metadata: '', commitTimestamp: 10 });
  });

  it('reads OffsetCommitValue v1 (with expireTimestamp, no leader epoch)', () => {
    const v1 = Buffer.from('0001' + '0000000000000007' + '00026d64' + '0000000000000009' + 'ffffffffffffffff', 'hex');
    expect(decodeOffsetCommitValue(v1)).toEqual({ offset: 7, leaderEpoch: -1, metadata: 'md', commitTimestamp: 9 });
    expect(decodeOffsetCommitValue(Buffer.from('0004', 'hex'))).toBeNull();
  });

  it('round-trips GroupMetadataValue v3 with members', () => {
    const value = {
      protocolType: 'consumer', generation: 4, protocol: 'range', leader: 'm1', currentStateTimestamp: 123,
      members: [{ memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: '/h', rebalanceTimeout: 300, sessionTimeout: 100, subscription: Buffer.from([1]), assignment: Buffer.from([2, 3]) }],
    };
    const bytes = encodeGroupMetadataValue(value);
    expect(bytes.readInt16BE(0)).toBe(3);
    expect(decodeGroupMetadataValue(bytes)).toEqual(value);
    expect(decodeGroupRecordKey(Buffer.from('0002000167', 'hex'))).toEqual({ type: 'group', group: 'g' });
  });

  it('decodes subscription topics for every ConsumerProtocolSubscription version', () => {
    for (const version of [0, 1, 3]) {
      const body = Buffer.concat(encodeData('ConsumerProtocolSubscription', version, { topics: ['a', 'b'], userData: null, ownedPartitions: [] }));
      const prefix = Buffer.alloc(2);
      prefix.writeInt16BE(version);
      expect(decodeSubscriptionTopics(Buffer.concat([prefix, body]))).toEqual(['a', 'b']);
    }
    expect(decodeSubscriptionTopics(Buffer.from([0, 0, 0x7f]))).toBeNull();
  });

  it('replay skips unreadable records and keeps the rest', () => {
    const log = new FakeOffsetsLog(1);
    log.ensureReady();
    log.append(0, buildRecordBatch([
      { key: Buffer.from([0, 1, 0x7f]), value: Buffer.from([0]) },
      { key: encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 0 }), value: encodeOffsetCommitValue({ offset: 9, leaderEpoch: -1, metadata: '', commitTimestamp: 1 }) },
    ]));
    const lines: string[] = [];
    const c = new GroupCoordinator({
      log, scheduler: new ManualScheduler(), logger: (l) => lines.push(l),
      config: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1, maxSessionTimeoutMs: 100_000, offsetsRetentionMs: 1e9, offsetsRetentionCheckIntervalMs: 1e6, offsetMetadataMaxBytes: 4096, newMemberJoinTimeoutMs: 300_000, loadBufferSize: 1 << 20 },
    });
    c.load();
    expect(c.fetchOffsets('g', null).topics[0]!.partitions[0]!.offset).toBe(9);
    expect(lines.some((l) => l.includes('skipping an unreadable'))).toBe(true);
    c.shutdown();
  });
});
