/**
 * The ACL authorizer that `authorizer.class.name` selects (Kafka's StandardAuthorizer
 * and AclAuthorizer names both mean this one), with their rules:
 *
 * - `super.users` (User:a;User:b) may do anything;
 * - the ACLs that apply to a resource are its LITERAL ones, the LITERAL `*` ones and the
 *   PREFIXED ones whose prefix starts its name; among those, a DENY matching principal
 *   (or User:*), host (or *) and operation (or ALL) wins over any ALLOW;
 * - an ALLOW on READ, WRITE, DELETE or ALTER also allows DESCRIBE, and ALTER_CONFIGS
 *   allows DESCRIBE_CONFIGS (implied operations);
 * - a resource without any ACL is allowed only with allow.everyone.if.no.acl.found=true.
 */
import type { BrokerConfig } from '../config.js';
import type { AclImage } from '../../metadata/security-image.js';
import { AclOperation, AclPermissionType, AclResourceType, PatternType, WILDCARD, WILDCARD_PRINCIPAL } from './acl.js';
import { SecurityConfigError } from './security-config-error.js';
import { configValue } from './listeners.js';

/** Who is asking: the connection's principal and address. */
export interface RequestIdentity {
  principal: string;
  /** client address without '/' */
  host: string;
}

export const AUTHORIZER_CLASS_NAMES = [
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
  'kafka.security.auth.SimpleAclAuthorizer',
];

const IMPLIED_BY: Readonly<Record<number, readonly number[]>> = {
  [AclOperation.DESCRIBE]: [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
};

export class Authorizer {
  constructor(
    private readonly superUsers: ReadonlySet<string>,
    private readonly allowEveryoneIfNoAclFound: boolean,
    private readonly acls: () => Iterable<AclImage>,
  ) {}

  isSuperUser(principal: string): boolean {
    return this.superUsers.has(principal);
  }

  private appliesTo(acl: AclImage, resourceType: number, name: string): boolean {
    if (acl.resourceType !== resourceType) return false;
    if (acl.patternType === PatternType.LITERAL) return acl.resourceName === name || acl.resourceName === WILDCARD;
    if (acl.patternType === PatternType.PREFIXED) return name.startsWith(acl.resourceName);
    return false;
  }

  private static matchesIdentity(acl: AclImage, who: RequestIdentity): boolean {
    return (acl.principal === who.principal || acl.principal === WILDCARD_PRINCIPAL) && (acl.host === WILDCARD || acl.host === who.host);
  }

  authorize(who: RequestIdentity, operation: number, resourceType: number, name: string): boolean {
    if (this.isSuperUser(who.principal)) return true;
    const applicable: AclImage[] = [];
    for (const acl of this.acls()) if (this.appliesTo(acl, resourceType, name)) applicable.push(acl);
    if (applicable.length === 0) return this.allowEveryoneIfNoAclFound;
    const mine = applicable.filter((acl) => Authorizer.matchesIdentity(acl, who));
    const denied = mine.some((acl) => acl.permissionType === AclPermissionType.DENY && (acl.operation === AclOperation.ALL || acl.operation === operation));
    if (denied) return false;
    const allowing = IMPLIED_BY[operation] ?? [operation];
    return mine.some((acl) => acl.permissionType === AclPermissionType.ALLOW && (acl.operation === AclOperation.ALL || allowing.includes(acl.operation)));
  }

  /**
   * Whether `operation` is allowed on some resource of the type (Kafka's
   * authorizeByResourceType, KIP-679: WRITE on any topic lets a producer be idempotent).
   */
  authorizeAny(who: RequestIdentity, operation: number, resourceType: number): boolean {
    if (this.isSuperUser(who.principal)) return true;
    const ofType = [...this.acls()].filter((acl) => acl.resourceType === resourceType);
    if (ofType.length === 0) return this.allowEveryoneIfNoAclFound;
    const mine = ofType.filter((acl) => Authorizer.matchesIdentity(acl, who) && (acl.operation === AclOperation.ALL || acl.operation === operation));
    const deniedEverywhere = mine.some((acl) => acl.permissionType === AclPermissionType.DENY && acl.patternType === PatternType.LITERAL && acl.resourceName === WILDCARD);
    if (deniedEverywhere) return false;
    return mine.some((acl) => acl.permissionType === AclPermissionType.ALLOW);
  }

  /** The bit set of `operations` allowed on the resource (authorizedOperations fields). */
  authorizedOperations(who: RequestIdentity, resourceType: number, name: string, operations: readonly number[]): number {
    let bits = 0;
    for (const op of operations) if (this.authorize(who, op, resourceType, name)) bits |= 1 << op;
    return bits;
  }
}

/** The authorizer authorizer.class.name asks for, or null when it is unset (everything is allowed, as in Kafka). */
export function createAuthorizer(config: Pick<BrokerConfig, 'raw'>, acls: () => Iterable<AclImage>): Authorizer | null {
  const className = configValue(config, 'authorizer.class.name') ?? '';
  if (className === '') return null;
  if (!AUTHORIZER_CLASS_NAMES.includes(className)) {
    throw new SecurityConfigError(`authorizer.class.name=${className} is not available here: use ${AUTHORIZER_CLASS_NAMES[0]} (the ACL authorizer; ${AUTHORIZER_CLASS_NAMES[1]} means the same)`);
  }
  const superUsers = new Set((configValue(config, 'super.users') ?? '').split(';').map((s) => s.trim()).filter(Boolean));
  const allowEveryone = (configValue(config, 'allow.everyone.if.no.acl.found') ?? 'false').toLowerCase() === 'true';
  return new Authorizer(superUsers, allowEveryone, acls);
}

export { AclResourceType };
