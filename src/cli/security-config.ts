/**
 * The client security settings Kafka's tools read from --command-config,
 * --producer.config / --consumer.config and --*-property (security.protocol,
 * sasl.mechanism, sasl.jaas.config, ssl.truststore.*, ssl.keystore.*,
 * ssl.endpoint.identification.algorithm), turned into TLS options and SASL credentials
 * for src/network and kafkajs. Stores are read as the broker reads them: PEM files or
 * inline PEM, PKCS12 key stores; a JKS store gets the keytool line that converts it.
 * Every problem is one line naming the key; secrets never appear in it.
 */
import fs from 'node:fs';
import type tls from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { SaslCredentials, SaslMechanismName } from '../network/index.js';
import { parseJaasConfig } from '../broker/security/jaas.js';
import { SecurityConfigError } from '../broker/security/security-config-error.js';
import { CliError } from './errors.js';

export interface ClientSecurity {
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  tls?: tls.ConnectionOptions;
  sasl?: SaslCredentials;
}

const JKS_MAGIC = 0xfeedfeed;

function readFile(key: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read ${key} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
}

function kind(configured: string | undefined, bytes: Buffer): 'PEM' | 'PKCS12' | 'JKS' {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) return 'JKS';
  if (configured?.toUpperCase() === 'PEM' || bytes.includes('-----BEGIN')) return 'PEM';
  return 'PKCS12';
}

function jks(key: string, file: string, store: 'keystore' | 'truststore'): CliError {
  const p12 = file.replace(/\.jks$/i, '') + '.p12';
  return new CliError(`${key} ${file} is a JKS ${store}, which this toolkit cannot read: convert it with keytool -importkeystore -srckeystore ${file} -srcstoretype JKS -destkeystore ${p12} -deststoretype PKCS12 and set ssl.${store}.location=${p12} ssl.${store}.type=PKCS12`);
}

function tlsOptions(props: Record<string, string>): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = { rejectUnauthorized: true };
  const inlineTrust = props['ssl.truststore.certificates'];
  const trustLocation = props['ssl.truststore.location'];
  if (inlineTrust) out.ca = inlineTrust;
  else if (trustLocation) {
    const bytes = readFile('ssl.truststore.location', trustLocation);
    const type = kind(props['ssl.truststore.type'], bytes);
    if (type === 'JKS') throw jks('ssl.truststore.location', trustLocation, 'truststore');
    if (type === 'PKCS12') {
      throw new CliError(`ssl.truststore.location ${trustLocation} is a PKCS12 trust store, which node's TLS cannot read: convert it with openssl pkcs12 -in ${trustLocation} -nokeys -out truststore.pem and set ssl.truststore.type=PEM`);
    }
    out.ca = bytes;
  }
  const inlineKey = props['ssl.keystore.key'];
  const inlineChain = props['ssl.keystore.certificate.chain'];
  const keyLocation = props['ssl.keystore.location'];
  if (inlineKey || inlineChain) {
    if (!inlineKey || !inlineChain) throw new CliError('ssl.keystore.key and ssl.keystore.certificate.chain go together: set both');
    Object.assign(out, { key: inlineKey, cert: inlineChain, passphrase: props['ssl.key.password'] });
  } else if (keyLocation) {
    const bytes = readFile('ssl.keystore.location', keyLocation);
    const type = kind(props['ssl.keystore.type'], bytes);
    if (type === 'JKS') throw jks('ssl.keystore.location', keyLocation, 'keystore');
    if (type === 'PEM') Object.assign(out, { key: bytes, cert: bytes, passphrase: props['ssl.key.password'] });
    else Object.assign(out, { pfx: bytes, passphrase: props['ssl.keystore.password'] ?? '' });
  }
  // Kafka's clients check the broker's host name unless this is set to empty
  if ((props['ssl.endpoint.identification.algorithm'] ?? 'https').trim() === '') out.checkServerIdentity = () => undefined;
  const protocols = (props['ssl.enabled.protocols'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (protocols.length > 0) {
    const order = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
    const known = protocols.filter((p) => order.includes(p)).sort((a, b) => order.indexOf(a) - order.indexOf(b)) as tls.SecureVersion[];
    if (known.length > 0) Object.assign(out, { minVersion: known[0], maxVersion: known[known.length - 1] });
  }
  return out;
}

function saslCredentials(props: Record<string, string>): SaslCredentials {
  const mechanism = (props['sasl.mechanism'] ?? 'GSSAPI').trim().toUpperCase();
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
    throw new CliError(`sasl.mechanism=${mechanism} is not supported by this toolkit: set sasl.mechanism to PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`);
  }
  const jaasText = props['sasl.jaas.config'];
  if (!jaasText) {
    throw new CliError(`security.protocol=${props['security.protocol']} needs sasl.jaas.config, e.g. sasl.jaas.config=org.apache.kafka.common.security.${mechanism === 'PLAIN' ? 'plain.PlainLoginModule' : 'scram.ScramLoginModule'} required username="alice" password="alice-secret";`);
  }
  let options: Record<string, string>;
  try {
    options = parseJaasConfig(jaasText, 'sasl.jaas.config').options;
  } catch (err) {
    if (err instanceof SecurityConfigError) throw new CliError(err.message);
    throw err;
  }
  if (options.username === undefined || options.password === undefined) throw new CliError('sasl.jaas.config must give username="..." and password="..."');
  return { mechanism: mechanism as SaslMechanismName, username: options.username, password: options.password };
}

/** The security a tool's client properties ask for. */
export function clientSecurity(props: Record<string, string>): ClientSecurity {
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').trim().toUpperCase();
  if (protocol !== 'PLAINTEXT' && protocol !== 'SSL' && protocol !== 'SASL_PLAINTEXT' && protocol !== 'SASL_SSL') {
    throw new CliError(`Invalid value ${props['security.protocol']} for configuration security.protocol: use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL`);
  }
  return {
    protocol,
    tls: protocol === 'SSL' || protocol === 'SASL_SSL' ? tlsOptions(props) : undefined,
    sasl: protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL' ? saslCredentials(props) : undefined,
  };
}

/** The same settings as kafkajs' `ssl` and `sasl` options. */
export function kafkajsSecurity(props: Record<string, string>): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const security = clientSecurity(props);
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) out.ssl = security.tls;
  if (security.sasl) {
    out.sasl = { mechanism: security.sasl.mechanism.toLowerCase(), username: security.sasl.username, password: security.sasl.password } as SASLOptions;
  }
  return out;
}
