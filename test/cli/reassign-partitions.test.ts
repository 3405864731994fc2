/**
 * kafka-reassign-partitions: its JSON and option rules (kafka-outputs-more.md §5.2 for
 * the JSON shape; 3.x ReassignPartitionsCommand for the rules and lines).
 */
import { describe, expect, it } from 'vitest';
import {
  parseReassignment, parseTopicsToMove, proposeAssignment, reassignmentJson, reassignOptions, spec, validateReassignment,
} from '../../src/cli/commands/kafka-reassign-partitions.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseArgs } from '../../src/cli/options.js';

const opts = (...argv: string[]) => reassignOptions(parseArgs(spec, argv));

describe('reassignment JSON', () => {
  it("prints Kafka's JSON: version first, partitions sorted by topic and partition, log_dirs all any", () => {
    // kafka-outputs-more.md §5.2, current assignment of t (3 partitions, RF 2), sorted as 3.x prints it
    expect(reassignmentJson([
      { topic: 't', partition: 2, replicas: [0, 2] }, { topic: 't', partition: 1, replicas: [1, 0] }, { topic: 't', partition: 0, replicas: [2, 1] },
    ])).toBe('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,1],"log_dirs":["any","any"]},{"topic":"t","partition":1,"replicas":[1,0],"log_dirs":["any","any"]},{"topic":"t","partition":2,"replicas":[0,2],"log_dirs":["any","any"]}]}');
  });

  it('reads what it prints (the proposed.json of the tutorial) and topics-to-move files', () => {
    const proposed = '{"version":1,"partitions":[{"topic":"t","partition":1,"replicas":[1,0],"log_dirs":["any","any"]},{"topic":"t","partition":0,"replicas":[0,1],"log_dirs":["any","any"]},{"topic":"t","partition":2,"replicas":[0,1],"log_dirs":["any","any"]}]}';
    expect(parseReassignment(JSON.parse(proposed))).toEqual([
      { topic: 't', partition: 1, replicas: [1, 0] }, { topic: 't', partition: 0, replicas: [0, 1] }, { topic: 't', partition: 2, replicas: [0, 1] },
    ]);
    expect(parseTopicsToMove(JSON.parse('{"topics":[{"topic":"t"}],"version":1}'))).toEqual(['t']);
    expect(() => parseTopicsToMove({ topics: [], version: 2 })).toThrow('Error: Not supported version field value 2');
  });

  it("refuses what Kafka refuses, in its words", () => {
    expect(() => validateReassignment([])).toThrow('Error: Partition reassignment list cannot be empty');
    expect(() => validateReassignment([{ topic: 't', partition: 0, replicas: [] }])).toThrow('Error: Partition replica list cannot be empty');
    expect(() => validateReassignment([{ topic: 't', partition: 0, replicas: [1, 1] }])).toThrow('Error: Partition replica lists may not contain duplicate entries: t-0 contains multiple entries for 1');
    expect(() => parseReassignment({ partitions: [{ topic: 't', partition: 0, replicas: [1, 2], log_dirs: ['any'] }] }))
      .toThrow('Error: Size of replicas list [1, 2] is different from size of log dirs list [any] for partition t-0');
  });

  it('--generate keeps each topic\'s replication factor over the listed brokers, every broker leading in turn', () => {
    const proposed = proposeAssignment([
      { topic: 't', partition: 0, replicas: [2, 1] }, { topic: 't', partition: 1, replicas: [1, 0] }, { topic: 't', partition: 2, replicas: [0, 2] },
    ], [0, 1]);
    expect(proposed.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of proposed) {
      expect(p.replicas).toHaveLength(2);
      expect([...p.replicas].sort()).toEqual([0, 1]);
    }
    expect(new Set(proposed.slice(0, 2).map((p) => p.replicas[0]))).toEqual(new Set([0, 1]));
    expect(() => proposeAssignment([{ topic: 't', partition: 0, replicas: [0, 1, 2] }], [0, 1])).toThrow(/^Error: Replication factor: 3 larger than available brokers: 2\.$/);
  });
});

describe('kafka-reassign-partitions options', () => {
  it('needs exactly one action and a bootstrap', () => {
    expect(() => opts('--bootstrap-server', 'h:9092')).toThrow(new UsageError('Command must include exactly one action: --generate, --execute, --verify, --cancel, --list'));
    expect(() => opts('--list')).toThrow(new UsageError('Please specify either --bootstrap-server or --bootstrap-controller'));
    expect(() => opts('--bootstrap-server', 'h:9092', '--generate', '--broker-list', '0,1')).toThrow(new UsageError('Missing required argument "[topics-to-move-json-file]"'));
  });

  it("refuses an option its action does not take, as joptsimple names it", () => {
    expect(() => opts('--bootstrap-server', 'h:9092', '--verify', '--reassignment-json-file', 'x.json', '--throttle', '5'))
      .toThrow(new UsageError('Option "[throttle]" can\'t be used with action "[verify]"'));
  });

  it('accepts --throttle with --execute, and the 2.x --zookeeper spelling', () => {
    expect(opts('--bootstrap-server', 'h:9092', '--execute', '--reassignment-json-file', 'x.json', '--throttle', '50000000')).toMatchObject({ action: 'execute', throttle: 50_000_000 });
    expect(opts('--zookeeper', 'h1:2181,h2:2181/kafka', '--verify', '--reassignment-json-file', 'x.json')).toMatchObject({ zookeeperHosts: ['h1:2181', 'h2:2181'], bootstrapServers: [] });
  });
});
