/**
 * AlterUserScramCredentials (key 51), v0: adds, replaces or deletes a user's SCRAM-SHA-256
 * / SCRAM-SHA-512 credential (KIP-554). The client sends the salted password; the broker
 * keeps StoredKey and ServerKey (never the password) as UserScramCredentialRecords in the
 * metadata log, so they survive a restart. Needs ALTER on the cluster. Per user, with
 * Kafka's errors: DUPLICATE_RESOURCE for a user altered twice for one mechanism,
 * UNSUPPORTED_SASL_MECHANISM, UNACCEPTABLE_CREDENTIAL for iterations out of range or an
 * empty name, RESOURCE_NOT_FOUND for deleting a credential that does not exist.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import { metadataRecord, type MetadataRecord } from '../../protocol/metadata-records.js';
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from '../../protocol/generated/types.js';
import { AclOperation } from '../security/acl.js';
import { isClusterAllowed } from '../security/request-authorization.js';
import { credentialFromSaltedPassword, SCRAM_MAX_ITERATIONS, scramMechanism } from '../security/scram.js';

type Result = { user: string; errorCode: number; errorMessage: string | null };

export default defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx, services) {
    const users = [...new Set([...request.deletions.map((d) => d.name), ...request.upsertions.map((u) => u.name)])];
    const answer = (results: Result[]): AlterUserScramCredentialsResponse => ({ throttleTimeMs: 0, results });
    if (!isClusterAllowed(ctx, services, AclOperation.ALTER)) {
      return answer(users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null })));
    }
    const store = services.security;
    if (!store) return answer(users.map((user) => ({ user, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'SCRAM credentials are not kept by this broker' })));
    const image = store.securityImage();
    const failed = new Map<string, { errorCode: number; errorMessage: string }>();
    const fail = (user: string, errorCode: number, errorMessage: string): void => {
      if (!failed.has(user)) failed.set(user, { errorCode, errorMessage });
    };
    const seen = new Set<string>();
    const changes = [...request.deletions.map((d) => ({ ...d, kind: 'delete' as const })), ...request.upsertions.map((u) => ({ ...u, kind: 'upsert' as const }))];
    for (const c of changes) {
      const key = `${c.name}\u0000${c.mechanism}`;
      if (seen.has(key)) fail(c.name, ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
      seen.add(key);
    }
    const records = new Map<string, MetadataRecord[]>();
    for (const c of changes) {
      if (failed.has(c.name)) continue;
      if (c.name === '') {
        fail(c.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
        continue;
      }
      const mechanism = scramMechanism(c.mechanism);
      if (!mechanism) {
        fail(c.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
        continue;
      }
      const list = records.get(c.name) ?? [];
      records.set(c.name, list);
      if (c.kind === 'delete') {
        if (!image.scram.get(c.name)?.has(mechanism.id)) {
          fail(c.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
          continue;
        }
        list.push(metadataRecord('RemoveUserScramCredentialRecord', { name: c.name, mechanism: mechanism.id }));
      } else {
        if (c.iterations < mechanism.minIterations) {
          fail(c.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too few iterations`);
          continue;
        }
        if (c.iterations > SCRAM_MAX_ITERATIONS) {
          fail(c.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too many iterations`);
          continue;
        }
        if (c.saltedPassword.length === 0 || c.salt.length === 0) {
          fail(c.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
          continue;
        }
        const credential = credentialFromSaltedPassword(mechanism, Buffer.from(c.saltedPassword), Buffer.from(c.salt), c.iterations);
        list.push(metadataRecord('UserScramCredentialRecord', { name: c.name, mechanism: mechanism.id, ...credential }));
      }
    }
    const toWrite = [...records].filter(([user]) => !failed.has(user)).flatMap(([, list]) => list);
    if (toWrite.length > 0) await store.appendSecurityRecords(toWrite);
    return answer(users.map((user) => {
      const f = failed.get(user);
      return f ? { user, ...f } : { user, errorCode: ErrorCode.NONE, errorMessage: null };
    }));
  },
});
