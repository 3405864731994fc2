/**
 * LeaveGroup (key 13), v0-5: v0-2 remove one member (its error is the response
 * error); v3+ remove a batch of members, each with its own error; v5 adds a reason.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/generated/types.js';

export default defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx, services) {
    if (ctx.apiVersion < 3) {
      const result = services.groups.leaveGroup(request.groupId, [{ memberId: request.memberId, groupInstanceId: null }]);
      const memberError = result.members[0]?.errorCode ?? ErrorCode.NONE;
      return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError, members: [] };
    }
    const result = services.groups.leaveGroup(
      request.groupId,
      request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason })),
    );
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
  },
});
