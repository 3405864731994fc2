/**
 * ssl.principal.mapping.rules, as Kafka's SslPrincipalMapper reads them: a list of
 * `RULE:<java regex>/<replacement>/[L|U]` and `DEFAULT`, tried in order against the
 * client certificate's distinguished name (RFC 2253). The first rule whose pattern
 * matches the whole name gives the principal name ($1… refer to its groups; L/U
 * change its case); DEFAULT keeps the name as it is. A name no rule matches fails the
 * connection, as in Kafka.
 */

interface MappingRule {
  /** null: DEFAULT */
  pattern: RegExp | null;
  replacement: string;
  caseChange: '' | 'L' | 'U';
}

export class PrincipalMappingError extends Error {}

/** Parses the rules; throws a PrincipalMappingError naming the part that does not parse. */
export function parsePrincipalMappingRules(text: string | undefined): MappingRule[] {
  const source = (text ?? 'DEFAULT').trim();
  const rules: MappingRule[] = [];
  let i = 0;
  const skipSeparators = (): void => {
    while (i < source.length && /[\s,]/.test(source[i]!)) i++;
  };
  /** reads up to the next unescaped '/' (escapes kept, as Java's regex and replacement read them) */
  const readDelimited = (): string => {
    let out = '';
    while (i < source.length && source[i] !== '/') {
      if (source[i] === '\\' && i + 1 < source.length) {
        out += source[i]! + source[i + 1]!;
        i += 2;
      } else {
        out += source[i++]!;
      }
    }
    if (source[i] !== '/') throw new PrincipalMappingError(`Invalid rule in ssl.principal.mapping.rules: ${source}`);
    i++;
    return out;
  };
  skipSeparators();
  while (i < source.length) {
    if (source.startsWith('DEFAULT', i)) {
      rules.push({ pattern: null, replacement: '', caseChange: '' });
      i += 'DEFAULT'.length;
    } else if (source.startsWith('RULE:', i)) {
      i += 'RULE:'.length;
      const pattern = readDelimited();
      const replacement = readDelimited();
      let caseChange: '' | 'L' | 'U' = '';
      if (source[i] === 'L' || source[i] === 'U') caseChange = source[i++] as 'L' | 'U';
      let regex: RegExp;
      try {
        regex = new RegExp(`^(?:${pattern})$`);
      } catch (err) {
        throw new PrincipalMappingError(`Invalid pattern ${pattern} in ssl.principal.mapping.rules: ${(err as Error).message}`);
      }
      rules.push({ pattern: regex, replacement: replacement.replace(/\\(.)/g, '$1'), caseChange });
    } else {
      throw new PrincipalMappingError(`Invalid rule in ssl.principal.mapping.rules at "${source.slice(i)}": use RULE:pattern/replacement/[LU] or DEFAULT`);
    }
    skipSeparators();
  }
  return rules;
}

/** The principal name for a distinguished name; throws PrincipalMappingError when no rule applies. */
export function mapPrincipalName(rules: readonly MappingRule[], distinguishedName: string): string {
  for (const rule of rules) {
    if (rule.pattern === null) return distinguishedName;
    if (!rule.pattern.test(distinguishedName)) continue;
    const name = distinguishedName.replace(rule.pattern, rule.replacement);
    return rule.caseChange === 'L' ? name.toLowerCase() : rule.caseChange === 'U' ? name.toUpperCase() : name;
  }
  throw new PrincipalMappingError(`No rules apply to ${distinguishedName}`);
}

/**
 * A certificate subject as node prints it (X509Certificate.subject: one RDN per line,
 * most significant first, values escaped as RFC 2253) in RFC 2253 order: the most
 * specific RDN first, comma-separated, as Java's X500Principal.getName() gives it.
 */
export function rfc2253(subject: string): string {
  return subject
    .split('\n')
    .map((rdn) => rdn.trim())
    .filter(Boolean)
    .reverse()
    .join(',');
}
