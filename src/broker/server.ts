/**
 * The TCP front of one broker: accepts connections on each listener, decodes
 * request headers, routes each request to its API handler and encodes the
 * response frame. Handlers never see sockets; connections never see domain code.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ByteReader } from '../protocol/primitives.js';
import { decodeRequest, encodeResponse } from '../protocol/codec.js';
import { readRequestHeader, encodeResponseFrame } from '../protocol/frame.js';
import { apiName } from '../protocol/generated/api-keys.js';
import { ErrorCode } from '../protocol/errors.js';
import { Connection, CloseConnection, type DispatchResult } from './connection.js';
import { NO_RESPONSE, type ApiHandler, type RequestContext } from './handler.js';
import type { BrokerServices } from './services/index.js';
import type { Endpoint } from './config.js';
import { apiErrorOf } from './api-error.js';
import { errorResponseFor } from './error-response.js';
import type { BrokerConfig } from './config.js';
import { ConnectionSession, listenerSecurity, type ListenerSecurity } from './security/session.js';
import { sslPrincipal, preAuthenticationGate, rawSaslToken } from './security/connection-gate.js';
import { authorizedHandle } from './security/api-authorization.js';

const API_VERSIONS_KEY = 18;
const PRODUCE_KEY = 0;

export interface AdvertisedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** ApiVersions ranges come from the handlers themselves (never a hand-kept table). */
export function advertisedApis(handlers: Iterable<ApiHandler>): AdvertisedApi[] {
  return [...handlers]
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

export class BrokerServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private readonly handlers = new Map<number, ApiHandler>();
  private services: BrokerServices | null = null;
  /** connections accepted while the broker is still loading wait for this */
  private readonly ready: Promise<BrokerServices>;

  constructor(handlers: Iterable<ApiHandler>, services: BrokerServices | Promise<BrokerServices>) {
    for (const h of handlers) this.handlers.set(h.apiKey, h);
    this.ready = Promise.resolve(services).then((s) => (this.services = s));
  }

  /** Binds every listener; resolves with the bound ports (port 0 → an ephemeral one). */
  async listen(listeners: Endpoint[], config: Pick<BrokerConfig, 'raw'> = { raw: {} }): Promise<{ host: string; port: number }[]> {
    const bound: { host: string; port: number }[] = [];
    // every listener's stores, JAAS and rules are checked before anything binds
    const security = listeners.map((endpoint) => listenerSecurity(config, endpoint));
    for (const [i, endpoint] of listeners.entries()) {
      const listener = security[i]!;
      const server = listener.tls ? this.tlsServer(listener) : net.createServer((socket) => this.accept(socket, listener));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const host = endpoint.host === '' ? undefined : endpoint.host;
        server.listen({ port: endpoint.port, host }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : endpoint.port;
      bound.push({ host: endpoint.host, port });
    }
    return bound;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    await Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }

  /** An SSL / SASL_SSL listener: connections are accepted once their TLS handshake is done. */
  private tlsServer(listener: ListenerSecurity): tls.Server {
    const server = tls.createServer(listener.tls!.options, (socket) => this.accept(socket, listener));
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
      socket.destroy();
      // a port probe that connected and left without a ClientHello is no failed handshake
      if (err.code === 'ECONNRESET') return;
      // as Kafka logs it: the handshake failed (a plaintext client, an untrusted or expired certificate, ...)
      const peer = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
      this.services?.log(`[SocketServer listenerType=BROKER, nodeId=${this.services.config.brokerId}] Failed authentication with /${peer} (SSL handshake failed: ${err.message})`);
    });
    return server;
  }

  private accept(socket: net.Socket, listener: ListenerSecurity): void {
    if (!this.services) {
      socket.pause();
      void this.ready.then(() => {
        this.accept(socket, listener);
        socket.resume();
      });
      return;
    }
    const services = this.services;
    const session = new ConnectionSession(listener, (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, ''));
    if (socket instanceof tls.TLSSocket) {
      const refused = sslPrincipal(socket, session);
      if (refused) {
        services.log(`Failed authentication with /${session.clientAddress} (${refused})`);
        socket.destroy();
        return;
      }
    }
    const connection = new Connection(socket, {
      id: this.nextConnectionId++,
      maxRequestBytes: services.config.socketRequestMaxBytes,
      log: services.log,
      dispatch: (frame, conn) => this.dispatch(frame, conn, services),
      session,
    });
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  }

  private dispatch(frame: Buffer, connection: Connection, services: BrokerServices): Promise<DispatchResult> | DispatchResult {
    const session = connection.session;
    // SaslHandshake v0: the frames after it are bare SASL tokens, not requests
    if (session.rawTokens) return rawSaslToken(frame, session, services);
    const header = readRequestHeader(frame);
    const { apiKey, apiVersion, correlationId } = header;
    // before SASL authentication only ApiVersions, SaslHandshake and SaslAuthenticate pass
    preAuthenticationGate(apiKey, session);
    const handler = this.handlers.get(apiKey);
    if (!handler) {
      throw new CloseConnection(`unsupported API key ${apiKey} (${apiName(apiKey)})`);
    }
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS_KEY) {
        // ApiVersions at an unknown version: answer in v0 layout with UNSUPPORTED_VERSION
        // and our ranges, so the client retries lower (VERSIONS.md rule 3).
        const body = encodeResponse(API_VERSIONS_KEY, 0, {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          apiKeys: advertisedApis(this.handlers.values()),
        });
        return encodeResponseFrame(API_VERSIONS_KEY, 0, correlationId, body);
      }
      throw new CloseConnection(
        `unsupported version ${apiVersion} of ${apiName(apiKey)} (serving ${handler.minVersion}-${handler.maxVersion})`,
      );
    }
    let request: unknown;
    try {
      request = decodeRequest(apiKey, apiVersion, new ByteReader(frame, header.bodyOffset));
    } catch (err) {
      // As Kafka's SocketServer: a request that does not parse closes this connection only.
      throw new CloseConnection(
        `cannot parse ${apiName(apiKey)} v${apiVersion} request (correlation id ${correlationId}): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const ctx: RequestContext = {
      apiKey,
      apiVersion,
      correlationId,
      clientId: header.clientId,
      clientHost: '/' + connection.remoteHost.replace(/^::ffff:/, ''),
      connectionId: connection.id,
      session,
    };
    const finish = (response: unknown): DispatchResult => {
      if (response === NO_RESPONSE) return null;
      const body = encodeResponse(apiKey, apiVersion, response);
      return encodeResponseFrame(apiKey, apiVersion, correlationId, body);
    };
    // A handler that throws (or answers something that does not encode) is a broker bug:
    // logged with its stack, answered as Kafka's KafkaApis.handleError does.
    const failed = (err: unknown): DispatchResult => {
      if (err instanceof CloseConnection) throw err;
      const what = `${apiName(apiKey)} v${apiVersion} request (correlation id ${correlationId}) from ${connection.describe()}`;
      const error = apiErrorOf(err, services.log, what);
      // Produce with acks=0 is never answered, failed or not
      if (apiKey === PRODUCE_KEY && (request as { acks?: unknown }).acks === 0) return null;
      const body = errorResponseFor(apiKey, apiVersion, request, error);
      if (body === null) throw new CloseConnection(`no error response for the failed ${apiName(apiKey)} request`);
      return encodeResponseFrame(apiKey, apiVersion, correlationId, body);
    };
    try {
      // the authorizer's checks, per API (security/api-authorization.ts); without an authorizer the handler alone
      const result = authorizedHandle(handler, request, ctx, services);
      if (result instanceof Promise) return result.then(finish).catch(failed);
      return finish(result);
    } catch (err) {
      return failed(err);
    }
  }
}
