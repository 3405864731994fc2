/**
 * The one place that decides what a client hears about a failure, as Kafka's
 * ApiError.fromThrowable does: a KafkaError keeps its code and message; anything else is
 * a broker bug, logged here with its stack and answered UNKNOWN_SERVER_ERROR. That code
 * never carries a message on the wire (Kafka leaves it null so nothing internal leaks), so
 * no JavaScript text ("Cannot read properties of undefined", a stack) reaches a client.
 * Disk failures (ENOSPC, EIO, ...) are KAFKA_STORAGE_ERROR, which clients retry.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { errnoOf, isDiskFailure } from '../storage/disk-errors.js';

export interface ApiError {
  errorCode: number;
  /** null for UNKNOWN_SERVER_ERROR and whenever there is nothing safe to say */
  errorMessage: string | null;
}

/**
 * What to answer for `err`. `what` names the operation for the log line
 * ("CreateTopics demo"); `log` receives the stack of anything that is not a KafkaError.
 */
export function apiErrorOf(err: unknown, log: (line: string) => void, what: string): ApiError {
  if (err instanceof KafkaError) {
    if (err.code === ErrorCode.UNKNOWN_SERVER_ERROR) {
      log(`ERROR ${what} failed: ${err.message}`);
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
    }
    return { errorCode: err.code, errorMessage: err.message };
  }
  if (isDiskFailure(err)) {
    // the errno is safe to name (it is what an operator needs), the path and stack are not
    log(`WARN ${what} failed: ${(err as Error).message}`);
    return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: `Disk error while accessing the log (${errnoOf(err)})` };
  }
  log(`ERROR ${what} failed unexpectedly: ${describeThrown(err)}`);
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
}

/** The stack of an Error (message included), or the thrown value as text. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
