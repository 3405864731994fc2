/**
 * A standalone Connect worker (Kafka's ConnectStandalone): one process, connectors
 * from properties files (and REST), source offsets in offset.storage.file.filename.
 * Start-up and shutdown log the lines Kafka Connect logs at those points.
 */
import { converterFor } from './converters.js';
import { ConnectConfigError, ConnectRestError } from './errors.js';
import { inJavaHashMapOrder } from './java-hash-order.js';
import { createWorkerClients, type SecurityReader } from './kafka-clients.js';
import { CATEGORY, type ConnectLog } from './log.js';
import { FileOffsetStore } from './offsets.js';
import { RestServer } from './rest.js';
import { StandaloneHerder } from './standalone-herder.js';
import { Worker } from './worker.js';
import { advertisedUrl, workerConfig, workerId } from './worker-config.js';

export interface ConnectorFile {
  /** where the config came from, for error messages */
  file: string;
  config: Record<string, string>;
}

export interface RunningConnect {
  restPort: number;
  herder: StandaloneHerder;
  stop(): Promise<void>;
}

/** `readSecurity` reads the worker's security.protocol / ssl.* / sasl.* keys (the CLI's reader). */
export async function startStandalone(workerProps: Record<string, string>, connectors: readonly ConnectorFile[], log: ConnectLog, readSecurity: SecurityReader): Promise<RunningConnect> {
  const began = Date.now();
  log.log('INFO', 'Kafka Connect standalone worker initializing ...', CATEGORY.standalone);
  const config = workerConfig(workerProps, 'standalone');
  converterFor(workerProps, 'key.converter');
  converterFor(workerProps, 'value.converter');
  for (const c of connectors) {
    if (!c.config.name) throw new ConnectConfigError(`Connector properties file ${c.file} has no "name": add a line like name=my-connector`);
  }
  if (workerProps['plugin.path']) log.log('INFO', `plugin.path is ignored: the connectors built in (FileStreamSource, FileStreamSink) are the only plugins`, CATEGORY.standalone);

  const clients = createWorkerClients(config.bootstrapServers, 'connect-standalone', log, workerProps, readSecurity);
  const admin = clients.worker.admin();
  await admin.connect();
  let clusterId: string;
  try {
    clusterId = (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  log.log('INFO', `Kafka cluster ID: ${clusterId}`, CATEGORY.utils);

  const offsetStore = new FileOffsetStore(config.offsetFile as string);
  await offsetStore.start();

  let herder: StandaloneHerder | undefined;
  const rest = new RestServer(() => herder);
  let port: number;
  try {
    port = await rest.listen(config.listener.host, config.listener.port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${config.listener.host || '0.0.0.0'}:${config.listener.port}`;
    throw new ConnectConfigError(code === 'EADDRINUSE'
      ? `The REST port ${where} is in use (another Connect worker?): set listeners=http://:<port> in the worker properties`
      : `Cannot listen on ${where} for the REST API: ${(err as Error).message}`);
  }
  if (config.listener.port === 0) config.listener.port = port;
  if (config.advertisedPort === 0) config.advertisedPort = port;
  const url = advertisedUrl(config);
  log.log('INFO', `REST server listening at http://${config.listener.host || '0.0.0.0'}:${port}/, advertising URL ${url}`, CATEGORY.rest);

  const worker = new Worker({ kafka: clients, workerProps, offsetStore, offsetFlushIntervalMs: config.offsetFlushIntervalMs, log });
  log.log('INFO', `Kafka Connect standalone worker initialization took ${Date.now() - began}ms`, CATEGORY.standalone);
  log.log('INFO', 'Kafka Connect starting', CATEGORY.connect);
  worker.start();
  const standalone = new StandaloneHerder(worker, workerId(config), clusterId, log, offsetStore, (name) => worker.sinkOffsets(name));
  log.log('INFO', 'Herder started', CATEGORY.standaloneHerder);
  log.log('INFO', 'Kafka Connect started', CATEGORY.connect);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    log.log('INFO', 'Kafka Connect stopping', CATEGORY.connect);
    log.log('INFO', 'Stopping REST server', CATEGORY.rest);
    await rest.close();
    log.log('INFO', 'REST server stopped', CATEGORY.rest);
    log.log('INFO', 'Herder stopping', CATEGORY.standaloneHerder);
    await standalone.stop();
    await worker.stop();
    await offsetStore.stop();
    log.log('INFO', 'Herder stopped', CATEGORY.standaloneHerder);
    log.log('INFO', 'Kafka Connect stopped', CATEGORY.connect);
  };

  herder = standalone;
  for (const c of connectors) {
    try {
      // Read from a properties file, Kafka holds the config in a HashMap: REST lists it in that order.
      await standalone.putConnectorConfig(c.config.name, inJavaHashMapOrder(c.config), false);
    } catch (err) {
      await stop();
      const reason = err instanceof ConnectRestError || err instanceof ConnectConfigError ? err.message : String(err);
      throw new ConnectConfigError(`Failed to create connector ${c.config.name} from ${c.file}: ${reason.replace(/\n/g, ' ')}`);
    }
    log.log('INFO', `Created connector ${c.config.name}`, CATEGORY.standalone);
  }
  return { restPort: port, herder: standalone, stop };
}
