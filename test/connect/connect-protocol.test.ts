/**
 * The worker group protocol's bytes (Kafka's ConnectProtocol v0: metadata and
 * assignment layouts, the -1 entry for a connector) and the leader's round-robin deal.
 */
import { describe, expect, it } from 'vitest';
import { CONNECTOR_TASK, assignRoundRobin, decodeAssignment, decodeMetadata, encodeAssignment, encodeMetadata } from '../../src/connect/distributed/connect-protocol.js';

describe('ConnectProtocol v0', () => {
  it('encodes worker metadata as int16 version, string url, int64 config offset', () => {
    const bytes = encodeMetadata({ url: 'http://h:8083/', configOffset: 7n });
    expect(bytes.toString('hex')).toBe('0000' + '000e' + Buffer.from('http://h:8083/').toString('hex') + '0000000000000007');
    expect(decodeMetadata(bytes)).toEqual({ url: 'http://h:8083/', configOffset: 7n });
  });

  it('encodes an assignment with the connector itself as task -1, and decodes it back', () => {
    const assignment = { error: 0, leader: 'm1', leaderUrl: 'http://a/', configOffset: 3n, connectors: ['c'], tasks: [{ connector: 'c', task: 0 }, { connector: 'd', task: 1 }] };
    const bytes = encodeAssignment(assignment);
    const expected = Buffer.concat([
      Buffer.from('0000' + '0000', 'hex'),
      Buffer.from('0002', 'hex'), Buffer.from('m1'),
      Buffer.from('0009', 'hex'), Buffer.from('http://a/'),
      Buffer.from('0000000000000003', 'hex'),
      Buffer.from('00000002', 'hex'),
      Buffer.from('0001', 'hex'), Buffer.from('c'), Buffer.from('00000002', 'hex'), Buffer.from('ffffffff00000000', 'hex'),
      Buffer.from('0001', 'hex'), Buffer.from('d'), Buffer.from('00000001', 'hex'), Buffer.from('00000001', 'hex'),
    ]);
    expect(bytes.equals(expected)).toBe(true);
    expect(CONNECTOR_TASK).toBe(-1);
    expect(decodeAssignment(bytes)).toEqual(assignment);
  });

  it('deals connectors then tasks round-robin over the members sorted by id', () => {
    const dealt = assignRoundRobin(['b', 'a'], [{ connector: 'src', tasks: 1 }, { connector: 'sink', tasks: 3 }]);
    expect(dealt.get('a')).toEqual({ connectors: ['sink'], tasks: [{ connector: 'sink', task: 0 }, { connector: 'sink', task: 2 }] });
    expect(dealt.get('b')).toEqual({ connectors: ['src'], tasks: [{ connector: 'sink', task: 1 }, { connector: 'src', task: 0 }] });
    const alone = assignRoundRobin(['only'], [{ connector: 'x', tasks: 2 }]);
    expect(alone.get('only')?.tasks).toHaveLength(2);
  });
});
