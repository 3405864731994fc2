/**
 * The tools' admin client for requests kafkajs does not send (IncrementalAlterConfigs,
 * ListOffsets v7+ for max-timestamp, raw ApiVersions ranges, group coordinator
 * calls): a thin adapter over src/network that keeps the CLI's words. Network
 * failures become the lines the tools have always printed (the socket's own
 * message, `timed out`, `connection to <address> closed`, the one-line
 * "Cannot connect" hint naming every bootstrap address); version gaps become
 * CliErrors naming the broker.
 */
import { ApiKey, apiName } from '../protocol/generated/api-keys.js';
import { errorName } from '../protocol/errors.js';
import type { MetadataResponse } from '../protocol/generated/types.js';
import { ZERO_UUID } from '../protocol/primitives.js';
import {
  ApiVersionsError, BootstrapError, KafkaConnection, NetworkClient, NetworkError, SaslAuthenticationError, UnsupportedVersionError,
  type Endpoint, type KafkaConnectionOptions, type VersionRange,
} from '../network/index.js';
import { toolVersion } from './command.js';
import { numberProperty, socketReason, splitHostPort, unreachableMessage } from './connection.js';
import { CliError } from './errors.js';
import { clientSecurity } from './security-config.js';

export { clientApiKeys, clientVersionRange, type VersionRange } from '../network/index.js';

/** A failure a broker answered with an error code: `errorName` plus the broker's message. */
export class BrokerErrorResponse extends Error {
  constructor(readonly errorCode: number, message: string | null | undefined) {
    super(message ? `${message} (${errorName(errorCode)})` : errorName(errorCode));
    this.name = 'BrokerErrorResponse';
  }
}

export interface WireClientOptions {
  clientId: string;
  /** properties from --command-config (client.id, request.timeout.ms, security.protocol) */
  properties?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** A network failure as an Error carrying the tools' wording, with the socket's errno `code` kept for socketReason. */
export interface WireFailure extends Error {
  code?: string;
}

/**
 * The error a tool reports for `err`, raised while talking to the broker at
 * `address` (as the user or Metadata spelled it). Errors that are not network
 * failures pass through unchanged.
 */
export function wireFailure(err: unknown, address: string): Error {
  if (err instanceof ApiVersionsError) return new BrokerErrorResponse(err.errorCode, 'ApiVersions failed');
  if (err instanceof UnsupportedVersionError) {
    return new CliError(`The broker at ${address} does not support ${apiKeyName(err.apiKey)}` +
      (err.floor > 0 ? ` version ${err.floor} or newer` : '') +
      (err.brokerRange ? ` (it supports ${err.brokerRange.minVersion} to ${err.brokerRange.maxVersion})` : ''));
  }
  if (!(err instanceof NetworkError)) return err instanceof Error ? err : new Error(String(err));
  let text: string;
  if (err.cause) text = err.cause.message; // the socket's (or decoder's) own words
  else if (err.kind === 'timeout' || err.code === 'ETIMEDOUT') text = 'timed out';
  else if (err.kind === 'disconnected' || err.kind === 'closed') text = `connection to ${address} closed`;
  else text = err.message;
  const failure: WireFailure = new Error(text);
  if (err.code !== undefined) failure.code = err.code;
  return failure;
}

/** A failed TLS handshake in one line with the setting that fixes it; undefined for other failures. */
export function tlsFailure(err: NetworkError, address: string): string | undefined {
  const code = String(err.code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '');
  const text = err.cause?.message ?? err.message;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(text)) {
    return `TLS handshake with the broker at ${address} failed (${text}): that listener does not speak TLS; use security.protocol=PLAINTEXT or SASL_PLAINTEXT for it, or the broker's SSL listener`;
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO|ERR_TLS_CERT_ALTNAME/i.test(code)) {
    const fix = code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? 'use the host name the certificate names, or set ssl.endpoint.identification.algorithm= (empty) to skip the host name check'
      : "point ssl.truststore.location at the CA certificate that signed the broker's certificate (ssl.truststore.type=PEM)";
    return `TLS handshake with the broker at ${address} failed (${text}): ${fix}`;
  }
  return undefined;
}

function apiKeyName(apiKey: number): string {
  const name = apiName(apiKey);
  return name.startsWith('Unknown(') ? `API key ${apiKey}` : name;
}

let softwareVersion: string | undefined;

function connectionOptions(clientId: string, timeoutMs: number): KafkaConnectionOptions {
  softwareVersion ??= toolVersion();
  return {
    clientId,
    connectTimeoutMs: timeoutMs,
    requestTimeoutMs: timeoutMs,
    maxResponseBytes: MAX_FRAME_BYTES,
    clientSoftwareName: 'kafka-ts-toolkit',
    // KIP-511 allows [a-zA-Z0-9.-] only
    clientSoftwareVersion: softwareVersion.replace(/[^a-zA-Z0-9.-]/g, '-'),
  };
}

/** One negotiated connection to one broker, failing in the tools' words. */
export class BrokerConnection {
  private constructor(private readonly connection: KafkaConnection, readonly address: string) {}

  /**
   * Connects to `address` (`host:port`) and asks ApiVersions (after TLS and SASL when the
   * client `properties` ask for them); rejects in the tools' words.
   */
  static async open(address: string, clientId: string, timeoutMs: number, properties: Record<string, string> = {}): Promise<BrokerConnection> {
    const parsed = splitHostPort(address);
    if (!parsed) throw new CliError(`Invalid broker address ${address}`);
    const security = clientSecurity(properties);
    try {
      return new BrokerConnection(await KafkaConnection.connect({ host: parsed.host || 'localhost', port: parsed.port }, { ...connectionOptions(clientId, timeoutMs), tls: security.tls, sasl: security.sasl }), address);
    } catch (err) {
      throw wireFailure(err, address);
    }
  }

  /** Wraps a connection the network client opened. */
  static over(connection: KafkaConnection, address: string): BrokerConnection {
    return new BrokerConnection(connection, address);
  }

  /** The broker's ApiVersions ranges, by key. */
  get brokerVersions(): ReadonlyMap<number, VersionRange> {
    return this.connection.brokerVersions;
  }

  /** The highest version both sides speak for `apiKey`, within [floor, ceiling]; a CliError when there is none. */
  usableVersion(apiKey: number, floor = 0, ceiling = 0x7fff): number {
    try {
      return this.connection.usableVersion(apiKey, floor, ceiling);
    } catch (err) {
      throw wireFailure(err, this.address);
    }
  }

  /** Sends one request at `apiVersion` and decodes its response. */
  request<T>(apiKey: number, apiVersion: number, body: unknown): Promise<T> {
    return this.connection.request<T>(apiKey, apiVersion, body).catch((err: unknown) => {
      throw wireFailure(err, this.address);
    });
  }

  /** Sends a request the broker does not answer (Produce with acks=0); resolves once written. */
  sendWithoutResponse(apiKey: number, apiVersion: number, body: unknown): Promise<void> {
    return this.connection.sendWithoutResponse(apiKey, apiVersion, body).catch((err: unknown) => {
      throw wireFailure(err, this.address);
    });
  }

  close(): void {
    this.connection.close();
  }
}

/** A broker as Metadata describes it. */
export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/**
 * Connections to a cluster: the first reachable bootstrap broker, then any broker
 * by node id (partition leaders, a broker whose configs are asked for).
 */
export class WireAdmin {
  private readonly client: NetworkClient;
  private readonly endpoints: Endpoint[];
  private readonly wrapped = new WeakMap<KafkaConnection, BrokerConnection>();
  private bootstrapConnection: BrokerConnection | undefined;
  readonly clientId: string;
  readonly timeoutMs: number;

  constructor(readonly bootstrapServers: readonly string[], options: WireClientOptions) {
    const props = options.properties ?? {};
    const security = clientSecurity(props);
    this.clientId = props['client.id'] ?? options.clientId;
    this.timeoutMs = numberProperty(props, 'request.timeout.ms') ?? DEFAULT_TIMEOUT_MS;
    this.endpoints = bootstrapServers.map((address) => {
      const parsed = splitHostPort(address);
      // an unparsable entry is reported when the tool first connects, as before
      return { host: parsed?.host || 'localhost', port: parsed?.port ?? -1 };
    });
    this.client = new NetworkClient({ ...connectionOptions(this.clientId, this.timeoutMs), tls: security.tls, sasl: security.sasl, bootstrap: this.endpoints });
  }

  /** A connection to the first bootstrap broker that answers; one stderr-ready line naming them all when none does. */
  async bootstrap(): Promise<BrokerConnection> {
    if (this.bootstrapConnection) return this.bootstrapConnection;
    const invalid = this.bootstrapServers.find((address) => !splitHostPort(address));
    if (invalid !== undefined) throw new CliError(`Invalid broker address ${invalid}`);
    let connection: KafkaConnection;
    try {
      connection = await this.client.bootstrapConnection();
    } catch (err) {
      if (err instanceof SaslAuthenticationError) {
        throw new CliError(`Authentication with the broker at ${this.bootstrapServers.join(',')} failed: ${err.message}. Check sasl.mechanism and the username and password in sasl.jaas.config.`);
      }
      if (!(err instanceof BootstrapError)) throw err;
      const tlsProblem = err.failures.map((f) => tlsFailure(f, this.bootstrapServers.join(','))).find((line) => line !== undefined);
      if (tlsProblem) throw new CliError(tlsProblem);
      const reasons = new Set(err.failures.map((failure, i) => socketReason(wireFailure(failure, this.bootstrapServers[i]) as NodeJS.ErrnoException)));
      throw new CliError(unreachableMessage(this.bootstrapServers, [...reasons].join(', ')));
    }
    const index = this.endpoints.indexOf(connection.endpoint);
    this.bootstrapConnection = this.wrap(connection, this.bootstrapServers[index] ?? connection.address);
    return this.bootstrapConnection;
  }

  /** Metadata for `topics` (null = every topic), at the highest version both sides speak. */
  async metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    const connection = await this.bootstrap();
    const version = connection.usableVersion(ApiKey.Metadata, 1, 12);
    return connection.request<MetadataResponse>(ApiKey.Metadata, version, {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  }

  /** A connection to broker `node` (the bootstrap connection when it is that broker's address). */
  async connectTo(node: BrokerNode): Promise<BrokerConnection> {
    await this.bootstrap();
    const address = `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`;
    try {
      return this.wrap(await this.client.connection({ host: node.host, port: node.port, nodeId: node.nodeId }), address);
    } catch (err) {
      throw wireFailure(err, address);
    }
  }

  close(): void {
    this.client.close();
  }

  private wrap(connection: KafkaConnection, address: string): BrokerConnection {
    let wrapped = this.wrapped.get(connection);
    if (!wrapped) {
      wrapped = BrokerConnection.over(connection, address);
      this.wrapped.set(connection, wrapped);
    }
    return wrapped;
  }
}
