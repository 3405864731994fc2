/**
 * kafka-server-stop: SIGTERM every broker started by kafka-server-start on this
 * machine (found through the pid files) and wait until they have shut down.
 */
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { CliError } from '../errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { isLiveBroker, liveBrokers } from '../pid-files.js';

export const spec: CommandSpec = {
  name: 'kafka-server-stop',
  summary: 'Stops every Kafka broker started with kafka-server-start on this machine.',
  options: [HELP_OPTION, VERSION_OPTION],
};

const STOP_TIMEOUT_MS = 30_000;

export const command: CliCommand = {
  spec,
  async run(argv) {
    parseArgs(spec, argv);
    const brokers = liveBrokers();
    if (brokers.length === 0) {
      // Kafka's script prints this on stdout and exits 1
      process.stdout.write('No kafka server to stop\n');
      return 1;
    }
    const signal = (process.env.SIGNAL ?? 'TERM').toUpperCase().replace(/^SIG/, '');
    for (const broker of brokers) {
      try {
        process.kill(broker.pid, `SIG${signal}` as NodeJS.Signals);
      } catch (err) {
        throw new CliError(`Cannot signal broker pid ${broker.pid}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    let remaining = brokers;
    while (remaining.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      remaining = remaining.filter((b) => isLiveBroker(b.pid));
    }
    if (remaining.length > 0) {
      throw new CliError(`Broker(s) still running after ${STOP_TIMEOUT_MS / 1000} s: pid ${remaining.map((b) => b.pid).join(', ')} (listening on ${remaining.flatMap((b) => b.listeners).join(', ')}); check their log, or stop them with kill -9`);
    }
    return 0;
  },
};
