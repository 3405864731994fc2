/**
 * One client connection: splits the byte stream into size-prefixed frames,
 * hands each request to the dispatcher, and writes responses strictly in
 * request order (clients pipeline; kafka-python sends ApiVersions and Metadata
 * back to back). Responses that are ready together go out in one corked write.
 *
 * Bad input (garbage, a frame over socket.request.max.bytes, an API or version
 * we do not serve) closes this connection only, with one log line.
 */
import type { Socket } from 'node:net';
import { ConnectionSession, type ListenerSecurity } from './security/session.js';

/** What the dispatcher returns for one request: the encoded frame, or null for "no response". */
export type DispatchResult = Buffer[] | null;

export interface ConnectionOptions {
  id: number;
  maxRequestBytes: number;
  log: (line: string) => void;
  dispatch: (frame: Buffer, connection: Connection) => Promise<DispatchResult> | DispatchResult;
  /** the listener's security and the client's session state; a PLAINTEXT session when absent */
  session?: ConnectionSession;
}

const PLAINTEXT_LISTENER: ListenerSecurity = { name: 'PLAINTEXT', protocol: 'PLAINTEXT', principalRules: [], reauthMs: 0 };

/** Thrown by the dispatcher to close the connection (Kafka closes on an unsupported API version). */
export class CloseConnection extends Error {}

interface Pending {
  done: boolean;
  frames: Buffer[] | null;
}

export class Connection {
  readonly id: number;
  readonly remoteHost: string;
  /** who the client is and where its authentication stands (security/session.ts) */
  readonly session: ConnectionSession;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(
    readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.id = options.id;
    this.remoteHost = socket.remoteAddress ?? 'unknown';
    this.session = options.session ?? new ConnectionSession(PLAINTEXT_LISTENER, this.remoteHost.replace(/^::ffff:/, ''));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  describe(): string {
    return `${this.remoteHost}:${this.socket.remotePort ?? '?'}`;
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.options.log(`Closing connection ${this.describe()} (id ${this.id}): ${reason}`);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.options.maxRequestBytes) {
        this.close(
          `request size ${size} is ${size < 0 ? 'invalid' : `larger than socket.request.max.bytes (${this.options.maxRequestBytes})`}`,
        );
        return;
      }
      if (this.buffered < 4 + size) return;
      const frame = this.take(4 + size).subarray(4);
      this.handleFrame(frame);
      if (this.closed) return;
    }
  }

  /** First n bytes without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    const merged = Buffer.concat(this.chunks);
    this.chunks.length = 0;
    this.chunks.push(merged);
    return merged;
  }

  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0];
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const merged = Buffer.concat(this.chunks);
      out = merged.subarray(0, n);
      this.chunks.length = 0;
      if (merged.length > n) this.chunks.push(merged.subarray(n));
    }
    this.buffered -= n;
    return out;
  }

  private handleFrame(frame: Buffer): void {
    const slot: Pending = { done: false, frames: null };
    this.queue.push(slot);
    let result: Promise<DispatchResult> | DispatchResult;
    try {
      result = this.options.dispatch(frame, this);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (frames) => this.complete(slot, frames),
        (err: unknown) => this.fail(err),
      );
    } else {
      this.complete(slot, result);
    }
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.close(message);
  }

  private complete(slot: Pending, frames: DispatchResult): void {
    slot.done = true;
    slot.frames = frames;
    if (this.queue[0] !== slot) return;
    if (this.closed) return;
    // flush every completed response at the head of the queue in one corked write
    this.socket.cork();
    while (this.queue.length > 0 && this.queue[0].done) {
      const head = this.queue.shift()!;
      if (head.frames) for (const buf of head.frames) this.socket.write(buf);
    }
    process.nextTick(() => this.socket.uncork());
    // a failed SASL exchange: the client gets its error response, then the connection ends
    const reason = this.session.closeAfterResponse;
    if (reason !== null && this.queue.length === 0) {
      this.closed = true;
      this.options.log(`Closing connection ${this.describe()} (id ${this.id}): ${reason}`);
      process.nextTick(() => this.socket.destroySoon());
    }
  }
}
