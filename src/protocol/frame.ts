/**
 * Request/response framing: the int32 size prefix and the request/response
 * headers (RequestHeader v1/v2, ResponseHeader v0/v1), whose version follows
 * the flexibility of the API version they carry.
 */
import { messageSpecs } from './generated/schemas.js';
import { ByteReader, ByteWriter, ProtocolDecodeError } from './primitives.js';
import { inVersionRange, type VersionRange } from './schema-types.js';

/** ApiVersions responses always use response header v0 (so old clients can read them). */
const API_VERSIONS_KEY = 18;

const requestFlexible: VersionRange[] = [];
const responseFlexible: VersionRange[] = [];
for (const spec of messageSpecs) {
  if (spec.apiKey === undefined) continue;
  if (spec.kind === 'request') requestFlexible[spec.apiKey] = spec.flexibleVersions;
  else if (spec.kind === 'response') responseFlexible[spec.apiKey] = spec.flexibleVersions;
}

/**
 * Whether (apiKey, version) uses the flexible encoding. Judged from the spec's
 * flexibleVersions alone, so versions above the supported range of an open-ended
 * "N+" API still count as flexible (needed to read an ApiVersions v5 header).
 */
export function isFlexible(apiKey: number, version: number, kind: 'request' | 'response'): boolean {
  return inVersionRange((kind === 'request' ? requestFlexible : responseFlexible)[apiKey], version);
}

export interface RequestHeaderInfo {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** offset in the frame where the request body starts */
  bodyOffset: number;
}

/** Skips a tagged-field section whose tags we do not interpret (RequestHeader v2 defines none). */
function skipTaggedFields(r: ByteReader): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

/**
 * Parses the request header of one frame (the bytes after the int32 size prefix).
 * Works for unknown API keys and versions too, so the broker can still answer
 * ApiVersions with UNSUPPORTED_VERSION or close the connection knowingly.
 */
export function readRequestHeader(frame: Buffer): RequestHeaderInfo {
  const r = new ByteReader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  // ClientId is an int16-length string in header v1 and v2 alike (flexibleVersions "none").
  const clientId = r.nullableString();
  if (isFlexible(apiKey, apiVersion, 'request')) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.offset };
}

/** Whether a response to (apiKey, apiVersion) carries ResponseHeader v1 (a tag section). */
export function responseHeaderHasTags(apiKey: number, apiVersion: number): boolean {
  return apiKey !== API_VERSIONS_KEY && isFlexible(apiKey, apiVersion, 'response');
}

/** Prefixes a response body with the int32 size and the response header. */
export function encodeResponseFrame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer[]): Buffer[] {
  const withTags = responseHeaderHasTags(apiKey, apiVersion);
  let size = withTags ? 5 : 4;
  for (const chunk of body) size += chunk.length;
  const head = Buffer.allocUnsafe(withTags ? 9 : 8);
  head.writeInt32BE(size, 0);
  head.writeInt32BE(correlationId, 4);
  if (withTags) head[8] = 0; // empty tagged-field section
  return [head, ...body];
}

/** Prefixes a request body with the int32 size and request header v1 (v2 when flexible). */
export function encodeRequestFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: Buffer[],
): Buffer[] {
  const w = new ByteWriter(64);
  w.int32(0); // size, patched below
  w.int16(apiKey).int16(apiVersion).int32(correlationId).nullableString(clientId);
  if (isFlexible(apiKey, apiVersion, 'request')) w.uvarint(0);
  const head = w.toBuffer();
  let size = head.length - 4;
  for (const chunk of body) size += chunk.length;
  head.writeInt32BE(size, 0);
  return [head, ...body];
}

export interface ResponseHeaderInfo {
  correlationId: number;
  bodyOffset: number;
}

/** Parses the response header of one frame (after the size prefix) for a request of (apiKey, apiVersion). */
export function readResponseHeader(frame: Buffer, apiKey: number, apiVersion: number): ResponseHeaderInfo {
  const r = new ByteReader(frame);
  const correlationId = r.int32();
  if (responseHeaderHasTags(apiKey, apiVersion)) skipTaggedFields(r);
  return { correlationId, bodyOffset: r.offset };
}

/**
 * Splits complete size-prefixed frames off the front of buf. Returns the frames
 * and the offset of the first unconsumed byte. Throws for a negative size or one
 * above maxFrameBytes before waiting for its bytes.
 */
export function splitFrames(buf: Buffer, maxFrameBytes: number): { frames: Buffer[]; consumed: number } {
  const frames: Buffer[] = [];
  let at = 0;
  while (buf.length - at >= 4) {
    const size = buf.readInt32BE(at);
    if (size < 0 || size > maxFrameBytes) throw new ProtocolDecodeError(`invalid frame size ${size}`);
    if (buf.length - at - 4 < size) break;
    frames.push(buf.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return { frames, consumed: at };
}
