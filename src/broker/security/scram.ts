/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka's ScramSaslServer
 * speaks them, and the credential formulas Kafka's ScramFormatter uses to store them
 * (salted password by PBKDF2-HMAC, StoredKey = H(HMAC(SaltedPassword, "Client Key")),
 * ServerKey = HMAC(SaltedPassword, "Server Key")). Proofs are compared in constant time.
 * An unknown user runs through the same steps against a made-up credential, so the
 * answer and its timing do not tell whether the user exists (as Kafka does).
 */
import crypto from 'node:crypto';
import type { ScramCredentialImage } from '../../metadata/security-image.js';
import { ScramMechanismId } from '../../metadata/security-image.js';
import { SaslAuthenticationError, type SaslServer, type SaslStep } from './sasl-server.js';

export interface ScramMechanism {
  name: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  id: number;
  hash: 'sha256' | 'sha512';
  keyLength: number;
  /** Kafka's minimum iterations (ScramMechanism.minIterations) */
  minIterations: number;
}

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = [
  { name: 'SCRAM-SHA-256', id: ScramMechanismId.SCRAM_SHA_256, hash: 'sha256', keyLength: 32, minIterations: 4096 },
  { name: 'SCRAM-SHA-512', id: ScramMechanismId.SCRAM_SHA_512, hash: 'sha512', keyLength: 64, minIterations: 4096 },
];

/** Kafka refuses more iterations than this (ScramMechanism.maxIterations). */
export const SCRAM_MAX_ITERATIONS = 16384;

export function scramMechanism(nameOrId: string | number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === nameOrId || m.id === nameOrId);
}

const hmac = (m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer => crypto.createHmac(m.hash, key).update(data).digest();
const hash = (m: ScramMechanism, data: Buffer): Buffer => crypto.createHash(m.hash).update(data).digest();

export function saltedPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.keyLength, m.hash);
}

/** The stored credential for a salted password (what AlterUserScramCredentials upserts carry). */
export function credentialFromSaltedPassword(m: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramCredentialImage {
  const clientKey = hmac(m, salted, 'Client Key');
  return { salt, storedKey: hash(m, clientKey), serverKey: hmac(m, salted, 'Server Key'), iterations };
}

export function credentialFromPassword(m: ScramMechanism, password: string, iterations: number, salt = crypto.randomBytes(m.keyLength)): ScramCredentialImage {
  return credentialFromSaltedPassword(m, saltedPassword(m, password, salt, iterations), salt, iterations);
}

/** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='. */
function decodeSaslName(name: string): string {
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** The server side of one SCRAM exchange: client-first → server-first, client-final → server-final. */
export class ScramSaslServer implements SaslServer {
  private state: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private credential: ScramCredentialImage | undefined;
  private fakeCredential: ScramCredentialImage | undefined;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly lookup: (user: string) => ScramCredentialImage | undefined,
  ) {}

  get mechanismName(): string {
    return this.mechanism.name;
  }

  evaluate(token: Buffer): SaslStep {
    const text = token.toString('utf8');
    if (this.state === 'first') return this.first(text);
    if (this.state === 'final') return this.final(text);
    throw new SaslAuthenticationError('SCRAM exchange already complete');
  }

  private first(text: string): SaslStep {
    // gs2-header: "n,," or "y,," or with "a=authzid"; channel binding ("p=") is not offered
    const match = /^([ny]),(a=[^,]*)?,(.*)$/.exec(text);
    if (!match) throw new SaslAuthenticationError('Invalid SCRAM client first message');
    this.clientFirstBare = match[3]!;
    const attrs = attributes(this.clientFirstBare);
    const user = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (!user || !clientNonce) throw new SaslAuthenticationError('Invalid SCRAM client first message');
    this.user = decodeSaslName(user);
    const authzid = match[2] ? decodeSaslName(match[2].slice(2)) : '';
    if (authzid && authzid !== this.user) throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    this.credential = this.lookup(this.user);
    const used = this.credential ?? (this.fakeCredential = credentialFromPassword(this.mechanism, crypto.randomBytes(16).toString('hex'), this.mechanism.minIterations));
    this.nonce = clientNonce + crypto.randomBytes(24).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${used.salt.toString('base64')},i=${used.iterations}`;
    this.state = 'final';
    return { challenge: Buffer.from(this.serverFirst, 'utf8'), complete: false };
  }

  private final(text: string): SaslStep {
    this.state = 'done';
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw new SaslAuthenticationError('Invalid SCRAM client final message');
    const withoutProof = text.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    // Kafka's ScramSaslServer accepts a final nonce that ends with the server-first one (librdkafka 2.0 repeats the client part)
    if (!(attrs.get('r') ?? '').endsWith(this.nonce)) throw new SaslAuthenticationError('Invalid SCRAM client nonce');
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const credential = this.credential ?? this.fakeCredential!;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(clientSignature.length);
    for (let i = 0; i < clientKey.length; i++) clientKey[i] = (proof[i] ?? 0) ^ clientSignature[i]!;
    const computed = hash(this.mechanism, clientKey);
    const proofOk = proof.length === clientSignature.length && crypto.timingSafeEqual(computed, credential.storedKey);
    if (!proofOk || this.credential === undefined) throw new SaslAuthenticationError('Invalid client credentials');
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage);
    return { challenge: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), complete: true, user: this.user };
  }
}
