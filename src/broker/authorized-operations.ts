/**
 * The "authorized operations" bit sets that Metadata (v8+), DescribeCluster,
 * DescribeGroups (v3+) and DescribeTopicPartitions report. There is no
 * authorizer here, so every operation a resource supports is allowed.
 */

/** "authorized operations not requested" (Kafka uses Integer.MIN_VALUE) */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

const bits = (ops: number[]): number => ops.reduce((set, op) => set | (1 << op), 0);

/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS */
export const ALL_TOPIC_OPERATIONS = bits([3, 4, 5, 6, 7, 8, 10, 11]);
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE */
export const ALL_CLUSTER_OPERATIONS = bits([5, 7, 8, 9, 10, 11, 12]);
