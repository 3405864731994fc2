/**
 * Topic name rules, as Kafka's Topic.validate enforces them, and the names of
 * Kafka's internal topics.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';

export const MAX_TOPIC_NAME_LENGTH = 249;
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]);

/** Throws INVALID_TOPIC_EXCEPTION with Kafka's message when the name is not legal. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name is illegal, it can\'t be empty');
  if (name === '.' || name === '..') {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name cannot be "." or ".."');
  }
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new KafkaError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`,
    );
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new KafkaError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    );
  }
}

/** '.' and '_' collide in metric names (Kafka warns when creating such topics). */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}
