/**
 * OffsetForLeaderEpoch (key 23), v2-4: for each partition, the end offset of the
 * requested leader epoch (the start offset of the next higher epoch, or the log end
 * offset for the current one), as Kafka's LeaderEpochFileCache.endOffsetFor answers
 * it. The Java consumer uses it to validate its position after a leader change
 * (KIP-320); it is only sent when v3+ is advertised.
 *
 * Epoch history comes from the log's leader-epoch-checkpoint, or, for a log written
 * before that file existed, from the partitionLeaderEpoch of the batches themselves. The partition's
 * current leader epoch always ends at the log end offset (Kafka records it when the
 * broker becomes leader).
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderEpochResponseEpochEndOffset,
} from '../../protocol/generated/types.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import { leaderEpochsFromBatches, type EpochStartOffset } from '../../storage/batch-headers.js';
import type { BrokerServices } from '../services/index.js';

const UNDEFINED_EPOCH = -1;
const UNDEFINED_EPOCH_OFFSET = -1;

/** The epoch history of the log, with the current leader epoch appended if it wrote nothing yet. */
export function epochHistory(log: PartitionLog, currentLeaderEpoch: number): EpochStartOffset[] {
  let entries: EpochStartOffset[] = log.leaderEpochEntries();
  // A log written before the checkpoint existed still has the epochs in its batches.
  if (entries.length === 0 && log.logEndOffset > log.logStartOffset) {
    entries = leaderEpochsFromBatches(log, log.logStartOffset);
  }
  const latest = entries[entries.length - 1];
  if (currentLeaderEpoch >= 0 && (!latest || currentLeaderEpoch > latest.epoch)) {
    entries = [...entries, { epoch: currentLeaderEpoch, startOffset: log.logEndOffset }];
  }
  return entries;
}

/** Kafka's LeaderEpochFileCache.endOffsetFor: (epoch, endOffset) for a requested epoch. */
export function endOffsetForEpoch(
  entries: readonly EpochStartOffset[],
  requestedEpoch: number,
  logEndOffset: number,
): { leaderEpoch: number; endOffset: number } {
  const undefinedResult = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
  if (requestedEpoch === UNDEFINED_EPOCH || entries.length === 0) return undefinedResult;
  const latest = entries[entries.length - 1]!;
  if (requestedEpoch === latest.epoch) return { leaderEpoch: latest.epoch, endOffset: logEndOffset };
  const higher = entries.find((e) => e.epoch > requestedEpoch);
  if (!higher) return undefinedResult;
  const floor = [...entries].reverse().find((e) => e.epoch <= requestedEpoch);
  // Older than anything known: the requested epoch ends where the first later one starts.
  if (!floor) return { leaderEpoch: requestedEpoch, endOffset: higher.startOffset };
  return { leaderEpoch: floor.epoch, endOffset: higher.startOffset };
}

function answer(
  topic: string,
  partition: number,
  currentLeaderEpoch: number,
  requestedEpoch: number,
  services: BrokerServices,
): OffsetForLeaderEpochResponseEpochEndOffset {
  const result = (errorCode: number) => ({ errorCode, partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: BigInt(UNDEFINED_EPOCH_OFFSET) });
  const found = services.metadata.getPartition(topic, partition);
  if (!found) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const { leader, leaderEpoch } = found.state;
  if (currentLeaderEpoch !== UNDEFINED_EPOCH) {
    if (currentLeaderEpoch < leaderEpoch) return result(ErrorCode.FENCED_LEADER_EPOCH);
    if (currentLeaderEpoch > leaderEpoch) return result(ErrorCode.UNKNOWN_LEADER_EPOCH);
  }
  if (leader !== services.metadata.brokerId || !found.log) return result(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const log = found.log;
  const end = endOffsetForEpoch(epochHistory(log, leaderEpoch), requestedEpoch, log.logEndOffset);
  return { errorCode: ErrorCode.NONE, partition, leaderEpoch: end.leaderEpoch, endOffset: BigInt(end.endOffset) };
}

export default defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: 23,
  minVersion: 2,
  maxVersion: 4,
  handle(request, _ctx, services) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => answer(t.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch, services)),
      })),
    };
  },
});
