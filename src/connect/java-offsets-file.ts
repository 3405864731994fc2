/**
 * The offsets file format of Kafka's FileOffsetBackingStore: a Java-serialized
 * java.util.HashMap<byte[], byte[]> (keys and values are the offset JSON, UTF-8). Only
 * this one object graph is written and read, byte for byte as Java's
 * ObjectOutputStream writes it (stream magic, the HashMap class descriptor, loadFactor
 * and threshold, capacity and size in block data, then key and value arrays; the
 * byte[] class descriptor written once and referenced after), so a file written by
 * Java Kafka Connect is read here and a file written here is read by Java.
 */
const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
const TC_NULL = 0x70;
const TC_REFERENCE = 0x71;
const TC_CLASSDESC = 0x72;
const TC_OBJECT = 0x73;
const TC_ARRAY = 0x75;
const TC_BLOCKDATA = 0x77;
const TC_ENDBLOCKDATA = 0x78;
/** handle of the byte[] class descriptor: after the HashMap's descriptor (0x7e0000) and the HashMap itself (0x7e0001) */
const BYTE_ARRAY_CLASS_HANDLE = 0x7e0002;
const HASHMAP_SERIAL_VERSION_UID = Buffer.from('0507dac1c31660d1', 'hex');
const BYTE_ARRAY_SERIAL_VERSION_UID = Buffer.from('acf317f8060854e0', 'hex');

function javaUtf(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

export function isJavaSerialized(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes.readUInt16BE(0) === STREAM_MAGIC;
}

/** HashMap's table size for `size` entries put into `new HashMap<>()`. */
function tableCapacity(size: number): number {
  let capacity = 16;
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
}

export function writeJavaOffsetsFile(entries: ReadonlyArray<[Buffer, Buffer | null]>): Buffer {
  const capacity = tableCapacity(entries.length);
  const threshold = Buffer.alloc(4);
  threshold.writeFloatBE(0.75);
  const parts: Buffer[] = [
    Buffer.from([0xac, 0xed, 0x00, STREAM_VERSION, TC_OBJECT, TC_CLASSDESC]),
    javaUtf('java.util.HashMap'), HASHMAP_SERIAL_VERSION_UID,
    Buffer.from([0x03, 0x00, 0x02]), // SC_WRITE_METHOD | SC_SERIALIZABLE, two fields
    Buffer.from('F'), javaUtf('loadFactor'), Buffer.from('I'), javaUtf('threshold'),
    Buffer.from([TC_ENDBLOCKDATA, TC_NULL]),
    threshold, int32(Math.floor(capacity * 0.75)),
    Buffer.from([TC_BLOCKDATA, 8]), int32(capacity), int32(entries.length),
  ];
  let classWritten = false;
  const array = (bytes: Buffer | null): void => {
    if (bytes === null) {
      parts.push(Buffer.from([TC_NULL]));
      return;
    }
    if (!classWritten) {
      parts.push(Buffer.from([TC_ARRAY, TC_CLASSDESC]), javaUtf('[B'), BYTE_ARRAY_SERIAL_VERSION_UID, Buffer.from([0x02, 0x00, 0x00, TC_ENDBLOCKDATA, TC_NULL]));
      classWritten = true;
    } else {
      parts.push(Buffer.from([TC_ARRAY, TC_REFERENCE]), int32(BYTE_ARRAY_CLASS_HANDLE));
    }
    parts.push(int32(bytes.length), bytes);
  };
  for (const [key, value] of entries) {
    array(key);
    array(value);
  }
  parts.push(Buffer.from([TC_ENDBLOCKDATA]));
  return Buffer.concat(parts);
}

/** Reads the entries of a file writeJavaOffsetsFile (or Java's FileOffsetBackingStore) wrote; throws on anything else. */
export function readJavaOffsetsFile(bytes: Buffer): Array<[Buffer, Buffer | null]> {
  let pos = 0;
  const fail = (what: string): never => { throw new Error(`not a Java-serialized HashMap<byte[],byte[]> (${what} at byte ${pos})`); };
  const u8 = (): number => { if (pos >= bytes.length) fail('truncated'); return bytes[pos++]; };
  const u16 = (): number => { const v = bytes.readUInt16BE(pos); pos += 2; return v; };
  const i32 = (): number => { const v = bytes.readInt32BE(pos); pos += 4; return v; };
  const utf = (): string => { const n = u16(); const s = bytes.toString('utf8', pos, pos + n); pos += n; return s; };
  if (u16() !== STREAM_MAGIC || u16() !== STREAM_VERSION) fail('stream header');
  if (u8() !== TC_OBJECT || u8() !== TC_CLASSDESC) fail('object');
  if (utf() !== 'java.util.HashMap') fail('class');
  pos += 8 + 1; // serialVersionUID, flags
  const fields = u16();
  for (let i = 0; i < fields; i++) { u8(); utf(); }
  if (u8() !== TC_ENDBLOCKDATA || u8() !== TC_NULL) fail('class end');
  pos += 8; // loadFactor, threshold
  if (u8() !== TC_BLOCKDATA || u8() !== 8) fail('block data');
  i32(); // capacity
  const size = i32();
  const array = (): Buffer | null => {
    const tag = u8();
    if (tag === TC_NULL) return null;
    if (tag !== TC_ARRAY) fail('array');
    const desc = u8();
    if (desc === TC_CLASSDESC) {
      if (utf() !== '[B') fail('array class');
      pos += 8 + 1;
      const n = u16();
      for (let i = 0; i < n; i++) { u8(); utf(); }
      if (u8() !== TC_ENDBLOCKDATA || u8() !== TC_NULL) fail('array class end');
    } else if (desc === TC_REFERENCE) {
      pos += 4;
    } else {
      fail('array class');
    }
    const length = i32();
    if (length < 0 || pos + length > bytes.length) fail('array length');
    const data = Buffer.from(bytes.subarray(pos, pos + length));
    pos += length;
    return data;
  };
  const entries: Array<[Buffer, Buffer | null]> = [];
  for (let i = 0; i < size; i++) {
    const key = array();
    const value = array();
    if (key !== null) entries.push([key, value]);
  }
  return entries;
}
