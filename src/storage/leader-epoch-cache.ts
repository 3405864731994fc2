/**
 * `leader-epoch-checkpoint` of one partition directory (Kafka's LeaderEpochFileCache):
 * which leader epoch started at which offset. File format, as Kafka writes it: a
 * version line "0", a count line, then one "epoch startOffset" line per entry, oldest
 * first; rewritten atomically whenever the entries change (only on a new epoch, a
 * truncation or a log start move, so never per batch in steady state).
 *
 * Entries have strictly increasing epochs and start offsets. Owned by its PartitionLog;
 * single writer, not concurrency-safe.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './checkpoint-file.js';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private epochs: EpochEntry[];

  private constructor(
    readonly path: string,
    epochs: EpochEntry[],
  ) {
    this.epochs = epochs;
  }

  /** Loads `<dir>/leader-epoch-checkpoint`; a missing or unreadable file starts empty (warned). */
  static load(dir: string, onWarning: (msg: string) => void = () => {}): LeaderEpochCache {
    const path = join(dir, LEADER_EPOCH_CHECKPOINT_FILE);
    if (!existsSync(path)) return new LeaderEpochCache(path, []);
    try {
      return new LeaderEpochCache(path, parseLeaderEpochCheckpoint(readFileSync(path, 'utf8')));
    } catch (err) {
      onWarning(`${path}: ${(err as Error).message}; starting with no leader epochs`);
      return new LeaderEpochCache(path, []);
    }
  }

  entries(): EpochEntry[] {
    return this.epochs.map((e) => ({ ...e }));
  }

  get latestEpoch(): number | null {
    return this.epochs[this.epochs.length - 1]?.epoch ?? null;
  }

  /**
   * Records that `epoch` starts at `startOffset`. Ignored for negative epochs (clients'
   * "no epoch") and for an epoch not above the latest one (it is already recorded).
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const latest = this.epochs[this.epochs.length - 1];
    if (latest !== undefined && epoch <= latest.epoch) return;
    // A later epoch cannot start before an earlier one; drop entries it contradicts.
    this.epochs = this.epochs.filter((e) => e.startOffset < startOffset);
    this.epochs.push({ epoch, startOffset });
    this.write();
  }

  /** The log was truncated to `endOffset`: entries starting at or after it go. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.epochs.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.epochs.length) return;
    this.epochs = kept;
    this.write();
  }

  /**
   * The log start moved to `startOffset`: entries wholly below it go, and the epoch
   * covering it now starts there (Kafka's truncateFromStart).
   */
  truncateFromStart(startOffset: number): void {
    let firstKept = 0;
    while (firstKept + 1 < this.epochs.length && this.epochs[firstKept + 1]!.startOffset <= startOffset) firstKept++;
    const first = this.epochs[firstKept];
    if (first === undefined || (firstKept === 0 && first.startOffset >= startOffset)) return;
    this.epochs = this.epochs.slice(firstKept);
    if (first.startOffset < startOffset) this.epochs[0] = { epoch: first.epoch, startOffset };
    this.write();
  }

  /** Forgets everything (the log was restarted at a new offset). */
  clear(): void {
    if (this.epochs.length === 0 && existsSync(this.path)) return;
    this.epochs = [];
    this.write();
  }

  private write(): void {
    const lines = this.epochs.map((e) => `${e.epoch} ${e.startOffset}`);
    writeFileAtomically(this.path, ['0', String(lines.length), ...lines].join('\n') + '\n');
  }
}

/** Parses the checkpoint text; throws on a bad version, count or line. */
export function parseLeaderEpochCheckpoint(text: string): EpochEntry[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== '0') throw new Error(`unsupported version ${JSON.stringify(lines[0])}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) {
    throw new Error(`expected ${lines[1]} entries, found ${lines.length - 2}`);
  }
  return lines.slice(2).map((line) => {
    const [epoch, startOffset, extra] = line.trim().split(/\s+/).map(Number);
    if (extra !== undefined || !Number.isInteger(epoch) || !Number.isSafeInteger(startOffset)) {
      throw new Error(`malformed line ${JSON.stringify(line)}`);
    }
    return { epoch: epoch!, startOffset: startOffset! };
  });
}
