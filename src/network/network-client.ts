/**
 * Connections from one client to many brokers, without any metadata of its own:
 * the caller names the endpoints (a bootstrap list, or a node's host/port from
 * Metadata, a controller quorum, a partition leader) and the client keeps one
 * negotiated KafkaConnection per endpoint, reconnecting after a failure no sooner
 * than reconnect.backoff.ms · 2^failures (at most reconnect.backoff.max.ms).
 * Requests are not retried here: whether a request may be sent again is the
 * caller's decision (a fetch may, a non-idempotent produce may not).
 */
import { BootstrapError, formatEndpoint, NetworkError } from './errors.js';
import { ExponentialBackoff, ReconnectState } from './backoff.js';
import { KafkaConnection, type Endpoint, type KafkaConnectionOptions, type RequestOptions } from './kafka-connection.js';

export interface NetworkClientOptions extends KafkaConnectionOptions {
  /** bootstrap.servers, tried in order */
  bootstrap?: readonly Endpoint[];
  /** reconnect.backoff.ms (Kafka's default 50) */
  reconnectBackoffMs?: number;
  /** reconnect.backoff.max.ms (Kafka's default 1000) */
  reconnectBackoffMaxMs?: number;
  /** a number in [0, 1) for the backoff jitter; Math.random unless a test pins it */
  random?: () => number;
  /** the clock the backoff is measured on; Date.now unless a test drives it */
  now?: () => number;
  /** how the client waits out a backoff; a timer unless a test records the waits */
  sleep?: (ms: number) => Promise<void>;
}

export interface SendOptions extends RequestOptions {
  /** lowest version the caller can use (e.g. the first with a field it needs) */
  minVersion?: number;
  /** highest version the caller can build a body for */
  maxVersion?: number;
}

export interface SendResult<T> {
  version: number;
  response: T;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function endpointKey(endpoint: Endpoint): string {
  return formatEndpoint(endpoint.host || 'localhost', endpoint.port);
}

export class NetworkClient {
  private readonly live = new Map<string, KafkaConnection>();
  private readonly opening = new Map<string, Promise<KafkaConnection>>();
  private readonly reconnect = new Map<string, ReconnectState>();
  private readonly backoff: ExponentialBackoff;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private bootstrapKey: string | undefined;
  private closed = false;

  constructor(private readonly options: NetworkClientOptions) {
    this.backoff = new ExponentialBackoff(options.reconnectBackoffMs, options.reconnectBackoffMaxMs, options.random);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
  }

  /**
   * A connection to the first bootstrap endpoint that connects and answers
   * ApiVersions, reused while it stays open. Rejects with BootstrapError holding
   * one NetworkError per endpoint when none does.
   */
  async bootstrapConnection(): Promise<KafkaConnection> {
    const current = this.bootstrapKey === undefined ? undefined : this.live.get(this.bootstrapKey);
    if (current) return current;
    const failures: NetworkError[] = [];
    for (const endpoint of this.options.bootstrap ?? []) {
      try {
        const connection = await this.connection(endpoint);
        this.bootstrapKey = endpointKey(endpoint);
        return connection;
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        failures.push(err);
      }
    }
    throw new BootstrapError(failures);
  }

  /**
   * The connection to `endpoint`: the open one, the one being opened, or a new one
   * once the endpoint's reconnect backoff has passed.
   */
  connection(endpoint: Endpoint): Promise<KafkaConnection> {
    const key = endpointKey(endpoint);
    const current = this.live.get(key);
    if (current) return Promise.resolve(current);
    let attempt = this.opening.get(key);
    if (!attempt) {
      attempt = this.open(key, endpoint);
      this.opening.set(key, attempt);
      const settled = (): void => { this.opening.delete(key); };
      attempt.then(settled, settled);
    }
    return attempt;
  }

  /**
   * Sends one request to `endpoint` at the highest version both sides speak within
   * [minVersion, maxVersion]; `body` may depend on that version.
   */
  async send<T>(endpoint: Endpoint, apiKey: number, body: unknown, options: SendOptions = {}): Promise<SendResult<T>> {
    const connection = await this.connection(endpoint);
    const version = connection.usableVersion(apiKey, options.minVersion, options.maxVersion);
    const payload = typeof body === 'function' ? (body as (v: number) => unknown)(version) : body;
    const response = await connection.request<T>(apiKey, version, payload, options);
    return { version, response };
  }

  /** Milliseconds before `endpoint` may be tried again (0 when it may be tried now). */
  reconnectDelayMs(endpoint: Endpoint): number {
    return this.reconnect.get(endpointKey(endpoint))?.waitMs(this.now()) ?? 0;
  }

  /** Closes every connection; later calls fail with kind `closed`. */
  close(): void {
    this.closed = true;
    for (const connection of [...this.live.values()]) connection.close();
    this.live.clear();
  }

  private stateFor(key: string): ReconnectState {
    let state = this.reconnect.get(key);
    if (!state) {
      state = new ReconnectState(this.backoff);
      this.reconnect.set(key, state);
    }
    return state;
  }

  private async open(key: string, endpoint: Endpoint): Promise<KafkaConnection> {
    const state = this.stateFor(key);
    const wait = state.waitMs(this.now());
    if (wait > 0) await this.sleep(wait);
    if (this.closed) throw this.closedError(endpoint);
    let connection: KafkaConnection;
    try {
      connection = await KafkaConnection.connect(endpoint, this.options);
    } catch (err) {
      state.failed(this.now());
      throw err;
    }
    if (this.closed) {
      connection.close();
      throw this.closedError(endpoint);
    }
    state.succeeded();
    this.live.set(key, connection);
    connection.onClose((reason) => {
      if (this.live.get(key) === connection) this.live.delete(key);
      // a lost connection is a failure too: the next connect waits reconnect.backoff.ms first
      if (reason.kind !== 'closed') state.failed(this.now());
    });
    return connection;
  }

  private closedError(endpoint: Endpoint): NetworkError {
    return new NetworkError(`the client was closed before it connected to ${endpointKey(endpoint)}`, {
      kind: 'closed', host: endpoint.host, port: endpoint.port, nodeId: endpoint.nodeId, phase: 'connect',
    });
  }
}
