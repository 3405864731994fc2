/**
 * Unknown client config keys: the Java clients' key tables and Kafka's warning line
 * (AbstractConfig.logUnused, one line per key, as Kafka up to 3.2 prints it).
 */
import { describe, expect, it } from 'vitest';
import { unknownConfigKeys, unknownConfigWarnings } from '../../src/cli/client-configs.js';

const TIMESTAMP = String.raw`\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}\]`;

describe('unknown client config keys', () => {
  it('finds the 0.8-era keys of the tutorials in a producer config, in the order given', () => {
    const props = { 'metadata.broker.list': 'master:9092', acks: '1', 'serializer.class': 'kafka.serializer.StringEncoder', 'zookeeper.connect': 'master:2181' };
    expect(unknownConfigKeys(props, 'producer')).toEqual(['metadata.broker.list', 'serializer.class', 'zookeeper.connect']);
  });

  it('knows each client\'s own keys and the shared ones', () => {
    expect(unknownConfigKeys({ 'linger.ms': '5', 'batch.size': '1', 'partitioner.ignore.keys': 'true', 'ssl.truststore.location': 'x', 'sasl.mechanism': 'PLAIN', 'client.id': 'c' }, 'producer')).toEqual([]);
    expect(unknownConfigKeys({ 'group.id': 'g', 'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed', 'security.protocol': 'PLAINTEXT' }, 'consumer')).toEqual([]);
    expect(unknownConfigKeys({ 'default.api.timeout.ms': '1000', retries: '3', 'bootstrap.controllers': 'c:9093', 'request.timeout.ms': '5' }, 'admin')).toEqual([]);
  });

  it('does not lend one client\'s keys to another', () => {
    expect(unknownConfigKeys({ 'group.id': 'g', 'linger.ms': '5' }, 'admin')).toEqual(['group.id', 'linger.ms']);
    expect(unknownConfigKeys({ 'linger.ms': '5' }, 'consumer')).toEqual(['linger.ms']);
    expect(unknownConfigKeys({ 'group.id': 'g' }, 'producer')).toEqual(['group.id']);
  });

  it('words the warning as Kafka does, naming the client\'s config class', () => {
    const [producerLine] = unknownConfigWarnings({ 'metadata.broker.list': 'x' }, 'producer');
    expect(producerLine).toMatch(new RegExp(`^${TIMESTAMP} WARN The configuration 'metadata\\.broker\\.list' was supplied but isn't a known config\\. \\(org\\.apache\\.kafka\\.clients\\.producer\\.ProducerConfig\\)$`));
    const [consumerLine] = unknownConfigWarnings({ 'zookeeper.connect': 'x' }, 'consumer');
    expect(consumerLine).toMatch(/ WARN The configuration 'zookeeper.connect' was supplied but isn't a known config\. \(org\.apache\.kafka\.clients\.consumer\.ConsumerConfig\)$/);
    const [adminLine] = unknownConfigWarnings({ 'serializer.class': 'x' }, 'admin');
    expect(adminLine).toMatch(/ WARN The configuration 'serializer.class' was supplied but isn't a known config\. \(org\.apache\.kafka\.clients\.admin\.AdminClientConfig\)$/);
  });
});
