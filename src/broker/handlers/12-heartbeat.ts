/** Heartbeat (key 12), v0-4: keeps a member alive; v3+ carries the static groupInstanceId. */
import { defineHandler } from '../handler.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../../protocol/generated/types.js';

export default defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx, services) {
    const errorCode = services.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: ctx.apiVersion >= 3 ? request.groupInstanceId : null,
    });
    return { throttleTimeMs: 0, errorCode };
  },
});
