/**
 * Listener names, their security protocols and per-listener settings, as Kafka's
 * KafkaConfig resolves them: a listener's protocol comes from
 * `listener.security.protocol.map` (Kafka's default maps each protocol name to
 * itself), and any security key may be overridden for one listener as
 * `listener.name.<lower-case name>.<key>` (for SASL keys also
 * `listener.name.<name>.<mechanism>.sasl.jaas.config`).
 */
import type { BrokerConfig, Endpoint } from '../config.js';
import { brokerKeyDef, effectiveDefault } from '../config-keys.js';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocolName = (typeof SECURITY_PROTOCOLS)[number];

/** SecurityProtocol ids as RegisterBrokerRecord and DescribeCluster carry them. */
export const SECURITY_PROTOCOL_ID: Readonly<Record<SecurityProtocolName, number>> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

export const DEFAULT_SECURITY_PROTOCOL_MAP = 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL';

export function isSecurityProtocol(name: string): name is SecurityProtocolName {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(name);
}

/**
 * listener.security.protocol.map as a map of upper-case listener names. Throws a one-line
 * Error naming the entry that does not parse.
 */
export function parseSecurityProtocolMap(text: string | undefined): Map<string, SecurityProtocolName> {
  const map = new Map<string, SecurityProtocolName>();
  for (const entry of (text ?? DEFAULT_SECURITY_PROTOCOL_MAP).split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, protocol, extra] = entry.split(':').map((s) => s.trim());
    const upper = (protocol ?? '').toUpperCase();
    if (!name || extra !== undefined || !isSecurityProtocol(upper)) {
      throw new Error(`Invalid listener.security.protocol.map entry ${entry}: use NAME:PROTOCOL with PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')}`);
    }
    map.set(name.toUpperCase(), upper);
  }
  return map;
}

/** A key's value as set, else its default from the broker config table (undefined when it has none). */
export function configValue(config: Pick<BrokerConfig, 'raw'>, key: string): string | undefined {
  const set = config.raw[key];
  if (set !== undefined) return set.trim();
  const def = brokerKeyDef(key);
  return (def ? effectiveDefault(def) : null) ?? undefined;
}

/** The security protocol of a listener: the endpoint's own, else the map's, else PLAINTEXT (embedders' plain endpoints). */
export function listenerSecurityProtocol(config: Pick<BrokerConfig, 'raw'>, endpoint: Endpoint): SecurityProtocolName {
  if (endpoint.securityProtocol) return endpoint.securityProtocol;
  const map = parseSecurityProtocolMap(configValue(config, 'listener.security.protocol.map'));
  return map.get(endpoint.name.toUpperCase()) ?? (isSecurityProtocol(endpoint.name.toUpperCase()) ? (endpoint.name.toUpperCase() as SecurityProtocolName) : 'PLAINTEXT');
}

/** The key's value for this listener: `listener.name.<name>.<key>` first, then `<key>`. */
export function listenerValue(config: Pick<BrokerConfig, 'raw'>, listenerName: string, key: string): string | undefined {
  const ownKey = listenerKeyName(config, listenerName, key);
  return ownKey === key ? configValue(config, key) : config.raw[ownKey]?.trim();
}

/** Which key a listener's value came from, for error lines that name what the user wrote. */
export function listenerKeyName(config: Pick<BrokerConfig, 'raw'>, listenerName: string, key: string): string {
  const own = ['listener.name', listenerName.toLowerCase(), key].join('.');
  return config.raw[own] !== undefined ? own : key;
}

export function usesTls(protocol: SecurityProtocolName): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: SecurityProtocolName): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}
