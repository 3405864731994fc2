/**
 * SSL listeners: PEM (file and encrypted key), PKCS12 key stores, kafkajs producing and
 * consuming over TLS, mutual TLS (ssl.client.auth=required) with trusted, untrusted and
 * missing client certificates, a plaintext client on the TLS port, and the one-line
 * start-up errors for unusable stores.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { recordSkip } from '../../helpers/skips.js';
import { hasOpenssl, makeCerts, type TestCerts } from './certs.js';
import { kafkajsClient, kafkajsRoundTrip } from './kafkajs-roundtrip.js';

if (!hasOpenssl) recordSkip({ suite: 'TLS listeners', reason: 'openssl is not installed', package: 'openssl', install: 'apt-get install openssl' });

let certs: TestCerts;
let broker: TestBroker | undefined;
beforeAll(() => {
  if (hasOpenssl) certs = makeCerts();
});
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});
afterAll(() => {
  if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
});

const SSL = { name: 'SSL', host: '127.0.0.1', port: 0 } as const;

function sslBroker(raw: Record<string, string>): Promise<TestBroker> {
  return startTestBroker({ listeners: [{ ...SSL }], raw });
}

describe.skipIf(!hasOpenssl)('SSL listener', () => {
  it('serves kafkajs over TLS with a PEM key store', async () => {
    broker = await sslBroker({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystorePem });
    const kafka = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca: [fs.readFileSync(certs.caPem)] } });
    expect(await kafkajsRoundTrip(kafka, 'tls-pem')).toEqual(['one', 'two']);
  });

  it('reads an encrypted PEM key with ssl.key.password, and a PKCS12 store with ssl.keystore.password', async () => {
    broker = await sslBroker({ 'ssl.keystore.location': certs.serverEncryptedKeystorePem, 'ssl.key.password': certs.keyPassword });
    let admin = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca: [fs.readFileSync(certs.caPem)] } }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    await broker.close();
    broker = await sslBroker({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': certs.serverP12, 'ssl.keystore.password': certs.storePassword });
    admin = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca: [fs.readFileSync(certs.caPem)] } }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
  });

  it('takes the key and chain inline (ssl.keystore.key + ssl.keystore.certificate.chain) and per-listener keys', async () => {
    broker = await sslBroker({
      'listener.name.ssl.ssl.keystore.key': fs.readFileSync(certs.serverKeyPem, 'utf8'),
      'listener.name.ssl.ssl.keystore.certificate.chain': fs.readFileSync(certs.serverCertPem, 'utf8'),
    });
    const admin = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca: [fs.readFileSync(certs.caPem)] } }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
  });

  it('refuses unusable stores at start-up with one line naming the key, never the secret', async () => {
    await expect(sslBroker({ 'ssl.keystore.location': path.join(certs.dir, 'nope.pem') })).rejects.toThrow(/^Cannot read ssl.keystore.location .*nope.pem: no such file$/);
    await expect(sslBroker({ 'ssl.keystore.location': certs.serverEncryptedKeystorePem, 'ssl.key.password': 'wrong-one' })).rejects.toThrow(/wrong or missing ssl.key.password/);
    await expect(sslBroker({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': certs.serverP12, 'ssl.keystore.password': 'wrong-one' })).rejects.toThrow(/wrong ssl.keystore.password/);
    const jks = path.join(certs.dir, 'server.keystore.jks');
    fs.writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    const err = await sslBroker({ 'ssl.keystore.location': jks }).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/is a JKS keystore, which this broker cannot read: convert it with keytool -importkeystore -srckeystore .*server.keystore.jks -srcstoretype JKS -destkeystore .*server.keystore.p12 -deststoretype PKCS12/);
    expect(String((err as Error).message)).not.toContain('\n');
    const wrong = await sslBroker({ 'ssl.keystore.location': certs.serverEncryptedKeystorePem, 'ssl.key.password': 'wrong-one' }).catch((e: Error) => e);
    expect((wrong as Error).message).not.toContain('wrong-one');
  });

  it('drops a plaintext client on the TLS port and keeps serving TLS clients', async () => {
    broker = await sslBroker({ 'ssl.keystore.location': certs.serverKeystorePem });
    const port = broker.port;
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        // an ApiVersions v0 request in the clear
        socket.write(Buffer.from('0000000e00120000000000010004746573740000', 'hex').subarray(0, 18));
      });
      socket.on('data', () => undefined);
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
    });
    expect(closed).toBe(true);
    const admin = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca: [fs.readFileSync(certs.caPem)] } }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    expect(broker.lines.some((l) => /Failed authentication with \/127\.0\.0\.1 \(SSL handshake failed/.test(l))).toBe(true);
  });

  it('with ssl.client.auth=required lets a client with a trusted certificate in and refuses the others', async () => {
    broker = await sslBroker({ 'ssl.keystore.location': certs.serverKeystorePem, 'ssl.client.auth': 'required', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': certs.caPem });
    const ca = [fs.readFileSync(certs.caPem)];
    const trusted = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca, cert: fs.readFileSync(certs.clientCertPem), key: fs.readFileSync(certs.clientKeyPem) } });
    expect(await kafkajsRoundTrip(trusted, 'mtls')).toEqual(['one', 'two']);
    const handshake = (options: tls.ConnectionOptions): Promise<string> =>
      new Promise((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: broker!.port, ca, servername: 'localhost', ...options }, () => {
          // TLS 1.3: the server's verdict on our certificate arrives after the handshake
          socket.write(Buffer.from('0000000a00120000000000010000', 'hex'));
        });
        socket.on('data', () => resolve('answered'));
        socket.on('error', (err) => resolve(`error: ${err.message}`));
        socket.on('close', () => resolve('closed'));
      });
    expect(await handshake({})).not.toBe('answered');
    expect(await handshake({ cert: fs.readFileSync(certs.rogueCertPem), key: fs.readFileSync(certs.rogueKeyPem) })).not.toBe('answered');
    expect(await handshake({ cert: fs.readFileSync(certs.clientCertPem), key: fs.readFileSync(certs.clientKeyPem) })).toBe('answered');
  });

  it('with ssl.client.auth=requested lets a client without a certificate in and refuses an untrusted one', async () => {
    broker = await sslBroker({ 'ssl.keystore.location': certs.serverKeystorePem, 'ssl.client.auth': 'requested', 'ssl.truststore.location': certs.caPem });
    const ca = [fs.readFileSync(certs.caPem)];
    const admin = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca } }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    const rogue = kafkajsClient({ brokers: [broker.bootstrap], ssl: { ca, cert: fs.readFileSync(certs.rogueCertPem), key: fs.readFileSync(certs.rogueKeyPem) } }).admin();
    await expect(rogue.connect().then(() => rogue.listTopics())).rejects.toThrow();
    await rogue.disconnect();
    expect(broker.lines.some((l) => /Failed authentication with \/127\.0\.0\.1/.test(l))).toBe(true);
  });
});

