/**
 * End-to-end: the Kafka quick start with the real bin/*.sh scripts against a
 * broker started by bin/kafka-server-start.sh (create, produce 100k lines,
 * consume them back, describe/list/delete, error lines, server-stop).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, freePort, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

describe('CLI quick start against a real broker', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    const code = await broker?.stop();
    expect(code).toBe(0);
  });

  it('creates a topic with 3 partitions and refuses to create it twice', async () => {
    const created = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'quickstart', '--partitions', '3', '--replication-factor', '1']);
    expect(created.stdout).toBe('Created topic quickstart.\n');
    expect(created.code).toBe(0);
    const again = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'quickstart', '--partitions', '3', '--replication-factor', '1']);
    expect(again.stdout).toBe("Error while executing topic command : Topic 'quickstart' already exists.\n");
    expect(again.code).toBe(1);
    const quiet = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'quickstart', '--if-not-exists']);
    expect(quiet.stdout).toBe('');
    expect(quiet.code).toBe(0);
  });

  it('describes a topic in trunk format (TABs, TopicId, Elr columns)', async () => {
    const result = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--describe', '--topic', 'quickstart']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^Topic: quickstart\t(TopicId: [A-Za-z0-9_-]{22}\t)?PartitionCount: 3\tReplicationFactor: 1\tConfigs: .*$/);
    for (let p = 0; p < 3; p++) {
      expect(lines[p + 1]).toBe(`\tTopic: quickstart\tPartition: ${p}\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A`);
    }
  });

  it('produces 100000 piped lines and consumes every one back', async () => {
    const input = Array.from({ length: 100000 }, (_, i) => String(i + 1)).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'quickstart'], { input, timeoutMs: 60_000 });
    expect(produced.stderr).toBe('');
    expect(produced.stdout).toBe(''); // no '>' prompts when stdin is not a terminal
    expect(produced.code).toBe(0);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'quickstart', '--from-beginning', '--max-messages', '100000'], { timeoutMs: 60_000 });
    expect(consumed.code).toBe(0);
    expect(consumed.stderr).toContain('Processed a total of 100000 messages');
    const values = consumed.stdout.trimEnd().split('\n').map(Number).sort((a, b) => a - b);
    expect(values).toHaveLength(100000);
    expect(values.every((v, i) => v === i + 1)).toBe(true);
  });

  it('prints keys, partitions and offsets like DefaultMessageFormatter', async () => {
    await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'keyed', '--partitions', '1']);
    const produced = await runCli('kafka-console-producer', ['--broker-list', broker.bootstrap, '--topic', 'keyed', '--property', 'parse.key=true', '--property', 'key.separator=:', '--compression-codec', 'zstd'], { input: 'k1:v1\nk2:v2\n' });
    expect(produced.code).toBe(0);
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'keyed', '--from-beginning', '--max-messages', '2', '--property', 'print.key=true', '--property', 'print.partition=true', '--property', 'print.offset=true']);
    expect(consumed.stdout).toBe('Partition:0\tOffset:0\tk1\tv1\nPartition:0\tOffset:1\tk2\tv2\n');
    expect(consumed.stderr).toBe('Processed a total of 2 messages\n');
  });

  it('reads one partition from an offset with --partition/--offset', async () => {
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'keyed', '--partition', '0', '--offset', '1', '--max-messages', '1']);
    expect(consumed.stdout).toBe('v2\n');
    expect(consumed.code).toBe(0);
  });

  it('lists topics sorted, one per line', async () => {
    const result = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--list', '--exclude-internal']);
    expect(result.stdout).toBe('keyed\nquickstart\n');
    expect(result.code).toBe(0);
  });

  it('deletes a topic; describing it afterwards is an error', async () => {
    const deleted = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--delete', '--topic', 'keyed']);
    expect(deleted.stdout).toBe('');
    expect(deleted.code).toBe(0);
    const described = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--describe', '--topic', 'keyed']);
    expect(described.stdout).toBe("Error while executing topic command : Topic 'keyed' does not exist as expected\n");
    expect(described.code).toBe(1);
  });

  it('refuses a second broker on the same port with one clear line', async () => {
    const dir = tempDir('kafka-ts-e2e-port');
    const result = await runCli('kafka-server-start', ['--override', `listeners=PLAINTEXT://127.0.0.1:${broker.port}`, '--override', `log.dirs=${dir}`], { env: { KAFKA_TS_RUN_DIR: dir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`port ${broker.port} is already in use`);
    expect(result.stderr).toContain('kafka-server-stop');
  });
});

describe('CLI errors without a broker', () => {
  it('names the address and suggests kafka-server-start when the broker is unreachable, within seconds', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await runCli('kafka-topics', ['--bootstrap-server', `127.0.0.1:${port}`, '--list']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
    expect(lines[0]).toContain('kafka-server-start');
  });

  it('kafka-server-stop with nothing running prints "No kafka server to stop" and exits 1', async () => {
    const result = await runCli('kafka-server-stop', [], { env: { KAFKA_TS_RUN_DIR: tempDir('kafka-ts-e2e-empty-run') } });
    expect(result.stdout).toBe('No kafka server to stop\n');
    expect(result.code).toBe(1);
  });
});
