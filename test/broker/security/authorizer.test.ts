/**
 * The ACL authorizer's decisions (AclAuthorizer / StandardAuthorizer rules): super users,
 * LITERAL / `*` / PREFIXED patterns, DENY over ALLOW, User:* and host matches, implied
 * operations, allow.everyone.if.no.acl.found (and how one DENY on `*` takes it away from
 * every topic, as the 2.4.1 capture shows), IDEMPOTENT_WRITE by any topic WRITE.
 */
import { describe, expect, it } from 'vitest';
import { Authorizer, createAuthorizer } from '../../../src/broker/security/authorizer.js';
import { AclOperation as Op, AclPermissionType, AclResourceType, PatternType } from '../../../src/broker/security/acl.js';
import type { AclImage } from '../../../src/metadata/security-image.js';

let next = 0;
const acl = (principal: string, operation: number, name: string, opts: Partial<AclImage> = {}): AclImage => ({
  id: String(next++), resourceType: AclResourceType.TOPIC, resourceName: name, patternType: PatternType.LITERAL,
  principal, host: '*', operation, permissionType: AclPermissionType.ALLOW, ...opts,
});
const who = (principal: string, host = '127.0.0.1') => ({ principal, host });

describe('Authorizer', () => {
  it('applies literal, wildcard and prefixed ACLs with DENY winning', () => {
    const acls = [
      acl('User:alice', Op.READ, 't'),
      acl('User:bob', Op.WRITE, 'pre-', { patternType: PatternType.PREFIXED }),
      acl('User:bob', Op.WRITE, 'pre-secret', { permissionType: AclPermissionType.DENY }),
      acl('User:*', Op.DESCRIBE, '*'),
      acl('User:carol', Op.ALL, 'c', { host: '10.0.0.1' }),
    ];
    const a = new Authorizer(new Set(['User:admin']), false, () => acls);
    const topic = (p: string, op: number, name: string, host?: string) => a.authorize(who(p, host), op, AclResourceType.TOPIC, name);
    expect(topic('User:alice', Op.READ, 't')).toBe(true);
    expect(topic('User:alice', Op.WRITE, 't')).toBe(false);
    expect(topic('User:alice', Op.DESCRIBE, 't')).toBe(true); // READ implies DESCRIBE (and User:* DESCRIBE on *)
    expect(topic('User:bob', Op.WRITE, 'pre-x')).toBe(true);
    expect(topic('User:bob', Op.WRITE, 'pre-secret')).toBe(false);
    expect(topic('User:bob', Op.WRITE, 'other')).toBe(false);
    expect(topic('User:dave', Op.DESCRIBE, 'anything')).toBe(true);
    expect(topic('User:carol', Op.DELETE, 'c', '10.0.0.1')).toBe(true);
    expect(topic('User:carol', Op.DELETE, 'c', '10.0.0.2')).toBe(false);
    expect(topic('User:admin', Op.DELETE, 'x')).toBe(true);
    expect(a.authorize(who('User:alice'), Op.READ, AclResourceType.GROUP, 't')).toBe(false);
  });

  it('implies DESCRIBE_CONFIGS from ALTER_CONFIGS but never DENY beyond the operation named', () => {
    const a = new Authorizer(new Set(), false, () => [acl('User:a', Op.ALTER_CONFIGS, 't'), acl('User:a', Op.READ, 't', { permissionType: AclPermissionType.DENY }), acl('User:a', Op.DESCRIBE, 't')]);
    expect(a.authorize(who('User:a'), Op.DESCRIBE_CONFIGS, AclResourceType.TOPIC, 't')).toBe(true);
    expect(a.authorize(who('User:a'), Op.DESCRIBE, AclResourceType.TOPIC, 't')).toBe(true);
    expect(a.authorize(who('User:a'), Op.READ, AclResourceType.TOPIC, 't')).toBe(false);
  });

  it('allows resources without any ACL only with allow.everyone.if.no.acl.found, which one DENY on * ends', () => {
    const acls: AclImage[] = [];
    const open = new Authorizer(new Set(), true, () => acls);
    expect(open.authorize(who('User:ANONYMOUS'), Op.READ, AclResourceType.TOPIC, 't')).toBe(true);
    expect(new Authorizer(new Set(), false, () => acls).authorize(who('User:ANONYMOUS'), Op.READ, AclResourceType.TOPIC, 't')).toBe(false);
    acls.push(acl('User:mallory', Op.ALL, '*', { host: '10.0.0.1', permissionType: AclPermissionType.DENY }));
    expect(open.authorize(who('User:ANONYMOUS'), Op.READ, AclResourceType.TOPIC, 't')).toBe(false);
  });

  it('lets a topic WRITE stand for IDEMPOTENT_WRITE (KIP-679) unless denied on every topic', () => {
    const a = new Authorizer(new Set(), false, () => [acl('User:p', Op.WRITE, 'x-', { patternType: PatternType.PREFIXED })]);
    expect(a.authorizeAny(who('User:p'), Op.WRITE, AclResourceType.TOPIC)).toBe(true);
    expect(a.authorizeAny(who('User:q'), Op.WRITE, AclResourceType.TOPIC)).toBe(false);
    const denied = new Authorizer(new Set(), false, () => [acl('User:p', Op.WRITE, 'x'), acl('User:p', Op.WRITE, '*', { permissionType: AclPermissionType.DENY })]);
    expect(denied.authorizeAny(who('User:p'), Op.WRITE, AclResourceType.TOPIC)).toBe(false);
  });

  it("is selected by Kafka's authorizer class names, and refuses others in one line", () => {
    expect(createAuthorizer({ raw: {} }, () => [])).toBeNull();
    for (const name of ['org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer']) {
      expect(createAuthorizer({ raw: { 'authorizer.class.name': name } }, () => [])).toBeInstanceOf(Authorizer);
    }
    expect(() => createAuthorizer({ raw: { 'authorizer.class.name': 'com.example.MyAuthorizer' } }, () => [])).toThrow(/authorizer.class.name=com.example.MyAuthorizer is not available here/);
    const a = createAuthorizer({ raw: { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'super.users': 'User:a; User:b' } }, () => [])!;
    expect(a.isSuperUser('User:b')).toBe(true);
  });
});
