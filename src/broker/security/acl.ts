/**
 * Kafka's ACL vocabulary (org.apache.kafka.common.acl / resource): operations, resource
 * types, pattern types and permission types with their wire ids, their names as
 * kafka-acls prints them, and how a binding or a filter matches.
 */
import type { AclImage } from '../../metadata/security-image.js';

export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8,
  CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
export const AclResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The one cluster resource's name (Resource.CLUSTER_NAME). */
export const CLUSTER_NAME = 'kafka-cluster';
/** Resource name, principal and host wildcard. */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

const nameOf = (table: Readonly<Record<string, number>>, id: number): string => Object.entries(table).find(([, v]) => v === id)?.[0] ?? 'UNKNOWN';
export const operationName = (id: number): string => nameOf(AclOperation, id);
export const resourceTypeName = (id: number): string => nameOf(AclResourceType, id);
export const patternTypeName = (id: number): string => nameOf(PatternType, id);
export const permissionTypeName = (id: number): string => nameOf(AclPermissionType, id);

/** A binding without its id (what CreateAcls carries). */
export type AclBinding = Omit<AclImage, 'id'>;

/** DescribeAcls / DeleteAcls filter; null fields match anything. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** Whether a binding's resource pattern matches a filter's (ResourcePatternFilter.matches). */
function patternMatches(acl: AclBinding, filter: AclFilter): boolean {
  if (filter.resourceType !== AclResourceType.ANY && filter.resourceType !== acl.resourceType) return false;
  if (filter.patternType === PatternType.MATCH) {
    if (filter.resourceName === null) return true;
    if (acl.patternType === PatternType.LITERAL) return acl.resourceName === filter.resourceName || acl.resourceName === WILDCARD;
    if (acl.patternType === PatternType.PREFIXED) return filter.resourceName.startsWith(acl.resourceName);
    return false;
  }
  if (filter.patternType !== PatternType.ANY && filter.patternType !== acl.patternType) return false;
  return filter.resourceName === null || filter.resourceName === acl.resourceName;
}

/** AclBindingFilter.matches. */
export function filterMatches(acl: AclBinding, filter: AclFilter): boolean {
  if (!patternMatches(acl, filter)) return false;
  if (filter.principal !== null && filter.principal !== acl.principal) return false;
  if (filter.host !== null && filter.host !== acl.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== acl.operation) return false;
  if (filter.permissionType !== AclPermissionType.ANY && filter.permissionType !== acl.permissionType) return false;
  return true;
}

/** Why a binding cannot be created (CreateAcls answers INVALID_REQUEST with it), or undefined. */
export function invalidBinding(acl: AclBinding): string | undefined {
  if (![AclResourceType.TOPIC, AclResourceType.GROUP, AclResourceType.CLUSTER, AclResourceType.TRANSACTIONAL_ID, AclResourceType.DELEGATION_TOKEN, AclResourceType.USER].includes(acl.resourceType as 2)) return 'Invalid resource type';
  if (acl.patternType !== PatternType.LITERAL && acl.patternType !== PatternType.PREFIXED) return 'Invalid pattern type';
  if (acl.operation < AclOperation.ALL || acl.operation > AclOperation.DESCRIBE_TOKENS) return 'Invalid operation';
  if (acl.permissionType !== AclPermissionType.ALLOW && acl.permissionType !== AclPermissionType.DENY) return 'Invalid permission type';
  if (acl.resourceName === '') return 'Resource name must not be empty';
  if (acl.resourceType === AclResourceType.CLUSTER && acl.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (!/^[^:]+:.+$/.test(acl.principal)) return `Could not parse principal from \`${acl.principal}\` (no colon is present separating the principal type from the principal name)`;
  return undefined;
}
