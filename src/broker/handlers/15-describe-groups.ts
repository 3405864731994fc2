/**
 * DescribeGroups (key 15), v0-5: state, protocol and members of each group. An
 * unknown group is reported as state "Dead" with no error (Kafka before v6); member
 * metadata and assignments are only filled while the group is Stable.
 */
import { defineHandler } from '../handler.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../protocol/generated/types.js';
import { OPERATIONS_NOT_REQUESTED } from '../authorized-operations.js';

/** no authorizer: READ, DELETE, DESCRIBE on a group */
const ALL_GROUP_OPERATIONS = [3, 6, 8].reduce((bits, op) => bits | (1 << op), 0);

export default defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx, services) {
    const operations = ctx.apiVersion >= 3 && request.includeAuthorizedOperations ? ALL_GROUP_OPERATIONS : OPERATIONS_NOT_REQUESTED;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const g = services.groups.describeGroup(groupId);
        return {
          errorCode: g.errorCode,
          groupId: g.groupId,
          groupState: g.groupState,
          protocolType: g.protocolType,
          protocolData: g.protocolData,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations: operations,
        };
      }),
    };
  },
});
