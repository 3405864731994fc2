/**
 * Golden tests for the output formats: kafka-topics --list/--describe and the
 * console consumer's DefaultMessageFormatter, compared byte for byte with what
 * Kafka trunk's tools print (expected text in test/cli/golden/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatDescribe, formatRecord, formatterOptionsFrom, formatTopicList, topicFilter, type ConsumedRecord, type TopicDescription,
} from '../../src/cli/format.js';

const golden = (name: string): string => fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden', name), 'utf8');

const segmentBytes: Array<[string, string]> = [['segment.bytes', '1073741824']];

describe('kafka-topics --describe', () => {
  it('matches trunk output for a single-broker topic', () => {
    const topic: TopicDescription = {
      name: 't4',
      configs: segmentBytes,
      partitions: [2, 0, 1].map((p) => ({ partition: p, leader: 0, replicas: [0], isr: [0] })),
    };
    expect(formatDescribe([topic])).toBe(golden('describe-single-broker.txt'));
  });

  const afterKill: TopicDescription = {
    name: 'rf3',
    configs: segmentBytes,
    partitions: [
      { partition: 0, leader: 2, replicas: [1, 2, 3], isr: [2, 3] },
      { partition: 1, leader: 2, replicas: [2, 3, 1], isr: [2, 3] },
      { partition: 2, leader: 3, replicas: [3, 1, 2], isr: [3, 2] },
    ],
  };

  it('matches trunk output after the leader of partition 0 was killed', () => {
    expect(formatDescribe([afterKill])).toBe(golden('describe-after-leader-kill.txt'));
  });

  it('--under-replicated-partitions prints partition lines only', () => {
    expect(formatDescribe([afterKill], { underReplicated: true })).toBe(golden('describe-under-replicated.txt'));
  });

  it('--unavailable-partitions prints nothing while every leader is live, and leaderless partitions as "none"', () => {
    expect(formatDescribe([afterKill], { unavailable: true, liveBrokers: new Set([2, 3]) })).toBe('');
    const leaderless: TopicDescription = { name: 'x', configs: [], partitions: [{ partition: 0, leader: -1, replicas: [1], isr: [] }] };
    expect(formatDescribe([leaderless], { unavailable: true, liveBrokers: new Set([2]) }))
      .toBe('\tTopic: x\tPartition: 0\tLeader: none\tReplicas: 1\tIsr: \tElr: N/A\tLastKnownElr: N/A\n');
  });

  it('prints TopicId after the name when the broker has one, and never the all-zero id', () => {
    const topic: TopicDescription = { name: 'a', topicId: 'ApYZWyErQZuQNe97HC0jQQ', configs: [], partitions: [{ partition: 0, leader: 0, replicas: [0], isr: [0] }] };
    expect(formatDescribe([topic]).split('\n')[0]).toBe('Topic: a\tTopicId: ApYZWyErQZuQNe97HC0jQQ\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: ');
    expect(formatDescribe([{ ...topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }]).split('\n')[0]).toBe('Topic: a\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: ');
  });
});

describe('kafka-topics --list', () => {
  it('prints names in Java String order with a final newline', () => {
    expect(formatTopicList(['t4'])).toBe(golden('list-single.txt'));
    expect(formatTopicList(['b', '__consumer_offsets', 'A', 'a'])).toBe('A\n__consumer_offsets\na\nb\n');
  });
  it('prints one empty line for an empty cluster', () => {
    expect(formatTopicList([])).toBe('\n');
  });
});

describe('topic filter', () => {
  it('is a full-match regex where commas mean "or"', () => {
    const f = topicFilter('a,b');
    expect(['a', 'b', 'ab', 'c'].filter(f)).toEqual(['a', 'b']);
    expect(topicFilter('my.topic')('my_topic')).toBe(true);
    expect(topicFilter('"t.*"')('t4')).toBe(true);
    expect(topicFilter('demo')('demo2')).toBe(false);
  });
});

describe('DefaultMessageFormatter', () => {
  const record = (partition: number, offset: number, key: string | null, value: string | null): ConsumedRecord => ({
    partition, offset, timestamp: 1700000000000, timestampType: 'CreateTime',
    key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: [],
  });
  const render = (records: ConsumedRecord[], props: Record<string, string>): string =>
    Buffer.concat(records.flatMap((r) => formatRecord(r, formatterOptionsFrom(props).options))).toString();

  it('matches trunk output with print.key, print.partition and print.offset', () => {
    const records = [record(0, 0, null, 'hello'), record(0, 1, null, 'world'), record(2, 0, 'k1', 'v1')];
    expect(render(records, { 'print.key': 'true', 'print.partition': 'true', 'print.offset': 'true' })).toBe(golden('consumer-key-partition-offset.txt'));
  });

  it('prints only the value by default', () => {
    expect(render([record(0, 0, 'k', 'v')], {})).toBe('v\n');
  });

  it('puts timestamp, partition, offset, headers, key, value in Kafka order with custom separators', () => {
    const r: ConsumedRecord = { ...record(1, 7, null, null), headers: [['h1', Buffer.from('x')], ['h2', null]] };
    const text = render([r], {
      'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.headers': 'true', 'print.key': 'true',
      'key.separator': '|', 'line.separator': '\\n--\\n', 'headers.separator': ';', 'null.literal': 'NULL',
    });
    expect(text).toBe('CreateTime:1700000000000|Partition:1|Offset:7|h1:x;h2:NULL|NULL|NULL\n--\n');
  });

  it('prints NO_TIMESTAMP, NO_HEADERS and LogAppendTime as Kafka does', () => {
    const r: ConsumedRecord = { ...record(0, 0, null, 'v'), timestamp: -1 };
    expect(render([r], { 'print.timestamp': 'true', 'print.headers': 'true' })).toBe('NO_TIMESTAMP\tNO_HEADERS\tv\n');
    expect(render([{ ...r, timestamp: 5, timestampType: 'LogAppendTime' }], { 'print.timestamp': 'true' })).toBe('LogAppendTime:5\tv\n');
  });

  it('prints nothing for a record when every column is off', () => {
    expect(render([record(0, 0, 'k', 'v')], { 'print.value': 'false' })).toBe('');
  });
});
