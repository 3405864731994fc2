/**
 * Secrets in broker configs are reported as Kafka reports PASSWORD configs: sensitive,
 * value null (synonyms too), including per-listener overrides
 * (listener.name.<l>.<mechanism>.sasl.jaas.config, listener.name.<l>.ssl.keystore.key).
 */
import { describe, expect, it } from 'vitest';
import { brokerConfig } from '../../../src/broker/config.js';
import { describeBrokerConfigs } from '../../../src/cluster/broker-configs.js';
import { redactJaas } from '../../../src/broker/security/jaas.js';

describe('sensitive broker configs', () => {
  it('hide JAAS configs, key material and passwords, per listener too', () => {
    const config = brokerConfig({
      raw: {
        'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
        'listener.name.ssl.ssl.keystore.key': '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----',
        'listener.name.ssl.ssl.key.password': 'key-secret',
        'ssl.keystore.password': 'store-secret',
        'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b";',
        'ssl.keystore.location': '/etc/kafka/keystore.p12',
      },
    });
    const described = describeBrokerConfigs(config);
    const byName = new Map(described.map((c) => [c.name, c]));
    for (const name of ['listener.name.sasl_ssl.plain.sasl.jaas.config', 'listener.name.ssl.ssl.keystore.key', 'listener.name.ssl.ssl.key.password', 'ssl.keystore.password', 'sasl.jaas.config', 'ssl.keystore.key', 'ssl.truststore.certificates']) {
      const entry = byName.get(name)!;
      expect(entry, name).toBeDefined();
      expect(entry.isSensitive, name).toBe(true);
      expect(entry.value, name).toBeNull();
      expect(entry.synonyms.every((s) => s.value === null), name).toBe(true);
    }
    expect(byName.get('ssl.keystore.location')!.value).toBe('/etc/kafka/keystore.p12');
    expect(JSON.stringify(described)).not.toMatch(/alice-secret|key-secret|store-secret|BEGIN PRIVATE KEY|password="b"/);
  });

  it('redacts JAAS option values for log lines', () => {
    expect(redactJaas('org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="s3cret" user_bob=bob;'))
      .toBe('org.apache.kafka.common.security.plain.PlainLoginModule required username=[hidden] password=[hidden] user_bob=[hidden];');
  });
});
