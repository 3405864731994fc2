/**
 * zookeeper-server-start: tutorials start ZooKeeper before Kafka. This broker
 * keeps its metadata itself and never needs ZooKeeper, so the command only says
 * so (one note on stderr) and exits 0, letting tutorial scripts carry on with
 * kafka-server-start. Arguments (`[-daemon] zookeeper.properties`) are accepted
 * and ignored.
 */
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import type { CommandSpec } from '../options.js';

export const spec: CommandSpec = {
  name: 'zookeeper-server-start',
  summary: 'USAGE: zookeeper-server-start [-daemon] zookeeper.properties (does nothing: this Kafka runs without ZooKeeper)',
  positionals: true,
  options: [HELP_OPTION, VERSION_OPTION],
};

export const ZOOKEEPER_START_NOTE = 'ZooKeeper is not needed: kafka-server-start runs without it; this command does nothing.';

export const command: CliCommand = {
  spec,
  run() {
    // No option parsing: `-daemon` and the properties file are whatever the tutorial typed.
    process.stderr.write(`${ZOOKEEPER_START_NOTE}\n`);
    return Promise.resolve(0);
  },
};
