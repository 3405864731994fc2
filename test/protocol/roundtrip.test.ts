/**
 * Generated round trip: for every message schema and every valid version, build a
 * value with every present field set (deterministic pseudo-random, nested arrays of
 * 1-2 structs, tagged fields set), encode, decode, and compare.
 */
import { describe, expect, it } from 'vitest';
import { messageSpecs } from '../../src/protocol/generated/schemas.js';
import { compileMessage } from '../../src/protocol/codec.js';
import { ByteReader, ByteWriter } from '../../src/protocol/primitives.js';
import type { FieldSpec, MessageSpec } from '../../src/protocol/schema-types.js';

/** mulberry32: small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const has = (range: readonly [number, number] | null | undefined, v: number): boolean =>
  range != null && v >= range[0] && v <= range[1];

/** What a decoder must produce for a field the version does not carry (written independently of the codec). */
function expectedDefault(f: FieldSpec): unknown {
  if (f.default === null) return null;
  if (f.array) return [];
  switch (f.type) {
    case 'struct':
      return Object.fromEntries(f.fields!.map((s) => [s.name, expectedDefault(s)]));
    case 'int64':
      return f.default === undefined ? 0n : BigInt(f.default as string);
    case 'bool':
      return f.default ?? false;
    case 'string':
      return f.default ?? '';
    case 'uuid':
      return 'AAAAAAAAAAAAAAAAAAAAAA';
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      return f.default ?? 0;
  }
}

function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function randomPrimitive(f: FieldSpec, rand: () => number): unknown {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  switch (f.type) {
    case 'bool':
      return f.default === true ? false : true;
    case 'int8':
      return int(-128, 127);
    case 'int16':
      return int(-32768, 32767);
    case 'uint16':
      return int(1, 65535);
    case 'int32':
      return int(-2147483648, 2147483647);
    case 'uint32':
      return int(1, 4294967295);
    case 'int64':
      return BigInt.asIntN(64, (BigInt(int(0, 0xffffffff)) << 32n) | BigInt(int(0, 0xffffffff)));
    case 'float64':
      return (rand() - 0.5) * 1e9;
    case 'string':
      return `s${int(0, 9999)}-é✓`.slice(0, int(2, 8));
    case 'uuid':
      return randomBytes(rand, 16).toString('base64url');
    case 'bytes':
      return randomBytes(rand, int(1, 8));
    case 'records':
      return randomBytes(rand, int(1, 24));
    default:
      throw new Error(`unexpected ${f.type}`);
  }
}

function randomStruct(fields: readonly FieldSpec[], version: number, rand: () => number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) o[f.name] = has(f.versions, version) ? randomField(f, version, rand) : expectedDefault(f);
  return o;
}

function randomField(f: FieldSpec, version: number, rand: () => number): unknown {
  // Nullable fields are null one time in five, so both encodings of nullability are exercised.
  if (has(f.nullableVersions, version) && rand() < 0.2) return null;
  const one = () => (f.type === 'struct' ? randomStruct(f.fields!, version, rand) : randomPrimitive(f, rand));
  if (f.array) {
    const n = 1 + Math.floor(rand() * 2);
    return Array.from({ length: n }, one);
  }
  return one();
}

function versions(spec: MessageSpec): number[] {
  const [lo, hi] = spec.validVersions!;
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function concat(chunks: Buffer[]): Buffer {
  return Buffer.concat(chunks);
}

describe('generated round trip over every schema and version', () => {
  for (const spec of messageSpecs) {
    it(`${spec.name} ${spec.validVersions!.join('-')}`, () => {
      for (const version of versions(spec)) {
        const codec = compileMessage(spec, version);
        for (let seed = 1; seed <= 3; seed++) {
          const rand = prng(seed * 7919 + version * 31 + (spec.apiKey ?? 0));
          const value = randomStruct(spec.fields, version, rand);
          const w = new ByteWriter();
          codec.write(w, value);
          const bytes = concat(w.toChunks());
          const reader = new ByteReader(bytes);
          const decoded = codec.read(reader);
          expect(reader.remaining, `${spec.name} v${version} left bytes`).toBe(0);
          expect(decoded, `${spec.name} v${version} seed ${seed}`).toEqual(value);
          // Re-encoding what was decoded gives the same bytes (the encoding is canonical).
          const again = new ByteWriter();
          codec.write(again, decoded);
          expect(again.toBuffer().equals(bytes)).toBe(true);
        }
      }
    });
  }

  it('covers every request and response the broker listener accepts', () => {
    const requests = messageSpecs.filter((s) => s.kind === 'request');
    const responses = messageSpecs.filter((s) => s.kind === 'response');
    expect(requests.length).toBeGreaterThan(50);
    expect(responses.map((s) => s.apiKey)).toEqual(requests.map((s) => s.apiKey));
  });
});
