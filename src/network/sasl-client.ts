/**
 * The client side of SASL/PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, 7677), as
 * Kafka's clients speak them over SaslHandshake v1 + SaslAuthenticate: each step turns
 * the broker's last token into the next one to send. SCRAM checks the broker's final
 * signature, so a broker that does not know the password cannot pass for one that does.
 */
import crypto from 'node:crypto';

export type SaslMechanismName = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface SaslCredentials {
  mechanism: SaslMechanismName;
  username: string;
  password: string;
}

export interface SaslClient {
  /** the first token */
  start(): Buffer;
  /** the next token for the broker's `challenge`; null when the exchange is complete */
  next(challenge: Buffer): Buffer | null;
}

export class SaslClientError extends Error {}

export function saslClient(credentials: SaslCredentials): SaslClient {
  if (credentials.mechanism === 'PLAIN') {
    return {
      start: () => Buffer.from(`\u0000${credentials.username}\u0000${credentials.password}`, 'utf8'),
      next: () => null,
    };
  }
  return new ScramClient(credentials);
}

const saslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

class ScramClient implements SaslClient {
  private readonly hash: 'sha256' | 'sha512';
  private readonly keyLength: number;
  private readonly nonce = crypto.randomBytes(24).toString('base64url');
  private clientFirstBare = '';
  private serverSignature: Buffer | null = null;
  private done = false;

  constructor(private readonly credentials: SaslCredentials) {
    this.hash = credentials.mechanism === 'SCRAM-SHA-512' ? 'sha512' : 'sha256';
    this.keyLength = this.hash === 'sha512' ? 64 : 32;
  }

  start(): Buffer {
    this.clientFirstBare = `n=${saslName(this.credentials.username)},r=${this.nonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  next(challenge: Buffer): Buffer | null {
    if (this.done) return null;
    if (this.serverSignature !== null) {
      const final = challenge.toString('utf8');
      if (final.startsWith('e=')) throw new SaslClientError(`SCRAM authentication failed: ${final.slice(2)}`);
      const v = Buffer.from(final.replace(/^v=/, ''), 'base64');
      if (v.length !== this.serverSignature.length || !crypto.timingSafeEqual(v, this.serverSignature)) {
        throw new SaslClientError('SCRAM authentication failed: the broker\'s signature does not match');
      }
      this.done = true;
      return null;
    }
    const serverFirst = challenge.toString('utf8');
    const attrs = new Map(serverFirst.split(',').map((p) => [p[0]!, p.slice(2)] as [string, string]));
    const nonce = attrs.get('r') ?? '';
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    if (!nonce.startsWith(this.nonce) || !Number.isInteger(iterations) || iterations <= 0) throw new SaslClientError('SCRAM authentication failed: invalid server first message');
    const salted = crypto.pbkdf2Sync(Buffer.from(this.credentials.password, 'utf8'), salt, iterations, this.keyLength, this.hash);
    const hmac = (key: Buffer, data: string): Buffer => crypto.createHmac(this.hash, key).update(data).digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = crypto.createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }
}
