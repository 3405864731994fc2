/**
 * kafka-consumer-groups without a broker: the tables compared byte for byte with
 * Kafka's output (test/cli/golden/consumer-groups-*.txt; the no-members describe is
 * the captured trunk output), the option rules and their usage errors, and the
 * parsers for --topic t:0,1, --to-datetime, --by-duration and --from-file CSV.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  assignmentString, consumerGroupCommandOptions, formatDeleteOffsetsTable, formatGroupListing, formatMembersTable, formatOffsetsTable,
  formatResetCsv, formatResetPlan, formatStateTable, groupStatusNote, javaErrorText, parseDateTime, parseIsoDuration, parseResetCsv,
  parseStateFilter, parseTopicPartitions, spec, type PlannedOffset,
} from '../../src/cli/commands/kafka-consumer-groups.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseArgs } from '../../src/cli/options.js';

const golden = (name: string): string => fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden', name), 'utf8');
const options = (...argv: string[]) => consumerGroupCommandOptions(parseArgs(spec, argv));
const usageError = (...argv: string[]): string => {
  try {
    options(...argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('describe tables', () => {
  it('offsets view of a group without members matches the captured output', () => {
    const rows = [[0, 1n], [1, 3n], [2, 1n]].map(([partition, offset]) => ({
      group: 'g1', topic: 'demo', partition: Number(partition), currentOffset: BigInt(offset), logEndOffset: BigInt(offset), lag: 0n,
      consumerId: '-', host: '-', clientId: '-',
    }));
    expect(formatOffsetsTable(rows, false)).toBe(golden('consumer-groups-describe-no-members.txt'));
  });

  it('offsets view widens GROUP/TOPIC/CONSUMER-ID/HOST to the longest value and prints - for unknowns', () => {
    const text = formatOffsetsTable([{ group: 'a-rather-long-group-name', topic: 't', partition: 0, logEndOffset: 5n, consumerId: 'member-1', host: '/10.0.0.1', clientId: 'c' }], false);
    const [blank, header, row] = text.split('\n');
    expect(blank).toBe('');
    expect(header.startsWith('GROUP                    TOPIC ')).toBe(true);
    expect(row).toBe('a-rather-long-group-name t               0          -               5               -               member-1        /10.0.0.1       c');
    expect(text.endsWith('c\n')).toBe(true);
  });

  it('verbose offsets view adds LEADER-EPOCH after PARTITION', () => {
    const header = formatOffsetsTable([], true).split('\n')[1];
    expect(header).toBe('GROUP           TOPIC           PARTITION  LEADER-EPOCH    CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID');
  });

  it('members view pads every column, #PARTITIONS included, with a trailing space', () => {
    const text = formatMembersTable([{
      group: 'g2', consumerId: 'console-consumer-01220488-cfea-46fb-98d8-891bb2dddd9c', groupInstanceId: '', host: '/127.0.0.1',
      clientId: 'console-consumer', assignment: [0, 1, 2].map((partition) => ({ topic: 'demo', partition })),
    }], false);
    expect(text).toBe(golden('consumer-groups-members.txt'));
  });

  it('members view of an empty group still prints the header', () => {
    expect(formatMembersTable([], false)).toBe('\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n');
  });

  it('verbose members view shows the assignment as topic:partitions;...', () => {
    const text = formatMembersTable([{
      group: 'g', consumerId: 'm', groupInstanceId: '', host: '/h', clientId: 'c',
      assignment: [{ topic: 'b', partition: 3 }, { topic: 'a', partition: 1 }, { topic: 'a', partition: 0 }],
    }], true);
    const row = text.split('\n')[2];
    expect(row).toBe('g               m               /h              c               3               -               a:0,1;b:3            -               -                   ');
    expect(assignmentString([])).toBe('-');
  });

  it('state view renders the coordinator as host:port  (id)', () => {
    expect(formatStateTable({ group: 'g2', coordinator: { host: '127.0.0.1', port: 19192, nodeId: 0 }, assignmentStrategy: 'RoundRobinAssigner', state: 'Stable', members: 1 }, false))
      .toBe(golden('consumer-groups-state.txt'));
    const empty = formatStateTable({ group: 'g', coordinator: { host: 'h', port: 1, nodeId: 2 }, assignmentStrategy: '', state: 'Empty', members: 0 }, false);
    expect(empty.split('\n')[2]).toBe('g               h:1  (2)                  -                    Empty                0');
  });

  it('status notes follow the group state', () => {
    expect(groupStatusNote('x', 'Dead', 0)).toEqual({ stdout: "\nError: Consumer group 'x' does not exist.\n", stderr: '', show: false });
    expect(groupStatusNote('g1', 'Empty', 3)).toEqual({ stdout: '', stderr: "\nConsumer group 'g1' has no active members.\n", show: true });
    expect(groupStatusNote('g1', 'Empty', 0).show).toBe(false);
    expect(groupStatusNote('g', 'PreparingRebalance', 1).stderr).toBe("\nWarning: Consumer group 'g' is rebalancing.\n");
    expect(groupStatusNote('g', 'Stable', 2)).toEqual({ stdout: '', stderr: '', show: true });
  });
});

describe('list, reset and delete outputs', () => {
  it('--list --state: GROUP column max(15, longest)+10, STATE 20, both padded', () => {
    expect(formatGroupListing([{ groupId: 'g1', state: 'Empty', type: 'Classic' }, { groupId: 'console-consumer-41358', state: 'Stable', type: 'Classic' }], { state: true, type: false }))
      .toBe(golden('consumer-groups-list-state.txt'));
    expect(formatGroupListing([], { state: true, type: true })).toBe(`${'GROUP'.padEnd(25)} ${'TYPE'.padEnd(20)} ${'STATE'.padEnd(20)}\n`);
  });

  const plan = new Map<string, PlannedOffset[]>([['g1', [0, 1, 2].map((partition) => ({ topic: 'demo', partition, offset: 0n }))]]);

  it('reset plan table', () => {
    expect(formatResetPlan(plan)).toBe(golden('consumer-groups-reset-plan.txt'));
    // a group refused (active) still gets the header, with no rows
    expect(formatResetPlan(new Map([['g2', []]]))).toBe('\nGROUP           TOPIC           PARTITION  NEW-OFFSET\n');
  });

  it('--export CSV for one group and for several, read back by --from-file', () => {
    expect(formatResetCsv(plan, true)).toBe('demo,0,0\ndemo,1,0\ndemo,2,0\n\n');
    const two = new Map([...plan, ['g2', [{ topic: 't', partition: 4, offset: 7n }]]]);
    const csv = formatResetCsv(two, false);
    expect(csv).toBe('g1,demo,0,0\ng1,demo,1,0\ng1,demo,2,0\ng2,t,4,7\n\n');
    expect(parseResetCsv(csv, ['g1', 'g2'])).toEqual(two);
    expect(parseResetCsv('demo,0,5\n', ['g1'])).toEqual(new Map([['g1', [{ topic: 'demo', partition: 0, offset: 5n }]]]));
  });

  it('--delete-offsets table sorts by topic+partition and marks errors', () => {
    const text = formatDeleteOffsetsTable([
      { topic: 'demo', partition: 1 },
      { topic: 'missing', partition: -1, error: javaErrorText(3) },
      { topic: 'demo', partition: 0, error: javaErrorText(86) },
    ]);
    expect(text).toBe([
      '',
      'TOPIC           PARTITION  STATUS         ',
      'demo            0          Error: org.apache.kafka.common.errors.GroupSubscribedToTopicException: The consumer group is actively subscribed to the topic',
      'demo            1          Successful     ',
      'missing         -          Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
      '',
    ].join('\n'));
  });
});

describe('option rules', () => {
  const bs = ['--bootstrap-server', 'localhost:9092'];

  it('needs --bootstrap-server and exactly one action', () => {
    expect(usageError('--list')).toBe('Missing required argument "[bootstrap-server]"');
    expect(usageError(...bs)).toBe('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
    expect(usageError(...bs, '--list', '--delete', '--all-groups')).toMatch(/exactly one action/);
  });

  it('describe/delete/reset need a group scope; describe takes one view', () => {
    expect(usageError(...bs, '--describe')).toBe('Option [describe] takes one of these options: [group], [all-groups]');
    expect(usageError(...bs, '--delete')).toBe('Option [delete] takes one of these options: [group], [all-groups]');
    expect(usageError(...bs, '--describe', '--group', 'g', '--members', '--state')).toBe('Option [describe] takes at most one of these options: [members], [offsets], [state]');
    expect(usageError(...bs, '--describe', '--group', 'g', '--state', 'stable')).toBe('Option [describe] does not take a value for [state]');
    expect(usageError(...bs, '--list', '--members')).toBe('Option(s) [members] are unavailable given other options on the command line');
    expect(usageError(...bs, '--delete', '--group', 'g', '--topic', 't')).toBe('The consumer does not support topic-specific offset deletion from a consumer group.');
    expect(usageError(...bs, '--delete-offsets', '--group', 'g')).toBe('Option [delete-offsets] takes the following options: [group], [topic]');
    expect(usageError(...bs, '--describe', '--group', 'g', '--all-groups')).toBe('Option "[group]" can\'t be used with option "[all-groups]"');
  });

  it('reset needs one scenario and a scope, and one of --execute/--dry-run', () => {
    expect(usageError(...bs, '--reset-offsets', '--group', 'g', '--topic', 't', '--dry-run')).toMatch(/^Option '\[reset-offsets\]' requires one of the following scenarios: \[to-offset\]/);
    expect(usageError(...bs, '--reset-offsets', '--group', 'g', '--to-earliest', '--dry-run')).toBe('One of the reset scopes should be defined: --all-topics, --topic.');
    expect(usageError(...bs, '--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--to-latest', '--dry-run')).toBe('Option "[to-earliest]" can\'t be used with option "[to-latest]"');
    expect(usageError(...bs, '--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--dry-run', '--execute')).toBe('Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    expect(usageError(...bs, '--reset-offsets', '--group', 'g', '--all-topics', '--shift-by', 'x', '--dry-run')).toBe("Cannot parse argument 'x' of option shift-by");
  });

  it('parses a valid reset command', () => {
    const parsed = options(...bs, '--reset-offsets', '--group', 'g1', '--group', 'g2', '--topic', 't:0,1', '--shift-by', '-2', '--execute');
    expect(parsed.action).toBe('reset-offsets');
    expect(parsed.groups).toEqual(['g1', 'g2']);
    expect(parsed.scenario).toEqual({ kind: 'shift-by', shift: -2n });
    expect(parsed.execute).toBe(true);
    expect(parsed.timeoutMs).toBe(5000);
  });

  it('--list --state takes an optional state filter', () => {
    expect(options(...bs, '--list', '--state').listColumns).toEqual({ state: true, type: false });
    expect(options(...bs, '--list', '--state', 'stable,EMPTY').stateFilter).toEqual(['Stable', 'Empty']);
    expect(() => parseStateFilter('running')).toThrow("Invalid state list 'running'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling");
  });
});

describe('argument parsers', () => {
  it('topic:partitions', () => {
    expect(parseTopicPartitions('t:0,2')).toEqual([{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }]);
    expect(() => parseTopicPartitions('t:a')).toThrow("Invalid partition 'a' specified in topic arg 't:a''");
    expect(() => parseTopicPartitions('t:0:1')).toThrow("Invalid topic arg 't:0:1', expected topic name and partitions");
  });

  it('--to-datetime is UTC unless a zone is given', () => {
    expect(parseDateTime('2024-05-01T10:00:00.000')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 0));
    expect(parseDateTime('2024-05-01T10:00:00.250Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 250));
    expect(parseDateTime('2024-05-01T10:00:00.000+02:00')).toBe(Date.UTC(2024, 4, 1, 8, 0, 0, 0));
    expect(() => parseDateTime('2024-05-01 10:00')).toThrow(/does not contain a 'T'/);
  });

  it('--by-duration reads ISO-8601 durations', () => {
    expect(parseIsoDuration('PT0S')).toBe(0);
    expect(parseIsoDuration('P1DT2H3M4.5S')).toBe(86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4_500);
    expect(parseIsoDuration('PT15M')).toBe(900_000);
    expect(() => parseIsoDuration('15m')).toThrow('Text cannot be parsed to a Duration: 15m');
  });
});
