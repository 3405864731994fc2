/**
 * kafka-consumer-groups: list, describe (offsets / members / state), delete groups,
 * reset committed offsets and delete committed offsets, with Kafka trunk's flags,
 * tables and texts. As in Kafka, runtime failures print `Error: ...` on stdout and
 * the command still exits 0; usage mistakes print the option table and exit 1.
 *
 * kafkajs' admin client lists and describes groups and reads log offsets. What it
 * cannot do the way Kafka's AdminClient does goes straight to the group coordinator:
 * OffsetFetch for every committed partition with its leader epoch, OffsetCommit as a
 * non-member (generation -1, as Kafka's alterConsumerGroupOffsets; kafkajs' setOffsets
 * would join the group to commit), DeleteGroups with per-group results and OffsetDelete.
 */
import kafkajs from 'kafkajs';
import type { Admin, GroupDescription } from 'kafkajs';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { warnUnknownConfigs } from '../client-configs.js';
import { createClient, describeClientError, ensureReachable, parseBootstrapServers, splitHostPort } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { javaStringOrder } from '../format.js';
import { intOption, parseArgs, type CommandSpec, type ParsedArgs } from '../options.js';
import { logLine } from '../output.js';
import { BrokerConnection } from '../wire-client.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type {
  DeleteGroupsResponse, FindCoordinatorResponse, OffsetCommitResponse, OffsetDeleteResponse, OffsetFetchResponse,
} from '../../protocol/generated/types.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';

const { AssignerProtocol } = kafkajs;

export const spec: CommandSpec = {
  name: 'kafka-consumer-groups',
  summary: 'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.',
  options: [
    { name: 'bootstrap-server', arg: 'String: server to connect to', description: 'REQUIRED: The server(s) to connect to.', complete: 'none' },
    { name: 'command-config', arg: 'String: command config property file', description: 'Property file with settings for the admin client.', complete: 'file' },
    { name: 'list', description: 'List all consumer groups.' },
    { name: 'describe', description: 'Describe a consumer group: committed offsets and lag per partition (default), members, or state.' },
    { name: 'delete', description: 'Delete whole consumer groups (their committed offsets and membership); the groups must have no active members.' },
    { name: 'reset-offsets', description: 'Reset committed offsets of inactive groups. Plans only (--dry-run, the default) unless --execute; --export prints the plan as CSV. Needs one scenario (--to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset) and a scope (--all-topics or --topic) unless --from-file.' },
    { name: 'delete-offsets', description: 'Delete committed offsets of one group for the given topics.' },
    { name: 'group', arg: 'String: consumer group', repeatable: true, description: 'The consumer group to act on (repeat for several).', complete: 'none' },
    { name: 'all-groups', description: 'Act on every consumer group.' },
    { name: 'topic', arg: 'String: topic', repeatable: true, description: 'A topic to reset or delete offsets for; with --reset-offsets partitions may be given as topic1:0,1,2. Repeat for several topics.', complete: 'none' },
    { name: 'all-topics', description: 'With --reset-offsets: every topic the group has committed offsets for.' },
    { name: 'timeout', arg: 'Long: timeout (ms)', description: 'Timeout for admin requests in milliseconds (default: 5000).', complete: 'none' },
    { name: 'dry-run', description: 'Only show the result, change nothing (reset-offsets).' },
    { name: 'execute', description: 'Carry out the operation (reset-offsets).' },
    { name: 'export', description: 'Print the reset plan as CSV (reset-offsets).' },
    { name: 'to-offset', arg: 'Long: offset', description: 'Reset offsets to this offset.', complete: 'none' },
    { name: 'from-file', arg: 'String: path to CSV file', description: 'Reset offsets to the values in a CSV file (as --export writes it).', complete: 'file' },
    { name: 'to-datetime', arg: 'String: datetime', description: "Reset offsets to the first offset at or after a time. Format: 'YYYY-MM-DDTHH:mm:SS.sss' (UTC unless a zone is given).", complete: 'none' },
    { name: 'by-duration', arg: 'String: duration', description: "Reset offsets to the first offset at or after now minus a duration. Format: 'PnDTnHnMnS'.", complete: 'none' },
    { name: 'to-earliest', description: 'Reset offsets to the earliest offset.' },
    { name: 'to-latest', description: 'Reset offsets to the latest offset.' },
    { name: 'to-current', description: 'Reset offsets to the current committed offset.' },
    { name: 'shift-by', arg: 'Long: number-of-offsets', description: "Reset offsets by moving the committed offset 'n' forward (positive) or back (negative).", complete: 'none' },
    { name: 'members', description: 'With --describe: list the members of the group.' },
    { name: 'verbose', description: 'With --describe: more columns (leader epoch; member assignments; group epochs).' },
    { name: 'offsets', description: 'With --describe: partitions with committed offset, log end offset and lag (the default view).' },
    { name: 'state', arg: 'String', optionalArg: true, description: "With --describe: the group's coordinator, assignor, state and member count. With --list: add a STATE column, or list only groups in the given states (e.g. stable,empty).", complete: ['stable', 'empty', 'preparingrebalance', 'completingrebalance', 'dead'] },
    { name: 'type', arg: 'String', optionalArg: true, description: 'With --list: add a TYPE column, or list only groups of the given types (classic, consumer).', complete: ['classic', 'consumer'] },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

// ---------------------------------------------------------------------------
// options

const ACTIONS = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'] as const;
type Action = (typeof ACTIONS)[number];

const SCENARIOS = ['to-offset', 'shift-by', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'from-file'] as const;

export type ResetScenario =
  | { kind: 'to-offset'; offset: bigint }
  | { kind: 'shift-by'; shift: bigint }
  | { kind: 'to-datetime'; timestamp: number }
  | { kind: 'by-duration'; durationMs: number }
  | { kind: 'to-earliest' }
  | { kind: 'to-latest' }
  | { kind: 'to-current' }
  | { kind: 'from-file'; file: string };

/** Kafka's states of a classic or consumer group (GroupState names). */
export const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'] as const;

export interface ConsumerGroupCommandOptions {
  action: Action;
  bootstrapServers: string[];
  groups: string[];
  allGroups: boolean;
  topics: string[];
  allTopics: boolean;
  describeView: 'offsets' | 'members' | 'state';
  verbose: boolean;
  /** --list: which extra columns, and the state/type filters (empty = all) */
  listColumns: { state: boolean; type: boolean };
  stateFilter: string[];
  typeFilter: string[];
  scenario?: ResetScenario;
  execute: boolean;
  exportCsv: boolean;
  timeoutMs: number;
  adminProperties: Record<string, string>;
}

function optionList(names: readonly string[]): string {
  return names.map((n) => `[${n}]`).join(', ');
}

function invalidWith(args: ParsedArgs, used: string, others: readonly string[]): void {
  if (!args.has(used)) return;
  for (const other of others) {
    if (args.has(other)) throw new UsageError(`Option "[${used}]" can't be used with option "[${other}]"`);
  }
}

/** State names typed by the user (any case) → Kafka's names; unknown names are a usage error. */
export function parseStateFilter(input: string): string[] {
  const states = input.split(',').map((s) => s.trim());
  const parsed = states.map((s) => GROUP_STATES.find((known) => known.toLowerCase() === s.toLowerCase()));
  if (parsed.some((s) => s === undefined)) {
    throw new UsageError(`Invalid state list '${input}'. Valid states are: ${GROUP_STATES.join(', ')}`);
  }
  return [...new Set(parsed as string[])];
}

function parseTypeFilter(input: string): string[] {
  const types = input.toLowerCase().split(',').map((s) => s.trim());
  if (types.some((t) => t !== 'classic' && t !== 'consumer')) {
    throw new UsageError(`Invalid types list '${input}'. Valid types are: Classic, Consumer`);
  }
  return [...new Set(types)];
}

/** Validates the flag combination as ConsumerGroupCommandOptions.checkArgs does, then the one-action rule. */
export function consumerGroupCommandOptions(args: ParsedArgs): ConsumerGroupCommandOptions {
  const bootstrap = args.get('bootstrap-server');
  if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
  // joptsimple's availableIf: these only make sense with the actions named
  for (const name of ['members', 'verbose', 'offsets']) {
    if (args.has(name) && !args.has('describe')) throw new UsageError(`Option(s) [${name}] are unavailable given other options on the command line`);
  }
  if (args.has('state') && !args.has('describe') && !args.has('list')) {
    throw new UsageError('Option(s) [state] are unavailable given other options on the command line');
  }
  if (args.has('type') && !args.has('list')) throw new UsageError('Option(s) [type] are unavailable given other options on the command line');

  const hasGroupScope = args.has('group') || args.has('all-groups');
  const views = (['members', 'offsets', 'state'] as const).filter((v) => args.has(v));
  if (args.has('describe')) {
    if (!hasGroupScope) throw new UsageError(`Option [describe] takes one of these options: ${optionList(['group', 'all-groups'])}`);
    if (views.length > 1) throw new UsageError(`Option [describe] takes at most one of these options: ${optionList(['members', 'offsets', 'state'])}`);
    if (args.has('state') && args.get('state') !== '') throw new UsageError('Option [describe] does not take a value for [state]');
  }
  if (args.has('delete')) {
    if (!hasGroupScope) throw new UsageError(`Option [delete] takes one of these options: ${optionList(['group', 'all-groups'])}`);
    if (args.has('topic')) throw new UsageError('The consumer does not support topic-specific offset deletion from a consumer group.');
  }
  if (args.has('delete-offsets') && (!args.has('group') || !args.has('topic'))) {
    throw new UsageError(`Option [delete-offsets] takes the following options: ${optionList(['group', 'topic'])}`);
  }
  if (args.has('reset-offsets')) {
    if (args.has('dry-run') && args.has('execute')) throw new UsageError('Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    if (!args.has('dry-run') && !args.has('execute')) {
      process.stderr.write('WARN: No action will be performed as the --execute option is missing.' +
        'In a future major release, the default behavior of this command will be to prompt the user before executing the reset ' +
        'rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want ' +
        'to keep the current default behavior without prompting.\n');
    }
    if (!hasGroupScope) throw new UsageError(`Option [reset-offsets] takes one of these options: ${optionList(['group', 'all-groups'])}`);
    for (const scenario of SCENARIOS) invalidWith(args, scenario, SCENARIOS.filter((s) => s !== scenario));
  }
  invalidWith(args, 'group', ['all-groups']);
  invalidWith(args, 'group', ['list']);
  invalidWith(args, 'topic', ['list', 'describe']);

  const actions = ACTIONS.filter((a) => args.has(a));
  if (actions.length !== 1) {
    throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
  }
  const action = actions[0];

  let scenario: ResetScenario | undefined;
  if (action === 'reset-offsets') {
    const chosen = SCENARIOS.find((s) => args.has(s));
    if (chosen === undefined) {
      throw new UsageError(`Option '[reset-offsets]' requires one of the following scenarios: ${optionList(SCENARIOS)}`);
    }
    scenario = resetScenario(args, chosen);
    if (!args.has('topic') && !args.has('all-topics') && chosen !== 'from-file') {
      throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
    }
  }
  const timeout = intOption(args, 'timeout') ?? 5000;
  const commandConfig = args.get('command-config');
  const stateValue = args.get('state') ?? '';
  const typeValue = args.get('type') ?? '';
  return {
    action,
    bootstrapServers: parseBootstrapServers(bootstrap),
    groups: args.all('group'),
    allGroups: args.has('all-groups'),
    topics: args.all('topic'),
    allTopics: args.has('all-topics'),
    describeView: views[0] ?? 'offsets',
    verbose: args.has('verbose'),
    listColumns: { state: args.has('state'), type: args.has('type') },
    stateFilter: action === 'list' && stateValue !== '' ? parseStateFilter(stateValue) : [],
    typeFilter: action === 'list' && typeValue !== '' ? parseTypeFilter(typeValue) : [],
    scenario,
    execute: args.has('execute'),
    exportCsv: args.has('export'),
    timeoutMs: timeout,
    adminProperties: commandConfig ? readPropertiesFile(commandConfig, 'command config file') : {},
  };
}

function longOption(args: ParsedArgs, name: string): bigint {
  const raw = (args.get(name) ?? '').trim();
  if (!/^[-+]?\d+$/.test(raw)) throw new UsageError(`Cannot parse argument '${args.get(name) ?? ''}' of option ${name}`);
  return BigInt(raw);
}

function resetScenario(args: ParsedArgs, chosen: (typeof SCENARIOS)[number]): ResetScenario {
  switch (chosen) {
    case 'to-offset': return { kind: 'to-offset', offset: longOption(args, 'to-offset') };
    case 'shift-by': return { kind: 'shift-by', shift: longOption(args, 'shift-by') };
    case 'to-datetime': return { kind: 'to-datetime', timestamp: parseDateTime(args.get('to-datetime') ?? '') };
    case 'by-duration': return { kind: 'by-duration', durationMs: parseIsoDuration(args.get('by-duration') ?? '') };
    case 'from-file': return { kind: 'from-file', file: args.get('from-file') ?? '' };
    default: return { kind: chosen };
  }
}

/**
 * `--to-datetime` as Kafka's Utils.getDateTime reads it: `YYYY-MM-DDTHH:mm:SS.sss`,
 * UTC unless the time part carries `Z` or a `±HH:MM` offset. Milliseconds may be
 * left out here (Kafka insists on them).
 */
export function parseDateTime(text: string): number {
  const parts = text.split('T');
  if (parts.length < 2) throw new CliError(`Error parsing timestamp. It does not contain a 'T' according to ISO8601 format: ${text}`, 0);
  const timePart = parts[1];
  const withZone = /[+\-Z]/.test(timePart) ? text : `${text}Z`;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(withZone);
  if (!match) throw new CliError(`Unparseable date: "${text}"`, 0);
  const [, y, mo, d, h, mi, s, ms, zone] = match;
  let utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((ms ?? '0').padEnd(3, '0')));
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    utc -= sign * offsetMinutes * 60_000;
  }
  return utc;
}

/** `--by-duration` in java.time.Duration's ISO-8601 form (`PnDTnHnMn.nS`), as milliseconds. */
export function parseIsoDuration(text: string): number {
  const match = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i.exec(text.trim());
  if (!match || /T$/i.test(text.trim()) || text.trim().toUpperCase() === 'P') {
    throw new CliError(`Text cannot be parsed to a Duration: ${text}`, 0);
  }
  const [, sign, days, hours, minutes, seconds, fraction] = match;
  const secondsValue = Number(seconds ?? 0);
  const fractionMs = fraction ? Math.round(Number(`0.${fraction}`) * 1000) * (secondsValue < 0 || seconds?.startsWith('-') ? -1 : 1) : 0;
  const ms = Number(days ?? 0) * 86_400_000 + Number(hours ?? 0) * 3_600_000 + Number(minutes ?? 0) * 60_000 + secondsValue * 1000 + fractionMs;
  return sign === '-' ? -ms : ms;
}

// ---------------------------------------------------------------------------
// pure formatting (golden-tested)

const MISSING = '-';

/** Java's `%-Ns`: left-aligned, padded to N, never cut. */
function pad(value: string, width: number): string {
  return value.padEnd(width);
}

/** One row of the default describe view; undefined cells print as `-`. */
export interface PartitionOffsetRow {
  group: string;
  topic?: string;
  partition?: number;
  leaderEpoch?: number;
  currentOffset?: bigint;
  logEndOffset?: bigint;
  lag?: bigint;
  consumerId?: string;
  host?: string;
  clientId?: string;
}

/** The offsets table: a blank line, the header, one line per row, trailing newline. */
export function formatOffsetsTable(rows: readonly PartitionOffsetRow[], verbose: boolean): string {
  let groupWidth = 15;
  let topicWidth = 15;
  let consumerWidth = 15;
  let hostWidth = 15;
  for (const row of rows) {
    groupWidth = Math.max(groupWidth, row.group.length);
    topicWidth = Math.max(topicWidth, (row.topic ?? MISSING).length);
    consumerWidth = Math.max(consumerWidth, (row.consumerId ?? MISSING).length);
    hostWidth = Math.max(hostWidth, (row.host ?? MISSING).length);
  }
  const line = (cells: string[]): string => {
    const [group, topic, partition, ...rest] = cells;
    const numeric = rest.slice(0, verbose ? 4 : 3).map((c) => pad(c, 15));
    const [consumerId, host, clientId] = rest.slice(verbose ? 4 : 3);
    return '\n' + [pad(group, groupWidth), pad(topic, topicWidth), pad(partition, 10), ...numeric, pad(consumerId, consumerWidth), pad(host, hostWidth), clientId].join(' ');
  };
  const text = (v: string | number | bigint | undefined): string => (v === undefined ? MISSING : String(v));
  let out = line(verbose
    ? ['GROUP', 'TOPIC', 'PARTITION', 'LEADER-EPOCH', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']
    : ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']);
  for (const row of rows) {
    const numbers = verbose ? [row.leaderEpoch, row.currentOffset, row.logEndOffset, row.lag] : [row.currentOffset, row.logEndOffset, row.lag];
    out += line([row.group, text(row.topic), text(row.partition), ...numbers.map(text), text(row.consumerId), text(row.host), text(row.clientId)]);
  }
  return out + '\n';
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/** One member for `--describe --members`. */
export interface MemberRow {
  group: string;
  consumerId: string;
  groupInstanceId: string;
  host: string;
  clientId: string;
  assignment: readonly TopicPartitionRef[];
}

/** `t1:0,1;t2:3` — topics in order, partitions ascending (trunk's ASSIGNMENT form). */
export function assignmentString(assignment: readonly TopicPartitionRef[]): string {
  if (assignment.length === 0) return MISSING;
  const byTopic = new Map<string, number[]>();
  for (const tp of assignment) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic.entries()]
    .map(([topic, partitions]) => `${topic}:${[...partitions].sort((a, b) => a - b).join(',')}`)
    .sort(javaStringOrder)
    .join(';');
}

/**
 * The members table. `printWidths` is false when the group has no members to show
 * (Kafka still prints the header then, with the minimum widths).
 */
export function formatMembersTable(rows: readonly MemberRow[], verbose: boolean): string {
  let groupWidth = 15;
  let consumerWidth = 15;
  let instanceWidth = 17;
  let hostWidth = 15;
  let clientWidth = 15;
  let currentWidth = 20;
  const targetWidth = 20;
  let withInstanceId = false;
  for (const row of rows) {
    groupWidth = Math.max(groupWidth, row.group.length);
    consumerWidth = Math.max(consumerWidth, row.consumerId.length);
    instanceWidth = Math.max(instanceWidth, row.groupInstanceId.length);
    hostWidth = Math.max(hostWidth, row.host.length);
    clientWidth = Math.max(clientWidth, row.clientId.length);
    withInstanceId ||= row.groupInstanceId !== '';
    currentWidth = Math.max(currentWidth, assignmentString(row.assignment).length);
  }
  const base = (group: string, consumerId: string, instanceId: string, host: string, clientId: string, partitions: string): string =>
    [pad(group, groupWidth), pad(consumerId, consumerWidth), ...(withInstanceId ? [pad(instanceId, instanceWidth)] : []), pad(host, hostWidth), pad(clientId, clientWidth), pad(partitions, 15)].join(' ') + ' ';
  // classic groups have no member or target-assignment epochs (KIP-848 consumer groups do)
  const extra = (currentEpoch: string, current: string, targetEpoch: string, target: string): string =>
    [pad(currentEpoch, 15), pad(current, currentWidth), pad(targetEpoch, 15), pad(target, targetWidth)].join(' ');
  let out = '\n' + base('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS');
  if (verbose) out += extra('CURRENT-EPOCH', 'CURRENT-ASSIGNMENT', 'TARGET-EPOCH', 'TARGET-ASSIGNMENT');
  out += '\n';
  for (const row of rows) {
    out += base(row.group, row.consumerId, row.groupInstanceId, row.host, row.clientId, String(row.assignment.length));
    if (verbose) out += extra(MISSING, assignmentString(row.assignment), MISSING, MISSING);
    out += '\n';
  }
  return out;
}

export interface GroupStateRow {
  group: string;
  coordinator: { host: string; port: number; nodeId: number };
  /** the assignor of a Stable group (`range`, `RoundRobinAssigner`...); empty otherwise */
  assignmentStrategy: string;
  state: string;
  members: number;
}

/** `--describe --state`: blank line, header, one row, newline. */
export function formatStateTable(row: GroupStateRow, verbose: boolean): string {
  const coordinator = `${row.coordinator.host}:${row.coordinator.port}  (${row.coordinator.nodeId})`;
  const coordinatorWidth = Math.max(25, coordinator.length);
  const groupWidth = Math.max(15, row.group.length);
  const strategy = row.assignmentStrategy === '' ? MISSING : row.assignmentStrategy;
  const line = (cells: string[]): string => {
    const [group, coord, assignor, state, ...rest] = cells;
    const middle = verbose ? [pad(rest[0], 15), pad(rest[1], 25)] : [];
    return '\n' + [pad(group, groupWidth), pad(coord, coordinatorWidth), pad(assignor, 20), pad(state, 20), ...middle, rest[rest.length - 1]].join(' ');
  };
  if (verbose) {
    return line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', 'GROUP-EPOCH', 'TARGET-ASSIGNMENT-EPOCH', '#MEMBERS']) +
      line([row.group, coordinator, strategy, row.state, MISSING, MISSING, String(row.members)]) + '\n';
  }
  return line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS']) +
    line([row.group, coordinator, strategy, row.state, String(row.members)]) + '\n';
}

export interface GroupListing {
  groupId: string;
  state: string;
  /** `Classic` for every group of this broker */
  type: string;
}

/** `--list` with `--state`/`--type`: GROUP column max(15, longest)+10 wide, the others 20, all padded. */
export function formatGroupListing(groups: readonly GroupListing[], columns: { state: boolean; type: boolean }): string {
  const groupWidth = (groups.length === 0 ? 15 : Math.max(...groups.map((g) => Math.max(15, g.groupId.length)))) + 10;
  const line = (id: string, type: string, state: string): string =>
    [pad(id, groupWidth), ...(columns.type ? [pad(type, 20)] : []), ...(columns.state ? [pad(state, 20)] : [])].join(' ') + '\n';
  return line('GROUP', 'TYPE', 'STATE') + groups.map((g) => line(g.groupId, g.type, g.state)).join('');
}

export interface PlannedOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

/** `--reset-offsets` plan: blank line, `GROUP TOPIC PARTITION NEW-OFFSET`, rows; nothing but a newline when no group was planned. */
export function formatResetPlan(plan: ReadonlyMap<string, readonly PlannedOffset[]>): string {
  const groupWidth = Math.max(15, ...[...plan.keys()].map((g) => g.length));
  const topicWidth = Math.max(15, ...[...plan.values()].flatMap((offsets) => offsets.map((o) => o.topic.length)));
  const line = (group: string, topic: string, partition: string, offset: string): string =>
    '\n' + [pad(group, groupWidth), pad(topic, topicWidth), pad(partition, 10), offset].join(' ');
  let out = plan.size > 0 ? line('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET') : '';
  for (const [group, offsets] of plan) {
    for (const o of offsets) out += line(group, o.topic, String(o.partition), String(o.offset));
  }
  return out + '\n';
}

/** `--export`: `topic,partition,offset` lines for one group, `group,topic,partition,offset` for several; println adds a final blank line. */
export function formatResetCsv(plan: ReadonlyMap<string, readonly PlannedOffset[]>, singleGroup: boolean): string {
  const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  let out = '';
  for (const [group, offsets] of plan) {
    for (const o of offsets) {
      out += (singleGroup ? '' : `${csvField(group)},`) + `${csvField(o.topic)},${o.partition},${o.offset}\n`;
    }
  }
  return out + '\n';
}

/** Reads an exported plan back (`--from-file`); the single-group shape needs exactly one --group. */
export function parseResetCsv(text: string, groups: readonly string[]): Map<string, PlannedOffset[]> {
  const plan = new Map<string, PlannedOffset[]>();
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  const fields = (line: string): string[] => line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
  const singleShape = lines.length > 0 && fields(lines[0]).length === 3 && /^\d+$/.test(fields(lines[0])[1]);
  for (const line of lines) {
    const f = fields(line);
    let group: string;
    let rest: string[];
    if (singleShape && groups.length === 1) {
      [group, rest] = [groups[0], f];
    } else {
      [group, rest] = [f[0], f.slice(1)];
    }
    if (rest.length !== 3 || !/^\d+$/.test(rest[1]) || !/^-?\d+$/.test(rest[2])) {
      throw new CliError(`Cannot parse reset plan line '${line}': expected ${singleShape && groups.length === 1 ? 'topic,partition,offset' : 'group,topic,partition,offset'}`, 0);
    }
    const list = plan.get(group) ?? [];
    list.push({ topic: rest[0], partition: Number(rest[1]), offset: BigInt(rest[2]) });
    plan.set(group, list);
  }
  return plan;
}

/** Result of one partition of `--delete-offsets`; `error` is the Java exception text, absent = success. */
export interface DeleteOffsetsRow {
  topic: string;
  /** -1 when the topic itself could not be resolved */
  partition: number;
  error?: string;
}

/** `TOPIC PARTITION STATUS` table of `--delete-offsets` (each line starts with a newline, as Kafka's `%n` format). */
export function formatDeleteOffsetsTable(rows: readonly DeleteOffsetsRow[]): string {
  const topicWidth = Math.max(15, ...rows.map((r) => r.topic.length));
  const line = (topic: string, partition: string, status: string): string => '\n' + [pad(topic, topicWidth), pad(partition, 10), pad(status, 15)].join(' ');
  // Kafka sorts by the concatenated `topic + partition` string
  const sorted = [...rows].sort((a, b) => javaStringOrder(`${a.topic}${a.partition}`, `${b.topic}${b.partition}`));
  let out = line('TOPIC', 'PARTITION', 'STATUS');
  for (const row of sorted) {
    out += line(row.topic, row.partition >= 0 ? String(row.partition) : MISSING, row.error !== undefined ? `Error: ${row.error}` : 'Successful');
  }
  return out + '\n';
}

/** What Kafka prints before a group's table, by state; `show` says whether the table follows. */
export function groupStatusNote(group: string, state: string | undefined, rows: number | undefined): { stdout: string; stderr: string; show: boolean } {
  if (rows === undefined || state === undefined) return { stdout: `\nError: The consumer group '${group}' does not exist.\n`, stderr: '', show: false };
  switch (state) {
    case 'Dead': return { stdout: `\nError: Consumer group '${group}' does not exist.\n`, stderr: '', show: false };
    case 'Empty': return { stdout: '', stderr: `\nConsumer group '${group}' has no active members.\n`, show: rows > 0 };
    case 'PreparingRebalance':
    case 'CompletingRebalance':
    case 'Assigning':
    case 'Reconciling':
      return { stdout: '', stderr: `\nWarning: Consumer group '${group}' is rebalancing.\n`, show: rows > 0 };
    case 'Stable': return { stdout: '', stderr: '', show: rows > 0 };
    default: throw new Error(`Expected a valid consumer group state, but found '${state}'.`);
  }
}

/** Kafka's exception class and message for the error codes these commands meet (what Java's `toString()` prints). */
const JAVA_EXCEPTIONS: Record<number, [string, string]> = {
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: ['UnknownTopicOrPartitionException', 'This server does not host this topic-partition.'],
  [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]: ['CoordinatorLoadInProgressException', 'The coordinator is loading and hence can\'t process requests.'],
  [ErrorCode.COORDINATOR_NOT_AVAILABLE]: ['CoordinatorNotAvailableException', 'The coordinator is not available.'],
  [ErrorCode.NOT_COORDINATOR]: ['NotCoordinatorException', 'This is not the correct coordinator.'],
  [ErrorCode.INVALID_GROUP_ID]: ['InvalidGroupIdException', 'The configured groupId is invalid.'],
  [ErrorCode.NON_EMPTY_GROUP]: ['GroupNotEmptyException', 'The group is not empty.'],
  [ErrorCode.GROUP_ID_NOT_FOUND]: ['GroupIdNotFoundException', 'The group id does not exist.'],
  [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]: ['GroupSubscribedToTopicException', 'The consumer group is actively subscribed to the topic'],
  [ErrorCode.GROUP_AUTHORIZATION_FAILED]: ['GroupAuthorizationException', 'Group authorization failed.'],
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED]: ['TopicAuthorizationException', 'Topic authorization failed.'],
};

/** `org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.` */
export function javaErrorText(code: number): string {
  const known = JAVA_EXCEPTIONS[code];
  if (known) return `org.apache.kafka.common.errors.${known[0]}: ${known[1]}`;
  return `org.apache.kafka.common.errors.ApiException: ${errorName(code)}`;
}

function javaErrorMessage(code: number): string {
  return JAVA_EXCEPTIONS[code]?.[1] ?? errorName(code);
}

// ---------------------------------------------------------------------------
// talking to the group coordinator directly

interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

/** A failure that Kafka would report through its catch-all `Error: ...` line (stdout, exit 0). */
class GroupCommandError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Raw requests to a group's coordinator, found with FindCoordinator v1 on a bootstrap broker. */
class CoordinatorClient {
  private readonly connections = new Map<string, BrokerConnection>();
  private readonly coordinators = new Map<string, CoordinatorNode>();

  constructor(private readonly brokers: readonly string[], private readonly timeoutMs: number, private readonly properties: Record<string, string> = {}) {}

  private async connection(host: string, port: number): Promise<BrokerConnection> {
    const key = `${host}:${port}`;
    let connection = this.connections.get(key);
    if (!connection) {
      connection = await BrokerConnection.open(key, 'kafka-consumer-groups', Math.max(this.timeoutMs, 3000), this.properties);
      this.connections.set(key, connection);
    }
    return connection;
  }

  private async bootstrapConnection(): Promise<BrokerConnection> {
    let lastError: unknown;
    for (const entry of this.brokers) {
      const address = splitHostPort(entry);
      if (!address) continue;
      try {
        return await this.connection(address.host, address.port);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('no bootstrap broker reachable');
  }

  async coordinator(groupId: string): Promise<CoordinatorNode> {
    const known = this.coordinators.get(groupId);
    if (known) return known;
    const deadline = Date.now() + Math.max(this.timeoutMs, 3000);
    for (;;) {
      const connection = await this.bootstrapConnection();
      const response = await connection.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, 1, {
        key: groupId, keyType: 0, coordinatorKeys: [],
      });
      if (response.errorCode === ErrorCode.NONE) {
        const node = { nodeId: response.nodeId, host: response.host, port: response.port };
        this.coordinators.set(groupId, node);
        return node;
      }
      // the offsets topic may still be being created on first use: retry until the timeout
      const retriable = response.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE || response.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      if (!retriable || Date.now() > deadline) throw new GroupCommandError(javaErrorText(response.errorCode));
      await sleep(200);
    }
  }

  async request<T>(groupId: string, apiKey: number, apiVersion: number, body: unknown): Promise<T> {
    const node = await this.coordinator(groupId);
    const connection = await this.connection(node.host, node.port);
    return connection.request<T>(apiKey, apiVersion, body);
  }

  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }
}

interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
}

/** Key of a topic-partition in maps: `topic-partition`, Kafka's TopicPartition.toString(). */
function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function compareTopicPartition(a: TopicPartitionRef, b: TopicPartitionRef): number {
  return javaStringOrder(a.topic, b.topic) || a.partition - b.partition;
}

// ---------------------------------------------------------------------------
// the command

/** Where a command run writes; the real run uses process streams, tests may collect. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

class ConsumerGroupService {
  private readonly coordinatorClient: CoordinatorClient;

  constructor(private readonly admin: Admin, private readonly options: ConsumerGroupCommandOptions, private readonly out: CommandOutput) {
    this.coordinatorClient = new CoordinatorClient(options.bootstrapServers, options.timeoutMs, options.adminProperties);
  }

  close(): void {
    this.coordinatorClient.close();
  }

  /** Ids of consumer groups: protocol type `consumer`, or empty (groups that only hold committed offsets). */
  async listConsumerGroups(): Promise<string[]> {
    const { groups } = await this.admin.listGroups();
    return groups.filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
  }

  private async describe(groupIds: readonly string[]): Promise<Map<string, GroupDescription>> {
    const result = new Map<string, GroupDescription>();
    if (groupIds.length === 0) return result;
    const { groups } = await this.admin.describeGroups([...new Set(groupIds)]);
    for (const g of groups) result.set(g.groupId, g);
    return result;
  }

  private async targetGroups(): Promise<string[]> {
    const ids = this.options.allGroups ? await this.listConsumerGroups() : this.options.groups;
    return [...new Set(ids)];
  }

  async list(): Promise<void> {
    const { state, type } = this.options.listColumns;
    const ids = await this.listConsumerGroups();
    if (!state && !type) {
      this.out.stdout(ids.map((id) => `${id}\n`).join(''));
      return;
    }
    const described = await this.describe(ids);
    const listings: GroupListing[] = [];
    for (const id of ids) {
      const groupState = described.get(id)?.state ?? 'Unknown';
      if (groupState === 'Dead') continue;
      if (this.options.stateFilter.length > 0 && !this.options.stateFilter.includes(groupState)) continue;
      // every group of this broker is a classic group (no KIP-848 consumer groups)
      if (this.options.typeFilter.length > 0 && !this.options.typeFilter.includes('classic')) continue;
      listings.push({ groupId: id, state: groupState, type: 'Classic' });
    }
    this.out.stdout(formatGroupListing(listings, { state, type }));
  }

  /** Committed offsets of a group (OffsetFetch v5, all partitions), with leader epochs. */
  async committedOffsets(groupId: string): Promise<Map<string, TopicPartitionRef & CommittedOffset>> {
    const response = await this.coordinatorClient.request<OffsetFetchResponse>(groupId, ApiKey.OffsetFetch, 5, {
      groupId, topics: null, groups: [], requireStable: false,
    });
    if (response.errorCode !== ErrorCode.NONE && response.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) {
      throw new GroupCommandError(javaErrorText(response.errorCode));
    }
    const offsets = new Map<string, TopicPartitionRef & CommittedOffset>();
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        if (p.errorCode !== ErrorCode.NONE || p.committedOffset < 0n) continue;
        offsets.set(tpKey(topic.name, p.partitionIndex), { topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch });
      }
    }
    return offsets;
  }

  /** Earliest and latest offset of every partition of the topics named; unknown topics are left out. */
  private async logOffsets(topics: Iterable<string>): Promise<Map<string, { low: bigint; high: bigint }>> {
    const result = new Map<string, { low: bigint; high: bigint }>();
    await Promise.all([...new Set(topics)].map(async (topic) => {
      try {
        for (const p of await this.admin.fetchTopicOffsets(topic)) {
          result.set(tpKey(topic, p.partition), { low: BigInt(p.low), high: BigInt(p.high) });
        }
      } catch {
        // no such topic or no leader: the partition's log end offset shows as `-`
      }
    }));
    return result;
  }

  /** Partitions of existing topics, by topic name. */
  private async partitionsOf(topics: Iterable<string>): Promise<Map<string, number[]>> {
    const names = [...new Set(topics)];
    const result = new Map<string, number[]>();
    if (names.length === 0) return result;
    const existing = new Set(await this.admin.listTopics());
    const known = names.filter((n) => existing.has(n));
    if (known.length === 0) return result;
    const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics: known });
    for (const t of metadata) result.set(t.name, t.partitions.map((p) => p.partitionId).sort((a, b) => a - b));
    return result;
  }

  private static decodeAssignment(buffer: Buffer): TopicPartitionRef[] {
    if (buffer.length === 0) return [];
    try {
      const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
      if (!decoded) return [];
      return Object.entries(decoded.assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    } catch {
      return []; // not the consumer protocol's layout (another protocol type)
    }
  }

  async describeGroups(): Promise<void> {
    const ids = await this.targetGroups();
    const described = await this.describe(ids);
    // Kafka walks groups in name order (a TreeMap)
    for (const groupId of [...described.keys()].sort(javaStringOrder)) {
      const group = described.get(groupId) as GroupDescription;
      switch (this.options.describeView) {
        case 'offsets': await this.describeOffsets(group); break;
        case 'members': this.describeMembers(group); break;
        case 'state': await this.describeState(group); break;
      }
    }
  }

  private emitNote(note: { stdout: string; stderr: string }): void {
    if (note.stderr) this.out.stderr(note.stderr);
    if (note.stdout) this.out.stdout(note.stdout);
  }

  private async describeOffsets(group: GroupDescription): Promise<void> {
    const committed = group.state === 'Dead' ? new Map<string, TopicPartitionRef & CommittedOffset>() : await this.committedOffsets(group.groupId);
    const members = group.members
      .map((m) => ({ member: m, assignment: ConsumerGroupService.decodeAssignment(m.memberAssignment) }))
      .filter((m) => m.assignment.length > 0)
      // members with the most partitions first (a stable sort, as Java's)
      .sort((a, b) => b.assignment.length - a.assignment.length);
    const assigned = new Set<string>();
    const topics = new Set<string>([...committed.values()].map((c) => c.topic));
    for (const m of members) for (const tp of m.assignment) topics.add(tp.topic);
    const logOffsets = await this.logOffsets(topics);
    const rowFor = (tp: TopicPartitionRef, who: { consumerId: string; host: string; clientId: string }): PartitionOffsetRow => {
      const c = committed.get(tpKey(tp.topic, tp.partition));
      const logEnd = logOffsets.get(tpKey(tp.topic, tp.partition))?.high;
      return {
        group: group.groupId,
        topic: tp.topic,
        partition: tp.partition,
        leaderEpoch: c && c.leaderEpoch >= 0 ? c.leaderEpoch : undefined,
        currentOffset: c?.offset,
        logEndOffset: logEnd,
        lag: c !== undefined && logEnd !== undefined ? logEnd - c.offset : undefined,
        ...who,
      };
    };
    const rows: PartitionOffsetRow[] = [];
    for (const { member, assignment } of members) {
      for (const tp of [...assignment].sort(compareTopicPartition)) {
        assigned.add(tpKey(tp.topic, tp.partition));
        rows.push(rowFor(tp, { consumerId: member.memberId, host: member.clientHost, clientId: member.clientId }));
      }
    }
    const unassigned = [...committed.values()].filter((c) => !assigned.has(tpKey(c.topic, c.partition))).sort(compareTopicPartition);
    for (const tp of unassigned) rows.push(rowFor(tp, { consumerId: MISSING, host: MISSING, clientId: MISSING }));

    const note = groupStatusNote(group.groupId, group.state, rows.length);
    this.emitNote(note);
    if (note.show) this.out.stdout(formatOffsetsTable(rows, this.options.verbose));
  }

  private describeMembers(group: GroupDescription): void {
    const rows: MemberRow[] = group.members.map((m) => ({
      group: group.groupId,
      consumerId: m.memberId,
      groupInstanceId: '',
      host: m.clientHost,
      clientId: m.clientId,
      assignment: ConsumerGroupService.decodeAssignment(m.memberAssignment),
    }));
    const note = groupStatusNote(group.groupId, group.state, rows.length);
    this.emitNote(note);
    // Kafka prints the header even when there is nobody to list
    this.out.stdout(formatMembersTable(note.show ? rows : [], this.options.verbose));
  }

  private async describeState(group: GroupDescription): Promise<void> {
    const note = groupStatusNote(group.groupId, group.state, 1);
    this.emitNote(note);
    if (!note.show) return;
    const coordinator = await this.coordinatorClient.coordinator(group.groupId);
    this.out.stdout(formatStateTable({
      group: group.groupId,
      coordinator,
      assignmentStrategy: group.protocol,
      state: group.state,
      members: group.members.length,
    }, this.options.verbose));
  }

  async deleteGroups(): Promise<void> {
    const ids = await this.targetGroups();
    const succeeded: string[] = [];
    const failed: Array<[string, string]> = [];
    for (const groupId of ids) {
      const response = await this.coordinatorClient.request<DeleteGroupsResponse>(groupId, ApiKey.DeleteGroups, 1, { groupsNames: [groupId] });
      const code = response.results.find((r) => r.groupId === groupId)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (code === ErrorCode.NONE) succeeded.push(groupId);
      else failed.push([groupId, javaErrorText(code)]);
    }
    const quoted = (groups: readonly string[]): string => groups.map((g) => `'${g}'`).join(', ');
    if (failed.length === 0) {
      this.out.stdout(`Deletion of requested consumer groups (${quoted(succeeded)}) was successful.\n`);
      return;
    }
    let text = '\nError: Deletion of some consumer groups failed:\n';
    for (const [group, error] of failed) text += `* Group '${group}' could not be deleted due to: ${error}\n`;
    if (succeeded.length > 0) text += `\nThese consumer groups were deleted successfully: ${quoted(succeeded)}\n`;
    this.out.stdout(text);
  }

  async deleteOffsets(): Promise<void> {
    const groupId = this.options.groups[0];
    const rows: DeleteOffsetsRow[] = [];
    const requested = new Map<string, Set<number>>();
    const plainTopics: string[] = [];
    for (const arg of this.options.topics) {
      if (arg.includes(':')) {
        for (const tp of parseTopicPartitions(arg)) requested.set(tp.topic, (requested.get(tp.topic) ?? new Set()).add(tp.partition));
      } else {
        plainTopics.push(arg);
      }
    }
    const partitions = await this.partitionsOf(plainTopics);
    for (const topic of new Set(plainTopics)) {
      const found = partitions.get(topic);
      if (!found) {
        rows.push({ topic, partition: -1, error: `org.apache.kafka.common.errors.UnknownTopicOrPartitionException: ${javaErrorMessage(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)}` });
        continue;
      }
      for (const p of found) requested.set(topic, (requested.get(topic) ?? new Set()).add(p));
    }
    let topLevel: number = ErrorCode.NONE;
    if (requested.size > 0) {
      const response = await this.coordinatorClient.request<OffsetDeleteResponse>(groupId, ApiKey.OffsetDelete, 0, {
        groupId,
        topics: [...requested].map(([name, ps]) => ({ name, partitions: [...ps].map((partitionIndex) => ({ partitionIndex })) })),
      });
      topLevel = response.errorCode;
      const byPartition = new Map<string, number>();
      for (const t of response.topics) for (const p of t.partitions) byPartition.set(tpKey(t.name, p.partitionIndex), p.errorCode);
      for (const [topic, ps] of requested) {
        for (const partition of ps) {
          const code = topLevel !== ErrorCode.NONE ? topLevel : byPartition.get(tpKey(topic, partition)) ?? ErrorCode.NONE;
          rows.push({ topic, partition, error: code === ErrorCode.NONE ? undefined : javaErrorText(code) });
        }
      }
      // the admin client reports the first partition error as the request's error
      if (topLevel === ErrorCode.NONE) topLevel = [...byPartition.values()].find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
    }
    switch (topLevel) {
      case ErrorCode.NONE:
        this.out.stdout(`Request succeeded for deleting offsets from group ${groupId}.\n`);
        break;
      case ErrorCode.INVALID_GROUP_ID:
      case ErrorCode.GROUP_ID_NOT_FOUND:
      case ErrorCode.GROUP_AUTHORIZATION_FAILED:
      case ErrorCode.NON_EMPTY_GROUP:
        this.out.stdout(`\nError: ${javaErrorMessage(topLevel)}\n`);
        break;
      case ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC:
      case ErrorCode.TOPIC_AUTHORIZATION_FAILED:
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
        this.out.stdout('\nError: Encountered some partition-level error, see the follow-up details.\n');
        break;
      default:
        this.out.stdout(`\nError: Encountered some unknown error: ${errorName(topLevel)}\n`);
    }
    this.out.stdout(formatDeleteOffsetsTable(rows));
  }

  async resetOffsets(): Promise<Map<string, PlannedOffset[]>> {
    const ids = await this.targetGroups();
    const described = await this.describe(ids);
    const result = new Map<string, PlannedOffset[]>();
    for (const groupId of ids) {
      const state = described.get(groupId)?.state ?? 'Dead';
      if (state === 'Empty' || state === 'Dead') {
        result.set(groupId, await this.resetInactiveGroup(groupId));
      } else {
        this.out.stdout(`\nError: Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.\n`);
        result.set(groupId, []);
      }
    }
    return result;
  }

  private async partitionsToReset(groupId: string): Promise<TopicPartitionRef[]> {
    if (this.options.allTopics) return [...(await this.committedOffsets(groupId)).values()].map(({ topic, partition }) => ({ topic, partition }));
    const explicit: TopicPartitionRef[] = [];
    const plain: string[] = [];
    for (const arg of this.options.topics) {
      if (arg.includes(':')) explicit.push(...parseTopicPartitions(arg));
      else plain.push(arg);
    }
    const partitions = await this.partitionsOf(plain);
    for (const topic of plain) {
      const found = partitions.get(topic);
      if (!found) throw new GroupCommandError(javaErrorMessage(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      explicit.push(...found.map((partition) => ({ topic, partition })));
    }
    return explicit;
  }

  /** Kafka keeps a requested offset inside [logStartOffset, logEndOffset], logging a WARN when it moves it. */
  private clamp(tp: TopicPartitionRef, requested: bigint, range: { low: bigint; high: bigint } | undefined): bigint {
    if (!range) throw new GroupCommandError(`Unexpected non-existing offset value for topic partition ${tpKey(tp.topic, tp.partition)}`);
    const category = 'org.apache.kafka.tools.GroupOffsetsResetter';
    if (requested > range.high) {
      this.out.stderr(logLine('WARN', `New offset (${requested}) is higher than latest offset for topic partition ${tpKey(tp.topic, tp.partition)}. Value will be set to ${range.high}.`, category) + '\n');
      return range.high;
    }
    if (requested < range.low) {
      this.out.stderr(logLine('WARN', `New offset (${requested}) is lower than earliest offset for topic partition ${tpKey(tp.topic, tp.partition)}. Value will be set to ${range.low}.`, category) + '\n');
      return range.low;
    }
    return requested;
  }

  private async resetInactiveGroup(groupId: string): Promise<PlannedOffset[]> {
    const scenario = this.options.scenario as ResetScenario;
    let targets: TopicPartitionRef[];
    let fromFile: Map<string, PlannedOffset[]> | undefined;
    if (scenario.kind === 'from-file') {
      fromFile = await this.readPlanFile(scenario.file);
      targets = (fromFile.get(groupId) ?? []).map(({ topic, partition }) => ({ topic, partition }));
      if (!fromFile.has(groupId)) {
        this.out.stdout(`\nError: No reset plan for group ${groupId} found.\n`);
        return [];
      }
    } else {
      targets = await this.partitionsToReset(groupId);
    }
    const unique = new Map(targets.map((tp) => [tpKey(tp.topic, tp.partition), tp]));
    targets = [...unique.values()].sort(compareTopicPartition);
    const known = await this.partitionsOf(targets.map((tp) => tp.topic));
    const missing = targets.filter((tp) => !(known.get(tp.topic) ?? []).includes(tp.partition));
    if (missing.length > 0) {
      throw new GroupCommandError(`The partitions "${missing.map((tp) => tpKey(tp.topic, tp.partition)).join(',')}" do not exist`);
    }
    const ranges = await this.logOffsets(targets.map((tp) => tp.topic));
    const range = (tp: TopicPartitionRef): { low: bigint; high: bigint } | undefined => ranges.get(tpKey(tp.topic, tp.partition));
    const planned: PlannedOffset[] = [];
    const needsCommitted = scenario.kind === 'shift-by' || scenario.kind === 'to-current';
    const committed = needsCommitted ? await this.committedOffsets(groupId) : new Map<string, CommittedOffset>();
    const byTime = scenario.kind === 'to-datetime' || scenario.kind === 'by-duration'
      ? await this.offsetsForTime(targets, scenario.kind === 'to-datetime' ? scenario.timestamp : Date.now() - scenario.durationMs)
      : undefined;
    for (const tp of targets) {
      let offset: bigint;
      switch (scenario.kind) {
        case 'to-earliest': {
          const r = range(tp);
          if (!r) throw new UsageError(`Error getting starting offset of topic partition: ${tpKey(tp.topic, tp.partition)}`);
          offset = r.low;
          break;
        }
        case 'to-latest': {
          const r = range(tp);
          if (!r) throw new UsageError(`Error getting ending offset of topic partition: ${tpKey(tp.topic, tp.partition)}`);
          offset = r.high;
          break;
        }
        case 'to-offset': offset = this.clamp(tp, scenario.offset, range(tp)); break;
        case 'shift-by': {
          const current = committed.get(tpKey(tp.topic, tp.partition));
          if (!current) throw new UsageError(`Cannot shift offset for partition ${tpKey(tp.topic, tp.partition)} since there is no current committed offset`);
          offset = this.clamp(tp, current.offset + scenario.shift, range(tp));
          break;
        }
        case 'to-current': {
          const current = committed.get(tpKey(tp.topic, tp.partition));
          const r = range(tp);
          if (!current && !r) throw new GroupCommandError(`Error getting ending offset of topic partition: ${tpKey(tp.topic, tp.partition)}`);
          offset = current ? current.offset : (r as { high: bigint }).high;
          break;
        }
        case 'to-datetime':
        case 'by-duration': {
          const found = byTime?.get(tpKey(tp.topic, tp.partition));
          if (found === undefined) throw new UsageError(`Error getting offset by timestamp of topic partition: ${tpKey(tp.topic, tp.partition)}`);
          offset = found;
          break;
        }
        case 'from-file': {
          const entry = (fromFile?.get(groupId) ?? []).find((o) => o.topic === tp.topic && o.partition === tp.partition);
          offset = this.clamp(tp, entry ? entry.offset : 0n, range(tp));
          break;
        }
      }
      planned.push({ ...tp, offset });
    }
    if (this.options.execute && planned.length > 0) await this.commit(groupId, planned);
    return planned;
  }

  /** First offset at or after `timestamp` per partition (ListOffsets by time); the log end offset when none is. */
  private async offsetsForTime(targets: readonly TopicPartitionRef[], timestamp: number): Promise<Map<string, bigint>> {
    const result = new Map<string, bigint>();
    for (const topic of new Set(targets.map((tp) => tp.topic))) {
      // kafkajs falls back to the high watermark for partitions with nothing that recent, as Kafka does
      for (const p of await this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp)) {
        result.set(tpKey(topic, p.partition), BigInt(p.offset));
      }
    }
    return result;
  }

  private async readPlanFile(file: string): Promise<Map<string, PlannedOffset[]>> {
    const fs = await import('node:fs');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new GroupCommandError(`java.nio.file.NoSuchFileException: ${file}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? '' : ` (${(err as Error).message})`}`);
    }
    return parseResetCsv(text, this.options.groups);
  }

  /** Commits as a non-member (OffsetCommit v5, generation -1, empty member id), as Kafka's alterConsumerGroupOffsets does. */
  private async commit(groupId: string, planned: readonly PlannedOffset[]): Promise<void> {
    const byTopic = new Map<string, PlannedOffset[]>();
    for (const o of planned) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const response = await this.coordinatorClient.request<OffsetCommitResponse>(groupId, ApiKey.OffsetCommit, 5, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [...byTopic].map(([name, offsets]) => ({
        name,
        partitions: offsets.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' })),
      })),
    });
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        if (p.errorCode !== ErrorCode.NONE) throw new GroupCommandError(javaErrorText(p.errorCode));
      }
    }
  }
}

/** `topic:0,1,2` → its partitions; Kafka's wording for a malformed argument. */
export function parseTopicPartitions(arg: string): TopicPartitionRef[] {
  const parts = arg.split(':');
  if (parts.length !== 2) throw new UsageError(`Invalid topic arg '${arg}', expected topic name and partitions`);
  const [topic, list] = parts;
  return list.split(',').map((p) => {
    if (!/^\s*-?\d+\s*$/.test(p)) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${arg}''`);
    return { topic, partition: Number(p.trim()) };
  });
}

/** Runs one parsed command against the cluster, writing Kafka's output as it goes. */
export async function executeConsumerGroupCommand(options: ConsumerGroupCommandOptions, out: CommandOutput): Promise<void> {
  await ensureReachable(options.bootstrapServers, '--bootstrap-server');
  const kafka = createClient({ brokers: options.bootstrapServers, clientId: 'adminclient-1', properties: options.adminProperties });
  const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 } });
  const service = new ConsumerGroupService(admin, options, out);
  try {
    await admin.connect();
    switch (options.action) {
      case 'list': await service.list(); break;
      case 'describe': await service.describeGroups(); break;
      case 'delete': await service.deleteGroups(); break;
      case 'delete-offsets': await service.deleteOffsets(); break;
      case 'reset-offsets': {
        const plan = await service.resetOffsets();
        for (const offsets of plan.values()) offsets.sort(compareTopicPartition);
        const sorted = new Map([...plan].sort(([a], [b]) => javaStringOrder(a, b)));
        out.stdout(options.exportCsv ? formatResetCsv(sorted, options.groups.length === 1) : formatResetPlan(sorted));
        break;
      }
    }
  } finally {
    service.close();
    await admin.disconnect().catch(() => undefined);
  }
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const args = parseArgs(spec, argv);
    const out: CommandOutput = {
      stdout: (text) => { process.stdout.write(text); },
      stderr: (text) => { process.stderr.write(text); },
    };
    let brokers: readonly string[] = [];
    try {
      // bad --to-datetime / --by-duration values surface here, reported like Kafka's runtime failures
      const options = consumerGroupCommandOptions(args);
      brokers = options.bootstrapServers;
      warnUnknownConfigs(options.adminProperties, 'admin');
      await executeConsumerGroupCommand(options, out);
    } catch (err) {
      // usage errors found late (bad partition list) and unreachable brokers keep their own handling
      if (err instanceof UsageError || (err instanceof CliError && err.exitCode !== 0)) throw err;
      const message = err instanceof GroupCommandError || err instanceof CliError ? err.message : describeClientError(err, brokers, '--bootstrap-server');
      // Kafka's catch-all: printed on stdout, and the command still exits 0
      out.stdout(`\nError: Executing consumer group command failed due to ${message}\n`);
    }
    return 0;
  },
};
