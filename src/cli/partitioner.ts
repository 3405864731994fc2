/**
 * The console producer's partitioner, as Kafka's producer picks partitions
 * (BuiltInPartitioner, KIP-480 / KIP-794):
 *  - a record with a key goes to toPositive(murmur2(key)) % numPartitions, the same
 *    partition a Java producer picks for that key (kafkajs' DefaultPartitioner is that
 *    murmur2, formerly named JavaCompatiblePartitioner);
 *  - records without a key stick to one partition, chosen at random among those with a
 *    leader, until about batch.size bytes went there; then another is chosen. A short
 *    piped input therefore lands on one partition and reads back in order.
 *
 * kafkajs asks the partitioner record by record inside send(), possibly after awaits and
 * again on retries, so the sticky choice is not kept as "the current partition" (sends in
 * flight would interleave) but tied to the records: the producer groups keyless records
 * into sticky batches as it reads them (`assign`), and the partitioner resolves a batch
 * to a partition once, on first use.
 */
import kafkajs from 'kafkajs';
import type { ICustomPartitioner, Message, PartitionerArgs, PartitionMetadata } from 'kafkajs';

const { Partitioners } = kafkajs;

/** Keyless records that go to the same partition; the partition is chosen when kafkajs first asks. */
interface StickyBatch {
  partition?: number;
}

/**
 * Where a record notes its sticky batch: a symbol-keyed field on the message object
 * kafkajs hands back to the partitioner (it encodes only the fields it knows). A WeakMap
 * did the same at several times the cost for a million piped lines.
 */
const STICKY_BATCH = Symbol('stickyBatch');
type StickyMessage = Message & { [STICKY_BATCH]?: StickyBatch };

export interface StickyPartitionerOptions {
  /** batch.size: bytes of keyless records sent to one partition before switching (Kafka's stickyBatchSize) */
  stickyBatchBytes: number;
  /** partitioner.ignore.keys=true: keyed records are spread like keyless ones */
  ignoreKeys?: boolean;
  /** a non-negative integer below 2^31, as Utils.toPositive(ThreadLocalRandom.nextInt()) */
  random?: () => number;
}

/** Roughly the bytes of a value (string length: counting UTF-8 bytes exactly costs more than it is worth here). */
function size(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? v.length : Buffer.isBuffer(v) ? v.length : String(v).length;
}

/** Approximate bytes a record takes in a batch (key, value, headers and a few bytes of framing). */
function recordBytes(message: Message): number {
  let bytes = 8 + size(message.key) + size(message.value);
  if (message.headers) {
    for (const name in message.headers) {
      const value = message.headers[name];
      for (const v of Array.isArray(value) ? value : [value]) bytes += 2 + name.length + size(v);
    }
  }
  return bytes;
}

export class StickyPartitioner {
  private current: StickyBatch = {};
  private currentBytes = 0;
  private readonly keyed = Partitioners.DefaultPartitioner();
  private readonly random: () => number;

  constructor(private readonly options: StickyPartitionerOptions) {
    this.random = options.random ?? (() => Math.floor(Math.random() * 0x80000000));
  }

  private hasKey(message: Message): boolean {
    return !this.options.ignoreKeys && message.key !== null && message.key !== undefined;
  }

  /**
   * Records a message in the sticky batch being filled (keyless records only); call in
   * the order records are read. A batch closes once it holds batch.size bytes.
   */
  assign(message: Message): void {
    if (this.hasKey(message)) return;
    (message as StickyMessage)[STICKY_BATCH] = this.current;
    this.currentBytes += recordBytes(message);
    if (this.currentBytes >= this.options.stickyBatchBytes) {
      this.current = {};
      this.currentBytes = 0;
    }
  }

  /** The kafkajs partitioner: the producer's `createPartitioner` option. */
  readonly createPartitioner: ICustomPartitioner = () => {
    const keyed = this.keyed;
    return (args: PartitionerArgs): number => {
      const { message, partitionMetadata } = args;
      if (message.partition !== undefined && message.partition !== null) return message.partition;
      if (this.hasKey(message)) return keyed(args);
      const sticky = message as StickyMessage;
      // a record the producer did not assign: a batch of its own
      const batch = sticky[STICKY_BATCH] ??= {};
      // partitions are never removed from a topic, so a choice stays valid; check cheaply anyway
      if (batch.partition === undefined || batch.partition >= partitionMetadata.length) {
        batch.partition = this.pick(partitionMetadata);
      }
      return batch.partition;
    };
  };

  /** Uniformly among partitions with a leader; among all when none has one (BuiltInPartitioner.nextPartition). */
  private pick(partitions: readonly PartitionMetadata[]): number {
    const available = partitions.filter((p) => p.leader >= 0);
    const from = available.length > 0 ? available : partitions;
    const sorted = [...from].sort((a, b) => a.partitionId - b.partitionId);
    return sorted[this.random() % sorted.length].partitionId;
  }
}

