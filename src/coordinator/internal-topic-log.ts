/**
 * An internal topic (`__consumer_offsets`, `__transaction_state`) as its coordinator sees
 * it (the OffsetsLog contract): writes go through the replica manager like any Produce
 * with acks=all (origin coordinator), so they complete once the ISR has them; reads for
 * loading a partition come from the local log. The topic is created on first use, like Kafka.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { MetadataService } from '../broker/services/metadata-service.js';
import type { AppendOutcome } from '../broker/services/partition-data-service.js';
import type { OffsetsLog } from './offsets-log.js';

/** The part of the replica manager coordinators write through. */
export interface CoordinatorAppender {
  appendAsCoordinator(topic: string, partition: number, batch: Buffer, timeoutMs: number): AppendOutcome | Promise<AppendOutcome>;
}

export interface InternalTopicLogOptions {
  topic: string;
  numPartitions: number;
  metadata: Pick<MetadataService, 'topic' | 'getPartition'>;
  replicas: CoordinatorAppender;
  /** creates the topic (idempotent); its partitions' leadership then reaches the coordinator */
  ensureTopic: () => Promise<unknown>;
  /** offsets.commit.timeout.ms / transaction state write timeout: how long an append waits for the ISR */
  appendTimeoutMs: number;
  log?: (line: string) => void;
}

function throwIfFailed(outcome: AppendOutcome): void {
  if (outcome.errorCode !== ErrorCode.NONE) throw new KafkaError(outcome.errorCode, outcome.errorMessage ?? `append failed (${outcome.errorCode})`);
}

export class InternalTopicLog implements OffsetsLog {
  readonly numPartitions: number;
  private creating: Promise<unknown> | null = null;

  constructor(private readonly opts: InternalTopicLogOptions) {
    this.numPartitions = opts.numPartitions;
  }

  ensureReady(): void {
    if (this.opts.metadata.topic(this.opts.topic) || this.creating) return;
    this.creating = this.opts.ensureTopic().then(
      () => {
        this.creating = null;
      },
      (err: unknown) => {
        this.creating = null;
        this.opts.log?.(`Could not create ${this.opts.topic}: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  append(partition: number, batch: Buffer): void | Promise<void> {
    if (!this.opts.metadata.getPartition(this.opts.topic, partition)) {
      this.ensureReady();
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${this.opts.topic} is not ready yet`);
    }
    const done = this.opts.replicas.appendAsCoordinator(this.opts.topic, partition, batch, this.opts.appendTimeoutMs);
    if (done instanceof Promise) return done.then(throwIfFailed);
    throwIfFailed(done);
  }

  read(partition: number, fromOffset: number, maxBytes: number): Buffer {
    const found = this.opts.metadata.getPartition(this.opts.topic, partition);
    if (!found || fromOffset >= found.log.logEndOffset) return Buffer.alloc(0);
    return found.log.read(Math.max(fromOffset, found.log.logStartOffset), maxBytes).records;
  }

  logStartOffset(partition: number): number {
    return this.opts.metadata.getPartition(this.opts.topic, partition)?.log.logStartOffset ?? 0;
  }

  logEndOffset(partition: number): number {
    return this.opts.metadata.getPartition(this.opts.topic, partition)?.log.logEndOffset ?? 0;
  }
}
