/**
 * Produce v3+ with a legacy (magic 0 or 1) message set: Kafka's
 * ProduceRequest.validateRecords refuses it with INVALID_RECORD (87, since Kafka
 * 2.5; CORRUPT_MESSAGE before) before anything reaches the log, whatever its size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { WireClient } from './fetch-wire.js';

let broker: TestBroker;
let client: WireClient;
beforeAll(async () => {
  broker = await startTestBroker();
  client = await WireClient.connect(broker.port);
  await client.createTopic('legacy', 1);
});
afterAll(async () => {
  client.close();
  await broker.close();
});

/** One uncompressed legacy message (v0: no timestamp; v1: with one); the CRC is not what is judged. */
function legacyMessage(magic: 0 | 1, value: Buffer): Buffer {
  const body = Buffer.alloc(1 + 1 + (magic === 1 ? 8 : 0) + 4 + 4 + value.length);
  let pos = body.writeInt8(magic, 0);
  pos = body.writeInt8(0, pos);
  if (magic === 1) pos = body.writeBigInt64BE(BigInt(Date.now()), pos);
  pos = body.writeInt32BE(-1, pos);
  pos = body.writeInt32BE(value.length, pos);
  value.copy(body, pos);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(0n, 0);
  head.writeInt32BE(4 + body.length, 8);
  return Buffer.concat([head, body]);
}

describe('legacy message sets in Produce', () => {
  for (const magic of [0, 1] as const) {
    for (const size of [3, 200]) {
      it(`refuses magic ${magic} (${size}-byte value) with INVALID_RECORD at v3 and v9`, async () => {
        const records = legacyMessage(magic, Buffer.alloc(size, 0x61));
        for (const version of [3, 9]) {
          const res = await client.send(0, version, {
            transactionalId: null,
            acks: -1,
            timeoutMs: 5000,
            topicData: [{ name: 'legacy', partitionData: [{ index: 0, records }] }],
          });
          const p = res.responses[0].partitionResponses[0];
          expect(p.errorCode).toBe(ErrorCode.INVALID_RECORD);
        }
        const latest = await client.send(2, 1, { replicaId: -1, topics: [{ name: 'legacy', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
        expect(Number(latest.topics[0].partitions[0].offset)).toBe(0);
      });
    }
  }
});
