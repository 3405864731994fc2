/**
 * Typed failures of the outbound Kafka client. They carry the endpoint and a
 * machine-readable `kind`; the words a person reads are chosen by the caller
 * (the CLI maps them to its one-line messages, a follower fetcher to a log line).
 */
import { errorName } from '../protocol/errors.js';
import type { VersionRange } from './versions.js';

/**
 * - `connection-refused`, `unknown-host`, `host-unreachable`: the TCP connect failed that way
 * - `timeout`: the connect (socket.connection.setup.timeout.ms) or a request (request.timeout.ms) took too long
 * - `disconnected`: the connection closed or failed with requests in flight
 * - `protocol`: the peer sent bytes that are not a valid answer (bad frame size, unknown correlation id, undecodable body)
 * - `socket`: any other socket error (its errno code is kept in `code`)
 * - `closed`: the connection was closed by this side before the request was answered
 */
export type NetworkErrorKind =
  | 'connection-refused'
  | 'unknown-host'
  | 'host-unreachable'
  | 'timeout'
  | 'disconnected'
  | 'protocol'
  | 'socket'
  | 'closed'
  | 'unsupported-version'
  | 'api-versions';

/** Where the failure happened: while setting the connection up, or on an established one. */
export type NetworkPhase = 'connect' | 'request';

export interface NetworkErrorOptions {
  kind: NetworkErrorKind;
  host: string;
  port: number;
  phase: NetworkPhase;
  /** the node id when the caller named a node (bootstrap endpoints have none) */
  nodeId?: number;
  /** the socket's errno code (ECONNREFUSED, ETIMEDOUT, …) when there was one */
  code?: string;
  cause?: Error;
}

/** Formats an endpoint as Kafka does, bracketing IPv6 literals: `[::1]:9092`. */
export function formatEndpoint(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export class NetworkError extends Error {
  readonly kind: NetworkErrorKind;
  readonly host: string;
  readonly port: number;
  readonly phase: NetworkPhase;
  readonly nodeId: number | undefined;
  readonly code: string | undefined;
  override readonly cause: Error | undefined;

  constructor(message: string, options: NetworkErrorOptions) {
    super(message);
    this.name = 'NetworkError';
    this.kind = options.kind;
    this.host = options.host;
    this.port = options.port;
    this.phase = options.phase;
    this.nodeId = options.nodeId;
    this.code = options.code;
    this.cause = options.cause;
  }

  /** `host:port`, IPv6 bracketed. */
  get endpoint(): string {
    return formatEndpoint(this.host, this.port);
  }
}

/** No version of `apiKey` is spoken by both sides within the range the caller asked for. */
export class UnsupportedVersionError extends NetworkError {
  constructor(
    readonly apiKey: number,
    readonly apiName: string,
    /** the lowest version the caller can use (0 when any will do) */
    readonly floor: number,
    /** what the broker advertised for the key; undefined when it does not serve it */
    readonly brokerRange: VersionRange | undefined,
    host: string,
    port: number,
    nodeId?: number,
  ) {
    super(
      `${formatEndpoint(host, port)} and this client share no version of ${apiName}` +
        (floor > 0 ? ` at or above ${floor}` : '') +
        (brokerRange ? ` (broker: ${brokerRange.minVersion} to ${brokerRange.maxVersion})` : ' (the broker does not serve it)'),
      { kind: 'unsupported-version', host, port, phase: 'request', nodeId },
    );
    this.name = 'UnsupportedVersionError';
  }
}

/** The broker answered the connection's ApiVersions handshake with an error code. */
export class ApiVersionsError extends NetworkError {
  constructor(readonly errorCode: number, host: string, port: number, nodeId?: number) {
    super(`ApiVersions to ${formatEndpoint(host, port)} failed: ${errorName(errorCode)}`, {
      kind: 'api-versions', host, port, phase: 'connect', nodeId,
    });
    this.name = 'ApiVersionsError';
  }
}

/** Every bootstrap endpoint failed; `failures` holds one error per endpoint, in list order. */
export class BootstrapError extends Error {
  constructor(readonly failures: readonly NetworkError[]) {
    super(`no bootstrap broker could be reached: ${failures.map((f) => `${f.endpoint} (${f.message})`).join(', ') || 'the list is empty'}`);
    this.name = 'BootstrapError';
  }
}

/** The kind a socket errno code stands for. */
export function kindOfSocketCode(code: string | undefined): NetworkErrorKind {
  switch (code) {
    case 'ECONNREFUSED': return 'connection-refused';
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_NONAME': case 'EAI_FAIL': return 'unknown-host';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'host-unreachable';
    case 'ETIMEDOUT': return 'timeout';
    case 'ECONNRESET': case 'EPIPE': case 'ECONNABORTED': return 'disconnected';
    default: return 'socket';
  }
}
