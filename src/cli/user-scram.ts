/**
 * `kafka-configs --entity-type users`: SCRAM credentials through
 * AlterUserScramCredentials / DescribeUserScramCredentials (KIP-554), as Kafka 2.7+'s
 * ConfigCommand does with --bootstrap-server. `SCRAM-SHA-256=[iterations=8192,password=…]`
 * is salted and hashed here (PBKDF2), so the password itself never travels.
 */
import crypto from 'node:crypto';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { AlterUserScramCredentialsResponse, DescribeUserScramCredentialsResponse } from '../protocol/generated/types.js';
import { saltedPassword, scramMechanism } from '../broker/security/scram.js';
import { CliError } from './errors.js';
import { BrokerErrorResponse, type WireAdmin } from './wire-client.js';

export const SCRAM_CONFIG_NAMES = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
/** Kafka's default when `iterations=` is not given (ScramMechanism DEFAULT_ITERATIONS). */
const DEFAULT_ITERATIONS = 4096;

export interface ScramUpsert {
  mechanism: string;
  iterations: number;
  password: string;
}

/** `iterations=8192,password=secret` (brackets already dropped by parseAddConfig). */
export function parseScramValue(mechanism: string, value: string): ScramUpsert {
  let iterations = DEFAULT_ITERATIONS;
  let password: string | undefined;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const v = eq < 0 ? '' : part.slice(eq + 1);
    if (key === 'iterations') {
      iterations = Number(v.trim());
      if (!Number.isInteger(iterations)) throw new CliError(`Invalid iterations for ${mechanism}: use a whole number, e.g. ${mechanism}=[iterations=8192,password=…]`);
    } else if (key === 'password') {
      password = v;
    } else {
      throw new CliError(`Invalid ${mechanism} credential: use ${mechanism}=[iterations=8192,password=…] (unknown key ${key || '(empty)'})`);
    }
  }
  if (password === undefined || password === '') throw new CliError(`Invalid ${mechanism} credential: a password is required, e.g. ${mechanism}=[password=…]`);
  return { mechanism, iterations, password };
}

/** Kafka's client salt: a random base-36 string's bytes (ScramFormatter.secureRandomBytes). */
function randomSalt(): Buffer {
  let text = '';
  while (text.length < 26) text += crypto.randomBytes(16).reduce((s, b) => s + (b % 36).toString(36), '');
  return Buffer.from(text.slice(0, 26), 'ascii');
}

export async function alterUserScram(admin: WireAdmin, user: string, upserts: readonly ScramUpsert[], deletions: readonly string[]): Promise<void> {
  const connection = await admin.bootstrap();
  const version = connection.usableVersion(ApiKey.AlterUserScramCredentials);
  const response = await connection.request<AlterUserScramCredentialsResponse>(ApiKey.AlterUserScramCredentials, version, {
    deletions: deletions.map((name) => ({ name: user, mechanism: scramMechanism(name)!.id })),
    upsertions: upserts.map((u) => {
      const m = scramMechanism(u.mechanism)!;
      const salt = randomSalt();
      return { name: user, mechanism: m.id, iterations: u.iterations, salt, saltedPassword: saltedPassword(m, u.password, salt, u.iterations) };
    }),
  });
  const failed = response.results.find((r) => r.errorCode !== 0);
  if (failed) throw new BrokerErrorResponse(failed.errorCode, failed.errorMessage);
}

/** Kafka's lines: `SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, …`. */
export async function describeUserScram(admin: WireAdmin, users: readonly string[] | null): Promise<string[]> {
  const connection = await admin.bootstrap();
  const version = connection.usableVersion(ApiKey.DescribeUserScramCredentials);
  const response = await connection.request<DescribeUserScramCredentialsResponse>(ApiKey.DescribeUserScramCredentials, version, {
    users: users === null ? null : users.map((name) => ({ name })),
  });
  if (response.errorCode !== 0) throw new BrokerErrorResponse(response.errorCode, response.errorMessage);
  // users without credentials are left out, as the Admin client's users() leaves them out
  return response.results
    .filter((r) => r.errorCode === 0)
    .map((r) => `SCRAM credential configs for user-principal '${r.user}' are ${r.credentialInfos.map((c) => `${scramMechanism(c.mechanism)?.name ?? `UNKNOWN(${c.mechanism})`}=iterations=${c.iterations}`).join(', ')}`);
}

/** argv with every password= value hidden, for error lines that echo the command. */
export function redactPasswords(argv: readonly string[]): string[] {
  return argv.map((a) => a.replace(/(password=)[^,\]\s]*/gi, '$1[hidden]'));
}
