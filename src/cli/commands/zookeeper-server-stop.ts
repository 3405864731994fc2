/**
 * zookeeper-server-stop: the counterpart of zookeeper-server-start. There is no
 * ZooKeeper to stop, so it prints one note on stderr and exits 0 (Kafka's script
 * would exit 1 with `No zookeeper server to stop`, which would break tutorial
 * scripts that run it after kafka-server-stop).
 */
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import type { CommandSpec } from '../options.js';

export const spec: CommandSpec = {
  name: 'zookeeper-server-stop',
  summary: 'USAGE: zookeeper-server-stop (does nothing: this Kafka runs without ZooKeeper)',
  positionals: true,
  options: [HELP_OPTION, VERSION_OPTION],
};

export const ZOOKEEPER_STOP_NOTE = 'ZooKeeper is not needed: kafka-server-start runs without it; there is no ZooKeeper server to stop.';

export const command: CliCommand = {
  spec,
  run() {
    process.stderr.write(`${ZOOKEEPER_STOP_NOTE}\n`);
    return Promise.resolve(0);
  },
};
