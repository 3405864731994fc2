import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerConfig, brokerKeyDefault, type BrokerConfig } from '../../src/broker/config.js';
import {
  controllerEndpoints, NodeConfigError, parseQuorumVoters, parseZooKeeperConnect, quorumTopology, zookeeperNodeConfig,
} from '../../src/cluster/node-config.js';
import { parseProperties } from '../../src/cli/config-files.js';
import { parseServerProperties } from '../../src/cli/server-properties.js';

function fromText(text: string): BrokerConfig {
  return parseServerProperties({ file: 'server.properties', text });
}

describe('quorumTopology', () => {
  it('no process.roles and no zookeeper.connect: one broker with its own controller, the only voter', () => {
    const t = quorumTopology(fromText('broker.id=0\nlisteners=PLAINTEXT://:9092\n'));
    expect(t.style).toBe('embedded');
    expect([...t.roles].sort()).toEqual(['broker', 'controller']);
    expect(t.nodeId).toBe(0);
    expect(t.voters).toEqual([{ id: 0, host: 'localhost', port: 9092 }]);
    expect(t.bootstrapServers).toEqual([]);
  });

  it('zookeeper.connect: a broker-only node bootstrapping from the hosts, the chroot said once and dropped', () => {
    const lines: string[] = [];
    const t = quorumTopology(fromText('broker.id=102\nzookeeper.connect=hadoop102:2181,hadoop103:2181,hadoop104:2181/kafka\n'), { log: (l) => lines.push(l) });
    expect(t.style).toBe('zookeeper');
    expect([...t.roles]).toEqual(['broker']);
    expect(t.nodeId).toBe(102);
    expect(t.voters).toEqual([]);
    expect(t.bootstrapServers).toEqual([
      { host: 'hadoop102', port: 2181 }, { host: 'hadoop103', port: 2181 }, { host: 'hadoop104', port: 2181 },
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('chroot /kafka is accepted and ignored');
  });

  it('zookeeper.connect without a chroot logs nothing; a host without a port means 2181', () => {
    const lines: string[] = [];
    const t = quorumTopology(fromText('broker.id=1\nzookeeper.connect=localhost\n'), { log: (l) => lines.push(l) });
    expect(t.bootstrapServers).toEqual([{ host: 'localhost', port: 2181 }]);
    expect(lines).toEqual([]);
  });

  it('KRaft combined node as config/kraft/server.properties writes it', () => {
    const t = quorumTopology(fromText([
      'process.roles=broker,controller', 'node.id=1', 'controller.quorum.voters=1@localhost:9093',
      'listeners=PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    ].join('\n')));
    expect(t.style).toBe('kraft');
    expect([...t.roles].sort()).toEqual(['broker', 'controller']);
    expect(t.nodeId).toBe(1);
    expect(t.voters).toEqual([{ id: 1, host: 'localhost', port: 9093 }]);
    expect(t.bootstrapServers).toEqual([{ host: 'localhost', port: 9093 }]);
    expect(t.controllerListenerNames).toEqual(['CONTROLLER']);
  });

  it('KRaft three voters, a broker-only node and controller.quorum.bootstrap.servers', () => {
    const voters = 'controller.quorum.voters=1@127.0.0.2:9093,2@127.0.0.3:9093,3@127.0.0.4:9093';
    const broker = quorumTopology(fromText(`process.roles=broker\nnode.id=4\n${voters}\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://127.0.0.5:9092\ncontroller.quorum.bootstrap.servers=127.0.0.2:9093\n`));
    expect([...broker.roles]).toEqual(['broker']);
    expect(broker.voters.map((v) => v.id)).toEqual([1, 2, 3]);
    expect(broker.bootstrapServers).toEqual([{ host: '127.0.0.2', port: 9093 }]);
    const controller = quorumTopology(fromText(`process.roles=controller\nnode.id=2\n${voters}\ncontroller.listener.names=CONTROLLER\nlisteners=CONTROLLER://127.0.0.3:9093\n`));
    expect([...controller.roles]).toEqual(['controller']);
    expect(controllerEndpoints(brokerConfig({ raw: { listeners: 'CONTROLLER://127.0.0.3:9093', 'controller.listener.names': 'CONTROLLER' } }).raw))
      .toEqual([{ name: 'CONTROLLER', host: '127.0.0.3', port: 9093 }]);
  });

  it('a controller with only bootstrap servers (format --standalone) votes alone', () => {
    const t = quorumTopology(fromText('process.roles=controller\nnode.id=1\ncontroller.quorum.bootstrap.servers=localhost:9093\ncontroller.listener.names=CONTROLLER\nlisteners=CONTROLLER://:9093\n'));
    expect(t.voters).toEqual([{ id: 1, host: 'localhost', port: 9093 }]);
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['process.roles without node.id', 'process.roles=broker,controller\ncontroller.quorum.voters=1@localhost:9093\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093',
      /^Missing configuration `node.id` which is required when `process.roles` is defined \(i\.e\. when running in KRaft mode\) in server\.properties/],
    ['process.roles=controller without voters', 'process.roles=controller\nnode.id=1\ncontroller.listener.names=CONTROLLER\nlisteners=CONTROLLER://:9093',
      /^If using process\.roles, either controller\.quorum\.bootstrap\.servers must contain the set of bootstrap controllers or controller\.quorum\.voters must contain a parseable set of controllers \(process\.roles=controller/],
    ['a controller not among the voters', 'process.roles=controller\nnode.id=5\ncontroller.quorum.voters=1@localhost:9093\ncontroller.listener.names=CONTROLLER\nlisteners=CONTROLLER://:9093',
      /^If process\.roles contains the 'controller' role, the node id 5 must be included in the set of voters controller\.quorum\.voters=Set\(1\)$/],
    ['a broker among the voters', 'process.roles=broker\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092',
      /^If process\.roles contains just the 'broker' role, the node id 1 must not be included/],
    ['a controller without a controller listener', 'process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\nlisteners=PLAINTEXT://:9092',
      /^controller\.listener\.names must contain at least one value appearing in the 'listeners' configuration/],
    ['a voter entry without @', 'process.roles=controller\nnode.id=1\ncontroller.quorum.voters=localhost:9093',
      /^Invalid configuration value for controller\.quorum\.voters\. Each entry should be in the form `\{id\}@\{host\}:\{port\}`\.$/],
    ['a voter without a port', 'process.roles=controller\nnode.id=1\ncontroller.quorum.voters=1@localhost',
      /^Failed to parse host port from entry 1@localhost for the configuration controller\.quorum\.voters/],
  ];
  for (const [what, text, message] of refusals) {
    it(`refuses ${what} in one line, Kafka's words`, () => {
      let error: unknown;
      try {
        quorumTopology(fromText(text), { file: 'server.properties' });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(NodeConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }
});

describe('process.roles', () => {
  it("refuses an unknown role with Kafka's words", () => {
    expect(() => quorumTopology(brokerConfig({ raw: { 'process.roles': 'broker,zookeeper', 'node.id': '1' } })))
      .toThrow(/^Unknown process role 'zookeeper' \(only 'broker' and 'controller' are allowed roles\)$/);
  });

  it('a controller-only node listens on its controller listeners', () => {
    const config = fromText('process.roles=controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\ncontroller.listener.names=CONTROLLER\nlisteners=CONTROLLER://:9093\n');
    expect(config.listeners).toEqual([{ name: 'CONTROLLER', host: '', port: 9093 }]);
  });
});

describe('zookeeperNodeConfig', () => {
  it('the stock zookeeper.properties: a standalone controller, node 3000 on clientPort 2181, data in dataDir', () => {
    const node = zookeeperNodeConfig({ dataDir: '/tmp/zookeeper', clientPort: '2181', maxClientCnxns: '0', 'admin.enableServer': 'false' }, { readMyid: () => undefined });
    expect(node.topology.style).toBe('zookeeper');
    expect([...node.topology.roles]).toEqual(['controller']);
    expect(node.topology.nodeId).toBe(3000);
    expect(node.topology.voters).toEqual([{ id: 3000, host: 'localhost', port: 2181 }]);
    expect(node.listener).toEqual({ name: 'CONTROLLER', host: '', port: 2181 });
    expect(node.dataDir).toBe('/tmp/zookeeper');
    expect(node.brokerConfig.brokerId).toBe(3000);
    expect(node.brokerConfig.metadataLogDir).toBe('/tmp/zookeeper');
    expect(node.brokerConfig.logDirs).toEqual(['/tmp/zookeeper']);
  });

  it('an ensemble: server.N lines and myid make three voters 3001..3003 at host:clientPort', () => {
    const props = {
      dataDir: '/var/zk', clientPort: '2181', tickTime: '2000', initLimit: '10', syncLimit: '5',
      'server.1': 'hadoop01:2888:3888', 'server.2': 'hadoop02:2888:3888', 'server.3': 'hadoop03:2888:3888',
    };
    const node = zookeeperNodeConfig(props, { readMyid: () => '2\n' });
    expect(node.myid).toBe(2);
    expect(node.topology.nodeId).toBe(3002);
    expect(node.topology.voters).toEqual([
      { id: 3001, host: 'hadoop01', port: 2181 }, { id: 3002, host: 'hadoop02', port: 2181 }, { id: 3003, host: 'hadoop03', port: 2181 },
    ]);
    expect(node.brokerConfig.raw['controller.quorum.voters']).toBe('3001@hadoop01:2181,3002@hadoop02:2181,3003@hadoop03:2181');
    expect(node.brokerConfig.advertisedListeners[0]).toEqual({ name: 'CONTROLLER', host: 'hadoop02', port: 2181 });
    // an ensemble member binds its own server.N address, so three can share a machine on loopback aliases
    expect(node.listener).toEqual({ name: 'CONTROLLER', host: 'hadoop02', port: 2181 });
    expect(zookeeperNodeConfig({ ...props, clientPortAddress: '0.0.0.0' }, { readMyid: () => '2' }).listener.host).toBe('0.0.0.0');
  });

  it('a ZooKeeper 3.5 server line may carry its own client port after ;', () => {
    const node = zookeeperNodeConfig({ dataDir: '/d', 'server.1': '127.0.0.2:2888:3888;2182', 'server.2': '127.0.0.3:2888:3888;2183' }, { readMyid: () => '1' });
    expect(node.topology.voters).toEqual([{ id: 3001, host: '127.0.0.2', port: 2182 }, { id: 3002, host: '127.0.0.3', port: 2183 }]);
    expect(node.listener.port).toBe(2182);
  });

  it('refuses server.N lines without a myid file, naming the file', () => {
    expect(() => zookeeperNodeConfig({ dataDir: '/var/zk', clientPort: '2181', 'server.1': 'a:2888:3888' }, { readMyid: () => undefined }))
      .toThrow(/^\/var\/zk\/myid file is missing; write this server's N/);
  });

  it('refuses a myid not in the peer list and a missing dataDir with ZooKeeper\'s words', () => {
    expect(() => zookeeperNodeConfig({ dataDir: '/var/zk', clientPort: '2181', 'server.1': 'a:2888:3888' }, { readMyid: () => '4' }))
      .toThrow(/^My id 4 not in the peer list/);
    expect(() => zookeeperNodeConfig({ clientPort: '2181' }, { readMyid: () => undefined, file: 'config/zookeeper.properties' }))
      .toThrow(/^dataDir is not set in config\/zookeeper\.properties/);
    expect(() => zookeeperNodeConfig({ dataDir: '/d' }, { readMyid: () => undefined })).toThrow(/^clientPort is not set/);
  });
});

describe('voters and zookeeper.connect parsing', () => {
  it('reads IPv6 voters and refuses duplicates', () => {
    expect(parseQuorumVoters('1@[::1]:9093')).toEqual([{ id: 1, host: '::1', port: 9093 }]);
    expect(() => parseQuorumVoters('1@a:9093,1@b:9093')).toThrow(/Voter id 1 appears twice/);
  });

  it('keeps the chroot apart from the hosts', () => {
    expect(parseZooKeeperConnect('h1:2181,h2:2182/kafka/prod')).toEqual({ hosts: [{ host: 'h1', port: 2181 }, { host: 'h2', port: 2182 }], chroot: '/kafka/prod' });
  });
});

describe('cluster keys in the broker config table', () => {
  it("carry Kafka's defaults", () => {
    expect(brokerKeyDefault('broker.session.timeout.ms')).toBe(9000);
    expect(brokerKeyDefault('broker.heartbeat.interval.ms')).toBe(2000);
    expect(brokerKeyDefault('controller.quorum.election.timeout.ms')).toBe(1000);
    expect(brokerKeyDefault('controller.quorum.fetch.timeout.ms')).toBe(2000);
    expect(brokerKeyDefault('replica.lag.time.max.ms')).toBe(30000);
    expect(brokerKeyDefault('replica.fetch.wait.max.ms')).toBe(500);
    expect(brokerKeyDefault('replica.fetch.max.bytes')).toBe(1048576);
    expect(brokerKeyDefault('zookeeper.connection.timeout.ms')).toBe(18000);
    expect(brokerKeyDefault('unclean.leader.election.enable')).toBe(false);
    expect(brokerKeyDefault('auto.leader.rebalance.enable')).toBe(true);
    expect(brokerKeyDefault('leader.imbalance.check.interval.seconds')).toBe(300);
    const config = fromText('replica.lag.time.max.ms=10000\nbroker.session.timeout.ms=3000\n');
    expect(config.replicaLagTimeMaxMs).toBe(10000);
    expect(config.brokerSessionTimeoutMs).toBe(3000);
  });
});

describe('the shipped config files', () => {
  const root = path.resolve(__dirname, '..', '..', 'config');
  it('config/kraft/{server,broker,controller}.properties parse into a combined node, a broker and a controller of one quorum', () => {
    const topology = (name: string) => quorumTopology(parseServerProperties({ file: path.join(root, 'kraft', name) }));
    const combined = topology('server.properties');
    expect([...combined.roles].sort()).toEqual(['broker', 'controller']);
    const broker = topology('broker.properties');
    const controller = topology('controller.properties');
    expect([...broker.roles]).toEqual(['broker']);
    expect([...controller.roles]).toEqual(['controller']);
    expect(broker.voters).toEqual(controller.voters);
    expect(broker.nodeId).not.toBe(controller.nodeId);
  });

  it("config/zookeeper.properties is Kafka's stock file: a standalone controller on 2181 with data in /tmp/zookeeper", () => {
    const props = parseProperties(fs.readFileSync(path.join(root, 'zookeeper.properties'), 'utf8'));
    expect(props).toEqual({ dataDir: '/tmp/zookeeper', clientPort: '2181', maxClientCnxns: '0', 'admin.enableServer': 'false' });
    expect(zookeeperNodeConfig(props, { readMyid: () => undefined }).topology.voters).toEqual([{ id: 3000, host: 'localhost', port: 2181 }]);
  });
});
