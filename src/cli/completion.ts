/**
 * Shell completion scripts (bash, zsh, fish) generated from the commands' option
 * descriptors, so completions never drift from what the parser accepts.
 * `kafka-topics --completion bash|zsh|fish` regenerates completions/.
 *
 * `--topic` and `--group` complete live names: the script asks the broker named on
 * the line being completed (`--bootstrap-server`, else `--broker-list`, else
 * localhost:9092) with our own `kafka-topics --list` / `kafka-consumer-groups --list`,
 * under a short timeout and with stderr discarded, so a missing broker means no
 * candidates rather than error text in the middle of the user's prompt.
 */
import type { CommandSpec, OptionSpec } from './options.js';
import { COMMANDS } from './registry.js';

export type Shell = 'bash' | 'zsh' | 'fish';

export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

/** Seconds a completion waits for the broker before offering nothing ($KAFKA_TS_COMPLETION_TIMEOUT overrides). */
const LIST_TIMEOUT_SECONDS = 3;

/** Names the broker is asked for: which tool lists them. */
type LiveNames = 'topic' | 'group';
const LIST_TOOL: Record<LiveNames, string> = { topic: 'kafka-topics', group: 'kafka-consumer-groups' };

/** Options whose values are names living on the broker (every command's --topic and --group). */
function liveNames(option: OptionSpec): LiveNames | undefined {
  if (option.arg === undefined || Array.isArray(option.complete)) return undefined;
  if (option.name === 'topic') return 'topic';
  if (option.name === 'group') return 'group';
  return undefined;
}

function bashWord(value: string): string {
  return value.replace(/[^A-Za-z0-9._=:,/-]/g, (c) => `\\${c}`);
}

function bashFunctionName(spec: CommandSpec): string {
  return `_${spec.name.replace(/-/g, '_')}`;
}

function visible(spec: CommandSpec): OptionSpec[] {
  return spec.options.filter((o) => !o.hidden);
}

/** Helpers shared by every command's bash function. */
const BASH_HELPERS = [
  '# Names from the broker via our own tool ($1): the broker the line names (--bootstrap-server, else',
  '# --broker-list, else localhost:9092), with the line\'s client config file (--command-config,',
  '# --producer.config or --consumer.config) for a secured broker. bash splits host:port and',
  '# --name=value at COMP_WORDBREAKS, so the pieces are glued back first. The tool is the one next to',
  '# the command being completed when that was typed with a path; silent when the broker is away.',
  '_kafka_ts_names() {',
  '  local tool="$1" i w want="" server="" list="" config=""',
  '  [[ "${COMP_WORDS[0]}" == */* ]] && tool="${COMP_WORDS[0]%/*}/$1"',
  '  for ((i = 1; i < COMP_CWORD; i++)); do',
  '    w="${COMP_WORDS[i]}"',
  '    while (( i + 1 < COMP_CWORD )) && [[ "${COMP_WORDS[i+1]}" == [:=]* || "$w" == *[:=] ]]; do',
  '      i=$((i + 1)); w="$w${COMP_WORDS[i]}"',
  '    done',
  '    case "$want" in server) server="$w" ;; list) list="$w" ;; config) config="$w" ;; esac',
  '    want=""',
  '    case "$w" in',
  '      --bootstrap-server) want=server ;;',
  '      --broker-list) want=list ;;',
  '      --command-config|--producer.config|--consumer.config) want=config ;;',
  '      --bootstrap-server=*) server="${w#*=}" ;;',
  '      --broker-list=*) list="${w#*=}" ;;',
  '      --command-config=*|--producer.config=*|--consumer.config=*) config="${w#*=}" ;;',
  '    esac',
  '  done',
  '  local -a args=(--bootstrap-server "${server:-${list:-localhost:9092}}" --list)',
  '  [[ -n "$config" ]] && args+=(--command-config "${config/#\\~/$HOME}")',
  '  local out',
  `  command -v timeout >/dev/null 2>&1 && args=("\${KAFKA_TS_COMPLETION_TIMEOUT:-${LIST_TIMEOUT_SECONDS}}" "$tool" "\${args[@]}") && tool=timeout`,
  '  # only a successful listing: a failing tool may print its error line on stdout, as Kafka\'s do',
  '  out="$("$tool" "${args[@]}" 2>/dev/null </dev/null)" && printf \'%s\\n\' "$out"',
  '}',
].join('\n');

function bashCommandFunction(spec: CommandSpec): string {
  const cases: string[] = [];
  for (const option of visible(spec)) {
    if (option.arg === undefined) continue;
    const hint = option.complete ?? 'none';
    const live = liveNames(option);
    let body: string;
    if (live) body = `COMPREPLY=( $(compgen -W "$(_kafka_ts_names ${LIST_TOOL[live]})" -- "$cur") )`;
    else if (hint === 'file') body = 'COMPREPLY=( $(compgen -f -- "$cur") )';
    else if (hint === 'dir') body = 'COMPREPLY=( $(compgen -d -- "$cur") )';
    else if (hint === 'none') body = 'COMPREPLY=()';
    else body = `COMPREPLY=( $(compgen -W "${hint.map(bashWord).join(' ')}" -- "$cur") )`;
    if (option.optionalArg) continue; // the next word may be an option as well
    cases.push(`    --${option.name}) ${body}; return 0 ;;`);
  }
  const words = visible(spec).map((o) => `--${o.name}`).join(' ');
  const positional = spec.positionals ? '\n  if [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); return 0; fi' : '';
  return [
    `${bashFunctionName(spec)}() {`,
    '  local cur prev',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  case "$prev" in',
    ...cases,
    '  esac' + positional,
    `  COMPREPLY=( $(compgen -W "${words}" -- "$cur") )`,
    '}',
    `complete -F ${bashFunctionName(spec)} ${spec.name} ${spec.name}.sh`,
  ].join('\n');
}

function zshText(text: string): string {
  return text.replace(/[[\]:'\\]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** zsh counterpart of the bash helper; `words`/`CURRENT` are the completion system's view of the line. */
const ZSH_HELPERS = [
  '# Offers the names our own tool (the last argument) lists, asking the broker the line names',
  '# (--bootstrap-server, else --broker-list, else localhost:9092) with the line\'s client config file;',
  '# silent when the broker is away. _arguments puts its compadd options before the tool\'s name.',
  '_kafka_ts_names() {',
  '  local tool="${@[-1]}" i server= list= config= out',
  '  local -a names args',
  '  [[ "${words[1]}" == */* ]] && tool="${words[1]:h}/${@[-1]}"',
  '  for (( i = 2; i < CURRENT; i++ )); do',
  '    case "${words[i]}" in',
  '      --bootstrap-server) server="${words[i+1]}" ;;',
  '      --broker-list) list="${words[i+1]}" ;;',
  '      --command-config|--producer.config|--consumer.config) config="${words[i+1]}" ;;',
  '      --bootstrap-server=*) server="${words[i]#*=}" ;;',
  '      --broker-list=*) list="${words[i]#*=}" ;;',
  '      --command-config=*|--producer.config=*|--consumer.config=*) config="${words[i]#*=}" ;;',
  '    esac',
  '  done',
  '  args=(--bootstrap-server "${server:-${list:-localhost:9092}}" --list)',
  '  [[ -n "$config" ]] && args+=(--command-config "${config/#\\~/$HOME}")',
  `  (( $+commands[timeout] )) && args=("\${KAFKA_TS_COMPLETION_TIMEOUT:-${LIST_TIMEOUT_SECONDS}}" "$tool" "\${args[@]}") && tool=timeout`,
  '  # only a successful listing: a failing tool may print its error line on stdout, as Kafka\'s do',
  '  out="$("$tool" "${args[@]}" 2>/dev/null </dev/null)" || return 1',
  '  names=( ${(f)out} )',
  '  compadd "${@[1,-2]}" -a names',
  '}',
].join('\n');

function zshCommandFunction(spec: CommandSpec): string {
  const specs = visible(spec).map((option) => {
    const repeat = option.repeatable ? '*' : '';
    const description = zshText(option.description).slice(0, 80);
    if (option.arg === undefined) return `    '${repeat}--${option.name}[${description}]'`;
    const hint = option.complete ?? 'none';
    const live = liveNames(option);
    const action = live
      ? `_kafka_ts_names ${LIST_TOOL[live]}`
      : hint === 'file' ? '_files' : hint === 'dir' ? '_files -/' : hint === 'none' ? ' ' : `(${hint.map((h) => h.replace(/[ ()']/g, '')).join(' ')})`;
    const separator = option.optionalArg ? '=-' : '';
    return `    '${repeat}--${option.name}${separator}[${description}]:${zshText(option.arg)}:${action}'`;
  });
  if (spec.positionals) specs.push("    '*:file:_files'");
  return [`${bashFunctionName(spec)}() {`, '  _arguments \\', specs.join(' \\\n'), '}'].join('\n');
}

function fishString(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** fish counterpart: `commandline -opc` is the line up to the cursor, already tokenized. */
const FISH_HELPERS = [
  '# Names our own tool ($argv[1]) lists, asking the broker the line names (--bootstrap-server, else',
  '# --broker-list, else localhost:9092) with the line\'s client config file; silent when the broker is away.',
  'function __kafka_ts_names',
  '    set -l tokens (commandline -opc)',
  '    set -l tool $argv[1]',
  "    string match -q -- '*/*' $tokens[1]; and set tool (string replace -r '/[^/]*$' '' -- $tokens[1])/$tool",
  '    set -l want',
  '    set -l server',
  '    set -l list',
  '    set -l config',
  '    for w in $tokens[2..-1]',
  '        switch "$want"',
  '            case server',
  '                set server $w',
  '            case list',
  '                set list $w',
  '            case config',
  '                set config $w',
  '        end',
  '        set want',
  '        switch $w',
  '            case --bootstrap-server',
  '                set want server',
  '            case --broker-list',
  '                set want list',
  '            case --command-config --producer.config --consumer.config',
  '                set want config',
  "            case '--bootstrap-server=*'",
  '                set server (string split -m1 = -- $w)[2]',
  "            case '--broker-list=*'",
  '                set list (string split -m1 = -- $w)[2]',
  "            case '--command-config=*' '--producer.config=*' '--consumer.config=*'",
  '                set config (string split -m1 = -- $w)[2]',
  '        end',
  '    end',
  '    test -n "$server"; or set server $list',
  '    test -n "$server"; or set server localhost:9092',
  '    set -l args --bootstrap-server $server --list',
  "    test -n \"$config\"; and set -a args --command-config (string replace -r '^~' -- $HOME $config)",
  `    set -l limit ${LIST_TIMEOUT_SECONDS}`,
  '    set -q KAFKA_TS_COMPLETION_TIMEOUT; and set limit $KAFKA_TS_COMPLETION_TIMEOUT',
  '    command -q timeout; and set args $limit $tool $args; and set tool timeout',
  '    # only a successful listing: a failing tool may print its error line on stdout, as Kafka\'s do',
  '    set -l out ($tool $args 2>/dev/null </dev/null)',
  "    and printf '%s\\n' $out",
  'end',
].join('\n');

function fishCommandLines(spec: CommandSpec): string {
  const lines: string[] = [];
  for (const name of [spec.name, `${spec.name}.sh`]) {
    const head = `complete -c ${name}`;
    // no positional arguments: stop fish offering file names after every option
    if (!spec.positionals) lines.push(`${head} -f`);
    for (const option of visible(spec)) {
      const description = `-d ${fishString(option.description.replace(/\s+/g, ' ').slice(0, 80))}`;
      if (option.arg === undefined) {
        lines.push(`${head} -l ${option.name} ${description}`);
        continue;
      }
      const hint = option.complete ?? 'none';
      const live = liveNames(option);
      let action: string;
      if (live) action = `-x -a ${fishString(`(__kafka_ts_names ${LIST_TOOL[live]})`)}`;
      else if (hint === 'file') action = '-r -F';
      else if (hint === 'dir') action = `-x -a ${fishString('(__fish_complete_directories)')}`;
      else if (hint === 'none') action = '-x';
      else action = `-x -a ${fishString(hint.join(' '))}`;
      // an optional argument is only taken as --name=value, so the option alone stays a flag
      if (option.optionalArg) action = '';
      lines.push(`${head} -l ${option.name} ${action ? action + ' ' : ''}${description}`);
    }
  }
  return lines.join('\n');
}

/** The completion script for every command, for `shell`. */
export function completionScript(shell: Shell, commands: readonly CommandSpec[] = COMMANDS.map((c) => c.spec)): string {
  if (shell === 'bash') {
    return [
      '# bash completion for the kafka-ts-toolkit commands.',
      '# Generated from the option descriptors by `kafka-topics --completion bash`; do not edit.',
      '# Use: source this file (or copy it to /etc/bash_completion.d/).',
      BASH_HELPERS,
      ...commands.map(bashCommandFunction),
      '',
    ].join('\n');
  }
  if (shell === 'fish') {
    return [
      '# fish completion for the kafka-ts-toolkit commands.',
      '# Generated from the option descriptors by `kafka-topics --completion fish`; do not edit.',
      '# Use: source this file, or copy it to ~/.config/fish/completions/ once per command name',
      '# (fish loads <command>.fish on demand), or to ~/.config/fish/conf.d/ to load it at start.',
      FISH_HELPERS,
      ...commands.map(fishCommandLines),
      '',
    ].join('\n');
  }
  const names = commands.flatMap((c) => [c.name, `${c.name}.sh`]);
  return [
    `#compdef ${names.join(' ')}`,
    '# zsh completion for the kafka-ts-toolkit commands.',
    '# Generated from the option descriptors by `kafka-topics --completion zsh`; do not edit.',
    '# Use: put this file, named _kafka-ts, in a directory on $fpath.',
    ZSH_HELPERS,
    ...commands.map(zshCommandFunction),
    '',
    'case "${service%.sh}" in',
    ...commands.map((c) => `  ${c.name}) ${bashFunctionName(c)} "$@" ;;`),
    'esac',
    '',
  ].join('\n');
}
