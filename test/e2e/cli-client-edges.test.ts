/**
 * End-to-end, real bin/ scripts against brokers started by bin/kafka-server-start.sh:
 * piped lines read back in order (sticky partitioner), keys on Kafka's murmur2
 * partition, hints naming --broker-list, Kafka's warning for unknown client config
 * keys, and the console consumer's one-line errors for a partition that does not
 * exist, a topic whose create failed, and a session timeout the broker refuses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, freePort, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

const TIMESTAMP = String.raw`\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}\]`;

/** The line Kafka's clients log for a key they do not define (AbstractConfig.logUnused). */
function unknownConfigLine(key: string, configClass: string): RegExp {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${TIMESTAMP} WARN The configuration '${escape(key)}' was supplied but isn't a known config\\. \\(${escape(configClass)}\\)$`);
}

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.length > 0);
}

describe('console clients against a real broker', () => {
  let broker: TestBroker;
  let dir: string;

  beforeAll(async () => {
    broker = await startTestBroker();
    dir = tempDir('kafka-ts-client-edges');
  });
  afterAll(async () => {
    expect(await broker?.stop()).toBe(0);
  });

  it('reads piped lines back in order from a 3-partition topic: they share one partition', async () => {
    const created = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'piped', '--partitions', '3']);
    expect(created.code).toBe(0);
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'piped'], { input: 'a\nb\nc\nd\ne\nf\n' });
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'piped', '--from-beginning', '--max-messages', '6']);
    expect(consumed.stdout).toBe('a\nb\nc\nd\ne\nf\n');
    expect(consumed.code).toBe(0);
    const withPartitions = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'piped', '--from-beginning', '--max-messages', '6', '--property', 'print.partition=true']);
    const partitions = new Set(withPartitions.stdout.trimEnd().split('\n').map((line) => line.split('\t')[0]));
    expect(partitions.size).toBe(1);
  });

  it('puts each key on the partition Kafka\'s murmur2 partitioner picks', async () => {
    // murmur2 values from Kafka's UtilsTest.testMurmur2; partition = toPositive(hash) % 5
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['abc', 479470107],
    ];
    await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'keyed5', '--partitions', '5']);
    const input = vectors.map(([key], i) => `${key}:v${i}`).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'keyed5', '--property', 'parse.key=true', '--property', 'key.separator=:'], { input });
    expect(produced.code).toBe(0);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'keyed5', '--from-beginning', '--max-messages', String(vectors.length), '--property', 'print.partition=true', '--property', 'print.key=true']);
    expect(consumed.code).toBe(0);
    const seen = new Map(consumed.stdout.trimEnd().split('\n').map((line) => {
      const [partition, key] = line.split('\t');
      return [key, Number(partition.replace('Partition:', ''))] as const;
    }));
    for (const [key, hash] of vectors) expect([key, seen.get(key)]).toEqual([key, (hash & 0x7fffffff) % 5]);
  });

  it('names --broker-list in the cannot-connect hint when that is what was typed', async () => {
    const port = await freePort();
    const producer = await runCli('kafka-console-producer', ['--broker-list', `127.0.0.1:${port}`, '--topic', 't'], { input: 'x\n' });
    expect(producer.stderr).toBe(`Cannot connect to the Kafka broker at 127.0.0.1:${port} (connection refused). Is a broker running there? Start one with kafka-server-start, or point --broker-list at a running broker.\n`);
    expect(producer.code).toBe(1);
    const offsets = await runCli('kafka-get-offsets', ['--broker-list', `127.0.0.1:${port}`, '--topic', 't']);
    expect(offsets.stderr).toBe(`Error occurred: Cannot connect to the Kafka broker at 127.0.0.1:${port} (connection refused). Is a broker running there? Start one with kafka-server-start, or point --broker-list at a running broker.\n`);
    expect(offsets.code).toBe(1);
  });

  it('warns once per unknown config key, as Kafka\'s clients log it, and goes on', async () => {
    const producerConfig = path.join(dir, 'producer.properties');
    fs.writeFileSync(producerConfig, 'metadata.broker.list=localhost:9092\nserializer.class=kafka.serializer.StringEncoder\nacks=1\n');
    const produced = await runCli('kafka-console-producer', [
      '--bootstrap-server', broker.bootstrap, '--topic', 'piped', '--producer.config', producerConfig,
      '--producer-property', 'zookeeper.connect=localhost:2181', '--producer-property', 'serializer.class=again',
    ], { input: 'g\n' });
    expect(produced.code).toBe(0);
    const producerLines = stderrLines(produced.stderr);
    expect(producerLines).toHaveLength(3);
    expect(producerLines[0]).toMatch(unknownConfigLine('metadata.broker.list', 'org.apache.kafka.clients.producer.ProducerConfig'));
    expect(producerLines[1]).toMatch(unknownConfigLine('serializer.class', 'org.apache.kafka.clients.producer.ProducerConfig'));
    expect(producerLines[2]).toMatch(unknownConfigLine('zookeeper.connect', 'org.apache.kafka.clients.producer.ProducerConfig'));

    const consumerConfig = path.join(dir, 'consumer.properties');
    fs.writeFileSync(consumerConfig, 'zookeeper.connect=localhost:2181\nauto.offset.reset=earliest\n');
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'piped', '--consumer.config', consumerConfig, '--max-messages', '1']);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toMatch(/^[a-g]\n$/);
    const consumerLines = stderrLines(consumed.stderr);
    expect(consumerLines[0]).toMatch(unknownConfigLine('zookeeper.connect', 'org.apache.kafka.clients.consumer.ConsumerConfig'));
    expect(consumerLines.slice(1)).toEqual(['Processed a total of 1 messages']);

    const listed = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--list', '--command-config', consumerConfig]);
    expect(listed.code).toBe(0);
    const adminLines = stderrLines(listed.stderr);
    expect(adminLines).toHaveLength(2);
    expect(adminLines[0]).toMatch(unknownConfigLine('zookeeper.connect', 'org.apache.kafka.clients.admin.AdminClientConfig'));
    expect(adminLines[1]).toMatch(unknownConfigLine('auto.offset.reset', 'org.apache.kafka.clients.admin.AdminClientConfig'));
  });

  it('says which partitions exist when --partition names one the topic lacks', async () => {
    const result = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'piped', '--partition', '99', '--timeout-ms', '2000']);
    expect(result.stderr).toBe(
      "Topic 'piped' has no partition 99: its partitions are 0 to 2. Choose one of those with --partition, or add partitions with kafka-topics --alter --topic piped --partitions <count>.\n" +
      'Processed a total of 0 messages\n');
    expect(result.code).toBe(1);
  });

  it('reports a session timeout the broker refuses in words, not kafkajs\' "consumer#run must be called first"', async () => {
    const result = await runCli('kafka-console-consumer', [
      '--bootstrap-server', broker.bootstrap, '--topic', 'piped', '--partition', '0', '--offset', '999999999', '--timeout-ms', '2000',
      '--consumer-property', 'session.timeout.ms=3000', '--consumer-property', 'heartbeat.interval.ms=1000',
    ]);
    expect(result.stderr).toBe(
      'Unknown error when running consumer: session.timeout.ms 3000 is outside the range the broker allows (group.min.session.timeout.ms to group.max.session.timeout.ms, 6000 to 1800000 by default); choose a session.timeout.ms within it.\n' +
      'Processed a total of 0 messages\n');
    expect(result.code).toBe(1);
  });
});

describe('console consumer on a broker that does not create topics', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  });
  afterAll(async () => {
    expect(await broker?.stop()).toBe(0);
  });

  it('tells how to create the topic whose create failed, for --partition 0 --offset 999999999', async () => {
    const create = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'failed', '--replication-factor', '3']);
    expect(create.code).toBe(1);
    const result = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'failed', '--partition', '0', '--offset', '999999999', '--timeout-ms', '2000']);
    expect(result.stderr).toBe(
      `Topic 'failed' does not exist and the broker does not create topics automatically; create it with kafka-topics --bootstrap-server ${broker.bootstrap} --create --topic failed\n` +
      'Processed a total of 0 messages\n');
    expect(result.code).toBe(1);
  });
});
