/**
 * Idempotent-producer state of one partition (Kafka's ProducerStateManager, reduced):
 * per producer id the current epoch and the last 5 batches' sequence ranges and
 * offsets, so a retried batch is answered with its original offsets instead of being
 * written twice, and gaps or stale epochs are refused.
 */
import type {
  ProducerBatchCheck,
  ProducerBatchHeader,
  ProducerStateTracker,
} from '../broker/services/group-service.js';
import { ErrorCode } from '../protocol/errors.js';

/** Kafka keeps the metadata of this many recent batches per producer. */
export const NUM_BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;
const NO_PRODUCER_EPOCH = -1;

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

interface ProducerEntry {
  producerEpoch: number;
  /** oldest first */
  batches: BatchMetadata[];
}

/** Last sequence of a batch whose sequences wrap after Int32.MAX back to 0. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  if (baseSequence < 0) return -1;
  return baseSequence > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1 : baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateTable implements ProducerStateTracker {
  private readonly producers = new Map<number, ProducerEntry>();

  check(producerId: number, producerEpoch: number, baseSequence: number, lastSequence: number): ProducerBatchCheck {
    // Non-idempotent batches are not tracked.
    if (producerId < 0) return { kind: 'append' };
    const entry = this.producers.get(producerId);
    const currentEpoch = entry?.producerEpoch ?? NO_PRODUCER_EPOCH;

    if (entry && producerEpoch === currentEpoch) {
      const dup = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === lastSequence);
      if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, timestamp: dup.timestamp };
    }
    if (producerEpoch < currentEpoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch of producer ${producerId} is ${producerEpoch}, which is smaller than the last seen epoch ${currentEpoch}`,
      };
    }
    if (producerEpoch !== currentEpoch) {
      // A new producer (or a bumped epoch) must start at sequence 0.
      if (baseSequence !== 0) {
        if (currentEpoch !== NO_PRODUCER_EPOCH) {
          return {
            kind: 'error',
            errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            message: `Invalid sequence number for new epoch of producer ${producerId} at offset: ${producerEpoch} (request epoch), ${baseSequence} (seq. number), ${currentEpoch} (current producer epoch)`,
          };
        }
        return {
          kind: 'error',
          errorCode: ErrorCode.UNKNOWN_PRODUCER_ID,
          message: `Found no record of producerId=${producerId} on the broker; first sequence number is ${baseSequence}`,
        };
      }
      return { kind: 'append' };
    }
    const last = entry!.batches[entry!.batches.length - 1];
    if (last && !inSequence(last.lastSeq, baseSequence)) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Out of order sequence number for producer ${producerId}: ${baseSequence} (incoming seq. number), ${last.lastSeq} (current end sequence number)`,
      };
    }
    return { kind: 'append' };
  }

  update(
    producerId: number,
    producerEpoch: number,
    baseSequence: number,
    lastSequence: number,
    firstOffset: number,
    lastOffset: number,
    timestamp: number,
  ): void {
    if (producerId < 0) return;
    let entry = this.producers.get(producerId);
    if (!entry || producerEpoch > entry.producerEpoch) {
      entry = { producerEpoch, batches: [] };
      this.producers.set(producerId, entry);
    }
    if (baseSequence < 0) return;
    entry.batches.push({ firstSeq: baseSequence, lastSeq: lastSequence, firstOffset, lastOffset, timestamp });
    if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift();
  }

  rebuild(batches: Iterable<ProducerBatchHeader>): void {
    this.producers.clear();
    for (const b of batches) {
      if (b.producerId < 0) continue;
      if (b.isControl) {
        // Transaction markers carry the epoch but no sequence.
        const entry = this.producers.get(b.producerId);
        if (!entry || b.producerEpoch > entry.producerEpoch) {
          this.producers.set(b.producerId, { producerEpoch: b.producerEpoch, batches: [] });
        }
        continue;
      }
      this.update(
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        lastSequenceOf(b.baseSequence, b.lastOffsetDelta),
        b.baseOffset,
        b.baseOffset + b.lastOffsetDelta,
        b.maxTimestamp,
      );
    }
  }

  clear(): void {
    this.producers.clear();
  }

  /** Producer ids with state here (DescribeProducers later; tests now). */
  producerIds(): number[] {
    return [...this.producers.keys()];
  }
}
