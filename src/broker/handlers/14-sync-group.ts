/**
 * SyncGroup (key 14), v0-5: the leader hands in the assignments; every member waits
 * for its own. v3+ carries the static groupInstanceId; v5 checks and returns the
 * protocol type and name.
 */
import { defineHandler } from '../handler.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../../protocol/generated/types.js';

export default defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx, services) {
    const v = ctx.apiVersion;
    const result = await services.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: v >= 3 ? request.groupInstanceId : null,
      protocolType: v >= 5 ? request.protocolType : null,
      protocolName: v >= 5 ? request.protocolName : null,
      assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: result.protocolType,
      protocolName: result.protocolName,
      assignment: result.assignment,
    };
  },
});
