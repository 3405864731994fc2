/**
 * ProducerIdManager (Kafka's RPCProducerIdManager): ids come from controller blocks, the
 * next block is requested at 90% of the current one, no id is handed out twice, and
 * while no block is at hand InitProducerId answers COORDINATOR_LOAD_IN_PROGRESS instead
 * of waiting. Transactional ids keep their producer id.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ProducerIdManager,
  PRODUCER_ID_BLOCK_FILE,
  readLegacyProducerIdBlockEnd,
  retireLegacyProducerIdBlockFile,
} from '../../src/coordinator/producer-id-manager.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';

const idempotent = { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 };
const managers: ProducerIdManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.close();
});

/** A controller stand-in: blocks of `size` from a shared counter; `hold` keeps requests pending. */
function controller(size = 10) {
  let next = 0;
  const pending: Array<() => void> = [];
  const state = {
    requests: 0,
    hold: false,
    fail: 0,
    allocate: async () => {
      state.requests++;
      if (state.fail > 0) {
        state.fail--;
        throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'no controller');
      }
      if (state.hold) await new Promise<void>((resolve) => pending.push(resolve));
      const start = next;
      next += size;
      return { start: BigInt(start), length: size };
    },
    release: () => {
      state.hold = false;
      for (const r of pending.splice(0)) r();
    },
  };
  return state;
}

function manager(c: ReturnType<typeof controller>): ProducerIdManager {
  const m = new ProducerIdManager({ allocateBlock: c.allocate, retryBackoffMs: 1 });
  managers.push(m);
  return m;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('ProducerIdManager', () => {
  it('answers COORDINATOR_LOAD_IN_PROGRESS until the first block arrives, then hands out ids', async () => {
    const c = controller();
    c.hold = true;
    const m = manager(c);
    expect(m.initProducerId(idempotent)).toEqual({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, producerId: -1, producerEpoch: -1 });
    expect(c.requests).toBe(1);
    c.release();
    await settle();
    expect(m.initProducerId(idempotent)).toEqual({ errorCode: ErrorCode.NONE, producerId: 0, producerEpoch: 0 });
  });

  it('prefetches the next block at 90% so two brokers sharing a controller never overlap', async () => {
    const c = controller(10);
    const a = manager(c);
    const b = manager(c);
    await Promise.all([a.start(), b.start()]);
    const seen = new Set<number>();
    for (let i = 0; i < 45; i++) {
      for (const m of [a, b]) {
        const r = m.initProducerId(idempotent);
        expect(r.errorCode).toBe(ErrorCode.NONE);
        expect(seen.has(r.producerId)).toBe(false);
        seen.add(r.producerId);
      }
      await settle(); // lets a prefetch land, as between client requests
    }
    expect(seen.size).toBe(90);
  });

  it('retries a failed request after the backoff and never reuses a block', async () => {
    const c = controller(10);
    c.fail = 2;
    const m = manager(c);
    await m.start();
    expect(c.requests).toBeGreaterThanOrEqual(3);
    const ids = Array.from({ length: 10 }, () => m.initProducerId(idempotent).producerId);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const requests = c.requests;
    await settle(); // the 90% mark (id 9) asked for the next block
    expect(c.requests).toBe(requests);
    expect(m.initProducerId(idempotent).producerId).toBe(10);
  });

  it('keeps one producer id per transactional id and bumps its epoch', async () => {
    const m = manager(controller(1000));
    await m.start();
    const a = m.initProducerId({ ...idempotent, transactionalId: 'tx' });
    const b = m.initProducerId({ ...idempotent, transactionalId: 'tx' });
    expect(b.producerId).toBe(a.producerId);
    expect(b.producerEpoch).toBe(a.producerEpoch + 1);
    expect(m.initProducerId({ ...idempotent, transactionalId: 'other' }).producerId).not.toBe(a.producerId);
    expect(m.initProducerId({ ...idempotent, transactionalId: 'tx', transactionTimeoutMs: 10_000_000 }).errorCode).toBe(
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    // KIP-360: an old epoch is fenced
    expect(m.initProducerId({ ...idempotent, transactionalId: 'tx', producerId: a.producerId, producerEpoch: a.producerEpoch }).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
  });

  it('reads and retires the old per-broker block file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid-'));
    try {
      expect(readLegacyProducerIdBlockEnd(dir)).toBeUndefined();
      fs.writeFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), 'version=1\nblockEnd=3000\n');
      expect(readLegacyProducerIdBlockEnd(dir)).toBe(3000);
      retireLegacyProducerIdBlockFile(dir);
      expect(readLegacyProducerIdBlockEnd(dir)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
