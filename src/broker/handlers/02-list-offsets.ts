/**
 * ListOffsets (key 2), v1-7. Timestamps: -1 latest (high watermark, or the last
 * stable offset for read_committed, v2+), -2 earliest, -3 offset of the max
 * timestamp (v7); otherwise the first offset whose timestamp is >= the target,
 * found through the time index.
 */
import { defineHandler } from '../handler.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/generated/types.js';

export default defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  minVersion: 1,
  maxVersion: 7,
  handle(request, _ctx, services) {
    const isolation = request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const outcome = services.data.listOffset(t.name, p.partitionIndex, Number(p.timestamp), isolation);
          return {
            partitionIndex: p.partitionIndex,
            errorCode: outcome.errorCode,
            timestamp: BigInt(outcome.timestamp),
            offset: BigInt(outcome.offset),
            leaderEpoch: outcome.leaderEpoch,
          };
        }),
      })),
    } as unknown as ListOffsetsResponse;
  },
});
