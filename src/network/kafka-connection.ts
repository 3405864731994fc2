/**
 * One outbound TCP connection to one Kafka broker: size-prefixed frames and
 * request/response headers through src/protocol, pipelined requests matched to
 * their responses by correlation id, a per-request timeout (request.timeout.ms),
 * and an ApiVersions handshake on connect that fixes, per API, the highest
 * version both sides speak.
 *
 * As Kafka's NetworkClient, a request that times out takes its connection down
 * with it (the answers behind it can no longer be trusted to arrive), failing
 * every other request in flight as `disconnected`.
 */
import net from 'node:net';
import tls from 'node:tls';
import { decodeResponse, encodeRequest } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/errors.js';
import { encodeRequestFrame, readResponseHeader } from '../protocol/frame.js';
import { ApiKey, apiName } from '../protocol/generated/api-keys.js';
import type { ApiVersionsResponse } from '../protocol/generated/types.js';
import { ByteReader } from '../protocol/primitives.js';
import { ApiVersionsError, formatEndpoint, kindOfSocketCode, NetworkError, UnsupportedVersionError, type NetworkErrorKind } from './errors.js';
import { clientVersionRange, highestCommonVersion, type VersionRange } from './versions.js';
import { saslClient, SaslClientError, type SaslCredentials } from './sasl-client.js';

/** Where a broker listens; `nodeId` when the caller knows which broker it is. */
export interface Endpoint {
  host: string;
  port: number;
  nodeId?: number;
}

export interface KafkaConnectionOptions {
  /** the client.id sent in every request header */
  clientId: string | null;
  /** socket.connection.setup.timeout.ms: how long the TCP connect may take */
  connectTimeoutMs?: number;
  /** request.timeout.ms: how long any one request (the handshake included) may wait for its answer */
  requestTimeoutMs?: number;
  /** a response frame larger than this is a protocol error (guards against a bogus size prefix) */
  maxResponseBytes?: number;
  /** ApiVersions v3+ client software fields (KIP-511); Kafka's broker checks them against [a-zA-Z0-9.-] */
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
  /** SSL / SASL_SSL: TLS options (ca, cert, key, pfx, servername, checkServerIdentity, ...) */
  tls?: tls.ConnectionOptions;
  /** SASL_PLAINTEXT / SASL_SSL: who to authenticate as, after the ApiVersions handshake */
  sasl?: SaslCredentials;
}

/** The broker refused the SASL credentials (SASL_AUTHENTICATION_FAILED, an unsupported mechanism, ...). */
export class SaslAuthenticationError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
    this.name = 'SaslAuthenticationError';
  }
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
const DEFAULT_SOFTWARE_NAME = 'kafka-ts-toolkit';
const DEFAULT_SOFTWARE_VERSION = 'unknown';

/** How a response frame is turned into the caller's value. */
type ResponseDecoder = (frame: Buffer) => unknown;

interface InFlight {
  correlationId: number;
  apiKey: number;
  apiVersion: number;
  decode: ResponseDecoder;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
}

export interface RequestOptions {
  /** overrides the connection's request.timeout.ms for this request; 0 = wait as long as the connection lives */
  timeoutMs?: number;
}

export class KafkaConnection {
  private readonly inFlight = new Map<number, InFlight>();
  private nextCorrelationId = 0;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** size of the frame being received, prefix included, once its 4 size bytes are in */
  private expectedBytes: number | undefined;
  private failure: NetworkError | undefined;
  private socketError: NodeJS.ErrnoException | undefined;
  private readonly closeListeners: Array<(reason: NetworkError) => void> = [];
  private readonly versions = new Map<number, VersionRange>();
  private handshakeVersion = -1;
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes: number;

  private constructor(
    private readonly socket: net.Socket,
    readonly endpoint: Endpoint,
    private readonly options: KafkaConnectionOptions,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => { this.socketError ??= err; });
    // an error between 'connect' and this constructor was parked by openSocket
    socket.off('error', parkEarlyError);
    this.socketError = earlyErrors.get(socket);
    socket.on('close', () => {
      const partial = this.expectedBytes !== undefined
        ? ` in the middle of a response (${this.bufferedBytes - 4} of its ${this.expectedBytes - 4} bytes received)`
        : this.bufferedBytes > 0 ? ' in the middle of a response size prefix' : '';
      const err = this.socketError;
      this.fail(this.error('disconnected',
        err ? `connection to ${this.address} failed: ${err.message}` : `connection to ${this.address} closed by the broker${partial}`,
        err));
    });
    if (socket.destroyed) this.fail(this.error('disconnected', `connection to ${this.address} closed as it opened`, this.socketError));
  }

  /**
   * Opens a TCP connection to `endpoint` and performs the ApiVersions handshake.
   * Rejects with a NetworkError (phase `connect`) or an ApiVersionsError.
   */
  static async connect(endpoint: Endpoint, options: KafkaConnectionOptions): Promise<KafkaConnection> {
    const socket = await openSocket(endpoint, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, options.tls);
    const connection = new KafkaConnection(socket, endpoint, options);
    try {
      await connection.handshake();
      if (options.sasl) await connection.authenticate(options.sasl);
    } catch (err) {
      connection.close();
      throw err instanceof NetworkError ? connection.asConnectPhase(err) : err;
    }
    return connection;
  }

  /** `host:port`, IPv6 bracketed. */
  get address(): string {
    return formatEndpoint(this.endpoint.host, this.endpoint.port);
  }

  /** The broker's ApiVersions ranges, by API key. */
  get brokerVersions(): ReadonlyMap<number, VersionRange> {
    return this.versions;
  }

  /** The ApiVersions version the handshake settled on. */
  get apiVersionsVersion(): number {
    return this.handshakeVersion;
  }

  /** Requests sent and not yet answered. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Whether the connection is gone (closed by either side, or failed). */
  get isClosed(): boolean {
    return this.failure !== undefined;
  }

  /** Called once when the connection goes away, with the reason. */
  onClose(listener: (reason: NetworkError) => void): void {
    if (this.failure) listener(this.failure);
    else this.closeListeners.push(listener);
  }

  /**
   * The highest version of `apiKey` that this client's codec and the broker both
   * speak, within [floor, ceiling]. Throws UnsupportedVersionError when there is none.
   */
  usableVersion(apiKey: number, floor = 0, ceiling = 0x7fff): number {
    const broker = this.versions.get(apiKey);
    const version = highestCommonVersion(clientVersionRange(apiKey), broker, floor, ceiling);
    if (version === undefined) {
      throw new UnsupportedVersionError(apiKey, apiName(apiKey), floor, broker, this.endpoint.host, this.endpoint.port, this.endpoint.nodeId);
    }
    return version;
  }

  /** Sends one request at `apiVersion` and resolves with its decoded response. */
  request<T>(apiKey: number, apiVersion: number, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.send(apiKey, apiVersion, body, (frame) => {
      const header = readResponseHeader(frame, apiKey, apiVersion);
      return decodeResponse<T>(apiKey, apiVersion, new ByteReader(frame, header.bodyOffset));
    }, options) as Promise<T>;
  }

  /**
   * Sends a request the broker does not answer (Produce with acks=0). Resolves once
   * the bytes are handed to the socket.
   */
  sendWithoutResponse(apiKey: number, apiVersion: number, body: unknown): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.allocateCorrelationId();
    let frame: Buffer[];
    try {
      frame = encodeRequestFrame(apiKey, apiVersion, correlationId, this.options.clientId, encodeRequest(apiKey, apiVersion, body));
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.socket.write(Buffer.concat(frame), (err) => (err ? reject(this.failure ?? this.error('disconnected', err.message, err)) : resolve()));
    });
  }

  /** Closes the connection; requests still in flight fail with kind `closed`. */
  close(): void {
    this.fail(this.error('closed', `connection to ${this.address} was closed by the client`));
  }

  // ---------------------------------------------------------------------------

  private async handshake(): Promise<void> {
    const ours = clientVersionRange(ApiKey.ApiVersions) ?? { minVersion: 0, maxVersion: 0 };
    let version = ours.maxVersion;
    for (;;) {
      const sent = version;
      const response = await this.send(ApiKey.ApiVersions, sent, this.apiVersionsBody(sent), (frame) => decodeApiVersions(frame, sent), {}) as ApiVersionsResponse;
      const brokerRange = response.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
      // KIP-511: a broker that does not know our ApiVersions version answers v0 with
      // UNSUPPORTED_VERSION and its own range; retry once at the highest common version.
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION && brokerRange && version > 0) {
        const retry = highestCommonVersion(ours, brokerRange);
        if (retry !== undefined && retry < version) {
          version = retry;
          continue;
        }
      }
      if (response.errorCode !== ErrorCode.NONE) {
        throw new ApiVersionsError(response.errorCode, this.endpoint.host, this.endpoint.port, this.endpoint.nodeId);
      }
      for (const range of response.apiKeys) this.versions.set(range.apiKey, { minVersion: range.minVersion, maxVersion: range.maxVersion });
      this.handshakeVersion = version;
      return;
    }
  }

  /** SaslHandshake v1, then SaslAuthenticate tokens until the mechanism is done (KIP-152). */
  private async authenticate(credentials: SaslCredentials): Promise<void> {
    const handshake = await this.request<{ errorCode: number; mechanisms: string[] }>(ApiKey.SaslHandshake, this.usableVersion(ApiKey.SaslHandshake, 1, 1), { mechanism: credentials.mechanism });
    if (handshake.errorCode !== ErrorCode.NONE) {
      throw new SaslAuthenticationError(handshake.errorCode, handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM
        ? `the broker at ${this.address} does not enable SASL mechanism ${credentials.mechanism} (it enables ${handshake.mechanisms.join(', ') || 'none'})`
        : `SASL handshake with ${this.address} failed (${handshake.errorCode === ErrorCode.ILLEGAL_SASL_STATE ? 'the listener does not use SASL' : `error ${handshake.errorCode}`})`);
    }
    const version = this.usableVersion(ApiKey.SaslAuthenticate, 0, 2);
    const client = saslClient(credentials);
    let token: Buffer | null = client.start();
    while (token !== null) {
      const answer: { errorCode: number; errorMessage: string | null; authBytes: Buffer } = await this.request(ApiKey.SaslAuthenticate, version, { authBytes: token });
      if (answer.errorCode !== ErrorCode.NONE) throw new SaslAuthenticationError(answer.errorCode, answer.errorMessage ?? `SASL authentication failed (error ${answer.errorCode})`);
      try {
        token = client.next(answer.authBytes);
      } catch (err) {
        if (err instanceof SaslClientError) throw new SaslAuthenticationError(ErrorCode.SASL_AUTHENTICATION_FAILED, err.message);
        throw err;
      }
    }
  }

  private apiVersionsBody(version: number): object {
    return version >= 3
      ? { clientSoftwareName: this.options.clientSoftwareName ?? DEFAULT_SOFTWARE_NAME, clientSoftwareVersion: this.options.clientSoftwareVersion ?? DEFAULT_SOFTWARE_VERSION }
      : {};
  }

  private allocateCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    return id;
  }

  private send(apiKey: number, apiVersion: number, body: unknown, decode: ResponseDecoder, options: RequestOptions): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.allocateCorrelationId();
    let frame: Buffer[];
    try {
      frame = encodeRequestFrame(apiKey, apiVersion, correlationId, this.options.clientId, encodeRequest(apiKey, apiVersion, body));
    } catch (err) {
      // a body that does not fit the version is the caller's mistake; the connection stays usable
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const entry: InFlight = { correlationId, apiKey, apiVersion, decode, resolve, reject, timer: undefined };
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => this.timedOut(entry, timeoutMs), timeoutMs);
      }
      this.inFlight.set(correlationId, entry);
      for (const chunk of frame) this.socket.write(chunk);
    });
  }

  private timedOut(entry: InFlight, timeoutMs: number): void {
    if (!this.inFlight.delete(entry.correlationId)) return;
    entry.reject(this.error('timeout', `${apiName(entry.apiKey)} request to ${this.address} timed out after ${timeoutMs} ms`, undefined, 'ETIMEDOUT'));
    this.fail(this.error('disconnected', `connection to ${this.address} closed after a request timed out`));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    while (!this.failure) {
      if (this.expectedBytes === undefined) {
        if (this.bufferedBytes < 4) return;
        if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
        const size = this.chunks[0].readInt32BE(0);
        if (size < 4 || size > this.maxResponseBytes) {
          this.fail(this.error('protocol', `${this.address} sent a response frame of invalid size ${size}`));
          return;
        }
        this.expectedBytes = 4 + size;
      }
      if (this.bufferedBytes < this.expectedBytes) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bufferedBytes);
      const frame = all.subarray(4, this.expectedBytes);
      const rest = all.subarray(this.expectedBytes);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.expectedBytes = undefined;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    // every response header starts with the correlation id, whatever its version
    const correlationId = frame.readInt32BE(0);
    const entry = this.inFlight.get(correlationId);
    if (!entry) {
      this.fail(this.error('protocol', `${this.address} answered correlation id ${correlationId}, which no request in flight carries`));
      return;
    }
    this.inFlight.delete(correlationId);
    if (entry.timer) clearTimeout(entry.timer);
    let value: unknown;
    try {
      value = entry.decode(frame);
    } catch (err) {
      entry.reject(this.error('protocol', `cannot decode the ${apiName(entry.apiKey)} v${entry.apiVersion} response from ${this.address}: ${(err as Error).message}`, err as Error));
      return;
    }
    entry.resolve(value);
  }

  /** Ends the connection once: every request in flight fails with `reason`, listeners hear it. */
  private fail(reason: NetworkError): void {
    if (this.failure) return;
    this.failure = reason;
    for (const entry of this.inFlight.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(reason);
    }
    this.inFlight.clear();
    this.socket.destroy();
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  private error(kind: NetworkErrorKind, message: string, cause?: Error, code?: string): NetworkError {
    return new NetworkError(message, {
      kind, host: this.endpoint.host, port: this.endpoint.port, nodeId: this.endpoint.nodeId, phase: 'request',
      code: code ?? (cause as NodeJS.ErrnoException | undefined)?.code, cause,
    });
  }

  /** A handshake failure is a failure to connect, for callers deciding how to report it. */
  private asConnectPhase(err: NetworkError): NetworkError {
    if (err.phase === 'connect') return err;
    return new NetworkError(err.message, {
      kind: err.kind, host: err.host, port: err.port, nodeId: err.nodeId, phase: 'connect', code: err.code, cause: err.cause,
    });
  }
}

/**
 * Decodes an ApiVersions response sent for `version`. A broker that does not know
 * that version answers in the v0 layout with UNSUPPORTED_VERSION (KIP-511), so
 * that error code switches the body to v0, as Kafka's ApiVersionsResponse.parse does.
 */
function decodeApiVersions(frame: Buffer, version: number): ApiVersionsResponse {
  const header = readResponseHeader(frame, ApiKey.ApiVersions, version);
  const reader = new ByteReader(frame, header.bodyOffset);
  const errorCode = frame.length - header.bodyOffset >= 2 ? frame.readInt16BE(header.bodyOffset) : ErrorCode.NONE;
  const bodyVersion = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version;
  return decodeResponse<ApiVersionsResponse>(ApiKey.ApiVersions, bodyVersion, reader);
}

/** Socket errors raised after 'connect' but before a KafkaConnection took the socket over. */
const earlyErrors = new WeakMap<net.Socket, NodeJS.ErrnoException>();

function parkEarlyError(this: net.Socket, err: NodeJS.ErrnoException): void {
  if (!earlyErrors.has(this)) earlyErrors.set(this, err);
}

/** Connects a socket, mapping failures and the setup timeout to NetworkError (phase `connect`). */
function openSocket(endpoint: Endpoint, timeoutMs: number, tlsOptions?: tls.ConnectionOptions): Promise<net.Socket> {
  const host = endpoint.host || 'localhost';
  return new Promise((resolve, reject) => {
    // TLS: SNI only for names (an IP address is not a server name)
    const socket = tlsOptions
      ? tls.connect({ host, port: endpoint.port, ...(net.isIP(host) ? {} : { servername: host }), ...tlsOptions })
      : net.connect({ host, port: endpoint.port });
    const failed = (kind: NetworkErrorKind, message: string, cause?: NodeJS.ErrnoException, code?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new NetworkError(message, {
        kind, host: endpoint.host, port: endpoint.port, nodeId: endpoint.nodeId, phase: 'connect', code: code ?? cause?.code, cause,
      }));
    };
    const timer = setTimeout(() => {
      failed('timeout', `connection to ${formatEndpoint(endpoint.host, endpoint.port)} was not established within ${timeoutMs} ms`, undefined, 'ETIMEDOUT');
    }, timeoutMs);
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.on('error', parkEarlyError);
      socket.setNoDelay(true);
      resolve(socket);
    });
    const onError = (err: NodeJS.ErrnoException): void => {
      failed(kindOfSocketCode(err.code), `cannot connect to ${formatEndpoint(endpoint.host, endpoint.port)}: ${err.message || err.code}`, err);
    };
    socket.once('error', onError);
  });
}
