/**
 * Which quorum a node belongs to and what it does in it, read from its properties.
 * Three ways to configure a node, all ending in one `QuorumTopology`:
 *
 * - embedded (no process.roles, no zookeeper.connect): today's single broker with its
 *   own controller, the only voter;
 * - KRaft (process.roles, node.id, controller.quorum.voters / .bootstrap.servers,
 *   controller.listener.names), validated as Kafka 3.x's KafkaConfig.validateValues does,
 *   with its wording;
 * - ZooKeeper style: brokers with `zookeeper.connect` are broker-only nodes bootstrapping
 *   from those hosts, and `zookeeper-server-start zookeeper.properties` runs a
 *   controller-only node of this toolkit (not Apache ZooKeeper) on `clientPort`, its
 *   voters from the `server.N=host:peer:election` lines and the `myid` file in dataDir.
 *
 * Pure parsing: nothing here binds or starts anything (src/index.ts does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { brokerConfig, type BrokerConfig, type Endpoint } from '../broker/config.js';
import { brokerKeyDef, BrokerValueError, parseBrokerValue } from '../broker/config-keys.js';

export type ProcessRole = 'broker' | 'controller';

export interface QuorumEndpoint {
  host: string;
  port: number;
}

export interface QuorumVoter extends QuorumEndpoint {
  id: number;
}

export interface QuorumTopology {
  /** default (no zookeeper.connect, no process.roles): both, single voter */
  roles: ReadonlySet<ProcessRole>;
  /** node.id / broker.id; ZooKeeper-style controller: 3000 + myid (standalone: 3000) */
  nodeId: number;
  /** controller.quorum.voters, or the server.N lines (port = clientPort), or this node alone */
  voters: readonly QuorumVoter[];
  /**
   * controller.quorum.bootstrap.servers, or the zookeeper.connect hosts (chroot dropped);
   * when neither is set, the voters' addresses (where a broker finds the quorum)
   */
  bootstrapServers: readonly QuorumEndpoint[];
  /** controller.listener.names (ZooKeeper-style controller: its clientPort listener) */
  controllerListenerNames: readonly string[];
  style: 'embedded' | 'kraft' | 'zookeeper';
}

/** A configuration the node cannot start with: one line naming the key, its value and the fix. */
export class NodeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeConfigError';
  }
}

/** Node id of a ZooKeeper-style controller: 3000 + myid, far from the broker ids tutorials use (0…, 102…). */
export const ZOOKEEPER_NODE_ID_BASE = 3000;

/** Set in a ZooKeeper-style controller's properties (zookeeper-server-start): its answers use ZooKeeper-mode Kafka's texts. */
export const ZOOKEEPER_CONTROLLER_KEY = 'kafka-ts.zookeeper.controller';

/** Name of the listener a ZooKeeper-style controller serves on clientPort. */
export const ZOOKEEPER_LISTENER_NAME = 'CONTROLLER';

export interface TopologyOptions {
  /** where the properties came from, for error lines */
  file?: string;
  /** INFO lines (an ignored chroot, an ignored zookeeper.connect) */
  log?: (line: string) => void;
}

/**
 * A table key's text as written, checked by the key's type first (the broker config table
 * is the one place keys are defined); undefined when not set.
 */
function setting(raw: Readonly<Record<string, string>>, name: string, checkType = true): string | undefined {
  const def = brokerKeyDef(name);
  if (!def) throw new Error(`${name} is not in the broker config table`);
  const text = raw[name];
  if (text === undefined) return undefined;
  if (!checkType) return text.trim();
  try {
    parseBrokerValue(def, text);
  } catch (err) {
    if (err instanceof BrokerValueError) throw new NodeConfigError(`Invalid value ${JSON.stringify(text)} for configuration ${name}: ${err.message}`);
    throw err;
  }
  return text.trim();
}

function where(options: TopologyOptions): string {
  return options.file ? ` in ${options.file}` : '';
}

function listOf(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `host:port` with IPv6 in brackets; undefined when it does not parse (Kafka's Utils.getHost/getPort). */
export function parseHostPort(text: string): QuorumEndpoint | undefined {
  const match = /^(\[[^\]]*\]|[^:\s]*):(\d+)$/.exec(text.trim()) ?? /^([^\s]*:[^\s]*):(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const host = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
  const port = Number(match[2]);
  if (host === '' || port > 65535) return undefined;
  return { host, port };
}

/** controller.quorum.voters (`id@host:port,…`) with QuorumConfig's error texts. */
export function parseQuorumVoters(raw: string | undefined): QuorumVoter[] {
  const voters: QuorumVoter[] = [];
  for (const entry of listOf(raw)) {
    const parts = entry.split('@');
    if (parts.length !== 2) {
      throw new NodeConfigError('Invalid configuration value for controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`.');
    }
    if (!/^[+-]?\d+$/.test(parts[0].trim())) throw new NodeConfigError(`Failed to parse voter ID as an integer from ${parts[0]}`);
    const id = Number(parts[0].trim());
    const address = parseHostPort(parts[1]);
    if (!address) {
      const what = /:\d+$/.test(parts[1].trim()) ? 'host name' : 'host port';
      throw new NodeConfigError(`Failed to parse ${what} from entry ${entry} for the configuration controller.quorum.voters. Each entry should be in the form \`{id}@{host}:{port}\`.`);
    }
    if (address.host === '0.0.0.0') throw new NodeConfigError(`Host string (${address.host}) is not routeable`);
    if (voters.some((v) => v.id === id)) throw new NodeConfigError(`Voter id ${id} appears twice in controller.quorum.voters=${raw?.trim()}; each controller needs its own id`);
    voters.push({ id, ...address });
  }
  return voters;
}

/** controller.quorum.bootstrap.servers (`host:port,…`). */
export function parseQuorumBootstrapServers(raw: string | undefined): QuorumEndpoint[] {
  return listOf(raw).map((entry) => {
    const address = parseHostPort(entry);
    if (!address) {
      const what = /:\d+$/.test(entry) ? 'host name' : 'host port';
      throw new NodeConfigError(`Failed to parse ${what} from ${entry} for the configuration controller.quorum.bootstrap.servers. Each entry should be in the form "{host}:{port}"`);
    }
    return address;
  });
}

export interface ZooKeeperConnect {
  hosts: QuorumEndpoint[];
  /** the `/chroot` suffix, when given */
  chroot?: string;
}

/** zookeeper.connect: `h1:2181,h2:2181/chroot` (a host without a port means 2181, as ZooKeeper's client reads it). */
export function parseZooKeeperConnect(raw: string): ZooKeeperConnect {
  let text = raw.trim();
  let chroot: string | undefined;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    chroot = text.slice(slash);
    text = text.slice(0, slash);
    if (chroot === '/') chroot = undefined;
  }
  const hosts: QuorumEndpoint[] = [];
  for (const item of listOf(text)) {
    const address = /:\d+$/.test(item) || item.startsWith('[') ? parseHostPort(item) : { host: item, port: 2181 };
    if (!address || address.host === '') {
      throw new NodeConfigError(`Invalid zookeeper.connect=${raw.trim()}: cannot read "${item}" as host:port (e.g. zookeeper.connect=localhost:2181)`);
    }
    hosts.push(address);
  }
  if (hosts.length === 0) throw new NodeConfigError(`Invalid zookeeper.connect=${raw.trim()}: no host given (e.g. zookeeper.connect=localhost:2181)`);
  return { hosts, chroot };
}

/** process.roles with KafkaConfig's error texts; empty when not set. */
export function parseProcessRoles(raw: string | undefined): Set<ProcessRole> {
  const items = listOf(raw);
  const roles = new Set<ProcessRole>();
  for (const role of items) {
    if (role !== 'broker' && role !== 'controller') {
      throw new NodeConfigError(`Unknown process role '${role}' (only 'broker' and 'controller' are allowed roles)`);
    }
    roles.add(role);
  }
  if (roles.size !== items.length) throw new NodeConfigError(`Duplicate role names found in \`process.roles\`: ${items.join(', ')}`);
  return roles;
}

/** One entry of `listeners` as written (controller listeners included, which BrokerConfig.listeners leaves out). */
export function parseListenerList(raw: string | undefined): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const item of listOf(raw)) {
    const match = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(item);
    if (!match) continue; // server-properties.ts reports malformed listeners with its own words
    const host = match[2].startsWith('[') ? match[2].slice(1, -1) : match[2];
    endpoints.push({ name: match[1].toUpperCase(), host, port: Number(match[3]) });
  }
  return endpoints;
}

/** controller.quorum.voters as written (empty when unset), without the self-voter quorumTopology adds. */
export function configuredVoters(raw: Readonly<Record<string, string>>): QuorumVoter[] {
  return parseQuorumVoters(setting(raw, 'controller.quorum.voters'));
}

/** The listeners named in controller.listener.names, as the node binds them (KRaft controllers). */
export function controllerEndpoints(raw: Record<string, string>): Endpoint[] {
  const names = new Set(listOf(setting(raw, 'controller.listener.names')).map((n) => n.toUpperCase()));
  return parseListenerList(setting(raw, 'listeners')).filter((l) => names.has(l.name));
}

function setToText(ids: readonly number[]): string {
  return `Set(${ids.join(', ')})`;
}

function selfVoter(nodeId: number, endpoint: Endpoint | undefined): QuorumVoter {
  const host = endpoint === undefined || endpoint.host === '' || endpoint.host === '0.0.0.0' || endpoint.host === '::' ? 'localhost' : endpoint.host;
  return { id: nodeId, host, port: endpoint?.port ?? 9092 };
}

/**
 * The topology of a broker or KRaft node from its server.properties (as parsed into a
 * BrokerConfig: `raw` holds every key as written). Throws NodeConfigError with Kafka's
 * wording for a configuration Kafka would refuse.
 */
export function quorumTopology(config: Pick<BrokerConfig, 'raw' | 'brokerId' | 'listeners' | 'advertisedListeners'>, options: TopologyOptions = {}): QuorumTopology {
  const raw = config.raw;
  const roles = parseProcessRoles(setting(raw, 'process.roles', false)) // Kafka's own words for a bad role;
  const zkConnect = setting(raw, 'zookeeper.connect');

  if (roles.size === 0) {
    if (zkConnect) {
      const connect = parseZooKeeperConnect(zkConnect);
      if (connect.chroot) {
        options.log?.(`zookeeper.connect chroot ${connect.chroot} is accepted and ignored: the controller at ${connect.hosts.map(formatHostPort).join(',')} keeps one cluster's metadata, not a ZooKeeper tree`);
      }
      return { roles: new Set(['broker']), nodeId: config.brokerId, voters: [], bootstrapServers: connect.hosts, controllerListenerNames: [], style: 'zookeeper' };
    }
    const self = selfVoter(config.brokerId, config.advertisedListeners[0] ?? config.listeners[0]);
    return { roles: new Set(['broker', 'controller']), nodeId: config.brokerId, voters: [self], bootstrapServers: [], controllerListenerNames: [], style: 'embedded' };
  }

  // KRaft: KafkaConfig.validateValues
  const nodeIdRaw = setting(raw, 'node.id') ?? setting(raw, 'broker.id');
  const nodeId = nodeIdRaw === undefined || !/^[+-]?\d+$/.test(nodeIdRaw.trim()) ? -1 : Number(nodeIdRaw.trim());
  if (nodeId < 0) {
    throw new NodeConfigError(`Missing configuration \`node.id\` which is required when \`process.roles\` is defined (i.e. when running in KRaft mode)${where(options)}; add node.id=1 (a number unique in the cluster)`);
  }
  if (zkConnect) options.log?.(`zookeeper.connect=${zkConnect} is ignored: process.roles=${[...roles].join(',')} makes this a KRaft node`);
  const voters = parseQuorumVoters(setting(raw, 'controller.quorum.voters'));
  const bootstrap = parseQuorumBootstrapServers(setting(raw, 'controller.quorum.bootstrap.servers'));
  const rolesText = [...roles].join(',');
  if (voters.length === 0 && bootstrap.length === 0) {
    throw new NodeConfigError(`If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers (process.roles=${rolesText}${where(options)}; e.g. controller.quorum.voters=${nodeId}@localhost:9093)`);
  }
  const controllerNames = listOf(setting(raw, 'controller.listener.names')).map((n) => n.toUpperCase());
  const listeners = parseListenerList(setting(raw, 'listeners'));
  const voterIds = voters.map((v) => v.id);
  if (roles.has('controller')) {
    if (voters.length > 0 && !voterIds.includes(nodeId)) {
      throw new NodeConfigError(`If process.roles contains the 'controller' role, the node id ${nodeId} must be included in the set of voters controller.quorum.voters=${setToText(voterIds)}`);
    }
    const controllerListeners = listeners.filter((l) => controllerNames.includes(l.name));
    if (controllerListeners.length === 0) {
      throw new NodeConfigError(`controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role (controller.listener.names=${setting(raw, 'controller.listener.names')?.trim() ?? ''}, listeners=${setting(raw, 'listeners')?.trim() ?? ''}; e.g. listeners=PLAINTEXT://:9092,CONTROLLER://:9093 with controller.listener.names=CONTROLLER)`);
    }
    if (!controllerNames.every((n) => listeners.some((l) => l.name === n))) {
      throw new NodeConfigError(`controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role (controller.listener.names=${setting(raw, 'controller.listener.names')?.trim() ?? ''}, listeners=${setting(raw, 'listeners')?.trim() ?? ''})`);
    }
    if (!roles.has('broker') && controllerListeners.length !== listeners.length) {
      throw new NodeConfigError(`The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller (listeners=${setting(raw, 'listeners')?.trim() ?? ''})`);
    }
  } else {
    if (voterIds.includes(nodeId)) {
      throw new NodeConfigError(`If process.roles contains just the 'broker' role, the node id ${nodeId} must not be included in the set of voters controller.quorum.voters=${setToText(voterIds)}`);
    }
    if (controllerNames.length === 0) {
      throw new NodeConfigError(`controller.listener.names must contain at least one value when running KRaft with just the broker role${where(options)}; add controller.listener.names=CONTROLLER`);
    }
    if (listeners.some((l) => controllerNames.includes(l.name))) {
      throw new NodeConfigError(`controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role (listeners=${setting(raw, 'listeners')?.trim() ?? ''})`);
    }
  }
  // a controller started from only bootstrap servers (kafka-storage format --standalone) votes alone
  const effectiveVoters = voters.length > 0
    ? voters
    : roles.has('controller')
      ? [selfVoter(nodeId, listeners.find((l) => controllerNames.includes(l.name)))]
      : [];
  return {
    roles,
    nodeId,
    voters: effectiveVoters,
    bootstrapServers: bootstrap.length > 0 ? bootstrap : voters.map(({ host, port }) => ({ host, port })),
    controllerListenerNames: controllerNames,
    style: 'kraft',
  };
}

function formatHostPort(endpoint: QuorumEndpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** A ZooKeeper-style controller node: what `zookeeper-server-start zookeeper.properties` runs. */
export interface ZooKeeperNodeConfig {
  topology: QuorumTopology;
  /** clientPortAddress:clientPort ('' host = every address; an ensemble member without clientPortAddress binds its server.N host) */
  listener: Endpoint;
  /** dataDir: the node's metadata log lives here */
  dataDir: string;
  /** myid read from dataDir (undefined when standalone without a myid file) */
  myid?: number;
  /** a BrokerConfig for the composition root: the clientPort listener, dataDir as log and metadata dir */
  brokerConfig: BrokerConfig;
}

export interface ZooKeeperOptions extends TopologyOptions {
  /** reads `<dataDir>/myid`; undefined when the file is absent (tests pass their own) */
  readMyid?: (dataDir: string) => string | undefined;
}

function readMyidFile(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dataDir, 'myid'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NodeConfigError(`Cannot read ${path.join(dataDir, 'myid')}: ${(err as Error).message}`);
  }
}

/**
 * zookeeper.properties → a controller-only node. Keys as ZooKeeper's QuorumPeerConfig reads
 * them (dataDir, clientPort, clientPortAddress, server.N=host:peer:election[;clientPort],
 * myid in dataDir); tickTime, initLimit, syncLimit, maxClientCnxns, admin.* are accepted
 * and have no effect. Errors use QuorumPeerConfig's words.
 */
export function zookeeperNodeConfig(props: Record<string, string>, options: ZooKeeperOptions = {}): ZooKeeperNodeConfig {
  const at = where(options);
  const dataDirRaw = props.dataDir?.trim();
  if (!dataDirRaw) throw new NodeConfigError(`dataDir is not set${at}; add dataDir=/tmp/zookeeper`);
  const dataDir = path.resolve(dataDirRaw);
  const portRaw = props.clientPort?.trim();
  let clientPort: number | undefined;
  if (portRaw !== undefined && portRaw !== '') {
    if (!/^\d+$/.test(portRaw) || Number(portRaw) > 65535) throw new NodeConfigError(`Invalid clientPort=${portRaw}${at}: expected a port number such as 2181`);
    clientPort = Number(portRaw);
  }
  const clientPortAddress = props.clientPortAddress?.trim() ?? '';

  // server.N=host:peerPort:electionPort[:participant|observer][;[clientAddress:]clientPort]
  const servers: Array<{ sid: number; host: string; clientPort?: number }> = [];
  for (const [key, value] of Object.entries(props)) {
    const m = /^server\.(\d+)$/.exec(key.trim());
    if (!m) continue;
    const sid = Number(m[1]);
    const [addressPart, clientPart] = value.trim().split(';');
    const fields = addressPart.trim().split(':');
    if (fields.length < 2 || fields[0] === '') {
      throw new NodeConfigError(`${key}=${value.trim()} does not have the form host:port or host:port:port${at} (e.g. ${key}=hadoop01:2888:3888)`);
    }
    if (fields[2] === 'observer' || fields[3] === 'observer') {
      throw new NodeConfigError(`${key}=${value.trim()}: observers are not supported by this toolkit's controller${at}; list only voting servers`);
    }
    let serverClientPort: number | undefined;
    if (clientPart !== undefined && clientPart.trim() !== '') {
      const portText = clientPart.trim().split(':').pop() ?? '';
      if (!/^\d+$/.test(portText)) throw new NodeConfigError(`${key}=${value.trim()}: cannot read the client port after ';'${at}`);
      serverClientPort = Number(portText);
    }
    servers.push({ sid, host: fields[0], clientPort: serverClientPort });
  }
  servers.sort((a, b) => a.sid - b.sid);

  let myid: number | undefined;
  const myidText = (options.readMyid ?? readMyidFile)(dataDir);
  if (myidText !== undefined) {
    const trimmed = myidText.trim();
    if (!/^\d+$/.test(trimmed)) throw new NodeConfigError(`serverid ${trimmed} is not a number (${path.join(dataDir, 'myid')} must hold this server's N from its server.N line)`);
    myid = Number(trimmed);
  }
  let nodeId = ZOOKEEPER_NODE_ID_BASE;
  let voters: QuorumVoter[];
  if (servers.length > 0) {
    if (myid === undefined) {
      throw new NodeConfigError(`${path.join(dataDir, 'myid')} file is missing; write this server's N from its server.N line into it (e.g. echo 1 > ${path.join(dataDir, 'myid')})`);
    }
    const self = servers.find((s) => s.sid === myid);
    if (!self) throw new NodeConfigError(`My id ${myid} not in the peer list (${servers.map((s) => `server.${s.sid}`).join(', ')}${at}); fix ${path.join(dataDir, 'myid')} or add a server.${myid} line`);
    nodeId = ZOOKEEPER_NODE_ID_BASE + myid;
    clientPort ??= self.clientPort;
    const port = clientPort;
    if (port === undefined) throw new NodeConfigError(`clientPort is not set${at}; add clientPort=2181`);
    clientPort = port;
    voters = servers.map((s) => ({ id: ZOOKEEPER_NODE_ID_BASE + s.sid, host: s.host, port: s.clientPort ?? port }));
  } else {
    if (clientPort === undefined) throw new NodeConfigError(`clientPort is not set${at}; add clientPort=2181`);
    const host = clientPortAddress === '' || clientPortAddress === '0.0.0.0' ? 'localhost' : clientPortAddress;
    voters = [{ id: nodeId, host, port: clientPort }];
  }
  const listenPort: number = clientPort ?? 2181; // set on every path above
  // ZooKeeper binds every address; a member of an ensemble binds its own server.N address instead
  // (without clientPortAddress), so three members can share one machine on loopback aliases.
  const bindHost = clientPortAddress !== '' ? clientPortAddress : servers.length > 0 ? (voters.find((v) => v.id === nodeId)?.host ?? '') : '';
  const listener: Endpoint = { name: ZOOKEEPER_LISTENER_NAME, host: bindHost, port: listenPort };
  const topology: QuorumTopology = {
    roles: new Set(['controller']),
    nodeId,
    voters,
    bootstrapServers: voters.map(({ host, port }) => ({ host, port })),
    controllerListenerNames: [ZOOKEEPER_LISTENER_NAME],
    style: 'zookeeper',
  };
  const raw: Record<string, string> = {
    'process.roles': 'controller',
    'node.id': String(nodeId),
    'controller.quorum.voters': voters.map((v) => `${v.id}@${formatHostPort(v)}`).join(','),
    'controller.listener.names': ZOOKEEPER_LISTENER_NAME,
    listeners: `${ZOOKEEPER_LISTENER_NAME}://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${listenPort}`,
    'log.dirs': dataDir,
    'metadata.log.dir': dataDir,
    // tells the composition this KRaft controller stands in for ZooKeeper (ZooKeeper-mode error texts, e.g. InvalidReplicationFactor)
    [ZOOKEEPER_CONTROLLER_KEY]: 'true',
  };
  const advertisedHost = voters.find((v) => v.id === nodeId)?.host ?? 'localhost';
  const config = brokerConfig({
    brokerId: nodeId,
    listeners: [listener],
    advertisedListeners: [{ ...listener, host: advertisedHost }],
    logDirs: [dataDir],
    metadataLogDir: dataDir,
    raw,
  });
  return { topology, listener, dataDir, myid, brokerConfig: config };
}
