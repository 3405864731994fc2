/**
 * The seam between the metadata log and whoever replicates it. Kafka's KRaft
 * (KIP-500/KIP-595): the `__cluster_metadata` partition is a Raft log kept by the
 * controller voters; brokers follow it as observers. Everything above this layer
 * (the controller, the broker's metadata publisher) sees only this interface, so a
 * quorum of one (a single broker with its embedded controller) and a replicated
 * quorum of three run the same code.
 */
import type { MetadataRecord } from '../protocol/metadata-records.js';
import type { MetadataImage } from './image.js';

/** Who leads the quorum, as of which epoch (KRaft's LeaderAndEpoch); leaderId null while unknown/electing. */
export interface LeaderAndEpoch {
  readonly leaderId: number | null;
  readonly epoch: number;
}

/** A committed batch as the image saw it applied. */
export interface CommittedBatch {
  /** the image after this batch */
  readonly image: MetadataImage;
  /** the image before it */
  readonly previous: MetadataImage;
  readonly records: readonly MetadataRecord[];
  /** offset of the batch's last record in the metadata log */
  readonly lastOffset: bigint;
}

export interface MetadataQuorumListener {
  /** every committed batch, in log order, once (also the ones replayed at start-up, before ready) */
  onCommit?(batch: CommittedBatch): void;
  /** the quorum's leader changed (an election, a resignation, a newly learned leader) */
  onLeaderChange?(leader: LeaderAndEpoch): void;
}

export interface MetadataQuorum {
  /** this node's id (node.id / broker.id; for a ZooKeeper-style controller, its id from myid) */
  readonly nodeId: number;
  /** the image of every committed record (up to the quorum's high watermark), never of uncommitted ones */
  image(): MetadataImage;
  leaderAndEpoch(): LeaderAndEpoch;
  /**
   * true when this node is the quorum leader, i.e. the active controller — reported (and
   * announced through onLeaderChange) only once image() holds every record committed
   * before its epoch, as Kafka's raft client tells the controller of its own leadership
   */
  isLeader(): boolean;
  /**
   * Leader only: appends the records as one batch (all-or-nothing) at the current epoch
   * and resolves with its last offset once a majority of voters has it (committed and
   * applied to image()). Rejects with KafkaError NOT_CONTROLLER when this node is not
   * the leader or loses leadership before the batch commits.
   */
  append(records: readonly MetadataRecord[]): Promise<bigint>;
  addListener(listener: MetadataQuorumListener): void;
  close(): Promise<void> | void;
}
