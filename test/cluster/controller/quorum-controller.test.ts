/**
 * The QuorumController over a LocalQuorum (a quorum of one, so it is active): broker
 * registration (fenced until caught up, duplicate live id and other cluster id refused
 * with Kafka's codes), heartbeats (STALE_BROKER_EPOCH, unfencing once caught up,
 * controlled shutdown moving leadership away before shouldShutDown), fencing after
 * broker.session.timeout.ms with a new leader from the ISR at a higher leader epoch, and
 * AlterPartition's checks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerConfig } from '../../../src/broker/config.js';
import { QuorumController } from '../../../src/cluster/controller/quorum-controller.js';
import { LocalQuorum } from '../../../src/metadata/local-quorum.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { BrokerRegistrationRequest } from '../../../src/protocol/generated/types.js';
import { topic } from './helpers.js';

const CLUSTER = 'q1w2e3r4t5y6u7i8o9p0aQ';
const dirs: string[] = [];
const quorums: LocalQuorum[] = [];
const controllers: QuorumController[] = [];

afterEach(() => {
  for (const c of controllers.splice(0)) c.close();
  for (const q of quorums.splice(0)) q.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(sessionTimeoutMs = 1000): { controller: QuorumController; quorum: LocalQuorum; clock: { now: number } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quorum-controller-'));
  dirs.push(dir);
  const quorum = LocalQuorum.open({ logDir: dir, nodeId: 3000, clusterId: CLUSTER });
  quorums.push(quorum);
  const clock = { now: 1_000_000 };
  const config = brokerConfig({ logDirs: [dir], brokerSessionTimeoutMs: sessionTimeoutMs, autoLeaderRebalanceEnable: false });
  const controller = new QuorumController({ quorum, config, clusterId: () => CLUSTER, now: () => clock.now });
  controller.start();
  controllers.push(controller);
  return { controller, quorum, clock };
}

function registration(brokerId: number, incarnationId = `AAAAAAAAAAAAAAAAAAAA${String(brokerId).padStart(2, 'A')}`): BrokerRegistrationRequest {
  return {
    brokerId,
    clusterId: CLUSTER,
    incarnationId,
    listeners: [{ name: 'PLAINTEXT', host: `127.0.0.${brokerId + 2}`, port: 9092, securityProtocol: 0 }],
    features: [],
    rack: null,
    isMigratingZkBroker: false,
    logDirs: [],
    previousBrokerEpoch: -1n,
  };
}

async function registerAndUnfence(controller: QuorumController, quorum: LocalQuorum, id: number): Promise<bigint> {
  const r = await controller.brokerRegistration(registration(id));
  expect(r.errorCode).toBe(ErrorCode.NONE);
  const hb = await controller.brokerHeartbeat({ brokerId: id, brokerEpoch: r.brokerEpoch, currentMetadataOffset: BigInt(quorum.image().provenance.lastContainedOffset), wantFence: false, wantShutDown: false, offlineLogDirs: [] });
  expect(hb).toMatchObject({ errorCode: ErrorCode.NONE, isCaughtUp: true, isFenced: false });
  return r.brokerEpoch;
}

describe('QuorumController', () => {
  it('registers a broker fenced, unfences it once its heartbeat shows it caught up', async () => {
    const { controller, quorum } = setup();
    const r = await controller.brokerRegistration(registration(1));
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(quorum.image().brokers.get(1)).toMatchObject({ fenced: true, epoch: r.brokerEpoch });
    const behind = await controller.brokerHeartbeat({ brokerId: 1, brokerEpoch: r.brokerEpoch, currentMetadataOffset: r.brokerEpoch - 1n, wantFence: false, wantShutDown: false, offlineLogDirs: [] });
    expect(behind).toMatchObject({ errorCode: ErrorCode.NONE, isCaughtUp: false, isFenced: true });
    const caughtUp = await controller.brokerHeartbeat({ brokerId: 1, brokerEpoch: r.brokerEpoch, currentMetadataOffset: r.brokerEpoch, wantFence: false, wantShutDown: false, offlineLogDirs: [] });
    expect(caughtUp).toMatchObject({ errorCode: ErrorCode.NONE, isCaughtUp: true, isFenced: false });
    expect(quorum.image().brokers.get(1)!.fenced).toBe(false);
    const stale = await controller.brokerHeartbeat({ brokerId: 1, brokerEpoch: r.brokerEpoch + 7n, currentMetadataOffset: 0n, wantFence: false, wantShutDown: false, offlineLogDirs: [] });
    expect(stale.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
  });

  it('refuses a live broker id from another incarnation and another cluster id; a new incarnation after the session expired is accepted', async () => {
    const { controller, quorum, clock } = setup(1000);
    await registerAndUnfence(controller, quorum, 1);
    const dup = await controller.brokerRegistration(registration(1, 'ZZZZZZZZZZZZZZZZZZZZZw'));
    expect(dup).toMatchObject({ errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, brokerEpoch: -1n });
    const other = await controller.brokerRegistration({ ...registration(2), clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID);
    clock.now += 1500;
    const again = await controller.brokerRegistration(registration(1, 'ZZZZZZZZZZZZZZZZZZZZZw'));
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(quorum.image().brokers.get(1)).toMatchObject({ incarnationId: 'ZZZZZZZZZZZZZZZZZZZZZw', fenced: true });
  });

  it('fences a broker silent for broker.session.timeout.ms and elects a new leader from the ISR with a higher leader epoch', async () => {
    const { controller, quorum, clock } = setup(1000);
    for (const id of [0, 1, 2]) await registerAndUnfence(controller, quorum, id);
    await quorum.append(topic('t', 'Ab3dEfGhIjKlMnOpQrStUw', [{ replicas: [1, 2, 0], leader: 1, leaderEpoch: 0 }]));
    clock.now += 600;
    for (const id of [0, 2]) {
      const epoch = quorum.image().brokers.get(id)!.epoch;
      await controller.brokerHeartbeat({ brokerId: id, brokerEpoch: epoch, currentMetadataOffset: 1000n, wantFence: false, wantShutDown: false, offlineLogDirs: [] });
    }
    clock.now += 600;
    await controller.checkSessions();
    const image = quorum.image();
    expect(image.brokers.get(1)!.fenced).toBe(true);
    expect(image.brokers.get(0)!.fenced).toBe(false);
    const p = image.topicsByName.get('t')!.partitions.get(0)!;
    expect(p.leader).toBe(2);
    expect(p.leaderEpoch).toBe(1);
    expect(p.isr).toEqual([2, 0]);
  });

  it('controlled shutdown moves leadership away, then fences the broker and answers shouldShutDown', async () => {
    const { controller, quorum } = setup(60_000);
    for (const id of [0, 1]) await registerAndUnfence(controller, quorum, id);
    await quorum.append(topic('t', 'Ab3dEfGhIjKlMnOpQrStUw', [{ replicas: [1, 0], leader: 1 }]));
    const epoch = quorum.image().brokers.get(1)!.epoch;
    const hb = await controller.brokerHeartbeat({ brokerId: 1, brokerEpoch: epoch, currentMetadataOffset: 1000n, wantFence: false, wantShutDown: true, offlineLogDirs: [] });
    expect(hb).toMatchObject({ errorCode: ErrorCode.NONE, shouldShutDown: true });
    const p = quorum.image().topicsByName.get('t')!.partitions.get(0)!;
    expect(p.leader).toBe(0);
    expect(p.isr).toEqual([0]);
    expect(quorum.image().brokers.get(1)).toMatchObject({ inControlledShutdown: true, fenced: true });
    // the stopped broker starting again (new incarnation) is accepted at once: its session ended with the shutdown
    const again = await controller.brokerRegistration(registration(1, 'ZZZZZZZZZZZZZZZZZZZZZw'));
    expect(again.errorCode).toBe(ErrorCode.NONE);
  });

  it('AlterPartition: shrinks the ISR for the leader at the current epochs and refuses stale or foreign proposals', async () => {
    const { controller, quorum } = setup(60_000);
    const epochs = new Map<number, bigint>();
    for (const id of [0, 1, 2]) epochs.set(id, await registerAndUnfence(controller, quorum, id));
    await quorum.append(topic('t', 'Ab3dEfGhIjKlMnOpQrStUw', [{ replicas: [0, 1, 2], leader: 0, leaderEpoch: 3 }]));
    const ask = (brokerId: number, leaderEpoch: number, partitionEpoch: number, newIsr: number[]) =>
      controller.alterPartition(
        {
          brokerId,
          brokerEpoch: epochs.get(brokerId)!,
          topics: [{ topicName: '', topicId: 'Ab3dEfGhIjKlMnOpQrStUw', partitions: [{ partitionIndex: 0, leaderEpoch, newIsr, newIsrWithEpochs: [], leaderRecoveryState: 0, partitionEpoch }] }],
        },
        2,
      );
    const ok = await ask(0, 3, 0, [0, 1]);
    expect(ok.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, leaderId: 0, leaderEpoch: 3, isr: [0, 1], partitionEpoch: 1 });
    expect((await ask(0, 3, 0, [0])).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect((await ask(0, 2, 1, [0])).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect((await ask(1, 3, 1, [1])).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const stale = await controller.alterPartition({ brokerId: 0, brokerEpoch: 999n, topics: [] }, 2);
    expect(stale.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    // a fenced broker may not join the ISR (KIP-841)
    await controller.brokerHeartbeat({ brokerId: 2, brokerEpoch: epochs.get(2)!, currentMetadataOffset: 1000n, wantFence: true, wantShutDown: false, offlineLogDirs: [] });
    expect((await ask(0, 3, 1, [0, 1, 2])).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);
  });

  it('elects an out-of-sync live replica for a leaderless partition only where unclean.leader.election.enable allows it', async () => {
    const { controller, quorum, clock } = setup(1000);
    for (const id of [0, 1]) await registerAndUnfence(controller, quorum, id);
    await quorum.append([
      ...topic('clean', 'Ab3dEfGhIjKlMnOpQrStUw', [{ replicas: [1, 0], isr: [1], leader: 1 }]),
      ...topic('dirty', 'ZYxwVUtSrQpOnMlKjIhGfA', [{ replicas: [1, 0], isr: [1], leader: 1 }], { 'unclean.leader.election.enable': 'true' }),
    ]);
    clock.now += 600;
    await controller.brokerHeartbeat({ brokerId: 0, brokerEpoch: quorum.image().brokers.get(0)!.epoch, currentMetadataOffset: 1000n, wantFence: false, wantShutDown: false, offlineLogDirs: [] });
    clock.now += 600;
    await controller.checkSessions();
    const image = quorum.image();
    expect(image.brokers.get(1)!.fenced).toBe(true);
    // KIP-841: the last ISR member stays, leaderless
    expect(image.topicsByName.get('clean')!.partitions.get(0)).toMatchObject({ leader: -1, isr: [1] });
    // unclean: broker 0 leads alone, recovering (KIP-704)
    expect(image.topicsByName.get('dirty')!.partitions.get(0)).toMatchObject({ leader: 0, isr: [0], leaderRecoveryState: 1 });
  });

  it('auto leader rebalance gives leadership back to the preferred replica once it is in the ISR', async () => {
    const { controller, quorum } = setup(60_000);
    for (const id of [0, 1]) await registerAndUnfence(controller, quorum, id);
    await quorum.append(topic('t', 'Ab3dEfGhIjKlMnOpQrStUw', [{ replicas: [1, 0], isr: [0, 1], leader: 0, leaderEpoch: 4 }]));
    await controller.rebalanceLeaders();
    expect(quorum.image().topicsByName.get('t')!.partitions.get(0)).toMatchObject({ leader: 1, leaderEpoch: 5 });
  });
});
