/**
 * A scripted TCP peer for the network client's tests: it parses request frames
 * with src/protocol and lets each test decide what goes back (a proper response,
 * the wrong correlation id, half a frame, nothing at all, a closed socket).
 * ApiVersions is answered with `versions` unless the test's handler takes it.
 */
import net from 'node:net';
import { decodeRequest, encodeResponse } from '../../src/protocol/codec.js';
import { encodeResponseFrame, readRequestHeader } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ByteReader } from '../../src/protocol/primitives.js';

export interface FakeRequest {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  body: Record<string, unknown>;
  socket: net.Socket;
  /** answers with `body` encoded at the request's version */
  reply(body: unknown, options?: { correlationId?: number; version?: number }): void;
}

export type FakeHandler = (request: FakeRequest) => boolean | void;

export interface FakeBrokerOptions {
  /** ranges answered to ApiVersions (every key at 0..max of the codec by default) */
  versions?: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
  /** called for every request; return true when it answered ApiVersions itself */
  handler?: FakeHandler;
  /** called for every accepted socket before any byte is read; return false to destroy it at once */
  onConnection?: (socket: net.Socket) => boolean | void;
}

export const DEFAULT_VERSIONS = [
  { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 },
  { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 },
  { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 9 },
];

export class FakeBroker {
  readonly requests: FakeRequest[] = [];
  connections = 0;
  readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
    const versions = options.versions ?? DEFAULT_VERSIONS;
    let fake: FakeBroker | undefined;
    const server = net.createServer((socket) => {
      fake!.connections++;
      fake!.sockets.add(socket);
      socket.on('close', () => fake!.sockets.delete(socket));
      socket.on('error', () => undefined);
      if (options.onConnection?.(socket) === false) {
        socket.destroy();
        return;
      }
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
          const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
          buffered = buffered.subarray(4 + frame.length);
          const header = readRequestHeader(frame);
          const request: FakeRequest = {
            apiKey: header.apiKey,
            apiVersion: header.apiVersion,
            correlationId: header.correlationId,
            clientId: header.clientId,
            body: decodeRequest<Record<string, unknown>>(header.apiKey, header.apiVersion, new ByteReader(frame, header.bodyOffset)),
            socket,
            reply(body, replyOptions = {}) {
              const version = replyOptions.version ?? header.apiVersion;
              const frameParts = encodeResponseFrame(header.apiKey, version, replyOptions.correlationId ?? header.correlationId, encodeResponse(header.apiKey, version, body));
              if (!socket.destroyed) socket.write(Buffer.concat(frameParts));
            },
          };
          fake!.requests.push(request);
          const handled = options.handler?.(request) === true;
          if (!handled && request.apiKey === ApiKey.ApiVersions) {
            request.reply({ errorCode: 0, apiKeys: versions, throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false });
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeBroker(server, (server.address() as net.AddressInfo).port);
    return fake;
  }

  /** The requests of one API key, in arrival order. */
  requestsOf(apiKey: number): FakeRequest[] {
    return this.requests.filter((r) => r.apiKey === apiKey);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `predicate` holds, checking on every turn of the event loop. */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
}
