/**
 * End-to-end: the cluster tools through bin/*.sh against one real broker (its own
 * controller): kafka-leader-election, kafka-reassign-partitions (RF 1), the kafka-topics
 * report filters and kafka-storage. Multi-broker runs live with the cluster tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

describe('cluster tools against one broker', () => {
  let broker: TestBroker;
  const work = tempDir('kafka-ts-cluster-tools');
  const boot = (): string[] => ['--bootstrap-server', broker.bootstrap];

  beforeAll(async () => {
    broker = await startTestBroker();
    const created = await runCli('kafka-topics', [...boot(), '--create', '--topic', 't', '--partitions', '3']);
    expect(created.stdout).toBe('Created topic t.\n');
  }, 60_000);
  afterAll(async () => {
    expect(await broker?.stop()).toBe(0);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('kafka-leader-election: nothing to elect prints nothing; a named partition is already elected; an unknown one fails', async () => {
    expect(await runCli('kafka-leader-election', [...boot(), '--election-type', 'preferred', '--all-topic-partitions'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await runCli('kafka-leader-election', [...boot(), '--election-type', 'preferred', '--topic', 't', '--partition', '0']))
      .toMatchObject({ code: 0, stdout: 'Valid replica already elected for partitions t-0\n' });
    const unknown = await runCli('kafka-leader-election', [...boot(), '--election-type', 'preferred', '--topic', 'nope', '--partition', '0']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^Error completing leader election \(PREFERRED\) for partition: nope-0: org\.apache\.kafka\.common\.errors\.UnknownTopicOrPartitionException: .+\n$/);
    expect(unknown.stderr).toBe('1 replica(s) could not be elected\n');
    const usage = await runCli('kafka-leader-election', [...boot(), '--election-type', 'preferred']);
    expect(usage).toMatchObject({ code: 1, stdout: '', stderr: 'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file\n' });
  });

  it('kafka-reassign-partitions: generate, execute (throttle accepted), verify and list, in Kafka 3.x lines', async () => {
    const topics = path.join(work, 'topics.json');
    fs.writeFileSync(topics, '{"topics":[{"topic":"t"}],"version":1}\n');
    const current = '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[0],"log_dirs":["any"]},{"topic":"t","partition":1,"replicas":[0],"log_dirs":["any"]},{"topic":"t","partition":2,"replicas":[0],"log_dirs":["any"]}]}';
    const generated = await runCli('kafka-reassign-partitions', [...boot(), '--generate', '--topics-to-move-json-file', topics, '--broker-list', '0']);
    expect(generated).toMatchObject({ code: 0, stdout: `Current partition replica assignment\n${current}\n\nProposed partition reassignment configuration\n${current}\n` });
    const plan = path.join(work, 'proposed.json');
    fs.writeFileSync(plan, generated.stdout.trimEnd().split('\n').at(-1) ?? '');
    const executed = await runCli('kafka-reassign-partitions', [...boot(), '--execute', '--reassignment-json-file', plan, '--throttle', '50000000']);
    expect(executed.code).toBe(0);
    expect(executed.stdout).toBe([
      'Current partition replica assignment', '', current, '', 'Save this to use as the --reassignment-json-file option during rollback',
      'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.',
      'The inter-broker throttle limit was set to 50000000 B/s',
      'Successfully started partition reassignments for t-0,t-1,t-2', '',
    ].join('\n'));
    const verified = await runCli('kafka-reassign-partitions', [...boot(), '--verify', '--reassignment-json-file', plan]);
    expect(verified).toMatchObject({ code: 0, stdout: [
      'Status of partition reassignment:', 'Reassignment of partition t-0 is completed.', 'Reassignment of partition t-1 is completed.', 'Reassignment of partition t-2 is completed.',
      'Clearing broker-level throttles on broker 0', 'Clearing topic-level throttles on topic t', '',
    ].join('\n') });
    expect(await runCli('kafka-reassign-partitions', [...boot(), '--list'])).toMatchObject({ code: 0, stdout: 'No partition reassignments found.\n' });
    const toUnknown = path.join(work, 'unknown.json');
    fs.writeFileSync(toUnknown, '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[0,7]}]}');
    expect(await runCli('kafka-reassign-partitions', [...boot(), '--execute', '--reassignment-json-file', toUnknown])).toMatchObject({ code: 1, stdout: 'Error: Unknown broker id 7\n' });
  });

  it('kafka-metadata-quorum: the single broker is the one voter and leader of its quorum, no observers', async () => {
    const status = await runCli('kafka-metadata-quorum', [...boot(), 'describe', '--status']);
    expect(status.code).toBe(0);
    const lines = status.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.slice(0, 24))).toEqual(['ClusterId:              ', 'LeaderId:               ', 'LeaderEpoch:            ', 'HighWatermark:          ', 'MaxFollowerLag:         ', 'MaxFollowerLagTimeMs:   ', 'CurrentVoters:          ', 'CurrentObservers:       ']);
    expect(lines.slice(1, 2)).toEqual(['LeaderId:               0']);
    expect(lines.slice(4)).toEqual(['MaxFollowerLag:         0', 'MaxFollowerLagTimeMs:   0', 'CurrentVoters:          [{"id": 0, "directoryId": null}]', 'CurrentObservers:       []']);
    const replication = await runCli('kafka-metadata-quorum', [...boot(), 'describe', '--replication']);
    const rows = replication.stdout.replace(/\n$/, '').split('\n'); // every row ends with a TAB
    expect(rows[0]).toBe('NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus\t');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(/^0     \tAAAAAAAAAAAAAAAAAAAAAA\t\d+ *\t0  \t-?\d+ *\t-?\d+ *\tLeader\t$/);
  });

  it("kafka-topics --create beyond the brokers prints the broker's own words", async () => {
    const refused = await runCli('kafka-topics', [...boot(), '--create', '--topic', 'rf3', '--replication-factor', '3']);
    expect(refused).toMatchObject({ code: 1, stdout: 'Error while executing topic command : Replication factor: 3 larger than available brokers: 1.\n' });
  });

  it('kafka-topics report filters on a healthy RF 1 topic: nothing under-replicated or unavailable, every partition at min ISR 1', async () => {
    const describe = (flag: string) => runCli('kafka-topics', [...boot(), '--describe', '--topic', 't', flag]);
    expect(await describe('--under-replicated-partitions')).toMatchObject({ code: 0, stdout: '' });
    expect(await describe('--unavailable-partitions')).toMatchObject({ code: 0, stdout: '' });
    expect(await describe('--under-min-isr-partitions')).toMatchObject({ code: 0, stdout: '' });
    const atMin = await describe('--at-min-isr-partitions');
    expect(atMin.stdout).toBe([0, 1, 2].map((p) => `\tTopic: t\tPartition: ${p}\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A\n`).join(''));
  });
});

describe('kafka-storage through bin/', () => {
  it('random-uuid, format, info as Kafka prints them', async () => {
    const base = tempDir('kafka-ts-storage');
    try {
      const uuid = await runCli('kafka-storage', ['random-uuid']);
      expect(uuid.code).toBe(0);
      expect(uuid.stdout).toMatch(/^[A-Za-z0-9_-]{22}\n$/);
      const id = uuid.stdout.trim();
      const file = path.join(base, 'server.properties');
      fs.writeFileSync(file, `process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\ncontroller.listener.names=CONTROLLER\nlog.dirs=${base}/logs\n`);
      expect(await runCli('kafka-storage', ['format', '-t', id, '-c', file])).toMatchObject({ code: 0, stdout: `Formatting ${base}/logs with metadata.version 3.7-IV4.\n` });
      expect(await runCli('kafka-storage', ['format', '-t', id, '-c', file])).toMatchObject({ code: 1, stderr: `Log directory ${base}/logs is already formatted. Use --ignore-formatted to ignore this directory and format the others.\n` });
      expect(await runCli('kafka-storage', ['info', '-c', file])).toMatchObject({ code: 0, stdout: `Found log directory:\n  ${base}/logs\n\nFound metadata: {cluster.id=${id}, node.id=1, version=1}\n\n` });
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
