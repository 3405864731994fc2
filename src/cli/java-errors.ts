/**
 * The Java exception a Kafka client raises for a broker error code (Errors.java:
 * class and default message), for tools whose output Kafka prints through
 * `exception.getMessage()` or `getClass()` — kafka-delete-records' per-partition
 * `error:` lines, the verifiable producer's `producer_send_error` events.
 */
import { errorName } from '../protocol/errors.js';

const ERRORS_PACKAGE = 'org.apache.kafka.common.errors.';

/** code → [class in org.apache.kafka.common.errors (or a full name), default message] */
const JAVA_EXCEPTIONS: ReadonlyMap<number, readonly [string, string]> = new Map([
  [-1, ['UnknownServerException', 'The server experienced an unexpected error when processing the request.']],
  [1, ['OffsetOutOfRangeException', 'The requested offset is not within the range of offsets maintained by the server.']],
  [2, ['CorruptRecordException', 'This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.']],
  [3, ['UnknownTopicOrPartitionException', 'This server does not host this topic-partition.']],
  [5, ['LeaderNotAvailableException', 'There is no leader for this topic-partition as we are in the middle of a leadership election.']],
  [6, ['NotLeaderOrFollowerException', 'For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.']],
  [7, ['TimeoutException', 'The request timed out.']],
  [8, ['BrokerNotAvailableException', 'The broker is not available.']],
  [10, ['RecordTooLargeException', 'The request included a message larger than the max message size the server will accept.']],
  [13, ['NetworkException', 'The server disconnected before a response was received.']],
  [17, ['InvalidTopicException', 'The request attempted to perform an operation on an invalid topic.']],
  [18, ['RecordBatchTooLargeException', 'The request included message batch larger than the configured segment size on the server.']],
  [19, ['NotEnoughReplicasException', 'Messages are rejected since there are fewer in-sync replicas than required.']],
  [20, ['NotEnoughReplicasAfterAppendException', 'Messages are written to the log, but to fewer in-sync replicas than required.']],
  [21, ['InvalidRequiredAcksException', 'Produce request specified an invalid value for required acks.']],
  [29, ['TopicAuthorizationException', 'Topic authorization failed.']],
  [31, ['ClusterAuthorizationException', 'Cluster authorization failed.']],
  [35, ['UnsupportedVersionException', 'The version of API is not supported.']],
  [44, ['PolicyViolationException', 'Request parameters do not satisfy the configured policy.']],
  [39, ['InvalidReplicaAssignmentException', 'Replica assignment is invalid.']],
  [41, ['NotControllerException', 'This is not the correct controller for this cluster.']],
  [56, ['KafkaStorageException', 'Disk error when trying to access log file on the disk.']],
  [57, ['LogDirNotFoundException', 'The user-specified log directory is not found in the broker config.']],
  [60, ['ReassignmentInProgressException', 'A partition reassignment is in progress.']],
  [80, ['PreferredLeaderNotAvailableException', 'The preferred leader was not available.']],
  [83, ['EligibleLeadersNotAvailableException', 'Eligible topic partition leaders are not available.']],
  [84, ['ElectionNotNeededException', 'Leader election not needed for topic partition.']],
  [85, ['NoReassignmentInProgressException', 'No partition reassignment is in progress.']],
  [87, ['org.apache.kafka.common.InvalidRecordException', 'This record has failed the validation on broker and hence will be rejected.']],
  [100, ['UnknownTopicIdException', 'This server does not host this topic ID.']],
]);

export interface JavaException {
  /** fully qualified class name */
  className: string;
  message: string;
}

/** The exception Kafka's client raises for `errorCode` (the broker's message wins when it sent one). */
export function javaException(errorCode: number, brokerMessage?: string | null): JavaException {
  const known = JAVA_EXCEPTIONS.get(errorCode);
  if (!known) {
    return { className: `${ERRORS_PACKAGE}ApiException`, message: brokerMessage || `${errorName(errorCode)} (error code ${errorCode})` };
  }
  const [name, message] = known;
  return { className: name.includes('.') ? name : ERRORS_PACKAGE + name, message: brokerMessage || message };
}

/** `ExecutionException.getMessage()` for a failed future: `<class>: <message>`. */
export function javaExecutionMessage(errorCode: number, brokerMessage?: string | null): string {
  const e = javaException(errorCode, brokerMessage);
  return `${e.className}: ${e.message}`;
}
