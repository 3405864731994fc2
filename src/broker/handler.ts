/**
 * The contract every API handler in `broker/handlers/NN-name.ts` fulfils. The
 * registry (handlers/index.ts) collects them; ApiVersions is derived from the
 * declared version ranges, never kept by hand.
 */
import type { BrokerServices } from './services/index.js';
import type { ConnectionSession } from './security/session.js';

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** remote address of the connection, as Kafka reports it in group member hosts ("/127.0.0.1") */
  clientHost: string;
  connectionId: number;
  /** the connection's principal and SASL state (absent in handler unit tests: a PLAINTEXT, ANONYMOUS client) */
  session?: ConnectionSession;
}

/** Returned by a handler when the protocol says no response is sent (Produce acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no-response');
export type NoResponse = typeof NO_RESPONSE;

export interface ApiHandler<Req = unknown, Res = unknown> {
  apiKey: number;
  /** lowest and highest version this handler really serves */
  minVersion: number;
  maxVersion: number;
  /**
   * Lower bound advertised in ApiVersions when it must differ from minVersion
   * (Produce is advertised from 0 so librdkafka keeps compression on; VERSIONS.md rule 1).
   */
  advertisedMinVersion?: number;
  handle(request: Req, ctx: RequestContext, services: BrokerServices): Res | NoResponse | Promise<Res | NoResponse>;
}

/** Helper so each handler file gets full typing on its request and response. */
export function defineHandler<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler<Req, Res> {
  return handler;
}

/**
 * A request's int64 (offset, producer id, timestamp) as a JS number. Values beyond ±2^53
 * (no real offset or id gets there) are clamped to the safe range, so they stay exact and
 * encodable when written back as int64 (Number(2n ** 63n - 1n) would round to 2^63 and
 * overflow the encoder).
 */
export function int64ToNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (value < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(value);
}
