/** ListGroups (key 16), v0-5: every group; v4 adds the state filter, v5 the type filter. */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../../protocol/generated/types.js';

export default defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx, services) {
    const groups = services.groups.listGroups(
      ctx.apiVersion >= 4 ? request.statesFilter : [],
      ctx.apiVersion >= 5 ? request.typesFilter : [],
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.groupState, groupType: g.groupType })),
    };
  },
});
