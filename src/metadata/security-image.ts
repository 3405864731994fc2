/**
 * The security part of the metadata image: SCRAM credentials (UserScramCredentialRecord /
 * RemoveUserScramCredentialRecord, Kafka's ScramImage) and ACL bindings
 * (AccessControlEntryRecord / RemoveAccessControlEntryRecord, Kafka's AclsImage). Kept in
 * the image so snapshots carry them and a restart authenticates with the same users.
 */
import { metadataRecord, type MetadataRecord } from '../protocol/metadata-records.js';

/** ScramMechanism ids as the records and the AlterUserScramCredentials API carry them. */
export const ScramMechanismId = { SCRAM_SHA_256: 1, SCRAM_SHA_512: 2 } as const;

export interface ScramCredentialImage {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

/** One ACL binding (StandardAcl), by its id. */
export interface AclImage {
  readonly id: string;
  /** AclResourceType: 2 TOPIC, 3 GROUP, 4 CLUSTER, 5 TRANSACTIONAL_ID, 6 DELEGATION_TOKEN, 7 USER */
  readonly resourceType: number;
  readonly resourceName: string;
  /** PatternType: 3 LITERAL, 4 PREFIXED */
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  /** AclOperation id */
  readonly operation: number;
  /** AclPermissionType: 2 DENY, 3 ALLOW */
  readonly permissionType: number;
}

export interface SecurityImage {
  /** user → mechanism id → credential */
  readonly scram: ReadonlyMap<string, ReadonlyMap<number, ScramCredentialImage>>;
  /** ACL id → binding */
  readonly acls: ReadonlyMap<string, AclImage>;
}

export const EMPTY_SECURITY_IMAGE: SecurityImage = { scram: new Map(), acls: new Map() };

export const SECURITY_RECORD_TYPES = [
  'UserScramCredentialRecord',
  'RemoveUserScramCredentialRecord',
  'AccessControlEntryRecord',
  'RemoveAccessControlEntryRecord',
] as const;

/** The security image after `record`, or undefined when the record is not a security record. */
export function applySecurityRecord(image: SecurityImage, record: MetadataRecord): SecurityImage | undefined {
  switch (record.type) {
    case 'UserScramCredentialRecord': {
      const { name, mechanism, salt, storedKey, serverKey, iterations } = record.data;
      const scram = new Map(image.scram);
      const user = new Map(scram.get(name) ?? []);
      user.set(mechanism, { salt: Buffer.from(salt), storedKey: Buffer.from(storedKey), serverKey: Buffer.from(serverKey), iterations });
      scram.set(name, user);
      return { ...image, scram };
    }
    case 'RemoveUserScramCredentialRecord': {
      const { name, mechanism } = record.data;
      const scram = new Map(image.scram);
      const user = new Map(scram.get(name) ?? []);
      user.delete(mechanism);
      if (user.size === 0) scram.delete(name);
      else scram.set(name, user);
      return { ...image, scram };
    }
    case 'AccessControlEntryRecord': {
      const acls = new Map(image.acls);
      acls.set(record.data.id, { ...record.data });
      return { ...image, acls };
    }
    case 'RemoveAccessControlEntryRecord': {
      const acls = new Map(image.acls);
      acls.delete(record.data.id);
      return { ...image, acls };
    }
    default:
      return undefined;
  }
}

/** Records that rebuild the security image (for snapshots), users and ACLs in a stable order. */
export function securityImageRecords(image: SecurityImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const name of [...image.scram.keys()].sort()) {
    for (const [mechanism, c] of [...image.scram.get(name)!].sort(([a], [b]) => a - b)) {
      out.push(metadataRecord('UserScramCredentialRecord', { name, mechanism, salt: c.salt, storedKey: c.storedKey, serverKey: c.serverKey, iterations: c.iterations }));
    }
  }
  for (const id of [...image.acls.keys()].sort()) out.push(metadataRecord('AccessControlEntryRecord', { ...image.acls.get(id)! }));
  return out;
}
