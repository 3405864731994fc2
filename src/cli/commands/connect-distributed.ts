/**
 * connect-distributed worker.properties: a worker of the Connect cluster named by
 * group.id. Connectors are created over REST; configs, offsets and statuses live in
 * the internal topics, so any worker of the group answers and takes over the work of
 * one that dies.
 */
import { startDistributed } from '../../connect/distributed/distributed.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { UsageError } from '../errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { asCliErrors, daemonArgs, readConnectSecurity, startWorkerDaemon, tellDaemonParentReady, ensureBrokerReachable, readWorkerProperties, runUntilSignalled, workerLog } from './connect-worker.js';

export const spec: CommandSpec = {
  name: 'connect-distributed',
  summary: 'USAGE: connect-distributed [-daemon] worker.properties',
  positionals: true,
  options: [HELP_OPTION, VERSION_OPTION],
};

export const command: CliCommand = {
  spec,
  async run(argv) {
    const { daemon, rest } = daemonArgs(argv);
    if (daemon) return startWorkerDaemon(spec.name, 'connectDistributed', rest);
    const args = parseArgs(spec, rest);
    const [workerFile, ...extra] = args.positionals;
    if (!workerFile) throw new UsageError('Give the worker properties file (e.g. connect-distributed config/connect-distributed.properties)');
    if (extra.length > 0) throw new UsageError(`connect-distributed takes one worker properties file; create connectors over REST (POST /connectors) instead of passing ${extra.join(' ')}`);
    const workerProps = readWorkerProperties(workerFile);
    await ensureBrokerReachable(workerProps, workerFile);
    const running = await asCliErrors((log) => startDistributed(workerProps, log, readConnectSecurity));
    await tellDaemonParentReady(`http://127.0.0.1:${running.restPort}/`);
    return runUntilSignalled(running.stop, workerLog);
  },
};
