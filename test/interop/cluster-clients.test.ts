/**
 * Done-when 6 of issue 9: real clients see a real cluster. Three brokers (ids 1, 2, 3 as
 * in the reference captures) and one controller, real processes each on its own loopback
 * address, stock log.segment.bytes. kcat (librdkafka) `-L` lists the three brokers and
 * every partition's leader, replicas and ISR as the cluster has them; kafka-topics
 * --describe prints the Java tool's lines byte for byte (the trunk TopicCommand's shape
 * against a broker with topic ids: a TopicId column, Elr/LastKnownElr N/A), before and
 * after the leader of partition 0 is killed -9 — with the values Kafka gives: replicas
 * unchanged, the dead broker out of every ISR (order kept), a partition it led taken by
 * the first surviving replica in Replicas order. kcat then lists two brokers and reads
 * back every record written with acks=all before the kill.
 * Skips, saying why, when kcat is not installed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker } from '../helpers/cli.js';
import { cli, killCluster, layoutCluster, spawnCluster, waitFor, type ClusterLayout, type ProcessNode } from '../helpers/cluster.js';
import { recordSkip } from '../helpers/skips.js';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (!hasKcat) recordSkip({ suite: 'cluster clients interop (kcat -L on three brokers)', reason: 'kcat is not installed', package: 'kcat', install: 'apt-get install kcat' });

const TOPIC = 'rf3';

interface KcatMetadata {
  brokers: Map<number, string>;
  partitions: Map<number, { leader: number; replicas: number[]; isrs: number[] }>;
}

/** kcat -L: `  broker 1 at host:port (controller)` and `    partition 0, leader 1, replicas: 1,2,3, isrs: 1,2,3`. */
function parseKcatMetadata(out: string, topic: string): KcatMetadata {
  const brokers = new Map<number, string>();
  for (const m of out.matchAll(/^\s+broker (\d+) at (\S+)/gm)) brokers.set(Number(m[1]), m[2]!);
  const partitions = new Map<number, { leader: number; replicas: number[]; isrs: number[] }>();
  const section = out.split(/^\s+topic "/m).find((s) => s.startsWith(`${topic}"`)) ?? '';
  const list = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));
  for (const m of section.matchAll(/partition (\d+), leader (-?\d+), replicas: ([\d,]*), isrs: ([\d,]*)/g)) {
    partitions.set(Number(m[1]), { leader: Number(m[2]), replicas: list(m[3]!), isrs: list(m[4]!) });
  }
  return { brokers, partitions };
}

function kcat(bootstrap: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', ['-b', bootstrap, ...args], { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kcat ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input ?? '');
  });
}

interface PartitionView {
  leader: number;
  replicas: number[];
  isr: number[];
}

/** The trunk Java tool's --describe for a 3-partition RF 3 topic (kafka-outputs.md §3), with the values given. */
function javaDescribe(topicId: string, partitions: readonly PartitionView[]): string {
  return (
    `Topic: ${TOPIC}\tTopicId: ${topicId}\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: segment.bytes=1073741824\n` +
    partitions
      .map((p, i) => `\tTopic: ${TOPIC}\tPartition: ${i}\tLeader: ${p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\tElr: N/A\tLastKnownElr: N/A\n`)
      .join('')
  );
}

function parseDescribe(stdout: string): { topicId: string; partitions: PartitionView[] } | undefined {
  const id = /^Topic: \S+\tTopicId: (\S+)\t/.exec(stdout)?.[1];
  const list = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));
  const partitions = [...stdout.matchAll(/Partition: (\d+)\tLeader: (-?\d+|none)\tReplicas: ([\d,]*)\tIsr: ([\d,]*)/g)].map((m) => ({
    leader: m[2] === 'none' ? -1 : Number(m[2]),
    replicas: list(m[3]!),
    isr: list(m[4]!),
  }));
  return id && partitions.length === 3 ? { topicId: id, partitions } : undefined;
}

describe.skipIf(!hasKcat)('real clients against a three-broker cluster (kcat -L, the Java tool format)', () => {
  let layout: ClusterLayout;
  let runDir: string;
  const nodes: ProcessNode[] = [];
  let topicId = '';
  let before: PartitionView[] = [];
  let killed = -1;
  const survivors = (): string => layout.brokers.filter((b) => b.id !== killed).map((b) => `${b.host}:${b.port}`).join(',');

  beforeAll(async () => {
    await requireBuiltBroker();
    layout = await layoutCluster({
      brokers: 3,
      controllers: 1,
      style: 'zookeeper',
      firstBrokerId: 1,
      // the stock server.properties' value, which Kafka's --describe lists as the topic's Configs
      brokerProps: { 'log.segment.bytes': '1073741824', 'broker.heartbeat.interval.ms': '500' },
    });
    runDir = await spawnCluster(layout, nodes);
  }, 90_000);

  afterAll(async () => {
    await killCluster(layout, nodes);
  }, 60_000);

  it('kafka-topics --describe of an RF 3 topic is the Java tool\'s, byte for byte', async () => {
    const created = await cli('kafka-topics', ['--bootstrap-server', layout.bootstrap, '--create', '--topic', TOPIC, '--partitions', '3', '--replication-factor', '3']);
    expect(created.stdout).toBe(`Created topic ${TOPIC}.\n`);
    const described = await waitFor(async () => {
      const r = await cli('kafka-topics', ['--bootstrap-server', layout.bootstrap, '--describe', '--topic', TOPIC]);
      const d = parseDescribe(r.stdout);
      return d && d.partitions.every((p) => p.isr.length === 3) ? { r, d } : undefined;
    }, 30_000, 'an ISR of three on every partition');
    topicId = described.d.topicId;
    before = described.d.partitions;
    // replica placement as Kafka's: every broker leads one partition, replicas shifted round-robin
    expect(before.map((p) => p.leader).sort()).toEqual([1, 2, 3]);
    for (const p of before) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect(p.leader).toBe(p.replicas[0]);
      expect(p.isr).toEqual(p.replicas);
    }
    expect(described.r.stderr).toBe('');
    expect(described.r.stdout).toBe(javaDescribe(topicId, before));
  }, 60_000);

  it('kcat -L lists the three brokers and each partition\'s leader, replicas and ISR', async () => {
    const out = await kcat(layout.bootstrap, ['-L', '-t', TOPIC]);
    const md = parseKcatMetadata(out, TOPIC);
    expect([...md.brokers.keys()].sort()).toEqual([1, 2, 3]);
    for (const b of layout.brokers) expect(md.brokers.get(b.id)).toBe(`${b.host}:${b.port}`);
    expect([...md.partitions.keys()].sort()).toEqual([0, 1, 2]);
    before.forEach((p, i) => expect(md.partitions.get(i)).toEqual({ leader: p.leader, replicas: p.replicas, isrs: p.isr }));
  }, 30_000);

  it('after kill -9 of partition 0\'s leader: the values Kafka gives, in the same format; kcat sees two brokers and every record', async () => {
    await kcat(layout.bootstrap, ['-P', '-t', TOPIC, '-p', '0', '-X', 'acks=all'], 'a\nb\nc\n');
    killed = before[0]!.leader;
    await nodes.find((n) => n.spec.kind === 'broker' && n.spec.id === killed)!.kill('SIGKILL');
    // Kafka: replicas never change; the dead broker leaves every ISR (order kept); a partition it
    // led goes to the first surviving replica in Replicas order
    const expected = before.map((p) => {
      const isr = p.isr.filter((id) => id !== killed);
      return { replicas: p.replicas, isr, leader: p.leader === killed ? p.replicas.find((id) => isr.includes(id))! : p.leader };
    });
    const after = await waitFor(async () => {
      const r = await cli('kafka-topics', ['--bootstrap-server', survivors(), '--describe', '--topic', TOPIC]);
      const d = parseDescribe(r.stdout);
      return d && d.partitions.every((p) => !p.isr.includes(killed) && p.leader !== killed) ? r : undefined;
    }, 30_000, `broker ${killed} out of every ISR`);
    expect(after.stdout).toBe(javaDescribe(topicId, expected));
    const under = await cli('kafka-topics', ['--bootstrap-server', survivors(), '--describe', '--under-replicated-partitions']);
    expect(under.stdout).toBe(javaDescribe(topicId, expected).split('\n').slice(1).join('\n'));

    const md = parseKcatMetadata(await kcat(survivors(), ['-L', '-t', TOPIC]), TOPIC);
    expect([...md.brokers.keys()].sort()).toEqual([1, 2, 3].filter((id) => id !== killed));
    expected.forEach((p, i) => expect(md.partitions.get(i)).toEqual({ leader: p.leader, replicas: p.replicas, isrs: p.isr }));
    const consumed = await kcat(survivors(), ['-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-f', '%s\\n']);
    expect(consumed).toBe('a\nb\nc\n');
  }, 90_000);
});
