/** kafka-metadata-quorum describe: trunk's --status lines and --replication table. */
import { describe, expect, it } from 'vitest';
import { quorumCommandOptions, quorumInfo, replicationLines, statusLines } from '../../src/cli/commands/kafka-metadata-quorum.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import type { DescribeQuorumResponse, DescribeQuorumResponseReplicaState } from '../../src/protocol/generated/types.js';

const replica = (id: number, leo: bigint, fetch: bigint, caughtUp: bigint): DescribeQuorumResponseReplicaState =>
  ({ replicaId: id, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', logEndOffset: leo, lastFetchTimestamp: fetch, lastCaughtUpTimestamp: caughtUp });

const three: DescribeQuorumResponse = {
  errorCode: 0,
  errorMessage: null,
  topics: [{ topicName: '__cluster_metadata', partitions: [{
    partitionIndex: 0, errorCode: 0, errorMessage: null, leaderId: 1, leaderEpoch: 5, highWatermark: 231n,
    currentVoters: [replica(1, 231n, 1700000000500n, 1700000000500n), replica(2, 231n, 1700000000400n, 1700000000400n), replica(3, 220n, 1700000000300n, 1700000000100n)],
    observers: [replica(4, 231n, 1700000000450n, 1700000000450n)],
  }] }],
  nodes: [
    { nodeId: 1, listeners: [{ name: 'CONTROLLER', host: '127.0.0.2', port: 9093 }] },
    { nodeId: 2, listeners: [{ name: 'CONTROLLER', host: '127.0.0.3', port: 9093 }] },
    { nodeId: 3, listeners: [{ name: 'CONTROLLER', host: '127.0.0.4', port: 9093 }] },
  ],
};

describe('kafka-metadata-quorum describe', () => {
  it('--status: eight lines with values at column 25, voters as trunk prints them', () => {
    expect(statusLines('MkU3OEVBNTcwNTJENDM2Qk', quorumInfo(three))).toEqual([
      'ClusterId:              MkU3OEVBNTcwNTJENDM2Qk',
      'LeaderId:               1',
      'LeaderEpoch:            5',
      'HighWatermark:          231',
      'MaxFollowerLag:         11',
      'MaxFollowerLagTimeMs:   400',
      'CurrentVoters:          [{"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.2:9093"]}, {"id": 2, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.3:9093"]}, {"id": 3, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.4:9093"]}]',
      'CurrentObservers:       [{"id": 4, "directoryId": null}]',
    ]);
  });

  it('--replication: leader, followers, observers; each cell padded to its column and followed by a TAB', () => {
    expect(replicationLines(quorumInfo(three), false)).toEqual([
      'NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t',
      '1     \tAAAAAAAAAAAAAAAAAAAAAA\t231         \t0  \t1700000000500     \t1700000000500        \tLeader  \t',
      '2     \tAAAAAAAAAAAAAAAAAAAAAA\t231         \t0  \t1700000000400     \t1700000000400        \tFollower\t',
      '3     \tAAAAAAAAAAAAAAAAAAAAAA\t220         \t11 \t1700000000300     \t1700000000100        \tFollower\t',
      '4     \tAAAAAAAAAAAAAAAAAAAAAA\t231         \t0  \t1700000000450     \t1700000000450        \tObserver\t',
    ]);
    expect(replicationLines(quorumInfo(three), true, 1700000001500)[3]).toContain('1200 ms ago');
  });

  it('a single voter (one broker with its own controller): no lag, no observers', () => {
    const one: DescribeQuorumResponse = { ...three, nodes: [], topics: [{ topicName: '__cluster_metadata', partitions: [{ ...three.topics[0].partitions[0], leaderId: 0, leaderEpoch: 1, highWatermark: 12n, currentVoters: [replica(0, 12n, -1n, -1n)], observers: [] }] }] };
    const lines = statusLines('c', quorumInfo(one));
    expect(lines.slice(4)).toEqual(['MaxFollowerLag:         0', 'MaxFollowerLagTimeMs:   0', 'CurrentVoters:          [{"id": 0, "directoryId": null}]', 'CurrentObservers:       []']);
  });

  it("options follow MetadataQuorumCommand's rules", () => {
    expect(quorumCommandOptions(['--bootstrap-server', 'h:9092', 'describe', '--status'])).toMatchObject({ view: 'status', bootstrapServers: ['h:9092'] });
    expect(quorumCommandOptions(['--bootstrap-controller', 'h:9093', 'describe', '--replication', '--human-readable'])).toMatchObject({ view: 'replication', humanReadable: true });
    expect(() => quorumCommandOptions(['--bootstrap-server', 'h:9092', 'describe'])).toThrow(new CliError('One of --status or --replication must be specified with describe sub-command'));
    expect(() => quorumCommandOptions(['--bootstrap-server', 'h:9092', 'describe', '--status', '--replication'])).toThrow(new CliError('Only one of --status or --replication should be specified with describe sub-command'));
    expect(() => quorumCommandOptions(['describe', '--status'])).toThrow(UsageError);
  });
});
