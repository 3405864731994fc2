/**
 * kafka-leader-election's lines, against kafka-outputs.md §2 / kafka-outputs-more.md §5.1
 * (partition sets in the order Kafka's HashSet<TopicPartition> iterates them).
 */
import { describe, expect, it } from 'vitest';
import { electionLines, electionOutcome, leaderElectionOptions, parseElectionJson, spec } from '../../src/cli/commands/kafka-leader-election.js';
import { CliError } from '../../src/cli/errors.js';
import { parseArgs } from '../../src/cli/options.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ElectLeadersResponse } from '../../src/protocol/generated/types.js';

function response(results: Array<[string, number, number, string | null]>): ElectLeadersResponse {
  const topics = new Map<string, ElectLeadersResponse['replicaElectionResults'][number]>();
  for (const [topic, partitionId, errorCode, errorMessage] of results) {
    const entry = topics.get(topic) ?? { topic, partitionResult: [] };
    entry.partitionResult.push({ partitionId, errorCode, errorMessage });
    topics.set(topic, entry);
  }
  return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [...topics.values()] };
}

const opts = (...argv: string[]) => leaderElectionOptions(parseArgs(spec, argv));

describe('kafka-leader-election output', () => {
  it('the preferred election after a restart prints one line naming the moved partitions (kafka-outputs.md §2)', () => {
    const outcome = electionOutcome(response([
      ['rf3', 0, ErrorCode.NONE, null], ['rf3p3', 0, ErrorCode.ELECTION_NOT_NEEDED, null],
      ['rf3p3', 1, ErrorCode.ELECTION_NOT_NEEDED, null], ['rf3p3', 2, ErrorCode.NONE, null],
    ]));
    expect(electionLines('PREFERRED', outcome).stdout[0]).toBe('Successfully completed leader election (PREFERRED) for partitions rf3-0, rf3p3-2');
  });

  it('a single named partition (kafka-outputs-more.md §5.1)', () => {
    expect(electionLines('PREFERRED', electionOutcome(response([['t', 1, ErrorCode.NONE, null]])))).toEqual({
      stdout: ['Successfully completed leader election (PREFERRED) for partitions t-1'],
    });
  });

  it('nothing to elect with --all-topic-partitions prints nothing', () => {
    expect(electionLines('UNCLEAN', electionOutcome(response([])))).toEqual({ stdout: [] });
  });

  it('a partition needing no election is named on the Valid replica line (trunk prints the set)', () => {
    expect(electionLines('PREFERRED', electionOutcome(response([['t', 0, ErrorCode.ELECTION_NOT_NEEDED, null]]))).stdout)
      .toEqual(['Valid replica already elected for partitions t-0']);
  });

  it("failures: one stdout line each with the Java exception, then 'n replica(s) could not be elected'", () => {
    const lines = electionLines('PREFERRED', electionOutcome(response([
      ['t1', 2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, 'Failed to elect leader for partition t1-2 under strategy PreferredReplicaPartitionLeaderElectionStrategy'],
    ])));
    expect(lines).toEqual({
      stdout: ['Error completing leader election (PREFERRED) for partition: t1-2: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: Failed to elect leader for partition t1-2 under strategy PreferredReplicaPartitionLeaderElectionStrategy'],
      failure: '1 replica(s) could not be elected',
    });
  });

  it("validates options with LeaderElectionCommand's words", () => {
    expect(() => opts('--bootstrap-server', 'h:9092', '--election-type', 'preferred')).toThrow(new CliError('One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file'));
    expect(() => opts('--bootstrap-server', 'h:9092', '--all-topic-partitions')).toThrow(new CliError('Missing required option(s): election-type'));
    expect(() => opts('--bootstrap-server', 'h:9092', '--election-type', 'preferred', '--topic', 't')).toThrow(new CliError('Missing required option(s): partition'));
    expect(() => opts('--bootstrap-server', 'h:9092', '--election-type', 'preferred', '--all-topic-partitions', '--partition', '1')).toThrow(new CliError('Option partition is only allowed if topic is used'));
    expect(opts('--bootstrap-server', 'h:9092', '--election-type', 'UNCLEAN', '--topic', 't', '--partition', '2')).toMatchObject({ electionType: 'UNCLEAN', partitions: [{ topic: 't', partition: 2 }] });
    expect(opts('--bootstrap-server', 'h:9092', '--election-type', 'preferred', '--all-topic-partitions').partitions).toBeNull();
  });

  it('reads --path-to-json-file partitions and refuses duplicates', () => {
    expect(parseElectionJson('{"partitions": [{"topic": "foo", "partition": 1}, {"topic": "foobar", "partition": 2}]}')).toEqual([{ topic: 'foo', partition: 1 }, { topic: 'foobar', partition: 2 }]);
    expect(() => parseElectionJson('{"partitions": [{"topic": "a", "partition": 0}, {"topic": "a", "partition": 0}]}')).toThrow('Replica election data contains duplicate partitions: [a-0]');
    expect(() => parseElectionJson('{}')).toThrow('Replica election data is missing "partitions" field');
  });
});
