/**
 * ListOffsets (key 2), v1-10. Timestamps: -1 latest (high watermark, or the last
 * stable offset for read_committed, v2+), -2 earliest, -3 offset of the max
 * timestamp (v7), -4 earliest local (v8; the log start here, nothing is tiered),
 * -5 latest tiered (v9; no tiered storage, so offset -1); otherwise the first
 * offset whose timestamp is >= the target, found through the time index.
 * v4+: CurrentLeaderEpoch is checked like Fetch does (FENCED_LEADER_EPOCH /
 * UNKNOWN_LEADER_EPOCH). v10 adds TimeoutMs, which only matters for remote
 * (tiered) lookups: every answer here is local and immediate.
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/generated/types.js';
import type { BrokerServices } from '../services/index.js';

const NO_EPOCH = -1;

/** The error for a stale or future CurrentLeaderEpoch, or NONE. */
function leaderEpochError(topic: string, partition: number, currentLeaderEpoch: number, services: BrokerServices): number {
  if (currentLeaderEpoch === NO_EPOCH) return ErrorCode.NONE;
  const found = services.metadata.getPartition(topic, partition);
  if (!found) return ErrorCode.NONE;
  if (currentLeaderEpoch < found.state.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > found.state.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}

export default defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  minVersion: 1,
  maxVersion: 10,
  handle(request, ctx, services) {
    const isolation = request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const epochError = ctx.apiVersion >= 4 ? leaderEpochError(t.name, p.partitionIndex, p.currentLeaderEpoch, services) : 0;
          if (epochError !== ErrorCode.NONE) {
            return { partitionIndex: p.partitionIndex, errorCode: epochError, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
          }
          const outcome = services.data.listOffset(t.name, p.partitionIndex, int64ToNumber(p.timestamp), isolation);
          return {
            partitionIndex: p.partitionIndex,
            errorCode: outcome.errorCode,
            oldStyleOffsets: [],
            timestamp: BigInt(outcome.timestamp),
            offset: BigInt(outcome.offset),
            leaderEpoch: outcome.leaderEpoch,
          };
        }),
      })),
    };
  },
});
