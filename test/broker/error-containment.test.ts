/**
 * What a client hears when a handler fails unexpectedly (Kafka's ApiError.fromThrowable and
 * KafkaApis.handleError): UNKNOWN_SERVER_ERROR with no message where the response has a
 * top-level ErrorCode, the connection closed where it has none, the stack in the broker's
 * log only, and the broker serving the next request either way. Per-resource results
 * (errorResult) follow the same rule; disk errors are KAFKA_STORAGE_ERROR.
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
  // Metadata has no top-level ErrorCode: the connection is closed
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

  it('closes the connection when the response has no top-level error code', async () => {
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
