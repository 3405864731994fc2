/**
 * What a client hears when a handler fails unexpectedly (Kafka's ApiError.fromThrowable,
 * KafkaApis.handleError and getErrorResponse): UNKNOWN_SERVER_ERROR with no message, in the
 * top-level ErrorCode and on every topic, partition or resource the request named; the
 * connection closed when nothing in the response can carry it; Produce acks=0 never
 * answered; the stack in the broker's log only; the broker serving the next request either
 * way. Per-resource results (errorResult) follow the same rule; disk errors are
 * KAFKA_STORAGE_ERROR.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerServer } from '../../src/broker/server.js';
import { defineHandler, type ApiHandler } from '../../src/broker/handler.js';
import { apiErrorOf } from '../../src/broker/api-error.js';
import type { BrokerServices } from '../../src/broker/services/index.js';
import { brokerConfig } from '../../src/broker/config.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { WireClient } from './fetch-wire.js';
import { errorResponseFor } from '../../src/broker/error-response.js';
import { allHandlers } from '../../src/broker/handlers/index.js';
import { ByteReader, decodeRequest, decodeResponse, readRequestHeader } from '../../src/protocol/index.js';
import { Rng, validFrame } from '../helpers/protocol-fuzz.js';

const lines: string[] = [];
let server: BrokerServer;
let port: number;

const handlers: ApiHandler[] = [
  // DescribeCluster has a top-level ErrorCode and ErrorMessage
  defineHandler({
    apiKey: 60,
    minVersion: 0,
    maxVersion: 1,
    handle: () => {
      const missing = undefined as unknown as { brokers: unknown[] };
      return { brokers: missing.brokers };
    },
  }),
  // ListGroups' handler fails asynchronously
  defineHandler({
    apiKey: 16,
    minVersion: 0,
    maxVersion: 4,
    handle: async () => {
      throw new RangeError('offset 99 is out of bounds');
    },
  }),
  // Produce has no top-level ErrorCode: every partition named carries the error
  defineHandler({
    apiKey: 0,
    minVersion: 3,
    maxVersion: 11,
    handle: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'producerId')");
    },
  }),
  // Metadata: per requested topic; with all topics requested nothing can carry it (closed)
  defineHandler({
    apiKey: 3,
    minVersion: 0,
    maxVersion: 12,
    handle: () => {
      throw new TypeError('x.map is not a function');
    },
  }),
  // ApiVersions works, to show the broker still serves
  defineHandler({
    apiKey: 18,
    minVersion: 0,
    maxVersion: 3,
    handle: () => ({ errorCode: 0, apiKeys: [], throttleTimeMs: 0 }),
  }),
];

beforeAll(async () => {
  const services = { config: brokerConfig({}), log: (l: string) => lines.push(l) } as unknown as BrokerServices;
  server = new BrokerServer(handlers, services);
  [{ port }] = await server.listen([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }]);
});
afterAll(async () => {
  await server.close();
});

describe('unexpected handler errors', () => {
  it('answers UNKNOWN_SERVER_ERROR with no message and logs the stack (sync and async)', async () => {
    const client = await WireClient.connect(port);
    try {
      const cluster = await client.send(60, 0, { includeClusterAuthorizedOperations: false });
      expect(cluster.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
      expect(cluster.errorMessage).toBeNull();
      const groups = await client.send(16, 4, { statesFilter: [], typesFilter: [] });
      expect(groups.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
      expect(groups.groups).toEqual([]);
      // the same connection keeps serving
      expect((await client.send(18, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode).toBe(0);
    } finally {
      client.close();
    }
    const logged = lines.join('\n');
    expect(logged).toMatch(/^ERROR DescribeCluster v0 request \(correlation id 1\).*failed unexpectedly: TypeError: Cannot read properties of undefined/m);
    expect(logged).toContain('error-containment.test.ts'); // the stack
    expect(logged).toContain('RangeError: offset 99 is out of bounds');
  });

  it('answers every partition or topic the request named when the response has no top-level error code', async () => {
    const client = await WireClient.connect(port);
    try {
      const records = Buffer.alloc(0);
      const produce = await client.send(0, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'a', partitionData: [{ index: 0, records }, { index: 2, records }] }, { name: 'b', partitionData: [{ index: 1, records }] }],
      });
      expect(
        produce.responses.map((t: { name: string; partitionResponses: { index: number; errorCode: number; errorMessage: string | null }[] }) => [
          t.name,
          t.partitionResponses.map((p) => [p.index, p.errorCode, p.errorMessage]),
        ]),
      ).toEqual([
        ['a', [[0, -1, null], [2, -1, null]]],
        ['b', [[1, -1, null]]],
      ]);
      // acks=0: no answer even to a failure; the next request is answered on the same connection
      const socketStays = client.send(0, 9, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [{ name: 'a', partitionData: [{ index: 0, records }] }] });
      let acksZeroAnswered = false;
      socketStays.then(() => (acksZeroAnswered = true), () => {});
      const versions = await client.send(18, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
      expect(versions.errorCode).toBe(0);
      expect(acksZeroAnswered).toBe(false);
      const metadata = await client.send(3, 12, {
        topics: [{ name: 'x', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      expect(metadata.brokers).toEqual([]);
      expect(metadata.topics.map((t: { name: string; errorCode: number }) => [t.name, t.errorCode])).toEqual([['x', -1]]);
    } finally {
      client.close();
    }
  });

  it('closes the connection when nothing in the response can carry the error', async () => {
    const client = await WireClient.connect(port);
    await expect(client.send(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).rejects.toThrow(
      'connection closed',
    );
    expect(lines.join('\n')).toContain('TypeError: x.map is not a function');
    const again = await WireClient.connect(port);
    expect((await again.send(18, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode).toBe(0);
    again.close();
  });

  it('closes only the connection whose request does not parse', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.on('connect', r));
    // DescribeCluster v0 header, then a body cut short (its tagged-field count missing)
    const body = Buffer.from([0, 60, 0, 0, 0, 0, 0, 9, 0, 1, 0x41, 0]);
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length);
    body.copy(frame, 4);
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    socket.write(frame);
    await closed;
    expect(lines.some((l) => l.includes('cannot parse DescribeCluster v0 request (correlation id 9)'))).toBe(true);
  });
});

describe('apiErrorOf, the one place that decides', () => {
  it('keeps a KafkaError, hides UNKNOWN_SERVER_ERROR texts, maps disk errors to KAFKA_STORAGE_ERROR', () => {
    const log: string[] = [];
    const push = (l: string) => log.push(l);
    expect(apiErrorOf(new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'), push, 'x')).toEqual({
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Number of partitions must be larger than 0.',
    });
    expect(apiErrorOf(new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'internal detail'), push, 'x')).toEqual({
      errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
      errorMessage: null,
    });
    expect(apiErrorOf(new TypeError("Cannot read properties of undefined (reading 'x')"), push, 'x')).toEqual({
      errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
      errorMessage: null,
    });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const storage = apiErrorOf(enospc, push, 'x');
    expect(storage.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(storage.errorMessage).not.toContain('write');
    expect(log.filter((l) => l.startsWith('ERROR '))).toHaveLength(2);
    expect(log.filter((l) => l.startsWith('WARN '))).toHaveLength(1);
  });
});

describe('errorResponseFor, the whole-request error answer', () => {
  it('answers every served API and version with an encodable response carrying the code, or nothing', () => {
    const rng = new Rng(7);
    const targets = { topics: ['t'], topicIds: ['AAAAAAAAAAAAAAAAAAAAAA'], groups: ['g'], transactionalIds: ['x'] };
    let answered = 0;
    for (const h of allHandlers()) {
      for (let version = h.minVersion; version <= h.maxVersion; version++) {
        for (let i = 0; i < 5; i++) {
          const frame = validFrame(rng, [{ apiKey: h.apiKey, minVersion: version, maxVersion: version }], targets, 1).bytes.subarray(4);
          const header = readRequestHeader(frame);
          const request = decodeRequest(h.apiKey, version, new ByteReader(frame, header.bodyOffset));
          const body = errorResponseFor(h.apiKey, version, request, { errorCode: -1, errorMessage: null });
          if (body === null) continue;
          answered++;
          const decoded = decodeResponse(h.apiKey, version, new ByteReader(Buffer.concat(body)));
          expect(JSON.stringify(decoded, (_k, v) => (typeof v === 'bigint' ? String(v) : v)), `api ${h.apiKey} v${version}`).toContain('"errorCode":-1');
        }
      }
    }
    expect(answered).toBeGreaterThan(100);
  });
});
