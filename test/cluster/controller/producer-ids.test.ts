/**
 * KIP-730 producer id blocks on the controller: AllocateProducerIds hands each registered
 * broker a block of 1000 that no other broker (and no later request) ever gets, refuses a
 * stale broker epoch, and the high mark survives a restart through the metadata log
 * (its records, then a snapshot of them).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerConfig } from '../../../src/broker/config.js';
import { QuorumController } from '../../../src/cluster/controller/quorum-controller.js';
import { allocateProducerIds, producerIdFloorRecords, PRODUCER_ID_BLOCK_SIZE } from '../../../src/cluster/controller/producer-ids.js';
import { LocalQuorum } from '../../../src/metadata/local-quorum.js';
import { applyRecords, emptyImage } from '../../../src/metadata/index.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { BrokerRegistrationRequest } from '../../../src/protocol/generated/types.js';

const CLUSTER = 'q1w2e3r4t5y6u7i8o9p0aQ';
const dirs: string[] = [];
const closers: Array<() => void> = [];

afterEach(() => {
  for (const close of closers.splice(0).reverse()) close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'producer-ids-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string): { controller: QuorumController; quorum: LocalQuorum } {
  const quorum = LocalQuorum.open({ logDir: dir, nodeId: 3000, clusterId: CLUSTER });
  const controller = new QuorumController({ quorum, config: brokerConfig({ logDirs: [dir], autoLeaderRebalanceEnable: false }), clusterId: () => CLUSTER });
  controller.start();
  closers.push(() => {
    controller.close();
    quorum.close();
  });
  return { controller, quorum };
}

function registration(brokerId: number): BrokerRegistrationRequest {
  return {
    brokerId,
    clusterId: CLUSTER,
    incarnationId: `AAAAAAAAAAAAAAAAAAAA${String(brokerId).padStart(2, 'A')}`,
    listeners: [{ name: 'PLAINTEXT', host: `127.0.0.${brokerId + 2}`, port: 9092, securityProtocol: 0 }],
    features: [],
    rack: null,
    isMigratingZkBroker: false,
    logDirs: [],
    previousBrokerEpoch: -1n,
  };
}

type Range = [bigint, bigint];
const overlaps = (ranges: Range[]): boolean =>
  ranges.some(([s1, e1], i) => ranges.some(([s2, e2], j) => i !== j && s1 < e2 && s2 < e1));

describe('AllocateProducerIds on the controller (KIP-730)', () => {
  it('gives brokers disjoint blocks of 1000, refuses a stale broker epoch, and keeps the mark across restarts', async () => {
    const dir = tempDir();
    let { controller, quorum } = open(dir);
    const epochs = new Map<number, bigint>();
    for (const id of [0, 1, 2]) {
      const r = await controller.brokerRegistration(registration(id));
      expect(r.errorCode).toBe(ErrorCode.NONE);
      epochs.set(id, r.brokerEpoch);
    }
    const ranges: Range[] = [];
    for (let round = 0; round < 3; round++) {
      // concurrent requests from every broker: the controller serialises them
      const answers = await Promise.all([0, 1, 2].map((id) => controller.allocateProducerIds({ brokerId: id, brokerEpoch: epochs.get(id)! })));
      for (const a of answers) {
        expect(a.errorCode).toBe(ErrorCode.NONE);
        expect(a.producerIdLen).toBe(PRODUCER_ID_BLOCK_SIZE);
        ranges.push([a.producerIdStart, a.producerIdStart + BigInt(a.producerIdLen)]);
      }
    }
    expect(overlaps(ranges)).toBe(false);
    const highest = ranges.reduce((m, [, end]) => (end > m ? end : m), 0n);
    expect(quorum.image().producerIds.nextProducerId).toBe(highest);
    expect(quorum.image().producerIds.brokerId).toBeGreaterThanOrEqual(0);

    const stale = await controller.allocateProducerIds({ brokerId: 1, brokerEpoch: epochs.get(1)! + 100n });
    expect(stale.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    const unknown = await controller.allocateProducerIds({ brokerId: 9, brokerEpoch: 5n });
    expect(unknown.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(quorum.image().producerIds.nextProducerId).toBe(highest);

    // restart: the records replay to the same mark, and the next block starts above every earlier one
    closers.pop()!();
    ({ controller, quorum } = open(dir));
    expect(quorum.image().producerIds.nextProducerId).toBe(highest);
    const after = await controller.allocateProducerIds({ brokerId: 2, brokerEpoch: epochs.get(2)! });
    expect(after.errorCode).toBe(ErrorCode.NONE);
    expect(after.producerIdStart).toBe(highest);

    // and again from a snapshot of the image (snapshots carry the ProducerIdsRecord)
    expect(quorum.metadataLog.snapshot()).not.toBeNull();
    closers.pop()!();
    ({ controller, quorum } = open(dir));
    expect(quorum.image().producerIds.nextProducerId).toBe(highest + BigInt(PRODUCER_ID_BLOCK_SIZE));
  });

  it('is a pure decision over the image: start at the next id, refuse to go backwards', () => {
    const first = allocateProducerIds(emptyImage(CLUSTER), 0, null);
    expect(first.block).toEqual({ start: 0n, length: 1000 });
    const image = applyRecords(emptyImage(CLUSTER), first.records);
    const second = allocateProducerIds(image, 1, null);
    expect(second.block?.start).toBe(1000n);
    // the old per-broker block file's mark raises the next id, and never lowers it
    const raised = applyRecords(image, producerIdFloorRecords(image, 0, 5000n));
    expect(allocateProducerIds(raised, 0, null).block?.start).toBe(5000n);
    expect(producerIdFloorRecords(raised, 0, 10n)).toEqual([]);
    expect(() => applyRecords(raised, first.records)).toThrow(/below the current/);
  });
});
