/**
 * kafka-run-class: Kafka's launcher, `kafka-run-class [-daemon] [-name n] [-loggc]
 * <class> args…`. Tutorials and blog posts call tools by their Java class
 * (`kafka-run-class kafka.tools.GetOffsetShell --broker-list …`); each known class name,
 * old (`kafka.tools.*`, `kafka.admin.*`) and new (`org.apache.kafka.tools.*`), runs the
 * toolkit command that does the same with the remaining arguments. An unknown class is
 * one line naming it and the classes known here, exit 1.
 *
 * The bin/ shim calls runClass() directly (not main()), so that `--help` and `--version`
 * after the class name reach the tool, as with Kafka's launcher.
 */
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { CliError } from '../errors.js';
import type { CommandSpec } from '../options.js';



/** Kafka class name → toolkit command, for every class tutorials name (old and new packages). */
export const CLASS_COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['kafka.Kafka', 'kafka-server-start'],
  ['kafka.admin.TopicCommand', 'kafka-topics'],
  ['org.apache.kafka.tools.TopicCommand', 'kafka-topics'],
  ['kafka.tools.ConsoleProducer', 'kafka-console-producer'],
  ['org.apache.kafka.tools.ConsoleProducer', 'kafka-console-producer'],
  ['kafka.tools.ConsoleConsumer', 'kafka-console-consumer'],
  ['org.apache.kafka.tools.consumer.ConsoleConsumer', 'kafka-console-consumer'],
  ['kafka.tools.GetOffsetShell', 'kafka-get-offsets'],
  ['org.apache.kafka.tools.GetOffsetShell', 'kafka-get-offsets'],
  ['kafka.tools.DumpLogSegments', 'kafka-dump-log'],
  ['org.apache.kafka.tools.DumpLogSegments', 'kafka-dump-log'],
  ['kafka.tools.EndToEndLatency', 'kafka-e2e-latency'],
  ['org.apache.kafka.tools.EndToEndLatency', 'kafka-e2e-latency'],
  ['kafka.tools.ProducerPerformance', 'kafka-producer-perf-test'],
  ['org.apache.kafka.tools.ProducerPerformance', 'kafka-producer-perf-test'],
  ['kafka.tools.ConsumerPerformance', 'kafka-consumer-perf-test'],
  ['org.apache.kafka.tools.ConsumerPerformance', 'kafka-consumer-perf-test'],
  ['kafka.admin.ConsumerGroupCommand', 'kafka-consumer-groups'],
  ['org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', 'kafka-consumer-groups'],
  ['kafka.admin.ConfigCommand', 'kafka-configs'],
  ['kafka.admin.BrokerApiVersionsCommand', 'kafka-broker-api-versions'],
  ['org.apache.kafka.tools.BrokerApiVersionsCommand', 'kafka-broker-api-versions'],
  ['kafka.admin.DeleteRecordsCommand', 'kafka-delete-records'],
  ['org.apache.kafka.tools.DeleteRecordsCommand', 'kafka-delete-records'],
  ['kafka.admin.LogDirsCommand', 'kafka-log-dirs'],
  ['org.apache.kafka.tools.LogDirsCommand', 'kafka-log-dirs'],
  ['org.apache.kafka.tools.VerifiableProducer', 'kafka-verifiable-producer'],
  ['org.apache.kafka.tools.VerifiableConsumer', 'kafka-verifiable-consumer'],
  ['kafka.tools.StorageTool', 'kafka-storage'],
  ['kafka.admin.MetadataQuorumCommand', 'kafka-metadata-quorum'],
  ['org.apache.kafka.tools.MetadataQuorumCommand', 'kafka-metadata-quorum'],
  ['kafka.admin.LeaderElectionCommand', 'kafka-leader-election'],
  ['org.apache.kafka.tools.LeaderElectionCommand', 'kafka-leader-election'],
  ['kafka.admin.ReassignPartitionsCommand', 'kafka-reassign-partitions'],
  ['org.apache.kafka.tools.reassign.ReassignPartitionsCommand', 'kafka-reassign-partitions'],
  ['kafka.admin.AclCommand', 'kafka-acls'],
  ['org.apache.kafka.connect.cli.ConnectStandalone', 'connect-standalone'],
  ['org.apache.kafka.connect.cli.ConnectDistributed', 'connect-distributed'],
  ['org.apache.zookeeper.server.quorum.QuorumPeerMain', 'zookeeper-server-start'],
];

export const spec: CommandSpec = {
  name: 'kafka-run-class',
  summary: 'USAGE: kafka-run-class [-daemon] [-name servicename] [-loggc] classname [opts]\n' +
    `Runs the toolkit command that stands for a Kafka class name: ${CLASS_COMMANDS.map(([name, command]) => `${name} (${command})`).join(', ')}.`,
  options: [HELP_OPTION, VERSION_OPTION],
  positionals: true,
};

export interface ClassDispatch {
  command: string;
  args: string[];
}

/**
 * Resolves `[-daemon] [-name n] [-loggc] <class> args…` against the commands this
 * toolkit has (`available`). Throws a CliError for a missing or unknown class.
 */
export function resolveClass(argv: readonly string[], available: ReadonlySet<string>): ClassDispatch {
  let i = 0;
  let daemon = false;
  while (i < argv.length) {
    if (argv[i] === '-daemon') {
      daemon = true;
      i += 1;
    } else if (argv[i] === '-loggc') {
      i += 1;
    } else if (argv[i] === '-name') {
      i += 2;
    } else {
      break;
    }
  }
  const known = CLASS_COMMANDS.filter(([, command]) => available.has(command));
  const className = argv[i];
  if (className === undefined) {
    throw new CliError(`USAGE: kafka-run-class [-daemon] [-name servicename] [-loggc] classname [opts]; classes known here: ${known.map(([name]) => name).join(', ')}`);
  }
  const match = known.find(([name]) => name === className);
  if (!match) {
    throw new CliError(`Error: Could not find or load main class ${className}: this toolkit runs ${known.map(([name]) => name).join(', ')}`);
  }
  const args = argv.slice(i + 1);
  // the broker's -daemon goes to kafka-server-start, which handles it as Kafka's script does
  return { command: match[1], args: daemon && match[1] === 'kafka-server-start' ? ['-daemon', ...args] : args };
}

/** Entry point of bin/kafka-run-class: dispatches to the command, passing every argument on. */
export async function runClass(argv: readonly string[]): Promise<void> {
  const { main } = await import('../main.js');
  const { COMMANDS } = await import('../registry.js');
  if (argv[0] === '--help' || argv[0] === '--version') {
    // the launcher's own help and version (after a class name they go to that tool)
    await main('kafka-run-class', [argv[0]]);
    return;
  }
  let dispatch: ClassDispatch;
  try {
    dispatch = resolveClass(argv, new Set(COMMANDS.map((c) => c.spec.name)));
  } catch (err) {
    const { printError } = await import('../output.js');
    printError((err as Error).message);
    process.exitCode = 1;
    return;
  }
  await main(dispatch.command, dispatch.args);
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    await runClass(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  },
};
