/**
 * SASL_PLAINTEXT with kafkajs: PLAIN users from the listener's PlainLoginModule JAAS
 * entry, SCRAM-SHA-256/512 users created with AlterUserScramCredentials (kept in the
 * metadata log), good and bad passwords and unknown users; requests sent before
 * authentication close the connection without an answer; SaslHandshake v0 raw tokens.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import { encodeRequestFrame } from '../../../src/protocol/frame.js';
import { encodeRequest } from '../../../src/protocol/codec.js';
import { addScramUser } from './scram-users.js';
import { kafkajsClient, kafkajsRoundTrip } from './kafkajs-roundtrip.js';

let broker: TestBroker;
let saslPort: number;

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

async function start(logDirs?: string[]): Promise<void> {
  broker = await startTestBroker({
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 },
    ],
    ...(logDirs ? { logDirs } : {}),
    raw: {
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
    },
  });
  saslPort = broker.config.listeners[1]!.port;
}

beforeAll(async () => {
  await start();
  await addScramUser(broker.port, 'bob', 'bob-secret', 'SCRAM-SHA-256');
  await addScramUser(broker.port, 'bob', 'bob-secret-512', 'SCRAM-SHA-512');
});
afterAll(async () => {
  await broker?.close();
});

const sasl = (mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username: string, password: string) =>
  kafkajsClient({ brokers: [`127.0.0.1:${saslPort}`], sasl: { mechanism, username, password } as never });

async function connectAdmin(mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username: string, password: string): Promise<string> {
  const admin = sasl(mechanism, username, password).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return 'ok';
  } catch (err) {
    return String((err as Error).message);
  } finally {
    await admin.disconnect();
  }
}

describe('SASL_PLAINTEXT listener', () => {
  it('authenticates PLAIN users from the JAAS config and serves them', async () => {
    expect(await kafkajsRoundTrip(sasl('plain', 'alice', 'alice-secret'), 'sasl-plain')).toEqual(['one', 'two']);
  });

  it('refuses a wrong PLAIN password or an unknown user with Kafka\'s message', async () => {
    expect(await connectAdmin('plain', 'alice', 'wrong')).toMatch(/Authentication failed: Invalid username or password/);
    expect(await connectAdmin('plain', 'nobody', 'alice-secret')).toMatch(/Authentication failed: Invalid username or password/);
    expect(broker.lines.join('\n')).not.toContain('alice-secret');
  });

  it('authenticates SCRAM-SHA-256 and SCRAM-SHA-512 users created with AlterUserScramCredentials', async () => {
    expect(await kafkajsRoundTrip(sasl('scram-sha-256', 'bob', 'bob-secret'), 'sasl-scram-256')).toEqual(['one', 'two']);
    expect(await connectAdmin('scram-sha-512', 'bob', 'bob-secret-512')).toBe('ok');
  });

  it('refuses a wrong SCRAM password, an unknown user and the other mechanism\'s password alike', async () => {
    const generic = /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/;
    expect(await connectAdmin('scram-sha-256', 'bob', 'wrong')).toMatch(generic);
    expect(await connectAdmin('scram-sha-256', 'nobody', 'bob-secret')).toMatch(generic);
    expect(await connectAdmin('scram-sha-512', 'bob', 'bob-secret')).toMatch(/SCRAM-SHA-512/);
    // and the broker keeps serving
    expect(await connectAdmin('scram-sha-256', 'bob', 'bob-secret')).toBe('ok');
  });

  it('closes a connection that sends Metadata, Produce or Fetch before authenticating, without an answer', async () => {
    for (const apiKey of [ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch]) {
      const body = apiKey === ApiKey.Metadata ? { topics: null } : apiKey === ApiKey.Produce ? { acks: 1, timeoutMs: 1000, topicData: [] } : { replicaId: -1, maxWaitMs: 0, minBytes: 0, topics: [] };
      const version = apiKey === ApiKey.Metadata ? 1 : apiKey === ApiKey.Produce ? 3 : 4;
      const frame = Buffer.concat(encodeRequestFrame(apiKey, version, 7, 'pre-auth', encodeRequest(apiKey, version, body)));
      const outcome = await new Promise<{ bytes: number }>((resolve) => {
        let bytes = 0;
        const socket = net.connect({ host: '127.0.0.1', port: saslPort }, () => socket.write(frame));
        socket.on('data', (d) => (bytes += d.length));
        socket.on('close', () => resolve({ bytes }));
        socket.on('error', () => undefined);
      });
      expect(outcome.bytes, `api ${apiKey}`).toBe(0);
    }
    expect(broker.lines.some((l) => l.includes('Unexpected Kafka request of type Metadata during SASL handshake'))).toBe(true);
  });

  it('answers SaslHandshake v0 clients with bare tokens (PLAIN)', async () => {
    const handshake = Buffer.concat(encodeRequestFrame(ApiKey.SaslHandshake, 0, 1, 'raw', encodeRequest(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' })));
    const token = Buffer.from('\u0000alice\u0000alice-secret');
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length);
    const metadata = Buffer.concat(encodeRequestFrame(ApiKey.Metadata, 1, 2, 'raw', encodeRequest(ApiKey.Metadata, 1, { topics: null })));
    const frames: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      let pending = Buffer.alloc(0);
      const socket = net.connect({ host: '127.0.0.1', port: saslPort }, () => socket.write(handshake));
      socket.on('data', (d) => {
        pending = Buffer.concat([pending, d]);
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          frames.push(pending.subarray(4, 4 + pending.readInt32BE(0)));
          pending = pending.subarray(4 + pending.readInt32BE(0));
          if (frames.length === 1) socket.write(Buffer.concat([size, token]));
          else if (frames.length === 2) socket.write(metadata);
          else {
            socket.destroy();
            resolve();
          }
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    expect(frames).toHaveLength(3);
    expect(frames[1]!.length).toBe(0); // PLAIN's empty final token, bare
    expect(frames[2]!.readInt32BE(0)).toBe(2); // the Metadata answer's correlation id
  });

  it('keeps SCRAM credentials across a restart (metadata log and its snapshot)', async () => {
    const dir = broker.logDir;
    await broker.close();
    await start([dir]);
    expect(await connectAdmin('scram-sha-256', 'bob', 'bob-secret')).toBe('ok');
    expect(await connectAdmin('scram-sha-512', 'bob', 'bob-secret-512')).toBe('ok');
  });

  it('answers session_lifetime_ms from connections.max.reauth.ms and closes a session that outlives it', async () => {
    const short = await startTestBroker({
      listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
      raw: { 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS, 'connections.max.reauth.ms': '300' },
    });
    try {
      const handshake = Buffer.concat(encodeRequestFrame(ApiKey.SaslHandshake, 1, 1, 'reauth', encodeRequest(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })));
      const authenticate = Buffer.concat(encodeRequestFrame(ApiKey.SaslAuthenticate, 1, 2, 'reauth', encodeRequest(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\u0000alice\u0000alice-secret') })));
      const metadata = (id: number) => Buffer.concat(encodeRequestFrame(ApiKey.Metadata, 1, id, 'reauth', encodeRequest(ApiKey.Metadata, 1, { topics: null })));
      const socket = net.connect({ host: '127.0.0.1', port: short.port });
      const frames: Buffer[] = [];
      let pending = Buffer.alloc(0);
      let closed = false;
      const arrived = (n: number) => new Promise<void>((resolve) => {
        const check = (): void => {
          if (frames.length >= n || closed) resolve();
          else setTimeout(check, 10);
        };
        check();
      });
      socket.on('data', (d) => {
        pending = Buffer.concat([pending, d]);
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          frames.push(pending.subarray(4, 4 + pending.readInt32BE(0)));
          pending = pending.subarray(4 + pending.readInt32BE(0));
        }
      });
      socket.on('close', () => (closed = true));
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(handshake);
      socket.write(authenticate);
      socket.write(metadata(3));
      await arrived(3);
      expect(frames).toHaveLength(3);
      // SaslAuthenticate v1: header(correlation id) errorCode errorMessage authBytes sessionLifetimeMs
      const auth = frames[1]!;
      expect(auth.readInt16BE(4)).toBe(0);
      expect(auth.readBigInt64BE(auth.length - 8)).toBe(300n);
      await new Promise((resolve) => setTimeout(resolve, 500));
      socket.write(metadata(4));
      await arrived(4);
      expect(closed).toBe(true);
      expect(frames).toHaveLength(3);
    } finally {
      await short.close();
    }
  });
});

