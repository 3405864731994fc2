/**
 * `kafka-configs --describe --all --entity-type brokers --entity-name 0` through
 * bin/kafka-configs.sh against bin/kafka-server-start.sh: ConfigCommand's heading and
 * one `  key=value sensitive=… synonyms={…}` line per key of the broker config table,
 * sorted, with Kafka's sources and synonym lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_KEYS } from '../../src/broker/config-keys.js';
import { requireBuiltBroker, runCli, startTestBroker, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

describe('kafka-configs --describe --all for a broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    // no zookeeper.connect: a broker with one waits for that controller (the cluster issue), this one runs alone
    broker = await startTestBroker({ 'log.retention.hours': '168', 'my.own.key': 'kept' });
  });
  afterAll(async () => {
    expect(await broker?.stop()).toBe(0);
  });

  it("prints every broker key in Kafka's format", async () => {
    const result = await runCli('kafka-configs', ['--bootstrap-server', broker.bootstrap, '--describe', '--all', '--entity-type', 'brokers', '--entity-name', '0']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('All configs for broker 0 are:');
    const entries = lines.slice(1);
    // one line per table key plus the file's own key, sorted by name
    expect(entries).toHaveLength(BROKER_KEYS.length + 1);
    const names = entries.map((l) => /^ {2}([^=]+)=/.exec(l)?.[1]);
    expect(names).toEqual([...BROKER_KEYS.map((d) => d.name), 'my.own.key'].sort());
    for (const line of entries) expect(line).toMatch(/^ {2}[^=]+=.* sensitive=(true|false) synonyms=\{.*\}$/);

    const port = broker.port;
    const golden = [
      `  advertised.listeners=null sensitive=false synonyms={}`,
      `  broker.id=0 sensitive=false synonyms={STATIC_BROKER_CONFIG:broker.id=0, DEFAULT_CONFIG:broker.id=0}`,
      `  listeners=PLAINTEXT://127.0.0.1:${port} sensitive=false synonyms={STATIC_BROKER_CONFIG:listeners=PLAINTEXT://127.0.0.1:${port}, DEFAULT_CONFIG:listeners=PLAINTEXT://:9092}`,
      `  log.dirs=${broker.logDir} sensitive=false synonyms={STATIC_BROKER_CONFIG:log.dirs=${broker.logDir}}`,
      '  log.flush.interval.messages=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.flush.interval.messages=9223372036854775807}',
      '  log.flush.interval.ms=null sensitive=false synonyms={}',
      '  log.retention.hours=168 sensitive=false synonyms={STATIC_BROKER_CONFIG:log.retention.hours=168, DEFAULT_CONFIG:log.retention.hours=168}',
      '  log.retention.minutes=null sensitive=false synonyms={}',
      '  log.retention.ms=null sensitive=false synonyms={}',
      '  log.segment.bytes=1073741824 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.bytes=1073741824}',
      '  my.own.key=kept sensitive=false synonyms={STATIC_BROKER_CONFIG:my.own.key=kept}',
      '  num.partitions=1 sensitive=false synonyms={STATIC_BROKER_CONFIG:num.partitions=1, DEFAULT_CONFIG:num.partitions=1}',
      '  offsets.topic.num.partitions=3 sensitive=false synonyms={STATIC_BROKER_CONFIG:offsets.topic.num.partitions=3, DEFAULT_CONFIG:offsets.topic.num.partitions=50}',
      '  ssl.keystore.password=null sensitive=true synonyms={}',
      '  transaction.state.log.num.partitions=50 sensitive=false synonyms={DEFAULT_CONFIG:transaction.state.log.num.partitions=50}',
      '  zookeeper.connect=null sensitive=false synonyms={}',
    ];
    for (const line of golden) expect(entries).toContain(line);
  });

  it('a plain --describe shows only dynamic broker configs: none here', async () => {
    const result = await runCli('kafka-configs', ['--bootstrap-server', broker.bootstrap, '--describe', '--entity-type', 'brokers', '--entity-name', '0']);
    expect(result.stdout).toBe('Dynamic configs for broker 0 are:\n');
    expect(result.code).toBe(0);
  });
});
