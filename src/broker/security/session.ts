/**
 * Per-listener security (protocol, TLS options, SASL mechanisms) and per-connection
 * session state: who the client is (its KafkaPrincipal), whether it has authenticated,
 * where a SASL exchange stands, and when its session expires (connections.max.reauth.ms,
 * KIP-368). The request gate in server.ts and the SASL handlers (17, 36) read and move it.
 */
import type { BrokerConfig, Endpoint } from '../config.js';
import { listenerSecurityProtocol, listenerValue, usesSasl, usesTls, type SecurityProtocolName } from './listeners.js';
import { listenerTls, type ListenerTls } from './tls.js';
import { listenerSasl, PlainSaslServer, type ListenerSasl, type SaslServer, type ScramLookup } from './sasl-server.js';
import { parsePrincipalMappingRules, type PrincipalMappingError } from './principal-mapping.js';
import { scramMechanism, ScramSaslServer } from './scram.js';
import { SecurityConfigError } from './security-config-error.js';

export const ANONYMOUS = 'User:ANONYMOUS';

export interface ListenerSecurity {
  name: string;
  protocol: SecurityProtocolName;
  /** SSL and SASL_SSL */
  tls?: ListenerTls;
  /** SASL_PLAINTEXT and SASL_SSL */
  sasl?: ListenerSasl;
  /** ssl.principal.mapping.rules, parsed */
  principalRules: ReturnType<typeof parsePrincipalMappingRules>;
  /** connections.max.reauth.ms; 0 = sessions do not expire */
  reauthMs: number;
}

/** Everything a listener needs, checked at start-up (bad stores, JAAS, rules: one line naming the key). */
export function listenerSecurity(config: Pick<BrokerConfig, 'raw'>, endpoint: Endpoint): ListenerSecurity {
  const protocol = listenerSecurityProtocol(config, endpoint);
  let principalRules;
  try {
    principalRules = parsePrincipalMappingRules(listenerValue(config, endpoint.name, 'ssl.principal.mapping.rules'));
  } catch (err) {
    throw new SecurityConfigError((err as PrincipalMappingError).message);
  }
  const reauthText = listenerValue(config, endpoint.name, 'connections.max.reauth.ms') ?? '0';
  const reauthMs = Number(reauthText);
  if (!Number.isInteger(reauthMs) || reauthMs < 0) throw new SecurityConfigError(`Invalid value ${reauthText} for configuration connections.max.reauth.ms: use a number of milliseconds, 0 for never`);
  return {
    name: endpoint.name,
    protocol,
    tls: usesTls(protocol) ? listenerTls(config, endpoint.name) : undefined,
    sasl: usesSasl(protocol) ? listenerSasl(config, endpoint.name) : undefined,
    principalRules,
    reauthMs,
  };
}

export class ConnectionSession {
  /** KafkaPrincipal as text, e.g. User:alice or User:CN=client,O=Acme */
  principal = ANONYMOUS;
  /** PLAINTEXT and SSL connections are authenticated once accepted; SASL ones after the exchange */
  authenticated: boolean;
  /** the mechanism a SaslHandshake chose; null until then */
  mechanism: string | null = null;
  /** SaslHandshake v0 (no SaslAuthenticate): the next frames are raw SASL tokens */
  rawTokens = false;
  server: SaslServer | null = null;
  /** when the authenticated session ends (epoch ms); null = never */
  expiresAtMs: number | null = null;
  /** true while an authenticated client re-authenticates (KIP-368) */
  reauthenticating = false;
  /** the reason to close the connection once the response in flight is written */
  closeAfterResponse: string | null = null;

  constructor(
    readonly listener: ListenerSecurity,
    /** the client's address without a leading '/' (ACL hosts are matched against it) */
    readonly clientAddress: string,
  ) {
    this.authenticated = listener.sasl === undefined;
  }

  get isSasl(): boolean {
    return this.listener.sasl !== undefined;
  }

  /** Whether the authenticated session has run past connections.max.reauth.ms. */
  expired(now = Date.now()): boolean {
    return this.expiresAtMs !== null && now > this.expiresAtMs;
  }

  /** A server for `mechanism` (already known to be enabled on this listener). */
  createServer(mechanism: string, scram: ScramLookup): SaslServer {
    if (mechanism === 'PLAIN') return new PlainSaslServer(this.listener.sasl?.plainUsers ?? new Map());
    const m = scramMechanism(mechanism);
    if (!m) throw new Error(`no SASL server for ${mechanism}`);
    return new ScramSaslServer(m, (user) => scram(m.id, user));
  }
}
