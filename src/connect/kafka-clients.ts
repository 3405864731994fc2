/**
 * The kafkajs clients a worker uses for its tasks' producers and consumers, for the
 * admin calls and for the distributed worker's internal topics. kafkajs' own log goes
 * through the worker log (warnings and errors only), never straight to the terminal.
 *
 * Security: the worker's `security.protocol`, `ssl.*` and `sasl.*` keys secure every
 * client, and `producer.`, `consumer.` and `admin.`-prefixed keys override them for
 * that kind of client, as Kafka Connect's prefixes do. (Kafka's own worker gives task
 * producers and consumers only their prefixed keys; inheriting the worker's keys as
 * well means a file written for Kafka, which repeats them under each prefix, works
 * unchanged, and a file that sets them once works too.) Reading those keys into TLS
 * options and SASL credentials belongs to the CLI layer, which passes its reader in.
 */
import type tls from 'node:tls';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, KafkaConfig, LogEntry, logCreator as LogCreator } from 'kafkajs';
import type { SaslCredentials } from '../network/index.js';
import { ConnectConfigError } from './errors.js';
import type { ConnectLog } from './log.js';

const { Kafka, logLevel } = kafkajs;

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** One client's security, for kafkajs and for our own network client. */
export interface ClientSecurityOptions {
  kafkajs: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  network: { tls?: tls.ConnectionOptions; sasl?: SaslCredentials };
}

/** Turns a client's properties (security.protocol, ssl.*, sasl.*) into its security options; throws one line naming a bad key. */
export type SecurityReader = (props: Record<string, string>) => ClientSecurityOptions;

export type ClientRole = 'producer' | 'consumer' | 'admin';

function isSecurityKey(key: string): boolean {
  return key === 'security.protocol' || key.startsWith('ssl.') || key.startsWith('sasl.');
}

/** The security keys one kind of client gets: the worker's, then its `role.`-prefixed overrides. */
export function securityProps(workerProps: Record<string, string>, role?: ClientRole): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(workerProps)) if (isSecurityKey(key)) out[key] = value;
  if (role) {
    const prefix = `${role}.`;
    for (const [key, value] of Object.entries(workerProps)) {
      if (key.startsWith(prefix) && isSecurityKey(key.slice(prefix.length))) out[key.slice(prefix.length)] = value;
    }
  }
  return out;
}

function logCreator(log: ConnectLog): LogCreator {
  return () => (entry: LogEntry) => {
    const level = entry.level === logLevel.ERROR ? 'ERROR' : entry.level === logLevel.WARN ? 'WARN' : 'INFO';
    const { message, ...extra } = entry.log;
    const detail = 'error' in extra && extra.error ? `: ${String(extra.error)}` : '';
    log.log(level, `${message}${detail}`, `kafkajs.${entry.namespace}`);
  };
}

export function createKafkaClient(brokers: string[], clientId: string, log: ConnectLog, security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {}): KafkaClient {
  const verbose = (process.env.KAFKA_TS_LOG_LEVEL ?? '').toUpperCase();
  return new Kafka({
    brokers,
    clientId,
    ...security,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    // Connect keeps retrying while the broker is away (its clients retry forever).
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: verbose === 'DEBUG' ? logLevel.DEBUG : verbose === 'INFO' ? logLevel.INFO : logLevel.NOTHING,
    logCreator: logCreator(log),
  });
}

/** The worker's clients: its own (internal topics, cluster id), and one per kind of task client. */
export interface WorkerClients {
  worker: KafkaClient;
  producer: KafkaClient;
  consumer: KafkaClient;
  admin: KafkaClient;
}

/** Builds every client with its security settings read (and checked) up front, so a bad key fails the start. */
export function createWorkerClients(brokers: string[], clientId: string, log: ConnectLog, workerProps: Record<string, string>, readSecurity: SecurityReader): WorkerClients {
  const client = (role?: ClientRole): KafkaClient => {
    let security: ClientSecurityOptions;
    try {
      security = readSecurity(securityProps(workerProps, role));
    } catch (err) {
      // the worker's own keys were read first, so a role's failure comes from its prefixed keys: say which
      if (!role || !(err instanceof Error)) throw err;
      throw new ConnectConfigError(`${err.message} (in the worker's ${role}.-prefixed settings)`);
    }
    return createKafkaClient(brokers, clientId, log, security.kafkajs);
  };
  return { worker: client(), producer: client('producer'), consumer: client('consumer'), admin: client('admin') };
}
