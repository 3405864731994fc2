/**
 * A distributed Connect worker (Kafka's ConnectDistributed): creates the three
 * internal topics if they are missing (compacted, with the *.replication.factor and
 * *.partitions settings), reads them to the end, joins the worker group and serves
 * REST. Workers with the same group.id share connectors and tasks; when one dies, the
 * group's rebalance hands its work to the others.
 */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { NetworkClient } from '../../network/index.js';
import { converterFor } from '../converters.js';
import { ConnectConfigError } from '../errors.js';
import { createWorkerClients, securityProps, type SecurityReader } from '../kafka-clients.js';
import { CATEGORY, type ConnectLog } from '../log.js';
import { RestServer } from '../rest.js';
import { Worker } from '../worker.js';
import { advertisedUrl, workerConfig, workerId, type WorkerConfig } from '../worker-config.js';
import { DistributedHerder } from './distributed-herder.js';
import { KafkaLog } from './kafka-log.js';
import { ConfigStore, KafkaOffsetStore, StatusStore } from './stores.js';
import { WorkerGroup } from './worker-group.js';

export interface RunningDistributed {
  restPort: number;
  herder: DistributedHerder;
  stop(): Promise<void>;
}

async function ensureTopic(admin: Admin, topic: string, partitions: number, replicationFactor: number, key: string, log: ConnectLog): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
    log.log('INFO', `Created topic (name=${topic}, numPartitions=${partitions}, replicationFactor=${replicationFactor}, replicasAssignments=null, configs={cleanup.policy=compact}) on brokers`, 'org.apache.kafka.connect.util.TopicAdmin');
  } catch (err) {
    const type = (err as { type?: string; errors?: Array<{ type?: string }> }).errors?.[0]?.type ?? (err as { type?: string }).type;
    if (type === 'TOPIC_ALREADY_EXISTS') return;
    if (type === 'INVALID_REPLICATION_FACTOR') {
      throw new ConnectConfigError(`Cannot create ${topic} with ${key}=${replicationFactor}: the cluster has fewer brokers; set ${key} to at most the number of brokers`);
    }
    throw new ConnectConfigError(`Cannot create the internal topic ${topic}: ${(err as Error).message}`);
  }
}

function endpoints(config: WorkerConfig): Array<{ host: string; port: number }> {
  return config.bootstrapServers.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(entry);
    if (!match) throw new ConnectConfigError(`Invalid value ${entry} for configuration bootstrap.servers: give host:port pairs`);
    return { host: match[1] ?? match[2] ?? 'localhost', port: Number(match[3]) };
  });
}

/** `readSecurity` reads the worker's security.protocol / ssl.* / sasl.* keys (the CLI's reader). */
export async function startDistributed(workerProps: Record<string, string>, log: ConnectLog, readSecurity: SecurityReader): Promise<RunningDistributed> {
  const began = Date.now();
  log.log('INFO', 'Kafka Connect distributed worker initializing ...', CATEGORY.distributedCli);
  const config = workerConfig(workerProps, 'distributed');
  converterFor(workerProps, 'key.converter');
  converterFor(workerProps, 'value.converter');
  const groupId = config.groupId as string;

  const kafka = createWorkerClients(config.bootstrapServers, `connect-${groupId}`, log, workerProps, readSecurity);
  // the internal topics and the worker group use the worker's own (unprefixed) security, as in Kafka
  const workerSecurity = readSecurity(securityProps(workerProps)).network;
  const admin = kafka.worker.admin();
  await admin.connect();
  let clusterId: string;
  try {
    clusterId = (await admin.describeCluster()).clusterId;
    log.log('INFO', `Kafka cluster ID: ${clusterId}`, CATEGORY.utils);
    await ensureTopic(admin, config.configTopic, 1, config.configReplicationFactor, 'config.storage.replication.factor', log);
    await ensureTopic(admin, config.offsetTopic, config.offsetPartitions, config.offsetReplicationFactor, 'offset.storage.replication.factor', log);
    await ensureTopic(admin, config.statusTopic, config.statusPartitions, config.statusReplicationFactor, 'status.storage.replication.factor', log);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  const producer = kafka.worker.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 1 });
  await producer.connect();
  // One connection set per reader and one for the group: requests on a connection are answered in order, so a
  // long-polling Fetch must never hold up a Heartbeat or JoinGroup (Java Connect, too, gives each its own client).
  const newClient = (): NetworkClient => new NetworkClient({ clientId: `connect-${groupId}`, bootstrap: endpoints(config), ...workerSecurity });
  const clients = [newClient(), newClient(), newClient(), newClient()];
  const [client, configClient, statusClient, offsetClient] = clients as [NetworkClient, NetworkClient, NetworkClient, NetworkClient];
  const configs = new ConfigStore(producer, config.configTopic);
  const statuses = new StatusStore(producer, config.statusTopic);
  const offsets = new KafkaOffsetStore(producer, config.offsetTopic);
  const configLog = new KafkaLog(configClient, config.configTopic, (k, v, p, o) => configs.apply(k, v, p, o));
  const statusLog = new KafkaLog(statusClient, config.statusTopic, (k, v) => statuses.apply(k, v));
  const offsetLog = new KafkaLog(offsetClient, config.offsetTopic, (k, v) => offsets.apply(k, v));
  await Promise.all([configLog.start(), statusLog.start(), offsetLog.start()]);

  let herder: DistributedHerder | undefined;
  const rest = new RestServer(() => herder);
  let port: number;
  try {
    port = await rest.listen(config.listener.host, config.listener.port);
  } catch (err) {
    const where = `${config.listener.host || '0.0.0.0'}:${config.listener.port}`;
    throw new ConnectConfigError((err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `The REST port ${where} is in use (another Connect worker?): give this worker its own listeners=http://:<port>`
      : `Cannot listen on ${where} for the REST API: ${(err as Error).message}`);
  }
  if (config.advertisedPort === 0) config.advertisedPort = port;
  const url = advertisedUrl(config);
  log.log('INFO', `REST server listening at http://${config.listener.host || '0.0.0.0'}:${port}/, advertising URL ${url}`, CATEGORY.rest);

  const worker = new Worker({
    kafka, workerProps, offsetStore: offsets, offsetFlushIntervalMs: config.offsetFlushIntervalMs, log,
    onStatus: (id, status) => herder?.onTaskStatus(id, status),
    sinkSessionTimeoutMs: config.sessionTimeoutMs,
  });
  worker.start();
  const distributed = new DistributedHerder(worker, configs, statuses, configLog, offsetLog, workerId(config), clusterId, log, offsets);
  const clientId = `connect-${randomUUID().slice(0, 8)}`;
  const group = new WorkerGroup({
    client, groupId, clientId, url,
    sessionTimeoutMs: config.sessionTimeoutMs,
    rebalanceTimeoutMs: Number(workerProps['rebalance.timeout.ms'] ?? 60000),
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    log,
    configOffset: () => configs.position - 1n,
    assign: (members, self) => distributed.assign(members, self),
    revoke: () => distributed.revoke(),
    assigned: (assignment, generation) => distributed.assigned(assignment, generation),
  });
  distributed.group = group;
  herder = distributed;
  log.log('INFO', `Kafka Connect distributed worker initialization took ${Date.now() - began}ms`, CATEGORY.distributedCli);
  log.log('INFO', 'Kafka Connect starting', CATEGORY.connect);
  group.start();
  log.log('INFO', 'Herder started', CATEGORY.distributedHerder);
  log.log('INFO', 'Kafka Connect started', CATEGORY.connect);

  let stopped = false;
  return {
    restPort: port,
    herder: distributed,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      log.log('INFO', 'Kafka Connect stopping', CATEGORY.connect);
      log.log('INFO', 'Stopping REST server', CATEGORY.rest);
      await rest.close();
      log.log('INFO', 'REST server stopped', CATEGORY.rest);
      log.log('INFO', 'Herder stopping', CATEGORY.distributedHerder);
      await group.stop();
      await worker.stop();
      await Promise.all([configLog.stop(), statusLog.stop(), offsetLog.stop()]);
      await producer.disconnect().catch(() => undefined);
      for (const c of clients) c.close();
      log.log('INFO', 'Herder stopped', CATEGORY.distributedHerder);
      log.log('INFO', 'Kafka Connect stopped', CATEGORY.connect);
    },
  };
}
