/** Test setup: SCRAM users added over a PLAINTEXT listener with AlterUserScramCredentials. */
import { expect } from 'vitest';
import { KafkaConnection } from '../../../src/network/index.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import { saltedPassword, scramMechanism } from '../../../src/broker/security/scram.js';

/** Adds a SCRAM credential over the PLAINTEXT listener, as kafka-configs would. */
export async function addScramUser(port: number, user: string, password: string, mechanismName: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', iterations = 4096): Promise<void> {
  const conn = await KafkaConnection.connect({ host: '127.0.0.1', port }, { clientId: 'setup' });
  try {
    const m = scramMechanism(mechanismName)!;
    const salt = Buffer.from(`${user}-salt-${mechanismName}`);
    const response = await conn.request<{ results: { errorCode: number }[] }>(ApiKey.AlterUserScramCredentials, 0, {
      deletions: [],
      upsertions: [{ name: user, mechanism: m.id, iterations, salt, saltedPassword: saltedPassword(m, password, salt, iterations) }],
    });
    expect(response.results[0]!.errorCode).toBe(0);
  } finally {
    conn.close();
  }
}

