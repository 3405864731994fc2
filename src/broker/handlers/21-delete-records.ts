/**
 * DeleteRecords (key 21), v0-2: moves a partition's log start offset forward
 * (offset -1 = the high watermark); whole segments below it are deleted.
 */
import { defineHandler, int64ToNumber } from '../handler.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/generated/types.js';

export default defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  handle(request, _ctx, services) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const outcome = services.data.deleteRecords(t.name, p.partitionIndex, int64ToNumber(p.offset));
          return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(outcome.lowWatermark), errorCode: outcome.errorCode };
        }),
      })),
    } as unknown as DeleteRecordsResponse;
  },
});
