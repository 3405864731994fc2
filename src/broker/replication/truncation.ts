/**
 * Where a follower cuts its log before fetching from a new leader (KIP-101, KIP-279;
 * Kafka's AbstractFetcherThread.getOffsetTruncationState). The follower asks the leader
 * (OffsetForLeaderEpoch, key 23) for the end offset of its own latest epoch; records past
 * it were never part of the leader's log and go. When the leader answers with an older
 * epoch that the follower does not know as such, the follower first cuts to the end of
 * its own largest epoch below that one and asks again.
 */
import type { PartitionLog } from '../../storage/partition-log.js';
import { leaderEpochsFromBatches, type EpochStartOffset } from '../../storage/batch-headers.js';
import { endOffsetForEpoch } from '../handlers/23-offset-for-leader-epoch.js';

const UNDEFINED_EPOCH = -1;
const UNDEFINED_EPOCH_OFFSET = -1;

/** The follower's epoch history: its leader-epoch-checkpoint, or the epochs in its batches for an older log. */
export function followerEpochs(log: PartitionLog): EpochStartOffset[] {
  const entries = log.leaderEpochEntries();
  if (entries.length > 0 || log.logEndOffset <= log.logStartOffset) return entries;
  return leaderEpochsFromBatches(log, log.logStartOffset);
}

/** The epoch the follower asks the leader about: its latest, or null when it has none. */
export function latestEpochOf(log: PartitionLog): number | null {
  const entries = followerEpochs(log);
  return entries.length === 0 ? null : entries[entries.length - 1]!.epoch;
}

export interface TruncationDecision {
  /** the offset to truncate the log to (nothing happens when at or past its end) */
  offset: number;
  /** false: truncate, then ask the leader again with the new latest epoch */
  completed: boolean;
}

/** The truncation for the leader's answer (leaderEpoch, endOffset) to the follower's latest epoch. */
export function truncationFor(log: PartitionLog, leader: { leaderEpoch: number; endOffset: number }): TruncationDecision {
  const replicaEnd = log.logEndOffset;
  if (leader.endOffset === UNDEFINED_EPOCH_OFFSET) {
    // the leader knows nothing of the epoch: only the high watermark is known to be shared
    return { offset: Math.min(log.highWatermark, replicaEnd), completed: true };
  }
  if (leader.leaderEpoch === UNDEFINED_EPOCH) {
    return { offset: Math.min(leader.endOffset, replicaEnd), completed: true };
  }
  const entries = followerEpochs(log);
  if (entries.length === 0) return { offset: Math.min(leader.endOffset, replicaEnd), completed: true };
  const own = endOffsetForEpoch(entries, leader.leaderEpoch, replicaEnd);
  if (own.leaderEpoch === UNDEFINED_EPOCH) {
    // the follower did not track epochs back then: the leader's end offset is the safe point
    return { offset: Math.min(leader.endOffset, replicaEnd), completed: true };
  }
  if (own.leaderEpoch !== leader.leaderEpoch) {
    return { offset: Math.min(own.endOffset, replicaEnd), completed: false };
  }
  return { offset: Math.min(own.endOffset, leader.endOffset, replicaEnd), completed: true };
}
