/**
 * How this broker connects to other brokers and to the controllers when their listeners
 * are secured, as Kafka's inter-broker client does: the listener named by
 * `inter.broker.listener.name` (else the one named after `security.inter.broker.protocol`,
 * else the first), TLS with that listener's trust store (and key store, for mutual TLS),
 * and SASL with `sasl.mechanism.inter.broker.protocol` and the `username`/`password`
 * options of the listener's JAAS entry for that mechanism. The result plugs into
 * src/network's KafkaConnectionOptions (`tls`, `sasl`).
 */
import fs from 'node:fs';
import type tls from 'node:tls';
import type { BrokerConfig, Endpoint } from '../config.js';
import type { SaslCredentials } from '../../network/sasl-client.js';
import { configValue, listenerKeyName, listenerSecurityProtocol, listenerValue, usesSasl, usesTls, type SecurityProtocolName } from './listeners.js';
import { parseJaasConfig } from './jaas.js';
import { SecurityConfigError } from './security-config-error.js';

export interface InterBrokerSecurity {
  listenerName: string;
  protocol: SecurityProtocolName;
  tls?: tls.ConnectionOptions;
  sasl?: SaslCredentials;
}

/** The listener brokers use between themselves. */
export function interBrokerListener(config: Pick<BrokerConfig, 'raw' | 'listeners'>): Endpoint {
  const named = configValue(config, 'inter.broker.listener.name')?.toUpperCase();
  const byProtocol = configValue(config, 'security.inter.broker.protocol')?.toUpperCase();
  const found = (named && config.listeners.find((l) => l.name.toUpperCase() === named))
    || (!named && byProtocol && config.listeners.find((l) => listenerSecurityProtocol(config, l) === byProtocol))
    || config.listeners[0];
  if (!found) throw new SecurityConfigError('No listener for inter-broker traffic: set listeners (and inter.broker.listener.name)');
  return found;
}

/** TLS and SASL settings to reach `listener` (another node's listener of the same name) as this broker. */
export function listenerClientSecurity(config: Pick<BrokerConfig, 'raw'>, listener: Endpoint): InterBrokerSecurity {
  const protocol = listenerSecurityProtocol(config, listener);
  const read = (key: string): string | undefined => listenerValue(config, listener.name, key);
  const out: InterBrokerSecurity = { listenerName: listener.name, protocol };
  if (usesTls(protocol)) {
    const options: tls.ConnectionOptions = { rejectUnauthorized: true };
    const inlineCa = read('ssl.truststore.certificates');
    const caFile = read('ssl.truststore.location');
    if (inlineCa) options.ca = inlineCa;
    else if (caFile) options.ca = fs.readFileSync(caFile);
    const key = read('ssl.keystore.key');
    const chain = read('ssl.keystore.certificate.chain');
    const store = read('ssl.keystore.location');
    if (key && chain) Object.assign(options, { key, cert: chain, passphrase: read('ssl.key.password') });
    else if (store) {
      const bytes = fs.readFileSync(store);
      if (bytes.includes('-----BEGIN')) Object.assign(options, { key: bytes, cert: bytes, passphrase: read('ssl.key.password') });
      else Object.assign(options, { pfx: bytes, passphrase: read('ssl.keystore.password') ?? '' });
    }
    if ((read('ssl.endpoint.identification.algorithm') ?? 'https') === '') options.checkServerIdentity = () => undefined;
    out.tls = options;
  }
  if (usesSasl(protocol)) {
    const mechanism = (configValue(config, 'sasl.mechanism.inter.broker.protocol') ?? 'GSSAPI').toUpperCase();
    if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
      throw new SecurityConfigError(`sasl.mechanism.inter.broker.protocol=${mechanism} is not served here: set it to PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`);
    }
    const jaasKey = ['listener.name', listener.name.toLowerCase(), mechanism.toLowerCase(), 'sasl.jaas.config'].join('.');
    const fallbackKey = listenerKeyName(config, listener.name, 'sasl.jaas.config');
    const usedKey = config.raw[jaasKey] !== undefined ? jaasKey : fallbackKey;
    const text = config.raw[usedKey];
    const options = text ? parseJaasConfig(text, usedKey).options : {};
    if (options.username === undefined || options.password === undefined) {
      throw new SecurityConfigError(`${jaasKey} needs username="…" password="…" for the broker's own logins (sasl.mechanism.inter.broker.protocol=${mechanism})`);
    }
    out.sasl = { mechanism: mechanism as SaslCredentials['mechanism'], username: options.username, password: options.password };
  }
  return out;
}

/** The settings for inter-broker connections (replica fetchers, the controller channel). */
export function interBrokerClientSecurity(config: Pick<BrokerConfig, 'raw' | 'listeners'>): InterBrokerSecurity {
  return listenerClientSecurity(config, interBrokerListener(config));
}
