/**
 * Entry point of every bin/ shim: `main('kafka-topics', argv)`. Dispatches to the
 * command module, turns errors into one stderr line (usage errors add the option
 * table, as Kafka's tools do) and sets the exit status.
 */
import { toolVersion, type CliCommand } from './command.js';
import { completionScript, SHELLS } from './completion.js';
import { CliError, ExitRequest, UsageError } from './errors.js';
import { formatHelp, normalizeArgv } from './options.js';
import { printError } from './output.js';
import { COMMANDS } from './registry.js';

/** Waits until what was written to stdout/stderr has been handed to the OS. */
function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve();
      return;
    }
    stream.write('', () => resolve());
  });
}

async function finish(code: number): Promise<never> {
  await Promise.all([drain(process.stdout), drain(process.stderr)]);
  process.exit(code);
}

/** Runs `commandName` (with or without `.sh`) with the user's arguments. */
export async function main(commandName: string, rawArgv: readonly string[]): Promise<void> {
  const name = commandName.replace(/\.sh$/, '');
  const command: CliCommand | undefined = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    printError(`Unknown command ${commandName}; available: ${COMMANDS.map((c) => c.spec.name).join(', ')}`);
    return finish(1);
  }
  const argv = normalizeArgv(rawArgv);
  // Hidden entry used to (re)generate completions/: `kafka-topics --completion bash|zsh|fish`.
  if (argv[0] === '--completion') {
    const shell = SHELLS.find((s) => s === argv[1]) ?? 'bash';
    process.stdout.write(completionScript(shell));
    return finish(0);
  }
  if (argv.includes('--help')) {
    // Kafka prints help on stderr and exits 1, even when asked for it.
    process.stderr.write(formatHelp(command.spec));
    return finish(1);
  }
  if (argv.includes('--version')) {
    process.stdout.write(toolVersion() + '\n');
    return finish(0);
  }
  let code: number;
  try {
    code = await command.run(argv);
  } catch (err) {
    if (err instanceof ExitRequest) {
      code = err.exitCode;
    } else if (err instanceof UsageError) {
      printError(err.message);
      process.stderr.write(formatHelp(command.spec));
      code = err.exitCode;
    } else if (err instanceof CliError) {
      printError(err.message);
      code = err.exitCode;
    } else {
      printError(err instanceof Error ? err.message : String(err));
      if (process.env.KAFKA_TS_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
      code = 1;
    }
  }
  return finish(code);
}
