/**
 * Throw-away TLS material for security tests, made with the openssl command line: a CA,
 * a server certificate for localhost / 127.0.0.1 (PEM key + chain, an encrypted-key PEM,
 * a PKCS12 store), client certificates signed by the CA and one signed by an unrelated CA.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../helpers/broker.js';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

export interface TestCerts {
  dir: string;
  caPem: string;
  /** server key + chain in one PEM file (ssl.keystore.type=PEM) */
  serverKeystorePem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** the server key encrypted with `keyPassword` */
  serverEncryptedKeystorePem: string;
  keyPassword: string;
  /** PKCS12 with `storePassword` */
  serverP12: string;
  storePassword: string;
  /** client alice (CN=alice,O=Acme,C=US) signed by the CA */
  clientCertPem: string;
  clientKeyPem: string;
  /** a client certificate from a CA the broker does not trust */
  rogueCertPem: string;
  rogueKeyPem: string;
  /** a server key store (PEM) whose certificate, signed by the CA, has already expired */
  expiredKeystorePem: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function signed(dir: string, name: string, subject: string, ca: string, ext?: string, days = '2'): void {
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  // -days 0: valid until the second it was made, so expired by the time a test connects
  const args = ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', days];
  if (ext) {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    args.push('-extfile', `${name}.ext`);
  }
  openssl(dir, args);
}

export function makeCerts(): TestCerts {
  const dir = tempDir('kafka-ts-certs-');
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test CA']);
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'rogue-ca.key', '-out', 'rogue-ca.pem', '-days', '2', '-subj', '/CN=Rogue CA']);
  signed(dir, 'server', '/CN=localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  signed(dir, 'alice', '/C=US/O=Acme/CN=alice', 'ca');
  signed(dir, 'rogue', '/CN=mallory', 'rogue-ca');
  signed(dir, 'expired', '/CN=localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n', '0');
  const p = (f: string): string => path.join(dir, f);
  fs.writeFileSync(p('server-keystore.pem'), fs.readFileSync(p('server.key'), 'utf8') + fs.readFileSync(p('server.pem'), 'utf8'));
  fs.writeFileSync(p('expired-keystore.pem'), fs.readFileSync(p('expired.key'), 'utf8') + fs.readFileSync(p('expired.pem'), 'utf8'));
  openssl(dir, ['pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:key-secret', '-out', 'server-enc.key']);
  fs.writeFileSync(p('server-keystore-enc.pem'), fs.readFileSync(p('server-enc.key'), 'utf8') + fs.readFileSync(p('server.pem'), 'utf8'));
  openssl(dir, ['pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-out', 'server.p12', '-passout', 'pass:store-secret']);
  return {
    dir,
    caPem: p('ca.pem'),
    serverKeystorePem: p('server-keystore.pem'),
    serverCertPem: p('server.pem'),
    serverKeyPem: p('server.key'),
    serverEncryptedKeystorePem: p('server-keystore-enc.pem'),
    keyPassword: 'key-secret',
    serverP12: p('server.p12'),
    storePassword: 'store-secret',
    clientCertPem: p('alice.pem'),
    clientKeyPem: p('alice.key'),
    rogueCertPem: p('rogue.pem'),
    rogueKeyPem: p('rogue.key'),
    expiredKeystorePem: p('expired-keystore.pem'),
  };
}
