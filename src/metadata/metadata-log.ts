/**
 * The metadata log of a single broker acting as its own KRaft controller: the
 * append-only `__cluster_metadata-0` partition (a real Kafka log — segments,
 * indexes, leader-epoch-checkpoint — that kafka-dump-log reads) plus KRaft
 * snapshots next to it, and the metadata image they add up to.
 *
 *   <log dir>/__cluster_metadata-0/
 *     00000000000000000000.log / .index / .timeindex    record batches (magic 2)
 *     leader-epoch-checkpoint
 *     quorum-state                                       the raft epoch (JSON, as Kafka)
 *     00000000000000000120-0000000003.checkpoint         snapshot: image as of offset 119
 *
 * Each append is one batch (so a multi-record change, e.g. a topic with its
 * partitions, is all-or-nothing), written at the current raft epoch and fsynced
 * before append() returns, as the JSON file it replaces was. On open the newest
 * readable snapshot is loaded and the records after it replayed; a torn tail left
 * by a crash is cut off by the log's recovery. Every time
 * metadata.log.max.record.bytes.between.snapshots bytes have been appended since
 * the last snapshot a new one is written, and log segments wholly behind it are
 * deleted.
 *
 * Two ways to run it. As a quorum of one (the default) every record is committed
 * as soon as it is fsynced and the log elects its own node at the next epoch on
 * open. With `raft: true` the raft (src/cluster/raft) owns epochs and the
 * quorum-state file: the leader appends (appendAsLeader), followers append what they
 * fetched (appendAsFollower) and truncate a divergent tail (truncateTo), and the
 * image moves only when the quorum's high watermark does (commitTo) — records past
 * it are pending, never in image().
 *
 * Owned by one event loop: synchronous, single writer.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
export type { EpochEndOffset } from './log-batches.js';
import {
  decodeMetadataRecord,
  encodeMetadataRecord,
  encodeRaftControlRecord,
  type MetadataRecord,
} from '../protocol/metadata-records.js';
import { validateBatches } from '../protocol/records/batch.js';
import { buildRecordBatch, type RecordInput } from '../protocol/records/record.js';
import { writeFileAtomically } from '../storage/checkpoint-file.js';
import { METADATA_TOPIC, readMetaProperties } from '../storage/log-manager.js';
import { defaultLogConfig, PartitionLog } from '../storage/partition-log.js';
import { applyRecords, IMAGE_RECORD_TYPES, MetadataReplayError } from './apply.js';
import { emptyImage, type MetadataImage } from './image.js';
import { decodeBatches, endOffsetFor, type EpochEndOffset, type PendingBatch } from './log-batches.js';
import { imageRecords } from './records.js';
import {
  deleteSnapshot,
  listSnapshots,
  readSnapshot,
  snapshotFileName,
  writeSnapshot,
  writeSnapshotFile,
  type SnapshotId,
} from './snapshot-file.js';

/** Kafka's metadata topic (KafkaRaftServer.MetadataTopic); its only partition is 0. */
export { METADATA_TOPIC };
export const METADATA_LOG_DIR_NAME = `${METADATA_TOPIC}-0`;
export const QUORUM_STATE_FILE = 'quorum-state';

/** metadata.log.max.record.bytes.between.snapshots default (20 MiB). */
export const DEFAULT_MAX_BYTES_BETWEEN_SNAPSHOTS = 20 * 1024 * 1024;
/** metadata.log.max.snapshot.interval.ms default (1 hour). */
export const DEFAULT_MAX_SNAPSHOT_INTERVAL_MS = 60 * 60 * 1000;
/** metadata.log.segment.bytes default (1 GiB). */
export const DEFAULT_METADATA_SEGMENT_BYTES = 1024 * 1024 * 1024;
/** KafkaRaftClient's largest batch (8 MiB). */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export interface MetadataLogOptions {
  /** metadata.log.dir (Kafka defaults it to the first of log.dirs); the log is `<logDir>/__cluster_metadata-0` */
  logDir: string;
  /** this node's id (node.id / broker.id): the raft leader of a quorum of one */
  nodeId: number;
  /** the cluster id; defaults to cluster.id in `<logDir>/meta.properties` */
  clusterId?: string;
  /** metadata.log.max.record.bytes.between.snapshots */
  maxBytesBetweenSnapshots?: number;
  /** metadata.log.max.snapshot.interval.ms: a snapshot once the oldest record not in one is this old (0 = never by time); checked on append */
  maxSnapshotIntervalMs?: number;
  /** metadata.log.segment.bytes */
  segmentBytes?: number;
  logger?: (line: string) => void;
  clock?: () => number;
  /**
   * true: the log is one replica of a raft quorum (RaftQuorum): no self-election on open,
   * records after the snapshot are uncommitted until commitTo(). Default: a quorum of one.
   */
  raft?: boolean;
}

/** What changed between two images: the records applied and where they sit in the log. */
export interface MetadataChange {
  readonly previous: MetadataImage;
  readonly records: readonly MetadataRecord[];
  readonly baseOffset: number;
  readonly lastOffset: number;
}

export type MetadataListener = (image: MetadataImage, change: MetadataChange) => void;

/** The read side every metadata consumer needs (Kafka's MetadataPublisher, inverted): current image plus change events. */
export interface MetadataPublisher {
  image(): MetadataImage;
  /** Called after each durable change, in log order; returns a function that unsubscribes. */
  onChange(listener: MetadataListener): () => void;
}

export class MetadataLog implements MetadataPublisher {
  readonly dir: string;
  private readonly log: PartitionLog;
  /** the image of every committed record */
  private current: MetadataImage;
  /** the committed image plus every pending batch (what a leader validates against); null until needed */
  private latest: MetadataImage | null = null;
  /** batches past the high watermark, in log order */
  private pending: PendingBatch[] = [];
  /** first offset not committed (Kafka's high watermark) */
  private hw = 0;
  private raftEpoch = 0;
  private readonly raftMode: boolean;
  private readonly listeners = new Set<MetadataListener>();
  private snapshots: SnapshotId[];
  /** end offset of the snapshot the image was loaded from (0: none) */
  private snapshotEnd = 0;
  private bytesSinceSnapshot = 0;
  private failure: Error | null = null;
  private readonly maxBytesBetweenSnapshots: number;
  private readonly maxSnapshotIntervalMs: number;
  /** append time of the oldest record not in a snapshot; null when every record is */
  private oldestUnsnapshottedMs: number | null = null;
  private readonly logLine: (line: string) => void;
  private readonly clock: () => number;

  private constructor(
    private readonly options: MetadataLogOptions,
    clusterId: string,
  ) {
    this.dir = join(options.logDir, METADATA_LOG_DIR_NAME);
    this.raftMode = options.raft === true;
    this.logLine = options.logger ?? (() => {});
    this.clock = options.clock ?? Date.now;
    this.maxBytesBetweenSnapshots = options.maxBytesBetweenSnapshots ?? DEFAULT_MAX_BYTES_BETWEEN_SNAPSHOTS;
    this.maxSnapshotIntervalMs = options.maxSnapshotIntervalMs ?? DEFAULT_MAX_SNAPSHOT_INTERVAL_MS;
    mkdirSync(this.dir, { recursive: true });
    this.snapshots = listSnapshots(this.dir);
    this.current = emptyImage(clusterId);
    // Newest readable snapshot first; a damaged one is set aside for an older one.
    for (const id of [...this.snapshots].reverse()) {
      try {
        const snapshot = readSnapshot(this.dir, id);
        this.current = applyRecords(this.current, snapshot.records, {
          lastContainedOffset: id.endOffset - 1,
          lastContainedEpoch: id.epoch,
          lastContainedLogTimeMs: snapshot.lastContainedLogTimestamp,
        });
        this.snapshotEnd = id.endOffset;
        break;
      } catch (err) {
        this.logLine(`${(err as Error).message}; trying an older snapshot`);
        this.snapshots = this.snapshots.filter((s) => s !== id);
      }
    }
    this.hw = this.snapshotEnd;
    this.log = PartitionLog.open(
      this.dir,
      {
        ...defaultLogConfig(),
        segmentBytes: options.segmentBytes ?? DEFAULT_METADATA_SEGMENT_BYTES,
        maxMessageBytes: MAX_BATCH_BYTES,
        // the raft layer, not retention, decides what is deleted (behind snapshots)
        retentionMs: -1,
        retentionBytes: -1,
      },
      // Segments reaching past the snapshot are re-validated (a torn tail cut off): those are
      // replayed. Older ones are never read again, so they need no check.
      { recoveryPoint: this.snapshotEnd, hadCleanShutdown: false, logger: (m) => this.logLine(m), clock: this.clock },
    );
  }

  /**
   * Opens (creating if needed) the metadata log and rebuilds the image from its snapshot and
   * records. As a quorum of one (the default) every record is committed and this node leads
   * at the next epoch; with `raft`, records after the snapshot stay uncommitted until the
   * raft commits them (commitTo).
   */
  static open(options: MetadataLogOptions): MetadataLog {
    const clusterId = options.clusterId ?? readMetaProperties(options.logDir)?.clusterId;
    if (clusterId === undefined || clusterId === '') {
      throw new Error(`No cluster id for the metadata log in ${options.logDir}: meta.properties has no cluster.id`);
    }
    const metadataLog = new MetadataLog(options, clusterId);
    try {
      metadataLog.load();
    } catch (err) {
      metadataLog.log.close();
      throw err;
    }
    return metadataLog;
  }

  private load(): void {
    if (this.log.offlineReason !== null) {
      throw new Error(`The metadata log ${this.dir} is corrupt: ${this.log.offlineReason}`);
    }
    const snapshotEnd = this.snapshotEnd;
    if (this.log.logStartOffset > snapshotEnd) {
      throw new Error(
        `The metadata log ${this.dir} starts at offset ${this.log.logStartOffset} but no readable snapshot reaches it ` +
          `(newest ends at ${snapshotEnd}): records ${snapshotEnd}..${this.log.logStartOffset - 1} are missing`,
      );
    }
    if (this.log.logEndOffset < snapshotEnd) {
      // The snapshot is ahead of the log (segments lost): the log continues from the snapshot.
      this.logLine(`${this.dir}: log ends at ${this.log.logEndOffset}, before snapshot ${snapshotEnd}; restarting the log there`);
      this.log.truncateFullyAndStartAt(snapshotEnd);
    }
    this.log.highWatermark = snapshotEnd;

    // Everything after the snapshot is pending until committed.
    let offset = snapshotEnd;
    const end = this.log.logEndOffset;
    while (offset < end) {
      const { records: bytes } = this.log.read(offset, MAX_BATCH_BYTES);
      if (bytes.length === 0) break;
      const batches = decodeBatches(bytes, this.dir, offset);
      if (batches.length === 0) break;
      this.pending.push(...batches);
      offset = batches[batches.length - 1]!.lastOffset + 1;
    }
    this.raftEpoch = this.lastFetchedEpoch;
    if (this.raftMode) {
      this.logLine(
        `Loaded the metadata log ${this.dir}: snapshot ${snapshotEnd}, log end ${this.log.logEndOffset}, ` +
          `last epoch ${this.raftEpoch}; records after the snapshot wait for the quorum's high watermark`,
      );
      return;
    }

    // A quorum of one: everything written is committed; this node elects itself at the next
    // epoch and says so in the log (LeaderChangeMessage).
    this.commitTo(this.log.logEndOffset);
    this.raftEpoch = Math.max(this.raftEpoch, this.readQuorumEpoch()) + 1;
    this.writeQuorumState();
    const nodeId = this.options.nodeId;
    const voters = [{ voterId: nodeId, voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' }];
    this.appendControl(encodeRaftControlRecord('LeaderChangeMessage', { leaderId: nodeId, voters, grantingVoters: voters }), this.raftEpoch);
    this.commitTo(this.log.logEndOffset);
    this.logLine(
      `Loaded the metadata log ${this.dir}: ${this.current.topicsByName.size} topics, ` +
        `up to offset ${this.current.provenance.lastContainedOffset}, snapshot ${snapshotEnd}, epoch ${this.raftEpoch}`,
    );
  }

  private readQuorumEpoch(): number {
    const path = join(this.dir, QUORUM_STATE_FILE);
    if (!existsSync(path)) return 0;
    try {
      const state = JSON.parse(readFileSync(path, 'utf8')) as { leaderEpoch?: unknown };
      return typeof state.leaderEpoch === 'number' ? state.leaderEpoch : 0;
    } catch {
      this.logLine(`${path} is unreadable; the epoch is taken from the log`);
      return 0;
    }
  }

  /** quorum-state as Kafka's FileQuorumStateStore writes it (data_version 0). */
  private writeQuorumState(): void {
    const nodeId = this.options.nodeId;
    const state = {
      clusterId: '',
      leaderId: nodeId,
      leaderEpoch: this.raftEpoch,
      votedId: -1,
      appliedOffset: 0,
      currentVoters: [{ voterId: nodeId }],
      data_version: 0,
    };
    writeFileAtomically(join(this.dir, QUORUM_STATE_FILE), JSON.stringify(state));
  }

  private ensureHealthy(): void {
    if (this.failure !== null) throw new Error(`The metadata log ${this.dir} failed earlier: ${this.failure.message}`);
  }

  /** fsync; after a failure the log refuses further appends (the batch is in the file but not known durable). */
  private flush(): void {
    try {
      this.log.flush();
    } catch (err) {
      this.failure = err as Error;
      throw err;
    }
  }

  /**
   * Appends one batch at `epoch` and fsyncs it. Offsets and epoch are assigned here, as
   * Kafka's raft leader does, and the batch goes in with them (the log's replication path):
   * client Produce checks do not apply to it. The batch is pending until committed.
   */
  private appendBatch(records: RecordInput[], control: boolean, now: number, epoch: number, decoded: readonly MetadataRecord[]): PendingBatch {
    this.ensureHealthy();
    const batch = buildRecordBatch(records, {
      baseOffset: this.log.logEndOffset,
      partitionLeaderEpoch: epoch,
      timestamp: now,
      control,
    });
    if (batch.length > MAX_BATCH_BYTES) {
      throw new Error(`${records.length} metadata records take ${batch.length} bytes, more than a metadata batch may (${MAX_BATCH_BYTES})`);
    }
    const info = this.log.appendAsFollower(batch);
    this.flush();
    const pending: PendingBatch = {
      baseOffset: info.baseOffset,
      lastOffset: info.lastOffset,
      epoch,
      control,
      records: decoded,
      maxTimestamp: now,
      sizeInBytes: batch.length,
    };
    this.pending.push(pending);
    this.raftEpoch = Math.max(this.raftEpoch, epoch);
    return pending;
  }

  // ---- the API -------------------------------------------------------------

  /** The image of every committed record. */
  image(): MetadataImage {
    return this.current;
  }

  /** The committed image plus every batch written after it (what a new batch must apply to). */
  latestImage(): MetadataImage {
    if (this.latest === null) {
      let image = this.current;
      for (const batch of this.pending) {
        if (batch.control || batch.records.length === 0) continue;
        image = applyRecords(image, batch.records, {
          lastContainedOffset: batch.lastOffset,
          lastContainedEpoch: batch.epoch,
          lastContainedLogTimeMs: batch.maxTimestamp,
        });
      }
      this.latest = image;
    }
    return this.latest;
  }

  /** The raft epoch: as a quorum of one, the epoch this node leads in (bumped on every open); else the last batch's. */
  get epoch(): number {
    return this.raftEpoch;
  }

  /** The offset the next record gets (the log end offset). */
  get endOffset(): number {
    return this.log.logEndOffset;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /** The first offset not committed. */
  get highWatermark(): number {
    return this.hw;
  }

  /** Epoch of the last batch in the log, else of the newest snapshot, else 0 (KafkaRaftClient's lastFetchedEpoch). */
  get lastFetchedEpoch(): number {
    const lastPending = this.pending[this.pending.length - 1];
    if (lastPending !== undefined) return lastPending.epoch;
    const entries = this.log.leaderEpochEntries();
    const lastEntry = entries[entries.length - 1];
    if (lastEntry !== undefined && this.log.logEndOffset > this.log.logStartOffset) return lastEntry.epoch;
    return Math.max(0, this.latestSnapshotId()?.epoch ?? this.current.provenance.lastContainedEpoch);
  }

  /**
   * Where `epoch` ends in this log: the largest epoch not above it and the offset the
   * next epoch starts at (the log end for the latest), as Kafka's LeaderEpochFileCache
   * endOffsetFor plus the snapshot for epochs no longer in the log.
   */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return endOffsetFor(epoch, this.log.leaderEpochEntries(), this.log.logEndOffset, this.lastFetchedEpoch, this.latestSnapshotId());
  }

  /** Snapshot ids on disk, oldest first. */
  snapshotIds(): SnapshotId[] {
    return [...this.snapshots];
  }

  latestSnapshotId(): SnapshotId | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }

  onChange(listener: MetadataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Appends `records` as one batch: checks they apply to the current image (a
   * record that does not — a partition of an unknown topic, or a type the image
   * does not keep — throws MetadataReplayError and nothing is written), writes and fsyncs them, then
   * publishes the new image. Returns the offset of the last record. A quorum of one only.
   */
  append(records: readonly MetadataRecord[]): number {
    if (this.raftMode) throw new Error('append() commits at once and serves a quorum of one; a raft leader uses appendAsLeader');
    if (records.length === 0) return this.current.provenance.lastContainedOffset;
    const batch = this.appendAsLeader(records, this.raftEpoch);
    this.commitTo(this.log.logEndOffset);
    return batch.lastOffset;
  }

  /**
   * Leader: appends `records` as one batch at `epoch`, fsynced but not committed. They
   * must apply to the latest image (committed plus pending): otherwise MetadataReplayError
   * and nothing is written.
   */
  appendAsLeader(records: readonly MetadataRecord[], epoch: number): { baseOffset: number; lastOffset: number } {
    this.ensureHealthy();
    for (const r of records) {
      if (!IMAGE_RECORD_TYPES.has(r.type)) {
        throw new MetadataReplayError(`${r.type} is not kept by the metadata image (a snapshot would lose it); not appended`);
      }
    }
    const now = this.clock();
    const baseOffset = this.log.logEndOffset;
    const lastOffset = baseOffset + records.length - 1;
    const values = records.map((r) => encodeMetadataRecord(r));
    // Applied as a reader of the log will see them (defaults filled in, fields of other versions dropped).
    const decoded = values.map(decodeMetadataRecord);
    const next = applyRecords(this.latestImage(), decoded, { lastContainedOffset: lastOffset, lastContainedEpoch: epoch, lastContainedLogTimeMs: now });
    this.appendBatch(values.map((value) => ({ key: null, value })), false, now, epoch, decoded);
    this.latest = next;
    return { baseOffset, lastOffset };
  }

  /** Leader: appends one raft control record (LeaderChangeMessage) as its own batch at `epoch`. */
  appendControl(record: RecordInput, epoch: number): { baseOffset: number; lastOffset: number } {
    const batch = this.appendBatch([record], true, this.clock(), epoch, []);
    return { baseOffset: batch.baseOffset, lastOffset: batch.lastOffset };
  }

  /**
   * Follower: appends batches fetched from the leader (offsets and epochs as the leader
   * wrote them), fsynced, uncommitted. They must start at the log end. Returns the new log end.
   */
  appendAsFollower(bytes: Buffer): number {
    this.ensureHealthy();
    if (bytes.length === 0) return this.log.logEndOffset;
    validateBatches(bytes);
    const batches = decodeBatches(bytes, this.dir);
    const first = batches[0];
    if (first === undefined) return this.log.logEndOffset;
    if (first.baseOffset !== this.log.logEndOffset) {
      throw new Error(`${this.dir}: fetched batch at offset ${first.baseOffset} does not continue the log ending at ${this.log.logEndOffset}`);
    }
    this.log.appendAsFollower(bytes);
    this.flush();
    this.pending.push(...batches);
    this.latest = null;
    for (const b of batches) this.raftEpoch = Math.max(this.raftEpoch, b.epoch);
    return this.log.logEndOffset;
  }

  /**
   * Follower: removes every record at or after `offset` (a tail the leader does not have,
   * KIP-595 diverging epoch). Committed records are never removed: below the high
   * watermark this throws.
   */
  truncateTo(offset: number): void {
    if (offset >= this.log.logEndOffset) return;
    if (offset < this.hw) {
      throw new Error(`${this.dir}: cannot truncate to ${offset}, below the high watermark ${this.hw} (committed records)`);
    }
    this.log.truncateTo(offset);
    this.flush();
    this.pending = this.pending.filter((b) => b.baseOffset < offset);
    const last = this.pending[this.pending.length - 1];
    if (last !== undefined && last.lastOffset >= offset) {
      // a batch cut in the middle cannot be replayed; the log dropped it whole (batches are atomic)
      this.pending.pop();
    }
    this.latest = null;
    this.raftEpoch = this.lastFetchedEpoch;
  }

  /**
   * Commits every batch below `offset` (the quorum's high watermark): applies them to the
   * image and tells listeners, batch by batch in log order. Offsets beyond the log end
   * are clamped to it; a lower offset than before is ignored.
   */
  commitTo(offset: number): void {
    const target = Math.min(offset, this.log.logEndOffset);
    if (target <= this.hw) return;
    const committing: PendingBatch[] = [];
    while (this.pending.length > 0 && this.pending[0]!.lastOffset < target) committing.push(this.pending.shift()!);
    const last = committing[committing.length - 1];
    if (last === undefined) return;
    this.hw = last.lastOffset + 1;
    this.log.highWatermark = this.hw;
    try {
      if (this.listeners.size === 0) {
        // one pass, one copy of each image part (replay at start-up)
        const records: MetadataRecord[] = [];
        let provenance = this.current.provenance;
        for (const b of committing) {
          if (b.control || b.records.length === 0) continue;
          records.push(...b.records);
          provenance = { lastContainedOffset: b.lastOffset, lastContainedEpoch: b.epoch, lastContainedLogTimeMs: b.maxTimestamp };
        }
        if (records.length > 0) this.current = applyRecords(this.current, records, provenance);
      } else {
        for (const b of committing) {
          if (b.control || b.records.length === 0) continue;
          const previous = this.current;
          this.current = applyRecords(previous, b.records, {
            lastContainedOffset: b.lastOffset,
            lastContainedEpoch: b.epoch,
            lastContainedLogTimeMs: b.maxTimestamp,
          });
          this.publish(previous, b);
        }
      }
    } catch (err) {
      // A committed record that does not apply: the image can no longer follow the log.
      this.failure = err as Error;
      throw err;
    }
    if (this.pending.length === 0) this.latest = this.current;
    for (const b of committing) {
      if (b.control) continue;
      this.bytesSinceSnapshot += b.sizeInBytes;
      this.oldestUnsnapshottedMs ??= b.maxTimestamp;
    }
    this.maybeSnapshot();
  }

  private publish(previous: MetadataImage, batch: { records: readonly MetadataRecord[]; baseOffset: number; lastOffset: number }): void {
    const change: MetadataChange = { previous, records: batch.records, baseOffset: batch.baseOffset, lastOffset: batch.lastOffset };
    for (const listener of [...this.listeners]) {
      try {
        listener(this.current, change);
      } catch (err) {
        // The change is durable whatever a listener does with it.
        this.logLine(`metadata listener failed at offset ${batch.lastOffset}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Record batches from `offset` (whole batches, at least one when any), for a raft
   * Fetch: committed or not, as KIP-595 leaders send them. OFFSET_OUT_OF_RANGE (KafkaError)
   * outside [logStartOffset, logEndOffset].
   */
  readBatches(offset: number, maxBytes: number): Buffer {
    return this.log.read(offset, maxBytes, { minOneMessage: true }).records;
  }

  /** `maxBytes` of a snapshot file from `position` (FetchSnapshot), with its total size; null when there is no such snapshot. */
  readSnapshotChunk(id: SnapshotId, position: number, maxBytes: number): { size: number; bytes: Buffer } | null {
    if (!this.snapshots.some((s) => s.endOffset === id.endOffset && s.epoch === id.epoch)) return null;
    let file: Buffer;
    try {
      file = readFileSync(join(this.dir, snapshotFileName(id)));
    } catch {
      return null;
    }
    const start = Math.min(Math.max(0, position), file.length);
    return { size: file.length, bytes: file.subarray(start, start + Math.max(0, maxBytes)) };
  }

  /**
   * Follower far behind the leader's log start: installs the snapshot fetched from the
   * leader (its bytes as written), replaces the image with it and restarts the log at its
   * end offset. Listeners get one change whose records are the whole snapshot.
   */
  installSnapshot(id: SnapshotId, bytes: Buffer): void {
    this.ensureHealthy();
    writeSnapshotFile(this.dir, id, bytes);
    let image: MetadataImage;
    try {
      const snapshot = readSnapshot(this.dir, id);
      image = applyRecords(emptyImage(this.current.clusterId), snapshot.records, {
        lastContainedOffset: id.endOffset - 1,
        lastContainedEpoch: id.epoch,
        lastContainedLogTimeMs: snapshot.lastContainedLogTimestamp,
      });
    } catch (err) {
      deleteSnapshot(this.dir, id);
      throw err;
    }
    for (const old of this.snapshots) {
      if (old.endOffset !== id.endOffset || old.epoch !== id.epoch) deleteSnapshot(this.dir, old);
    }
    this.snapshots = [id];
    this.snapshotEnd = id.endOffset;
    this.log.truncateFullyAndStartAt(id.endOffset);
    this.pending = [];
    this.hw = id.endOffset;
    this.log.highWatermark = this.hw;
    this.bytesSinceSnapshot = 0;
    this.oldestUnsnapshottedMs = null;
    this.raftEpoch = Math.max(this.raftEpoch, id.epoch);
    const previous = this.current;
    this.current = image;
    this.latest = image;
    this.logLine(`Installed metadata snapshot ${id.endOffset}-${id.epoch} fetched from the leader`);
    this.publish(previous, { records: imageRecords(image), baseOffset: 0, lastOffset: id.endOffset - 1 });
  }

  private maybeSnapshot(): void {
    const dueByTime =
      this.maxSnapshotIntervalMs > 0 &&
      this.oldestUnsnapshottedMs !== null &&
      this.clock() - this.oldestUnsnapshottedMs >= this.maxSnapshotIntervalMs;
    if (this.bytesSinceSnapshot >= this.maxBytesBetweenSnapshots || dueByTime) this.snapshot();
  }

  /**
   * Writes a snapshot of the committed image (unless one at the same offset exists),
   * deletes older snapshots and the log segments wholly behind it. Returns its id,
   * or null when the log holds no metadata record yet.
   */
  snapshot(): SnapshotId | null {
    const { lastContainedOffset, lastContainedEpoch, lastContainedLogTimeMs } = this.current.provenance;
    if (lastContainedOffset < 0) return null;
    const id: SnapshotId = { endOffset: lastContainedOffset + 1, epoch: lastContainedEpoch };
    const latest = this.snapshots[this.snapshots.length - 1];
    if (latest === undefined || latest.endOffset !== id.endOffset) {
      const bytes = writeSnapshot(this.dir, id, imageRecords(this.current), lastContainedLogTimeMs, this.clock());
      this.logLine(`Wrote metadata snapshot ${id.endOffset}-${id.epoch} (${bytes} bytes)`);
      for (const old of this.snapshots) deleteSnapshot(this.dir, old);
      this.snapshots = [id];
    }
    this.bytesSinceSnapshot = 0;
    this.oldestUnsnapshottedMs = null;
    // Segments wholly before the snapshot are no longer needed to rebuild the image.
    this.log.deleteRecordsBefore(Math.min(id.endOffset, this.log.highWatermark));
    return id;
  }

  /** Base offsets of the segments, oldest first (tests, tools). */
  segmentBaseOffsets(): number[] {
    return this.log.segmentBaseOffsets();
  }

  close(): void {
    this.listeners.clear();
    this.log.flush();
    this.log.close();
  }
}
