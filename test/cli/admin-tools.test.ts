/**
 * kafka-delete-records, kafka-log-dirs and kafka-run-class without a broker: the offset
 * JSON file, the result lines (kafka-outputs-more.md §5.3/§5.4; trunk orders them as its
 * HashMaps iterate), the log-dirs JSON line, and class-name dispatch.
 */
import { describe, expect, it } from 'vitest';
import { formatDeleteOutcomes, parseOffsetJson } from '../../src/cli/commands/kafka-delete-records.js';
import { brokerIdOrder, formatLogDirsJson } from '../../src/cli/commands/kafka-log-dirs.js';
import { CLASS_COMMANDS, resolveClass } from '../../src/cli/commands/kafka-run-class.js';
import { javaExecutionMessage } from '../../src/cli/java-errors.js';
import { COMMANDS } from '../../src/cli/registry.js';

describe('kafka-delete-records offset JSON', () => {
  it('reads the documented format (version optional, -1 = high watermark)', () => {
    expect(parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":2}],"version":1}', 'f.json')).toEqual([{ topic: 't', partition: 0, offset: 2n }]);
    expect(parseOffsetJson('{"partitions":[{"topic":"t","partition":1,"offset":-1}]}', 'f.json')).toEqual([{ topic: 't', partition: 1, offset: -1n }]);
  });

  it('names the file and what is wrong, one line each', () => {
    expect(() => parseOffsetJson('{"partitions":[', 'f.json')).toThrow(/^The offset json file f\.json is not valid JSON/);
    expect(() => parseOffsetJson('{"version":1}', 'f.json')).toThrow('Missing partitions field in f.json');
    expect(() => parseOffsetJson('{"partitions":[],"version":2}', 'f.json')).toThrow('Not supported version field value 2 in f.json');
    expect(() => parseOffsetJson('{"partitions":[{"partition":0,"offset":1}]}', 'f.json')).toThrow('entry 1 of "partitions" in f.json needs a "topic"');
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":"x"}]}', 'f.json')).toThrow('needs an "offset"');
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":1},{"topic":"t","partition":0,"offset":2}]}', 'f.json'))
      .toThrow('Offset json file contains duplicate topic partitions: t-0');
    for (const text of ['{"partitions":[', '{"version":1}']) {
      try {
        parseOffsetJson(text, 'f.json');
      } catch (err) {
        expect((err as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('kafka-delete-records result lines', () => {
  it('match the real lines (TAB before low_watermark / error)', () => {
    expect(formatDeleteOutcomes([{ topic: 't', partition: 0, lowWatermark: 2n }])).toEqual(['partition: t-0\tlow_watermark: 2']);
    expect(formatDeleteOutcomes([{ topic: 't', partition: 2, error: javaExecutionMessage(1) }]))
      .toEqual(['partition: t-2\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range of offsets maintained by the server.']);
  });

  it("come in trunk's HashMap order, not the file's", () => {
    const lines = formatDeleteOutcomes([{ topic: 't', partition: 1, lowWatermark: 4n }, { topic: 't', partition: 2, error: 'x' }, { topic: 't', partition: 0, lowWatermark: 2n }]);
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['partition: t-2', 'partition: t-1', 'partition: t-0']);
  });
});

describe('kafka-log-dirs JSON line', () => {
  const replicas = [
    { topic: 't', partition: 0, size: 83n, offsetLag: 0n, isFuture: false },
    { topic: 't', partition: 1, size: 105n, offsetLag: 0n, isFuture: false },
    { topic: 't', partition: 2, size: 94n, offsetLag: 0n, isFuture: false },
    { topic: 'other', partition: 0, size: 7n, offsetLag: 0n, isFuture: false },
  ];

  it("has trunk's key order and the real partitions' order (t-2, t-1, t-0), filtered by --topic-list", () => {
    const json = formatLogDirsJson([{ broker: 0, logDirs: [{ logDir: '/var/kafka/broker-0/data', error: null, replicas }] }], new Set(['t']));
    expect(json).toBe('{"brokers":[{"broker":0,"logDirs":[{"partitions":[' +
      '{"partition":"t-2","size":94,"offsetLag":0,"isFuture":false},' +
      '{"partition":"t-1","size":105,"offsetLag":0,"isFuture":false},' +
      '{"partition":"t-0","size":83,"offsetLag":0,"isFuture":false}],' +
      '"error":null,"logDir":"/var/kafka/broker-0/data"}]}],"version":1}');
    expect(JSON.parse(json)).toMatchObject({ version: 1, brokers: [{ broker: 0 }] });
  });

  it('lists every broker, an empty log dir, and a log dir error as its exception class', () => {
    const json = formatLogDirsJson([
      { broker: 2, logDirs: [{ logDir: '/d2', error: null, replicas: [] }] },
      { broker: 0, logDirs: [{ logDir: '/d0', error: 'org.apache.kafka.common.errors.KafkaStorageException', replicas: [] }] },
    ], new Set());
    expect(json).toBe('{"brokers":[{"broker":0,"logDirs":[{"partitions":[],"error":"org.apache.kafka.common.errors.KafkaStorageException","logDir":"/d0"}]},' +
      '{"broker":2,"logDirs":[{"partitions":[],"error":null,"logDir":"/d2"}]}],"version":1}');
  });

  it('orders broker ids as a HashSet<Integer> does', () => {
    expect(brokerIdOrder([2, 0, 1])).toEqual([0, 1, 2]);
    // 16 buckets: id 16 sits in bucket 0, before id 1; 17 shares bucket 1 and keeps its insertion place
    expect(brokerIdOrder([1, 16])).toEqual([16, 1]);
    expect(brokerIdOrder([17, 1])).toEqual([17, 1]);
  });
});

describe('kafka-run-class', () => {
  const available = new Set(COMMANDS.map((c) => c.spec.name));

  it('runs the command a tutorial class name stands for, with every argument', () => {
    expect(resolveClass(['kafka.tools.GetOffsetShell', '--broker-list', 'h:1', '--topic', 't', '--time', '-1'], available))
      .toEqual({ command: 'kafka-get-offsets', args: ['--broker-list', 'h:1', '--topic', 't', '--time', '-1'] });
    expect(resolveClass(['org.apache.kafka.tools.EndToEndLatency', 'h:1', 't', '10', '1', '100'], available).command).toBe('kafka-e2e-latency');
    expect(resolveClass(['kafka.tools.EndToEndLatency'], available).command).toBe('kafka-e2e-latency');
    expect(resolveClass(['kafka.admin.TopicCommand', '--help'], available)).toEqual({ command: 'kafka-topics', args: ['--help'] });
    expect(resolveClass(['-daemon', '-name', 'kafkaServer', '-loggc', 'kafka.Kafka', 'config/server.properties'], available))
      .toEqual({ command: 'kafka-server-start', args: ['-daemon', 'config/server.properties'] });
  });

  it('maps every class the brief names to a command this toolkit has', () => {
    for (const name of ['kafka.Kafka', 'kafka.admin.TopicCommand', 'kafka.tools.ConsoleProducer', 'kafka.tools.ConsoleConsumer', 'kafka.tools.GetOffsetShell',
      'kafka.tools.DumpLogSegments', 'kafka.tools.EndToEndLatency', 'org.apache.kafka.tools.EndToEndLatency', 'kafka.tools.ProducerPerformance',
      'kafka.tools.ConsumerPerformance', 'kafka.admin.ConsumerGroupCommand', 'kafka.admin.ConfigCommand']) {
      const target = CLASS_COMMANDS.find(([cls]) => cls === name)?.[1];
      expect(target && available.has(target), name).toBe(true);
    }
  });

  it('names an unknown class and lists the known ones, in one line', () => {
    expect(() => resolveClass(['kafka.tools.NoSuchClass'], available)).toThrow(/^Error: Could not find or load main class kafka\.tools\.NoSuchClass: this toolkit runs kafka\.Kafka, kafka\.admin\.TopicCommand, .*kafka\.tools\.GetOffsetShell/);
    expect(() => resolveClass([], available)).toThrow(/^USAGE: kafka-run-class \[-daemon\] \[-name servicename\] \[-loggc\] classname \[opts\]; classes known here: kafka\.Kafka/);
  });
});
