/**
 * confluent-kafka-python (librdkafka) against secured listeners with the client settings
 * Confluent documents: SSL (ssl.ca.location), SASL_PLAINTEXT with SCRAM-SHA-256,
 * SASL_SSL with PLAIN; a wrong password fails on the client. Skips, saying why, when
 * /usr/bin/python3 cannot import confluent_kafka (.ci/run installs it).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { recordSkip } from '../helpers/skips.js';
import { hasOpenssl, makeCerts, type TestCerts } from '../broker/security/certs.js';
import { addScramUser } from '../broker/security/scram-users.js';

const PY = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'clients', 'secure_confluent.py');
const hasConfluent = spawnSync(PY, ['-c', 'import confluent_kafka']).status === 0;
if (!hasConfluent) recordSkip({ suite: 'confluent-kafka-python security interop', reason: '/usr/bin/python3 cannot import confluent_kafka', package: 'python3-confluent-kafka', install: 'apt-get install python3-confluent-kafka' });
const ready = hasConfluent && hasOpenssl;

let certs: TestCerts;
let broker: TestBroker;
const port = (name: string): number => broker.config.listeners.find((l) => l.name === name)!.port;

function client(config: Record<string, string>, topic: string): Promise<{ values?: string[]; error?: string }> {
  return new Promise((resolve, reject) => {
    execFile(PY, [SCRIPT, JSON.stringify(config), topic], { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as { values?: string[]; error?: string });
    });
  });
}

describe.skipIf(!ready)('confluent-kafka-python over SSL and SASL', () => {
  beforeAll(async () => {
    certs = makeCerts();
    broker = await startTestBroker({
      listeners: [
        { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'SSL', host: '127.0.0.1', port: 0 },
        { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'SASL_SSL', host: '127.0.0.1', port: 0 },
      ],
      raw: {
        'ssl.keystore.location': certs.serverKeystorePem,
        'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'SCRAM-SHA-256',
        'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      },
    });
    await addScramUser(broker.port, 'bob', 'bob-secret', 'SCRAM-SHA-256');
  }, 30_000);
  afterAll(async () => {
    await broker?.close();
    if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('produces and consumes over SSL', async () => {
    const result = await client({ 'bootstrap.servers': `127.0.0.1:${port('SSL')}`, 'security.protocol': 'SSL', 'ssl.ca.location': certs.caPem }, 'ck-ssl');
    expect(result.values).toEqual(['one', 'two']);
  });

  it('produces and consumes over SASL_PLAINTEXT with SCRAM-SHA-256 and over SASL_SSL with PLAIN', async () => {
    const scram = await client({ 'bootstrap.servers': `127.0.0.1:${port('SASL_PLAINTEXT')}`, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'bob', 'sasl.password': 'bob-secret' }, 'ck-scram');
    expect(scram.values).toEqual(['one', 'two']);
    const plain = await client({ 'bootstrap.servers': `127.0.0.1:${port('SASL_SSL')}`, 'security.protocol': 'SASL_SSL', 'ssl.ca.location': certs.caPem, 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret' }, 'ck-sasl-ssl');
    expect(plain.values).toEqual(['one', 'two']);
  });

  it('fails on a wrong password', async () => {
    const wrong = await client({ 'bootstrap.servers': `127.0.0.1:${port('SASL_PLAINTEXT')}`, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'bob', 'sasl.password': 'wrong' }, 'ck-wrong');
    expect(wrong.error).toMatch(/Authentication failed|authentication/i);
  });
});
