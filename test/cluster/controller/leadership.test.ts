/**
 * The controller's leadership decisions on metadata images: leader choice from the
 * ISR (online, preferred, unclean), ElectLeaders results and records, fencing and
 * unfencing a broker (KIP-841: the ISR keeps its last member), broker start-up
 * records, and the reassignment checks.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';
import { applyRecords } from '../../../src/metadata/apply.js';
import { partitionsOf, type MetadataImage } from '../../../src/metadata/image.js';
import {
  brokerStartupRecords,
  chooseLeader,
  electLeaders,
  ElectionType,
  fenceBrokerRecords,
  reassignPartition,
} from '../../../src/cluster/controller/index.js';
import { brokers, image, topic, TOPIC_IDS } from './helpers.js';

const active = (ids: number[]) => (id: number) => ids.includes(id);

function partition(img: MetadataImage, name: string, index = 0) {
  return partitionsOf(img.topicsByName.get(name)!)[index]!;
}

describe('chooseLeader', () => {
  const p = { replicas: [1, 2, 3], leader: 2 };
  it('keeps a valid leader; otherwise the first live ISR member in replica order', () => {
    expect(chooseLeader(p, [1, 2, 3], active([1, 2, 3]), 'online')).toEqual({ leader: 2, unclean: false });
    expect(chooseLeader(p, [3, 1], active([1, 3]), 'online')).toEqual({ leader: 1, unclean: false });
    expect(chooseLeader(p, [3], active([1, 3]), 'online')).toEqual({ leader: 3, unclean: false });
    expect(chooseLeader(p, [2], active([1, 3]), 'online')).toEqual({ leader: -1, unclean: false });
  });

  it('a preferred election moves to the first replica only when it is a live ISR member', () => {
    expect(chooseLeader(p, [1, 2], active([1, 2]), 'preferred')).toEqual({ leader: 1, unclean: false });
    expect(chooseLeader(p, [2, 3], active([1, 2, 3]), 'preferred')).toEqual({ leader: 2, unclean: false });
    expect(chooseLeader(p, [1, 2], active([2]), 'preferred')).toEqual({ leader: 2, unclean: false });
  });

  it('an unclean election takes a live replica outside the ISR only when no ISR member is live', () => {
    expect(chooseLeader(p, [2], active([3]), 'unclean')).toEqual({ leader: 3, unclean: true });
    expect(chooseLeader(p, [2, 3], active([1, 3]), 'unclean')).toEqual({ leader: 3, unclean: false });
    expect(chooseLeader(p, [2], active([]), 'unclean')).toEqual({ leader: -1, unclean: false });
  });
});

describe('electLeaders', () => {
  // t-0: preferred 1 leads; t-1: 2 leads although preferred 1 is in the ISR; t-2: preferred 3 is fenced;
  // u-0: leaderless, ISR [3] (fenced), replica 2 live
  const base = image(
    brokers([1, 2, 3], [3]),
    topic('t', TOPIC_IDS[0], [{ replicas: [1, 2] }, { replicas: [1, 2], leader: 2, leaderEpoch: 4 }, { replicas: [3, 2], leader: 2 }]),
    topic('u', TOPIC_IDS[1], [{ replicas: [3, 2], isr: [3], leader: -1, leaderEpoch: 7 }]),
  );

  it('preferred: NOT_NEEDED, a new leader with the next epoch, or PREFERRED_LEADER_NOT_AVAILABLE', () => {
    const refs = [0, 1, 2].map((partition) => ({ topic: 't', partition }));
    const { records, results } = electLeaders(base, ElectionType.PREFERRED, [...refs, { topic: 't', partition: 9 }, { topic: 'nope', partition: 0 }]);
    expect(results.map((r) => [r.topic, r.partition, r.errorCode, r.errorMessage])).toEqual([
      ['t', 0, ErrorCode.ELECTION_NOT_NEEDED, null],
      ['t', 1, ErrorCode.NONE, null],
      ['t', 2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, null],
      ['t', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'No such partition as t-9'],
      ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'No such topic as nope'],
    ]);
    expect(records).toHaveLength(1);
    const after = applyRecords(base, records);
    expect(partition(after, 't', 1)).toMatchObject({ leader: 1, leaderEpoch: 5, isr: [1, 2], partitionEpoch: 1 });
  });

  it('unclean: a leaderless partition gets a live replica, its ISR becomes that replica, recovering', () => {
    const { records, results } = electLeaders(base, ElectionType.UNCLEAN, null);
    // all partitions: the ones that need no election are left out
    expect(results.map((r) => [r.topic, r.partition, r.errorCode])).toEqual([['u', 0, ErrorCode.NONE]]);
    const after = applyRecords(base, records);
    expect(partition(after, 'u')).toMatchObject({ leader: 2, leaderEpoch: 8, isr: [2], leaderRecoveryState: 1 });
    const again = electLeaders(after, ElectionType.UNCLEAN, [{ topic: 'u', partition: 0 }]);
    expect(again.results[0]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);
    expect(again.records).toEqual([]);
  });

  it('ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is live; an unknown election type is INVALID_REQUEST', () => {
    const dead = image(brokers([1, 2], [1, 2]), topic('d', TOPIC_IDS[0], [{ replicas: [1, 2], isr: [1], leader: -1 }]));
    expect(electLeaders(dead, ElectionType.UNCLEAN, [{ topic: 'd', partition: 0 }]).results[0]!.errorCode).toBe(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    expect(() => electLeaders(dead, 7, null)).toThrow(new KafkaError(ErrorCode.INVALID_REQUEST, 'Unknown election type 7'));
  });
});

describe('fencing and registration', () => {
  it('fencing a broker takes it out of ISRs and moves its leadership; a last ISR member stays, leaderless', () => {
    const img = image(brokers([1, 2]), topic('t', TOPIC_IDS[0], [{ replicas: [1, 2] }, { replicas: [2, 1] }, { replicas: [1] }]));
    const records = fenceBrokerRecords(img, img.brokers.get(1)!);
    expect(records[0]).toMatchObject({ type: 'BrokerRegistrationChangeRecord', data: { brokerId: 1, fenced: 1 } });
    const after = applyRecords(img, records);
    expect(after.brokers.get(1)!.fenced).toBe(true);
    expect(partition(after, 't', 0)).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2] });
    expect(partition(after, 't', 1)).toMatchObject({ leader: 2, leaderEpoch: 0, isr: [2], partitionEpoch: 1 });
    expect(partition(after, 't', 2)).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [1] });
    expect(fenceBrokerRecords(after, after.brokers.get(1)!)).toEqual([]);
  });

  it('start-up fences the other brokers, registers this one at its own offset, and takes back leaderless partitions', () => {
    const img = image(brokers([0, 5]), topic('t', TOPIC_IDS[0], [{ replicas: [0] }, { replicas: [5] }]));
    const self = { nodeId: 5, host: 'h', port: 9999, rack: 'r1' };
    const records = brokerStartupRecords(img, { self, nextOffset: 40, fenceOthers: true });
    const after = applyRecords(img, records);
    expect(after.brokers.get(0)!.fenced).toBe(true);
    const registration = after.brokers.get(5)!;
    // the epoch of a registration is the offset it lands at
    const at = records.findIndex((r) => r.type === 'RegisterBrokerRecord');
    expect(registration.epoch).toBe(BigInt(40 + at));
    expect(registration.endpoints[0]).toMatchObject({ host: 'h', port: 9999 });
    expect(registration.rack).toBe('r1');
    expect(partition(after, 't', 0)).toMatchObject({ leader: -1, isr: [0] });
    expect(partition(after, 't', 1)).toMatchObject({ leader: 5, leaderEpoch: 0 });
    // an unchanged restart writes nothing, so leader epochs stay where they are
    expect(brokerStartupRecords(after, { self, nextOffset: 50, fenceOthers: true })).toEqual([]);
    // broker 0 returns: 5 is fenced, 0 registered again and leads its partition at the next epoch
    const back = applyRecords(after, brokerStartupRecords(after, { self: { nodeId: 0, host: 'h', port: 1, rack: null }, nextOffset: 60, fenceOthers: true }));
    expect(back.brokers.get(0)!.fenced).toBe(false);
    expect(back.brokers.get(5)!.fenced).toBe(true);
    expect(partition(back, 't', 0)).toMatchObject({ leader: 0, leaderEpoch: 2, isr: [0] });
    expect(partition(back, 't', 1)).toMatchObject({ leader: -1, isr: [5] });
  });
});

describe('reassignPartition', () => {
  const img = image(brokers([1, 2]), topic('t', TOPIC_IDS[0], [{ replicas: [1, 2] }]));
  const refused = (target: number[] | null, topicName = 't', p = 0): [number, string] => {
    try {
      reassignPartition(img, topicName, p, target);
    } catch (err) {
      if (err instanceof KafkaError) return [err.code, err.message];
      throw err;
    }
    throw new Error('accepted');
  };

  it('refuses as Kafka does: unknown topic or partition, cancel with nothing running, empty, unregistered, repeated', () => {
    expect(refused([1], 'x')).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find a topic named x.']);
    expect(refused([1], 't', 3)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find partition t:3.']);
    expect(refused(null)).toEqual([ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress.']);
    expect(refused([])).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.']);
    expect(refused([1, 7])[1]).toBe('The manual partition assignment includes broker 7, but no such broker is registered.');
    expect(refused([2, 2])[1]).toBe('The manual partition assignment includes the broker 2 more than once.');
  });

  it('the current replicas are done at once with no records; another target is a reassignment (reassignment.test.ts)', () => {
    expect(reassignPartition(img, 't', 0, [1, 2])).toEqual([]);
    expect(reassignPartition(img, 't', 0, [2, 1])).toHaveLength(1);
  });
});
