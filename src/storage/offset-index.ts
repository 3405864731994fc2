/**
 * Offset index of one log segment (`<baseOffset>.index`): a sparse map from offset to
 * file position. Format, as Kafka writes it: 8-byte entries of relative offset int32
 * (offset - segment baseOffset) + physical position int32, both strictly increasing.
 * The broker adds an entry whenever more than index.interval.bytes have been appended
 * since the last one, keyed by the batch's last offset and pointing at the batch start.
 */
import { IndexFile } from './index-file.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends IndexFile<OffsetPosition> {
  /** Opens (or creates) the index file and loads its entries; `truncate` starts it empty. */
  static open(path: string, baseOffset: number, maxIndexSizeBytes: number, truncate = false): OffsetIndex {
    return new OffsetIndex(path, baseOffset, maxIndexSizeBytes, OFFSET_INDEX_ENTRY_SIZE, IndexFile.openFile(path, truncate), truncate);
  }

  protected decode(buf: Buffer, at: number): OffsetPosition {
    return { offset: this.baseOffset + buf.readInt32BE(at), position: buf.readInt32BE(at + 4) };
  }

  protected encode(buf: Buffer, at: number, entry: OffsetPosition): void {
    buf.writeInt32BE(entry.offset - this.baseOffset, at);
    buf.writeInt32BE(entry.position, at + 4);
  }

  append(offset: number, position: number): void {
    const last = this.lastEntry();
    if (last !== null && (offset <= last.offset || position <= last.position)) return;
    this.appendEntry({ offset, position });
  }

  /** Largest entry with offset <= target, or null when every entry is above it. */
  lookup(targetOffset: number): OffsetPosition | null {
    return this.lastWhere((e) => e.offset <= targetOffset);
  }

  /** Drops entries pointing at or after `position` (the log was truncated there). */
  truncateToPosition(position: number): void {
    this.truncateWhile((e) => e.position >= position);
  }

  /**
   * Kafka's sanity check: whole entries, offsets and positions strictly increasing,
   * positions inside the log file.
   */
  isConsistent(logSize: number): boolean {
    return this.everyEntry(
      (e) => e.offset >= this.baseOffset && e.position >= 0 && e.position < logSize,
      (prev, e) => e.offset > prev.offset && e.position > prev.position,
    );
  }
}
