/** Images for controller tests: brokers registered (optionally fenced) and topics with given replicas / ISR / leaders. */
import { applyRecords } from '../../../src/metadata/apply.js';
import { emptyImage, type MetadataImage } from '../../../src/metadata/image.js';
import type { MetadataRecord } from '../../../src/metadata/index.js';
import { registerBrokerRecord, SecurityProtocol, topicRecords } from '../../../src/metadata/records.js';

export const TOPIC_IDS = ['Ab3dEfGhIjKlMnOpQrStUw', 'ZYxwVUtSrQpOnMlKjIhGfA', 'q1w2e3r4t5y6u7i8o9p0aQ'] as const;

export function brokers(ids: readonly number[], fenced: readonly number[] = []): MetadataRecord[] {
  return ids.map((id, i) =>
    registerBrokerRecord({
      id,
      epoch: BigInt(i),
      incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ',
      endpoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 + id, securityProtocol: SecurityProtocol.PLAINTEXT }],
      rack: null,
      fenced: fenced.includes(id),
      inControlledShutdown: false,
    }),
  );
}

export interface PartitionSpec {
  replicas: number[];
  isr?: number[];
  leader?: number;
  leaderEpoch?: number;
}

export function topic(name: string, topicId: string, partitions: PartitionSpec[], configs: Record<string, string> = {}): MetadataRecord[] {
  return topicRecords({
    name,
    topicId,
    configs,
    partitions: partitions.map((p, partition) => ({
      partition,
      replicas: p.replicas,
      isr: p.isr ?? p.replicas,
      leader: p.leader ?? (p.isr ?? p.replicas)[0] ?? -1,
      leaderEpoch: p.leaderEpoch ?? 0,
    })),
  });
}

export function image(...records: MetadataRecord[][]): MetadataImage {
  return applyRecords(emptyImage('cluster'), records.flat());
}
