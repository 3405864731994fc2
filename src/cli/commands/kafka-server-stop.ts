/**
 * kafka-server-stop [--node-id=N | --process-role=broker|controller]: SIGTERM ($SIGNAL)
 * every node started by kafka-server-start on this machine (found through the pid
 * files), or, as Kafka 3.7+, only those whose node.id / process.roles match, and wait
 * until they have shut down. zookeeper-server-stop shares the stopping part.
 */
import type { CliCommand } from '../command.js';
import { HELP_OPTION, VERSION_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { isLiveBroker, liveBrokers, type PidFileEntry } from '../pid-files.js';

export const spec: CommandSpec = {
  name: 'kafka-server-stop',
  summary: 'USAGE: kafka-server-stop [--node-id=<id>] [--process-role=<broker|controller>]\nStops the Kafka nodes started with kafka-server-start on this machine (all of them, or those matching).',
  options: [
    { name: 'node-id', arg: 'Integer: node id', description: 'Stop only the node whose node.id (broker.id) is this.', complete: 'none' },
    { name: 'process-role', arg: 'String: broker|controller', description: 'Stop only the nodes whose process.roles is exactly this (broker, controller or broker,controller).', complete: ['broker', 'controller', 'broker,controller'] },
    HELP_OPTION,
    VERSION_OPTION,
  ],
};

const STOP_TIMEOUT_MS = 30_000;

export interface StopSelection {
  nodeId?: number;
  processRole?: string;
}

function sameRoles(a: string, b: string): boolean {
  const set = (s: string): string => s.split(',').map((r) => r.trim()).filter((r) => r).sort().join(',');
  return set(a) === set(b);
}

/** The nodes the selection names; node id takes precedence over role, as in Kafka's script. */
export function selectNodes(nodes: readonly PidFileEntry[], selection: StopSelection): PidFileEntry[] {
  if (selection.nodeId !== undefined) return nodes.filter((n) => n.fields['node.id'] === String(selection.nodeId));
  if (selection.processRole !== undefined) {
    const role = selection.processRole;
    return nodes.filter((n) => sameRoles(n.fields['process.roles'] ?? 'broker,controller', role));
  }
  return [...nodes];
}

export function stopSelection(argv: readonly string[]): { selection: StopSelection; notes: string[] } {
  const args = parseArgs(spec, argv);
  const notes: string[] = [];
  const selection: StopSelection = {};
  const nodeId = args.get('node-id');
  if (nodeId !== undefined) {
    if (!/^\d+$/.test(nodeId.trim())) throw new UsageError(`Invalid --node-id=${nodeId}: give the node.id of the node to stop, e.g. --node-id=1`);
    selection.nodeId = Number(nodeId.trim());
  }
  const role = args.get('process-role');
  if (role !== undefined) {
    if (!role.split(',').every((r) => r.trim() === 'broker' || r.trim() === 'controller')) {
      throw new UsageError(`Invalid --process-role=${role}: use broker, controller or broker,controller`);
    }
    selection.processRole = role;
  }
  if (nodeId !== undefined && role !== undefined) notes.push('When both node-id and process-role are provided, the value for node-id will take precedence');
  return { selection, notes };
}

/** Sends $SIGNAL (TERM) to each node and waits until every one has exited; `what` names them in errors. */
export async function stopNodes(nodes: readonly PidFileEntry[], what: string): Promise<void> {
  const signal = (process.env.SIGNAL ?? 'TERM').toUpperCase().replace(/^SIG/, '');
  for (const node of nodes) {
    try {
      process.kill(node.pid, `SIG${signal}` as NodeJS.Signals);
    } catch (err) {
      throw new CliError(`Cannot signal ${what} pid ${node.pid}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  let remaining = [...nodes];
  while (remaining.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    remaining = remaining.filter((n) => isLiveBroker(n.pid));
  }
  if (remaining.length > 0) {
    throw new CliError(`${what[0].toUpperCase()}${what.slice(1)}(s) still running after ${STOP_TIMEOUT_MS / 1000} s: pid ${remaining.map((n) => n.pid).join(', ')} (listening on ${remaining.flatMap((n) => n.listeners).join(', ')}); check their log, or stop them with kill -9`);
  }
}

export const command: CliCommand = {
  spec,
  async run(argv) {
    const { selection, notes } = stopSelection(argv);
    for (const note of notes) process.stdout.write(`${note}\n`);
    const nodes = liveBrokers();
    if (nodes.length === 0) {
      // Kafka's script prints this on stdout and exits 1
      process.stdout.write('No kafka server to stop\n');
      return 1;
    }
    const chosen = selectNodes(nodes, selection);
    if (chosen.length === 0) {
      // Kafka's script stops nothing and says nothing here; one note on stderr keeps stdout as Kafka's
      const wanted = selection.nodeId !== undefined ? `node.id=${selection.nodeId}` : `process.roles=${selection.processRole ?? ''}`;
      process.stderr.write(`No running kafka server has ${wanted} (running: ${nodes.map((n) => `node.id=${n.fields['node.id'] ?? '?'} process.roles=${n.fields['process.roles'] ?? '?'}`).join('; ')})\n`);
      return 0;
    }
    await stopNodes(chosen, 'broker');
    return 0;
  },
};
