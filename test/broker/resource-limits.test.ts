/**
 * One request must not take the broker down (issue 7, item 9). A fuzzer's CreateTopics v5
 * asking for 436207618 partitions is answered INVALID_PARTITIONS with a message naming
 * max.broker.partitions, before anything is allocated, while another client is served;
 * a forged array length larger than the frame can hold is refused as malformed (the
 * connection closed, as Kafka does) without allocating the array. A large creation lets
 * other connections be served while it runs.
 */
import net from 'node:net';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import {
  ByteReader,
  ErrorCode,
  ProtocolDecodeError,
  decodeRequest,
  decodeResponse,
  readResponseHeader,
} from '../../src/protocol/index.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/types.js';

/** The frame the fuzzer found: CreateTopics v5, correlation id 164, client "fuzz", topic "f1c", num_partitions 0x1a000002. */
const FUZZ_FRAME = Buffer.from(
  '0000003a00130005000000a4000466757a7a0002046631631a000002000101020f636c65616e75702e706f6c6963790764656c6574650000000013880000',
  'hex',
);

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker.close();
});

/** Sends `bytes` and resolves with the first whole response frame (without its length), or null if the broker closed. */
function exchange(bytes: Buffer): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(broker.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        socket.destroy();
        resolve(received.subarray(4, 4 + received.readInt32BE(0)));
      }
    });
    socket.on('close', () => resolve(null));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('resource limits on the wire', () => {
  it("answers the fuzzer's CreateTopics (num_partitions 436207618) with INVALID_PARTITIONS while another client is served", async () => {
    const rssBefore = process.memoryUsage().rss;
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const [frame, created] = await Promise.all([
      exchange(FUZZ_FRAME),
      admin.createTopics({ topics: [{ topic: 'served-meanwhile', numPartitions: 2 }] }),
    ]);
    expect(created).toBe(true);
    expect(frame).not.toBeNull();
    const header = readResponseHeader(frame!, 19, 5);
    expect(header.correlationId).toBe(0xa4);
    const body = decodeResponse<CreateTopicsResponse>(19, 5, new ByteReader(frame!, header.bodyOffset));
    expect(body.topics).toHaveLength(1);
    expect(body.topics[0]!.name).toBe('f1c');
    expect(body.topics[0]!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(body.topics[0]!.errorMessage).toContain('436207618');
    expect(body.topics[0]!.errorMessage).toContain('max.broker.partitions=10000');

    // nothing of it exists, the broker still creates and lists topics, and memory stayed small
    const topics = await admin.listTopics();
    expect(topics).toContain('served-meanwhile');
    expect(topics).not.toContain('f1c');
    expect(fs.readdirSync(broker.logDir).filter((d) => d.startsWith('f1c-'))).toEqual([]);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
    await admin.disconnect();
  });

  it('serves other clients while a CreateTopics of many partitions is in progress', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const creator = kafka.admin();
    const other = kafka.admin();
    await Promise.all([creator.connect(), other.connect()]);
    await other.listTopics();
    const finished: string[] = [];
    const creating = creator
      .createTopics({ topics: [{ topic: 'many', numPartitions: 1500 }], timeout: 120_000 })
      .then((created) => {
        finished.push('create');
        return created;
      });
    // wait until the broker has started on it (the first partition directory exists)
    while (!fs.readdirSync(broker.logDir).some((d) => d.startsWith('many-'))) await new Promise((r) => setTimeout(r, 5));
    const listed = await other.listTopics();
    finished.push('list');
    expect(listed).not.toContain('many'); // listed only once every partition exists
    expect(await creating).toBe(true);
    expect(finished).toEqual(['list', 'create']);
    expect(fs.readdirSync(broker.logDir).filter((d) => d.startsWith('many-'))).toHaveLength(1500);
    expect(await other.listTopics()).toContain('many');
    await Promise.all([creator.disconnect(), other.disconnect()]);
  });

  it('refuses as malformed, without allocating, an array length the frame cannot hold', async () => {
    // the fuzz frame with the topics array count (compact: n + 1) forged to 2^28
    const count = Buffer.from([0x81, 0x80, 0x80, 0x80, 0x01]); // uvarint 2^28 + 1
    const body = Buffer.concat([FUZZ_FRAME.subarray(4, 4 + 2 + 2 + 4 + 2 + 4 + 1), count, FUZZ_FRAME.subarray(4 + 15 + 1)]);
    const reader = new ByteReader(body, 2 + 2 + 4 + 2 + 4 + 1);
    expect(() => decodeRequest(19, 5, reader)).toThrow(ProtocolDecodeError);
    expect(() => decodeRequest(19, 5, new ByteReader(body, 2 + 2 + 4 + 2 + 4 + 1))).toThrow(/array of 268435456 elements exceeds remaining/);
    const length = Buffer.alloc(4);
    length.writeInt32BE(body.length);
    expect(await exchange(Buffer.concat([length, body]))).toBeNull(); // closed, as Kafka closes on a malformed request

    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain('served-meanwhile');
    await admin.disconnect();
  });
});
