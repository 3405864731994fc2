/**
 * Replica assignment for new partitions, rack-unaware, the way Kafka's classic
 * AdminUtils.assignReplicasToBrokers places them: the first replica walks the
 * sorted broker list round-robin (so leaders spread), followers are shifted by
 * an offset that grows each time the partition index wraps the broker list.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';

export interface PlacementOptions {
  /** index of the broker that gets partition startPartitionId's first replica; random when omitted */
  startIndex?: number;
  /** initial follower shift; random when omitted */
  replicaShift?: number;
  /** id of the first partition to place (createPartitions continues after the existing ones) */
  startPartitionId?: number;
  /**
   * Which Kafka's InvalidReplicationFactor text to use: ZooKeeper mode's (the default,
   * also the single broker's) or a KRaft controller's (StripedReplicaPlacer).
   */
  messages?: 'zookeeper' | 'kraft';
}

/**
 * Returns the replica lists of `numPartitions` partitions over `brokerIds`.
 * Throws INVALID_REPLICATION_FACTOR with Kafka's message when rf exceeds the brokers.
 */
export function assignReplicas(
  brokerIds: readonly number[],
  numPartitions: number,
  replicationFactor: number,
  options: PlacementOptions = {},
): number[][] {
  if (numPartitions <= 0) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  if (replicationFactor <= 0) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
  if (replicationFactor > brokerIds.length) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      options.messages === 'kraft'
        ? `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokerIds.length} broker(s) are registered.`
        : `Replication factor: ${replicationFactor} larger than available brokers: ${brokerIds.length}.`,
    );
  }
  const brokers = [...brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  const startIndex = options.startIndex ?? Math.floor(Math.random() * n);
  let shift = options.replicaShift ?? Math.floor(Math.random() * n);
  let partitionId = options.startPartitionId ?? 0;
  const result: number[][] = [];
  for (let i = 0; i < numPartitions; i++) {
    if (partitionId > 0 && partitionId % n === 0) shift += 1;
    const first = (partitionId + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) {
      const offset = 1 + ((shift + j) % (n - 1));
      replicas.push(brokers[(first + offset) % n]!);
    }
    result.push(replicas);
    partitionId += 1;
  }
  return result;
}
