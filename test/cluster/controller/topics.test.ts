/**
 * The controller's topic decisions on metadata images: the records of a CreateTopics
 * (order, placement over the active brokers, leaders and ISR of new partitions,
 * configs), max.broker.partitions, CreatePartitions, DeleteTopics and config changes.
 */
import { describe, expect, it } from 'vitest';
import { brokerConfig } from '../../../src/broker/config.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';
import { applyRecords } from '../../../src/metadata/apply.js';
import { partitionsOf, resourceConfigs } from '../../../src/metadata/image.js';
import {
  createPartitionsRecords,
  createTopicRecords,
  deleteTopicRecords,
  incrementalAlterTopicConfigRecords,
  replaceTopicConfigRecords,
} from '../../../src/cluster/controller/index.js';
import { brokers, image, topic, TOPIC_IDS } from './helpers.js';

const config = brokerConfig({ numPartitions: 2, maxBrokerPartitions: 10 });

function codeOf(fn: () => unknown): [number, string] {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return [err.code, err.message];
    throw err;
  }
  throw new Error('expected a KafkaError');
}

describe('createTopicRecords', () => {
  it('TopicRecord, then configs, then partitions placed round-robin over active brokers, led by the first live replica', () => {
    // broker 3 is fenced: it gets no replicas
    const img = image(brokers([1, 2, 3], [3]));
    const records = createTopicRecords(img, config, 'orders', { numPartitions: 3, replicationFactor: 2, configs: { 'retention.ms': '1000' } }, {
      topicId: TOPIC_IDS[0],
      placement: { startIndex: 0, replicaShift: 0 },
    });
    expect(records.map((r) => r.type)).toEqual(['TopicRecord', 'ConfigRecord', 'PartitionRecord', 'PartitionRecord', 'PartitionRecord']);
    const after = applyRecords(img, records);
    const t = after.topicsByName.get('orders')!;
    expect(t.topicId).toBe(TOPIC_IDS[0]);
    expect(partitionsOf(t).map((p) => [p.replicas, p.isr, p.leader, p.leaderEpoch, p.partitionEpoch])).toEqual([
      [[1, 2], [1, 2], 1, 0, 0],
      [[2, 1], [2, 1], 2, 0, 0],
      [[1, 2], [1, 2], 1, 0, 0],
    ]);
    expect(resourceConfigs(after, 2, 'orders')).toEqual({ 'retention.ms': '1000' });
  });

  it('defaults for -1, manual assignments checked, and Kafka\'s refusals', () => {
    const img = image(brokers([1, 2]), topic('taken', TOPIC_IDS[1], [{ replicas: [1] }]));
    const opts = { topicId: TOPIC_IDS[0] };
    expect(createTopicRecords(img, config, 'd', { numPartitions: -1, replicationFactor: -1 }, opts).filter((r) => r.type === 'PartitionRecord')).toHaveLength(2);
    const manual = createTopicRecords(img, config, 'm', { numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [2, 1] }] }, opts);
    expect(partitionsOf(applyRecords(img, manual).topicsByName.get('m')!)[0]).toMatchObject({ replicas: [2, 1], leader: 2 });
    expect(codeOf(() => createTopicRecords(img, config, 'taken', { numPartitions: 1, replicationFactor: 1 }, opts))).toEqual([
      ErrorCode.TOPIC_ALREADY_EXISTS,
      "Topic 'taken' already exists.",
    ]);
    expect(codeOf(() => createTopicRecords(img, config, 'r', { numPartitions: 1, replicationFactor: 3 }, opts))).toEqual([
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Replication factor: 3 larger than available brokers: 2.',
    ]);
    expect(codeOf(() => createTopicRecords(img, config, 'u', { numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [9] }] }, opts))).toEqual([
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'Unknown broker(s) in replica assignment: 9.',
    ]);
    expect(codeOf(() => createTopicRecords(img, config, 'g', { numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 1, brokerIds: [1] }] }, opts))[1]).toBe(
      'Partitions should be a consecutive 0-based integer sequence',
    );
    expect(codeOf(() => createTopicRecords(img, config, 'c', { numPartitions: 1, replicationFactor: 1, configs: { 'no.such': '1' } }, opts))).toEqual([
      ErrorCode.INVALID_CONFIG,
      'Unknown topic config name: no.such',
    ]);
  });

  it('max.broker.partitions counts the replicas already hosted across the active brokers; internal topics are exempt', () => {
    const img = image(brokers([0]), topic('six', TOPIC_IDS[1], Array.from({ length: 6 }, () => ({ replicas: [0] }))));
    const [code, message] = codeOf(() => createTopicRecords(img, config, 'five', { numPartitions: 5, replicationFactor: 1 }, { topicId: TOPIC_IDS[0] }));
    expect(code).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(message).toContain('Creating topic five with 5 partition(s) would give broker 0 11 partition replicas, more than max.broker.partitions=10 allows (6 hosted now)');
    expect(createTopicRecords(img, config, '__consumer_offsets', { numPartitions: 50, replicationFactor: 1 }, { topicId: TOPIC_IDS[0], internal: true })).toHaveLength(51);
    // two brokers hold twice as much
    const two = image(brokers([0, 1]), topic('six', TOPIC_IDS[1], Array.from({ length: 6 }, () => ({ replicas: [0] }))));
    expect(createTopicRecords(two, config, 'five', { numPartitions: 5, replicationFactor: 1 }, { topicId: TOPIC_IDS[0] })).toHaveLength(6);
  });
});

describe('createPartitions, deleteTopic and configs', () => {
  const img = image(brokers([1, 2]), topic('t', TOPIC_IDS[0], [{ replicas: [1, 2] }], { 'cleanup.policy': 'compact', 'retention.ms': '5' }));

  it('adds partitions after the existing ones with the topic\'s replication factor', () => {
    const records = createPartitionsRecords(img, config, 't', 3, null, { startIndex: 0, replicaShift: 0 });
    const after = partitionsOf(applyRecords(img, records).topicsByName.get('t')!);
    expect(after.map((p) => [p.partition, p.replicas.length, p.leader === p.replicas[0]])).toEqual([
      [0, 2, true],
      [1, 2, true],
      [2, 2, true],
    ]);
    expect(codeOf(() => createPartitionsRecords(img, config, 't', 1))[1]).toBe('Topic already has 1 partition(s).');
    expect(codeOf(() => createPartitionsRecords(img, config, 't', 3, [[1, 2]]))[1]).toBe(
      'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.',
    );
    expect(codeOf(() => createPartitionsRecords(img, config, 'x', 3))[0]).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('DeleteTopics is one RemoveTopicRecord, which also drops the topic\'s configs', () => {
    const records = deleteTopicRecords(img, config, 't');
    expect(records).toEqual([expect.objectContaining({ type: 'RemoveTopicRecord', data: { topicId: TOPIC_IDS[0] } })]);
    const after = applyRecords(img, records);
    expect(after.topicsByName.has('t')).toBe(false);
    expect(resourceConfigs(after, 2, 't')).toEqual({});
    expect(codeOf(() => deleteTopicRecords(img, brokerConfig({ deleteTopicEnable: false }), 't'))[0]).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
  });

  it('config changes are ConfigRecords from the current overrides: removals as null values, then sets; nothing when unchanged', () => {
    const replaced = replaceTopicConfigRecords(img, 't', { 'retention.ms': '5', 'segment.ms': '1000' });
    expect(replaced.map((r) => (r.type === 'ConfigRecord' ? [r.data.name, r.data.value] : r.type))).toEqual([
      ['cleanup.policy', null],
      ['segment.ms', '1000'],
    ]);
    expect(resourceConfigs(applyRecords(img, replaced), 2, 't')).toEqual({ 'retention.ms': '5', 'segment.ms': '1000' });
    expect(replaceTopicConfigRecords(img, 't', { 'cleanup.policy': 'compact', 'retention.ms': '5' })).toEqual([]);
    const appended = incrementalAlterTopicConfigRecords(img, config, 't', [
      { name: 'cleanup.policy', op: 'APPEND', value: 'delete' },
      { name: 'retention.ms', op: 'DELETE', value: null },
    ]);
    expect(resourceConfigs(applyRecords(img, appended), 2, 't')).toEqual({ 'cleanup.policy': 'compact,delete' });
    expect(codeOf(() => incrementalAlterTopicConfigRecords(img, config, 'x', []))[0]).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
