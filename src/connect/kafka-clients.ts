/**
 * The kafkajs client a worker uses for its tasks' producers and consumers and for the
 * distributed worker's internal topics. kafkajs' own log goes through the worker log
 * (warnings and errors only), never straight to the terminal.
 */
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, LogEntry, logCreator as LogCreator } from 'kafkajs';
import type { ConnectLog } from './log.js';

const { Kafka, logLevel } = kafkajs;

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

function logCreator(log: ConnectLog): LogCreator {
  return () => (entry: LogEntry) => {
    const level = entry.level === logLevel.ERROR ? 'ERROR' : entry.level === logLevel.WARN ? 'WARN' : 'INFO';
    const { message, ...extra } = entry.log;
    const detail = 'error' in extra && extra.error ? `: ${String(extra.error)}` : '';
    log.log(level, `${message}${detail}`, `kafkajs.${entry.namespace}`);
  };
}

export function createKafkaClient(brokers: string[], clientId: string, log: ConnectLog): KafkaClient {
  const verbose = (process.env.KAFKA_TS_LOG_LEVEL ?? '').toUpperCase();
  return new Kafka({
    brokers,
    clientId,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    // Connect keeps retrying while the broker is away (its clients retry forever).
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: verbose === 'DEBUG' ? logLevel.DEBUG : verbose === 'INFO' ? logLevel.INFO : logLevel.NOTHING,
    logCreator: logCreator(log),
  });
}
