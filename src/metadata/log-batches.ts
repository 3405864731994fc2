/**
 * The raft side of the metadata log's bookkeeping: batches written past the high
 * watermark (decoded once, applied when committed) and where an epoch ends in the log
 * (Kafka's LeaderEpochFileCache.endOffsetFor with KafkaMetadataLog's snapshot override),
 * the answer a leader gives a follower whose last fetched epoch it does not share.
 */
import { decodeMetadataRecord, type MetadataRecord } from '../protocol/metadata-records.js';
import { decodeRecordBatch } from '../protocol/records/record.js';
import type { SnapshotId } from './snapshot-file.js';

/** A batch in the log past the high watermark: written, not yet committed. */
export interface PendingBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly epoch: number;
  readonly control: boolean;
  /** the metadata records (none for a control batch), as a reader of the log decodes them */
  readonly records: readonly MetadataRecord[];
  readonly maxTimestamp: number;
  readonly sizeInBytes: number;
}

/** Where an epoch ends in this log (Kafka's OffsetAndEpoch from endOffsetForEpoch). */
export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/** Decodes the batches of `bytes` (whole batches, CRC already checked) into pending batches. */
export function decodeBatches(bytes: Buffer, dir: string, fromOffset = 0): PendingBatch[] {
  const out: PendingBatch[] = [];
  let pos = 0;
  while (pos + 12 <= bytes.length) {
    const size = bytes.readInt32BE(pos + 8) + 12;
    if (pos + size > bytes.length) break;
    const batch = decodeRecordBatch(bytes.subarray(pos, pos + size));
    pos += size;
    if (batch.header.lastOffset < fromOffset) continue;
    const records: MetadataRecord[] = [];
    if (!batch.header.isControl) {
      for (const r of batch.records) {
        if (r.value === null) throw new Error(`${dir}: record at offset ${r.offset} has no value`);
        records.push(decodeMetadataRecord(r.value));
      }
    }
    out.push({
      baseOffset: batch.header.baseOffset,
      lastOffset: batch.header.lastOffset,
      epoch: batch.header.partitionLeaderEpoch,
      control: batch.header.isControl,
      records,
      maxTimestamp: batch.header.maxTimestamp,
      sizeInBytes: size,
    });
  }
  return out;
}

/**
 * Where `epoch` ends given the log's epoch entries (oldest first): the largest epoch not
 * above it and the offset the next epoch starts at (the log end for the latest); for an
 * epoch older than the log, the snapshot at the log start when there is one.
 */
export function endOffsetFor(
  epoch: number,
  entries: readonly { epoch: number; startOffset: number }[],
  logEndOffset: number,
  lastFetchedEpoch: number,
  snapshot: SnapshotId | undefined,
): EpochEndOffset {
  const latestEntry = entries[entries.length - 1];
  if (latestEntry === undefined) return { epoch: lastFetchedEpoch, endOffset: logEndOffset };
  if (epoch === latestEntry.epoch) return { epoch, endOffset: logEndOffset };
  const higher = entries.find((e) => e.epoch > epoch);
  if (higher === undefined) return { epoch: latestEntry.epoch, endOffset: logEndOffset };
  const floor = [...entries].reverse().find((e) => e.epoch <= epoch);
  if (floor === undefined) {
    if (snapshot !== undefined && snapshot.endOffset === higher.startOffset) return { epoch: snapshot.epoch, endOffset: snapshot.endOffset };
    return { epoch, endOffset: higher.startOffset };
  }
  return { epoch: floor.epoch, endOffset: higher.startOffset };
}
