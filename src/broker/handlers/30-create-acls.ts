/**
 * CreateAcls (key 30), v0-3: adds ACL bindings as AccessControlEntryRecords in the
 * metadata log (StandardAuthorizer's store). Needs ALTER on the cluster (checked in
 * security/api-authorization.ts). An invalid binding is answered INVALID_REQUEST with
 * the reason; a binding that already exists is left as it is; without an authorizer the
 * answer is SECURITY_DISABLED, as in Kafka.
 */
import crypto from 'node:crypto';
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import { metadataRecord, type MetadataRecord } from '../../protocol/metadata-records.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../../protocol/generated/types.js';
import { invalidBinding, type AclBinding } from '../security/acl.js';

const sameBinding = (a: AclBinding, b: AclBinding): boolean =>
  a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType &&
  a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;

/** A random ACL id (22-char base64url, as topic ids), never the zero id. */
function aclId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (id !== 'AAAAAAAAAAAAAAAAAAAAAA' && !id.startsWith('-')) return id;
  }
}

export default defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, _ctx, services) {
    const store = services.security;
    if (!services.authorizer || !store) {
      return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker' })) };
    }
    const existing = [...store.securityImage().acls.values()];
    const records: MetadataRecord[] = [];
    const results = request.creations.map((c) => {
      const binding: AclBinding = {
        resourceType: c.resourceType,
        resourceName: c.resourceName,
        patternType: c.resourcePatternType,
        principal: c.principal,
        host: c.host,
        operation: c.operation,
        permissionType: c.permissionType,
      };
      const invalid = invalidBinding(binding);
      if (invalid) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid };
      if (!existing.some((e) => sameBinding(e, binding))) {
        existing.push({ ...binding, id: '' });
        records.push(metadataRecord('AccessControlEntryRecord', { id: aclId(), ...binding }));
      }
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    });
    if (records.length > 0) await store.appendSecurityRecords(records);
    return { throttleTimeMs: 0, results };
  },
});
