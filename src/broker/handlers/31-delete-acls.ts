/**
 * DeleteAcls (key 31), v0-3: removes every binding each filter matches
 * (RemoveAccessControlEntryRecords) and answers them per filter. Needs ALTER on the
 * cluster (security/api-authorization.ts); without an authorizer: SECURITY_DISABLED.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import { metadataRecord } from '../../protocol/metadata-records.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../../protocol/generated/types.js';
import { filterMatches } from '../security/acl.js';

export default defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: 31,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, _ctx, services) {
    const store = services.security;
    if (!services.authorizer || !store) {
      return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', matchingAcls: [] })) };
    }
    const acls = [...store.securityImage().acls.values()];
    const removed = new Set<string>();
    const filterResults = request.filters.map((f) => {
      const filter = {
        resourceType: f.resourceTypeFilter,
        resourceName: f.resourceNameFilter,
        patternType: f.patternTypeFilter,
        principal: f.principalFilter,
        host: f.hostFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      };
      const matching = acls.filter((acl) => filterMatches(acl, filter));
      for (const acl of matching) removed.add(acl.id);
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: matching.map((acl) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: acl.resourceType,
          resourceName: acl.resourceName,
          patternType: acl.patternType,
          principal: acl.principal,
          host: acl.host,
          operation: acl.operation,
          permissionType: acl.permissionType,
        })),
      };
    });
    if (removed.size > 0) await store.appendSecurityRecords([...removed].map((id) => metadataRecord('RemoveAccessControlEntryRecord', { id })));
    return { throttleTimeMs: 0, filterResults };
  },
});
