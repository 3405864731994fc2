/**
 * The follower side of the raft (KafkaRaftClient's fetch path): a follower, or an
 * observer, pulls `__cluster_metadata-0` from the leader with Fetch — its log end as
 * FetchOffset and its last batch's epoch as LastFetchedEpoch, long-polled by the
 * leader. The answer either points at a divergence (the follower cuts its tail off at
 * the leader's end of that epoch, KIP-595), at a snapshot (the follower is behind the
 * leader's log start: it reads the snapshot with FetchSnapshot and restarts its log
 * there, KIP-630), or carries records to append and the leader's high watermark to
 * commit up to. Any answer also names the leader and epoch, which the quorum follows.
 * An observer that knows no leader asks the bootstrap servers in turn.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { FetchResponse, FetchResponsePartitionData, FetchSnapshotResponse } from '../../protocol/generated/types.js';
import { ZERO_UUID } from '../../protocol/primitives.js';
import { METADATA_TOPIC_ID, METADATA_TOPIC_NAME } from '../../broker/services/quorum-service.js';
import { MAX_FETCH_BYTES, type HostPort } from './raft-config.js';
import type { RaftQuorum } from './raft-quorum.js';

/** Fetch v12 is the first with LastFetchedEpoch and the raft fields of the response. */
const MIN_RAFT_FETCH_VERSION = 12;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RaftFetcher {
  private loopRunning = false;

  constructor(private readonly raft: RaftQuorum) {}

  get running(): boolean {
    return this.loopRunning;
  }

  /** Fetches while there is somewhere to fetch from (the quorum restarts it after a transition). */
  async run(): Promise<void> {
    if (this.loopRunning) return;
    this.loopRunning = true;
    try {
      while (!this.raft.isClosed) {
        const target = this.raft.fetchTarget();
        if (target === null) return;
        const generation = this.raft.generationNumber;
        let ok: boolean;
        try {
          ok = await this.fetchOnce(target, generation);
        } catch (err) {
          // a bug here must not end the node's only way to follow the log
          this.raft.log(`Fetch of the metadata log from ${target.host}:${target.port} failed: ${(err as Error).stack ?? String(err)}`);
          ok = false;
        }
        if (this.raft.isClosed) return;
        if (!ok) {
          this.raft.nextBootstrapServer();
          if (this.raft.generationNumber === generation) await sleep(Math.max(this.raft.retryBackoffMs, 50));
        }
      }
    } finally {
      this.loopRunning = false;
    }
  }

  /** One Fetch; false when it failed (network, or an error the leader answered) and the loop should back off. */
  private async fetchOnce(target: HostPort, generation: number): Promise<boolean> {
    const raft = this.raft;
    const log = raft.metadataLog;
    const body = {
      clusterId: raft.clusterId,
      replicaId: raft.nodeId,
      replicaState: { replicaId: raft.nodeId, replicaEpoch: -1n },
      maxWaitMs: raft.fetchMaxWaitMs,
      minBytes: 0,
      maxBytes: MAX_FETCH_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: METADATA_TOPIC_NAME,
          topicId: METADATA_TOPIC_ID,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: raft.state.epoch,
              fetchOffset: BigInt(log.endOffset),
              lastFetchedEpoch: log.lastFetchedEpoch,
              logStartOffset: -1n,
              partitionMaxBytes: MAX_FETCH_BYTES,
              replicaDirectoryId: ZERO_UUID,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    };
    const response = await raft.sendTo<FetchResponse>(target, ApiKey.Fetch, body, MIN_RAFT_FETCH_VERSION, raft.requestTimeoutMs + raft.fetchMaxWaitMs);
    if (response === null || raft.isClosed) return false;
    if (response.errorCode !== ErrorCode.NONE) {
      raft.log(`Fetch from ${target.host}:${target.port} failed: error ${response.errorCode}`);
      return false;
    }
    const p = response.responses[0]?.partitions[0];
    if (p === undefined) return false;
    const leaderId = p.currentLeader.leaderId;
    raft.learnLeader(leaderId, p.currentLeader.leaderEpoch, raft.endpointFrom(response.nodeEndpoints, leaderId));
    if (p.errorCode !== ErrorCode.NONE) return raft.generationNumber !== generation;
    const now = raft.state;
    // only data from the leader of the epoch we are in
    if (now.role !== 'follower' || now.leaderId !== leaderId || now.epoch !== p.currentLeader.leaderEpoch) return true;
    raft.resetFetchTimeout();
    return this.handleFetchData(p, target);
  }

  private async handleFetchData(p: FetchResponsePartitionData, leader: HostPort): Promise<boolean> {
    const log = this.raft.metadataLog;
    try {
      if (p.divergingEpoch.endOffset >= 0 || p.divergingEpoch.epoch >= 0) {
        // KIP-595: our tail past the leader's end of that epoch was never committed; cut it off
        const local = log.endOffsetForEpoch(p.divergingEpoch.epoch);
        const to = Math.min(Number(p.divergingEpoch.endOffset), local.endOffset, log.endOffset);
        this.raft.log(
          `Truncating the metadata log from ${log.endOffset} to ${to} (diverging epoch ${p.divergingEpoch.epoch} ends at ${p.divergingEpoch.endOffset} on the leader)`,
        );
        log.truncateTo(to);
        return true;
      }
      if (p.snapshotId.endOffset >= 0) return await this.fetchSnapshot(leader, { endOffset: Number(p.snapshotId.endOffset), epoch: p.snapshotId.epoch });
      if (p.records !== null && p.records.length > 0) log.appendAsFollower(p.records);
      const hw = Number(p.highWatermark);
      if (hw >= 0) {
        this.raft.commitTo(Math.min(hw, log.endOffset));
        this.raft.noteLeaderHighWatermark(hw);
      }
      return true;
    } catch (err) {
      this.raft.log(`Cannot follow the leader's metadata log: ${(err as Error).message}`);
      return false;
    }
  }

  /** Behind the leader's log start: fetch its snapshot chunk by chunk, then install it. */
  private async fetchSnapshot(leader: HostPort, id: { endOffset: number; epoch: number }): Promise<boolean> {
    const raft = this.raft;
    const chunks: Buffer[] = [];
    let position = 0;
    for (;;) {
      const s = raft.state;
      if (s.role !== 'follower' || raft.isClosed) return false;
      const body = {
        clusterId: raft.clusterId,
        replicaId: raft.nodeId,
        maxBytes: MAX_FETCH_BYTES,
        topics: [
          {
            name: METADATA_TOPIC_NAME,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: s.epoch,
                snapshotId: { endOffset: BigInt(id.endOffset), epoch: id.epoch },
                position: BigInt(position),
                replicaDirectoryId: ZERO_UUID,
              },
            ],
          },
        ],
      };
      const response = await raft.sendTo<FetchSnapshotResponse>(leader, ApiKey.FetchSnapshot, body);
      if (response === null || raft.isClosed) return false;
      const p = response.topics[0]?.partitions[0];
      if (response.errorCode !== ErrorCode.NONE || p === undefined) return false;
      if (p.errorCode !== ErrorCode.NONE) {
        raft.learnLeader(p.currentLeader.leaderId, p.currentLeader.leaderEpoch);
        return false;
      }
      const bytes = p.unalignedRecords ?? Buffer.alloc(0);
      chunks.push(bytes);
      position += bytes.length;
      raft.resetFetchTimeout();
      if (position >= Number(p.size)) break;
      if (bytes.length === 0) return false;
    }
    raft.metadataLog.installSnapshot(id, Buffer.concat(chunks));
    return true;
  }
}
