/**
 * zookeeper-server-start [-daemon] zookeeper.properties: runs this toolkit's controller
 * node — the metadata quorum, speaking the Kafka protocol, NOT Apache ZooKeeper — on
 * `clientPort`, so tutorials that start "ZooKeeper" and then brokers with
 * zookeeper.connect=localhost:2181 get one cluster. `server.N=host:peer:election` lines
 * plus the `myid` file in dataDir make an ensemble of voters (node ids 3000+N).
 *
 * The node starts through the same path as kafka-server-start (a process.roles=controller
 * node, -daemon, log lines, SIGTERM shutdown); only its pid file lives apart, so
 * kafka-server-stop leaves it running and zookeeper-server-stop finds it.
 */
import { NodeConfigError, zookeeperNodeConfig, type ZooKeeperNodeConfig } from '../../cluster/node-config.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { readPropertiesFile } from '../config-files.js';
import { CliError } from '../errors.js';
import type { CommandSpec } from '../options.js';
import { zookeeperRunDir } from '../pid-files.js';
import { BROKER_MAIN_CLASS, command as serverStart } from './kafka-server-start.js';

export const spec: CommandSpec = {
  name: 'zookeeper-server-start',
  summary: "USAGE: zookeeper-server-start [-daemon] zookeeper.properties\nStarts this toolkit's controller node (Kafka protocol, not Apache ZooKeeper) on clientPort.",
  positionals: true,
  options: [HELP_OPTION, VERSION_OPTION],
};


export const USAGE = 'USAGE: zookeeper-server-start [-daemon] zookeeper.properties';

export interface ZooKeeperStartArgs {
  daemon: boolean;
  propertiesFile: string;
}

/** `[-daemon] file`, as Kafka's script takes them; undefined when the file is missing (usage). */
export function zookeeperStartArgs(argv: readonly string[]): ZooKeeperStartArgs | undefined {
  const rest = [...argv];
  let daemon = false;
  if (rest[0] === '-daemon' || rest[0] === '--daemon') {
    daemon = true;
    rest.shift();
  }
  if (rest.length === 0) return undefined;
  if (rest.length > 1) throw new CliError(`${USAGE} (unexpected ${rest.slice(1).join(' ')})`);
  return { daemon, propertiesFile: rest[0] };
}

/** zookeeper.properties → the controller node, with the file named in any refusal. */
export function loadZooKeeperNode(file: string): ZooKeeperNodeConfig {
  const props = readPropertiesFile(file, 'ZooKeeper properties file');
  try {
    return zookeeperNodeConfig(props, { file });
  } catch (err) {
    if (err instanceof NodeConfigError) throw new CliError(`Invalid config, exiting abnormally: ${err.message}`);
    throw err;
  }
}

/** The line said at every start: what this command runs, plainly. */
export function controllerNote(node: ZooKeeperNodeConfig): string {
  const voters = node.topology.voters.map((v) => `${v.id}@${v.host}:${v.port}`).join(',');
  return `zookeeper-server-start runs kafka-ts-toolkit's controller (node ${node.topology.nodeId}, voters ${voters}) speaking the Kafka protocol on port ${node.listener.port}; it is not Apache ZooKeeper. Brokers with zookeeper.connect pointing here join its cluster. Metadata in ${node.dataDir}.`;
}

/** The controller node as kafka-server-start overrides (a process.roles=controller KRaft node). */
export function controllerOverrides(node: ZooKeeperNodeConfig): string[] {
  return Object.entries(node.brokerConfig.raw).flatMap(([key, value]) => ['--override', `${key}=${value}`]);
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    // the -daemon child kafka-server-start spawns re-enters here with its main class first
    if (argv[0] === BROKER_MAIN_CLASS) return serverStart.run(argv);
    const args = zookeeperStartArgs(argv);
    if (!args) {
      // Kafka's script prints its usage on stdout and exits 1
      process.stdout.write(`${USAGE}\n`);
      return 1;
    }
    const node = loadZooKeeperNode(args.propertiesFile);
    process.stderr.write(`${controllerNote(node)}\n`);
    // the node's pid file goes apart from the brokers' (inherited by a -daemon child)
    process.env.KAFKA_TS_RUN_DIR = zookeeperRunDir();
    // -daemon output in $LOG_DIR/zookeeper.out, as kafka-run-class.sh -name zookeeper
    process.env.KAFKA_TS_DAEMON_NAME = 'zookeeper';
    return serverStart.run([...(args.daemon ? ['-daemon'] : []), ...controllerOverrides(node)]);
  },
};
