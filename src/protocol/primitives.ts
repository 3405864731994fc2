/**
 * Kafka wire primitives: ByteReader (bounds-checked decoding over one Buffer) and
 * ByteWriter (growable encoder whose output is a Buffer[] chunk list, so large
 * payloads such as Fetch record bytes are referenced, never copied).
 */

/** Thrown for truncated or malformed input; lengths are checked before any allocation. */
export class ProtocolDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolDecodeError';
  }
}

const UUID_BYTES = 16;
/** Kafka's display form of the all-zero uuid (Uuid.ZERO_UUID). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Kafka's uuid display form: URL-safe base64 without padding (22 characters). */
export function uuidToString(bytes: Buffer): string {
  return bytes.toString('base64url');
}

export function uuidFromString(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== UUID_BYTES || text.length !== 22) throw new Error(`invalid uuid ${JSON.stringify(text)}`);
  return bytes;
}

export class ByteReader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    if (offset < 0 || end > buf.length || offset > end) throw new RangeError('ByteReader bounds outside buffer');
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Checks n more bytes exist, returning the current offset and advancing past them. */
  private take(n: number, what: string): number {
    const at = this.offset;
    if (n > this.end - at) {
      throw new ProtocolDecodeError(`truncated ${what}: need ${n} bytes at offset ${at}, have ${this.end - at}`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1, 'int8'));
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2, 'int16'));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4, 'int32'));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8, 'int64'));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.take(8, 'float64'));
  }
  bool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0;
  }
  uuid(): string {
    const at = this.take(UUID_BYTES, 'uuid');
    return uuidToString(this.buf.subarray(at, at + UUID_BYTES));
  }

  /** Unsigned LEB128 varint of at most 5 bytes (32 bits), as used by compact lengths and tags. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new ProtocolDecodeError(`truncated varint at offset ${this.offset}`);
      const b = this.buf[this.offset++]!;
      if (i === 4 && b > 0x0f) throw new ProtocolDecodeError('varint does not fit in 32 bits');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new ProtocolDecodeError('varint longer than 5 bytes');
  }

  /** Zig-zag signed 32-bit varint (record batches). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag signed 64-bit varlong (record batches). */
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtocolDecodeError(`truncated varlong at offset ${this.offset}`);
      const b = this.buf[this.offset++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
    throw new ProtocolDecodeError('varlong longer than 10 bytes');
  }

  private utf8(len: number): string {
    const at = this.take(len, 'string');
    return this.buf.toString('utf8', at, at + len);
  }

  /** int16-length string; -1 = null */
  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) {
      if (len === -1) return null;
      throw new ProtocolDecodeError(`negative string length ${len}`);
    }
    return this.utf8(len);
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolDecodeError('null string where not nullable');
    return s;
  }
  /** uvarint (length+1) string; 0 = null */
  compactNullableString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.utf8(n - 1);
  }
  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolDecodeError('null compact string where not nullable');
    return s;
  }

  /** Zero-copy view of the next len bytes. */
  slice(len: number): Buffer {
    const at = this.take(len, 'bytes');
    return this.buf.subarray(at, at + len);
  }
  /** int32-length bytes as a zero-copy view; -1 = null */
  nullableBytesView(): Buffer | null {
    const len = this.int32();
    if (len < 0) {
      if (len === -1) return null;
      throw new ProtocolDecodeError(`negative bytes length ${len}`);
    }
    return this.slice(len);
  }
  /** uvarint (length+1) bytes as a zero-copy view; 0 = null */
  compactNullableBytesView(): Buffer | null {
    const n = this.uvarint();
    return n === 0 ? null : this.slice(n - 1);
  }
  /** int32-length bytes, copied out of the input so callers may keep them */
  nullableBytes(): Buffer | null {
    const v = this.nullableBytesView();
    return v === null ? null : Buffer.from(v);
  }
  bytes(): Buffer {
    const v = this.nullableBytes();
    if (v === null) throw new ProtocolDecodeError('null bytes where not nullable');
    return v;
  }
  compactNullableBytes(): Buffer | null {
    const v = this.compactNullableBytesView();
    return v === null ? null : Buffer.from(v);
  }
  compactBytes(): Buffer {
    const v = this.compactNullableBytes();
    if (v === null) throw new ProtocolDecodeError('null compact bytes where not nullable');
    return v;
  }

  skip(n: number): void {
    this.take(n, 'skipped bytes');
  }
}

const MIN_CHUNK = 256;
const MAX_CHUNK = 64 * 1024;

export class ByteWriter {
  private chunks: Buffer[] = [];
  private cur: Buffer;
  /** start of the not-yet-flushed region of cur */
  private start = 0;
  private pos = 0;
  private total = 0;
  private nextChunkSize: number;

  constructor(initialSize = MIN_CHUNK) {
    this.cur = Buffer.allocUnsafe(initialSize);
    this.nextChunkSize = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, initialSize * 2));
  }

  /** Bytes written so far, appended external buffers included. */
  get length(): number {
    return this.total + (this.pos - this.start);
  }

  private ensure(n: number): void {
    if (this.cur.length - this.pos >= n) return;
    this.flush();
    const size = Math.max(n, this.nextChunkSize);
    this.nextChunkSize = Math.min(MAX_CHUNK, this.nextChunkSize * 2);
    this.cur = Buffer.allocUnsafe(size);
    this.start = 0;
    this.pos = 0;
  }

  private flush(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.cur.subarray(this.start, this.pos));
      this.total += this.pos - this.start;
      this.start = this.pos;
    }
  }

  int8(v: number): this {
    this.ensure(1);
    this.pos = this.cur.writeInt8(v, this.pos);
    return this;
  }
  int16(v: number): this {
    this.ensure(2);
    this.pos = this.cur.writeInt16BE(v, this.pos);
    return this;
  }
  uint16(v: number): this {
    this.ensure(2);
    this.pos = this.cur.writeUInt16BE(v, this.pos);
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.pos = this.cur.writeInt32BE(v, this.pos);
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.pos = this.cur.writeUInt32BE(v, this.pos);
    return this;
  }
  int64(v: bigint): this {
    this.ensure(8);
    this.pos = this.cur.writeBigInt64BE(v, this.pos);
    return this;
  }
  float64(v: number): this {
    this.ensure(8);
    this.pos = this.cur.writeDoubleBE(v, this.pos);
    return this;
  }
  bool(v: boolean): this {
    this.ensure(1);
    this.cur[this.pos++] = v ? 1 : 0;
    return this;
  }
  uuid(v: string): this {
    return this.raw(uuidFromString(v));
  }

  uvarint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`uvarint out of range: ${v}`);
    this.ensure(5);
    while (v >= 0x80) {
      this.cur[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.cur[this.pos++] = v;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }
  varlong(v: bigint): this {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (u >= 0x80n) {
      this.cur[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.cur[this.pos++] = Number(u);
    return this;
  }

  private utf8(v: string, len: number): void {
    this.ensure(len);
    this.pos += this.cur.write(v, this.pos, len, 'utf8');
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const len = Buffer.byteLength(v, 'utf8');
    if (len > 0x7fff) throw new RangeError(`string too long for int16 length: ${len} bytes`);
    this.int16(len);
    this.utf8(v, len);
    return this;
  }
  string(v: string): this {
    return this.nullableString(v);
  }
  compactNullableString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const len = Buffer.byteLength(v, 'utf8');
    this.uvarint(len + 1);
    this.utf8(v, len);
    return this;
  }
  compactString(v: string): this {
    return this.compactNullableString(v);
  }

  /** int32-length bytes; payloads of 1 KiB and more are referenced, not copied */
  nullableBytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    return this.bytesBody(v);
  }
  bytes(v: Buffer): this {
    return this.nullableBytes(v);
  }
  compactNullableBytes(v: Buffer | null): this {
    if (v === null) return this.uvarint(0);
    this.uvarint(v.length + 1);
    return this.bytesBody(v);
  }
  compactBytes(v: Buffer): this {
    return this.compactNullableBytes(v);
  }
  private bytesBody(v: Buffer): this {
    return v.length >= 1024 ? this.appendBuffer(v) : this.raw(v);
  }

  /** Copies buf into the output. */
  raw(buf: Buffer): this {
    this.ensure(buf.length);
    this.pos += buf.copy(this.cur, this.pos);
    return this;
  }

  /** Records buf as its own output chunk WITHOUT copying; the caller must not mutate it afterwards. */
  appendBuffer(buf: Buffer): this {
    if (buf.length === 0) return this;
    this.flush();
    this.chunks.push(buf);
    this.total += buf.length;
    return this;
  }

  /** Appends the output of another writer (its chunks are referenced). */
  appendWriter(other: ByteWriter): this {
    for (const c of other.toChunks()) this.appendBuffer(c);
    return this;
  }

  /** The output as a chunk list; the writer may continue to be used afterwards. */
  toChunks(): Buffer[] {
    this.flush();
    return this.chunks.slice();
  }

  /** The output as one contiguous Buffer (copies when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    if (chunks.length === 1) return chunks[0]!;
    return Buffer.concat(chunks, this.total);
  }
}
