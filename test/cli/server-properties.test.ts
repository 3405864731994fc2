/**
 * server.properties → BrokerConfig: key mapping, Kafka's precedence rules,
 * --override, keys accepted but not acted on, and one-line errors naming the
 * key and the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBrokerConfig } from '../../src/broker/config.js';
import { CliError } from '../../src/cli/errors.js';
import { formatEndpoint, parseServerProperties } from '../../src/cli/server-properties.js';

const parse = (text: string, overrides: Record<string, string> = {}) => parseServerProperties({ text, file: 'config/server.properties' }, overrides);

describe('parseServerProperties', () => {
  it('uses the embedded defaults without a file', () => {
    const config = parseServerProperties(undefined);
    expect(config).toEqual(defaultBrokerConfig());
    expect(config.listeners.map(formatEndpoint)).toEqual(['PLAINTEXT://localhost:9092']);
  });

  it('reads a stock-style file, accepting keys it does not act on', () => {
    const config = parse([
      '# The id of the broker',
      'broker.id=2',
      'listeners=PLAINTEXT://:9093',
      'num.network.threads=3',
      'socket.send.buffer.bytes=102400',
      'log.dirs=/tmp/kafka-logs-1,/tmp/kafka-logs-2',
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'log.segment.bytes=1073741824',
      'zookeeper.connect=localhost:2181',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'log.message.timestamp.type=LogAppendTime',
      'compression.type=zstd',
    ].join('\n'));
    expect(config.brokerId).toBe(2);
    // empty host = every interface; advertised as localhost
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '', port: 9093 }]);
    expect(config.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'localhost', port: 9093 }]);
    expect(config.logDirs).toEqual(['/tmp/kafka-logs-1', '/tmp/kafka-logs-2']);
    expect(config.numPartitions).toBe(3);
    expect(config.autoCreateTopicsEnable).toBe(false);
    expect(config.groupInitialRebalanceDelayMs).toBe(0);
    expect(config.logMessageTimestampType).toBe('LogAppendTime');
    expect(config.compressionType).toBe('zstd');
    expect(config.raw['zookeeper.connect']).toBe('localhost:2181');
    expect(config.raw['num.network.threads']).toBe('3');
  });

  it('reads max.broker.partitions (default 10000) and refuses a value below 1', () => {
    expect(parse('').maxBrokerPartitions).toBe(10000);
    expect(parse('max.broker.partitions=200000').maxBrokerPartitions).toBe(200000);
    expect(() => parse('max.broker.partitions=0')).toThrow(/max.broker.partitions in config\/server.properties/);
  });

  it('takes retention from ms over minutes over hours, and roll from ms over hours', () => {
    expect(parse('log.retention.hours=1').logRetentionMs).toBe(3600_000);
    expect(parse('log.retention.hours=1\nlog.retention.minutes=2').logRetentionMs).toBe(120_000);
    expect(parse('log.retention.hours=1\nlog.retention.minutes=2\nlog.retention.ms=5').logRetentionMs).toBe(5);
    expect(parse('log.retention.ms=-1').logRetentionMs).toBe(-1);
    expect(parse('log.roll.hours=2').logRollMs).toBe(7200_000);
    expect(parse('log.roll.hours=2\nlog.roll.ms=10').logRollMs).toBe(10);
  });

  it('lets --override win over the file, and accepts node.id and log.dir', () => {
    const config = parse('node.id=4\nlog.dir=/data/k\nnum.partitions=2', { 'num.partitions': '6', 'listeners': 'PLAINTEXT://127.0.0.1:0' });
    expect(config.brokerId).toBe(4);
    expect(config.logDirs).toEqual(['/data/k']);
    expect(config.numPartitions).toBe(6);
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }]);
  });

  it('drops KRaft controller listeners and supports the pre-1.0 port/host.name keys', () => {
    const kraft = parse('process.roles=broker,controller\nnode.id=1\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\nlistener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT');
    expect(kraft.listeners).toEqual([{ name: 'PLAINTEXT', host: '', port: 9092 }]);
    expect(parse('port=9099\nhost.name=10.0.0.5').listeners).toEqual([{ name: 'PLAINTEXT', host: '10.0.0.5', port: 9099 }]);
  });

  it('advertises advertised.host.name / advertised.port (Kafka 2.x) when advertised.listeners is absent', () => {
    // each defaults to host.name / port
    expect(parse('host.name=10.0.0.5\nport=9099\nadvertised.host.name=kafka1.example').advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'kafka1.example', port: 9099 }]);
    expect(parse('host.name=10.0.0.5\nport=9099\nadvertised.port=19099').advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: '10.0.0.5', port: 19099 }]);
    // beside listeners, the listener's port (Kafka 2.x took `port`'s default, 9092)
    expect(parse('listeners=PLAINTEXT://:9093\nadvertised.host.name=kafka1.example').advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'kafka1.example', port: 9093 }]);
    // advertised.listeners wins over both
    expect(parse('advertised.host.name=a\nadvertised.listeners=PLAINTEXT://b:9095').advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'b', port: 9095 }]);
    // no advertised host anywhere: localhost, as for listeners on every interface
    expect(parse('port=9099\nadvertised.port=19099').advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'localhost', port: 19099 }]);
    expect(() => parse('advertised.port=x')).toThrow('Invalid value "x" for configuration advertised.port in config/server.properties: Not a number of type INT');
  });

  it('validates every key of the broker table, including ones it only accepts, with the table\'s reasons', () => {
    expect(() => parse('min.insync.replicas=0')).toThrow('Invalid value "0" for configuration min.insync.replicas in config/server.properties: Value must be at least 1');
    expect(() => parse('num.io.threads=many')).toThrow('Invalid value "many" for configuration num.io.threads in config/server.properties: Not a number of type INT');
    expect(() => parse('', { 'log.cleanup.policy': 'delete,forever' })).toThrow('Invalid value "delete,forever" for configuration log.cleanup.policy in --override: use delete, compact or delete,compact');
    const config = parse('transaction.state.log.num.partitions=7\nmin.insync.replicas=2\nbroker.rack=r1\nlog.cleaner.backoff.ms=50');
    expect([config.transactionStateLogNumPartitions, config.minInsyncReplicas, config.brokerRack, config.logCleanerBackoffMs]).toEqual([7, 2, 'r1', 50]);
  });

  it('names the key and the file for a value that does not parse', () => {
    expect(() => parse('num.partitions=three')).toThrow(CliError);
    expect(() => parse('num.partitions=three')).toThrow('Invalid value "three" for configuration num.partitions in config/server.properties: Not a number of type INT');
    expect(() => parse('delete.topic.enable=yes')).toThrow('delete.topic.enable in config/server.properties: Expected value to be either true or false');
    expect(() => parse('listeners=localhost:9092')).toThrow(/listeners in config\/server.properties: Unable to parse localhost:9092/);
    expect(() => parse('listeners=INTERNAL://:9093')).toThrow('Invalid value "INTERNAL://:9093" for configuration listeners in config/server.properties: No security protocol defined for listener INTERNAL: add INTERNAL:PLAINTEXT (or SSL, SASL_PLAINTEXT, SASL_SSL) to listener.security.protocol.map');
    expect(() => parse('listener.security.protocol.map=INTERNAL:TLS')).toThrow(/listener.security.protocol.map in config\/server.properties: Invalid listener.security.protocol.map entry INTERNAL:TLS/);
    expect(() => parse('', { 'log.retention.hours': 'x' })).toThrow('for configuration log.retention.hours in --override');
    expect(() => parse('compression.type=brotli')).toThrow(/compression.type in config\/server.properties/);
  });

  it('gives every listener its security protocol from listener.security.protocol.map (Kafka\'s default map when unset)', () => {
    const config = parse('listeners=SSL://:9093,PLAINTEXT://:9092,SASL_SSL://:9094,INTERNAL://127.0.0.1:9095\nlistener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,SSL:SSL,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL');
    expect(config.listeners.map((l) => `${l.name}:${l.securityProtocol ?? 'PLAINTEXT'}`)).toEqual(['SSL:SSL', 'PLAINTEXT:PLAINTEXT', 'SASL_SSL:SASL_SSL', 'INTERNAL:SASL_PLAINTEXT']);
    expect(parse('listeners=SASL_PLAINTEXT://:9095').listeners[0]!.securityProtocol).toBe('SASL_PLAINTEXT');
  });

  it('reads the file itself and reports a missing one in one line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'server-props-'));
    const file = path.join(dir, 'server.properties');
    fs.writeFileSync(file, 'broker.id=7\n');
    expect(parseServerProperties({ file }).brokerId).toBe(7);
    expect(() => parseServerProperties({ file: path.join(dir, 'missing.properties') })).toThrow(`Cannot read server properties file ${path.join(dir, 'missing.properties')}: no such file; give the path of an existing file (the stock one is config/server.properties), or none for the embedded defaults`);
    expect(() => parseServerProperties({ file: dir })).toThrow(`Cannot read server properties file ${dir}: it is a directory; give the properties file inside it (e.g. server.properties)`);
  });
});
