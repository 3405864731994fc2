/**
 * zookeeper-server-stop: SIGTERM ($SIGNAL) the controller nodes zookeeper-server-start
 * started on this machine (their pid files live apart from the brokers') and wait until
 * they are gone. None running: Kafka's `No zookeeper server to stop`, exit 1.
 */
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import type { CommandSpec } from '../options.js';
import { liveBrokers, zookeeperRunDir } from '../pid-files.js';
import { stopNodes } from './kafka-server-stop.js';

export const spec: CommandSpec = {
  name: 'zookeeper-server-stop',
  summary: 'USAGE: zookeeper-server-stop\nStops the controller nodes started with zookeeper-server-start on this machine.',
  positionals: true,
  options: [HELP_OPTION, VERSION_OPTION],
};

export const command: CliCommand = {
  spec,
  async run() {
    // arguments are ignored, as by Kafka's script
    const nodes = liveBrokers(zookeeperRunDir());
    if (nodes.length === 0) {
      process.stdout.write('No zookeeper server to stop\n');
      return 1;
    }
    await stopNodes(nodes, 'controller');
    return 0;
  },
};
