/** kafka-cluster's node configs, status table and in-sync rules. */
import { describe, expect, it } from 'vitest';
import { brokerInSync, clusterLayout, controllerInSync, nodeProperties, statusTable } from '../../src/cli/commands/kafka-cluster.js';
import { parseProperties } from '../../src/cli/config-files.js';
import { parseServerProperties } from '../../src/cli/server-properties.js';
import { quorumTopology } from '../../src/cluster/node-config.js';
import type { DescribeQuorumResponse, MetadataResponse } from '../../src/protocol/generated/types.js';

const layout = clusterLayout({ dir: '/d', brokers: 3, controllers: 1, basePort: 9092 });
const template = { 'broker.id': '0', listeners: 'PLAINTEXT://:9092', 'log.dirs': '/tmp/kafka-logs', 'num.partitions': '1', 'offsets.topic.replication.factor': '1', 'zookeeper.connect': 'localhost:2181' };

describe('kafka-cluster node configs', () => {
  it('places controllers 3001.. at P+100.. and brokers 0.. at P..', () => {
    expect(layout.nodes.map((n) => [n.role, n.nodeId, n.port, n.config])).toEqual([
      ['controller', 3001, 9192, '/d/controller-3001/server.properties'],
      ['broker', 0, 9092, '/d/broker-0/server.properties'],
      ['broker', 1, 9093, '/d/broker-1/server.properties'],
      ['broker', 2, 9094, '/d/broker-2/server.properties'],
    ]);
  });

  it("writes KRaft configs that the node's own parser accepts: one quorum, template keys kept, per-node keys replaced", () => {
    const broker = nodeProperties(layout, layout.nodes[2], template);
    const props = parseProperties(broker);
    expect(props).toMatchObject({
      'process.roles': 'broker', 'node.id': '1', 'controller.quorum.voters': '3001@127.0.0.1:9192', listeners: 'PLAINTEXT://127.0.0.1:9093',
      'log.dirs': '/d/broker-1/data', 'num.partitions': '1', 'offsets.topic.replication.factor': '3', 'transaction.state.log.min.isr': '2',
    });
    expect(props['broker.id']).toBeUndefined();
    expect(props['zookeeper.connect']).toBeUndefined();
    const brokerTopology = quorumTopology(parseServerProperties({ text: broker }));
    const controllerTopology = quorumTopology(parseServerProperties({ text: nodeProperties(layout, layout.nodes[0], template) }));
    expect([...brokerTopology.roles]).toEqual(['broker']);
    expect([...controllerTopology.roles]).toEqual(['controller']);
    expect(brokerTopology.voters).toEqual(controllerTopology.voters);
  });
});

describe('kafka-cluster status', () => {
  it('prints a padded table', () => {
    expect(statusTable([
      { node: layout.nodes[0], pid: 4242, inSync: 'yes (leader)' },
      { node: layout.nodes[1], inSync: '-' },
    ])).toEqual([
      'NODE  ROLE        PID   ADDRESS         STATUS   IN-SYNC',
      '3001  controller  4242  127.0.0.1:9192  running  yes (leader)',
      '0     broker      -     127.0.0.1:9092  stopped  -',
    ]);
  });

  it('a broker is in sync when registered and in the ISR of all its partitions', () => {
    const metadata = {
      brokers: [{ nodeId: 0 }, { nodeId: 2 }],
      topics: [{ partitions: [{ replicaNodes: [0, 1, 2], isrNodes: [0] }, { replicaNodes: [2, 0], isrNodes: [2, 0] }] }],
    } as unknown as MetadataResponse;
    expect(brokerInSync(metadata, 0)).toBe('yes');
    expect(brokerInSync(metadata, 2)).toBe('no (out of the ISR of 1 partition)');
    expect(brokerInSync(metadata, 1)).toBe('no (not registered)');
  });

  it('a controller is in sync when its metadata log has no lag behind the leader', () => {
    const voter = (replicaId: number, logEndOffset: bigint) => ({ replicaId, logEndOffset, replicaDirectoryId: '', lastFetchTimestamp: -1n, lastCaughtUpTimestamp: -1n });
    const quorum = { errorCode: 0, topics: [{ partitions: [{ errorCode: 0, leaderId: 3001, currentVoters: [voter(3001, 20n), voter(3002, 20n), voter(3003, 17n)] }] }] } as unknown as DescribeQuorumResponse;
    expect(controllerInSync(quorum, 3001)).toBe('yes (leader)');
    expect(controllerInSync(quorum, 3002)).toBe('yes');
    expect(controllerInSync(quorum, 3003)).toBe('no (3 behind)');
  });
});
