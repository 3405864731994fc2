/**
 * ByteReader/ByteWriter: varint edge cases, classic and compact (nullable)
 * strings and bytes, uuid display form, zero-copy chunk output, and length checks
 * that fail before allocating.
 */
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, ProtocolDecodeError, ZERO_UUID, uuidFromString, uuidToString } from '../../src/protocol/primitives.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const written = (fn: (w: ByteWriter) => void) => {
  const w = new ByteWriter();
  fn(w);
  return w.toBuffer().toString('hex');
};

describe('varints', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2 ** 31 - 1, 'ffffffff07'],
    [2 ** 32 - 1, 'ffffffff0f'],
  ])('uvarint %i ↔ %s', (value, bytes) => {
    expect(written((w) => w.uvarint(value))).toBe(bytes);
    const r = new ByteReader(hex(bytes));
    expect(r.uvarint()).toBe(value);
    expect(r.remaining).toBe(0);
  });

  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [2 ** 31 - 1, 'feffffff0f'],
    [-(2 ** 31), 'ffffffff0f'],
  ])('zig-zag varint %i ↔ %s', (value, bytes) => {
    expect(written((w) => w.varint(value))).toBe(bytes);
    expect(new ByteReader(hex(bytes)).varint()).toBe(value);
  });

  it.each([
    [0n, '00'],
    [-1n, '01'],
    [1n, '02'],
    [2n ** 63n - 1n, 'feffffffffffffffff01'],
    [-(2n ** 63n), 'ffffffffffffffffff01'],
    [1234567890123n, '9693d89fee47'],
  ])('zig-zag varlong %s ↔ %s', (value, bytes) => {
    expect(written((w) => w.varlong(value))).toBe(bytes);
    expect(new ByteReader(hex(bytes)).varlong()).toBe(value);
  });

  it('rejects over-long or truncated varints', () => {
    expect(() => new ByteReader(hex('ffffffffff01')).uvarint()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(hex('ffffffff1f')).uvarint()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(hex('8080')).uvarint()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(hex('ffffffffffffffffffff01')).varlong()).toThrow(ProtocolDecodeError);
  });
});

describe('strings and bytes', () => {
  it('classic nullable strings use an int16 length, -1 for null', () => {
    expect(written((w) => w.nullableString(null))).toBe('ffff');
    expect(written((w) => w.string(''))).toBe('0000');
    expect(written((w) => w.string('é'))).toBe('0002c3a9');
    expect(new ByteReader(hex('ffff')).nullableString()).toBeNull();
    expect(new ByteReader(hex('0002c3a9')).string()).toBe('é');
    expect(() => new ByteReader(hex('ffff')).string()).toThrow(ProtocolDecodeError);
  });

  it('compact nullable strings use uvarint length+1, 0 for null', () => {
    expect(written((w) => w.compactNullableString(null))).toBe('00');
    expect(written((w) => w.compactString(''))).toBe('01');
    expect(written((w) => w.compactString('abc'))).toBe('04616263');
    expect(new ByteReader(hex('00')).compactNullableString()).toBeNull();
    expect(new ByteReader(hex('01')).compactNullableString()).toBe('');
    expect(new ByteReader(hex('04616263')).compactString()).toBe('abc');
    expect(() => new ByteReader(hex('00')).compactString()).toThrow(ProtocolDecodeError);
    const long = 'x'.repeat(200);
    const r = new ByteReader(new ByteWriter().compactString(long).toBuffer());
    expect(r.compactString()).toBe(long);
  });

  it('bytes: classic int32 and compact lengths, null markers', () => {
    expect(written((w) => w.nullableBytes(null))).toBe('ffffffff');
    expect(written((w) => w.compactNullableBytes(null))).toBe('00');
    expect(written((w) => w.bytes(hex('0102')))).toBe('000000020102');
    expect(written((w) => w.compactBytes(hex('0102')))).toBe('030102');
    expect(new ByteReader(hex('000000020102')).bytes()).toEqual(hex('0102'));
    expect(new ByteReader(hex('030102')).compactBytes()).toEqual(hex('0102'));
    expect(new ByteReader(hex('ffffffff')).nullableBytes()).toBeNull();
  });

  it('length fields larger than the input throw before allocating', () => {
    const tenLeft = Buffer.concat([hex('7fffffff'), Buffer.alloc(10)]);
    expect(() => new ByteReader(tenLeft).bytes()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(hex('7fff 0000')).string()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(hex('ffffffff0f 00')).compactBytes()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(hex('fffe')).nullableString()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(hex('0000')).int32()).toThrow(ProtocolDecodeError);
  });
});

describe('fixed-width numbers', () => {
  it('round-trips every width big-endian', () => {
    const w = new ByteWriter(8);
    w.int8(-2).int16(-300).uint16(65535).int32(-5).uint32(4294967295).int64(-(2n ** 63n)).float64(1.5).bool(true);
    const buf = w.toBuffer();
    expect(buf.subarray(0, 3).toString('hex')).toBe('fefed4');
    const r = new ByteReader(buf);
    expect([r.int8(), r.int16(), r.uint16(), r.int32(), r.uint32(), r.int64(), r.float64(), r.bool()]).toEqual([
      -2,
      -300,
      65535,
      -5,
      4294967295,
      -(2n ** 63n),
      1.5,
      true,
    ]);
    expect(r.remaining).toBe(0);
  });
});

describe('uuid', () => {
  it('uses URL-safe base64 without padding; zero is AAAAAAAAAAAAAAAAAAAAAA', () => {
    expect(uuidToString(Buffer.alloc(16))).toBe(ZERO_UUID);
    const bytes = hex('fbfbfbfbfbfbfbfbfbfbfbfbfbfbfbfb');
    const text = uuidToString(bytes);
    expect(text).toHaveLength(22);
    expect(text).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(text.startsWith('-_v7')).toBe(true);
    expect(uuidFromString(text)).toEqual(bytes);
    expect(new ByteReader(Buffer.concat([bytes])).uuid()).toBe(text);
    expect(written((w) => w.uuid(text))).toBe(bytes.toString('hex'));
    expect(() => uuidFromString('short')).toThrow();
  });
});

describe('ByteWriter chunk output', () => {
  it('appendBuffer references the buffer instead of copying it', () => {
    const big = Buffer.alloc(4096, 7);
    const w = new ByteWriter();
    w.int32(big.length).appendBuffer(big).int16(9);
    const chunks = w.toChunks();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    expect(w.length).toBe(4 + 4096 + 2);
    big[0] = 1; // visible through the chunk list: no copy was made
    expect(Buffer.concat(chunks)[4]).toBe(1);
    expect(Buffer.concat(chunks).readInt16BE(4100)).toBe(9);
  });

  it('grows past its initial chunk', () => {
    const w = new ByteWriter(4);
    for (let i = 0; i < 1000; i++) w.int32(i);
    const r = new ByteReader(w.toBuffer());
    for (let i = 0; i < 1000; i++) expect(r.int32()).toBe(i);
  });
});
