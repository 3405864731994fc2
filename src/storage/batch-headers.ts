/**
 * Header-only scans of a partition log: batch headers from an offset to the log
 * end, read 61 bytes at a time without loading record data. Used to rebuild
 * producer state after the latest `.snapshot` and to derive leader epochs from
 * the partitionLeaderEpoch each batch carries.
 */
import type { BatchHeader } from '../protocol/records/batch.js';
import type { PartitionLog } from './partition-log.js';

/** Headers of the batches whose lastOffset >= `fromOffset`, in log order. */
export function* batchHeadersFrom(log: PartitionLog, fromOffset: number): Generator<BatchHeader> {
  const start = Math.max(fromOffset, log.logStartOffset);
  const bases = log.segmentBaseOffsets();
  for (let i = 0; i < bases.length; i++) {
    const next = bases[i + 1];
    if (next !== undefined && next <= start) continue;
    const segment = log.segmentFor(bases[i]!);
    const first = segment.lookup(Math.max(start, segment.baseOffset));
    if (first === null) continue;
    let position = first.position;
    for (let header: BatchHeader | null = first.header; header !== null; header = segment.readHeaderAt(position)) {
      if (header.lastOffset >= start) yield header;
      position += header.sizeInBytes;
    }
  }
}

/** One entry of a leader-epoch history: the epoch and the first offset written in it. */
export interface EpochStartOffset {
  epoch: number;
  startOffset: number;
}

/** The leader epochs found in batch headers from `fromOffset`, each with its first offset. */
export function leaderEpochsFromBatches(log: PartitionLog, fromOffset = 0): EpochStartOffset[] {
  const entries: EpochStartOffset[] = [];
  for (const header of batchHeadersFrom(log, fromOffset)) {
    const last = entries[entries.length - 1];
    // Epochs only grow along the log; a lower one (an old follower batch) adds nothing.
    if (header.partitionLeaderEpoch >= 0 && (!last || header.partitionLeaderEpoch > last.epoch)) {
      entries.push({ epoch: header.partitionLeaderEpoch, startOffset: header.baseOffset });
    }
  }
  return entries;
}
