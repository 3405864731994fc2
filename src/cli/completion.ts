/**
 * Shell completion scripts (bash, zsh) generated from the commands' option
 * descriptors, so completions never drift from what the parser accepts.
 * `kafka-topics --completion bash > completions/kafka-ts.bash` regenerates them.
 */
import type { CommandSpec, OptionSpec } from './options.js';
import { COMMANDS } from './registry.js';

export type Shell = 'bash' | 'zsh';

function bashWord(value: string): string {
  return value.replace(/[^A-Za-z0-9._=:,/-]/g, (c) => `\\${c}`);
}

function bashFunctionName(spec: CommandSpec): string {
  return `_${spec.name.replace(/-/g, '_')}`;
}

function visible(spec: CommandSpec): OptionSpec[] {
  return spec.options.filter((o) => !o.hidden);
}

function bashCommandFunction(spec: CommandSpec): string {
  const cases: string[] = [];
  for (const option of visible(spec)) {
    if (option.arg === undefined) continue;
    const hint = option.complete ?? 'none';
    let body: string;
    if (hint === 'file') body = 'COMPREPLY=( $(compgen -f -- "$cur") )';
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

function zshCommandFunction(spec: CommandSpec): string {
  const specs = visible(spec).map((option) => {
    const repeat = option.repeatable ? '*' : '';
    const description = zshText(option.description).slice(0, 80);
    if (option.arg === undefined) return `    '${repeat}--${option.name}[${description}]'`;
    const hint = option.complete ?? 'none';
    const action = hint === 'file' ? '_files' : hint === 'dir' ? '_files -/' : hint === 'none' ? ' ' : `(${hint.map((h) => h.replace(/[ ()']/g, '')).join(' ')})`;
    const separator = option.optionalArg ? '=-' : '';
    return `    '${repeat}--${option.name}${separator}[${description}]:${zshText(option.arg)}:${action}'`;
  });
  if (spec.positionals) specs.push("    '*:file:_files'");
  return [`${bashFunctionName(spec)}() {`, '  _arguments \\', specs.join(' \\\n'), '}'].join('\n');
}

/** The completion script for every command, for `shell`. */
export function completionScript(shell: Shell, commands: readonly CommandSpec[] = COMMANDS.map((c) => c.spec)): string {
  if (shell === 'bash') {
    return [
      '# bash completion for the kafka-ts-toolkit commands.',
      '# Generated from the option descriptors by `kafka-topics --completion bash`; do not edit.',
      '# Use: source this file (or copy it to /etc/bash_completion.d/).',
      ...commands.map(bashCommandFunction),
      '',
    ].join('\n');
  }
  const names = commands.flatMap((c) => [c.name, `${c.name}.sh`]);
  return [
    `#compdef ${names.join(' ')}`,
    '# zsh completion for the kafka-ts-toolkit commands.',
    '# Generated from the option descriptors by `kafka-topics --completion zsh`; do not edit.',
    '# Use: put this file, named _kafka-ts, in a directory on $fpath.',
    ...commands.map(zshCommandFunction),
    '',
    'case "${service%.sh}" in',
    ...commands.map((c) => `  ${c.name}) ${bashFunctionName(c)} "$@" ;;`),
    'esac',
    '',
  ].join('\n');
}
