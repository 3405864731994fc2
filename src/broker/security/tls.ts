/**
 * TLS for SSL and SASL_SSL listeners on node:tls, from Kafka's ssl.* keys (each may be
 * set for one listener as listener.name.<name>.ssl.*):
 *
 * - key store: `ssl.keystore.type` PEM (`ssl.keystore.location` holding the private key
 *   and certificate chain, the key encrypted with `ssl.key.password` or not; or inline
 *   `ssl.keystore.key` + `ssl.keystore.certificate.chain`) or PKCS12 (`ssl.keystore.password`).
 *   Kafka's default type is JKS, which node cannot read: without a type the file's content
 *   decides (PEM text, else PKCS12), and a JKS file gets the keytool line that converts it.
 * - trust store: `ssl.truststore.type` PEM (`ssl.truststore.location` or inline
 *   `ssl.truststore.certificates`).
 * - `ssl.client.auth` none | requested | required; `ssl.enabled.protocols`,
 *   `ssl.cipher.suites` (IANA names as Java spells them, or OpenSSL's).
 *
 * Every problem is one line naming the key (never its secret value).
 */
import fs from 'node:fs';
import tls from 'node:tls';
import type { BrokerConfig } from '../config.js';
import { listenerKeyName, listenerValue } from './listeners.js';
import { SecurityConfigError } from './security-config-error.js';

export type ClientAuth = 'none' | 'requested' | 'required';

export interface ListenerTls {
  options: tls.TlsOptions;
  clientAuth: ClientAuth;
}

const JKS_MAGIC = 0xfeedfeed;

/** IANA (Java) names of common TLS 1.2 suites → OpenSSL's; TLS 1.3 suites share their names. */
const OPENSSL_CIPHER_NAMES: Readonly<Record<string, string>> = {
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 'DHE-RSA-AES128-GCM-SHA256',
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 'DHE-RSA-AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
};
const TLS13_SUITES = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256']);

type Read = (key: string) => string | undefined;
type KeyName = (key: string) => string;

function readStoreFile(keyName: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new SecurityConfigError(`Cannot read ${keyName} ${file}: ${reason}`);
  }
}

/** PEM, PKCS12 or JKS: the configured type, else what the bytes look like. */
function storeType(configured: string | undefined, bytes: Buffer): 'PEM' | 'PKCS12' | 'JKS' {
  const type = configured?.toUpperCase();
  if (type === 'PEM' || type === 'PKCS12' || type === 'JKS') {
    // Kafka's default ssl.keystore.type is JKS; a PEM or PKCS12 file left at that default is read for what it is
    if (type === 'JKS' && !(bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC)) return bytes.includes('-----BEGIN') ? 'PEM' : 'PKCS12';
    return type;
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) return 'JKS';
  return bytes.includes('-----BEGIN') ? 'PEM' : 'PKCS12';
}

function jksLine(keyName: string, file: string, storeKind: 'keystore' | 'truststore'): SecurityConfigError {
  const p12 = file.replace(/\.jks$/i, '') + '.p12';
  return new SecurityConfigError(
    `${keyName} ${file} is a JKS ${storeKind}, which this broker cannot read: convert it with ` +
      `keytool -importkeystore -srckeystore ${file} -srcstoretype JKS -destkeystore ${p12} -deststoretype PKCS12 ` +
      `and set ssl.${storeKind}.location=${p12} ssl.${storeKind}.type=PKCS12`,
  );
}

function keyStoreOptions(read: Read, keyName: KeyName): tls.SecureContextOptions {
  const inlineKey = read('ssl.keystore.key');
  const inlineChain = read('ssl.keystore.certificate.chain');
  const keyPassword = read('ssl.key.password');
  if (inlineKey !== undefined || inlineChain !== undefined) {
    if (!inlineKey || !inlineChain) {
      throw new SecurityConfigError(`${keyName(inlineKey ? 'ssl.keystore.certificate.chain' : 'ssl.keystore.key')} is missing: ssl.keystore.key and ssl.keystore.certificate.chain go together`);
    }
    return { key: inlineKey, cert: inlineChain, passphrase: keyPassword };
  }
  const location = read('ssl.keystore.location');
  if (!location) throw new SecurityConfigError(`${keyName('ssl.keystore.location')} is not set: a TLS listener needs a key store (ssl.keystore.location, or ssl.keystore.key with ssl.keystore.certificate.chain)`);
  const bytes = readStoreFile(keyName('ssl.keystore.location'), location);
  switch (storeType(read('ssl.keystore.type'), bytes)) {
    case 'JKS':
      throw jksLine(keyName('ssl.keystore.location'), location, 'keystore');
    case 'PEM':
      return { key: bytes, cert: bytes, passphrase: keyPassword };
    default:
      return { pfx: bytes, passphrase: read('ssl.keystore.password') ?? '' };
  }
}

function trustStoreOptions(read: Read, keyName: KeyName): tls.SecureContextOptions {
  const inline = read('ssl.truststore.certificates');
  if (inline) return { ca: inline };
  const location = read('ssl.truststore.location');
  if (!location) return {};
  const bytes = readStoreFile(keyName('ssl.truststore.location'), location);
  switch (storeType(read('ssl.truststore.type'), bytes)) {
    case 'JKS':
      throw jksLine(keyName('ssl.truststore.location'), location, 'truststore');
    case 'PKCS12':
      throw new SecurityConfigError(
        `${keyName('ssl.truststore.location')} ${location} is a PKCS12 trust store, which node's TLS cannot read: ` +
          `convert it with openssl pkcs12 -in ${location} -nokeys -out ${location.replace(/\.p12$|\.pfx$/i, '')}.pem and set ssl.truststore.type=PEM`,
      );
    default:
      return { ca: bytes };
  }
}

function protocolRange(read: Read, keyName: KeyName): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion'> {
  const listed = (read('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3').split(',').map((s) => s.trim()).filter(Boolean);
  const order = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
  const known = listed.filter((p): p is (typeof order)[number] => (order as readonly string[]).includes(p));
  if (known.length === 0) throw new SecurityConfigError(`${keyName('ssl.enabled.protocols')} names no TLS version this broker knows (${listed.join(',')}): use TLSv1.2 and/or TLSv1.3`);
  const sorted = known.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { minVersion: sorted[0], maxVersion: sorted[sorted.length - 1] };
}

function cipherOptions(read: Read): Pick<tls.SecureContextOptions, 'ciphers'> {
  const listed = (read('ssl.cipher.suites') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (listed.length === 0) return {};
  const tls12 = listed.filter((c) => !TLS13_SUITES.has(c)).map((c) => OPENSSL_CIPHER_NAMES[c] ?? c);
  const tls13 = listed.filter((c) => TLS13_SUITES.has(c));
  return { ciphers: [...tls13, ...tls12].join(':') };
}

/** Turns node's TLS errors into one line naming the key (never the secret). */
function explain(err: Error, read: Read, keyName: KeyName): SecurityConfigError {
  const text = err.message;
  const store = read('ssl.keystore.location') ?? 'ssl.keystore.key';
  if (/mac verify failure|pkcs12|PKCS12/i.test(text)) return new SecurityConfigError(`Cannot open the key store ${store}: wrong ${keyName('ssl.keystore.password')} (or not a PKCS12 file)`);
  if (/bad decrypt|bad password|decrypt|interrupted or cancelled/i.test(text)) return new SecurityConfigError(`Cannot decrypt the private key in ${store}: wrong or missing ${keyName('ssl.key.password')}`);
  if (/key values mismatch/i.test(text)) return new SecurityConfigError(`The private key in ${store} does not belong to its certificate (${keyName('ssl.keystore.location')})`);
  if (/no start line|PEM|unsupported|ASN1|DECODER/i.test(text)) return new SecurityConfigError(`Cannot read the key or certificates of ${store} (${keyName('ssl.keystore.type')}): ${text}`);
  if (/cipher/i.test(text)) return new SecurityConfigError(`${keyName('ssl.cipher.suites')} names no cipher suite this broker can use: ${text}`);
  return new SecurityConfigError(`Cannot set up TLS for ${store}: ${text}`);
}

/**
 * The node:tls server options of one listener. Throws a SecurityConfigError naming the
 * key when a store cannot be read or opened (checked here, at start-up, not at the first
 * connection).
 */
export function listenerTls(config: Pick<BrokerConfig, 'raw'>, listenerName: string): ListenerTls {
  const read: Read = (key) => listenerValue(config, listenerName, key);
  const keyName: KeyName = (key) => listenerKeyName(config, listenerName, key);
  const clientAuth = (read('ssl.client.auth') ?? 'none').toLowerCase();
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') {
    throw new SecurityConfigError(`Invalid value ${clientAuth} for configuration ${keyName('ssl.client.auth')}: use none, requested or required`);
  }
  const secure: tls.SecureContextOptions = {
    ...keyStoreOptions(read, keyName),
    ...trustStoreOptions(read, keyName),
    ...protocolRange(read, keyName),
    ...cipherOptions(read),
  };
  try {
    tls.createSecureContext(secure);
  } catch (err) {
    throw explain(err as Error, read, keyName);
  }
  if (clientAuth !== 'none' && !secure.ca) {
    throw new SecurityConfigError(`${keyName('ssl.client.auth')}=${clientAuth} needs a trust store for client certificates: set ${keyName('ssl.truststore.location')}`);
  }
  return {
    clientAuth,
    options: {
      ...secure,
      requestCert: clientAuth !== 'none',
      // "requested": a client without a certificate is let in as ANONYMOUS; one that presents
      // a certificate the trust store does not vouch for is refused after the handshake
      rejectUnauthorized: clientAuth === 'required',
    },
  };
}
