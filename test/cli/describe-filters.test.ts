/**
 * The kafka-topics --describe partition reports against real cluster states: the
 * r1/r2/r3 cluster of kafka-outputs-more.md §5.5 after broker 2 was killed (lines in the
 * trunk tool's format, with its Elr columns), plus the min-ISR reports of TopicCommand.
 */
import { describe, expect, it } from 'vitest';
import { formatDescribe, type TopicDescription } from '../../src/cli/format.js';
import { spec, topicCommandOptions } from '../../src/cli/commands/kafka-topics.js';
import { zookeeperHostList } from '../../src/cli/zookeeper-bootstrap.js';
import { parseArgs } from '../../src/cli/options.js';

const seg: Array<[string, string]> = [['segment.bytes', '1073741824']];
const tail = '\tElr: N/A\tLastKnownElr: N/A';
const line = (t: string, p: number, leader: string, replicas: string, isr: string): string =>
  `\tTopic: ${t}\tPartition: ${p}\tLeader: ${leader}\tReplicas: ${replicas}\tIsr: ${isr}${tail}\n`;

// §5.5, after `kill -9` of broker 2 (2.4.1 keeps the dead broker in the ISR of a leaderless partition)
const cluster: TopicDescription[] = [
  { name: 'r2', configs: seg, minIsr: 1, partitions: [
    { partition: 0, leader: 1, replicas: [1, 0], isr: [1, 0] },
    { partition: 1, leader: 0, replicas: [0, 2], isr: [0] },
    { partition: 2, leader: 1, replicas: [2, 1], isr: [1] },
  ] },
  { name: 'r3', configs: seg, minIsr: 2, partitions: [
    { partition: 0, leader: 1, replicas: [1, 2, 0], isr: [1, 0] },
    { partition: 1, leader: 0, replicas: [0, 1, 2], isr: [0, 1] },
    { partition: 2, leader: 0, replicas: [2, 0, 1], isr: [0, 1] },
  ] },
  { name: 'r1', configs: seg, minIsr: 1, partitions: [
    { partition: 0, leader: 0, replicas: [0], isr: [0] },
    { partition: 1, leader: -1, replicas: [2], isr: [2] },
    { partition: 2, leader: 1, replicas: [1], isr: [1] },
  ] },
];
const live = new Set([0, 1]);

describe('kafka-topics --describe report filters', () => {
  it('--under-replicated-partitions: partition lines only, as Kafka printed them', () => {
    expect(formatDescribe(cluster, { underReplicated: true, liveBrokers: live })).toBe(
      line('r2', 1, '0', '0,2', '0') + line('r2', 2, '1', '2,1', '1') +
      line('r3', 0, '1', '1,2,0', '1,0') + line('r3', 1, '0', '0,1,2', '0,1') + line('r3', 2, '0', '2,0,1', '0,1'));
  });

  it('--unavailable-partitions: the leaderless RF 1 partition, Leader: none', () => {
    expect(formatDescribe(cluster, { unavailable: true, liveBrokers: live })).toBe(line('r1', 1, 'none', '2', '2'));
    // a leader that is not a live broker counts as unavailable too
    expect(formatDescribe([cluster[2]], { unavailable: true, liveBrokers: new Set([1]) })).toBe(line('r1', 0, '0', '0', '0') + line('r1', 1, 'none', '2', '2'));
  });

  it('--under-min-isr-partitions: ISR below the topic min.insync.replicas, or no leader', () => {
    const shrunk: TopicDescription = { ...cluster[1], partitions: [{ partition: 0, leader: 1, replicas: [1, 2, 0], isr: [1] }, ...cluster[1].partitions.slice(1)] };
    expect(formatDescribe([shrunk, cluster[2]], { underMinIsr: true })).toBe(line('r3', 0, '1', '1,2,0', '1') + line('r1', 1, 'none', '2', '2'));
  });

  it('--at-min-isr-partitions: ISR exactly min.insync.replicas', () => {
    expect(formatDescribe([cluster[1]], { atMinIsr: true })).toBe(line('r3', 0, '1', '1,2,0', '1,0') + line('r3', 1, '0', '0,1,2', '0,1') + line('r3', 2, '0', '2,0,1', '0,1'));
  });

  it('filters combine as any-of (TopicCommand 3.7+), each partition printed once', () => {
    expect(formatDescribe([cluster[2]], { underReplicated: true, unavailable: true, liveBrokers: live })).toBe(line('r1', 1, 'none', '2', '2'));
  });

  it('the options parse with --describe only', () => {
    const o = topicCommandOptions(parseArgs(spec, ['--bootstrap-server', 'localhost:9092', '--describe', '--under-min-isr-partitions', '--at-min-isr-partitions']));
    expect(o).toMatchObject({ underMinIsr: true, atMinIsr: true, underReplicated: false });
    expect(() => topicCommandOptions(parseArgs(spec, ['--bootstrap-server', 'localhost:9092', '--list', '--at-min-isr-partitions'])))
      .toThrow('Option "[at-min-isr-partitions]" can\'t be used with option "[alter]","[create]","[delete]","[list]"');
  });

  it('--zookeeper hosts keep their ports and lose the chroot', () => {
    expect(zookeeperHostList('hadoop102:2181,hadoop103:2181,hadoop104:2181/kafka')).toEqual(['hadoop102:2181', 'hadoop103:2181', 'hadoop104:2181']);
    expect(zookeeperHostList('master')).toEqual(['master:2181']);
  });
});

describe('kafka-topics --describe during a reassignment', () => {
  // partition 0 moving from [2,0] to [0,1]: replicas 0,1,2 while 1 is added and 2 removed
  const moving: TopicDescription = { name: 't', configs: seg, partitions: [
    { partition: 0, leader: 2, replicas: [0, 1, 2], isr: [2, 0], reassignment: { adding: [1], removing: [2] } },
    { partition: 1, leader: 0, replicas: [0, 1], isr: [0, 1] },
  ] };

  it("appends Adding/Removing Replicas before the Elr columns and counts the replication factor without the added ones (TopicCommand)", () => {
    expect(formatDescribe([moving])).toBe(
      'Topic: t\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: segment.bytes=1073741824\n' +
      '\tTopic: t\tPartition: 0\tLeader: 2\tReplicas: 0,1,2\tIsr: 2,0\tAdding Replicas: 1\tRemoving Replicas: 2\tElr: N/A\tLastKnownElr: N/A\n' +
      line('t', 1, '0', '0,1', '0,1'));
  });

  it('a moving partition counts as under-replicated against the replicas it keeps, not the ones being added', () => {
    expect(formatDescribe([moving], { underReplicated: true })).toBe('');
  });
});
