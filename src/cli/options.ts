/**
 * Option descriptors and the shared parser for every command. Each command lists
 * its options once (name, argument, help text, how to complete it); the same list
 * drives parsing (commander underneath), the `--help` table and the shell
 * completion scripts. Kafka's joptsimple conventions are kept: long options only,
 * `--name value` or `--name=value`, no prefix abbreviations, repeatable options
 * given once per value, usage errors worded as joptsimple words them.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './errors.js';

/** How a shell should complete an option's argument. */
export type CompletionHint = 'file' | 'dir' | 'none' | readonly string[];

export interface OptionSpec {
  /** long name without dashes, exactly as Kafka spells it (`bootstrap-server`, `producer.config`) */
  name: string;
  /** argument description as in Kafka's help (`String: server to connect to`); absent = a flag */
  arg?: string;
  /** the argument may be left out (`--compression-codec` alone means gzip) */
  optionalArg?: boolean;
  /** may be given several times (`--config`, `--property`) */
  repeatable?: boolean;
  description: string;
  /** left out of `--help` and completions (old spellings kept for compatibility) */
  hidden?: boolean;
  complete?: CompletionHint;
}

export interface CommandSpec {
  /** command name without `.sh` */
  name: string;
  /** one-line description printed above the option table */
  summary: string;
  options: readonly OptionSpec[];
  /** accepts positional arguments (only kafka-server-start does) */
  positionals?: boolean;
}

/** The result of parsing: option values by Kafka name, in command-line order. */
export class ParsedArgs {
  private readonly values = new Map<string, string[]>();
  readonly positionals: string[] = [];

  /** records one occurrence; flags record the empty string */
  add(name: string, value: string): void {
    const list = this.values.get(name);
    if (list) list.push(value);
    else this.values.set(name, [value]);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** last value given (Kafka's joptsimple `valueOf` returns the first; the last is what people expect when they repeat a single-valued flag) */
  get(name: string): string | undefined {
    const list = this.values.get(name);
    return list ? list[list.length - 1] : undefined;
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  /** names of every option present, in first-seen order */
  names(): string[] {
    return [...this.values.keys()];
  }
}

/**
 * Repairs argument shapes that tutorials copy-pasted from web pages produce:
 * typographic dashes (`—topic`, `–topic`) become `--topic`, and a host list
 * split after its commas (`--broker-list a:9092, b:9092`) is joined again.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (/^[\u2014\u2013\u2012\u2212]{1,2}[A-Za-z]/.test(arg)) arg = '--' + arg.replace(/^[\u2014\u2013\u2012\u2212]+/, '');
    // "- -create" and "- - topic": double dashes split by a space in web-rendered tutorials
    if (arg === '-' && i + 1 < argv.length) {
      const next = argv[i + 1];
      if (/^-[A-Za-z]/.test(next)) {
        arg = '-' + next;
        i += 1;
      } else if (next === '-' && i + 2 < argv.length && /^[A-Za-z]/.test(argv[i + 2])) {
        arg = '--' + argv[i + 2];
        i += 2;
      }
    }
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.endsWith(',') && !prev.startsWith('-') && !arg.startsWith('-')) {
      out[out.length - 1] = prev + arg;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Edit distance, for "did you mean" hints on mistyped options. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * The option a mistyped name most likely meant, if one is close enough. Kafka's tools
 * refuse abbreviations (joptsimple with abbreviations off), so a unique prefix is only
 * suggested, never accepted.
 */
export function closestOption(name: string, names: readonly string[]): string | undefined {
  const extending = names.filter((n) => n.startsWith(name));
  if (extending.length === 1) return extending[0];
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

const UNKNOWN_OPTION = /unknown option '([^']+)'/;
const MISSING_ARGUMENT = /option '([^']+)' argument missing/;

/**
 * Parses `argv` against `spec`. Throws UsageError with joptsimple's wording:
 * `<name> is not a recognized option`, `Option <name> requires an argument`,
 * `Found non argument parameters: ...`.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const parsed = new ParsedArgs();
  const program = new Command(spec.name);
  program
    .exitOverride()
    .helpOption(false)
    .allowUnknownOption(false)
    .allowExcessArguments(true)
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
  if (spec.positionals) program.argument('[args...]');
  for (const optionSpec of spec.options) {
    const flags = optionSpec.arg === undefined
      ? `--${optionSpec.name}`
      : optionSpec.optionalArg
        ? `--${optionSpec.name} [value]`
        : `--${optionSpec.name} <value>`;
    program.addOption(new Option(flags));
    // commander keeps one value per option; record every occurrence (raw string,
    // or nothing for a flag / an optional value left out) so repeatable options
    // and their order survive.
    program.on(`option:${optionSpec.name}`, (value: unknown) => {
      parsed.add(optionSpec.name, typeof value === 'string' ? value : '');
    });
  }
  const names = spec.options.map((o) => o.name);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw new UsageError(translateCommanderError(err, names));
    throw err;
  }
  parsed.positionals.push(...program.args);
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new UsageError(`Found non argument parameters: ${parsed.positionals.join(',')}`);
  }
  return parsed;
}

function translateCommanderError(err: CommanderError, names: readonly string[]): string {
  const unknown = UNKNOWN_OPTION.exec(err.message);
  if (unknown) {
    // joptsimple's wording, plus a hint when the name is a near miss (--from-begining)
    const name = unknown[1].replace(/^-+/, '').replace(/=.*$/, '');
    const suggestion = closestOption(name, names);
    return `${name} is not a recognized option${suggestion ? ` (did you mean --${suggestion}?)` : ''}`;
  }
  const missing = MISSING_ARGUMENT.exec(err.message);
  if (missing) return `Option ${missing[1].replace(/^-+/, '').split(' ')[0]} requires an argument`;
  return err.message.replace(/^error: /, '');
}

/** The `--help` text: the summary line then joptsimple's two-column option table. */
/**
 * Kafka's perf and verifiable tools print their help on stdout and exit 0 when run with
 * no arguments at all (argparse's behaviour); true when that is what happened.
 */
export function printedHelpForNoArguments(spec: CommandSpec, argv: readonly string[]): boolean {
  if (argv.length > 0) return false;
  process.stdout.write(formatHelp(spec));
  return true;
}

export function formatHelp(spec: CommandSpec): string {
  const rows: Array<[string, string]> = [];
  for (const option of spec.options) {
    if (option.hidden) continue;
    const left = option.arg === undefined
      ? `--${option.name}`
      : option.optionalArg
        ? `--${option.name} [${option.arg}]`
        : `--${option.name} <${option.arg}>`;
    rows.push([left, option.description]);
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const width = Math.min(42, Math.max(6, ...rows.map(([left]) => left.length)) + 2);
  const lines = [spec.summary, `${'Option'.padEnd(width)}Description`, `${'------'.padEnd(width)}-----------`];
  for (const [left, right] of rows) {
    if (left.length + 2 > width) {
      lines.push(left);
      lines.push(`${''.padEnd(width)}${right}`);
    } else {
      lines.push(`${left.padEnd(width)}${right}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Parses `key=value` items (`--config`, `--property`, `--override`); the value may itself contain `=`. */
export function parseKeyValues(items: readonly string[], errorText: (item: string) => string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(errorText(item));
    result[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return result;
}

/** Integer option value; Kafka's joptsimple reports a bad one the same way. */
export function intOption(args: ParsedArgs, name: string): number | undefined {
  const raw = args.get(name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new UsageError(`Cannot parse argument '${raw}' of option ${name}`);
  }
  return Number(raw.trim());
}
