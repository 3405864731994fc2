/**
 * Hostile input on the SASL and TLS listeners: random bytes, lying and oversized size
 * prefixes, SaslHandshake followed by random or malformed SASL tokens (PLAIN and SCRAM
 * messages cut short, bad base64, empty nonces), requests before authentication, and
 * garbage inside a TLS session. The broker must close those connections and keep serving:
 * kafkajs authenticates and lists topics afterwards, on both listeners.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { Rng } from '../../helpers/protocol-fuzz.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import { encodeRequestFrame } from '../../../src/protocol/frame.js';
import { encodeRequest } from '../../../src/protocol/codec.js';
import { hasOpenssl, makeCerts, type TestCerts } from './certs.js';
import { addScramUser } from './scram-users.js';
import { kafkajsClient } from './kafkajs-roundtrip.js';

let certs: TestCerts;
let broker: TestBroker;
const port = (name: string): number => broker.config.listeners.find((l) => l.name === name)!.port;

const frame = (apiKey: number, version: number, body: unknown, correlationId = 1): Buffer =>
  Buffer.concat(encodeRequestFrame(apiKey, version, correlationId, 'fuzz', encodeRequest(apiKey, version, body)));

function sized(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Sends `chunks` one after another and waits until the broker closes or 300 ms of silence pass. */
function exchange(connect: () => net.Socket, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect();
    let idle: NodeJS.Timeout;
    const done = (): void => {
      clearTimeout(idle);
      socket.destroy();
      resolve();
    };
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(done, 300);
    };
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', arm);
    socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => {
      for (const c of chunks) socket.write(c);
      arm();
    });
  });
}

function hostileTokens(rng: Rng): Buffer[] {
  const mechanism = rng.pick(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'GSSAPI', '']);
  const texts = [
    rng.bytes(rng.int(64)).toString('latin1'),
    'n,,n=,r=',
    'n,,n=bob,r=' + 'x'.repeat(rng.int(5000)),
    'y,a=other,n=bob,r=abc',
    'c=biws,r=abc,p=%%%notbase64',
    '\u0000alice',
    '\u0000\u0000\u0000',
    'p=tls-unique,,n=bob,r=abc',
  ];
  const version = rng.pick([0, 1]);
  const out = [frame(ApiKey.SaslHandshake, version, { mechanism })];
  for (let i = 0; i < 1 + rng.int(3); i++) {
    const token = Buffer.from(rng.pick(texts), 'latin1');
    out.push(version === 0 ? sized(token) : frame(ApiKey.SaslAuthenticate, rng.pick([0, 1, 2]), { authBytes: token }, i + 2));
  }
  return out;
}

function hostile(rng: Rng): Buffer[] {
  switch (rng.int(5)) {
    case 0:
      return [rng.bytes(1 + rng.int(200))];
    case 1: {
      const size = Buffer.alloc(4);
      size.writeInt32BE(rng.pick([0x7fffffff, -1, 104857601, 1 << 30]));
      return [size, rng.bytes(rng.int(100))];
    }
    case 2:
      return [frame(ApiKey.Metadata, 1, { topics: null }), frame(ApiKey.Produce, 3, { acks: 1, timeoutMs: 100, topicData: [] }, 2)];
    default:
      return hostileTokens(rng);
  }
}

describe.skipIf(!hasOpenssl)('fuzzing the SASL and TLS listeners', () => {
  beforeAll(async () => {
    certs = makeCerts();
    broker = await startTestBroker({
      listeners: [
        { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'SASL_SSL', host: '127.0.0.1', port: 0 },
      ],
      raw: {
        'ssl.keystore.location': certs.serverKeystorePem,
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      },
    });
    await addScramUser(broker.port, 'bob', 'bob-secret', 'SCRAM-SHA-256');
  }, 30_000);
  afterAll(async () => {
    await broker?.close();
    if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('closes hostile connections and keeps authenticating good clients', async () => {
    const rng = new Rng(0x5a51 ^ 11);
    const connections = 150;
    for (let i = 0; i < connections; i++) {
      const overTls = i % 3 === 2;
      const connect = overTls
        ? () => tls.connect({ host: '127.0.0.1', port: port('SASL_SSL'), ca: fs.readFileSync(certs.caPem), servername: 'localhost' })
        : () => net.connect({ host: '127.0.0.1', port: port('SASL_PLAINTEXT') });
      await exchange(connect, hostile(rng));
    }
    // raw garbage where a TLS ClientHello should be
    await exchange(() => net.connect({ host: '127.0.0.1', port: port('SASL_SSL') }), [rng.bytes(300)]);
    const listeners: [string, { ca: Buffer[] } | undefined][] = [['SASL_PLAINTEXT', undefined], ['SASL_SSL', { ca: [fs.readFileSync(certs.caPem)] }]];
    for (const [listener, ssl] of listeners) {
      for (const sasl of [{ mechanism: 'plain', username: 'alice', password: 'alice-secret' }, { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' }]) {
        const admin = kafkajsClient({ brokers: [`127.0.0.1:${port(listener)}`], ssl, sasl: sasl as never }).admin();
        await admin.connect();
        await admin.listTopics();
        await admin.disconnect();
      }
    }
    expect(broker.lines.join('\n')).not.toMatch(/failed unexpectedly|alice-secret|bob-secret/);
  });
});
