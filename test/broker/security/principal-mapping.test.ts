/**
 * ssl.principal.mapping.rules as Kafka's SslPrincipalMapper reads them, and the RFC 2253
 * order of a certificate subject as node prints it.
 */
import { describe, expect, it } from 'vitest';
import { mapPrincipalName, parsePrincipalMappingRules, PrincipalMappingError, rfc2253 } from '../../../src/broker/security/principal-mapping.js';

describe('ssl.principal.mapping.rules', () => {
  it('applies the first matching rule, with $n groups and L/U, and DEFAULT as the name itself', () => {
    const rules = parsePrincipalMappingRules('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U,DEFAULT');
    expect(mapPrincipalName(rules, 'CN=kafka-svc,OU=ServiceUsers,O=Org,C=US')).toBe('kafka-svc');
    expect(mapPrincipalName(rules, 'CN=Duke,OU=JavaSoft,O=Sun Microsystems,L=Santa Clara,ST=California,C=US')).toBe('duke@javasoft');
    expect(mapPrincipalName(rules, 'O=x,cn=adminuser,C=US')).toBe('ADMINUSER');
    expect(mapPrincipalName(parsePrincipalMappingRules(undefined), 'CN=alice,O=Acme,C=US')).toBe('CN=alice,O=Acme,C=US');
    expect(() => mapPrincipalName(parsePrincipalMappingRules('RULE:^CN=x$/x/'), 'CN=y')).toThrow(PrincipalMappingError);
    expect(() => parsePrincipalMappingRules('RULE:^CN=(.*$/$1/')).toThrow(/Invalid pattern/);
    expect(() => parsePrincipalMappingRules('NOPE')).toThrow(/use RULE:pattern\/replacement\/\[LU\] or DEFAULT/);
  });

  it('orders a subject most specific first, as X500Principal.getName() does', () => {
    expect(rfc2253('C=US\nO=Acme\nCN=alice')).toBe('CN=alice,O=Acme,C=US');
  });
});
