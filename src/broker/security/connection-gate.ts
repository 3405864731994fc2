/**
 * What the server does with a connection's security before a request reaches its
 * handler, as Kafka's SslTransportLayer / SaslServerAuthenticator do:
 *
 * - SSL: the principal from the client certificate (User:<RFC 2253 DN, mapped by
 *   ssl.principal.mapping.rules>), ANONYMOUS without one;
 * - SASL: before authentication only ApiVersions, SaslHandshake and SaslAuthenticate
 *   are accepted; any other request closes the connection without an answer;
 *   an authenticated session past connections.max.reauth.ms is closed likewise;
 * - SaslHandshake v0 clients send bare tokens (size-prefixed, no request header) and get
 *   bare tokens back.
 */
import type tls from 'node:tls';
import { apiName } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/errors.js';
import { CloseConnection, type DispatchResult } from '../connection.js';
import type { BrokerServices } from '../services/index.js';
import { mapPrincipalName, PrincipalMappingError, rfc2253 } from './principal-mapping.js';
import { SaslAuthenticationError } from './sasl-server.js';
import type { ConnectionSession } from './session.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

/** Sets an SSL connection's principal; returns why the connection is refused, or undefined. */
export function sslPrincipal(socket: tls.TLSSocket, session: ConnectionSession): string | undefined {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return undefined;
  if (!socket.authorized) return `SSL handshake failed: client certificate not trusted (${String(socket.authorizationError)})`;
  try {
    session.principal = `User:${mapPrincipalName(session.listener.principalRules, rfc2253(cert.subject))}`;
  } catch (err) {
    if (err instanceof PrincipalMappingError) return `ssl.principal.mapping.rules: ${err.message}`;
    throw err;
  }
  return undefined;
}

export function preAuthenticationGate(apiKey: number, session: ConnectionSession): void {
  const saslApi = apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE;
  if (!session.authenticated && !saslApi) {
    throw new CloseConnection(`Unexpected Kafka request of type ${apiName(apiKey)} during SASL handshake`);
  }
  if (session.authenticated && !saslApi && session.expired()) {
    throw new CloseConnection('SASL session expired (connections.max.reauth.ms) and the client did not re-authenticate');
  }
}

/** The client's message for a refused exchange: Kafka's words, never a reason that could reveal a user. */
export function authenticationFailureMessage(err: unknown, session: ConnectionSession): string {
  if (err instanceof SaslAuthenticationError && err.toClient) return err.message;
  const phase = session.reauthenticating ? 're-authentication' : 'authentication';
  return `Authentication failed during ${phase} due to invalid credentials with SASL mechanism ${session.mechanism ?? 'unknown'}`;
}

export interface AuthenticateResult {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  /** KIP-368 session_lifetime_ms (0: no limit) */
  sessionLifetimeMs: bigint;
}

/**
 * One SaslAuthenticate token through the session's SASL server. On the last step the
 * session is authenticated as User:<name>; a refused token fails the exchange and marks
 * the connection to close after its answer.
 */
export function authenticateStep(token: Buffer, session: ConnectionSession, services: BrokerServices): AuthenticateResult {
  const server = session.server;
  if (!server) {
    if (session.authenticated && !session.reauthenticating) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    }
    throw new CloseConnection('Unexpected Kafka request of type SaslAuthenticate during SASL handshake');
  }
  try {
    const step = server.evaluate(token);
    if (!step.complete) return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.challenge, sessionLifetimeMs: 0n };
    const principal = `User:${step.user ?? ''}`;
    if (session.reauthenticating && principal !== session.principal) {
      throw new SaslAuthenticationError(`Cannot change principals during re-authentication from ${session.principal}: ${principal}`, true);
    }
    session.principal = principal;
    session.authenticated = true;
    session.reauthenticating = false;
    session.server = null;
    const reauthMs = session.listener.reauthMs;
    session.expiresAtMs = reauthMs > 0 ? Date.now() + reauthMs : null;
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.challenge, sessionLifetimeMs: BigInt(reauthMs) };
  } catch (err) {
    if (err instanceof CloseConnection) throw err;
    const message = authenticationFailureMessage(err, session);
    // the broker log names the mechanism and the client, never the credentials
    // the broker's own reason (never a credential) helps the operator; the client hears only `message`
    const reason = err instanceof SaslAuthenticationError && !err.toClient ? `; ${err.message}` : '';
    services.log(`[SocketServer listenerType=BROKER, nodeId=${services.config.brokerId}] Failed authentication with /${session.clientAddress} (${message}${reason})`);
    session.server = null;
    session.closeAfterResponse = `failed authentication (${session.mechanism ?? 'SASL'})`;
    return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
  }
}

/** A bare token after SaslHandshake v0: answered with a bare token; a failure closes the connection. */
export function rawSaslToken(frame: Buffer, session: ConnectionSession, services: BrokerServices): DispatchResult {
  const result = authenticateStep(frame, session, services);
  if (result.errorCode !== ErrorCode.NONE) throw new CloseConnection(result.errorMessage ?? 'SASL authentication failed');
  if (session.authenticated) session.rawTokens = false;
  const size = Buffer.alloc(4);
  size.writeInt32BE(result.authBytes.length, 0);
  return [size, result.authBytes];
}
