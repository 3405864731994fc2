/**
 * DescribeAcls (key 29), v0-3: the ACL bindings matching a filter (ANY / MATCH / LITERAL /
 * PREFIXED patterns, principal, host, operation, permission), grouped by resource
 * pattern. Needs DESCRIBE on the cluster (security/api-authorization.ts); without an
 * authorizer the answer is SECURITY_DISABLED.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeAclsRequest, DescribeAclsResponse } from '../../protocol/generated/types.js';
import { filterMatches } from '../security/acl.js';

export default defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: 29,
  minVersion: 0,
  maxVersion: 3,
  handle(request, _ctx, services) {
    const store = services.security;
    if (!services.authorizer || !store) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] };
    }
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    };
    const resources = new Map<string, DescribeAclsResponse['resources'][number]>();
    for (const acl of store.securityImage().acls.values()) {
      if (!filterMatches(acl, filter)) continue;
      const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
      let resource = resources.get(key);
      if (!resource) {
        resource = { resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, acls: [] };
        resources.set(key, resource);
      }
      resource.acls.push({ principal: acl.principal, host: acl.host, operation: acl.operation, permissionType: acl.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...resources.values()] };
  },
});
