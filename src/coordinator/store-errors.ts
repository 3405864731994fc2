/**
 * How the coordinators turn a failed write to their internal topic
 * (`__consumer_offsets`, `__transaction_state`) into the error a client retries on,
 * as Kafka's coordinators map them.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';

/**
 * @param offsetCommit an offset commit: oversized writes become INVALID_COMMIT_OFFSET_SIZE
 */
export function coordinatorStoreErrorCode(err: unknown, offsetCommit = false): number {
  if (!(err instanceof KafkaError)) return ErrorCode.UNKNOWN_SERVER_ERROR;
  switch (err.code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      // no producer id block at hand yet (KIP-730): the client retries
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return offsetCommit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
