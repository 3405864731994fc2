/**
 * Broker registration decisions of the controller (ClusterControlManager): the
 * records that register this broker when it starts, fence the brokers that cannot
 * be heard from, and give leaderless partitions back to a broker that returns.
 */
import { brokerInfo, registerBrokerRecord, SecurityProtocol, applyRecords, type BrokerInfo, type MetadataImage, type MetadataRecord } from '../../metadata/index.js';
import { randomUuid } from '../ids.js';
import { brokerUnfencedRecords, fenceBrokerRecords } from './leadership.js';

export interface BrokerStartup {
  /** this broker as clients reach it */
  self: BrokerInfo;
  /** listener name of `self`'s endpoint */
  listenerName?: string;
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
    current!.rack === self.rack;
  if (!unchanged) {
    add([
      registerBrokerRecord({
        id: self.nodeId,
        epoch: BigInt(startup.nextOffset + out.length),
        incarnationId: randomUuid(),
        endpoints: [{ name: startup.listenerName ?? 'PLAINTEXT', host: self.host, port: self.port, securityProtocol: SecurityProtocol.PLAINTEXT }],
        rack: self.rack,
        fenced: false,
        inControlledShutdown: false,
      }),
    ]);
  }
  add(brokerUnfencedRecords(next, self.nodeId));
  return out;
}
