/**
 * The JAAS configuration text Kafka reads from `sasl.jaas.config` and
 * `listener.name.<l>.<mechanism>.sasl.jaas.config`:
 *
 *   org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="s" user_alice="a";
 *
 * one login module with its control flag and `key=value` options (values quoted or bare).
 */
import { SecurityConfigError } from './security-config-error.js';

export interface JaasConfig {
  loginModule: string;
  controlFlag: string;
  options: Record<string, string>;
}

/** Parses one login module entry; `key` names the setting in errors (never the value: it holds secrets). */
export function parseJaasConfig(text: string, key: string): JaasConfig {
  const src = text.trim();
  let i = 0;
  const skip = (): void => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const word = (): string => {
    skip();
    const start = i;
    while (i < src.length && /[^\s=;]/.test(src[i]!)) i++;
    return src.slice(start, i);
  };
  const loginModule = word();
  const controlFlag = word().toLowerCase();
  if (!loginModule || !['required', 'requisite', 'sufficient', 'optional'].includes(controlFlag)) {
    throw new SecurityConfigError(`${key} does not parse: expected "<LoginModule class> required key=\\"value\\" ...;"`);
  }
  const options: Record<string, string> = {};
  for (;;) {
    skip();
    if (i >= src.length) throw new SecurityConfigError(`${key} does not parse: the login module entry must end with ';'`);
    if (src[i] === ';') break;
    const name = word();
    skip();
    if (!name || src[i] !== '=') throw new SecurityConfigError(`${key} does not parse near option ${name || '(none)'}: expected key=value`);
    i++;
    skip();
    let value = '';
    if (src[i] === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        value += src[i++]!;
      }
      if (src[i] !== '"') throw new SecurityConfigError(`${key} does not parse: unterminated quoted value of ${name}`);
      i++;
    } else {
      const start = i;
      while (i < src.length && /[^\s;]/.test(src[i]!)) i++;
      value = src.slice(start, i);
    }
    options[name] = value;
  }
  i++;
  skip();
  if (i < src.length) throw new SecurityConfigError(`${key} holds more than one login module; give exactly one`);
  return { loginModule, controlFlag, options };
}

/** The same text with every option value replaced, for log lines. */
export function redactJaas(text: string): string {
  return text.replace(/(=\s*)("(?:[^"\\]|\\.)*"|[^\s;]+)/g, '$1[hidden]');
}
