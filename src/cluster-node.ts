/**
 * Composition of a node of a multi-node cluster (src/index.ts keeps the single broker
 * with its embedded controller). What runs depends on the node's QuorumTopology
 * (src/cluster/node-config.ts):
 *
 * - every node: the listeners (broker listeners plus, for a controller, the
 *   controller.listener.names ones), the cluster id (meta.properties; else derived by
 *   the controllers from their voter set, or learned by a broker from the controller),
 *   the metadata quorum (RaftQuorum: a voter on controllers, an observer on brokers) and
 *   a ClusterMetadata following its committed image;
 * - controller role: the QuorumController, active while this node leads the quorum;
 * - broker role: partition logs, replication (followers fetch from leaders, ISR changes
 *   go to the controller as AlterPartition through the ControllerChannel), the
 *   BrokerMetadataPublisher, coordinators, and the BrokerLifecycleManager that
 *   registers, heartbeats and, at shutdown, moves leadership away first.
 *
 * A controller-only node (KRaft process.roles=controller, or `zookeeper-server-start`)
 * hosts no partitions but answers Metadata, DescribeCluster and the admin requests
 * from the image, so `kafka-topics --zookeeper host:2181` works against it.
 */
import fs from 'node:fs';
import type { BrokerConfig, Endpoint } from './broker/config.js';
import { isKeySet } from './broker/config-keys.js';
import { BrokerServer, advertisedApis } from './broker/server.js';
import { ReplicaManager } from './broker/replica-manager.js';
import { FetchSessionCache } from './broker/fetch-sessions.js';
import { allHandlers } from './broker/handlers/index.js';
import type { BrokerServices } from './broker/services/index.js';
import { createAuthorizer } from './broker/security/authorizer.js';
import { listenerSecurityProtocol } from './broker/security/listeners.js';
import { ErrorCode, KafkaError } from './protocol/errors.js';
import { ApiKey } from './protocol/generated/api-keys.js';
import type { DescribeClusterResponse } from './protocol/generated/types.js';
import { LogManager, readMetaProperties, writeMetaProperties } from './storage/log-manager.js';
import type { LogConfig, PartitionLog } from './storage/partition-log.js';
import {
  GroupCoordinator,
  groupCoordinatorConfig,
  InternalTopicLog,
  ProducerIdManager,
  TRANSACTION_STATE_TOPIC,
  TransactionCoordinator,
  transactionCoordinatorConfig,
  TransactionMarkerChannelManager,
  type MarkerDestination,
} from './coordinator/index.js';
import type { TransactionMarkerWriter } from './broker/services/transaction-service.js';
import { ClusterMetadata, type PartitionLogStore } from './cluster/cluster-metadata.js';
import { QuorumController } from './cluster/controller/quorum-controller.js';
import { isActiveBroker } from './cluster/controller/leadership.js';
import { ControllerChannel } from './cluster/controller-channel.js';
import { ControllerForwarder } from './cluster/controller-forwarder.js';
import { BrokerLifecycleManager } from './cluster/broker-lifecycle.js';
import { BrokerMetadataPublisher } from './cluster/broker-metadata-publisher.js';
import { clusterIdForVoters } from './cluster/cluster-id.js';
import { controllerEndpoints, ZOOKEEPER_CONTROLLER_KEY, type QuorumTopology } from './cluster/node-config.js';
import { RaftQuorum } from './cluster/raft/raft-quorum.js';
import { SecurityProtocol } from './metadata/index.js';

export interface ClusterNodeEnvironment {
  log: (line: string) => void;
  logDefaults: (config: BrokerConfig) => LogConfig;
  advertisable: (endpoint: Endpoint, port: number) => Endpoint;
}

export interface RunningClusterNode {
  config: BrokerConfig;
  port: number;
  host: string;
  close(): Promise<void>;
}

const OFFSETS_TOPIC = '__consumer_offsets';
const COORDINATOR_APPEND_TIMEOUT_MS = 5000;
/** How long a transaction marker written here waits for its partition's ISR before the channel retries it. */
const MARKER_ACK_TIMEOUT_MS = 15_000;
/** Broker session of a ZooKeeper-style controller: Kafka's zookeeper.session.timeout.ms default before 2.5. */
const ZOOKEEPER_STYLE_SESSION_TIMEOUT_MS = 6000;
/** How long a starting broker waits to be unfenced before it reports itself started anyway. */
const UNFENCE_WAIT_MS = 30_000;

/** A log store for a node without partitions (a controller-only node). */
const NO_LOGS: PartitionLogStore = {
  createLog: () => {
    throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'A controller-only node hosts no partitions.');
  },
  deleteLog: () => undefined,
  getLog: () => undefined,
};

function securityProtocolId(config: BrokerConfig, listenerName: string): number {
  // listener.security.protocol.map read through the config table (its default included)
  const protocol = listenerSecurityProtocol(config, { name: listenerName, host: '', port: 0 });
  return SecurityProtocol[protocol] ?? SecurityProtocol.PLAINTEXT;
}

/** Every dir whose meta.properties may name the cluster. */
function metaDirs(config: BrokerConfig): string[] {
  return [...new Set([...config.logDirs, config.metadataLogDir ?? config.logDirs[0]!])];
}

function readClusterId(config: BrokerConfig): string | undefined {
  return metaDirs(config).map((d) => readMetaProperties(d)?.clusterId).find((id) => id);
}

/** The hint of the one line a broker prints when no controller answers. */
function startControllerHint(topology: QuorumTopology): string {
  return topology.style === 'zookeeper'
    ? 'start the controller first: zookeeper-server-start config/zookeeper.properties'
    : 'start the controllers first (kafka-server-start with process.roles=controller)';
}

/** A broker without a cluster id asks the controller (DescribeCluster) within the connection timeout. */
async function learnClusterId(channel: ControllerChannel, topology: QuorumTopology, timeoutMs: number): Promise<string> {
  try {
    const { response } = await channel.send<DescribeClusterResponse>(
      ApiKey.DescribeCluster,
      { includeClusterAuthorizedOperations: false, endpointType: 1 },
      { minVersion: 0, maxVersion: 1, notController: () => false, timeoutMs },
    );
    if (response.clusterId) return response.clusterId;
  } catch {
    // reported below with the addresses tried
  }
  const key = topology.style === 'zookeeper' ? 'zookeeper.connect' : 'controller.quorum.bootstrap.servers';
  throw new Error(
    `Timed out waiting for connection to the controller at ${channel.describeTargets()} (${key}) after ${timeoutMs} ms; ${startControllerHint(topology)}`,
  );
}

export async function startClusterNode(input: BrokerConfig, topology: QuorumTopology, env: ClusterNodeEnvironment): Promise<RunningClusterNode> {
  const { log } = env;
  const isBroker = topology.roles.has('broker');
  const isController = topology.roles.has('controller');
  const config: BrokerConfig = { ...input, listeners: [...input.listeners], advertisedListeners: [...input.advertisedListeners] };
  for (const dir of metaDirs(config)) fs.mkdirSync(dir, { recursive: true });

  // the controller listeners are bound too (a combined node's BrokerConfig leaves them out)
  const listeners: Endpoint[] = [...config.listeners];
  if (isController) {
    for (const endpoint of controllerEndpoints(config.raw)) {
      if (!listeners.some((l) => l.name === endpoint.name)) listeners.push(endpoint);
    }
  }
  let resolveReady!: (services: BrokerServices) => void;
  const ready = new Promise<BrokerServices>((resolve) => (resolveReady = resolve));
  const handlers = allHandlers();
  const server = new BrokerServer(handlers, ready);
  const authorizerFor = (acls: Parameters<typeof createAuthorizer>[1]) => createAuthorizer(config, acls);
  authorizerFor(() => []);
  const bound = await server.listen(listeners, config);
  const boundPort = (name: string, fallback: number): number => bound[listeners.findIndex((l) => l.name === name)]?.port ?? fallback;
  config.listeners = config.listeners.map((l) => ({ ...l, port: boundPort(l.name, l.port) }));
  config.advertisedListeners = config.advertisedListeners.map((l, i) => env.advertisable(l, boundPort(l.name, bound[Math.min(i, bound.length - 1)]!.port)));

  let raft: RaftQuorum | undefined;
  let controller: QuorumController | undefined;
  let channel: ControllerChannel | undefined;
  let lifecycle: BrokerLifecycleManager | undefined;
  let logs: LogManager | undefined;
  let groups: GroupCoordinator | undefined;
  let transactions: TransactionCoordinator | undefined;
  let replicas: ReplicaManager | undefined;
  let metadata: ClusterMetadata | undefined;
  let publisher: BrokerMetadataPublisher | undefined;
  let producerIds: ProducerIdManager | undefined;
  let markerChannel: TransactionMarkerChannelManager | undefined;
  const shutdown = async (): Promise<void> => {
    lifecycle?.close();
    producerIds?.close();
    await server.close();
    groups?.shutdown();
    transactions?.shutdown();
    markerChannel?.close();
    await replicas?.shutdown();
    replicas?.close();
    controller?.close();
    channel?.close();
    metadata?.close();
    await raft?.close();
    logs?.shutdown();
  };
  try {
    const quorumRef: { current?: RaftQuorum } = {};
    channel = new ControllerChannel({
      voters: topology.voters,
      bootstrap: topology.bootstrapServers,
      endpointOf: (id) => quorumRef.current?.endpoints.get(id),
      brokerId: topology.nodeId,
      brokerEpoch: () => lifecycle?.brokerEpoch ?? -1n,
      log,
    });

    let clusterId = readClusterId(config);
    if (clusterId === undefined) {
      if (isController) {
        clusterId = clusterIdForVoters(topology.voters);
        log(`No meta.properties in ${metaDirs(config).join(',')}: formatting it for cluster id ${clusterId} (derived from the voters ${topology.voters.map((v) => `${v.id}@${v.host}:${v.port}`).join(',')})`);
      } else {
        const timeoutMs = topology.style === 'zookeeper' ? config.zookeeperConnectionTimeoutMs ?? 18_000 : 60_000;
        clusterId = await learnClusterId(channel, topology, timeoutMs);
        log(`Learned cluster id ${clusterId} from the controller`);
      }
      for (const dir of metaDirs(config)) writeMetaProperties(dir, { clusterId, nodeId: topology.nodeId });
    }
    const id = clusterId;

    raft = RaftQuorum.open({
      nodeId: topology.nodeId,
      clusterId: id,
      logDir: config.metadataLogDir ?? config.logDirs[0]!,
      voters: topology.voters,
      bootstrapServers: topology.bootstrapServers,
      listenerName: topology.controllerListenerNames[0],
      electionTimeoutMs: config.controllerQuorumElectionTimeoutMs,
      fetchTimeoutMs: config.controllerQuorumFetchTimeoutMs,
      electionBackoffMaxMs: config.controllerQuorumElectionBackoffMaxMs,
      requestTimeoutMs: config.controllerQuorumRequestTimeoutMs,
      retryBackoffMs: config.controllerQuorumRetryBackoffMs,
      metadataLog: {
        maxBytesBetweenSnapshots: config.metadataLogMaxRecordBytesBetweenSnapshots,
        maxSnapshotIntervalMs: config.metadataLogMaxSnapshotIntervalMs,
        segmentBytes: config.metadataLogSegmentBytes,
      },
      logger: log,
    });
    quorumRef.current = raft;
    const quorum = raft;
    channel.setQuorum(quorum);
    if (isController) {
      // A ZooKeeper-style controller keeps a broker's session as ZooKeeper kept its ephemeral node in the
      // Kafka versions the tutorials use (zookeeper.session.timeout.ms 6000), unless the properties say otherwise.
      const zookeeperStyle = config.raw[ZOOKEEPER_CONTROLLER_KEY] === 'true' && !isKeySet(config, 'broker.session.timeout.ms');
      const controllerConfig = zookeeperStyle ? { ...config, brokerSessionTimeoutMs: ZOOKEEPER_STYLE_SESSION_TIMEOUT_MS } : config;
      controller = new QuorumController({ quorum, config: controllerConfig, clusterId: () => id, log });
      controller.start();
    }
    const localController = controller;
    const channelRef = channel;
    channelRef.setLocalController(localController);

    if (isBroker) {
      logs = new LogManager(config.logDirs, env.logDefaults(config), log);
      logs.loadLogs();
    }
    const logStore: PartitionLogStore = logs
      ? {
          createLog: (topic, partition, logConfig) => logs!.createLog(topic, partition, logConfig),
          deleteLog: (topic, partition) => {
            logs!.deleteLog(topic, partition);
          },
          getLog: (topic, partition) => logs!.getLog(topic, partition),
          allLogs: (): PartitionLog[] => logs!.allLogs(),
        }
      : NO_LOGS;
    metadata = new ClusterMetadata({
      config: { ...config, brokerId: topology.nodeId },
      logs: logStore,
      log,
      quorum,
      clusterId: () => id,
      controller: localController,
      forwarder: new ControllerForwarder(channelRef),
      kraftMessages: topology.style === 'kraft' && config.raw[ZOOKEEPER_CONTROLLER_KEY] !== 'true',
    });
    await metadata.load();
    const clusterMetadata = metadata;

    // KIP-730: blocks of producer ids from the active controller (AllocateProducerIds), requested once registered
    producerIds = new ProducerIdManager({
      allocateBlock: () => channelRef.allocateProducerIds(),
      transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
      log,
    });
    const producerIdManager = producerIds;
    replicas = new ReplicaManager(topology.nodeId, clusterMetadata, log, config.minInsyncReplicas);
    const replicaManager = replicas;
    const internalTopicLog = (topic: string, numPartitions: number) =>
      new InternalTopicLog({
        topic,
        numPartitions,
        metadata: clusterMetadata,
        replicas: replicaManager,
        ensureTopic: () => ensureInternalTopic(topic),
        appendTimeoutMs: COORDINATOR_APPEND_TIMEOUT_MS,
        log,
      });
    const ensureInternalTopic = async (topic: string): Promise<void> => {
      await clusterMetadata.ensureInternalTopic(topic);
    };
    groups = new GroupCoordinator({
      log: internalTopicLog(OFFSETS_TOPIC, config.offsetsTopicNumPartitions),
      config: groupCoordinatorConfig(config),
      logger: log,
    });
    const groupCoordinator = groups;
    const writeLocalMarker: TransactionMarkerWriter = (marker) => {
      const errorCode = replicaManager.writeTxnMarker(marker);
      if (errorCode === ErrorCode.NONE && marker.topic === OFFSETS_TOPIC) {
        groupCoordinator.completeTransaction(marker.partition, marker.producerId, marker.commit);
      }
      return errorCode;
    };
    // COMMIT/ABORT markers go to each partition's leader (WriteTxnMarkers), this broker's own in-process
    markerChannel = new TransactionMarkerChannelManager({
      brokerId: topology.nodeId,
      leaderOf: (topic, partition): MarkerDestination => {
        const state = clusterMetadata.topic(topic);
        if (state === undefined || partition < 0 || partition >= state.partitions.length) return 'gone';
        const leader = state.partitions[partition]!.leader;
        if (leader === topology.nodeId) return { nodeId: leader, host: '', port: -1 };
        const endpoint = leader < 0 ? undefined : clusterMetadata.metadataImage().brokers.get(leader)?.endpoints[0];
        return endpoint === undefined ? 'unknown' : { nodeId: leader, host: endpoint.host, port: endpoint.port };
      },
      // acks=-1: a marker counts as written once the partition's ISR has it
      writeLocal: (marker) => {
        const settle = (errorCode: number): number => {
          if (errorCode === ErrorCode.NONE && marker.topic === OFFSETS_TOPIC) groupCoordinator.completeTransaction(marker.partition, marker.producerId, marker.commit);
          return errorCode;
        };
        const written = replicaManager.writeTxnMarkerReplicated(marker, MARKER_ACK_TIMEOUT_MS);
        return written instanceof Promise ? written.then(settle) : settle(written);
      },
      log,
    });
    transactions = new TransactionCoordinator({
      log: internalTopicLog(TRANSACTION_STATE_TOPIC, config.transactionStateLogNumPartitions),
      ensureTopic: () => ensureInternalTopic(TRANSACTION_STATE_TOPIC),
      generateProducerId: () => producerIdManager.generateProducerId(),
      writeMarker: writeLocalMarker,
      markerChannel,
      offsetsPartitionFor: (groupId) => groupCoordinator.partitionFor(groupId),
      config: transactionCoordinatorConfig(config),
      logger: log,
    });
    replicas.setTransactionVerifier(transactions);

    if (isBroker) {
      replicas.startReplication({
        brokerEndpoint: (brokerId) => {
          const broker = clusterMetadata.metadataImage().brokers.get(brokerId);
          const endpoint = broker?.endpoints[0];
          return endpoint === undefined ? undefined : { host: endpoint.host, port: endpoint.port };
        },
        alterPartition: channelRef.alterPartitionSender(),
        isReplicaEligible: (brokerId) => isActiveBroker(clusterMetadata.metadataImage(), brokerId),
        replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
        replicaFetchWaitMaxMs: config.replicaFetchWaitMaxMs,
        replicaFetchMinBytes: config.replicaFetchMinBytes,
        replicaFetchMaxBytes: config.replicaFetchMaxBytes,
        replicaFetchResponseMaxBytes: config.replicaFetchResponseMaxBytes,
        replicaFetchBackoffMs: config.replicaFetchBackoffMs,
      });
      publisher = new BrokerMetadataPublisher({ brokerId: topology.nodeId, metadata: clusterMetadata, logs: logStore, replicas: replicaManager, log });
      publisher.attach();
    }
    groups.startup();
    replicas.addLeadershipListener(OFFSETS_TOPIC, groups);
    transactions.startup();
    replicas.addLeadershipListener(TRANSACTION_STATE_TOPIC, transactions);
    logs?.startBackgroundTasks({
      retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
      flushSchedulerIntervalMs: config.logFlushSchedulerIntervalMs,
      logCleaner: config.logCleanerEnable ? { backoffMs: config.logCleanerBackoffMs } : undefined,
    });
    // serve now: the other voters need this node's answers to elect a leader
    resolveReady({
      config,
      metadata: clusterMetadata,
      groups,
      producerIds: producerIdManager,
      transactions,
      data: replicas,
      fetchSessions: new FetchSessionCache({ maxSlots: config.maxIncrementalFetchSessionCacheSlots }),
      apiVersions: advertisedApis(handlers),
      security: clusterMetadata,
      authorizer: authorizerFor(() => clusterMetadata.securityImage().acls.values()),
      quorum: quorum.service,
      controller: localController,
      log,
    });

    if (isBroker) {
      lifecycle = new BrokerLifecycleManager({
        brokerId: topology.nodeId,
        channel: channelRef,
        quorum,
        clusterId: () => id,
        listeners: config.advertisedListeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: securityProtocolId(config, l.name) })),
        rack: config.brokerRack,
        heartbeatIntervalMs: config.brokerHeartbeatIntervalMs ?? 2000,
        connectTimeoutMs: topology.style === 'zookeeper' ? config.zookeeperConnectionTimeoutMs ?? 18_000 : null,
        duplicateRetryMs: 2 * (config.brokerSessionTimeoutMs ?? 9000),
        log,
      });
      try {
        await lifecycle.start();
      } catch (err) {
        const message = (err as Error).message;
        throw new Error(/Timed out waiting for connection/.test(message) ? `${message}; ${startControllerHint(topology)}` : message);
      }
      void producerIdManager.start();
      const unfenced = await Promise.race([
        lifecycle.whenUnfenced().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), UNFENCE_WAIT_MS).unref()),
      ]);
      if (!unfenced) log(`WARN [BrokerServer id=${topology.nodeId}] Still fenced by the controller after ${UNFENCE_WAIT_MS} ms; serving anyway`);
      // unfenced = caught up with the metadata: logs of topics deleted (or moved away) while this broker was down go
      if (unfenced && logs !== undefined && publisher !== undefined) await publisher.removeStrayLogs(logs.allLogs());
    }
  } catch (err) {
    await shutdown().catch(() => undefined);
    throw err;
  }

  const firstAdvertised = config.advertisedListeners[0] ?? config.listeners[0];
  let closing: Promise<void> | null = null;
  return {
    config,
    port: bound[0]!.port,
    host: firstAdvertised?.host ?? 'localhost',
    close() {
      closing ??= (async () => {
        // controlled shutdown first: the controller moves leadership away while we still serve
        if (lifecycle !== undefined) await lifecycle.controlledShutdown(5_000).catch(() => false);
        await shutdown();
      })();
      return closing;
    },
  };
}
