/**
 * kafka-acls (AclCommand with --bootstrap-server): --add, --remove and --list ACL
 * bindings through CreateAcls / DeleteAcls / DescribeAcls, with Kafka's output:
 *
 *   Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=t, patternType=LITERAL)`: ␠
 *    \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)
 *   \t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)␠
 *   (empty line)
 *
 * then the resulting `Current ACLs for resource ...` blocks. --producer / --consumer /
 * --idempotent add the role's ACLs; --remove asks before removing unless --force.
 * Within a resource, bindings are listed in the order the broker keeps them (Kafka's
 * order is its hash set's).
 */
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { CreateAclsResponse, DeleteAclsResponse, DescribeAclsResponse } from '../../protocol/generated/types.js';
import { AclOperation, AclPermissionType, AclResourceType, CLUSTER_NAME, operationName, PatternType, patternTypeName, permissionTypeName, resourceTypeName } from '../../broker/security/acl.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { readPropertiesFile } from '../config-files.js';
import { ensureReachable, parseBootstrapServers } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import readline from 'node:readline';
import { parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { BrokerErrorResponse, WireAdmin } from '../wire-client.js';

const OPERATION_NAMES = ['Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'ClusterAction', 'AlterConfigs', 'DescribeConfigs', 'IdempotentWrite', 'All'];

export const spec: CommandSpec = {
  name: 'kafka-acls',
  summary: 'This tool helps to manage acls on kafka.',
  options: [
    { name: 'add', description: 'Indicates you are trying to add ACLs.' },
    { name: 'allow-host', arg: 'String: allow-host', repeatable: true, description: 'Host from which principals listed in --allow-principal will have access. If you have specified --allow-principal then the default for this option will be set to * which allows access from all hosts.', complete: 'none' },
    { name: 'allow-principal', arg: 'String: allow-principal', repeatable: true, description: 'principal is in principalType:name format. Note that principalType must be supported by the Authorizer being used. For example, User:* is the wild card indicating all users.', complete: 'none' },
    { name: 'authorizer-properties', arg: 'String: authorizer-properties', description: 'DEPRECATED: ZooKeeper-based ACL management; this toolkit has no ZooKeeper, use --bootstrap-server.', hidden: true, complete: 'none' },
    { name: 'bootstrap-server', arg: 'String: server to connect to', description: 'A list of host/port pairs to use for establishing the connection to the Kafka cluster. This list should be in the form host1:port1,host2:port2,... This config is required for acl management using admin client API.', complete: 'none' },
    { name: 'cluster', description: 'Add/Remove cluster ACLs.' },
    { name: 'command-config', arg: 'String: command-config', description: 'A property file containing configs to be passed to Admin Client.', complete: 'file' },
    { name: 'consumer', description: 'Convenience option to add/remove ACLs for consumer role. This will generate ACLs that allows READ, DESCRIBE on topic and READ on group.' },
    { name: 'delegation-token', arg: 'String: delegation-token', repeatable: true, description: 'Delegation token to which ACLs should be added or removed. A value of * indicates ACL should apply to all tokens.', complete: 'none' },
    { name: 'deny-host', arg: 'String: deny-host', repeatable: true, description: 'Host from which principals listed in --deny-principal will be denied access. If you have specified --deny-principal then the default for this option will be set to * which denies access from all hosts.', complete: 'none' },
    { name: 'deny-principal', arg: 'String: deny-principal', repeatable: true, description: 'principal is in principalType:name format. By default anyone not added through --allow-principal is denied access. You only need to use this option as negation to already allowed set. Note that principalType must be supported by the Authorizer being used. For example if you wanted to allow access to all users in the system but not test-user you can define an ACL that allows access to User:* and specify --deny-principal=User:test@EXAMPLE.COM. AND PLEASE REMEMBER DENY RULES TAKES PRECEDENCE OVER ALLOW RULES.', complete: 'none' },
    { name: 'force', description: 'Assume Yes to all queries and do not prompt.' },
    { name: 'group', arg: 'String: group', repeatable: true, description: 'Consumer Group to which the ACLs should be added or removed. A value of * indicates the ACLs should apply to all groups.', complete: 'none' },
    { name: 'idempotent', description: 'Enable idempotence for the producer. This should be used in combination with the --producer option. Note that idempotence is enabled automatically if the producer is authorized to a particular transactional-id.' },
    { name: 'list', description: 'List ACLs for the specified resource, use --topic <topic> or --group <group> or --cluster to specify a resource.' },
    { name: 'operation', arg: 'String', repeatable: true, description: `Operation that is being allowed or denied. Valid operation names are: ${OPERATION_NAMES.join(', ')} (default: All)`, complete: OPERATION_NAMES },
    { name: 'principal', arg: 'String: principal', repeatable: true, description: 'List ACLs for the specified principal. principal is in principalType:name format. Note that principalType must be supported by the Authorizer being used. Multiple --principal option can be passed.', complete: 'none' },
    { name: 'producer', description: 'Convenience option to add/remove ACLs for producer role. This will generate ACLs that allows WRITE, DESCRIBE and CREATE on topic.' },
    { name: 'remove', description: 'Indicates you are trying to remove ACLs.' },
    { name: 'resource-pattern-type', arg: 'ANY|MATCH|LITERAL|PREFIXED', description: "The type of the resource pattern or pattern filter. When adding acls, this should be a specific pattern type, e.g. 'literal' or 'prefixed'. When listing or removing acls, a specific pattern type can be used to list or remove acls from specific resource patterns, or use the filter values of 'any' or 'match', where 'any' will match any pattern type, but will match the resource name exactly, where as 'match' will perform pattern matching to list or remove all acls that affect the supplied resource(s). WARNING: 'match', when used in combination with the '--remove' switch, should be used with care. (default: LITERAL)", complete: ['ANY', 'MATCH', 'LITERAL', 'PREFIXED'] },
    { name: 'topic', arg: 'String: topic', repeatable: true, description: 'topic to which ACLs should be added or removed. A value of * indicates ACL should apply to all topics.', complete: 'none' },
    { name: 'transactional-id', arg: 'String: transactional-id', repeatable: true, description: 'The transactionalId to which ACLs should be added or removed. A value of * indicates the ACLs should apply to all transactionalIds.', complete: 'none' },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

export interface ResourcePattern {
  resourceType: number;
  name: string;
  patternType: number;
}

export interface AclEntry {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export const formatPattern = (r: ResourcePattern): string =>
  `ResourcePattern(resourceType=${resourceTypeName(r.resourceType)}, name=${r.name}, patternType=${patternTypeName(r.patternType)})`;
export const formatEntry = (a: AclEntry): string =>
  `(principal=${a.principal}, host=${a.host}, operation=${operationName(a.operation)}, permissionType=${permissionTypeName(a.permissionType)})`;

/** Kafka's block: header, a space, tab-indented entries, a space, an empty line. */
export function aclBlock(header: string, entries: readonly AclEntry[]): string {
  return `${header} \n ${entries.map((e) => `\t${formatEntry(e)}`).join('\n')} \n`;
}

/** Operations each resource type supports (AclEntry.supportedOperations). */
const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  [AclResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [AclResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [AclResourceType.CLUSTER]: [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE],
  [AclResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [AclResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
};

function parseOperation(text: string): number {
  const key = text.trim().replace(/[_-]/g, '').toLowerCase();
  const found = OPERATION_NAMES.find((n) => n.toLowerCase() === key);
  if (!found) throw new CliError(`Invalid operation ${text}: use one of ${OPERATION_NAMES.join(', ')}`);
  return AclOperation[found.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() as keyof typeof AclOperation];
}

function parsePrincipal(text: string): string {
  if (!/^[^:]+:.+$/.test(text)) throw new CliError(`Error while executing ACL command: expected a string in format principalType:principalName but got ${text}`);
  return text;
}

export interface AclCommandOptions {
  action: 'add' | 'remove' | 'list';
  bootstrapServers: string[];
  adminProperties: Record<string, string>;
  force: boolean;
  /** resource pattern (add) or filter (list/remove) and the entries to add/remove there */
  resources: { pattern: ResourcePattern; entries: AclEntry[] }[];
  /** --list with no resource: every ACL */
  listAll: boolean;
  principals: string[];
}

/** Validates the flags as AclCommandOptions.checkArgs does; returns what to do. */
export function aclCommandOptions(args: ParsedArgs): AclCommandOptions {
  if (args.has('authorizer-properties') && !args.has('bootstrap-server')) {
    throw new CliError('--authorizer-properties manages ACLs in ZooKeeper, which this toolkit does not have: use --bootstrap-server <broker> instead');
  }
  const actions = (['add', 'remove', 'list'] as const).filter((a) => args.has(a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --add, --remove. ');
  const action = actions[0]!;
  const bootstrap = args.get('bootstrap-server');
  if (bootstrap === undefined) throw new UsageError('One of --bootstrap-server or --authorizer-properties must be specified');
  const producer = args.has('producer');
  const consumer = args.has('consumer');
  if (action === 'list' && (producer || consumer)) throw new UsageError('Option "[list]" can\'t be used with option "[producer]" or "[consumer]"');
  if (args.has('idempotent') && !producer) throw new UsageError('The --idempotent option is only available if --producer is set');
  if (producer && !args.has('topic') && !args.has('transactional-id')) throw new UsageError('With --producer you must specify a --topic or --transactional-id');
  if (consumer && (!args.has('topic') || !args.has('group'))) throw new UsageError('With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.');

  const patternText = (args.get('resource-pattern-type') ?? 'LITERAL').trim().toUpperCase();
  if (!['ANY', 'MATCH', 'LITERAL', 'PREFIXED'].includes(patternText)) throw new UsageError(`Invalid --resource-pattern-type ${args.get('resource-pattern-type')}: use ANY, MATCH, LITERAL or PREFIXED`);
  const patternType = PatternType[patternText as 'ANY' | 'MATCH' | 'LITERAL' | 'PREFIXED'];
  if (action === 'add' && (patternType === PatternType.ANY || patternType === PatternType.MATCH)) {
    throw new UsageError(`A 'resource-pattern-type' value of '${patternText}' is not valid when adding acls.`);
  }

  const patterns: ResourcePattern[] = [
    ...args.all('topic').map((name) => ({ resourceType: AclResourceType.TOPIC, name, patternType })),
    ...args.all('group').map((name) => ({ resourceType: AclResourceType.GROUP, name, patternType })),
    ...(args.has('cluster') ? [{ resourceType: AclResourceType.CLUSTER, name: CLUSTER_NAME, patternType }] : []),
    ...args.all('transactional-id').map((name) => ({ resourceType: AclResourceType.TRANSACTIONAL_ID, name, patternType })),
    ...args.all('delegation-token').map((name) => ({ resourceType: AclResourceType.DELEGATION_TOKEN, name, patternType })),
  ];
  if (action !== 'list' && patterns.length === 0) {
    throw new UsageError('You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>');
  }

  const allow = args.all('allow-principal').map(parsePrincipal);
  const deny = args.all('deny-principal').map(parsePrincipal);
  if (action === 'add' && allow.length === 0 && deny.length === 0) {
    throw new UsageError('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.');
  }
  const hosts = (given: string[], principals: string[]): string[] => (given.length > 0 ? given : principals.length > 0 ? ['*'] : []);
  const allowHosts = hosts(args.all('allow-host'), allow);
  const denyHosts = hosts(args.all('deny-host'), deny);
  const operations = args.all('operation').length > 0 ? args.all('operation').map(parseOperation) : [AclOperation.ALL];

  const entriesFor = (ops: readonly number[]): AclEntry[] => [
    ...allow.flatMap((principal) => allowHosts.flatMap((host) => ops.map((operation) => ({ principal, host, operation, permissionType: AclPermissionType.ALLOW })))),
    ...deny.flatMap((principal) => denyHosts.flatMap((host) => ops.map((operation) => ({ principal, host, operation, permissionType: AclPermissionType.DENY })))),
  ];
  const resources: AclCommandOptions['resources'] = [];
  const add = (pattern: ResourcePattern, ops: readonly number[]): void => {
    const existing = resources.find((r) => r.pattern.resourceType === pattern.resourceType && r.pattern.name === pattern.name && r.pattern.patternType === pattern.patternType);
    const entries = entriesFor(ops);
    if (existing) existing.entries.push(...entries.filter((e) => !existing.entries.some((x) => formatEntry(x) === formatEntry(e))));
    else resources.push({ pattern, entries });
  };
  if (producer || consumer) {
    for (const p of patterns) {
      if (p.resourceType === AclResourceType.TOPIC) {
        if (producer) add(p, [AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE]);
        if (consumer) add(p, [AclOperation.READ, AclOperation.DESCRIBE]);
      } else if (p.resourceType === AclResourceType.GROUP && consumer) add(p, [AclOperation.READ]);
      else if (p.resourceType === AclResourceType.TRANSACTIONAL_ID && producer) add(p, [AclOperation.WRITE, AclOperation.DESCRIBE]);
    }
    if (args.has('idempotent')) add({ resourceType: AclResourceType.CLUSTER, name: CLUSTER_NAME, patternType: PatternType.LITERAL }, [AclOperation.IDEMPOTENT_WRITE]);
  } else {
    for (const p of patterns) {
      const supported = SUPPORTED_OPERATIONS[p.resourceType] ?? [];
      const unsupported = operations.filter((op) => op !== AclOperation.ALL && !supported.includes(op));
      if (action === 'add' && unsupported.length > 0) {
        throw new CliError(`ResourceType ${resourceTypeName(p.resourceType)} only supports operations ${[...supported, AclOperation.ALL].map(operationName).join(',')}`);
      }
      add(p, operations);
    }
  }
  const commandConfig = args.get('command-config');
  return {
    action,
    bootstrapServers: parseBootstrapServers(bootstrap),
    adminProperties: commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {},
    force: args.has('force'),
    resources,
    listAll: patterns.length === 0,
    principals: args.all('principal').map(parsePrincipal),
  };
}

interface DescribedResource {
  pattern: ResourcePattern;
  entries: AclEntry[];
}

async function describe(admin: WireAdmin, filter: ResourcePattern | null, principal: string | null = null): Promise<DescribedResource[]> {
  const connection = await admin.bootstrap();
  const version = connection.usableVersion(ApiKey.DescribeAcls, 1);
  const response = await connection.request<DescribeAclsResponse>(ApiKey.DescribeAcls, version, {
    resourceTypeFilter: filter?.resourceType ?? AclResourceType.ANY,
    resourceNameFilter: filter?.name ?? null,
    patternTypeFilter: filter?.patternType ?? PatternType.ANY,
    principalFilter: principal,
    hostFilter: null,
    operation: AclOperation.ANY,
    permissionType: AclPermissionType.ANY,
  });
  if (response.errorCode !== 0) throw new BrokerErrorResponse(response.errorCode, response.errorMessage);
  return response.resources.map((r) => ({ pattern: { resourceType: r.resourceType, name: r.resourceName, patternType: r.patternType }, entries: r.acls }));
}

/** The `Current ACLs` blocks for the command's resources (every ACL without one). */
async function currentAcls(admin: WireAdmin, options: AclCommandOptions, principal: string | null = null): Promise<string[]> {
  const found: DescribedResource[] = [];
  const filters = options.listAll ? [null] : options.resources.map((r) => r.pattern);
  for (const filter of filters) {
    for (const r of await describe(admin, filter, principal)) {
      if (!found.some((f) => formatPattern(f.pattern) === formatPattern(r.pattern))) found.push(r);
    }
  }
  return found.filter((r) => r.entries.length > 0).map((r) => aclBlock(`Current ACLs for resource \`${formatPattern(r.pattern)}\`:`, r.entries));
}

async function addAcls(admin: WireAdmin, options: AclCommandOptions, out: string[]): Promise<void> {
  const connection = await admin.bootstrap();
  const version = connection.usableVersion(ApiKey.CreateAcls, 1);
  for (const { pattern, entries } of options.resources) {
    out.push(aclBlock(`Adding ACLs for resource \`${formatPattern(pattern)}\`:`, entries));
    const response = await connection.request<CreateAclsResponse>(ApiKey.CreateAcls, version, {
      creations: entries.map((e) => ({ resourceType: pattern.resourceType, resourceName: pattern.name, resourcePatternType: pattern.patternType, ...e })),
    });
    const failed = response.results.find((r) => r.errorCode !== 0);
    if (failed) throw new BrokerErrorResponse(failed.errorCode, failed.errorMessage);
  }
}

async function removeAcls(admin: WireAdmin, options: AclCommandOptions, out: string[], confirm: (question: string) => Promise<boolean>): Promise<void> {
  const connection = await admin.bootstrap();
  const version = connection.usableVersion(ApiKey.DeleteAcls, 1);
  for (const { pattern, entries } of options.resources) {
    const question = entries.length === 0
      ? `Are you sure you want to delete all ACLs for resource filter \`${formatPattern(pattern)}\`? (y/n)`
      : `Are you sure you want to remove ACLs: \n ${entries.map((e) => `\t${formatEntry(e)}`).join('\n')} \n from resource filter \`${formatPattern(pattern)}\`? (y/n)`;
    if (!options.force && !(await confirm(question))) continue;
    const filters = (entries.length === 0 ? [{ principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermissionType.ANY }] : entries).map((e) => ({
      resourceTypeFilter: pattern.resourceType,
      resourceNameFilter: pattern.name,
      patternTypeFilter: pattern.patternType,
      principalFilter: e.principal,
      hostFilter: e.host,
      operation: e.operation,
      permissionType: e.permissionType,
    }));
    const response = await connection.request<DeleteAclsResponse>(ApiKey.DeleteAcls, version, { filters });
    const failed = response.filterResults.find((r) => r.errorCode !== 0);
    if (failed) throw new BrokerErrorResponse(failed.errorCode, failed.errorMessage);
  }
  void out;
}

export async function executeAclCommand(options: AclCommandOptions, confirm: (question: string) => Promise<boolean>): Promise<string[]> {
  await ensureReachable(options.bootstrapServers, '--bootstrap-server');
  const admin = new WireAdmin(options.bootstrapServers, { clientId: 'adminclient-1', properties: options.adminProperties });
  const out: string[] = [];
  try {
    if (options.action === 'add') await addAcls(admin, options, out);
    if (options.action === 'remove') await removeAcls(admin, options, out, confirm);
    if (options.action === 'list' && options.principals.length > 0) {
      for (const principal of options.principals) {
        out.push(`ACLs for principal \`${principal}\``);
        out.push(...(await currentAcls(admin, options, principal)));
      }
    } else {
      out.push(...(await currentAcls(admin, options)));
    }
    return out;
  } finally {
    admin.close();
  }
}

/** One line of stdin (empty at its end), for --remove's question. */
let stdinLines: AsyncIterator<string> | undefined;
async function firstLine(): Promise<string> {
  stdinLines ??= readline.createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
  const next = await stdinLines.next();
  return next.done ? '' : next.value;
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const options = aclCommandOptions(args);
    warnUnknownConfigs(options.adminProperties, 'admin');
    const confirm = async (question: string): Promise<boolean> => {
      process.stdout.write(question + '\n');
      const line = await firstLine();
      return line.trim().toLowerCase() === 'y';
    };
    try {
      const blocks = await executeAclCommand(options, confirm);
      for (const block of blocks) process.stdout.write(block + '\n');
      return 0;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`Error while executing ACL command: ${(err as Error).message ?? String(err)}`);
    }
  },
};
