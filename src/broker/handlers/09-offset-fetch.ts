/**
 * OffsetFetch (key 9), v1-9: a group's committed offsets. v2+ accepts null topics
 * (= every partition the group committed) and has a top-level error; v5+ returns the
 * leader epoch; v7 adds requireStable (offsets pending in an open transaction answer
 * UNSTABLE_OFFSET_COMMIT);
 * v8+ batches several groups.
 */
import { defineHandler } from '../handler.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../../protocol/generated/types.js';
import type { FetchedOffset, GroupService } from '../services/group-service.js';

function fetchGroup(
  groups: GroupService,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
  requireStable: boolean,
) {
  return groups.fetchOffsets(
    groupId,
    topics === null ? null : topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes })),
    requireStable,
  );
}

function partitionResult(p: FetchedOffset) {
  return {
    partitionIndex: p.partition,
    committedOffset: BigInt(p.offset),
    committedLeaderEpoch: p.leaderEpoch,
    metadata: p.metadata,
    errorCode: p.errorCode,
  };
}

export default defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  minVersion: 1,
  maxVersion: 9,
  handle(request, ctx, services) {
    if (ctx.apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        topics: [],
        groups: request.groups.map((g) => {
          const result = fetchGroup(services.groups, g.groupId, g.topics, request.requireStable);
          return {
            groupId: g.groupId,
            errorCode: result.errorCode,
            topics: result.topics.map((t) => ({ name: t.name, partitions: t.partitions.map(partitionResult) })),
          };
        }),
      };
    }
    // v1 cannot say "all topics"; treat its (non-null) list as given.
    const result = fetchGroup(
      services.groups,
      request.groupId,
      ctx.apiVersion >= 2 ? request.topics : (request.topics ?? []),
      ctx.apiVersion >= 7 && request.requireStable,
    );
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      groups: [],
      topics: result.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const r = partitionResult(p);
          // v1 has no top-level error: a group error goes on each partition
          if (ctx.apiVersion < 2 && result.errorCode !== 0) r.errorCode = result.errorCode;
          return r;
        }),
      })),
    };
  },
});
