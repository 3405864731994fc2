/**
 * Where a cluster node's cluster id comes from when its directories were not formatted
 * with kafka-storage: the controllers of one quorum all derive the same id from their
 * voter set (so three fresh ZooKeeper-style or KRaft controllers agree without talking
 * first), and brokers learn it from the controller (DescribeCluster) and keep it in
 * meta.properties. A formatted directory's meta.properties always wins.
 */
import { createHash } from 'node:crypto';

/** A 22-character base64url id (Kafka's Uuid text form) fixed by the voters' ids and addresses. */
export function clusterIdForVoters(voters: readonly { id: number; host: string; port: number }[]): string {
  const text = [...voters]
    .sort((a, b) => a.id - b.id)
    .map((v) => `${v.id}@${v.host}:${v.port}`)
    .join(',');
  const bytes = createHash('sha256').update(`kafka-ts-cluster:${text}`).digest().subarray(0, 16);
  return bytes.toString('base64url');
}
