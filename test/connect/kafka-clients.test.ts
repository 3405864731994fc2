import { describe, expect, it } from 'vitest';
import { createWorkerClients, securityProps, type ClientSecurityOptions } from '../../src/connect/kafka-clients.js';

const quiet = { log: () => undefined };

describe('worker client security', () => {
  const worker = {
    'bootstrap.servers': 'h:9092',
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': 'worker',
    'ssl.truststore.location': '/ca.pem',
    'producer.sasl.jaas.config': 'producer',
    'producer.batch.size': '10',
    'consumer.security.protocol': 'SASL_PLAINTEXT',
    'admin.ssl.truststore.location': '/admin-ca.pem',
    'key.converter': 'x',
  };

  it('gives every client the worker\'s security keys, overridden by its prefix, and nothing else', () => {
    expect(securityProps(worker)).toEqual({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'worker', 'ssl.truststore.location': '/ca.pem' });
    expect(securityProps(worker, 'producer')).toEqual({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'producer', 'ssl.truststore.location': '/ca.pem' });
    expect(securityProps(worker, 'consumer')).toEqual({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'worker', 'ssl.truststore.location': '/ca.pem' });
    expect(securityProps(worker, 'admin')['ssl.truststore.location']).toBe('/admin-ca.pem');
    expect(securityProps({ 'bootstrap.servers': 'h:9092' }, 'producer')).toEqual({});
  });

  it('reads each kind of client\'s settings with the given reader, and a reader\'s refusal fails the start', () => {
    const seen: Array<Record<string, string>> = [];
    const reader = (props: Record<string, string>): ClientSecurityOptions => {
      seen.push(props);
      return { kafkajs: { sasl: { mechanism: 'plain', username: props['sasl.jaas.config'], password: 'p' } }, network: {} };
    };
    const clients = createWorkerClients(['h:9092'], 'c', quiet, worker, reader);
    expect(Object.keys(clients).sort()).toEqual(['admin', 'consumer', 'producer', 'worker']);
    expect(seen.map((p) => p['sasl.jaas.config'])).toEqual(['worker', 'producer', 'worker', 'worker']);
    expect(seen[2]['security.protocol']).toBe('SASL_PLAINTEXT');
    expect(() => createWorkerClients(['h:9092'], 'c', quiet, worker, () => { throw new Error('sasl.mechanism=GSSAPI is not supported'); })).toThrow(/^sasl\.mechanism=GSSAPI is not supported$/);
    // a failure in a prefixed override says which prefix to look at
    const refuseConsumer = (props: Record<string, string>): ClientSecurityOptions => {
      if (props['security.protocol'] === 'SASL_PLAINTEXT') throw new Error('security.protocol=SASL_PLAINTEXT needs sasl.jaas.config');
      return { kafkajs: {}, network: {} };
    };
    expect(() => createWorkerClients(['h:9092'], 'c', quiet, worker, refuseConsumer)).toThrow("security.protocol=SASL_PLAINTEXT needs sasl.jaas.config (in the worker's consumer.-prefixed settings)");
  });
});
