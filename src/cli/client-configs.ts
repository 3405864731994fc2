/**
 * The configuration keys Kafka's Java clients define (ProducerConfig, ConsumerConfig,
 * AdminClientConfig, with their SSL and SASL keys), so that a key they do not know —
 * `metadata.broker.list` or `serializer.class` from the 0.8 producer, `zookeeper.connect`
 * from the old consumer — is reported the way Kafka's clients report it
 * (AbstractConfig.logUnused up to Kafka 3.2, one line per key):
 *
 *   [timestamp] WARN The configuration 'metadata.broker.list' was supplied but isn't a known config. (org.apache.kafka.clients.producer.ProducerConfig)
 *
 * Key names as of Kafka 4.0's clients, plus keys older clients knew that were removed since
 * (a config file written for those clients is not wrong).
 */
import { logLine } from './output.js';

/** Keys every client knows: connection, metadata, metrics, security. */
const COMMON_KEYS = [
  'bootstrap.servers', 'client.dns.lookup', 'client.id', 'connections.max.idle.ms', 'enable.metrics.push',
  'metadata.max.age.ms', 'metadata.recovery.strategy', 'metric.reporters', 'metrics.num.samples',
  'metrics.recording.level', 'metrics.sample.window.ms', 'receive.buffer.bytes', 'reconnect.backoff.max.ms',
  'reconnect.backoff.ms', 'request.timeout.ms', 'retry.backoff.max.ms', 'retry.backoff.ms', 'security.protocol',
  'security.providers', 'send.buffer.bytes', 'socket.connection.setup.timeout.max.ms', 'socket.connection.setup.timeout.ms',
  'auto.include.jmx.reporter', // Kafka 3.4-3.9
  // SslConfigs.addClientSslSupport
  'ssl.cipher.suites', 'ssl.enabled.protocols', 'ssl.endpoint.identification.algorithm', 'ssl.engine.factory.class',
  'ssl.key.password', 'ssl.keymanager.algorithm', 'ssl.keystore.certificate.chain', 'ssl.keystore.key',
  'ssl.keystore.location', 'ssl.keystore.password', 'ssl.keystore.type', 'ssl.protocol', 'ssl.provider',
  'ssl.secure.random.implementation', 'ssl.trustmanager.algorithm', 'ssl.truststore.certificates',
  'ssl.truststore.location', 'ssl.truststore.password', 'ssl.truststore.type',
  // SaslConfigs.addClientSaslSupport
  'sasl.client.callback.handler.class', 'sasl.jaas.config', 'sasl.kerberos.kinit.cmd', 'sasl.kerberos.min.time.before.relogin',
  'sasl.kerberos.service.name', 'sasl.kerberos.ticket.renew.jitter', 'sasl.kerberos.ticket.renew.window.factor',
  'sasl.login.callback.handler.class', 'sasl.login.class', 'sasl.login.connect.timeout.ms', 'sasl.login.read.timeout.ms',
  'sasl.login.refresh.buffer.seconds', 'sasl.login.refresh.min.period.seconds', 'sasl.login.refresh.window.factor',
  'sasl.login.refresh.window.jitter', 'sasl.login.retry.backoff.max.ms', 'sasl.login.retry.backoff.ms', 'sasl.mechanism',
  'sasl.oauthbearer.clock.skew.seconds', 'sasl.oauthbearer.expected.audience', 'sasl.oauthbearer.expected.issuer',
  'sasl.oauthbearer.header.urlencode', 'sasl.oauthbearer.jwks.endpoint.refresh.ms',
  'sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms', 'sasl.oauthbearer.jwks.endpoint.retry.backoff.ms',
  'sasl.oauthbearer.jwks.endpoint.url', 'sasl.oauthbearer.scope.claim.name', 'sasl.oauthbearer.sub.claim.name',
  'sasl.oauthbearer.token.endpoint.url',
];

const PRODUCER_KEYS = [
  'acks', 'batch.size', 'buffer.memory', 'compression.gzip.level', 'compression.lz4.level', 'compression.type',
  'compression.zstd.level', 'delivery.timeout.ms', 'enable.idempotence', 'interceptor.classes', 'key.serializer',
  'linger.ms', 'max.block.ms', 'max.in.flight.requests.per.connection', 'max.request.size', 'metadata.max.idle.ms',
  'partitioner.adaptive.partitioning.enable', 'partitioner.availability.timeout.ms', 'partitioner.class',
  'partitioner.ignore.keys', 'retries', 'transaction.timeout.ms', 'transactional.id', 'value.serializer',
];

const CONSUMER_KEYS = [
  'allow.auto.create.topics', 'auto.commit.interval.ms', 'auto.offset.reset', 'check.crcs', 'client.rack',
  'default.api.timeout.ms', 'enable.auto.commit', 'exclude.internal.topics', 'fetch.max.bytes', 'fetch.max.wait.ms',
  'fetch.min.bytes', 'group.id', 'group.instance.id', 'group.protocol', 'group.remote.assignor', 'heartbeat.interval.ms',
  'interceptor.classes', 'internal.leave.group.on.close', 'internal.throw.on.fetch.stable.offset.unsupported',
  'isolation.level', 'key.deserializer', 'max.partition.fetch.bytes', 'max.poll.interval.ms', 'max.poll.records',
  'partition.assignment.strategy', 'session.timeout.ms', 'value.deserializer',
];

const ADMIN_KEYS = ['bootstrap.controllers', 'default.api.timeout.ms', 'retries'];

export type ClientKind = 'producer' | 'consumer' | 'admin';

const KNOWN: Record<ClientKind, ReadonlySet<string>> = {
  producer: new Set([...COMMON_KEYS, ...PRODUCER_KEYS]),
  consumer: new Set([...COMMON_KEYS, ...CONSUMER_KEYS]),
  admin: new Set([...COMMON_KEYS, ...ADMIN_KEYS]),
};

/** The logger Kafka's warning names: the config class of that client. */
const CONFIG_CLASS: Record<ClientKind, string> = {
  producer: 'org.apache.kafka.clients.producer.ProducerConfig',
  consumer: 'org.apache.kafka.clients.consumer.ConsumerConfig',
  admin: 'org.apache.kafka.clients.admin.AdminClientConfig',
};

/** Keys of `properties` the Java client of that kind does not define, in the order given. */
export function unknownConfigKeys(properties: Record<string, string>, kind: ClientKind): string[] {
  return Object.keys(properties).filter((key) => !KNOWN[kind].has(key));
}

/** Kafka's warning lines for the unknown keys, one per key (without the trailing newline). */
export function unknownConfigWarnings(properties: Record<string, string>, kind: ClientKind): string[] {
  return unknownConfigKeys(properties, kind).map((key) =>
    logLine('WARN', `The configuration '${key}' was supplied but isn't a known config.`, CONFIG_CLASS[kind]));
}

/** Prints the warnings on stderr and goes on, as Kafka's clients do. */
export function warnUnknownConfigs(properties: Record<string, string>, kind: ClientKind): void {
  for (const line of unknownConfigWarnings(properties, kind)) process.stderr.write(line + '\n');
}
