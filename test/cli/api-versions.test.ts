/**
 * kafka-broker-api-versions formatting: NodeApiVersions.toString(true)'s shape
 * (single versions, ranges, usable/unusable, UNSUPPORTED, UNKNOWN keys) and the
 * codec IR as the client side.
 */
import { describe, expect, it } from 'vitest';
import { CODEC_CLIENT, formatApiVersions, formatNode, type ClientApis } from '../../src/cli/commands/kafka-broker-api-versions.js';
import { clientApiKeys, clientVersionRange, type VersionRange } from '../../src/cli/wire-client.js';
import { messageSpec } from '../../src/protocol/codec.js';
import { ApiKey, apiName } from '../../src/protocol/generated/api-keys.js';

const ranges = (entries: Array<[number, number, number]>): Map<number, VersionRange> =>
  new Map(entries.map(([key, minVersion, maxVersion]) => [key, { minVersion, maxVersion }]));

/** A client that knows keys 0..3 and 27 with fixed ranges, like a Java client of a given release. */
const FIXED_CLIENT: ClientApis = {
  keys: [0, 1, 2, 3, 27],
  range: (key) => ({ 0: { minVersion: 0, maxVersion: 8 }, 1: { minVersion: 0, maxVersion: 11 }, 2: { minVersion: 0, maxVersion: 5 }, 3: { minVersion: 0, maxVersion: 9 }, 27: { minVersion: 0, maxVersion: 0 } } as Record<number, VersionRange>)[key],
  name: apiName,
};

describe('formatApiVersions', () => {
  it('prints the Kafka 2.4.1 block shape: TAB-indented lines joined by ",\\n\\t", single versions without "to"', () => {
    const broker = ranges([[0, 0, 8], [1, 0, 11], [2, 0, 5], [3, 0, 9], [27, 0, 0]]);
    expect(formatApiVersions(broker, FIXED_CLIENT)).toBe(
      '(\n' +
      '\tProduce(0): 0 to 8 [usable: 8],\n' +
      '\tFetch(1): 0 to 11 [usable: 11],\n' +
      '\tListOffsets(2): 0 to 5 [usable: 5],\n' +
      '\tMetadata(3): 0 to 9 [usable: 9],\n' +
      '\tWriteTxnMarkers(27): 0 [usable: 0]\n' +
      ')');
  });

  it('usable is the highest version both sides speak; unusable when the ranges do not meet', () => {
    const broker = ranges([[0, 3, 11], [1, 12, 17], [2, 0, 5]]);
    const client: ClientApis = {
      keys: [0, 1, 2],
      range: (key) => ({ 0: { minVersion: 0, maxVersion: 9 }, 1: { minVersion: 0, maxVersion: 11 }, 2: { minVersion: 6, maxVersion: 10 } } as Record<number, VersionRange>)[key],
      name: apiName,
    };
    expect(formatApiVersions(broker, client).split(',\n\t')).toEqual([
      '(\n\tProduce(0): 3 to 11 [usable: 9]',
      'Fetch(1): 12 to 17 [unusable: node too new]',
      'ListOffsets(2): 0 to 5 [unusable: node too old]\n)',
    ]);
  });

  it('lists APIs the client knows but the broker lacks as UNSUPPORTED, and keys unknown to the client as UNKNOWN, in key order', () => {
    const broker = ranges([[3, 0, 9], [999, 0, 2]]);
    expect(formatApiVersions(broker, FIXED_CLIENT)).toBe(
      '(\n\tProduce(0): UNSUPPORTED,\n\tFetch(1): UNSUPPORTED,\n\tListOffsets(2): UNSUPPORTED,\n' +
      '\tMetadata(3): 0 to 9 [usable: 9],\n\tWriteTxnMarkers(27): UNSUPPORTED,\n\tUNKNOWN(999): 0 to 2\n)');
  });

  it('uses the codec IR as the client: every IR request key appears, ranges capped at the IR version', () => {
    const text = formatApiVersions(ranges([[ApiKey.Metadata, 0, 99]]), CODEC_CLIENT);
    const metadataMax = messageSpec('request', ApiKey.Metadata)!.validVersions![1];
    expect(text).toContain(`\tMetadata(3): 0 to 99 [usable: ${metadataMax}]`);
    expect(text).toContain('\tProduce(0): UNSUPPORTED');
    const lines = text.split('\n').slice(1, -1);
    expect(lines).toHaveLength(clientApiKeys().length);
  });
});

describe('clientVersionRange', () => {
  it('leaves out a latest version the IR marks unstable', () => {
    const spec = messageSpec('request', ApiKey.EndTxn)!;
    expect(spec.latestVersionUnstable).toBe(true);
    expect(clientVersionRange(ApiKey.EndTxn)).toEqual({ minVersion: spec.validVersions![0], maxVersion: spec.validVersions![1] - 1 });
    expect(clientVersionRange(ApiKey.Produce)!.maxVersion).toBe(messageSpec('request', ApiKey.Produce)!.validVersions![1]);
  });

  it('offers no range for an API whose only version is unstable', () => {
    expect(clientVersionRange(ApiKey.ShareGroupHeartbeat)).toBeUndefined();
    expect(clientApiKeys()).not.toContain(ApiKey.ShareGroupHeartbeat);
  });
});

describe('formatNode', () => {
  it("prints Kafka's Node.toString with a null rack", () => {
    expect(formatNode({ nodeId: 2, host: '127.0.0.1', port: 19093, rack: null })).toBe('127.0.0.1:19093 (id: 2 rack: null)');
    expect(formatNode({ nodeId: 0, host: 'kafka-0', port: 9092, rack: 'r1' })).toBe('kafka-0:9092 (id: 0 rack: r1)');
  });
});
