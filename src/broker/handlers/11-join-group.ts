/**
 * JoinGroup (key 11), v0-9: joins a classic group and parks until the rebalance
 * completes. v0 has no rebalance timeout (the session timeout is used); v4+ first
 * joins get MEMBER_ID_REQUIRED with an id to rejoin with; v5+ static membership;
 * v7+ returns the protocol type and allows a null protocol name.
 */
import { defineHandler } from '../handler.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../protocol/generated/types.js';

export default defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: 11,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx, services) {
    const v = ctx.apiVersion;
    const result = await services.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: v >= 5 ? request.groupInstanceId : null,
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: v >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      requireKnownMemberId: v >= 4,
      reason: v >= 8 ? request.reason : null,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // before v7 the protocol name is not nullable
      protocolName: v >= 7 ? result.protocolName : (result.protocolName ?? ''),
      leader: result.leader,
      skipAssignment: result.skipAssignment,
      memberId: result.memberId,
      members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  },
});
