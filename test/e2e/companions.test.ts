/**
 * End-to-end: the companion tools (kafka-configs, kafka-get-offsets,
 * kafka-broker-api-versions) through bin/*.sh (zookeeper-server-start/stop: zookeeper-style.test.ts)
 * against a broker started by bin/kafka-server-start.sh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, freePort, runCli, startTestBroker, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

describe('companion commands against a real broker', () => {
  let broker: TestBroker;
  const boot = (): string[] => ['--bootstrap-server', broker.bootstrap];

  beforeAll(async () => {
    broker = await startTestBroker();
    const created = await runCli('kafka-topics', [...boot(), '--create', '--topic', 'orders', '--partitions', '3']);
    expect(created.stdout).toBe('Created topic orders.\n');
    // seven keyed records, spread over the partitions by key hash
    const input = ['k0:a', 'k1:b', 'k2:c', 'k3:d', 'k4:e', 'k5:f', 'k6:g'].join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', [...boot(), '--topic', 'orders', '--property', 'parse.key=true', '--property', 'key.separator=:'], { input });
    expect(produced.code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    expect(await broker?.stop()).toBe(0);
  });

  it('kafka-get-offsets prints topic:partition:offset for latest and earliest, sorted, whose latest offsets add up to the records produced', async () => {
    const latest = await runCli('kafka-get-offsets', [...boot(), '--topic', 'orders']);
    expect(latest.code).toBe(0);
    expect(latest.stderr).toBe('');
    const lines = latest.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['orders:0', 'orders:1', 'orders:2']);
    expect(lines.map((l) => Number(l.split(':')[2])).reduce((a, b) => a + b, 0)).toBe(7);

    const earliest = await runCli('kafka-get-offsets', [...boot(), '--topic', 'ord.*', '--time', '-2', '--partitions', '0,2']);
    expect(earliest.stdout).toBe('orders:0:0\norders:2:0\n');

    const future = await runCli('kafka-get-offsets', [...boot(), '--topic', 'orders', '--time', String(Date.now() + 3_600_000)]);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe(''); // no record that late: Kafka prints nothing for those partitions
  });

  it('kafka-get-offsets --time max-timestamp answers with ListOffsets v7+', async () => {
    const result = await runCli('kafka-get-offsets', [...boot(), '--topic', 'orders', '--time', 'max-timestamp']);
    expect(result.code).toBe(0);
    for (const line of result.stdout.trimEnd().split('\n')) expect(line).toMatch(/^orders:[0-2]:\d+$/);
  });

  it('kafka-get-offsets fails with one stderr line when nothing matches', async () => {
    const result = await runCli('kafka-get-offsets', [...boot(), '--topic', 'no-such-topic']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('Error occurred: Could not match any topic-partitions with the specified filters\n');
  });

  it('kafka-configs alters a topic incrementally and describes its dynamic configs with synonyms', async () => {
    const altered = await runCli('kafka-configs', [...boot(), '--entity-type', 'topics', '--entity-name', 'orders', '--alter', '--add-config', 'retention.ms=86400000,cleanup.policy=[compact,delete]']);
    expect(altered.stdout).toBe('Completed updating config for topic orders.\n');
    expect(altered.code).toBe(0);

    const described = await runCli('kafka-configs', [...boot(), '--topic', 'orders', '--describe']);
    expect(described.stdout).toBe(
      'Dynamic configs for topic orders are:\n' +
      '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}\n' +
      '  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000}\n');

    // incremental: deleting one key keeps the other
    const deleted = await runCli('kafka-configs', [...boot(), '--topic', 'orders', '--alter', '--delete-config', 'retention.ms']);
    expect(deleted.stdout).toBe('Completed updating config for topic orders.\n');
    const after = await runCli('kafka-configs', [...boot(), '--topic', 'orders', '--describe']);
    expect(after.stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.split(' ')[2])).toEqual(['cleanup.policy=compact,delete']);

    // kafka-topics sees the same override
    const topics = await runCli('kafka-topics', [...boot(), '--describe', '--topic', 'orders']);
    expect(topics.stdout).toContain('Configs: cleanup.policy=compact,delete');
  });

  it('kafka-configs --all lists defaults too; errors are one stderr line with exit 1', async () => {
    const all = await runCli('kafka-configs', [...boot(), '--topic', 'orders', '--describe', '--all']);
    expect(all.stdout.split('\n')[0]).toBe('All configs for topic orders are:');
    expect(all.stdout).toMatch(/\n {2}segment\.bytes=\d+ sensitive=false synonyms=\{[^}]*DEFAULT_CONFIG:log\.segment\.bytes=1073741824\}\n/);

    const missing = await runCli('kafka-configs', [...boot(), '--topic', 'orders', '--alter', '--delete-config', 'retention.ms']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'Invalid config(s): retention.ms\n' });

    const unknown = await runCli('kafka-configs', [...boot(), '--topic', 'orders', '--alter', '--add-config', 'no.such.config=1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Error while executing config command with args '.*--add-config no\.such\.config=1': .*no\.such\.config.*\(INVALID_CONFIG\)\n$/);

    const noTopic = await runCli('kafka-configs', [...boot(), '--topic', 'ghost', '--describe']);
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toContain('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('kafka-configs describes brokers: static settings under --all, the default entity heading', async () => {
    const all = await runCli('kafka-configs', [...boot(), '--entity-type', 'brokers', '--entity-name', '0', '--describe', '--all']);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toBe('All configs for broker 0 are:');
    expect(all.stdout).toContain('  broker.id=0 sensitive=false synonyms={STATIC_BROKER_CONFIG:broker.id=0');
    const every = await runCli('kafka-configs', [...boot(), '--entity-type', 'brokers', '--describe']);
    expect(every.stdout).toBe('Dynamic configs for broker 0 are:\nDefault configs for brokers in the cluster are:\n');
  });

  it('kafka-broker-api-versions prints the broker block with usable versions and UNSUPPORTED entries', async () => {
    const result = await runCli('kafka-broker-api-versions', boot());
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`127.0.0.1:${broker.port} (id: 0 rack: null) -> (`);
    expect(lines[1]).toMatch(/^\tProduce\(0\): \d+ to \d+ \[usable: \d+\],$/);
    expect(lines).toContain('\tApiVersions(18): 0 to 4 [usable: 4],');
    expect(lines).toContain('\tSaslHandshake(17): 0 to 1 [usable: 1],');
    expect(lines).toContain('\tCreateDelegationToken(38): UNSUPPORTED,');
    expect(lines.at(-2)).toBe(')');
    expect(lines.at(-1)).toBe('');
    // keys ascend
    const keys = lines.slice(1, -2).map((l) => Number(/\((\d+)\):/.exec(l)![1]));
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });

  it('tools name the address when no broker listens there', async () => {
    const port = await freePort();
    for (const tool of ['kafka-broker-api-versions', 'kafka-get-offsets']) {
      const result = await runCli(tool, ['--bootstrap-server', `127.0.0.1:${port}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`127.0.0.1:${port} (connection refused)`);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
