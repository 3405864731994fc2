/**
 * KafkaConnection against a scripted TCP peer: the ApiVersions handshake and its
 * KIP-511 fallback, pipelined requests matched by correlation id, per-request
 * timeouts, a peer that refuses, closes mid-response or answers nonsense.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ApiVersionsError, KafkaConnection, NetworkError, UnsupportedVersionError } from '../../src/network/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import type { MetadataResponse } from '../../src/protocol/generated/types.js';
import { closedPort, FakeBroker, until, type FakeBrokerOptions } from './fake-broker.js';

const METADATA_REQUEST = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

function metadataAnswer(clusterId: string): MetadataResponse {
  return { throttleTimeMs: 0, brokers: [], clusterId, controllerId: 0, topics: [], clusterAuthorizedOperations: -2147483648 };
}

let fake: FakeBroker | undefined;
let connection: KafkaConnection | undefined;

afterEach(async () => {
  connection?.close();
  connection = undefined;
  await fake?.close();
  fake = undefined;
});

async function connectTo(options: FakeBrokerOptions = {}, connectOptions: { requestTimeoutMs?: number } = {}): Promise<KafkaConnection> {
  fake = await FakeBroker.start(options);
  connection = await KafkaConnection.connect({ host: '127.0.0.1', port: fake.port }, { clientId: 'network-test', ...connectOptions });
  return connection;
}

/** Rejection of `promise` as a NetworkError (fails the test when it resolves or rejects otherwise). */
async function networkFailure(promise: Promise<unknown>): Promise<NetworkError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(NetworkError);
  return err as NetworkError;
}

describe('ApiVersions handshake', () => {
  it('asks at the codec\'s highest ApiVersions version with client software fields and keeps the broker\'s ranges', async () => {
    const c = await connectTo();
    const [handshake] = fake!.requestsOf(ApiKey.ApiVersions);
    expect(handshake.apiVersion).toBe(4);
    expect(handshake.clientId).toBe('network-test');
    expect(handshake.body).toMatchObject({ clientSoftwareName: 'kafka-ts-toolkit', clientSoftwareVersion: 'unknown' });
    expect(c.apiVersionsVersion).toBe(4);
    expect(c.brokerVersions.get(ApiKey.Produce)).toEqual({ minVersion: 3, maxVersion: 9 });
    expect(c.brokerVersions.has(ApiKey.Fetch)).toBe(false);
  });

  it('picks, per API, the highest version both sides speak, within the caller\'s floor and ceiling', async () => {
    const c = await connectTo({ versions: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 }, { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 7 }, { apiKey: ApiKey.ListOffsets, minVersion: 0, maxVersion: 5 }] });
    expect(c.usableVersion(ApiKey.Metadata)).toBe(7);
    expect(c.usableVersion(ApiKey.Metadata, 1, 5)).toBe(5);
    expect(c.usableVersion(ApiKey.ListOffsets, 1)).toBe(5);

    // ListOffsets v7 (max-timestamp, KIP-734) is above what this broker serves
    const tooNew = (() => { try { c.usableVersion(ApiKey.ListOffsets, 7); } catch (e) { return e; } })();
    expect(tooNew).toBeInstanceOf(UnsupportedVersionError);
    expect(tooNew).toMatchObject({ kind: 'unsupported-version', apiKey: ApiKey.ListOffsets, floor: 7, brokerRange: { minVersion: 0, maxVersion: 5 }, port: fake!.port });
    // an API the broker does not advertise at all
    expect(() => c.usableVersion(ApiKey.Fetch)).toThrow(UnsupportedVersionError);
  });

  it('retries at the broker\'s ApiVersions version when the first is answered UNSUPPORTED_VERSION in the v0 layout (KIP-511)', async () => {
    const c = await connectTo({
      handler(request) {
        if (request.apiKey !== ApiKey.ApiVersions) return false;
        if (request.apiVersion > 2) {
          request.reply({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }] }, { version: 0 });
        } else {
          request.reply({ errorCode: 0, apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }, { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 9 }], throttleTimeMs: 0 });
        }
        return true;
      },
    });
    expect(fake!.requestsOf(ApiKey.ApiVersions).map((r) => r.apiVersion)).toEqual([4, 2]);
    expect(c.apiVersionsVersion).toBe(2);
    expect(c.usableVersion(ApiKey.Metadata)).toBe(9);
  });

  it('fails the connect with ApiVersionsError when the broker answers another error code', async () => {
    fake = await FakeBroker.start({
      handler(request) {
        request.reply({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false });
        return true;
      },
    });
    const err = await networkFailure(KafkaConnection.connect({ host: '127.0.0.1', port: fake.port }, { clientId: 't' }));
    expect(err).toBeInstanceOf(ApiVersionsError);
    expect(err).toMatchObject({ kind: 'api-versions', phase: 'connect', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
  });
});

describe('pipelining', () => {
  it('sends requests without waiting for answers and hands each caller its own response, whatever the order they come back in', async () => {
    const c = await connectTo({ handler: (request) => request.apiKey === ApiKey.Metadata });
    const answers = ['first', 'second', 'third'].map(() => c.request<MetadataResponse>(ApiKey.Metadata, 12, METADATA_REQUEST));
    expect(c.inFlightCount).toBe(3);
    await until(() => fake!.requestsOf(ApiKey.Metadata).length === 3);
    const received = fake!.requestsOf(ApiKey.Metadata);
    // all three were on the wire before any was answered, with distinct ascending correlation ids
    const ids = received.map((r) => r.correlationId);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // answer last first
    received[2].reply(metadataAnswer('third'));
    received[0].reply(metadataAnswer('first'));
    received[1].reply(metadataAnswer('second'));
    expect((await Promise.all(answers)).map((r) => r.clusterId)).toEqual(['first', 'second', 'third']);
    expect(c.inFlightCount).toBe(0);
  });

  it('reads responses split across TCP segments and several responses in one segment', async () => {
    const c = await connectTo({ handler: (request) => request.apiKey === ApiKey.Metadata });
    const first = c.request<MetadataResponse>(ApiKey.Metadata, 12, METADATA_REQUEST);
    const second = c.request<MetadataResponse>(ApiKey.Metadata, 12, METADATA_REQUEST);
    await until(() => fake!.requestsOf(ApiKey.Metadata).length === 2);
    const [a, b] = fake!.requestsOf(ApiKey.Metadata);
    // capture both frames, then write them byte by byte glued together
    const frames: Buffer[] = [];
    const write = a.socket.write.bind(a.socket);
    a.socket.write = ((chunk: Buffer) => { frames.push(chunk); return true; }) as typeof a.socket.write;
    a.reply(metadataAnswer('a'));
    b.reply(metadataAnswer('b'));
    a.socket.write = write;
    const bytes = Buffer.concat(frames);
    write(bytes.subarray(0, 3));
    write(bytes.subarray(3, 20));
    write(bytes.subarray(20));
    expect((await first).clusterId).toBe('a');
    expect((await second).clusterId).toBe('b');
  });

  it('sends acks=0 Produce without waiting for an answer, and keeps correlating the requests after it', async () => {
    const c = await connectTo({ handler: (request) => request.apiKey === ApiKey.Metadata || request.apiKey === ApiKey.Produce });
    await c.sendWithoutResponse(ApiKey.Produce, 9, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [] });
    const answer = c.request<MetadataResponse>(ApiKey.Metadata, 12, METADATA_REQUEST);
    await until(() => fake!.requestsOf(ApiKey.Metadata).length === 1);
    expect(fake!.requestsOf(ApiKey.Produce)[0].body).toMatchObject({ acks: 0 });
    fake!.requestsOf(ApiKey.Metadata)[0].reply(metadataAnswer('after-produce'));
    expect((await answer).clusterId).toBe('after-produce');
  });
});

describe('failures', () => {
  it('a request that is not answered within its timeout fails as timeout and takes the connection (and the requests behind it) down', async () => {
    const c = await connectTo({ handler: (request) => request.apiKey === ApiKey.Metadata });
    const closed: NetworkError[] = [];
    c.onClose((reason) => closed.push(reason));
    const slow = c.request(ApiKey.Metadata, 12, METADATA_REQUEST, { timeoutMs: 30 });
    const behind = c.request(ApiKey.Metadata, 12, METADATA_REQUEST, { timeoutMs: 0 });
    const timedOut = await networkFailure(slow);
    expect(timedOut).toMatchObject({ kind: 'timeout', phase: 'request', host: '127.0.0.1', port: fake!.port, code: 'ETIMEDOUT' });
    expect(timedOut.message).toContain('Metadata request');
    expect(await networkFailure(behind)).toMatchObject({ kind: 'disconnected' });
    expect(c.isClosed).toBe(true);
    expect(closed.map((r) => r.kind)).toEqual(['disconnected']);
    // the broker sees its side closed too
    await until(() => fake!.connections === 1 && fake!.sockets.size === 0);
    expect(await networkFailure(c.request(ApiKey.Metadata, 12, METADATA_REQUEST))).toMatchObject({ kind: 'disconnected' });
  });

  it('a peer that accepts but never answers ApiVersions fails the connect as a timeout', async () => {
    fake = await FakeBroker.start({ handler: () => true });
    const err = await networkFailure(KafkaConnection.connect({ host: '127.0.0.1', port: fake.port }, { clientId: 't', requestTimeoutMs: 30 }));
    expect(err).toMatchObject({ kind: 'timeout', phase: 'connect', port: fake.port });
  });

  it('connection refused names the endpoint and keeps the socket code', async () => {
    const port = await closedPort();
    const err = await networkFailure(KafkaConnection.connect({ host: '127.0.0.1', port, nodeId: 3 }, { clientId: 't' }));
    expect(err).toMatchObject({ kind: 'connection-refused', phase: 'connect', host: '127.0.0.1', port, nodeId: 3, code: 'ECONNREFUSED' });
    expect(err.endpoint).toBe(`127.0.0.1:${port}`);
  });

  it('an unknown host fails as unknown-host', async () => {
    const err = await networkFailure(KafkaConnection.connect({ host: 'no-such-host.invalid', port: 9092 }, { clientId: 't' }));
    expect(err).toMatchObject({ kind: 'unknown-host', phase: 'connect', host: 'no-such-host.invalid', port: 9092 });
  });

  it('a peer that closes in the middle of a response fails the requests in flight as disconnected', async () => {
    const c = await connectTo({
      handler(request) {
        if (request.apiKey !== ApiKey.Metadata) return false;
        // size prefix promising 100 bytes, then 10 of them, then gone
        const partial = Buffer.alloc(14);
        partial.writeInt32BE(100, 0);
        partial.writeInt32BE(request.correlationId, 4);
        request.socket.end(partial);
        return true;
      },
    });
    const err = await networkFailure(c.request(ApiKey.Metadata, 12, METADATA_REQUEST));
    expect(err).toMatchObject({ kind: 'disconnected', phase: 'request' });
    expect(err.message).toContain('in the middle of a response (10 of its 100 bytes received)');
    expect(c.isClosed).toBe(true);
  });

  it('a response with a correlation id no request carries is a protocol error that closes the connection', async () => {
    const c = await connectTo({
      handler(request) {
        if (request.apiKey !== ApiKey.Metadata) return false;
        request.reply(metadataAnswer('stray'), { correlationId: request.correlationId + 1000 });
        return true;
      },
    });
    const err = await networkFailure(c.request(ApiKey.Metadata, 12, METADATA_REQUEST));
    expect(err).toMatchObject({ kind: 'protocol' });
    expect(err.message).toContain('correlation id');
    expect(c.isClosed).toBe(true);
  });

  it('a negative frame size is a protocol error', async () => {
    const c = await connectTo({
      handler(request) {
        if (request.apiKey !== ApiKey.Metadata) return false;
        const bad = Buffer.alloc(4);
        bad.writeInt32BE(-5, 0);
        request.socket.write(bad);
        return true;
      },
    });
    expect(await networkFailure(c.request(ApiKey.Metadata, 12, METADATA_REQUEST))).toMatchObject({ kind: 'protocol' });
  });

  it('a response body that does not decode fails that request only; the connection keeps serving', async () => {
    let calls = 0;
    const c = await connectTo({
      handler(request) {
        if (request.apiKey !== ApiKey.Metadata) return false;
        if (calls++ === 0) {
          // a header and three stray bytes where a Metadata v12 body should be
          const frame = Buffer.alloc(4 + 4 + 1 + 3);
          frame.writeInt32BE(8, 0);
          frame.writeInt32BE(request.correlationId, 4);
          request.socket.write(frame);
        } else {
          request.reply(metadataAnswer('fine'));
        }
        return true;
      },
    });
    expect(await networkFailure(c.request(ApiKey.Metadata, 12, METADATA_REQUEST))).toMatchObject({ kind: 'protocol' });
    expect(c.isClosed).toBe(false);
    expect((await c.request<MetadataResponse>(ApiKey.Metadata, 12, METADATA_REQUEST)).clusterId).toBe('fine');
  });

  it('close() fails the requests in flight as closed', async () => {
    const c = await connectTo({ handler: (request) => request.apiKey === ApiKey.Metadata });
    const pending = c.request(ApiKey.Metadata, 12, METADATA_REQUEST);
    c.close();
    expect(await networkFailure(pending)).toMatchObject({ kind: 'closed' });
  });
});
