/**
 * Worker properties as Kafka reads them: listeners vs the older rest.host.name/rest.port,
 * the advertised worker id, defaults, and one-line errors naming the key.
 */
import { describe, expect, it } from 'vitest';
import { advertisedUrl, workerConfig, workerId } from '../../src/connect/worker-config.js';

const BASE = { 'key.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'offset.storage.file.filename': '/tmp/connect.offsets' };

describe('workerConfig', () => {
  it('defaults: every interface on port 8083, localhost:9092, a 60 s offset flush', () => {
    const config = workerConfig(BASE, 'standalone');
    expect(config.listener).toEqual({ host: '', port: 8083 });
    expect(config.bootstrapServers).toEqual(['localhost:9092']);
    expect(config.offsetFlushIntervalMs).toBe(60000);
    expect(workerId(config)).toBe('127.0.0.1:8083');
    expect(advertisedUrl(config)).toBe('http://127.0.0.1:8083/');
  });

  it('reads listeners, or rest.host.name + rest.port, and the advertised host and port', () => {
    expect(workerConfig({ ...BASE, listeners: 'http://localhost:8084' }, 'standalone').listener).toEqual({ host: 'localhost', port: 8084 });
    expect(workerConfig({ ...BASE, 'rest.port': '8085', 'rest.host.name': '10.0.0.1' }, 'standalone').listener).toEqual({ host: '10.0.0.1', port: 8085 });
    const advertised = workerConfig({ ...BASE, listeners: 'http://:8083', 'rest.advertised.host.name': 'worker-1', 'rest.advertised.port': '9083' }, 'standalone');
    expect(workerId(advertised)).toBe('worker-1:9083');
  });

  it('names the key of a bad or missing setting', () => {
    expect(() => workerConfig({ ...BASE, listeners: 'https://:8443' }, 'standalone')).toThrow('only http listeners are served here');
    expect(() => workerConfig({ ...BASE, 'offset.flush.interval.ms': 'soon' }, 'standalone')).toThrow('Invalid value soon for configuration offset.flush.interval.ms: Not a number of type INT');
    expect(() => workerConfig({ 'value.converter': 'x' }, 'standalone')).toThrow('Missing required configuration "key.converter" which has no default value.');
    expect(() => workerConfig({ ...BASE, 'offset.storage.file.filename': '' }, 'standalone')).toThrow('Missing required configuration "offset.storage.file.filename"');
    expect(() => workerConfig(BASE, 'distributed')).toThrow('Missing required configuration "group.id" which has no default value.');
    expect(() => workerConfig({ ...BASE, 'group.id': 'g', 'config.storage.topic': 'c', 'offset.storage.topic': 'o' }, 'distributed')).toThrow('Missing required configuration "status.storage.topic"');
  });

  it('reads the distributed keys with Kafka\'s defaults', () => {
    const config = workerConfig({ ...BASE, 'group.id': 'connect-cluster', 'config.storage.topic': 'connect-configs', 'offset.storage.topic': 'connect-offsets', 'status.storage.topic': 'connect-status', 'config.storage.replication.factor': '1' }, 'distributed');
    expect([config.configReplicationFactor, config.offsetReplicationFactor, config.offsetPartitions, config.statusPartitions, config.sessionTimeoutMs]).toEqual([1, 3, 25, 5, 10000]);
  });
});
