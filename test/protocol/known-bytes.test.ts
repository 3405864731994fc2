/**
 * Hand-built wire bytes for requests and responses (headers included), and
 * malformed input that must fail with ProtocolDecodeError without allocating.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeData,
  decodeRequest,
  decodeResponse,
  encodeData,
  encodeRequest,
  encodeResponse,
} from '../../src/protocol/codec.js';
import {
  encodeRequestFrame,
  encodeResponseFrame,
  isFlexible,
  readRequestHeader,
  readResponseHeader,
  splitFrames,
} from '../../src/protocol/frame.js';
import { ByteReader, ProtocolDecodeError, ZERO_UUID } from '../../src/protocol/primitives.js';
import { KafkaError, ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey, apiName } from '../../src/protocol/generated/api-keys.js';
import type {
  ApiVersionsRequest,
  ApiVersionsResponse,
  ConsumerProtocolSubscription,
  FetchResponse,
  MetadataRequest,
} from '../../src/protocol/generated/types.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const joined = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

describe('ApiVersions v0', () => {
  const requestFrame = hex(`0000000d 0012 0000 00000001 0003 ${ascii('abc')}`);

  it('encodes the request frame with header v1 and an empty body', () => {
    expect(joined(encodeRequestFrame(ApiKey.ApiVersions, 0, 1, 'abc', encodeRequest(ApiKey.ApiVersions, 0, {})))).toBe(
      requestFrame.toString('hex'),
    );
  });

  it('reads the header and decodes the (empty) body with defaults', () => {
    const frame = requestFrame.subarray(4);
    const header = readRequestHeader(frame);
    expect(header).toEqual({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'abc', bodyOffset: 13 });
    const body = decodeRequest<ApiVersionsRequest>(18, 0, new ByteReader(frame, header.bodyOffset));
    expect(body).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' });
  });

  it('encodes the response with header v0', () => {
    const body = encodeResponse(ApiKey.ApiVersions, 0, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }],
    });
    expect(joined(body)).toBe('0000' + '00000001' + '0000 0000 000b'.replace(/ /g, ''));
    expect(joined(encodeResponseFrame(18, 0, 7, body))).toBe('00000010' + '00000007' + joined(body));
    const decoded = decodeResponse<ApiVersionsResponse>(18, 0, new ByteReader(Buffer.concat(body)));
    expect(decoded.apiKeys).toEqual([{ apiKey: 0, minVersion: 0, maxVersion: 11 }]);
    expect(decoded.throttleTimeMs).toBe(0);
    expect(decoded.finalizedFeaturesEpoch).toBe(-1n); // spec default for a field v0 does not carry
  });
});

describe('ApiVersions v3 (flexible)', () => {
  // header v2: client id stays an int16 string, then an empty tag section; body is compact.
  const frame = hex(
    `0012 0003 0000002a 0005 ${ascii('rdkaf')} 00` +
      `0b ${ascii('librdkafka')} 06 ${ascii('2.0.2')} 00`,
  );

  it('reads header v2 and the compact body', () => {
    const header = readRequestHeader(frame);
    expect(header).toMatchObject({ apiKey: 18, apiVersion: 3, correlationId: 42, clientId: 'rdkaf' });
    expect(header.bodyOffset).toBe(16);
    const r = new ByteReader(frame, header.bodyOffset);
    expect(decodeRequest<ApiVersionsRequest>(18, 3, r)).toEqual({
      clientSoftwareName: 'librdkafka',
      clientSoftwareVersion: '2.0.2',
    });
    expect(r.remaining).toBe(0);
  });

  it('writes the same bytes', () => {
    const body = encodeRequest(18, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    const out = Buffer.concat(encodeRequestFrame(18, 3, 42, 'rdkaf', body));
    expect(out.readInt32BE(0)).toBe(frame.length);
    expect(out.subarray(4).toString('hex')).toBe(frame.toString('hex'));
  });

  it('skips unknown tags in the request header and the body', () => {
    const withTags = hex(
      `0012 0003 0000002a ffff 01 05 02 abcd` + // header: client id null, unknown tag 5 (2 bytes)
        `02 ${ascii('x')} 02 ${ascii('1')} 01 09 01 ff`, // body: unknown tag 9
    );
    const header = readRequestHeader(withTags);
    expect(header.clientId).toBeNull();
    const r = new ByteReader(withTags, header.bodyOffset);
    expect(decodeRequest(18, 3, r)).toEqual({ clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(r.remaining).toBe(0);
  });

  it('response keeps header v0 and writes only non-default tagged fields, in tag order', () => {
    const body = encodeResponse(18, 3, {
      errorCode: 0,
      apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }],
      throttleTimeMs: 0,
      zkMigrationReady: true, // tag 3
      finalizedFeaturesEpoch: 5n, // tag 1
      supportedFeatures: [], // tag 0, default: not written
    });
    expect(joined(body)).toBe(
      '0000' + '02 0003 0000 000c 00'.replace(/ /g, '') + '00000000' + '02' + '01 08 0000000000000005'.replace(/ /g, '') + '03 01 01'.replace(/ /g, ''),
    );
    const framed = Buffer.concat(encodeResponseFrame(18, 3, 9, body));
    expect(framed.readInt32BE(4)).toBe(9);
    expect(framed.subarray(8).toString('hex')).toBe(joined(body)); // no tag byte after the correlation id
    expect(readResponseHeader(framed.subarray(4), 18, 3)).toEqual({ correlationId: 9, bodyOffset: 4 });
    const decoded = decodeResponse<ApiVersionsResponse>(18, 3, new ByteReader(framed, 8));
    expect(decoded.finalizedFeaturesEpoch).toBe(5n);
    expect(decoded.zkMigrationReady).toBe(true);
    expect(decoded.supportedFeatures).toEqual([]);
  });

  it('an ApiVersions version above the supported range still yields a readable header', () => {
    const future = hex(`0012 0063 00000005 0000 00 00`);
    expect(readRequestHeader(future)).toMatchObject({ apiKey: 18, apiVersion: 99, correlationId: 5, clientId: '' });
    expect(() => decodeRequest(18, 99, new ByteReader(future, 9))).toThrow(KafkaError);
  });
});

describe('Metadata', () => {
  it('v0 request: topic list of int16 strings; absent fields take spec defaults', () => {
    const body = hex(`00000001 0003 ${ascii('foo')}`);
    const decoded = decodeRequest<MetadataRequest>(ApiKey.Metadata, 0, new ByteReader(body));
    expect(decoded).toEqual({
      topics: [{ topicId: ZERO_UUID, name: 'foo' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    // encoding ignores fields v0 does not carry
    expect(joined(encodeRequest(3, 0, { ...decoded, allowAutoTopicCreation: false }))).toBe(body.toString('hex'));
  });

  it('v1+ distinguishes a null topic list (all topics) from an empty one', () => {
    expect(joined(encodeRequest(3, 1, { topics: null }))).toBe('ffffffff');
    expect(decodeRequest<MetadataRequest>(3, 1, new ByteReader(hex('ffffffff'))).topics).toBeNull();
    expect(decodeRequest<MetadataRequest>(3, 9, new ByteReader(hex('00 00 00 00 00'))).topics).toBeNull();
    expect(() => decodeRequest(3, 0, new ByteReader(hex('ffffffff')))).toThrow(ProtocolDecodeError);
  });
});

describe('records fields', () => {
  it('are encoded without copying and decoded as views of the input', () => {
    const batch = Buffer.alloc(5000, 0xab);
    const value = {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records: batch }] }],
    };
    const chunks = encodeResponse(ApiKey.Fetch, 11, value);
    expect(chunks.some((c) => c === batch)).toBe(true);
    const input = Buffer.concat(chunks);
    const decoded = decodeResponse<FetchResponse>(1, 11, new ByteReader(input));
    const records = decoded.responses[0]!.partitions[0]!.records!;
    expect(records.equals(batch)).toBe(true);
    expect(records.buffer).toBe(input.buffer); // a view, not a copy
    expect(decoded.responses[0]!.partitions[0]!.highWatermark).toBe(0n);
    expect(decoded.responses[0]!.partitions[0]!.lastStableOffset).toBe(-1n);
  });
});

describe('data schemas', () => {
  it('ConsumerProtocolSubscription v1 round trip', () => {
    const value = { topics: ['a'], userData: null, ownedPartitions: [{ topic: 'a', partitions: [0, 2] }] };
    const bytes = Buffer.concat(encodeData('ConsumerProtocolSubscription', 1, value));
    expect(bytes.toString('hex')).toBe(`00000001 0001 61 ffffffff 00000001 0001 61 00000002 00000000 00000002`.replace(/ /g, ''));
    const decoded = decodeData<ConsumerProtocolSubscription>('ConsumerProtocolSubscription', 1, new ByteReader(bytes));
    expect(decoded).toEqual({ ...value, generationId: -1, rackId: null });
  });
});

describe('malformed input', () => {
  it('a length of 0x7fffffff with 10 bytes remaining throws immediately', () => {
    const body = Buffer.concat([hex('7fffffff'), Buffer.alloc(10)]);
    expect(() => decodeRequest(ApiKey.SaslAuthenticate, 0, new ByteReader(body))).toThrow(ProtocolDecodeError);
    expect(() => decodeRequest(ApiKey.Metadata, 0, new ByteReader(body))).toThrow(ProtocolDecodeError);
    expect(() => decodeRequest(ApiKey.Metadata, 9, new ByteReader(hex('ffffffff07 00000000')))).toThrow(ProtocolDecodeError);
  });

  it('truncated bodies throw ProtocolDecodeError', () => {
    const body = Buffer.concat(
      encodeRequest(ApiKey.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30000,
        topicData: [{ name: 'orders', partitionData: [{ index: 0, records: Buffer.alloc(64, 1) }] }],
      }),
    );
    for (let cut = 0; cut < body.length; cut++) {
      expect(() => decodeRequest(0, 9, new ByteReader(body.subarray(0, cut)))).toThrow(ProtocolDecodeError);
    }
    expect(() => readRequestHeader(hex('0012 00'))).toThrow(ProtocolDecodeError);
  });

  it('random garbage never throws anything but ProtocolDecodeError', () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    const targets: [number, number][] = [
      [0, 3], [0, 9], [1, 11], [1, 12], [3, 0], [3, 12], [11, 5], [11, 9], [8, 9], [19, 7], [18, 3], [36, 2],
    ];
    for (let i = 0; i < 600; i++) {
      const [apiKey, version] = targets[i % targets.length]!;
      const buf = Buffer.alloc(next() % 64);
      for (let j = 0; j < buf.length; j++) buf[j] = next();
      try {
        decodeRequest(apiKey, version, new ByteReader(buf));
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolDecodeError);
      }
    }
  });

  it('unknown API keys and versions are KafkaError UNSUPPORTED_VERSION', () => {
    try {
      decodeRequest(999, 0, new ByteReader(Buffer.alloc(0)));
      expect.unreachable();
    } catch (e) {
      expect((e as KafkaError).code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    }
    expect(() => encodeResponse(3, 99, {})).toThrow(KafkaError);
  });

  it('encoding null into a non-nullable field is a programming error', () => {
    expect(() => encodeResponse(3, 0, { topics: null })).toThrow(TypeError);
  });
});

describe('framing helpers', () => {
  it('isFlexible follows each API first flexible version', () => {
    expect(isFlexible(ApiKey.Produce, 8, 'request')).toBe(false);
    expect(isFlexible(ApiKey.Produce, 9, 'request')).toBe(true);
    expect(isFlexible(ApiKey.Fetch, 12, 'response')).toBe(true);
    expect(isFlexible(ApiKey.SaslHandshake, 1, 'request')).toBe(false);
    expect(isFlexible(999, 0, 'request')).toBe(false);
  });

  it('flexible responses other than ApiVersions get header v1 (empty tag section)', () => {
    const framed = Buffer.concat(encodeResponseFrame(ApiKey.Metadata, 9, 3, [hex('aa')]));
    expect(framed.toString('hex')).toBe('00000006' + '00000003' + '00' + 'aa');
    expect(readResponseHeader(framed.subarray(4), 3, 9)).toEqual({ correlationId: 3, bodyOffset: 5 });
  });

  it('splitFrames cuts complete size-prefixed frames and rejects oversized sizes', () => {
    const input = hex('00000002 aabb 00000001 cc 000000');
    const { frames, consumed } = splitFrames(input, 100);
    expect(frames.map((f) => f.toString('hex'))).toEqual(['aabb', 'cc']);
    expect(consumed).toBe(11);
    expect(() => splitFrames(hex('7fffffff'), 1 << 20)).toThrow(ProtocolDecodeError);
  });

  it('apiName names keys', () => {
    expect(apiName(3)).toBe('Metadata');
    expect(apiName(ApiKey.ApiVersions)).toBe('ApiVersions');
    expect(apiName(999)).toBe('Unknown(999)');
  });
});
