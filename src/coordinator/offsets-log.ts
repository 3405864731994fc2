/**
 * The coordinator's view of the `__consumer_offsets` topic, injected so tests can use
 * an in-memory log. The broker implements it with InternalTopicLog (internal-topic-log.ts)
 * over the replica manager.
 */

export interface OffsetsLog {
  /** offsets.topic.num.partitions */
  readonly numPartitions: number;
  /** Creates the internal topic if it is missing (idempotent). */
  ensureReady(): void;
  /**
   * appendAsLeader semantics: offsets are assigned by the log. Returns once the write is
   * replicated (acks=all): at once (void) when it already is, else a promise; throws or
   * rejects with a KafkaError on failure.
   */
  append(partition: number, batch: Buffer): void | Promise<void>;
  /** Whole batches from `fromOffset`, or an empty buffer at the end (or if the topic does not exist yet). */
  read(partition: number, fromOffset: number, maxBytes: number): Buffer;
  /** 0 when the topic does not exist yet */
  logStartOffset(partition: number): number;
  /** 0 when the topic does not exist yet */
  logEndOffset(partition: number): number;
}
