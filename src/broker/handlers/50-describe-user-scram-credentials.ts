/**
 * DescribeUserScramCredentials (key 50), v0: each user's SCRAM mechanisms and iteration
 * counts (never salts or keys), all users when the request names none. Needs DESCRIBE on
 * the cluster. A named user without credentials: RESOURCE_NOT_FOUND; named twice:
 * DUPLICATE_RESOURCE (KIP-554).
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../../protocol/generated/types.js';
import { AclOperation } from '../security/acl.js';
import { isClusterAllowed } from '../security/request-authorization.js';

export default defineHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>({
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx, services) {
    if (!isClusterAllowed(ctx, services, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, results: [] };
    }
    const scram = services.security?.securityImage().scram ?? new Map();
    const infos = (user: string) => [...(scram.get(user) ?? new Map()).entries()].sort(([a], [b]) => a - b).map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
    if (request.users === null || request.users.length === 0) {
      const results = [...scram.keys()].sort().map((user) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(user) }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
    }
    const counts = new Map<string, number>();
    for (const u of request.users) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
    const results = [...counts.keys()].map((user) => {
      if (counts.get(user)! > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request', credentialInfos: [] };
      if (!scram.has(user)) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist', credentialInfos: [] };
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(user) };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
