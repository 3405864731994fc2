/**
 * connect-standalone worker.properties [connector1.properties connector2.json ...]:
 * runs Kafka Connect in one process (seed 002 §6: FileStreamSource → connect-test →
 * FileStreamSink), its REST API on `listeners` (default http://:8083).
 */
import { startStandalone } from '../../connect/standalone.js';
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { UsageError } from '../errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { asCliErrors, daemonArgs, readConnectSecurity, startWorkerDaemon, tellDaemonParentReady, ensureBrokerReachable, readConnectorFile, readWorkerProperties, runUntilSignalled, workerLog } from './connect-worker.js';

export const spec: CommandSpec = {
  name: 'connect-standalone',
  summary: 'USAGE: connect-standalone [-daemon] worker.properties [connector1.properties connector2.json ...]',
  positionals: true,
  options: [HELP_OPTION, VERSION_OPTION],
};

export const command: CliCommand = {
  spec,
  async run(argv) {
    const { daemon, rest } = daemonArgs(argv);
    if (daemon) return startWorkerDaemon(spec.name, 'connectStandalone', rest);
    const args = parseArgs(spec, rest);
    const [workerFile, ...connectorFiles] = args.positionals;
    if (!workerFile) throw new UsageError('Give the worker properties file first, then the connector files (e.g. connect-standalone config/connect-standalone.properties config/connect-file-source.properties)');
    const workerProps = readWorkerProperties(workerFile);
    const connectors = connectorFiles.map((file) => ({ file, config: readConnectorFile(file) }));
    await ensureBrokerReachable(workerProps, workerFile);
    const running = await asCliErrors((log) => startStandalone(workerProps, connectors, log, readConnectSecurity));
    await tellDaemonParentReady(`http://127.0.0.1:${running.restPort}/`);
    return runUntilSignalled(running.stop, workerLog);
  },
};
