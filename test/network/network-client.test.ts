/**
 * NetworkClient: the bootstrap list, one connection per endpoint, version-picking
 * sends, and reconnect backoff with reconnect.backoff.ms / reconnect.backoff.max.ms
 * semantics. Waits are recorded through an injected sleep and clock, never timed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BootstrapError, ExponentialBackoff, NetworkClient, NetworkError, type NetworkClientOptions } from '../../src/network/index.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import type { MetadataResponse } from '../../src/protocol/generated/types.js';
import { closedPort, FakeBroker } from './fake-broker.js';

const fakes: FakeBroker[] = [];
const clients: NetworkClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const fake of fakes.splice(0)) await fake.close();
});

async function startFake(...args: Parameters<typeof FakeBroker.start>): Promise<FakeBroker> {
  const fake = await FakeBroker.start(...args);
  fakes.push(fake);
  return fake;
}

/** A client whose backoff waits are recorded (and skipped), on a clock the test moves. */
function recordingClient(options: Partial<NetworkClientOptions> = {}): { client: NetworkClient; waits: number[]; clock: { now: number } } {
  const waits: number[] = [];
  const clock = { now: 1_000_000 };
  const client = new NetworkClient({
    clientId: 'network-test',
    random: () => 0.5, // jitter factor exactly 1
    now: () => clock.now,
    sleep: async (ms) => { waits.push(ms); },
    ...options,
  });
  clients.push(client);
  return { client, waits, clock };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);
}

describe('ExponentialBackoff', () => {
  it('doubles from reconnect.backoff.ms up to reconnect.backoff.max.ms', () => {
    const backoff = new ExponentialBackoff(50, 1000, () => 0.5);
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => backoff.backoffMs(n))).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('spreads each wait by ±20% and never past the maximum', () => {
    expect(new ExponentialBackoff(100, 10_000, () => 0).backoffMs(1)).toBe(160);
    expect(new ExponentialBackoff(100, 10_000, () => 0.999999).backoffMs(1)).toBe(239);
    expect(new ExponentialBackoff(100, 1000, () => 0.999999).backoffMs(10)).toBe(1000);
  });

  it('a maximum at or below the initial wait means a constant wait', () => {
    expect([0, 3, 9].map((n) => new ExponentialBackoff(500, 100, () => 0.9).backoffMs(n))).toEqual([100, 100, 100]);
    expect([0, 3].map((n) => new ExponentialBackoff(200, 200, () => 0).backoffMs(n))).toEqual([200, 200]);
  });
});

describe('bootstrap list', () => {
  it('connects to the first endpoint that answers, passing over the ones that refuse', async () => {
    const dead = await closedPort();
    const fake = await startFake();
    const { client } = recordingClient({ bootstrap: [{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: fake.port }] });
    const connection = await client.bootstrapConnection();
    expect(connection.endpoint.port).toBe(fake.port);
    // reused while it stays open
    expect(await client.bootstrapConnection()).toBe(connection);
    expect(fake.connections).toBe(1);
  });

  it('fails with one NetworkError per endpoint, in list order, when none answers', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const { client } = recordingClient({ bootstrap: [{ host: '127.0.0.1', port: a }, { host: 'no-such-host.invalid', port: b }] });
    const err = await rejection(client.bootstrapConnection());
    expect(err).toBeInstanceOf(BootstrapError);
    const failures = (err as BootstrapError).failures;
    expect(failures.map((f) => [f.kind, f.host, f.port])).toEqual([['connection-refused', '127.0.0.1', a], ['unknown-host', 'no-such-host.invalid', b]]);
  });
});

describe('connections by endpoint', () => {
  it('opens one connection per endpoint, shared by concurrent callers and by the bootstrap entry naming it', async () => {
    const fake = await startFake();
    const { client } = recordingClient({ bootstrap: [{ host: '127.0.0.1', port: fake.port }] });
    const [a, b] = await Promise.all([
      client.connection({ host: '127.0.0.1', port: fake.port, nodeId: 0 }),
      client.connection({ host: '127.0.0.1', port: fake.port, nodeId: 0 }),
    ]);
    expect(a).toBe(b);
    expect(await client.bootstrapConnection()).toBe(a);
    expect(fake.connections).toBe(1);
  });

  it('send() picks the highest version both sides speak within the caller\'s range and builds the body for it', async () => {
    const fake = await startFake({
      versions: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 }, { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 9 }],
      handler(request) {
        if (request.apiKey !== ApiKey.Metadata) return false;
        request.reply({ throttleTimeMs: 0, brokers: [{ nodeId: 7, host: 'h', port: 1, rack: null }], clusterId: 'c', controllerId: 7, topics: [], clusterAuthorizedOperations: -2147483648 });
        return true;
      },
    });
    const { client } = recordingClient();
    const built: number[] = [];
    const { version, response } = await client.send<MetadataResponse>({ host: '127.0.0.1', port: fake.port }, ApiKey.Metadata, (v: number) => {
      built.push(v);
      return { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
    }, { minVersion: 1, maxVersion: 12 });
    expect(version).toBe(9);
    expect(built).toEqual([9]);
    expect(fake.requestsOf(ApiKey.Metadata)[0].apiVersion).toBe(9);
    expect(response.brokers[0].nodeId).toBe(7);
  });

  it('after close() no connection is made', async () => {
    const fake = await startFake();
    const { client } = recordingClient();
    client.close();
    expect(await rejection(client.connection({ host: '127.0.0.1', port: fake.port }))).toMatchObject({ kind: 'closed' });
    expect(fake.connections).toBe(0);
  });
});

describe('reconnect backoff', () => {
  it('waits reconnect.backoff.ms · 2^failures (capped) before each new attempt at a failing endpoint, and not at all the first time', async () => {
    const port = await closedPort();
    const { client, waits } = recordingClient({ reconnectBackoffMs: 50, reconnectBackoffMaxMs: 300 });
    const endpoint = { host: '127.0.0.1', port };
    for (let i = 0; i < 5; i++) {
      expect(await rejection(client.connection(endpoint))).toBeInstanceOf(NetworkError);
    }
    expect(waits).toEqual([50, 100, 200, 300]);
    expect(client.reconnectDelayMs(endpoint)).toBe(300);
  });

  it('an endpoint whose wait has passed on the clock is tried at once; other endpoints are not held back', async () => {
    const port = await closedPort();
    const fake = await startFake();
    const { client, waits, clock } = recordingClient({ reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000 });
    await rejection(client.connection({ host: '127.0.0.1', port }));
    await client.connection({ host: '127.0.0.1', port: fake.port });
    expect(waits).toEqual([]);
    clock.now += 60;
    await rejection(client.connection({ host: '127.0.0.1', port }));
    expect(waits).toEqual([]);
    expect(client.reconnectDelayMs({ host: '127.0.0.1', port })).toBe(100);
  });

  it('a completed handshake resets the backoff; losing that connection waits reconnect.backoff.ms before reconnecting', async () => {
    let accept = false;
    const fake = await startFake({ onConnection: () => accept });
    const { client, waits } = recordingClient({ reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000 });
    const endpoint = { host: '127.0.0.1', port: fake.port };
    // the peer hangs up during the handshake, twice
    expect(await rejection(client.connection(endpoint))).toMatchObject({ kind: 'disconnected', phase: 'connect' });
    expect(await rejection(client.connection(endpoint))).toMatchObject({ kind: 'disconnected', phase: 'connect' });
    accept = true;
    const first = await client.connection(endpoint);
    expect(waits).toEqual([50, 100]);
    expect(client.reconnectDelayMs(endpoint)).toBe(0);

    // the broker drops the established connection: the next one waits the initial backoff and is a new connection
    const lost = new Promise<NetworkError>((resolve) => first.onClose(resolve));
    for (const socket of fake.sockets) socket.destroy();
    expect((await lost).kind).toBe('disconnected');
    const second = await client.connection(endpoint);
    expect(second).not.toBe(first);
    expect(waits).toEqual([50, 100, 50]);
    expect(fake.connections).toBe(4);
  });
});
