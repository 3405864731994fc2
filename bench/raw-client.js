/**
 * The benchmarks' Kafka client: one connection speaking the protocol with the project's
 * own codec (dist/protocol), so the figures measure the broker rather than a client library.
 */
import net from 'node:net';
import { encodeRequest, decodeResponse } from '../dist/protocol/codec.js';
import { encodeRequestFrame, readResponseHeader, splitFrames } from '../dist/protocol/frame.js';
import { ByteReader } from '../dist/protocol/primitives.js';

const MB = 1024 * 1024;

/** One connection; requests are pipelined and matched to responses by correlation id. */
export class RawClient {
  constructor(socket) {
    this.socket = socket;
    this.nextCorrelationId = 1;
    this.pending = new Map();
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(err));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static connect(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new RawClient(socket)));
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  }

  request(apiKey, apiVersion, body) {
    const correlationId = this.nextCorrelationId++;
    const chunks = encodeRequestFrame(apiKey, apiVersion, correlationId, 'bench', encodeRequest(apiKey, apiVersion, body));
    return new Promise((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, apiVersion, resolve, reject });
      this.socket.cork();
      for (const chunk of chunks) this.socket.write(chunk);
      this.socket.uncork();
    });
  }

  onData(chunk) {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const { frames, consumed } = splitFrames(this.buffered, 512 * MB);
    this.buffered = this.buffered.subarray(consumed);
    for (const frame of frames) {
      const correlationId = frame.readInt32BE(0);
      const call = this.pending.get(correlationId);
      if (!call) continue;
      this.pending.delete(correlationId);
      const { bodyOffset } = readResponseHeader(frame, call.apiKey, call.apiVersion);
      call.resolve(decodeResponse(call.apiKey, call.apiVersion, new ByteReader(frame, bodyOffset)));
    }
  }

  failAll(err) {
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }

  close() {
    this.socket.end();
  }
}
