/**
 * Output formats of Kafka's tools, byte for byte as trunk prints them:
 * kafka-topics `--list` / `--describe` lines and the console consumer's
 * DefaultMessageFormatter. Pure functions so golden tests can pin them down.
 */

/** Internal topics hidden by `--exclude-internal` (trunk also lists `__share_group_state`). */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

/**
 * Kafka's topic filter for list/describe/alter/delete and the consumer's
 * `--include`: trim, `,` → `|`, spaces removed, surrounding quotes stripped, then
 * a full match.
 */
export function topicFilter(expression: string): (topic: string) => boolean {
  let pattern = expression.trim().replace(/,/g, '|').replace(/ /g, '');
  if (pattern.length >= 2 && (pattern.startsWith('"') && pattern.endsWith('"') || pattern.startsWith("'") && pattern.endsWith("'"))) {
    pattern = pattern.slice(1, -1);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    // Not a valid regex: a plain name is meant.
    return (topic) => topic === expression.trim();
  }
  return (topic) => regex.test(topic);
}

/** Java `String` order (UTF-16 code units), which JS's default comparison also uses. */
export function javaStringOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `--list` output: names joined by newlines plus a final newline (an empty cluster prints one blank line). */
export function formatTopicList(names: readonly string[]): string {
  return [...names].sort(javaStringOrder).join('\n') + '\n';
}

export interface PartitionDescription {
  partition: number;
  /** -1 = no leader */
  leader: number;
  replicas: readonly number[];
  isr: readonly number[];
  /** ELR lists when the broker reported them (KIP-966); absent = N/A */
  elr?: readonly number[];
  /** set while a reassignment of the partition runs (ListPartitionReassignments): Kafka adds `Adding Replicas:` / `Removing Replicas:` */
  reassignment?: { adding: readonly number[]; removing: readonly number[] };
  lastKnownElr?: readonly number[];
}

export interface TopicDescription {
  name: string;
  /** 22-character base64 topic id, absent (or all zero) when the broker has none */
  topicId?: string;
  partitions: readonly PartitionDescription[];
  /** non-default configs in broker order, `key=value` */
  configs: ReadonlyArray<readonly [string, string]>;
  /** the topic's min.insync.replicas, for --under-min-isr-partitions / --at-min-isr-partitions */
  minIsr?: number;
  markedForDeletion?: boolean;
}

const ZERO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** TopicCommand.getReplicationFactor: while a reassignment runs, the replicas not being added. */
function replicationFactorOf(partition: PartitionDescription): number {
  return partition.replicas.length - (partition.reassignment?.adding.length ?? 0);
}

/** The describe header line: `Topic: t\tTopicId: id\tPartitionCount: n\tReplicationFactor: rf\tConfigs: k=v,...`. */
export function formatTopicHeader(topic: TopicDescription): string {
  const replicationFactor = topic.partitions.length > 0 ? replicationFactorOf(topic.partitions[0]) : 0;
  const parts = [`Topic: ${topic.name}`];
  if (topic.topicId && topic.topicId !== ZERO_TOPIC_ID) parts.push(`TopicId: ${topic.topicId}`);
  parts.push(`PartitionCount: ${topic.partitions.length}`);
  parts.push(`ReplicationFactor: ${replicationFactor}`);
  parts.push(`Configs: ${topic.configs.map(([k, v]) => `${k}=${v}`).join(',')}`);
  let line = parts.join('\t');
  if (topic.markedForDeletion) line += '\tMarkedForDeletion: true';
  return line;
}

/** One partition line, starting with a TAB, ending with the Elr columns trunk prints. */
export function formatPartitionLine(topic: TopicDescription, partition: PartitionDescription): string {
  const list = (ids: readonly number[] | undefined): string => (ids === undefined ? 'N/A' : ids.join(','));
  let line = `\tTopic: ${topic.name}\tPartition: ${partition.partition}\tLeader: ${partition.leader >= 0 ? partition.leader : 'none'}` +
    `\tReplicas: ${partition.replicas.join(',')}\tIsr: ${partition.isr.join(',')}` +
    (partition.reassignment ? `\tAdding Replicas: ${partition.reassignment.adding.join(',')}\tRemoving Replicas: ${partition.reassignment.removing.join(',')}` : '') +
    `\tElr: ${list(partition.elr)}\tLastKnownElr: ${list(partition.lastKnownElr)}`;
  if (topic.markedForDeletion) line += '\tMarkedForDeletion: true';
  return line;
}

export interface DescribeFilter {
  underReplicated?: boolean;
  unavailable?: boolean;
  /** ISR smaller than min.insync.replicas (or no leader) */
  underMinIsr?: boolean;
  /** ISR exactly min.insync.replicas */
  atMinIsr?: boolean;
  /** ids of live brokers, for `--unavailable-partitions` (leader not live) */
  liveBrokers?: ReadonlySet<number>;
}

/** True when a report filter is active: then only partition lines are printed. */
export function isReportFilter(filter: DescribeFilter): boolean {
  return Boolean(filter.underReplicated || filter.unavailable || filter.underMinIsr || filter.atMinIsr);
}

/**
 * Whether a report filter selects the partition. Several filters select the partitions any
 * of them selects, as TopicCommand since 3.7 (its Java port lets them be combined).
 */
function partitionMatches(topic: TopicDescription, partition: PartitionDescription, filter: DescribeFilter): boolean {
  if (!isReportFilter(filter)) return true;
  const hasLeader = partition.leader >= 0;
  const minIsr = topic.minIsr ?? 1;
  if (filter.underReplicated && partition.isr.length < replicationFactorOf(partition)) return true;
  if (filter.unavailable && !(hasLeader && (!filter.liveBrokers || filter.liveBrokers.has(partition.leader)))) return true;
  if (filter.underMinIsr && (!hasLeader || partition.isr.length < minIsr)) return true;
  if (filter.atMinIsr && partition.isr.length === minIsr) return true;
  return false;
}

/** Full `--describe` text for the topics in the order given. */
export function formatDescribe(topics: readonly TopicDescription[], filter: DescribeFilter = {}): string {
  const lines: string[] = [];
  const report = isReportFilter(filter);
  for (const topic of topics) {
    if (!report) lines.push(formatTopicHeader(topic));
    const partitions = [...topic.partitions].sort((a, b) => a.partition - b.partition);
    for (const partition of partitions) {
      if (partitionMatches(topic, partition, filter)) lines.push(formatPartitionLine(topic, partition));
    }
  }
  return lines.map((l) => l + '\n').join('');
}

/** Settings of Kafka's DefaultMessageFormatter (`--property` keys). */
export interface MessageFormatterOptions {
  printTimestamp: boolean;
  printKey: boolean;
  printValue: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
}

export function defaultFormatterOptions(): MessageFormatterOptions {
  return {
    printTimestamp: false,
    printKey: false,
    printValue: true,
    printPartition: false,
    printOffset: false,
    printHeaders: false,
    keySeparator: Buffer.from('\t'),
    lineSeparator: Buffer.from('\n'),
    headersSeparator: Buffer.from(','),
    nullLiteral: Buffer.from('null'),
  };
}

const FORMATTER_KEYS = new Set([
  'print.timestamp', 'print.key', 'print.value', 'print.partition', 'print.offset', 'print.headers',
  'key.separator', 'line.separator', 'headers.separator', 'null.literal',
  'key.deserializer', 'value.deserializer', 'headers.deserializer',
]);

/**
 * Builds formatter options from `--property` pairs. Booleans follow Java's
 * `Boolean.parseBoolean` (only "true", any case, is true). Separators accept the
 * escapes a shell user types (`\t`, `\n`) as Kafka's docs show them.
 */
export function formatterOptionsFrom(properties: Record<string, string>): { options: MessageFormatterOptions; unknown: string[] } {
  const options = defaultFormatterOptions();
  const bool = (key: string, fallback: boolean): boolean => (key in properties ? properties[key].trim().toLowerCase() === 'true' : fallback);
  options.printTimestamp = bool('print.timestamp', false);
  options.printKey = bool('print.key', false);
  options.printValue = bool('print.value', true);
  options.printPartition = bool('print.partition', false);
  options.printOffset = bool('print.offset', false);
  options.printHeaders = bool('print.headers', false);
  const text = (key: string, fallback: Buffer): Buffer => (key in properties ? Buffer.from(unescapeSeparator(properties[key])) : fallback);
  options.keySeparator = text('key.separator', options.keySeparator);
  options.lineSeparator = text('line.separator', options.lineSeparator);
  options.headersSeparator = text('headers.separator', options.headersSeparator);
  options.nullLiteral = text('null.literal', options.nullLiteral);
  const unknown = Object.keys(properties).filter((k) => !FORMATTER_KEYS.has(k) && !k.startsWith('key.deserializer.') && !k.startsWith('value.deserializer.') && !k.startsWith('headers.deserializer.'));
  return { options, unknown };
}

/** `\t`, `\n`, `\r`, `\\` written literally on a command line mean the control characters. */
export function unescapeSeparator(value: string): string {
  return value.replace(/\\([tnr\\])/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

export interface ConsumedRecord {
  partition: number;
  offset: string | number;
  /** ms since epoch; -1 = none */
  timestamp: string | number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<readonly [string, Buffer | null]>;
}

/**
 * DefaultMessageFormatter: enabled columns in the order timestamp, Partition:,
 * Offset:, headers, key, value — each followed by key.separator, the last by
 * line.separator. Returns the byte chunks to write (no copying of values).
 */
export function formatRecord(record: ConsumedRecord, options: MessageFormatterOptions): Buffer[] {
  const columns: Buffer[] = [];
  if (options.printTimestamp) {
    const ts = Number(record.timestamp);
    columns.push(Buffer.from(ts >= 0 ? `${record.timestampType}:${ts}` : 'NO_TIMESTAMP'));
  }
  if (options.printPartition) columns.push(Buffer.from(`Partition:${record.partition}`));
  if (options.printOffset) columns.push(Buffer.from(`Offset:${record.offset}`));
  if (options.printHeaders) {
    if (record.headers.length === 0) {
      columns.push(Buffer.from('NO_HEADERS'));
    } else {
      const parts: Buffer[] = [];
      record.headers.forEach(([name, value], i) => {
        if (i > 0) parts.push(options.headersSeparator);
        parts.push(Buffer.from(`${name}:`), value ?? options.nullLiteral);
      });
      columns.push(Buffer.concat(parts));
    }
  }
  if (options.printKey) columns.push(record.key ?? options.nullLiteral);
  if (options.printValue) columns.push(record.value ?? options.nullLiteral);
  const out: Buffer[] = [];
  columns.forEach((column, i) => {
    out.push(column);
    out.push(i === columns.length - 1 ? options.lineSeparator : options.keySeparator);
  });
  // Every column switched off: Kafka prints nothing at all for the record.
  return out;
}
