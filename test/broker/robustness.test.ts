/**
 * Bad input on the port closes that connection only: garbage bytes, an
 * oversized frame, a truncated frame and an unsupported version leave the
 * broker serving other clients.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { encodeRequest, encodeRequestFrame, readResponseHeader, decodeResponse, ByteReader } from '../../src/protocol/index.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ socketRequestMaxBytes: 1024 * 1024 });
});
afterAll(async () => {
  await broker.close();
});

/** Sends bytes and resolves with whatever came back once the broker closed the socket (or after 3 s). */
function sendRaw(bytes: Buffer): Promise<{ closed: boolean; received: Buffer }> {
  return new Promise((resolve) => {
    const socket = net.connect(broker.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, received: Buffer.concat(chunks) });
    }, 3000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received: Buffer.concat(chunks) });
    });
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

async function stillServes(): Promise<void> {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
}

function apiVersionsFrame(version: number): Buffer {
  const body = encodeRequest(18, Math.min(version, 4), { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  const frame = Buffer.concat(encodeRequestFrame(18, version, 7, 'robustness', body));
  return frame;
}

describe('broker robustness', () => {
  it('closes a connection that sends garbage and keeps serving others', async () => {
    const result = await sendRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(result.closed).toBe(true);
    await stillServes();
  });

  it('closes a connection whose frame is larger than socket.request.max.bytes', async () => {
    const header = Buffer.alloc(4);
    header.writeInt32BE(512 * 1024 * 1024);
    const result = await sendRaw(Buffer.concat([header, Buffer.alloc(100)]));
    expect(result.closed).toBe(true);
    expect(broker.lines.some((l) => l.includes('socket.request.max.bytes'))).toBe(true);
    await stillServes();
  });

  it('closes on a frame whose body is garbage of the right length', async () => {
    const body = Buffer.from([0, 3, 0, 99, 0, 0, 0, 1, 0xff, 0xff, 1, 2, 3]);
    const header = Buffer.alloc(4);
    header.writeInt32BE(body.length);
    const result = await sendRaw(Buffer.concat([header, body]));
    expect(result.closed).toBe(true);
    await stillServes();
  });

  it('survives a truncated frame (client goes away mid-request)', async () => {
    const frame = apiVersionsFrame(3);
    const socket = net.connect(broker.port, '127.0.0.1');
    await new Promise((r) => socket.on('connect', r));
    socket.write(frame.subarray(0, frame.length - 3));
    socket.destroy();
    await stillServes();
  });

  it('answers ApiVersions at an unknown version in v0 layout with UNSUPPORTED_VERSION', async () => {
    const result = await sendRaw(apiVersionsFrame(99));
    const frame = result.received.subarray(4);
    const header = readResponseHeader(frame, 18, 0);
    expect(header.correlationId).toBe(7);
    const body = decodeResponse<{ errorCode: number; apiKeys: { apiKey: number }[] }>(18, 0, new ByteReader(frame, header.bodyOffset));
    expect(body.errorCode).toBe(35);
    expect(body.apiKeys.map((k) => k.apiKey)).toContain(0);
  });
});
