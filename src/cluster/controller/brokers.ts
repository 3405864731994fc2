/**
 * Broker registration decisions of the controller (ClusterControlManager): the
 * records that register this broker when it starts, fence the brokers that cannot
 * be heard from, and give leaderless partitions back to a broker that returns.
 */
import {
  applyRecords,
  brokerInfo,
  metadataRecord,
  partitionsOf,
  registerBrokerRecord,
  SecurityProtocol,
  type BrokerEndpoint,
  type BrokerInfo,
  type MetadataImage,
  type MetadataRecord,
} from '../../metadata/index.js';
import { randomUuid } from '../ids.js';
import { brokerUnfencedRecords, fenceBrokerRecords, partitionChange } from './leadership.js';

export interface BrokerStartup {
  /** this broker as clients reach it */
  self: BrokerInfo;
  /** listener name of `self`'s endpoint */
  listenerName?: string;
  /** every listener this broker advertises (security listeners included); absent: `self` on `listenerName` alone */
  endpoints?: readonly BrokerEndpoint[];
  /** the offset the first record will get: a registration's broker epoch is its own offset, as in Kafka */
  nextOffset: number;
  /** true in a quorum of one: no other broker can heartbeat, so registered ones are fenced */
  fenceOthers: boolean;
}

/**
 * What this broker's start changes in the image: other active brokers fenced (their
 * partitions' ISR and leaders move, see fenceBrokerRecords), this broker registered
 * (only when absent, fenced, or reachable elsewhere: an unchanged restart keeps its
 * registration, so leader epochs do not move), and leaders for the partitions left
 * leaderless whose ISR names it.
 */
export function brokerStartupRecords(image: MetadataImage, startup: BrokerStartup): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  let next = image;
  const add = (records: MetadataRecord[]): void => {
    if (records.length === 0) return;
    out.push(...records);
    next = applyRecords(next, records);
  };
  const { self } = startup;
  if (startup.fenceOthers) {
    for (const broker of [...image.brokers.values()].sort((a, b) => a.id - b.id)) {
      if (broker.id !== self.nodeId) add(fenceBrokerRecords(next, broker));
    }
  }
  const registered = next.brokers.get(self.nodeId);
  const current = registered === undefined ? undefined : brokerInfo(registered, startup.listenerName);
  const unchanged =
    registered !== undefined &&
    !registered.fenced &&
    current!.host === self.host &&
    current!.port === self.port &&
    current!.rack === self.rack &&
    (startup.endpoints === undefined || sameEndpoints(registered.endpoints, startup.endpoints));
  if (!unchanged) {
    add([
      registerBrokerRecord({
        id: self.nodeId,
        epoch: BigInt(startup.nextOffset + out.length),
        incarnationId: randomUuid(),
        endpoints: startup.endpoints
          ? [...startup.endpoints]
          : [{ name: startup.listenerName ?? 'PLAINTEXT', host: self.host, port: self.port, securityProtocol: SecurityProtocol.PLAINTEXT }],
        rack: self.rack,
        fenced: false,
        inControlledShutdown: false,
      }),
    ]);
  }
  add(brokerUnfencedRecords(next, self.nodeId));
  return out;
}

function sameEndpoints(a: readonly BrokerEndpoint[], b: readonly BrokerEndpoint[]): boolean {
  const key = (e: BrokerEndpoint): string => `${e.name}|${e.host}|${e.port}|${e.securityProtocol}`;
  return a.length === b.length && a.every((e, i) => key(e) === key(b[i]!));
}

/** BrokerRegistrationChangeRecord.Fenced (BrokerRegistrationFencingChange) and InControlledShutdown values. */
const FencingChange = { UNFENCE: -1, NONE: 0, FENCE: 1 } as const;
const IN_CONTROLLED_SHUTDOWN = 1;

/** What a BrokerRegistration request carries that the record keeps. */
export interface BrokerRegistrationInput {
  brokerId: number;
  incarnationId: string;
  listeners: readonly { name: string; host: string; port: number; securityProtocol: number }[];
  features: readonly { name: string; minSupportedVersion: number; maxSupportedVersion: number }[];
  rack: string | null;
}

/**
 * The records of a (re-)registration (ClusterControlManager.registerBroker): a new
 * incarnation of a broker still registered unfenced is first fenced (its partitions'
 * leaders and ISRs move, as after a lost session), then the RegisterBrokerRecord —
 * fenced, as in Kafka: the broker is unfenced by a heartbeat once it has caught up with
 * the metadata log. The caller has already refused a live duplicate.
 */
export function registerBrokerRecords(image: MetadataImage, input: BrokerRegistrationInput, brokerEpoch: bigint): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  const existing = image.brokers.get(input.brokerId);
  if (existing !== undefined && !existing.fenced) out.push(...fenceBrokerRecords(image, existing));
  const supportedFeatures: Record<string, readonly [number, number]> = {};
  for (const f of input.features) supportedFeatures[f.name] = [f.minSupportedVersion, f.maxSupportedVersion];
  out.push(
    registerBrokerRecord({
      id: input.brokerId,
      epoch: brokerEpoch,
      incarnationId: input.incarnationId,
      endpoints: input.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
      supportedFeatures,
      rack: input.rack,
      fenced: true,
      inControlledShutdown: false,
    }),
  );
  return out;
}

/** Unfences a caught-up broker and gives it the leaderless partitions whose ISR names it. */
export function unfenceBrokerRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const broker = image.brokers.get(brokerId);
  if (broker === undefined || !broker.fenced) return [];
  const change = metadataRecord('BrokerRegistrationChangeRecord', {
    brokerId,
    brokerEpoch: broker.epoch,
    fenced: FencingChange.UNFENCE,
    inControlledShutdown: 0,
  });
  return [change, ...brokerUnfencedRecords(applyRecords(image, [change]), brokerId)];
}

/**
 * A broker asked to shut down (BrokerHeartbeat WantShutDown, Kafka's controlled
 * shutdown): it is marked in controlled shutdown, leaves every ISR it is in (never
 * emptying one, KIP-841) and the partitions it leads get a new leader from their ISR,
 * so clients move before it stops.
 */
export function controlledShutdownRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const broker = image.brokers.get(brokerId);
  if (broker === undefined || broker.fenced) return [];
  const out: MetadataRecord[] = [];
  if (!broker.inControlledShutdown) {
    out.push(
      metadataRecord('BrokerRegistrationChangeRecord', {
        brokerId,
        brokerEpoch: broker.epoch,
        fenced: FencingChange.NONE,
        inControlledShutdown: IN_CONTROLLED_SHUTDOWN,
      }),
    );
  }
  const shuttingDown = applyRecords(image, out);
  out.push(...leaveIsrRecords(shuttingDown, brokerId));
  return out;
}

/** Partitions `brokerId` still leads (a controlled shutdown completes when there are none). */
export function partitionsLedBy(image: MetadataImage, brokerId: number): number {
  let n = 0;
  for (const topic of image.topicsById.values()) for (const p of topic.partitions.values()) if (p.leader === brokerId) n++;
  return n;
}

/** The broker stopped heartbeating (or shut down): fenced, out of the ISRs, its partitions led elsewhere. */
export function fenceBrokerById(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const broker = image.brokers.get(brokerId);
  return broker === undefined ? [] : fenceBrokerRecords(image, broker);
}

function leaveIsrRecords(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const topic of image.topicsById.values()) {
    for (const p of partitionsOf(topic)) {
      if (!p.isr.includes(brokerId) && p.leader !== brokerId) continue;
      const without = p.isr.filter((id) => id !== brokerId);
      const change = partitionChange(image, topic.topicId, p, { targetIsr: without.length > 0 ? without : p.isr, election: 'online' });
      if (change !== null) out.push(change);
    }
  }
  return out;
}
