/**
 * Every broker config key in one table, as Kafka's KafkaConfig ConfigDef is one table:
 * name, type, default, importance, a one-line doc, the validator, synonyms and whether
 * Kafka can change it at runtime. From it come the typed BrokerConfig defaults
 * (config.ts), server.properties parsing and its error lines (cli/server-properties.ts)
 * and DescribeConfigs for a BROKER resource (cluster/broker-configs.ts).
 *
 * Defaults are Kafka's (3.x KafkaConfig / ServerLogConfigs), rendered as Kafka's
 * ConfigDef.convertToString does (Long.MAX_VALUE as 9223372036854775807, lists
 * comma-joined, null for "none"). Where this broker starts with a different value the
 * entry says so in `ours`, with the reason.
 *
 * Keys marked `applies: false` are Kafka keys that have no effect here (threads, socket
 * buffers, ZooKeeper, KRaft quorum); they are accepted, validated by type and
 * described, so stock and tutorial config files start unchanged.
 */
import type { BrokerConfig } from './config.js';

export type BrokerKeyType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'class' | 'password';
export type BrokerKeyImportance = 'high' | 'medium' | 'low';

type FieldOf<T> = { [K in keyof BrokerConfig]-?: BrokerConfig[K] extends T ? K : never }[keyof BrokerConfig];
type NumericField = FieldOf<number | null>;
type BooleanField = FieldOf<boolean>;
type StringField = FieldOf<string | null>;

interface BrokerKeyCommon {
  name: string;
  /** Kafka's default as Kafka renders it; null when Kafka has none */
  default: string | null;
  importance: BrokerKeyImportance;
  /** one line, our words */
  doc: string;
  /** inclusive numeric bounds (ConfigDef.Range) */
  min?: number;
  max?: number;
  /** allowed values (ConfigDef.ValidString / ValidList) */
  oneOf?: readonly string[];
  /**
   * Keys that set the same thing, in Kafka's precedence order, this key included
   * (DynamicBrokerConfig.brokerConfigSynonyms): log.retention.ms/minutes/hours, ...
   */
  synonyms?: readonly string[];
  /** Kafka can change it at runtime (DynamicBrokerConfig.AllDynamicConfigs); read-only otherwise */
  dynamic?: boolean;
  /** false: a Kafka key this broker accepts but does not act on */
  applies: boolean;
  /** the value this broker starts with when it differs from Kafka's default, and why */
  ours?: { value: string | null; why: string };
}

/**
 * `field` names the BrokerConfig property the key parses into (typed by the key's type);
 * keys without one are either derived by hand in server-properties.ts (listeners,
 * log.dirs, broker.id, time-unit synonyms) or not acted on.
 */
export type BrokerKeyDef = BrokerKeyCommon &
  (
    | { type: 'int' | 'short' | 'long' | 'double'; field?: NumericField }
    | { type: 'boolean'; field?: BooleanField }
    | { type: 'string' | 'class' | 'list'; field?: StringField }
    | { type: 'password'; field?: never }
  );

/** Identity with the table's type checked at each entry. */
export function brokerKey(def: BrokerKeyDef): BrokerKeyDef {
  return def;
}

export const LONG_MAX_STRING = '9223372036854775807';
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
const LOG_RETENTION_SYNONYMS = ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'] as const;
const LOG_ROLL_SYNONYMS = ['log.roll.ms', 'log.roll.hours'] as const;
const LOG_ROLL_JITTER_SYNONYMS = ['log.roll.jitter.ms', 'log.roll.jitter.hours'] as const;

// Sorted by name; `applies: false` rows are Kafka keys with no effect here.
export const BROKER_KEYS: readonly BrokerKeyDef[] = [
  brokerKey({ name: 'advertised.host.name', type: 'string', default: null, importance: 'high', applies: true, doc: 'Host published to clients when advertised.listeners is not set (pre-1.0 files).' }),
  brokerKey({ name: 'advertised.listeners', type: 'string', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Listeners published to clients in Metadata responses; defaults to listeners.' }),
  brokerKey({ name: 'advertised.port', type: 'int', default: null, importance: 'high', applies: true, min: 0, doc: 'Port published to clients when advertised.listeners is not set (pre-1.0 files).' }),
  brokerKey({ name: 'allow.everyone.if.no.acl.found', type: 'boolean', default: 'false', importance: 'high', applies: true, doc: 'With an authorizer: allow a resource that has no ACL at all to everyone.' }),
  brokerKey({ name: 'authorizer.class.name', type: 'string', default: '', importance: 'low', applies: true, doc: 'ACL authorizer (StandardAuthorizer or AclAuthorizer select the one here); empty allows everything.' }),
  brokerKey({ name: 'auto.create.topics.enable', type: 'boolean', default: 'true', importance: 'high', applies: true, field: 'autoCreateTopicsEnable', doc: 'Create a topic when a client asks for metadata of a missing one.' }),
  brokerKey({ name: 'auto.leader.rebalance.enable', type: 'boolean', default: 'true', importance: 'high', applies: true, field: 'autoLeaderRebalanceEnable', doc: 'Move leadership back to preferred replicas periodically.' }),
  brokerKey({ name: 'background.threads', type: 'int', default: '10', importance: 'high', applies: false, min: 1, dynamic: true, doc: 'Threads for background work.' }),
  brokerKey({ name: 'broker.heartbeat.interval.ms', type: 'int', default: '2000', importance: 'medium', applies: true, field: 'brokerHeartbeatIntervalMs', doc: 'How often a broker heartbeats to the active controller.' }),
  brokerKey({ name: 'broker.id', type: 'int', default: '-1', importance: 'high', applies: true, min: -1, ours: { value: '0', why: 'a lone broker without broker.id or node.id is broker 0' }, doc: 'Id of this broker; -1 means take node.id.' }),
  brokerKey({ name: 'broker.rack', type: 'string', default: null, importance: 'medium', applies: true, field: 'brokerRack', doc: 'Rack of this broker, reported in Metadata.' }),
  brokerKey({ name: 'broker.session.timeout.ms', type: 'int', default: '9000', importance: 'medium', applies: true, field: 'brokerSessionTimeoutMs', doc: 'Time without a heartbeat after which the controller fences a broker.' }),
  brokerKey({ name: 'compression.gzip.level', type: 'int', default: '-1', importance: 'medium', applies: false, dynamic: true, doc: 'Default gzip level for topics.' }),
  brokerKey({ name: 'compression.lz4.level', type: 'int', default: '9', importance: 'medium', applies: false, dynamic: true, doc: 'Default lz4 level for topics.' }),
  brokerKey({ name: 'compression.type', type: 'string', default: 'producer', importance: 'high', applies: true, dynamic: true, field: 'compressionType', oneOf: COMPRESSION_TYPES, doc: 'Default compression for topics; producer keeps what the producer sent.' }),
  brokerKey({ name: 'compression.zstd.level', type: 'int', default: '3', importance: 'medium', applies: false, dynamic: true, doc: 'Default zstd level for topics.' }),
  brokerKey({ name: 'connections.max.idle.ms', type: 'long', default: '600000', importance: 'medium', applies: false, doc: 'Idle time after which a connection is closed.' }),
  brokerKey({ name: 'connections.max.reauth.ms', type: 'long', default: '0', importance: 'medium', applies: true, doc: 'Longest SASL session before the client must re-authenticate (KIP-368); 0 is no limit.' }),
  brokerKey({ name: 'controlled.shutdown.enable', type: 'boolean', default: 'true', importance: 'medium', applies: false, doc: 'Hand leadership over before shutting down.' }),
  brokerKey({ name: 'controller.listener.names', type: 'string', default: null, importance: 'high', applies: true, doc: 'Listeners used by the KRaft controller; skipped when binding.' }),
  brokerKey({ name: 'controller.quorum.append.linger.ms', type: 'int', default: '25', importance: 'medium', applies: false, doc: 'Time the quorum leader waits to batch metadata writes.' }),
  brokerKey({ name: 'controller.quorum.bootstrap.servers', type: 'list', default: '', importance: 'high', applies: true, doc: 'Controllers a node contacts first to find the quorum (host:port, ...).' }),
  brokerKey({ name: 'controller.quorum.election.backoff.max.ms', type: 'int', default: '1000', importance: 'high', applies: true, field: 'controllerQuorumElectionBackoffMaxMs', doc: 'Longest wait before a new election after a failed one.' }),
  brokerKey({ name: 'controller.quorum.election.timeout.ms', type: 'int', default: '1000', importance: 'high', applies: true, field: 'controllerQuorumElectionTimeoutMs', doc: 'Time without a leader after which a voter starts an election.' }),
  brokerKey({ name: 'controller.quorum.fetch.timeout.ms', type: 'int', default: '2000', importance: 'high', applies: true, field: 'controllerQuorumFetchTimeoutMs', doc: 'Time without a successful fetch from the leader after which a voter becomes a candidate.' }),
  brokerKey({ name: 'controller.quorum.request.timeout.ms', type: 'int', default: '2000', importance: 'medium', applies: true, field: 'controllerQuorumRequestTimeoutMs', doc: 'Time a quorum request waits for its answer.' }),
  brokerKey({ name: 'controller.quorum.retry.backoff.ms', type: 'int', default: '20', importance: 'low', applies: true, field: 'controllerQuorumRetryBackoffMs', doc: 'Pause before a failed quorum request is retried.' }),
  brokerKey({ name: 'controller.quorum.voters', type: 'list', default: '', importance: 'high', applies: true, doc: 'KRaft controller quorum (id@host:port, ...).' }),
  brokerKey({ name: 'default.replication.factor', type: 'int', default: '1', importance: 'medium', applies: true, min: 1, field: 'defaultReplicationFactor', doc: 'Replication factor of topics created without one.' }),
  brokerKey({ name: 'delete.topic.enable', type: 'boolean', default: 'true', importance: 'high', applies: true, field: 'deleteTopicEnable', doc: 'Whether topics may be deleted.' }),
  brokerKey({ name: 'fetch.max.bytes', type: 'int', default: '57671680', importance: 'medium', applies: false, min: 1024, doc: 'Largest response to one fetch.' }),
  brokerKey({ name: 'group.initial.rebalance.delay.ms', type: 'int', default: '3000', importance: 'medium', applies: true, field: 'groupInitialRebalanceDelayMs', min: 0, ours: { value: '0', why: 'the stock server.properties sets 0 and the tutorials run with it' }, doc: 'Delay before the first rebalance of a new group.' }),
  brokerKey({ name: 'group.max.session.timeout.ms', type: 'int', default: '1800000', importance: 'medium', applies: true, min: 0, field: 'groupMaxSessionTimeoutMs', doc: 'Largest session timeout a member may request.' }),
  brokerKey({ name: 'group.max.size', type: 'int', default: String(INT_MAX), importance: 'medium', applies: false, min: 1, doc: 'Most members one group may have.' }),
  brokerKey({ name: 'group.min.session.timeout.ms', type: 'int', default: '6000', importance: 'medium', applies: true, min: 0, field: 'groupMinSessionTimeoutMs', doc: 'Smallest session timeout a member may request.' }),
  brokerKey({ name: 'host.name', type: 'string', default: '', importance: 'high', applies: true, doc: 'Interface to bind when listeners is not set (pre-1.0 files).' }),
  brokerKey({ name: 'inter.broker.listener.name', type: 'string', default: null, importance: 'medium', applies: true, doc: 'Listener brokers use to talk to each other.' }),
  brokerKey({ name: 'leader.imbalance.check.interval.seconds', type: 'long', default: '300', importance: 'high', applies: true, min: 1, field: 'leaderImbalanceCheckIntervalSeconds', doc: 'How often leader balance is checked.' }),
  brokerKey({ name: 'leader.imbalance.per.broker.percentage', type: 'int', default: '10', importance: 'high', applies: true, field: 'leaderImbalancePerBrokerPercentage', doc: 'Leader imbalance allowed before a rebalance.' }),
  brokerKey({ name: 'listener.security.protocol.map', type: 'string', default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', importance: 'low', applies: true, dynamic: true, doc: 'Security protocol of each listener name.' }),
  brokerKey({ name: 'listeners', type: 'string', default: 'PLAINTEXT://:9092', importance: 'high', applies: true, dynamic: true, doc: 'Addresses the broker binds (NAME://host:port, ...).' }),
  brokerKey({ name: 'log.cleaner.backoff.ms', type: 'long', default: '15000', importance: 'medium', applies: true, min: 0, dynamic: true, field: 'logCleanerBackoffMs', doc: 'Pause of the cleaner when nothing needs cleaning.' }),
  brokerKey({ name: 'log.cleaner.dedupe.buffer.size', type: 'long', default: '134217728', importance: 'medium', applies: false, dynamic: true, doc: 'Memory the cleaner uses to deduplicate keys.' }),
  brokerKey({ name: 'log.cleaner.delete.retention.ms', type: 'long', default: '86400000', importance: 'medium', applies: true, min: 0, dynamic: true, doc: 'Default time tombstones are kept in compacted topics.' }),
  brokerKey({ name: 'log.cleaner.enable', type: 'boolean', default: 'true', importance: 'medium', applies: true, field: 'logCleanerEnable', doc: 'Whether the log cleaner runs.' }),
  brokerKey({ name: 'log.cleaner.io.buffer.size', type: 'int', default: '524288', importance: 'medium', applies: false, min: 0, dynamic: true, doc: 'I/O buffer memory of the cleaner.' }),
  brokerKey({ name: 'log.cleaner.max.compaction.lag.ms', type: 'long', default: LONG_MAX_STRING, importance: 'medium', applies: true, min: 1, dynamic: true, doc: 'Default longest time a record stays uncompacted.' }),
  brokerKey({ name: 'log.cleaner.min.cleanable.ratio', type: 'double', default: '0.5', importance: 'medium', applies: true, min: 0, max: 1, dynamic: true, doc: 'Default dirty ratio that makes a log eligible for cleaning.' }),
  brokerKey({ name: 'log.cleaner.min.compaction.lag.ms', type: 'long', default: '0', importance: 'medium', applies: true, min: 0, dynamic: true, doc: 'Default shortest time a record stays uncompacted.' }),
  brokerKey({ name: 'log.cleaner.threads', type: 'int', default: '1', importance: 'medium', applies: false, min: 0, dynamic: true, doc: 'Threads of the log cleaner.' }),
  brokerKey({ name: 'log.cleanup.policy', type: 'list', default: 'delete', importance: 'medium', applies: true, dynamic: true, field: 'logCleanupPolicy', oneOf: ['delete', 'compact'], doc: 'Default cleanup policy for topics (delete, compact or both).' }),
  brokerKey({ name: 'log.dir', type: 'string', default: '/tmp/kafka-logs', importance: 'high', applies: true, doc: 'Directory of the partition logs when log.dirs is not set.' }),
  brokerKey({ name: 'log.dirs', type: 'string', default: null, importance: 'high', applies: true, doc: 'Directories holding the partition logs (comma-separated).' }),
  brokerKey({ name: 'log.flush.interval.messages', type: 'long', default: LONG_MAX_STRING, importance: 'high', applies: true, min: 1, dynamic: true, field: 'logFlushIntervalMessages', doc: 'Messages appended to a log between two fsyncs.' }),
  brokerKey({ name: 'log.flush.interval.ms', type: 'long', default: null, importance: 'high', applies: true, min: 0, dynamic: true, field: 'logFlushIntervalMs', synonyms: ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'], doc: 'Time a message may wait before its log is fsynced.' }),
  brokerKey({ name: 'log.flush.offset.checkpoint.interval.ms', type: 'int', default: '60000', importance: 'high', applies: false, min: 0, doc: 'How often recovery points are written.' }),
  brokerKey({ name: 'log.flush.scheduler.interval.ms', type: 'long', default: LONG_MAX_STRING, importance: 'high', applies: true, min: 0, field: 'logFlushSchedulerIntervalMs', ours: { value: '1000', why: 'the flusher must wake up to honour log.flush.interval.ms' }, doc: 'How often the flusher checks whether a log needs an fsync.' }),
  brokerKey({ name: 'log.flush.start.offset.checkpoint.interval.ms', type: 'int', default: '60000', importance: 'high', applies: false, min: 0, doc: 'How often log start offsets are written.' }),
  brokerKey({ name: 'log.index.interval.bytes', type: 'int', default: '4096', importance: 'medium', applies: true, min: 0, dynamic: true, field: 'logIndexIntervalBytes', doc: 'Bytes appended between two offset index entries.' }),
  brokerKey({ name: 'log.index.size.max.bytes', type: 'int', default: '10485760', importance: 'medium', applies: true, min: 4, dynamic: true, field: 'logIndexSizeMaxBytes', doc: 'Largest offset index of a segment.' }),
  brokerKey({ name: 'log.local.retention.bytes', type: 'long', default: '-2', importance: 'medium', applies: false, min: -2, dynamic: true, doc: 'Local size limit with tiered storage; -2 means log.retention.bytes.' }),
  brokerKey({ name: 'log.local.retention.ms', type: 'long', default: '-2', importance: 'medium', applies: false, min: -2, dynamic: true, doc: 'Local time limit with tiered storage; -2 means the retention time.' }),
  brokerKey({ name: 'log.message.downconversion.enable', type: 'boolean', default: 'true', importance: 'low', applies: false, dynamic: true, doc: 'Whether fetches may down-convert record batches for old clients.' }),
  brokerKey({ name: 'log.message.format.version', type: 'string', default: '3.0-IV1', importance: 'medium', applies: false, doc: 'Record format version (ignored since 3.0).' }),
  brokerKey({ name: 'log.message.timestamp.after.max.ms', type: 'long', default: LONG_MAX_STRING, importance: 'medium', applies: true, min: 0, dynamic: true, doc: 'How far in the future a CreateTime timestamp may be.' }),
  brokerKey({ name: 'log.message.timestamp.before.max.ms', type: 'long', default: LONG_MAX_STRING, importance: 'medium', applies: true, min: 0, dynamic: true, doc: 'How far in the past a CreateTime timestamp may be.' }),
  brokerKey({ name: 'log.message.timestamp.difference.max.ms', type: 'long', default: LONG_MAX_STRING, importance: 'medium', applies: true, min: 0, dynamic: true, doc: 'Largest gap between a CreateTime timestamp and the broker clock (older spelling).' }),
  brokerKey({ name: 'log.message.timestamp.type', type: 'string', default: 'CreateTime', importance: 'medium', applies: true, dynamic: true, field: 'logMessageTimestampType', oneOf: ['CreateTime', 'LogAppendTime'], doc: 'Default timestamp type of topics.' }),
  brokerKey({ name: 'log.preallocate', type: 'boolean', default: 'false', importance: 'medium', applies: false, dynamic: true, doc: 'Preallocate segment files.' }),
  brokerKey({ name: 'log.retention.bytes', type: 'long', default: '-1', importance: 'high', applies: true, dynamic: true, field: 'logRetentionBytes', doc: 'Default size limit of a partition; -1 is unlimited.' }),
  brokerKey({ name: 'log.retention.check.interval.ms', type: 'long', default: '300000', importance: 'medium', applies: true, min: 1, field: 'logRetentionCheckIntervalMs', doc: 'How often retention is enforced.' }),
  brokerKey({ name: 'log.retention.hours', type: 'int', default: '168', importance: 'high', applies: true, min: -1, synonyms: LOG_RETENTION_SYNONYMS, doc: 'Default retention in hours (log.retention.minutes and .ms win).' }),
  brokerKey({ name: 'log.retention.minutes', type: 'int', default: null, importance: 'high', applies: true, min: -1, synonyms: LOG_RETENTION_SYNONYMS, doc: 'Default retention in minutes (log.retention.ms wins).' }),
  brokerKey({ name: 'log.retention.ms', type: 'long', default: null, importance: 'high', applies: true, min: -1, dynamic: true, synonyms: LOG_RETENTION_SYNONYMS, doc: 'Default retention in milliseconds; -1 is unlimited.' }),
  brokerKey({ name: 'log.roll.hours', type: 'int', default: '168', importance: 'high', applies: true, min: 1, synonyms: LOG_ROLL_SYNONYMS, doc: 'Default segment age before a roll, in hours (log.roll.ms wins).' }),
  brokerKey({ name: 'log.roll.jitter.hours', type: 'int', default: '0', importance: 'high', applies: false, min: 0, synonyms: LOG_ROLL_JITTER_SYNONYMS, doc: 'Random jitter subtracted from the roll time, in hours.' }),
  brokerKey({ name: 'log.roll.jitter.ms', type: 'long', default: null, importance: 'high', applies: false, dynamic: true, synonyms: LOG_ROLL_JITTER_SYNONYMS, doc: 'Random jitter subtracted from the roll time, in milliseconds.' }),
  brokerKey({ name: 'log.roll.ms', type: 'long', default: null, importance: 'high', applies: true, min: 1, dynamic: true, synonyms: LOG_ROLL_SYNONYMS, doc: 'Default segment age before a roll, in milliseconds.' }),
  brokerKey({ name: 'log.segment.bytes', type: 'int', default: '1073741824', importance: 'high', applies: true, min: 14, dynamic: true, field: 'logSegmentBytes', doc: 'Default segment size.' }),
  brokerKey({ name: 'log.segment.delete.delay.ms', type: 'long', default: '60000', importance: 'high', applies: false, min: 0, dynamic: true, doc: 'Delay before a deleted segment leaves the disk.' }),
  brokerKey({ name: 'max.broker.partitions', type: 'int', default: '10000', importance: 'medium', applies: true, min: 1, field: 'maxBrokerPartitions', doc: 'Partition replicas this broker may host (KIP-578 name; not a Kafka key).' }),
  brokerKey({ name: 'max.connections', type: 'int', default: String(INT_MAX), importance: 'medium', applies: false, min: 0, dynamic: true, doc: 'Most connections the broker accepts.' }),
  brokerKey({ name: 'max.incremental.fetch.session.cache.slots', type: 'int', default: '1000', importance: 'medium', applies: true, min: 0, field: 'maxIncrementalFetchSessionCacheSlots', doc: 'Most incremental fetch sessions kept at once.' }),
  brokerKey({ name: 'message.max.bytes', type: 'int', default: '1048588', importance: 'high', applies: true, min: 0, dynamic: true, field: 'messageMaxBytes', doc: 'Largest record batch the broker accepts.' }),
  brokerKey({ name: 'metadata.log.dir', type: 'string', default: null, importance: 'high', applies: true, field: 'metadataLogDir', doc: 'Directory of the metadata log (__cluster_metadata-0); the first log directory when unset.' }),
  brokerKey({ name: 'metadata.log.max.record.bytes.between.snapshots', type: 'long', default: '20971520', importance: 'high', applies: true, field: 'metadataLogMaxRecordBytesBetweenSnapshots', min: 1, doc: 'Metadata log bytes appended before a new snapshot.' }),
  brokerKey({ name: 'metadata.log.max.snapshot.interval.ms', type: 'long', default: '3600000', importance: 'high', applies: true, field: 'metadataLogMaxSnapshotIntervalMs', min: 0, doc: 'Age of the oldest unsnapshotted metadata record that triggers a snapshot.' }),
  brokerKey({ name: 'metadata.log.segment.bytes', type: 'int', default: '1073741824', importance: 'high', applies: true, field: 'metadataLogSegmentBytes', min: 12, doc: 'Segment size of the metadata log.' }),
  brokerKey({ name: 'min.insync.replicas', type: 'int', default: '1', importance: 'high', applies: true, min: 1, dynamic: true, field: 'minInsyncReplicas', doc: 'Default in-sync replicas an acks=all write needs.' }),
  brokerKey({ name: 'node.id', type: 'int', default: '-1', importance: 'high', applies: true, min: -1, doc: 'Id of this node (KRaft name of broker.id).' }),
  brokerKey({ name: 'num.io.threads', type: 'int', default: '8', importance: 'high', applies: false, min: 1, dynamic: true, doc: 'Threads that process requests.' }),
  brokerKey({ name: 'num.network.threads', type: 'int', default: '3', importance: 'high', applies: false, min: 1, dynamic: true, doc: 'Threads that read and write sockets.' }),
  brokerKey({ name: 'num.partitions', type: 'int', default: '1', importance: 'medium', applies: true, min: 1, dynamic: true, field: 'numPartitions', doc: 'Partition count of topics created without one.' }),
  brokerKey({ name: 'num.recovery.threads.per.data.dir', type: 'int', default: '1', importance: 'high', applies: false, min: 1, dynamic: true, doc: 'Threads per log directory that recover logs at startup.' }),
  brokerKey({ name: 'num.replica.fetchers', type: 'int', default: '1', importance: 'high', applies: false, dynamic: true, doc: 'Threads that replicate from leaders.' }),
  brokerKey({ name: 'offset.metadata.max.bytes', type: 'int', default: '4096', importance: 'high', applies: true, field: 'offsetMetadataMaxBytes', doc: 'Largest metadata string of a committed offset.' }),
  brokerKey({ name: 'offsets.commit.timeout.ms', type: 'int', default: '5000', importance: 'high', applies: false, min: 1, doc: 'Time an offset commit waits for replication.' }),
  brokerKey({ name: 'offsets.load.buffer.size', type: 'int', default: '5242880', importance: 'high', applies: true, field: 'offsetsLoadBufferSize', min: 1, doc: 'Bytes read at a time when loading group state.' }),
  brokerKey({ name: 'offsets.retention.check.interval.ms', type: 'long', default: '600000', importance: 'high', applies: true, min: 1, field: 'offsetsRetentionCheckIntervalMs', doc: 'How often expired committed offsets are removed.' }),
  brokerKey({ name: 'offsets.retention.minutes', type: 'int', default: '10080', importance: 'high', applies: true, min: 1, field: 'offsetsRetentionMinutes', doc: 'How long committed offsets of an empty group are kept.' }),
  brokerKey({ name: 'offsets.topic.num.partitions', type: 'int', default: '50', importance: 'high', applies: true, min: 1, field: 'offsetsTopicNumPartitions', doc: 'Partitions of __consumer_offsets.' }),
  brokerKey({ name: 'offsets.topic.replication.factor', type: 'short', default: '3', importance: 'high', applies: true, min: 1, field: 'offsetsTopicReplicationFactor', ours: { value: '1', why: 'a single broker can only hold one replica (the stock file sets 1 too)' }, doc: 'Replication factor of __consumer_offsets.' }),
  brokerKey({ name: 'offsets.topic.segment.bytes', type: 'int', default: '104857600', importance: 'high', applies: true, min: 1, field: 'offsetsTopicSegmentBytes', doc: 'Segment size of __consumer_offsets.' }),
  brokerKey({ name: 'port', type: 'int', default: '9092', importance: 'high', applies: true, min: 0, doc: 'Port to bind when listeners is not set (pre-1.0 files).' }),
  brokerKey({ name: 'process.roles', type: 'list', default: '', importance: 'high', applies: true, oneOf: ['broker', 'controller'], doc: 'KRaft roles of this node (broker, controller or both); unset with no zookeeper.connect: one broker with its own controller.' }),
  brokerKey({ name: 'queued.max.requests', type: 'int', default: '500', importance: 'high', applies: false, min: 1, doc: 'Requests queued before the network threads stop reading.' }),
  brokerKey({ name: 'replica.fetch.backoff.ms', type: 'int', default: '1000', importance: 'medium', applies: true, min: 0, field: 'replicaFetchBackoffMs', doc: 'Pause of a follower after a failed fetch.' }),
  brokerKey({ name: 'replica.fetch.max.bytes', type: 'int', default: '1048576', importance: 'medium', applies: true, min: 0, field: 'replicaFetchMaxBytes', doc: 'Bytes a follower fetches per partition.' }),
  brokerKey({ name: 'replica.fetch.min.bytes', type: 'int', default: '1', importance: 'high', applies: true, field: 'replicaFetchMinBytes', doc: 'Bytes a follower fetch waits for (up to replica.fetch.wait.max.ms).' }),
  brokerKey({ name: 'replica.fetch.response.max.bytes', type: 'int', default: '10485760', importance: 'medium', applies: true, min: 0, field: 'replicaFetchResponseMaxBytes', doc: 'Largest response to one follower fetch.' }),
  brokerKey({ name: 'replica.fetch.wait.max.ms', type: 'int', default: '500', importance: 'medium', applies: true, field: 'replicaFetchWaitMaxMs', doc: 'Longest time a follower fetch waits at the leader.' }),
  brokerKey({ name: 'replica.lag.time.max.ms', type: 'long', default: '30000', importance: 'high', applies: true, field: 'replicaLagTimeMaxMs', doc: 'Time after which a silent follower leaves the ISR.' }),
  brokerKey({ name: 'replica.socket.timeout.ms', type: 'int', default: '30000', importance: 'high', applies: false, doc: 'Socket timeout of follower fetches.' }),
  brokerKey({ name: 'sasl.enabled.mechanisms', type: 'list', default: 'GSSAPI', importance: 'medium', applies: true, dynamic: true, ours: { value: 'SCRAM-SHA-256,SCRAM-SHA-512', why: 'GSSAPI (Kerberos) is not served; PLAIN is added when a PlainLoginModule JAAS config is set' }, doc: 'SASL mechanisms SASL listeners accept (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).' }),
  brokerKey({ name: 'sasl.jaas.config', type: 'password', default: null, importance: 'medium', applies: true, doc: 'JAAS login configuration for SASL listeners.' }),
  brokerKey({ name: 'sasl.mechanism.inter.broker.protocol', type: 'string', default: 'GSSAPI', importance: 'medium', applies: true, dynamic: true, doc: 'SASL mechanism brokers use between themselves.' }),
  brokerKey({ name: 'security.inter.broker.protocol', type: 'string', default: 'PLAINTEXT', importance: 'medium', applies: true, oneOf: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], doc: 'Security protocol brokers use between themselves.' }),
  brokerKey({ name: 'socket.receive.buffer.bytes', type: 'int', default: '102400', importance: 'high', applies: false, doc: 'SO_RCVBUF of server sockets; -1 is the OS default.' }),
  brokerKey({ name: 'socket.request.max.bytes', type: 'int', default: '104857600', importance: 'high', applies: true, min: 1, field: 'socketRequestMaxBytes', doc: 'Largest request the broker reads.' }),
  brokerKey({ name: 'socket.send.buffer.bytes', type: 'int', default: '102400', importance: 'high', applies: false, doc: 'SO_SNDBUF of server sockets; -1 is the OS default.' }),
  brokerKey({ name: 'ssl.cipher.suites', type: 'list', default: '', importance: 'low', applies: true, dynamic: true, doc: 'TLS cipher suites allowed (IANA names); empty allows the defaults.' }),
  brokerKey({ name: 'ssl.client.auth', type: 'string', default: 'none', importance: 'medium', applies: true, dynamic: true, oneOf: ['required', 'requested', 'none'], doc: 'Whether TLS clients must (required) or may (requested) present a certificate.' }),
  brokerKey({ name: 'ssl.enabled.protocols', type: 'list', default: 'TLSv1.2,TLSv1.3', importance: 'medium', applies: true, dynamic: true, doc: 'TLS versions accepted.' }),
  brokerKey({ name: 'ssl.endpoint.identification.algorithm', type: 'string', default: 'https', importance: 'low', applies: false, dynamic: true, doc: 'Host name check of the peer certificate when the broker is a TLS client.' }),
  brokerKey({ name: 'ssl.key.password', type: 'password', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Password of the private key in the key store.' }),
  brokerKey({ name: 'ssl.keystore.certificate.chain', type: 'password', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Certificate chain in PEM, inline (with ssl.keystore.key).' }),
  brokerKey({ name: 'ssl.keystore.key', type: 'password', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Private key in PEM, inline (with ssl.keystore.certificate.chain).' }),
  brokerKey({ name: 'ssl.keystore.location', type: 'string', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Key store file (PEM or PKCS12) of TLS listeners.' }),
  brokerKey({ name: 'ssl.keystore.password', type: 'password', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Password of the key store.' }),
  brokerKey({ name: 'ssl.keystore.type', type: 'string', default: 'JKS', importance: 'medium', applies: true, dynamic: true, doc: 'Key store format: PEM or PKCS12 (a JKS file must be converted; unset, the file content decides).' }),
  brokerKey({ name: 'ssl.principal.mapping.rules', type: 'string', default: 'DEFAULT', importance: 'low', applies: true, doc: 'Rules mapping a client certificate DN to a principal name.' }),
  brokerKey({ name: 'ssl.protocol', type: 'string', default: 'TLSv1.3', importance: 'medium', applies: false, dynamic: true, doc: 'TLS protocol of the SSLContext (ssl.enabled.protocols decides here).' }),
  brokerKey({ name: 'ssl.truststore.certificates', type: 'password', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Trusted certificates in PEM, inline.' }),
  brokerKey({ name: 'ssl.truststore.location', type: 'string', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Trust store file (PEM) for client certificates.' }),
  brokerKey({ name: 'ssl.truststore.password', type: 'password', default: null, importance: 'high', applies: true, dynamic: true, doc: 'Password of the trust store.' }),
  brokerKey({ name: 'ssl.truststore.type', type: 'string', default: 'JKS', importance: 'medium', applies: true, dynamic: true, doc: 'Trust store format: PEM (PKCS12 and JKS must be converted).' }),
  brokerKey({ name: 'super.users', type: 'string', default: null, importance: 'medium', applies: true, doc: 'Principals the authorizer lets do anything (User:admin;User:ops).' }),
  brokerKey({ name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', type: 'int', default: '10000', importance: 'low', applies: true, min: 1, field: 'transactionAbortTimedOutTransactionCleanupIntervalMs', doc: 'How often timed-out transactions are aborted.' }),
  brokerKey({ name: 'transaction.max.timeout.ms', type: 'int', default: '900000', importance: 'high', applies: true, min: 1, field: 'transactionMaxTimeoutMs', doc: 'Largest transaction timeout a producer may ask for.' }),
  brokerKey({ name: 'transaction.remove.expired.transaction.cleanup.interval.ms', type: 'int', default: '3600000', importance: 'low', applies: false, min: 1, doc: 'How often expired transactional ids are removed.' }),
  brokerKey({ name: 'transaction.state.log.load.buffer.size', type: 'int', default: '5242880', importance: 'high', applies: true, field: 'transactionStateLogLoadBufferSize', min: 1, doc: 'Bytes read at a time when loading transaction state.' }),
  brokerKey({ name: 'transaction.state.log.min.isr', type: 'int', default: '2', importance: 'high', applies: true, min: 1, field: 'transactionStateLogMinIsr', doc: 'min.insync.replicas of __transaction_state.' }),
  brokerKey({ name: 'transaction.state.log.num.partitions', type: 'int', default: '50', importance: 'high', applies: true, min: 1, field: 'transactionStateLogNumPartitions', doc: 'Partitions of __transaction_state.' }),
  brokerKey({ name: 'transaction.state.log.replication.factor', type: 'short', default: '3', importance: 'high', applies: true, min: 1, field: 'transactionStateLogReplicationFactor', doc: 'Replication factor of __transaction_state (capped at the broker count when not set).' }),
  brokerKey({ name: 'transaction.state.log.segment.bytes', type: 'int', default: '104857600', importance: 'high', applies: true, min: 1, field: 'transactionStateLogSegmentBytes', doc: 'Segment size of __transaction_state.' }),
  brokerKey({ name: 'transactional.id.expiration.ms', type: 'int', default: '604800000', importance: 'high', applies: true, min: 1, field: 'transactionalIdExpirationMs', doc: 'Idle time after which a transactional id expires.' }),
  brokerKey({ name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', importance: 'high', applies: true, dynamic: true, field: 'uncleanLeaderElectionEnable', doc: 'Whether an out-of-sync replica may become leader.' }),
  brokerKey({ name: 'zookeeper.connect', type: 'string', default: null, importance: 'high', applies: true, doc: 'Controllers of a ZooKeeper-style cluster (host:port,...[/chroot]); zookeeper-server-start runs them.' }),
  brokerKey({ name: 'zookeeper.connection.timeout.ms', type: 'int', default: null, importance: 'high', applies: true, field: 'zookeeperConnectionTimeoutMs', ours: { value: '18000', why: "Kafka's null means zookeeper.session.timeout.ms, whose default is 18000" }, doc: 'Time a broker keeps trying its zookeeper.connect controllers before it gives up.' }),
  brokerKey({ name: 'zookeeper.session.timeout.ms', type: 'int', default: '18000', importance: 'high', applies: false, doc: 'ZooKeeper session timeout.' }),
];

const KEYS_BY_NAME = new Map<string, BrokerKeyDef>(BROKER_KEYS.map((d) => [d.name, d]));

export function brokerKeyDef(name: string): BrokerKeyDef | undefined {
  return KEYS_BY_NAME.get(name);
}

/** The default this broker starts with: Kafka's unless the entry says otherwise. */
export function effectiveDefault(def: BrokerKeyDef): string | null {
  return def.ours ? def.ours.value : def.default;
}

/** Synonyms in precedence order (the key alone when it has none). */
export function brokerSynonyms(name: string): readonly string[] {
  return KEYS_BY_NAME.get(name)?.synonyms ?? [name];
}

/** Why a value does not parse; the caller adds key, value and origin. */
export class BrokerValueError extends Error {}

/** A parsed value: number for numeric types (Long.MAX clamped to MAX_SAFE_INTEGER), boolean, or string. */
export type BrokerValue = number | boolean | string;

const TYPE_NAME: Record<BrokerKeyType, string> = {
  int: 'INT', short: 'SHORT', long: 'LONG', double: 'DOUBLE', boolean: 'BOOLEAN', string: 'STRING', list: 'LIST', class: 'CLASS', password: 'PASSWORD',
};

/** Kafka's ConfigDef type name (INT, LONG, ...), also DescribeConfigs' ConfigType. */
export function kafkaTypeName(def: BrokerKeyDef): string {
  return TYPE_NAME[def.type];
}

function checkRange(def: BrokerKeyDef, value: number): void {
  if (def.min !== undefined && value < def.min) throw new BrokerValueError(`Value must be at least ${def.min}`);
  if (def.max !== undefined && value > def.max) throw new BrokerValueError(`Value must be no more than ${def.max}`);
}

/**
 * Parses one value by the key's type and validator, with Kafka's ConfigException
 * reasons ("Not a number of type INT", "Value must be at least 1", ...). Values are
 * trimmed as Kafka trims them. LIST values come back comma-joined without blanks.
 */
export function parseBrokerValue(def: BrokerKeyDef, text: string): BrokerValue {
  const raw = text.trim();
  switch (def.type) {
    case 'int':
    case 'short': {
      if (!/^[+-]?\d+$/.test(raw)) throw new BrokerValueError(`Not a number of type ${TYPE_NAME[def.type]}`);
      const value = Number(raw);
      const [lo, hi] = def.type === 'short' ? [-32768, 32767] : [INT_MIN, INT_MAX];
      if (value > hi || value < lo) throw new BrokerValueError(`Not a number of type ${TYPE_NAME[def.type]}`);
      checkRange(def, value);
      return value;
    }
    case 'long': {
      if (!/^[+-]?\d+$/.test(raw)) throw new BrokerValueError('Not a number of type LONG');
      // Long.MAX_VALUE (Kafka's "never") does not fit a JS number exactly; clamp it.
      const value = Math.min(Number(raw), Number.MAX_SAFE_INTEGER);
      checkRange(def, value);
      return value;
    }
    case 'double': {
      const value = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) throw new BrokerValueError('Not a number of type DOUBLE');
      checkRange(def, value);
      return value;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw new BrokerValueError('Expected value to be either true or false');
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      if (def.oneOf) {
        for (const item of items) {
          if (!def.oneOf.includes(item)) throw new BrokerValueError(`use ${def.oneOf.join(', ')} or ${def.oneOf.join(',')}`);
        }
      }
      return items.join(',');
    }
    default:
      if (def.oneOf && !def.oneOf.includes(raw)) throw new BrokerValueError(`String must be one of: ${def.oneOf.join(', ')}`);
      return raw;
  }
}

/** A parsed value rendered as Kafka renders it in DescribeConfigs. */
export function renderBrokerValue(def: BrokerKeyDef, value: BrokerValue | null): string | null {
  if (value === null) return null;
  if (def.type === 'long' && typeof value === 'number' && value >= Number.MAX_SAFE_INTEGER) return LONG_MAX_STRING;
  return String(value);
}

/** Whether the config's source file (or --override) set this key. */
export function isKeySet(config: Pick<BrokerConfig, 'raw'>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(config.raw, name);
}
