/**
 * A metadata quorum of one voter: this node is the only voter, so it is the leader
 * at the epoch it opened with (MetadataLog bumps the raft epoch and writes a
 * LeaderChangeMessage on every open) and an appended batch is committed as soon as
 * it is fsynced. This is Kafka's KRaft with `controller.quorum.voters` naming only
 * this node, and what a single broker with its embedded controller runs.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { MetadataRecord } from '../protocol/metadata-records.js';
import { emptyImage, type MetadataImage } from './image.js';
import { MetadataLog, type MetadataLogOptions } from './metadata-log.js';
import type { CommittedBatch, LeaderAndEpoch, MetadataQuorum, MetadataQuorumListener } from './quorum.js';
import { imageRecords } from './records.js';

export class LocalQuorum implements MetadataQuorum {
  readonly nodeId: number;
  private readonly listeners = new Set<MetadataQuorumListener>();
  private closed = false;

  /** Wraps an open metadata log (opened as the leader of a quorum of one). */
  constructor(readonly metadataLog: MetadataLog, nodeId: number) {
    this.nodeId = nodeId;
    metadataLog.onChange((image, change) => {
      const batch: CommittedBatch = {
        image,
        previous: change.previous,
        records: change.records,
        lastOffset: BigInt(change.lastOffset),
      };
      for (const listener of [...this.listeners]) listener.onCommit?.(batch);
    });
  }

  /** Opens (creating if needed) the metadata log and leads it alone. */
  static open(options: MetadataLogOptions): LocalQuorum {
    return new LocalQuorum(MetadataLog.open(options), options.nodeId);
  }

  image(): MetadataImage {
    return this.metadataLog.image();
  }

  leaderAndEpoch(): LeaderAndEpoch {
    return { leaderId: this.closed ? null : this.nodeId, epoch: this.metadataLog.epoch };
  }

  /** The offset the next appended record gets. */
  get endOffset(): number {
    return this.metadataLog.endOffset;
  }

  /** A quorum of one is caught up as soon as it is open. */
  caughtUp(): Promise<void> {
    return Promise.resolve();
  }

  isLeader(): boolean {
    return !this.closed;
  }

  /**
   * Written, fsynced and committed in one step (a majority of one). A batch that does
   * not apply to the image rejects with MetadataReplayError and nothing is written.
   */
  append(records: readonly MetadataRecord[]): Promise<bigint> {
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, 'the metadata quorum is closed'));
    try {
      return Promise.resolve(BigInt(this.metadataLog.append(records)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The new listener first hears the state so far, as Kafka's RaftClient.Listener gets
   * handleLoadSnapshot: one onCommit from the empty image to the current one (the
   * records that rebuild it), then onLeaderChange; after that every batch as committed.
   */
  addListener(listener: MetadataQuorumListener): void {
    this.listeners.add(listener);
    const image = this.metadataLog.image();
    if (image.provenance.lastContainedOffset >= 0) {
      listener.onCommit?.({
        image,
        previous: emptyImage(image.clusterId),
        records: imageRecords(image),
        lastOffset: BigInt(image.provenance.lastContainedOffset),
      });
    }
    listener.onLeaderChange?.(this.leaderAndEpoch());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.metadataLog.close();
  }
}
