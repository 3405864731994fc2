/**
 * The inter-broker client settings a secured cluster's brokers use (replica fetchers, the
 * controller channel): picked from inter.broker.listener.name, TLS from the listener's trust
 * store, SASL from sasl.mechanism.inter.broker.protocol and the listener's JAAS entry, and
 * good enough for src/network to connect to a SASL_SSL listener with them.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { KafkaConnection } from '../../../src/network/index.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import { interBrokerClientSecurity } from '../../../src/broker/security/inter-broker.js';
import { hasOpenssl, makeCerts, type TestCerts } from './certs.js';

let certs: TestCerts;
let broker: TestBroker;

describe.skipIf(!hasOpenssl)('inter-broker client security', () => {
  beforeAll(async () => {
    certs = makeCerts();
    broker = await startTestBroker({
      listeners: [
        { name: 'CLIENTS', host: '127.0.0.1', port: 0 },
        { name: 'INTERNAL', host: '127.0.0.1', port: 0 },
      ],
      raw: {
        'listener.security.protocol.map': 'CLIENTS:PLAINTEXT,INTERNAL:SASL_SSL',
        'inter.broker.listener.name': 'INTERNAL',
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'listener.name.internal.sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.internal.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret";',
        'ssl.keystore.location': certs.serverKeystorePem,
        'ssl.truststore.location': certs.caPem,
      },
    });
  }, 30_000);
  afterAll(async () => {
    await broker?.close();
    if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('picks the INTERNAL listener and reaches it over TLS + SASL as the broker', async () => {
    const security = interBrokerClientSecurity(broker.config);
    expect(security.listenerName).toBe('INTERNAL');
    expect(security.protocol).toBe('SASL_SSL');
    expect(security.sasl).toEqual({ mechanism: 'PLAIN', username: 'broker', password: 'broker-secret' });
    const internal = broker.config.listeners.find((l) => l.name === 'INTERNAL')!;
    const connection = await KafkaConnection.connect({ host: 'localhost', port: internal.port }, { clientId: 'broker-0', tls: security.tls, sasl: security.sasl });
    try {
      const metadata = await connection.request<{ brokers: { port: number }[] }>(ApiKey.Metadata, 1, { topics: [] });
      // answered with the broker's endpoint on the INTERNAL listener
      expect(metadata.brokers.map((b) => b.port)).toEqual([internal.port]);
    } finally {
      connection.close();
    }
  });
});
