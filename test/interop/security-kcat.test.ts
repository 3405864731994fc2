/**
 * kcat (librdkafka) against secured listeners with the client settings librdkafka
 * documents: SSL with ssl.ca.location, SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and
 * SCRAM-SHA-512, SASL_SSL with SCRAM; a wrong password and an untrusted broker
 * certificate fail on the client while the broker keeps serving; mutual TLS gives the
 * certificate's DN as principal (checked through an ACL naming it).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { recordSkip } from '../helpers/skips.js';
import { hasOpenssl, makeCerts, type TestCerts } from '../broker/security/certs.js';
import { addScramUser } from '../broker/security/scram-users.js';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (!hasKcat) recordSkip({ suite: 'kcat security interop', reason: 'kcat is not installed', package: 'kcat', install: 'apt-get install kcat' });
if (!hasOpenssl) recordSkip({ suite: 'kcat security interop', reason: 'openssl is not installed', package: 'openssl', install: 'apt-get install openssl' });
const ready = hasKcat && hasOpenssl;

let certs: TestCerts;
let broker: TestBroker;
const port = (name: string): number => broker.config.listeners.find((l) => l.name === name)!.port;

function kcat(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('kcat', args, { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

async function roundTrip(bootstrap: string, settings: string[], topic: string): Promise<string> {
  const produced = await kcat(['-b', bootstrap, ...settings, '-P', '-t', topic], 'first\nsecond\n');
  expect(produced.stderr, produced.stderr).toBe('');
  const consumed = await kcat(['-b', bootstrap, ...settings, '-C', '-t', topic, '-o', 'beginning', '-e', '-q']);
  expect(consumed.code, consumed.stderr).toBe(0);
  return consumed.stdout;
}

describe.skipIf(!ready)('kcat over SSL and SASL', () => {
  beforeAll(async () => {
    certs = makeCerts();
    broker = await startTestBroker({
      listeners: [
        { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'SSL', host: '127.0.0.1', port: 0 },
        { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'SASL_SSL', host: '127.0.0.1', port: 0 },
        { name: 'EXPIRED', host: '127.0.0.1', port: 0 },
      ],
      raw: {
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,EXPIRED:SSL',
        'ssl.keystore.location': certs.serverKeystorePem,
        // one listener with its own (expired) certificate
        'listener.name.expired.ssl.keystore.location': certs.expiredKeystorePem,
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
        // PLAIN only where its users are configured
        'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      },
    });
    await addScramUser(broker.port, 'bob', 'bob-256', 'SCRAM-SHA-256');
    await addScramUser(broker.port, 'bob', 'bob-512', 'SCRAM-SHA-512');
  }, 30_000);
  afterAll(async () => {
    await broker?.close();
    if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('produces and consumes over SSL (security.protocol=ssl, ssl.ca.location)', async () => {
    expect(await roundTrip(`127.0.0.1:${port('SSL')}`, ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.caPem}`], 'kcat-ssl')).toBe('first\nsecond\n');
  });

  it('produces and consumes over SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512', async () => {
    const bootstrap = `127.0.0.1:${port('SASL_PLAINTEXT')}`;
    const sasl = (mechanism: string, user: string, password: string): string[] => ['-X', 'security.protocol=sasl_plaintext', '-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`];
    expect(await roundTrip(bootstrap, sasl('PLAIN', 'alice', 'alice-secret'), 'kcat-plain')).toBe('first\nsecond\n');
    expect(await roundTrip(bootstrap, sasl('SCRAM-SHA-256', 'bob', 'bob-256'), 'kcat-scram-256')).toBe('first\nsecond\n');
    expect(await roundTrip(bootstrap, sasl('SCRAM-SHA-512', 'bob', 'bob-512'), 'kcat-scram-512')).toBe('first\nsecond\n');
  });

  it('produces and consumes over SASL_SSL with SCRAM-SHA-512', async () => {
    const settings = ['-X', 'security.protocol=sasl_ssl', '-X', `ssl.ca.location=${certs.caPem}`, '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=bob', '-X', 'sasl.password=bob-512'];
    expect(await roundTrip(`127.0.0.1:${port('SASL_SSL')}`, settings, 'kcat-sasl-ssl')).toBe('first\nsecond\n');
  });

  it('fails on a wrong password, an unknown user, an untrusted and an expired broker certificate, and keeps serving', async () => {
    const bootstrap = `127.0.0.1:${port('SASL_PLAINTEXT')}`;
    for (const [mechanism, user, password] of [['PLAIN', 'alice', 'wrong'], ['SCRAM-SHA-256', 'bob', 'wrong'], ['SCRAM-SHA-256', 'nobody', 'bob-256']]) {
      const failed = await kcat(['-b', bootstrap, '-X', 'security.protocol=sasl_plaintext', '-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`, '-L', '-m', '5']);
      expect(failed.code, `${mechanism} ${user}`).not.toBe(0);
      expect(failed.stderr, `${mechanism} ${user}`).toMatch(/Authentication failed/);
    }
    const untrusted = await kcat(['-b', `127.0.0.1:${port('SSL')}`, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.rogueCertPem}`, '-L', '-m', '5']);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/certificate verify failed|SSL handshake failed/);
    const expired = await kcat(['-b', `127.0.0.1:${port('EXPIRED')}`, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.caPem}`, '-L', '-m', '5']);
    expect(expired.code).not.toBe(0);
    expect(expired.stderr).toMatch(/certificate has expired|certificate verify failed/);
    const ok = await kcat(['-b', `127.0.0.1:${port('SSL')}`, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.caPem}`, '-L', '-m', '5']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe.skipIf(!ready)('kcat with mutual TLS', () => {
  let mtls: TestBroker;
  let mtlsCerts: TestCerts;
  afterAll(async () => {
    await mtls?.close();
    if (mtlsCerts) fs.rmSync(mtlsCerts.dir, { recursive: true, force: true });
  });

  it('authenticates the client certificate as User:<its RFC 2253 DN> and authorizes it by that name', async () => {
    const certs = (mtlsCerts = makeCerts());
    mtls = await startTestBroker({
      listeners: [
        { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
        { name: 'SSL', host: '127.0.0.1', port: 0 },
      ],
      raw: {
        'ssl.keystore.location': certs.serverKeystorePem,
        'ssl.truststore.location': certs.caPem,
        'ssl.client.auth': 'required',
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        // the plaintext listener (this test's admin) is ANONYMOUS
        'super.users': 'User:ANONYMOUS',
      },
    });
    const sslPort = mtls.config.listeners[1]!.port;
    const settings = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.caPem}`, '-X', `ssl.certificate.location=${certs.clientCertPem}`, '-X', `ssl.key.location=${certs.clientKeyPem}`];
    const bootstrap = `127.0.0.1:${sslPort}`;
    const denied = await kcat(['-b', bootstrap, ...settings, '-P', '-t', 'mtls-topic'], 'x\n');
    expect(denied.stderr).toMatch(/Topic authorization failed/i);

    const admin = new Kafka({ brokers: [`127.0.0.1:${mtls.port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createAcls({
      acl: [AclOperationTypes.WRITE, AclOperationTypes.CREATE, AclOperationTypes.READ].map((operation) => ({
        resourceType: AclResourceTypes.TOPIC, resourceName: 'mtls-', resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: 'User:CN=alice,O=Acme,C=US', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
      })),
    });
    await admin.disconnect();
    const produced = await kcat(['-b', bootstrap, ...settings, '-P', '-t', 'mtls-topic'], 'signed\n');
    expect(produced.stderr).toBe('');
    const consumed = await kcat(['-b', bootstrap, ...settings, '-C', '-t', 'mtls-topic', '-o', 'beginning', '-e', '-q']);
    expect(consumed.stdout).toBe('signed\n');
    // without a client certificate the handshake itself fails
    const anonymous = await kcat(['-b', bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.caPem}`, '-L', '-m', '5']);
    expect(anonymous.code).not.toBe(0);
  });
});
