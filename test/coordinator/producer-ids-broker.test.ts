/**
 * The single broker is its own controller (KIP-730 with a quorum of one): producer ids
 * come from ProducerIdsRecords in its metadata log, so they keep rising across restarts,
 * and a log dir from before (the per-broker `producer-id-block` file) raises the next id
 * above every id that file handed out, once — the file is then set aside.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkClient } from '../../src/network/index.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { InitProducerIdResponse } from '../../src/protocol/generated/types.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';

const brokers: TestBroker[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function initProducerId(broker: TestBroker): Promise<number> {
  const client = new NetworkClient({ clientId: 'pid', requestTimeoutMs: 5_000, connectTimeoutMs: 5_000 });
  try {
    const { response } = await client.send<InitProducerIdResponse>({ host: '127.0.0.1', port: broker.port }, ApiKey.InitProducerId, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    }, { minVersion: 0, maxVersion: 4 });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    return Number(response.producerId);
  } finally {
    client.close();
  }
}

describe('producer ids of the single broker', () => {
  it('come from its metadata log, rise across restarts, and start above the old block file', async () => {
    const logDir = tempDir();
    dirs.push(logDir);
    fs.writeFileSync(path.join(logDir, 'producer-id-block'), 'version=1\nblockEnd=5000\n');
    let broker = await startTestBroker({ logDirs: [logDir] });
    brokers.push(broker);
    const first = await initProducerId(broker);
    const second = await initProducerId(broker);
    expect(first).toBe(5000);
    expect(second).toBe(5001);
    expect(fs.existsSync(path.join(logDir, 'producer-id-block'))).toBe(false);
    expect(broker.lines.some((l) => /Producer ids now come from the metadata log, above 5000/.test(l))).toBe(true);

    await brokers.pop()!.close();
    broker = await startTestBroker({ logDirs: [logDir] });
    brokers.push(broker);
    // the rest of the first block is never reused: the next block starts where the log says
    expect(await initProducerId(broker)).toBe(6000);
  });
});
