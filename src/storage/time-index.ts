/**
 * Time index of one log segment (`<baseOffset>.timeindex`): 12-byte entries of
 * timestamp int64 + relative offset int32, as Kafka writes them. Timestamps strictly
 * increase: an entry is added only when the segment's max timestamp so far grew, and
 * maps it to the offset of the batch that carried it. Searching it bounds the scan for
 * ListOffsets by timestamp.
 */
import { IndexFile } from './index-file.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends IndexFile<TimestampOffset> {
  static open(path: string, baseOffset: number, maxIndexSizeBytes: number, truncate = false): TimeIndex {
    return new TimeIndex(path, baseOffset, maxIndexSizeBytes, TIME_INDEX_ENTRY_SIZE, IndexFile.openFile(path, truncate), truncate);
  }

  protected decode(buf: Buffer, at: number): TimestampOffset {
    return { timestamp: Number(buf.readBigInt64BE(at)), offset: this.baseOffset + buf.readInt32BE(at + 8) };
  }

  protected encode(buf: Buffer, at: number, entry: TimestampOffset): void {
    buf.writeBigInt64BE(BigInt(entry.timestamp), at);
    buf.writeInt32BE(entry.offset - this.baseOffset, at + 8);
  }

  /** Appends when `timestamp` is above the last entry's (Kafka's maybeAppend). */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry();
    if (timestamp < 0 || (last !== null && (timestamp <= last.timestamp || offset < last.offset))) return;
    this.appendEntry({ timestamp, offset });
  }

  /**
   * Largest entry whose timestamp is strictly below `timestamp`: every batch up to its
   * offset has a smaller max timestamp, so a search may start there. Null: start at the
   * segment's beginning.
   */
  lookupBefore(timestamp: number): TimestampOffset | null {
    return this.lastWhere((e) => e.timestamp < timestamp);
  }

  /** Drops entries whose offset is >= `offset`. */
  truncateToOffset(offset: number): void {
    this.truncateWhile((e) => e.offset >= offset);
  }

  /** Timestamps strictly increasing, offsets non-decreasing and below `nextOffset`. */
  isConsistent(nextOffset: number): boolean {
    return this.everyEntry(
      (e) => e.offset >= this.baseOffset && e.offset < nextOffset,
      (prev, e) => e.timestamp > prev.timestamp && e.offset >= prev.offset,
    );
  }
}
