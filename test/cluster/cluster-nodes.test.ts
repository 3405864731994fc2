/**
 * Cluster nodes in one process, each on its own loopback address: one ZooKeeper-style
 * controller and three brokers with zookeeper.connect form one cluster (one cluster id,
 * every broker registered and unfenced, listed by Metadata on every broker), a topic
 * with replication factor 3 gets three replicas in its ISR, a replication factor above
 * the live brokers is refused with Kafka's message naming the count, and a second
 * broker with a live broker's id is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutCluster, removeLayout, startInProcess, waitFor, type ClusterLayout, type InProcessNode } from '../helpers/cluster.js';

describe('a ZooKeeper-style cluster in one process', () => {
  let layout: ClusterLayout;
  const nodes: InProcessNode[] = [];

  beforeAll(async () => {
    layout = await layoutCluster({ brokers: 3, controllers: 1, style: 'zookeeper', brokerProps: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' } });
    nodes.push(await startInProcess(layout.controllers[0]!));
    nodes.push(...(await Promise.all(layout.brokers.map((b) => startInProcess(b)))));
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes.reverse()) await n.node.close().catch(() => undefined);
    if (layout) removeLayout(layout);
  });

  it('forms one cluster: one cluster id, three unfenced brokers seen by every node', async () => {
    const ids = new Set<string>();
    const { metadataOf } = await import('./cluster-probe.js');
    for (const n of nodes) {
      const m = await waitFor(async () => {
        const r = await metadataOf(n.spec.host, n.spec.port);
        return r.brokers.length === 3 ? r : undefined;
      }, 20_000, `three brokers in ${n.spec.host}'s metadata`);
      ids.add(m.clusterId!);
      expect(m.brokers.map((b) => b.nodeId).sort()).toEqual([0, 1, 2]);
      // KRaft brokers report a live broker as the controller (clients send it admin requests; it forwards them)
      expect([0, 1, 2]).toContain(m.controllerId);
      expect(m.brokers.find((b) => b.nodeId === 1)).toMatchObject({ host: layout.brokers[1]!.host, port: layout.brokers[1]!.port });
    }
    expect(ids.size).toBe(1);
  }, 40_000);

  it('creates a topic with replication factor 3 (replicas and ISR on all three brokers) and refuses 4 naming the count', async () => {
    const { createTopic, metadataOf } = await import('./cluster-probe.js');
    const b0 = layout.brokers[0]!;
    const created = await createTopic(b0.host, b0.port, 'replicated', 1, 3);
    expect(created.errorCode).toBe(0);
    const p = await waitFor(async () => {
      const m = await metadataOf(layout.brokers[2]!.host, layout.brokers[2]!.port, ['replicated']);
      const part = m.topics[0]?.partitions[0];
      return part && part.isrNodes.length === 3 ? part : undefined;
    }, 20_000, 'the topic with an ISR of three');
    expect([...p.replicaNodes].sort()).toEqual([0, 1, 2]);
    const refused = await createTopic(b0.host, b0.port, 'too-many', 1, 4);
    expect(refused.errorCode).toBe(38);
    expect(refused.errorMessage).toBe('Replication factor: 4 larger than available brokers: 3.');
  }, 40_000);

  it('refuses a second broker with a live broker id', async () => {
    const dup = { ...layout.brokers[1]!, dir: `${layout.brokers[1]!.dir}-dup` };
    const { freePortOn } = await import('../helpers/cluster.js');
    dup.port = await freePortOn(dup.host);
    dup.props = { ...dup.props, listeners: `PLAINTEXT://${dup.host}:${dup.port}`, 'log.dirs': `${dup.dir}/data` };
    await expect(startInProcess(dup)).rejects.toThrow(/Another broker is registered with broker id 1/);
  }, 40_000);

  it('a broker stopped cleanly and started again at once rejoins (its controlled shutdown ended its session)', async () => {
    const index = nodes.findIndex((n) => n.spec.kind === 'broker' && n.spec.id === 2);
    await nodes[index]!.node.close();
    expect(nodes[index]!.lines.join('\n')).toContain('Controlled shutdown complete');
    nodes[index] = await startInProcess(layout.brokers[2]!);
    const { metadataOf } = await import('./cluster-probe.js');
    const b0 = layout.brokers[0]!;
    await waitFor(async () => (await metadataOf(b0.host, b0.port)).brokers.some((b) => b.nodeId === 2), 20_000, 'broker 2 back in the metadata');
  }, 40_000);

  it('a broker that was down (its metadata log lost) while its topic was deleted has no log of it after catching up', async () => {
    const index = nodes.findIndex((n) => n.spec.kind === 'broker' && n.spec.id === 1);
    const dataDir = layout.brokers[1]!.props['log.dirs']!;
    expect(fs.existsSync(path.join(dataDir, 'replicated-0'))).toBe(true);
    await nodes[index]!.node.close();
    const { deleteTopic } = await import('./cluster-probe.js');
    const b0 = layout.brokers[0]!;
    expect(await deleteTopic(b0.host, b0.port, 'replicated')).toBe(0);
    // its own copy of the metadata log is gone too (a lost disk): only the leader's image, without the topic, is left to tell
    fs.rmSync(path.join(dataDir, '__cluster_metadata-0'), { recursive: true, force: true });
    nodes[index] = await startInProcess(layout.brokers[1]!);
    expect(fs.existsSync(path.join(dataDir, 'replicated-0'))).toBe(false);
    const b1 = layout.brokers[1]!;
    const { metadataOf } = await import('./cluster-probe.js');
    expect((await metadataOf(b1.host, b1.port, null)).topics.map((t) => t.name)).not.toContain('replicated');
  }, 40_000);
});
