/**
 * Per-partition error codes collected from several paths (validation in the
 * handler, results from a coordinator) and answered in the order the request
 * listed them, as OffsetCommit and TxnOffsetCommit responses must be.
 */
import { ErrorCode } from '../protocol/errors.js';

export class PartitionErrors {
  private readonly codes = new Map<string, number>();

  private static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  set(topic: string, partition: number, errorCode: number): void {
    this.codes.set(PartitionErrors.key(topic, partition), errorCode);
  }

  setAll(results: readonly { name: string; partitions: readonly { partition: number; errorCode: number }[] }[]): void {
    for (const t of results) for (const p of t.partitions) this.set(t.name, p.partition, p.errorCode);
  }

  /** The request's topics and partitions with their codes; a partition nobody answered is unknown. */
  inRequestOrder(
    requestTopics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[],
  ): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
    return requestTopics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: this.codes.get(PartitionErrors.key(t.name, p.partitionIndex)) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      })),
    }));
  }
}
