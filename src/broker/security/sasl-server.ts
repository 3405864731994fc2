/**
 * The SASL mechanisms a listener serves (sasl.enabled.mechanisms) and the server side
 * of each exchange: PLAIN against the `user_<name>="<password>"` options of the
 * listener's PlainLoginModule JAAS entry (as Kafka's PlainServerCallbackHandler), and
 * SCRAM-SHA-256/512 against the credentials in the cluster metadata.
 */
import crypto from 'node:crypto';
import type { BrokerConfig } from '../config.js';
import type { ScramCredentialImage } from '../../metadata/security-image.js';
import { listenerKeyName } from './listeners.js';
import { parseJaasConfig, type JaasConfig } from './jaas.js';
import { SecurityConfigError } from './security-config-error.js';

/** One step of an exchange: the bytes to answer and, once complete, who authenticated. */
export interface SaslStep {
  challenge: Buffer;
  complete: boolean;
  /** the authenticated user name (the principal is User:<user>) */
  user?: string;
}

export interface SaslServer {
  readonly mechanismName: string;
  evaluate(token: Buffer): SaslStep;
}

/**
 * A refused exchange. `toClient`: the message is Kafka's own words for the client
 * (PLAIN's "Authentication failed: Invalid username or password"); otherwise the client
 * hears only the generic "invalid credentials" line, as Kafka keeps SaslException text
 * (which might say whether a user exists) to itself.
 */
export class SaslAuthenticationError extends Error {
  constructor(message: string, readonly toClient = false) {
    super(message);
    this.name = 'SaslAuthenticationError';
  }
}

export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';

/** Constant-time string equality (lengths may differ; the time does not say where they differ). */
export function constantTimeEquals(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a, 'utf8').digest();
  const y = crypto.createHash('sha256').update(b, 'utf8').digest();
  return crypto.timingSafeEqual(x, y) && a === b;
}

export class PlainSaslServer implements SaslServer {
  readonly mechanismName = 'PLAIN';
  private done = false;

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  evaluate(token: Buffer): SaslStep {
    if (this.done) throw new SaslAuthenticationError('PLAIN exchange already complete');
    this.done = true;
    // message = [authzid] NUL authcid NUL passwd (RFC 4616)
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw new SaslAuthenticationError('Invalid SASL/PLAIN response: expected 3 tokens');
    const [authzid, user, password] = parts as [string, string, string];
    if (!user) throw new SaslAuthenticationError('Authentication failed: username not specified', true);
    if (!password) throw new SaslAuthenticationError('Authentication failed: password not specified', true);
    const expected = this.users.get(user);
    // compare against something even for an unknown user, so timing does not reveal it
    const ok = constantTimeEquals(password, expected ?? crypto.randomBytes(16).toString('hex')) && expected !== undefined;
    if (!ok) throw new SaslAuthenticationError('Authentication failed: Invalid username or password', true);
    if (authzid && authzid !== user) throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username', true);
    return { challenge: Buffer.alloc(0), complete: true, user };
  }
}

/** How a listener authenticates: its mechanisms and, for PLAIN, its users. */
export interface ListenerSasl {
  mechanisms: readonly string[];
  plainUsers: ReadonlyMap<string, string>;
}

/**
 * The JAAS entry for `mechanism` on a listener: listener.name.<l>.<mech>.sasl.jaas.config,
 * then listener.name.<l>.sasl.jaas.config, then sasl.jaas.config (Kafka reads only the
 * first for brokers; the others are accepted as the obvious places people put it).
 */
function jaasFor(config: Pick<BrokerConfig, 'raw'>, listenerName: string, mechanism: string): { key: string; jaas: JaasConfig } | undefined {
  const l = listenerName.toLowerCase();
  const m = mechanism.toLowerCase();
  for (const key of [`listener.name.${l}.${m}.sasl.jaas.config`, `listener.name.${l}.sasl.jaas.config`, 'sasl.jaas.config']) {
    const text = config.raw[key];
    if (text !== undefined && text.trim() !== '') return { key, jaas: parseJaasConfig(text, key) };
  }
  return undefined;
}

/**
 * A SASL listener's mechanisms and PLAIN users, checked at start-up. Kafka's default
 * sasl.enabled.mechanisms is GSSAPI (Kerberos), which is not served here; unset, it is
 * SCRAM-SHA-256 and SCRAM-SHA-512, plus PLAIN when a PlainLoginModule is configured.
 */
export function listenerSasl(config: Pick<BrokerConfig, 'raw'>, listenerName: string): ListenerSasl {
  const key = listenerKeyName(config, listenerName, 'sasl.enabled.mechanisms');
  const configured = config.raw[key];
  const plainJaas = jaasFor(config, listenerName, 'PLAIN');
  let mechanisms: string[];
  if (configured === undefined) {
    mechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
    if (plainJaas?.jaas.loginModule === PLAIN_LOGIN_MODULE) mechanisms.unshift('PLAIN');
  } else {
    mechanisms = configured.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    const unknown = mechanisms.filter((m) => !(SUPPORTED_MECHANISMS as readonly string[]).includes(m));
    if (unknown.length > 0) {
      throw new SecurityConfigError(`${key} names ${unknown.join(',')}, which this broker does not serve: use ${SUPPORTED_MECHANISMS.join(', ')}`);
    }
    if (mechanisms.length === 0) throw new SecurityConfigError(`${key} is empty: a SASL listener needs at least one mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
  }
  const plainUsers = new Map<string, string>();
  if (mechanisms.includes('PLAIN')) {
    if (!plainJaas) {
      throw new SecurityConfigError(
        `PLAIN is enabled on listener ${listenerName} but no JAAS config gives its users: set listener.name.${listenerName.toLowerCase()}.plain.sasl.jaas.config=${PLAIN_LOGIN_MODULE} required user_alice="alice-secret";`,
      );
    }
    if (plainJaas.jaas.loginModule !== PLAIN_LOGIN_MODULE) {
      throw new SecurityConfigError(`${plainJaas.key} names ${plainJaas.jaas.loginModule}; PLAIN needs ${PLAIN_LOGIN_MODULE}`);
    }
    for (const [option, value] of Object.entries(plainJaas.jaas.options)) {
      if (option.startsWith('user_')) plainUsers.set(option.slice('user_'.length), value);
    }
  }
  return { mechanisms, plainUsers };
}

export type ScramLookup = (mechanismId: number, user: string) => ScramCredentialImage | undefined;
