/**
 * Produce requests with acks=all waiting for their batches to be replicated (Kafka's
 * DelayedProduce in the produce purgatory). One delayed produce covers every partition of
 * a request; a partition is satisfied once the high watermark reaches the offset after
 * its batch (or it fails: leadership lost, ISR below min.insync.replicas). The request
 * completes when all its partitions are, or at timeout.ms with REQUEST_TIMED_OUT for
 * those still waiting. Checked whenever a partition's high watermark moves.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { AppendOutcome } from './services/partition-data-service.js';

export interface PendingPartition {
  topic: string;
  partition: number;
  /** the high watermark that covers the batch: its last offset + 1 */
  requiredOffset: number;
  outcome: AppendOutcome;
}

/** Error code once a partition is settled, or null while it must keep waiting. */
export type PartitionCheck = (pending: PendingPartition) => number | null;

interface DelayedProduce {
  /** partitions still waiting */
  pending: PendingPartition[];
  outcomes: AppendOutcome[];
  /** purgatory keys it is watched under */
  keys: string[];
  timer: NodeJS.Timeout | null;
  resolve: (outcomes: AppendOutcome[]) => void;
}

const keyOf = (topic: string, partition: number): string => `${partition}:${topic}`;

/** The delayed produces watching one partition. */
interface Watchers {
  topic: string;
  partition: number;
  delayed: Set<DelayedProduce>;
}

export class ProducePurgatory {
  private readonly waiting = new Map<string, Watchers>();

  constructor(private readonly check: PartitionCheck) {}

  /** Number of delayed produces (tests, metrics). */
  get size(): number {
    return this.all().size;
  }

  /**
   * The outcomes at once when every partition is already settled (Kafka's
   * tryCompleteElseWatch), so the response goes out in the same turn; otherwise a promise
   * completed by checkAndComplete or the timeout.
   */
  tryCompleteElseWatch(pending: PendingPartition[], outcomes: AppendOutcome[], timeoutMs: number): AppendOutcome[] | Promise<AppendOutcome[]> {
    const stillWaiting = pending.filter((p) => !this.settle(p));
    if (stillWaiting.length === 0) return outcomes;
    return new Promise<AppendOutcome[]>((resolve) => {
      const keys = stillWaiting.map((p) => keyOf(p.topic, p.partition));
      const delayed: DelayedProduce = { pending: stillWaiting, outcomes, keys, timer: null, resolve };
      delayed.timer = setTimeout(() => this.expire(delayed), Math.max(0, timeoutMs));
      for (const p of stillWaiting) {
        const key = keyOf(p.topic, p.partition);
        let watchers = this.waiting.get(key);
        if (!watchers) this.waiting.set(key, (watchers = { topic: p.topic, partition: p.partition, delayed: new Set() }));
        watchers.delayed.add(delayed);
      }
    });
  }

  /** The partition's high watermark moved (or its leadership changed): complete what it satisfies. */
  checkAndComplete(topic: string, partition: number): void {
    const watchers = this.waiting.get(keyOf(topic, partition));
    if (!watchers) return;
    for (const delayed of [...watchers.delayed]) {
      delayed.pending = delayed.pending.filter((p) => !(p.topic === topic && p.partition === partition && this.settle(p)));
      if (delayed.pending.length === 0) this.complete(delayed);
    }
  }

  /** Re-checks every watched partition (leadership changed somewhere). */
  checkAll(): void {
    for (const { topic, partition } of [...this.waiting.values()]) this.checkAndComplete(topic, partition);
  }

  /** Shutdown: every waiting request answers now (unsatisfied partitions time out). */
  cancelAll(): void {
    for (const delayed of this.all()) this.expire(delayed);
  }

  private all(): Set<DelayedProduce> {
    const all = new Set<DelayedProduce>();
    for (const watchers of this.waiting.values()) for (const d of watchers.delayed) all.add(d);
    return all;
  }

  /** Applies the check; true when the partition is settled (outcome.errorCode set). */
  private settle(p: PendingPartition): boolean {
    const errorCode = this.check(p);
    if (errorCode === null) return false;
    p.outcome.errorCode = errorCode;
    if (errorCode !== ErrorCode.NONE) p.outcome.errorMessage = null;
    return true;
  }

  private expire(delayed: DelayedProduce): void {
    for (const p of delayed.pending) {
      p.outcome.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      p.outcome.errorMessage = null;
    }
    delayed.pending = [];
    this.complete(delayed);
  }

  private complete(delayed: DelayedProduce): void {
    if (delayed.timer !== null) clearTimeout(delayed.timer);
    delayed.timer = null;
    for (const key of delayed.keys) {
      const watchers = this.waiting.get(key);
      if (watchers?.delayed.delete(delayed) && watchers.delayed.size === 0) this.waiting.delete(key);
    }
    delayed.resolve(delayed.outcomes);
  }
}
