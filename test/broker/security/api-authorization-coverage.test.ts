/**
 * Every API the broker serves is either in the authorization table or deliberately
 * open/handled in its own handler, so a handler added later cannot go unchecked
 * (WriteTxnMarkers and AllocateProducerIds once did).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_AUTHORIZATION } from '../../../src/broker/security/api-authorization.js';

/** ApiVersions and the SASL APIs come before authentication; 50/51 check CLUSTER in their handlers (as Kafka's). */
const CHECKED_ELSEWHERE = new Set([17, 18, 36, 50, 51]);

describe('authorization table coverage', () => {
  it('names every served API key, or it is one of the APIs checked elsewhere', () => {
    const dir = path.resolve(import.meta.dirname, '../../../src/broker/handlers');
    const served = readdirSync(dir)
      .map((f) => /^(\d+)-.*\.ts$/.exec(f)?.[1])
      .filter((k): k is string => k !== undefined)
      .map(Number);
    expect(served.length).toBeGreaterThan(40);
    const unchecked = served.filter((key) => !(key in API_AUTHORIZATION) && !CHECKED_ELSEWHERE.has(key));
    expect(unchecked).toEqual([]);
  });
});
