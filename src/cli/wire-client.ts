/**
 * A small admin client over the project's own protocol codec, for the tools that
 * need requests kafkajs does not send (IncrementalAlterConfigs, ListOffsets v7+
 * for max-timestamp, raw ApiVersions ranges): one socket per broker, requests
 * answered in order, versions negotiated from ApiVersions against the codec's IR.
 */
import net from 'node:net';
import { decodeResponse, encodeRequest, messageSpec } from '../protocol/codec.js';
import { errorName } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { ApiVersionsResponse, ApiVersionsResponseApiVersion, MetadataResponse } from '../protocol/generated/types.js';
import { encodeRequestFrame, readResponseHeader, splitFrames } from '../protocol/frame.js';
import { ByteReader, ZERO_UUID } from '../protocol/primitives.js';
import { numberProperty, socketReason, splitHostPort, unreachableMessage } from './connection.js';
import { CliError } from './errors.js';

/** An API version range, as ApiVersions reports it. */
export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

/**
 * The versions this toolkit can speak for `apiKey` (the codec IR's request spec),
 * leaving out a latest version the spec marks unstable, as Java clients do.
 * undefined for keys the IR does not know.
 */
export function clientVersionRange(apiKey: number): VersionRange | undefined {
  const spec = messageSpec('request', apiKey);
  if (!spec?.validVersions) return undefined;
  const [minVersion, latest] = spec.validVersions;
  const maxVersion = spec.latestVersionUnstable ? latest - 1 : latest;
  // an API whose only version is unstable is not offered at all
  return maxVersion >= minVersion ? { minVersion, maxVersion } : undefined;
}

/** Every API key the codec IR knows, ascending. */
export function clientApiKeys(): number[] {
  return (Object.values(ApiKey) as number[]).filter((key) => clientVersionRange(key) !== undefined).sort((a, b) => a - b);
}

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

/** One connection to one broker; requests are answered in the order sent (Kafka's per-connection ordering). */
export class BrokerConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending: Array<{ resolve: (frame: Buffer) => void; reject: (err: Error) => void }> = [];
  private correlationId = 0;
  private failure: Error | undefined;
  /** the broker's ApiVersions ranges, by key (filled by `open`) */
  readonly brokerVersions = new Map<number, VersionRange>();

  private constructor(private readonly socket: net.Socket, readonly address: string, private readonly clientId: string) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      const { frames, consumed } = splitFrames(this.buffered, MAX_FRAME_BYTES);
      this.buffered = this.buffered.subarray(consumed);
      for (const frame of frames) this.pending.shift()?.resolve(frame);
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const waiter of this.pending.splice(0)) waiter.reject(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error(`connection to ${address} closed`)));
  }

  /** Connects and asks ApiVersions; rejects with the socket error or timeout. */
  static async open(address: string, clientId: string, timeoutMs: number): Promise<BrokerConnection> {
    const parsed = splitHostPort(address);
    if (!parsed) throw new CliError(`Invalid broker address ${address}`);
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: parsed.host || 'localhost', port: parsed.port });
      s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const connection = new BrokerConnection(socket, address, clientId);
    try {
      await connection.negotiate();
    } catch (err) {
      connection.close();
      throw err;
    }
    return connection;
  }

  private async negotiate(): Promise<void> {
    // ApiVersions v0 is understood by every broker and needs no client software fields.
    const response = await this.request<ApiVersionsResponse>(ApiKey.ApiVersions, 0, {});
    if (response.errorCode !== 0) throw new BrokerErrorResponse(response.errorCode, 'ApiVersions failed');
    for (const range of response.apiKeys as ApiVersionsResponseApiVersion[]) {
      this.brokerVersions.set(range.apiKey, { minVersion: range.minVersion, maxVersion: range.maxVersion });
    }
  }

  /** The highest version both sides speak for `apiKey`, within [floor, ceiling]; throws when there is none. */
  usableVersion(apiKey: number, floor = 0, ceiling = 0x7fff): number {
    const client = clientVersionRange(apiKey);
    const broker = this.brokerVersions.get(apiKey);
    const low = Math.max(floor, client?.minVersion ?? 0, broker?.minVersion ?? 0);
    const high = Math.min(ceiling, client?.maxVersion ?? -1, broker?.maxVersion ?? -1);
    if (!client || !broker || high < low) {
      throw new CliError(`The broker at ${this.address} does not support ${apiKeyName(apiKey)}` +
        (floor > 0 ? ` version ${floor} or newer` : '') + (broker ? ` (it supports ${broker.minVersion} to ${broker.maxVersion})` : ''));
    }
    return high;
  }

  /** Sends one request at `apiVersion` and decodes its response. */
  request<T>(apiKey: number, apiVersion: number, body: unknown): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = ++this.correlationId;
    const frame = new Promise<Buffer>((resolve, reject) => this.pending.push({ resolve, reject }));
    for (const chunk of encodeRequestFrame(apiKey, apiVersion, correlationId, this.clientId, encodeRequest(apiKey, apiVersion, body))) {
      this.socket.write(chunk);
    }
    return frame.then((bytes) => {
      const header = readResponseHeader(bytes, apiKey, apiVersion);
      if (header.correlationId !== correlationId) {
        throw new Error(`response correlation id ${header.correlationId} does not match request ${correlationId}`);
      }
      return decodeResponse<T>(apiKey, apiVersion, new ByteReader(bytes, header.bodyOffset));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function apiKeyName(apiKey: number): string {
  const entry = Object.entries(ApiKey).find(([, key]) => key === apiKey);
  return entry ? entry[0] : `API key ${apiKey}`;
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
  private bootstrapConnection: BrokerConnection | undefined;
  private readonly byNode = new Map<number, Promise<BrokerConnection>>();
  private readonly others: BrokerConnection[] = [];
  readonly clientId: string;
  readonly timeoutMs: number;

  constructor(readonly bootstrapServers: readonly string[], options: WireClientOptions) {
    const props = options.properties ?? {};
    const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
    if (protocol !== 'PLAINTEXT') {
      throw new CliError(`security.protocol=${protocol} is not supported by this toolkit; only PLAINTEXT listeners can be reached`);
    }
    this.clientId = props['client.id'] ?? options.clientId;
    this.timeoutMs = numberProperty(props, 'request.timeout.ms') ?? DEFAULT_TIMEOUT_MS;
  }

  /** A connection to the first bootstrap broker that answers; one stderr-ready line naming them all when none does. */
  async bootstrap(): Promise<BrokerConnection> {
    if (this.bootstrapConnection) return this.bootstrapConnection;
    const reasons = new Set<string>();
    for (const address of this.bootstrapServers) {
      try {
        this.bootstrapConnection = await BrokerConnection.open(address, this.clientId, this.timeoutMs);
        return this.bootstrapConnection;
      } catch (err) {
        if (err instanceof CliError) throw err;
        reasons.add(socketReason(err as NodeJS.ErrnoException));
      }
    }
    throw new CliError(unreachableMessage(this.bootstrapServers, [...reasons].join(', ')));
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
  connectTo(node: BrokerNode): Promise<BrokerConnection> {
    let connection = this.byNode.get(node.nodeId);
    if (!connection) {
      const address = `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`;
      connection = (async () => {
        const boot = await this.bootstrap();
        if (boot.address === address) return boot;
        const opened = await BrokerConnection.open(address, this.clientId, this.timeoutMs);
        this.others.push(opened);
        return opened;
      })();
      this.byNode.set(node.nodeId, connection);
    }
    return connection;
  }

  close(): void {
    this.bootstrapConnection?.close();
    for (const connection of this.others) connection.close();
  }
}

