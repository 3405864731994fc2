/**
 * Connecting the tools to brokers through kafkajs: bootstrap list validation, a
 * quick reachability probe (so an absent broker fails in seconds with its address
 * named, not after kafkajs' minute of retries), a logCreator that never touches
 * stdout, and the translation of client/protocol errors into one human line.
 */
import net from 'node:net';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, KafkaConfig, LogEntry, logCreator as LogCreator } from 'kafkajs';
import { CliError, UsageError } from './errors.js';
import { logLine } from './output.js';
import { kafkajsSecurity } from './security-config.js';

const { Kafka, logLevel } = kafkajs;

// kafkajs prints a partitioner notice through its logger on first use; silence it for good.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

export interface BrokerAddress {
  host: string;
  port: number;
}

/**
 * Splits and checks a `host:port[,host:port]` list. Kafka's wording for a bad
 * entry: `Please provide valid host:port like host1:9091,host2:9092`.
 */
export function parseBootstrapServers(list: string): string[] {
  const entries = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new UsageError('Please provide valid host:port like host1:9091,host2:9092');
  for (const entry of entries) {
    const parsed = splitHostPort(entry);
    if (!parsed) throw new UsageError('Please provide valid host:port like host1:9091,host2:9092');
  }
  return entries;
}

export function splitHostPort(entry: string): BrokerAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(entry.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Which kafkajs level the tools log at; silent unless KAFKA_TS_LOG_LEVEL asks for more. */
function configuredLogLevel(): number {
  switch ((process.env.KAFKA_TS_LOG_LEVEL ?? '').toUpperCase()) {
    case 'DEBUG': return logLevel.DEBUG;
    case 'INFO': return logLevel.INFO;
    case 'WARN': return logLevel.WARN;
    case 'ERROR': return logLevel.ERROR;
    default: return logLevel.NOTHING;
  }
}

/** kafkajs log entries as Kafka-style lines on stderr (never stdout, which carries data). */
export const stderrLogCreator: LogCreator = () => (entry: LogEntry) => {
  const levelName = entry.level === logLevel.ERROR ? 'ERROR' : entry.level === logLevel.WARN ? 'WARN' : entry.level === logLevel.DEBUG ? 'DEBUG' : 'INFO';
  const { message, ...extra } = entry.log;
  const detail = 'error' in extra && extra.error ? `: ${String(extra.error)}` : '';
  process.stderr.write(logLine(levelName, `${message}${detail}`, `kafkajs.${entry.namespace}`) + '\n');
};

export interface ClientOptions {
  brokers: string[];
  clientId: string;
  /** client properties from --command-config / --*-property / config files */
  properties?: Record<string, string>;
}

/** A kafkajs client tuned to fail fast: short connection timeout, few retries. */
export function createClient(options: ClientOptions): KafkaClient {
  const props = options.properties ?? {};
  const requestTimeout = numberProperty(props, 'request.timeout.ms') ?? 30000;
  const config: KafkaConfig = {
    brokers: options.brokers,
    clientId: props['client.id'] ?? options.clientId,
    connectionTimeout: 3000,
    requestTimeout,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: configuredLogLevel(),
    logCreator: stderrLogCreator,
    // security.protocol, ssl.*, sasl.* from the tool's client properties
    ...kafkajsSecurity(props),
  };
  return new Kafka(config);
}

export function numberProperty(props: Record<string, string>, key: string): number | undefined {
  const raw = props[key];
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  if (!Number.isFinite(value)) throw new CliError(`Invalid value ${raw} for configuration ${key}: Not a number`);
  return value;
}

function tryConnect(address: BrokerAddress, timeoutMs: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host || 'localhost', port: address.port });
    const timer = setTimeout(() => {
      socket.destroy();
      const err: NodeJS.ErrnoException = new Error('timed out');
      err.code = 'ETIMEDOUT';
      resolve(err);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}

/**
 * The option a broker list was given with, so that connection hints name what the user
 * wrote: `--bootstrap-server`, `--broker-list` (its old spelling), or `--zookeeper` (a
 * legacy flag for which the broker at localhost:9092 stands in).
 */
export type BootstrapOption = '--bootstrap-server' | '--broker-list' | '--zookeeper';

/**
 * Succeeds when at least one bootstrap broker accepts a TCP connection; otherwise
 * throws the one-line "cannot connect" error naming every address tried.
 */
export async function ensureReachable(brokers: readonly string[], option: BootstrapOption, timeoutMs = 3000): Promise<void> {
  const results = await Promise.all(brokers.map(async (entry) => {
    const address = splitHostPort(entry);
    return address ? tryConnect(address, timeoutMs) : new Error('bad address');
  }));
  if (results.some((r) => r === undefined)) return;
  const reasons = new Set(results.map((r) => socketReason(r as NodeJS.ErrnoException)));
  throw new CliError(unreachableMessage(brokers, [...reasons].join(', '), option));
}

/** A socket error in a few words for the one-line "cannot connect" message. */
export function socketReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ETIMEDOUT': return 'timed out';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'unknown host';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'host unreachable';
    default: return err.code ?? err.message;
  }
}

/** The one-line "cannot connect" error; the hint names `option`, the way the user gave the list. */
export function unreachableMessage(brokers: readonly string[], reason: string, option: BootstrapOption = '--bootstrap-server'): string {
  const list = brokers.join(',');
  let fix: string;
  if (option === '--zookeeper') {
    fix = 'Is a broker running there? Start one with kafka-server-start, or name a running broker with --bootstrap-server (this Kafka has no ZooKeeper, so --zookeeper only stands for localhost:9092).';
  } else if (reason === 'unknown host') {
    fix = `Check the host name, or point ${option} at a running broker.`;
  } else {
    fix = `Is a broker running there? Start one with kafka-server-start, or point ${option} at a running broker.`;
  }
  return `Cannot connect to the Kafka broker at ${list} (${reason}). ${fix}`;
}

/** Human words for the Kafka error codes users can run into with these tools. */
const ERROR_WORDS: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'the topic or partition does not exist',
  LEADER_NOT_AVAILABLE: 'the partition has no leader right now (the topic may be being created); try again',
  NOT_LEADER_OR_FOLLOWER: 'the broker is not the leader for that partition; try again',
  REQUEST_TIMED_OUT: 'the broker did not answer in time',
  MESSAGE_TOO_LARGE: 'a record is larger than the broker accepts (message.max.bytes)',
  RECORD_LIST_TOO_LARGE: 'a request is larger than the broker accepts (socket.request.max.bytes)',
  INVALID_TOPIC_EXCEPTION: 'the topic name is invalid: use ASCII letters, digits, ".", "_" and "-", at most 249 characters',
  NOT_ENOUGH_REPLICAS: 'not enough in-sync replicas for acks=all',
  TOPIC_ALREADY_EXISTS: 'the topic already exists',
  INVALID_PARTITIONS: 'invalid number of partitions',
  INVALID_REPLICATION_FACTOR: 'invalid replication factor',
  INVALID_CONFIG: 'invalid topic configuration',
  INVALID_REQUIRED_ACKS: 'invalid acks value: use -1 (all), 0 or 1',
  TOPIC_AUTHORIZATION_FAILED: 'not authorized to access the topic',
  GROUP_AUTHORIZATION_FAILED: 'not authorized to use the consumer group',
  CLUSTER_AUTHORIZATION_FAILED: 'not authorized for this cluster operation (an ACL on the cluster is needed)',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'not authorized to use the transactional id',
  SASL_AUTHENTICATION_FAILED: 'authentication failed: check the username and password in sasl.jaas.config',
  SECURITY_DISABLED: 'the broker has no authorizer (set authorizer.class.name in its server.properties)',
  UNSUPPORTED_VERSION: 'the broker does not support this request version',
  TOPIC_DELETION_DISABLED: 'topic deletion is disabled on the broker (delete.topic.enable=false)',
  INVALID_GROUP_ID: 'the consumer group id is invalid',
  COORDINATOR_NOT_AVAILABLE: 'the group coordinator is not available yet; try again',
  UNSUPPORTED_COMPRESSION_TYPE: 'the broker does not support that compression type',
  INVALID_RECORD: 'the broker rejected a record as invalid',
  INVALID_SESSION_TIMEOUT: 'session.timeout.ms is outside the range the broker allows (group.min.session.timeout.ms to group.max.session.timeout.ms)',
};

interface KafkaJsLikeError {
  name?: string;
  message?: string;
  type?: string;
  code?: number | string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
  broker?: string;
}

/** Walks kafkajs' wrapper chain (NumberOfRetriesExceeded → cause …) collecting every error. */
function errorChain(err: unknown): KafkaJsLikeError[] {
  const chain: KafkaJsLikeError[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as KafkaJsLikeError;
    chain.push(e);
    if (Array.isArray(e.errors) && e.errors.length > 0) chain.push(...errorChain(e.errors[0]));
    current = e.originalError ?? e.cause;
  }
  return chain;
}

/** The Kafka error name carried by a kafkajs protocol error, if any (e.g. TOPIC_ALREADY_EXISTS). */
export function protocolErrorType(err: unknown): string | undefined {
  for (const e of errorChain(err)) {
    if (typeof e.type === 'string' && /^[A-Z_]+$/.test(e.type)) return e.type;
  }
  return undefined;
}

/**
 * The line for a broker answer about the one topic a console tool was given (it does not
 * exist, its name is invalid), naming the topic and the fix; undefined for other errors.
 */
export function topicProblem(err: unknown, topic: string, brokers: readonly string[]): string | undefined {
  switch (protocolErrorType(err)) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return `Topic '${topic}' does not exist and the broker does not create topics automatically; create it with kafka-topics --bootstrap-server ${brokers[0]} --create --topic ${topic}`;
    case 'INVALID_TOPIC_EXCEPTION':
      return `Topic name '${topic}' is invalid: use ASCII letters, digits, '.', '_' and '-', at most 249 characters.`;
    default:
      return undefined;
  }
}

/** The kafkajs text for a protocol error, e.g. "Topic with this name already exists" (used when we have no better words). */
export function describeClientError(err: unknown, brokers: readonly string[], option: BootstrapOption): string {
  const chain = errorChain(err);
  const sasl = chain.find((e) => e.name === 'KafkaJSSASLAuthenticationError');
  if (sasl) return `authentication with the broker at ${brokers.join(',')} failed: ${(sasl.message ?? '').replace(/^SASL .*? authentication failed: /, '')}. Check sasl.mechanism and the username and password in sasl.jaas.config.`;
  if (chain.some((e) => e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError' || e.name === 'KafkaJSBrokerNotFound' || e.name === 'KafkaJSNoBrokerAvailableError')) {
    const refused = chain.some((e) => typeof e.message === 'string' && /ECONNREFUSED/.test(e.message));
    return unreachableMessage(brokers, refused ? 'connection refused' : chain.find((e) => e.name?.startsWith('KafkaJSConnection'))?.message ?? 'connection failed', option);
  }
  const type = protocolErrorType(err);
  if (type) {
    const words = ERROR_WORDS[type];
    return words ? `${words} (${type})` : `the broker answered ${type}`;
  }
  if (chain.some((e) => e.name === 'KafkaJSRequestTimeoutError' || e.name === 'KafkaJSTimeout')) {
    return `the broker at ${brokers.join(',')} did not answer in time`;
  }
  const first = chain[chain.length - 1] ?? { message: String(err) };
  return first.message ?? String(err);
}
