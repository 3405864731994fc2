/**
 * Authorization as a request handler asks for it: who sent the request (the connection's
 * principal and address) and whether the configured authorizer allows an operation on a
 * resource. Without an authorizer everything is allowed, as in Kafka.
 */
import type { RequestContext } from '../handler.js';
import type { BrokerServices } from '../services/index.js';
import type { RequestIdentity } from './authorizer.js';
import { ANONYMOUS } from './session.js';
import { AclResourceType, CLUSTER_NAME } from './acl.js';

export function identityOf(ctx: RequestContext): RequestIdentity {
  return { principal: ctx.session?.principal ?? ANONYMOUS, host: ctx.session?.clientAddress ?? ctx.clientHost.replace(/^\//, '') };
}

export function isAllowed(ctx: RequestContext, services: BrokerServices, operation: number, resourceType: number, name: string): boolean {
  const authorizer = services.authorizer;
  if (!authorizer) return true;
  return authorizer.authorize(identityOf(ctx), operation, resourceType, name);
}

export function isClusterAllowed(ctx: RequestContext, services: BrokerServices, operation: number): boolean {
  return isAllowed(ctx, services, operation, AclResourceType.CLUSTER, CLUSTER_NAME);
}
