/**
 * Long-poll Fetch waiters (Kafka's "delayed fetch" purgatory): a fetch that has
 * fewer than MinBytes waits until one of its partitions gets an append, or
 * until MaxWaitMs passes. Waiters are woken, not completed here; the Fetch
 * handler re-reads and decides whether to answer or wait again.
 */
import type { TopicPartitionRef } from './services/partition-data-service.js';

interface Waiter {
  keys: string[];
  timer: NodeJS.Timeout;
  resolve: () => void;
}

const keyOf = (topic: string, partition: number): string => `${partition}:${topic}`;

export class FetchPurgatory {
  private readonly waiters = new Map<string, Set<Waiter>>();

  wait(partitions: TopicPartitionRef[], timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        keys: partitions.map((p) => keyOf(p.topic, p.partition)),
        timer: setTimeout(() => this.complete(waiter), Math.max(0, timeoutMs)),
        resolve,
      };
      for (const key of waiter.keys) {
        let set = this.waiters.get(key);
        if (!set) this.waiters.set(key, (set = new Set()));
        set.add(waiter);
      }
    });
  }

  notify(topic: string, partition: number): void {
    const set = this.waiters.get(keyOf(topic, partition));
    if (!set) return;
    for (const waiter of [...set]) this.complete(waiter);
  }

  cancelAll(): void {
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) this.complete(waiter);
  }

  private complete(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    for (const key of waiter.keys) {
      const set = this.waiters.get(key);
      if (!set) continue;
      set.delete(waiter);
      if (set.size === 0) this.waiters.delete(key);
    }
    waiter.resolve();
  }
}
