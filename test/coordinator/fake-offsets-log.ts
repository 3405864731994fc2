/** An in-memory OffsetsLog for coordinator tests: assigns offsets like appendAsLeader. */
import { iterateBatches, setBaseOffset } from '../../src/protocol/records/batch.js';
import type { OffsetsLog } from '../../src/coordinator/offsets-log.js';

export class FakeOffsetsLog implements OffsetsLog {
  readonly partitions: { baseOffset: number; bytes: Buffer }[][];
  private readonly ends: number[];
  ready = false;
  appends = 0;

  constructor(readonly numPartitions: number) {
    this.partitions = Array.from({ length: numPartitions }, () => []);
    this.ends = Array.from({ length: numPartitions }, () => 0);
  }

  ensureReady(): void {
    this.ready = true;
  }

  append(partition: number, batch: Buffer): void {
    if (!this.ready) throw new Error('append before ensureReady');
    const copy = Buffer.from(batch);
    let next = this.ends[partition]!;
    const views = [...iterateBatches(copy)];
    for (const view of views) {
      setBaseOffset(copy, view.position, next);
      next += view.header.lastOffsetDelta + 1;
    }
    this.partitions[partition]!.push({ baseOffset: this.ends[partition]!, bytes: copy });
    this.ends[partition] = next;
    this.appends++;
  }

  read(partition: number, fromOffset: number, maxBytes: number): Buffer {
    const out: Buffer[] = [];
    let size = 0;
    for (const b of this.partitions[partition]!) {
      for (const view of iterateBatches(b.bytes)) {
        if (view.header.lastOffset < fromOffset) continue;
        if (size > 0 && size + view.bytes.length > maxBytes) return Buffer.concat(out);
        out.push(view.bytes);
        size += view.bytes.length;
      }
    }
    return Buffer.concat(out);
  }

  logStartOffset(): number {
    return 0;
  }

  logEndOffset(partition: number): number {
    return this.ends[partition]!;
  }
}
