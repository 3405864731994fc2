/**
 * Embedding API and composition root: `startBroker(config)` wires storage, the
 * cluster metadata, the group coordinator and the request handlers into one
 * running broker. `kafka-server-start` and the tests both start brokers here.
 * A node of a multi-node cluster (process.roles, zookeeper.connect, or a
 * ZooKeeper-style controller from zookeeper-server-start) is composed by
 * ./cluster-node.ts; `startNode` takes its QuorumTopology.
 */
import fs from 'node:fs';
import { brokerConfig, type BrokerConfig, type Endpoint } from './broker/config.js';
import { BrokerServer, advertisedApis } from './broker/server.js';
import { ReplicaManager } from './broker/replica-manager.js';
import { FetchSessionCache } from './broker/fetch-sessions.js';
import { allHandlers } from './broker/handlers/index.js';
import type { BrokerServices } from './broker/services/index.js';
import { ErrorCode } from './protocol/errors.js';
import { LogManager, writeMetaProperties } from './storage/log-manager.js';
import { defaultLogConfig, type LogConfig } from './storage/partition-log.js';
import {
  GroupCoordinator,
  groupCoordinatorConfig,
  InternalTopicLog,
  ProducerIdManager,
  readLegacyProducerIdBlockEnd,
  retireLegacyProducerIdBlockFile,
  TRANSACTION_STATE_TOPIC,
  TransactionCoordinator,
  transactionCoordinatorConfig,
} from './coordinator/index.js';
import { ClusterMetadata } from './cluster/cluster-metadata.js';
import { localQuorumService } from './cluster/raft/local-quorum-service.js';
import { createAuthorizer } from './broker/security/authorizer.js';
import { quorumTopology, type QuorumTopology } from './cluster/node-config.js';
import { startClusterNode } from './cluster-node.js';

export { brokerConfig, defaultBrokerConfig } from './broker/config.js';
export type { BrokerConfig, Endpoint } from './broker/config.js';

export interface RunningBroker {
  config: BrokerConfig;
  /** port of the first listener (the real one when the config asked for port 0) */
  port: number;
  host: string;
  close(): Promise<void>;
}

export interface StartBrokerOptions {
  log?: (line: string) => void;
  /** the node's place in the quorum; read from the config's keys when absent */
  topology?: QuorumTopology;
}

const OFFSETS_TOPIC = '__consumer_offsets';
/** Kafka's offsets.commit.timeout.ms default: how long a coordinator write waits for the ISR */
const COORDINATOR_APPEND_TIMEOUT_MS = 5000;

/** Broker-wide defaults for every partition log; topic overrides come from the cluster layer. */
function logDefaults(config: BrokerConfig): LogConfig {
  return {
    ...defaultLogConfig(),
    segmentBytes: config.logSegmentBytes,
    segmentMs: config.logRollMs,
    retentionMs: config.logRetentionMs,
    retentionBytes: config.logRetentionBytes,
    indexIntervalBytes: config.logIndexIntervalBytes,
    maxIndexSizeBytes: config.logIndexSizeMaxBytes,
    flushIntervalMessages: config.logFlushIntervalMessages,
    flushIntervalMs: config.logFlushIntervalMs ?? Number.MAX_SAFE_INTEGER,
    cleanupPolicy: config.logCleanupPolicy,
    messageTimestampType: config.logMessageTimestampType,
    maxMessageBytes: config.messageMaxBytes,
  };
}

/** A listener bound to all interfaces is advertised as localhost (a host clients can dial). */
function advertisable(endpoint: Endpoint, port: number): Endpoint {
  const host = endpoint.host === '' || endpoint.host === '0.0.0.0' || endpoint.host === '::' ? 'localhost' : endpoint.host;
  return { ...endpoint, host, port: endpoint.port === 0 ? port : endpoint.port };
}

/**
 * Starts a node: a single broker with its embedded controller (no process.roles, no
 * zookeeper.connect), or a broker and/or controller of a cluster.
 */
export async function startBroker(input: BrokerConfig = brokerConfig(), options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const log = options.log ?? (() => {});
  const topology = options.topology ?? quorumTopology(input, { log });
  if (topology.style !== 'embedded') return startClusterNode(input, topology, { log, logDefaults, advertisable });
  return startEmbeddedBroker(input, log);
}

/** Starts any node from its config and topology (zookeeper-server-start, kafka-cluster, tests). */
export function startNode(config: BrokerConfig, options: StartBrokerOptions = {}): Promise<RunningBroker> {
  return startBroker(config, options);
}

async function startEmbeddedBroker(input: BrokerConfig, log: (line: string) => void): Promise<RunningBroker> {
  const config: BrokerConfig = { ...input, listeners: [...input.listeners], advertisedListeners: [...input.advertisedListeners] };
  for (const dir of config.logDirs) fs.mkdirSync(dir, { recursive: true });

  // Bind first: a port in use must fail before we touch any data.
  let resolveReady!: (services: BrokerServices) => void;
  const ready = new Promise<BrokerServices>((resolve) => (resolveReady = resolve));
  const handlers = allHandlers();
  const server = new BrokerServer(handlers, ready);
  // TLS stores, SASL JAAS and the authorizer name are checked before anything binds
  const authorizerFor = (acls: Parameters<typeof createAuthorizer>[1]) => createAuthorizer(config, acls);
  authorizerFor(() => []);
  const bound = await server.listen(config.listeners, config);
  config.listeners = config.listeners.map((l, i) => ({ ...l, port: bound[i].port }));
  config.advertisedListeners = config.advertisedListeners.map((l, i) => advertisable(l, bound[Math.min(i, bound.length - 1)].port));

  let logs: LogManager | undefined;
  let groups: GroupCoordinator | undefined;
  let replicas: ReplicaManager | undefined;
  let transactions: TransactionCoordinator | undefined;
  let producerIds: ProducerIdManager | undefined;
  /** closed at shutdown, after everything that may still change metadata */
  let clusterMetadata: ClusterMetadata | undefined;
  try {
    logs = new LogManager(config.logDirs, logDefaults(config), log);
    logs.loadLogs();
    const logStore = logs;
    const metadata = new ClusterMetadata({
      config,
      logs: {
        createLog: (topic, partition, logConfig) => logStore.createLog(topic, partition, logConfig),
        deleteLog: (topic, partition) => {
          logStore.deleteLog(topic, partition);
        },
        getLog: (topic, partition) => logStore.getLog(topic, partition),
      },
      log,
      writeMetaProperties,
    });
    clusterMetadata = metadata;
    await metadata.load();
    // Producer id blocks come from this broker's own controller (its metadata log, KIP-730);
    // the first one raises the next id above the old per-broker block file, once.
    let legacyBlockEnd = readLegacyProducerIdBlockEnd(config.logDirs[0]);
    producerIds = new ProducerIdManager({
      allocateBlock: async () => {
        const block = await metadata.allocateProducerIds(legacyBlockEnd);
        if (legacyBlockEnd !== undefined) {
          const aside = retireLegacyProducerIdBlockFile(config.logDirs[0]);
          log(`Producer ids now come from the metadata log, above ${legacyBlockEnd} (the old block file is kept as ${aside})`);
          legacyBlockEnd = undefined;
        }
        return block;
      },
      transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
      log,
    });
    await producerIds.start();
    const producerIdManager = producerIds;
    replicas = new ReplicaManager(config.brokerId, metadata, log, config.minInsyncReplicas);
    const replicaManager = replicas;
    // Coordinators write their internal topics through the replica manager (acks=all) and
    // load or unload a partition's state as its leadership comes and goes.
    const internalTopicLog = (topic: string, numPartitions: number) =>
      new InternalTopicLog({
        topic,
        numPartitions,
        metadata,
        replicas: replicaManager,
        ensureTopic: () => ensureInternalTopic(topic),
        appendTimeoutMs: COORDINATOR_APPEND_TIMEOUT_MS,
        log,
      });
    const ensureInternalTopic = async (topic: string): Promise<void> => {
      await metadata.ensureInternalTopic(topic);
      replicaManager.applyLeadershipChanges();
    };
    groups = new GroupCoordinator({
      log: internalTopicLog(OFFSETS_TOPIC, config.offsetsTopicNumPartitions),
      config: groupCoordinatorConfig(config),
      logger: log,
    });
    const groupCoordinator = groups;
    transactions = new TransactionCoordinator({
      log: internalTopicLog(TRANSACTION_STATE_TOPIC, config.transactionStateLogNumPartitions),
      ensureTopic: () => ensureInternalTopic(TRANSACTION_STATE_TOPIC),
      generateProducerId: () => producerIdManager.generateProducerId(),
      // Markers on __consumer_offsets also settle the group coordinator's pending TxnOffsetCommits.
      writeMarker: (marker) => {
        const errorCode = replicaManager.writeTxnMarker(marker);
        if (errorCode === ErrorCode.NONE && marker.topic === OFFSETS_TOPIC) {
          groupCoordinator.completeTransaction(marker.partition, marker.producerId, marker.commit);
        }
        return errorCode;
      },
      offsetsPartitionFor: (groupId) => groupCoordinator.partitionFor(groupId),
      config: transactionCoordinatorConfig(config),
      logger: log,
    });
    replicas.setTransactionVerifier(transactions);
    replicas.advanceSoleLeaderHighWatermarks();
    groups.startup();
    replicas.addLeadershipListener(OFFSETS_TOPIC, groups);
    transactions.startup();
    replicas.addLeadershipListener(TRANSACTION_STATE_TOPIC, transactions);
    logs.startBackgroundTasks({
      retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
      flushSchedulerIntervalMs: config.logFlushSchedulerIntervalMs,
      logCleaner: config.logCleanerEnable ? { backoffMs: config.logCleanerBackoffMs } : undefined,
    });
    resolveReady({
      config,
      metadata,
      groups,
      producerIds: producerIdManager,
      transactions,
      data: replicas,
      fetchSessions: new FetchSessionCache({ maxSlots: config.maxIncrementalFetchSessionCacheSlots }),
      apiVersions: advertisedApis(handlers),
      // DescribeQuorum as Kafka's one-node combined server answers it (one voter, no observers)
      quorum: embeddedQuorumService(metadata),
      security: metadata,
      authorizer: authorizerFor(() => metadata.securityImage().acls.values()),
      log,
    });
  } catch (err) {
    await server.close();
    producerIds?.close();
    groups?.shutdown();
    transactions?.shutdown();
    clusterMetadata?.close();
    logs?.shutdown();
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    config,
    port: bound[0].port,
    host: config.advertisedListeners[0].host,
    close() {
      closing ??= (async () => {
        await server.close();
        producerIds?.close();
        groups?.shutdown();
        transactions?.shutdown();
        replicas?.close();
        clusterMetadata?.close();
        logs?.shutdown();
      })();
      return closing;
    },
  };
}

/** The raft APIs of the single broker's LocalQuorum (DescribeQuorum only on its broker listener). */
function embeddedQuorumService(metadata: ClusterMetadata): ReturnType<typeof localQuorumService> | undefined {
  const quorum = metadata.embeddedQuorum();
  return quorum === undefined ? undefined : localQuorumService(quorum);
}
