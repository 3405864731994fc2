/** DescribeConfigs sources/synonyms, config validation and config changes reaching open logs. */
import { afterAll, describe, expect, it } from 'vitest';
import { brokerConfig } from '../../src/broker/config.js';
import { ConfigResourceType } from '../../src/broker/services/metadata-service.js';
import { describeBrokerConfigs } from '../../src/cluster/broker-configs.js';
import { ConfigSource, ConfigType, TOPIC_CONFIGS, describeTopicConfigs } from '../../src/cluster/topic-config.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { openCluster, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

describe('topic DescribeConfigs', () => {
  it('reports overrides as DYNAMIC_TOPIC_CONFIG, server.properties synonyms as STATIC, the rest as DEFAULT', async () => {
    const { cluster } = await openCluster(tempDir(), {
      logSegmentBytes: 1073741824,
      logRetentionMs: 168 * 3600 * 1000,
      raw: { 'log.segment.bytes': '1073741824', 'log.retention.hours': '168' },
    });
    await cluster.createTopic('t', { numPartitions: 1, replicationFactor: 1, configs: { 'retention.bytes': '5000' } });
    const all = cluster.describeConfigs(ConfigResourceType.TOPIC, 't');
    expect(all.map((c) => c.name)).toEqual(TOPIC_CONFIGS.map((d) => d.name));
    const byName = new Map(all.map((c) => [c.name, c]));

    const override = byName.get('retention.bytes')!;
    expect(override).toMatchObject({ value: '5000', source: ConfigSource.DYNAMIC_TOPIC_CONFIG, isDefault: false, readOnly: false });
    expect(override.configType).toBe(ConfigType.LONG);
    expect(override.synonyms).toEqual([
      { name: 'retention.bytes', value: '5000', source: ConfigSource.DYNAMIC_TOPIC_CONFIG },
      { name: 'log.retention.bytes', value: '-1', source: ConfigSource.DEFAULT_CONFIG },
    ]);

    const segment = byName.get('segment.bytes')!;
    expect(segment).toMatchObject({ value: '1073741824', source: ConfigSource.STATIC_BROKER_CONFIG, isDefault: false });
    expect(segment.synonyms[0]).toEqual({ name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.STATIC_BROKER_CONFIG });

    // Kafka only counts the primary synonym (log.retention.ms): stock log.retention.hours stays a default
    const retention = byName.get('retention.ms')!;
    expect(retention).toMatchObject({ value: '604800000', source: ConfigSource.DEFAULT_CONFIG, isDefault: true, synonyms: [] });

    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'delete', source: ConfigSource.DEFAULT_CONFIG, configType: ConfigType.LIST });
    expect(byName.get('min.cleanable.dirty.ratio')).toMatchObject({ value: '0.5', configType: ConfigType.DOUBLE });

    // non-default entries are what kafka-topics --describe prints as Configs:
    expect(all.filter((c) => !c.isDefault).map((c) => `${c.name}=${c.value}`)).toEqual([
      'retention.bytes=5000',
      'segment.bytes=1073741824',
    ]);
  });

  it('takes the effective value from the broker config when there is no override', () => {
    const config = brokerConfig({ logRetentionMs: 3600000, raw: { 'log.retention.ms': '3600000' } });
    const [retention] = describeTopicConfigs({}, config, ['retention.ms']);
    expect(retention).toMatchObject({ value: '3600000', source: ConfigSource.STATIC_BROKER_CONFIG });
  });

  it('returns only requested names and fails for unknown topics', async () => {
    const { cluster } = await openCluster(tempDir());
    await cluster.createTopic('t', { numPartitions: 1, replicationFactor: 1 });
    expect(cluster.describeConfigs(ConfigResourceType.TOPIC, 't', ['segment.ms', 'bogus']).map((c) => c.name)).toEqual(['segment.ms']);
    expect(() => cluster.describeConfigs(ConfigResourceType.TOPIC, 'missing')).toThrow(KafkaError);
  });
});

describe('broker DescribeConfigs', () => {
  it('lists main keys and every key from server.properties with STATIC source', () => {
    const config = brokerConfig({ brokerId: 7, numPartitions: 3, raw: { 'num.partitions': '3', 'zookeeper.connect': 'localhost:2181' } });
    const entries = new Map(describeBrokerConfigs(config).map((c) => [c.name, c]));
    expect(entries.get('num.partitions')).toMatchObject({ value: '3', source: ConfigSource.STATIC_BROKER_CONFIG, isDefault: false });
    expect(entries.get('zookeeper.connect')).toMatchObject({ value: 'localhost:2181', source: ConfigSource.STATIC_BROKER_CONFIG });
    expect(entries.get('broker.id')).toMatchObject({ value: '7', readOnly: true });
    expect(entries.get('log.retention.hours')).toMatchObject({ value: '168', source: ConfigSource.DEFAULT_CONFIG, isDefault: true });
  });

  it('checks the broker id of the resource', async () => {
    const { cluster } = await openCluster(tempDir(), { brokerId: 1 });
    expect(cluster.describeConfigs(ConfigResourceType.BROKER, '1').length).toBeGreaterThan(10);
    expect(cluster.describeConfigs(ConfigResourceType.BROKER, '')).toEqual([]);
    try {
      cluster.describeConfigs(ConfigResourceType.BROKER, '2');
      expect.unreachable();
    } catch (err) {
      expect((err as KafkaError).code).toBe(ErrorCode.INVALID_REQUEST);
    }
  });
});

describe('altering topic configs', () => {
  it('incremental SET/DELETE/APPEND/SUBTRACT change overrides and reach open logs', async () => {
    const { cluster, logs } = await openCluster(tempDir());
    await cluster.createTopic('t', { numPartitions: 2, replicationFactor: 1 });
    expect(logs.fake('t', 1)?.config.retentionMs).toBe(604800000);
    await cluster.incrementalAlterConfigs(ConfigResourceType.TOPIC, 't', [
      { name: 'retention.ms', op: 'SET', value: '1234' },
      { name: 'cleanup.policy', op: 'APPEND', value: 'compact' },
    ]);
    expect(cluster.topic('t')?.configs).toEqual({ 'retention.ms': '1234', 'cleanup.policy': 'delete,compact' });
    expect(logs.fake('t', 0)?.config.retentionMs).toBe(1234);
    expect(logs.fake('t', 1)?.config.cleanupPolicy).toBe('delete,compact');
    expect(cluster.logConfigFor('t').retentionMs).toBe(1234);

    await cluster.incrementalAlterConfigs(ConfigResourceType.TOPIC, 't', [
      { name: 'retention.ms', op: 'DELETE', value: null },
      { name: 'cleanup.policy', op: 'SUBTRACT', value: 'delete' },
    ]);
    expect(cluster.topic('t')?.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect(logs.fake('t', 0)?.config.retentionMs).toBe(604800000);
  });

  it('validateOnly and invalid values leave configs untouched', async () => {
    const { cluster } = await openCluster(tempDir());
    await cluster.createTopic('t', { numPartitions: 1, replicationFactor: 1, configs: { 'segment.ms': '1000' } });
    await cluster.replaceConfigs(ConfigResourceType.TOPIC, 't', { 'retention.ms': '5' }, true);
    expect(cluster.topic('t')?.configs).toEqual({ 'segment.ms': '1000' });
    await expect(
      cluster.incrementalAlterConfigs(ConfigResourceType.TOPIC, 't', [{ name: 'min.insync.replicas', op: 'SET', value: '0' }]),
    ).rejects.toThrow('Invalid value 0 for configuration min.insync.replicas: Value must be at least 1');
    await expect(
      cluster.incrementalAlterConfigs(ConfigResourceType.TOPIC, 't', [{ name: 'retention.ms', op: 'APPEND', value: '1' }]),
    ).rejects.toMatchObject({ code: ErrorCode.INVALID_CONFIG });
    // AlterConfigs replaces the whole override set
    await cluster.replaceConfigs(ConfigResourceType.TOPIC, 't', { 'retention.ms': '5' });
    expect(cluster.topic('t')?.configs).toEqual({ 'retention.ms': '5' });
  });
});
