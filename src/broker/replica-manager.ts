/**
 * ReplicaManager: the broker's access path to partition logs for Produce,
 * Fetch, ListOffsets and DeleteRecords. It checks leadership, de-duplicates
 * idempotent batches, appends batch bytes as received (offsets assigned in
 * place by the log; records are never decoded here), advances the high
 * watermark and wakes long-polling fetches.
 *
 * In a cluster of one the ISR is this broker alone, so the high watermark
 * follows the log end offset as soon as an append lands.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { iterateBatches, type BatchHeader } from '../protocol/records/batch.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type {
  AppendOutcome,
  IsolationLevel,
  ListOffsetOutcome,
  PartitionDataService,
  ReadOutcome,
  TopicPartitionRef,
} from './services/partition-data-service.js';
import type { MetadataService } from './services/metadata-service.js';
import type { ProducerIdService } from './services/group-service.js';
import { FetchPurgatory } from './fetch-purgatory.js';

const ZSTD = 4;

// ListOffsets special timestamps (ListOffsets v1+; -3 from v7, -4 from v8, -5 from v9)
const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;

/** Sequence numbers wrap at Int32.MAX (RecordBatch v2). */
function lastSequenceOf(batch: BatchHeader): number {
  const last = batch.baseSequence + batch.lastOffsetDelta;
  return last > 0x7fffffff ? last - 0x80000000 : last;
}

function errorCodeOf(err: unknown): number {
  return err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
}

export class ReplicaManager implements PartitionDataService {
  private readonly purgatory = new FetchPurgatory();

  constructor(
    private readonly brokerId: number,
    private readonly metadata: MetadataService,
    private readonly producers: ProducerIdService,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** The log of a partition this broker leads, or a Kafka error code. */
  private leaderLog(topic: string, partition: number): PartitionLog | number {
    const found = this.metadata.getPartition(topic, partition);
    if (!found) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (found.state.leader !== this.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (!found.log) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return found.log;
  }

  /**
   * On start-up a leader whose ISR is only itself owns every record in its log:
   * the high watermark read from replication-offset-checkpoint may be stale
   * after a hard kill, so it moves to the log end offset (as Kafka's leader does
   * once its ISR has caught up).
   */
  advanceSoleLeaderHighWatermarks(): void {
    for (const topic of this.metadata.topics()) {
      for (const state of topic.partitions) {
        if (state.leader !== this.brokerId || state.isr.length > 1) continue;
        const found = this.metadata.getPartition(topic.name, state.partition);
        if (found?.log) found.log.highWatermark = found.log.logEndOffset;
      }
    }
  }

  appendRecords(
    topic: string,
    partition: number,
    records: Buffer | null,
    options: { requiredAcks: number; allowZstd: boolean },
  ): AppendOutcome {
    const outcome: AppendOutcome = { errorCode: 0, errorMessage: null, baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') {
      outcome.errorCode = log;
      return outcome;
    }
    outcome.logStartOffset = log.logStartOffset;
    if (options.requiredAcks !== 0 && options.requiredAcks !== 1 && options.requiredAcks !== -1) {
      outcome.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
      return outcome;
    }
    if (!records || records.length === 0) {
      outcome.errorCode = ErrorCode.CORRUPT_MESSAGE;
      outcome.errorMessage = 'empty record set';
      return outcome;
    }
    const state = this.metadata.getPartition(topic, partition)!.state;
    try {
      // Header-only pass: codec gate and idempotence. Produce requests carry one batch per partition in practice.
      for (const { header: batch } of iterateBatches(records)) {
        if (batch.compression === ZSTD && !options.allowZstd) {
          outcome.errorCode = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
          outcome.errorMessage = 'zstd compression needs Produce v7 or later';
          return outcome;
        }
        if (batch.producerId >= 0 && batch.baseSequence >= 0) {
          const check = this.producers
            .producerState(topic, partition)
            .check(batch.producerId, batch.producerEpoch, batch.baseSequence, lastSequenceOf(batch));
          if (check.kind === 'duplicate') {
            outcome.baseOffset = check.firstOffset;
            return outcome;
          }
          if (check.kind === 'error') {
            outcome.errorCode = check.errorCode;
            outcome.errorMessage = check.message;
            return outcome;
          }
        }
      }
      const info = log.appendAsLeader(records, state.leaderEpoch);
      for (const batch of info.batches) {
        if (batch.producerId >= 0 && batch.baseSequence >= 0) {
          this.producers
            .producerState(topic, partition)
            .update(
              batch.producerId,
              batch.producerEpoch,
              batch.baseSequence,
              lastSequenceOf(batch),
              batch.baseOffset,
              batch.baseOffset + batch.lastOffsetDelta,
              batch.maxTimestamp,
            );
        }
      }
      // cluster of one: every replica in the ISR has the data
      if (state.isr.length <= 1) log.highWatermark = log.logEndOffset;
      outcome.baseOffset = info.baseOffset;
      outcome.logAppendTime = info.logAppendTime;
      outcome.logStartOffset = log.logStartOffset;
      this.purgatory.notify(topic, partition);
      return outcome;
    } catch (err) {
      outcome.errorCode = errorCodeOf(err);
      outcome.errorMessage = err instanceof Error ? err.message : null;
      if (!(err instanceof KafkaError)) this.log(`Error appending to ${topic}-${partition}: ${String(err)}`);
      return outcome;
    }
  }

  readRecords(
    topic: string,
    partition: number,
    fetchOffset: number,
    maxBytes: number,
    options: { isolation: IsolationLevel; minOneMessage: boolean; allowZstd: boolean },
  ): ReadOutcome {
    const outcome: ReadOutcome = {
      errorCode: 0,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      records: Buffer.alloc(0),
    };
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') {
      outcome.errorCode = log;
      return outcome;
    }
    outcome.highWatermark = log.highWatermark;
    // no transactions yet: the last stable offset is the high watermark
    outcome.lastStableOffset = log.highWatermark;
    outcome.logStartOffset = log.logStartOffset;
    const upper = options.isolation === 'read_committed' ? outcome.lastStableOffset : outcome.highWatermark;
    if (fetchOffset < log.logStartOffset || fetchOffset > log.logEndOffset) {
      outcome.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
      return outcome;
    }
    if (fetchOffset >= upper) return outcome;
    try {
      const read = log.read(fetchOffset, maxBytes, { maxOffset: upper, minOneMessage: options.minOneMessage });
      if (!options.allowZstd) {
        for (const { header: batch } of iterateBatches(read.records)) {
          if (batch.compression === ZSTD) {
            outcome.errorCode = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
            return outcome;
          }
        }
      }
      outcome.records = read.records;
    } catch (err) {
      outcome.errorCode = errorCodeOf(err);
      if (!(err instanceof KafkaError)) this.log(`Error reading ${topic}-${partition}: ${String(err)}`);
    }
    return outcome;
  }

  waitForData(partitions: TopicPartitionRef[], timeoutMs: number): Promise<void> {
    return this.purgatory.wait(partitions, timeoutMs);
  }

  listOffset(topic: string, partition: number, timestamp: number, isolation: IsolationLevel): ListOffsetOutcome {
    const outcome: ListOffsetOutcome = { errorCode: 0, timestamp: -1, offset: -1, leaderEpoch: -1 };
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') {
      outcome.errorCode = log;
      return outcome;
    }
    outcome.leaderEpoch = this.metadata.getPartition(topic, partition)!.state.leaderEpoch;
    const lastStable = log.highWatermark;
    switch (timestamp) {
      case LATEST:
        outcome.offset = isolation === 'read_committed' ? lastStable : log.highWatermark;
        return outcome;
      case EARLIEST:
      case EARLIEST_LOCAL:
        outcome.offset = log.logStartOffset;
        return outcome;
      case LATEST_TIERED:
        // no tiered storage: Kafka answers -1
        return outcome;
      case MAX_TIMESTAMP: {
        const found = log.offsetOfMaxTimestamp();
        if (found) {
          outcome.offset = found.offset;
          outcome.timestamp = found.timestamp;
        }
        return outcome;
      }
      default: {
        if (timestamp < 0) {
          outcome.errorCode = ErrorCode.INVALID_REQUEST;
          return outcome;
        }
        const found = log.offsetForTimestamp(timestamp);
        if (found && found.offset < log.highWatermark) {
          outcome.offset = found.offset;
          outcome.timestamp = found.timestamp;
        }
        return outcome;
      }
    }
  }

  deleteRecords(topic: string, partition: number, offset: number): { errorCode: number; lowWatermark: number } {
    const log = this.leaderLog(topic, partition);
    if (typeof log === 'number') return { errorCode: log, lowWatermark: -1 };
    // DeleteRecords: -1 means "up to the high watermark"
    const target = offset === -1 ? log.highWatermark : offset;
    if (target < 0 || target > log.highWatermark) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: log.logStartOffset };
    }
    try {
      if (target > log.logStartOffset) log.deleteRecordsBefore(target);
      return { errorCode: 0, lowWatermark: log.logStartOffset };
    } catch (err) {
      return { errorCode: errorCodeOf(err), lowWatermark: log.logStartOffset };
    }
  }

  close(): void {
    this.purgatory.cancelAll();
  }
}
