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
 * Owned by one event loop: synchronous, single writer. The cluster issue will
 * replicate the same log to followers; this class is its leader side.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeMetadataRecord,
  encodeMetadataRecord,
  encodeRaftControlRecord,
  type MetadataRecord,
} from '../protocol/metadata-records.js';
import { buildRecordBatch, decodeRecordBatch, type RecordInput } from '../protocol/records/record.js';
import { writeFileAtomically } from '../storage/checkpoint-file.js';
import { METADATA_TOPIC, readMetaProperties } from '../storage/log-manager.js';
import { defaultLogConfig, PartitionLog } from '../storage/partition-log.js';
import { applyRecords, IMAGE_RECORD_TYPES, MetadataReplayError } from './apply.js';
import { emptyImage, type MetadataImage } from './image.js';
import { imageRecords } from './records.js';
import { deleteSnapshot, listSnapshots, readSnapshot, writeSnapshot, type SnapshotId } from './snapshot-file.js';

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
  private current: MetadataImage;
  private raftEpoch = 0;
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

  /** Opens (creating if needed) the metadata log and rebuilds the image from its snapshot and records. */
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
    const image = this.current;
    const snapshotEnd = this.snapshotEnd;
    let lastEpoch = image.provenance.lastContainedEpoch;
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

    // Replay everything after the snapshot in one pass (one copy of each image part, not one per batch).
    const replayed: MetadataRecord[] = [];
    let provenance = image.provenance;
    let offset = snapshotEnd;
    const end = this.log.logEndOffset;
    while (offset < end) {
      const { records: bytes } = this.log.read(offset, MAX_BATCH_BYTES);
      if (bytes.length === 0) break;
      let pos = 0;
      while (pos < bytes.length) {
        const size = bytes.readInt32BE(pos + 8) + 12;
        const batch = decodeRecordBatch(bytes.subarray(pos, pos + size));
        pos += size;
        lastEpoch = Math.max(lastEpoch, batch.header.partitionLeaderEpoch);
        if (!batch.header.isControl) {
          const records = batch.records.filter((r) => r.offset >= offset);
          if (records.length > 0) {
            for (const r of records) {
              if (r.value === null) throw new Error(`${this.dir}: record at offset ${r.offset} has no value`);
              replayed.push(decodeMetadataRecord(r.value));
            }
            provenance = {
              lastContainedOffset: records[records.length - 1]!.offset,
              lastContainedEpoch: batch.header.partitionLeaderEpoch,
              lastContainedLogTimeMs: batch.header.maxTimestamp,
            };
            this.bytesSinceSnapshot += size;
            this.oldestUnsnapshottedMs ??= batch.header.maxTimestamp;
          }
        }
        offset = batch.header.lastOffset + 1;
      }
    }
    this.current = applyRecords(image, replayed, provenance);

    // A quorum of one elects itself at the next epoch, and says so in the log (LeaderChangeMessage).
    this.raftEpoch = Math.max(lastEpoch, this.readQuorumEpoch()) + 1;
    this.writeQuorumState();
    const nodeId = this.options.nodeId;
    const voters = [{ voterId: nodeId, voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' }];
    const leaderChange = encodeRaftControlRecord('LeaderChangeMessage', { leaderId: nodeId, voters, grantingVoters: voters });
    this.appendBatch([leaderChange], true, this.clock());
    this.logLine(
      `Loaded the metadata log ${this.dir}: ${this.current.topicsByName.size} topics, ` +
        `up to offset ${this.current.provenance.lastContainedOffset}, snapshot ${snapshotEnd}, epoch ${this.raftEpoch}`,
    );
    this.maybeSnapshot();
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

  /**
   * Appends one batch at the current epoch and fsyncs it. Offsets and epoch are
   * assigned here, as Kafka's raft leader does, and the batch goes in with them
   * (the log's replication path): client Produce checks do not apply to it.
   * After an I/O failure the log refuses further appends.
   */
  private appendBatch(records: RecordInput[], control: boolean, now: number): { baseOffset: number; lastOffset: number; size: number } {
    if (this.failure !== null) throw new Error(`The metadata log ${this.dir} failed earlier: ${this.failure.message}`);
    const batch = buildRecordBatch(records, {
      baseOffset: this.log.logEndOffset,
      partitionLeaderEpoch: this.raftEpoch,
      timestamp: now,
      control,
    });
    if (batch.length > MAX_BATCH_BYTES) {
      throw new Error(`${records.length} metadata records take ${batch.length} bytes, more than a metadata batch may (${MAX_BATCH_BYTES})`);
    }
    const info = this.log.appendAsFollower(batch);
    try {
      this.log.flush();
    } catch (err) {
      // The batch is in the file but not known durable: the image must not move past it, nor later appends.
      this.failure = err as Error;
      throw err;
    }
    this.log.highWatermark = this.log.logEndOffset;
    return { baseOffset: info.baseOffset, lastOffset: info.lastOffset, size: batch.length };
  }

  // ---- the API -------------------------------------------------------------

  image(): MetadataImage {
    return this.current;
  }

  /** The raft epoch this node leads in (bumped on every open). */
  get epoch(): number {
    return this.raftEpoch;
  }

  /** The offset the next record gets. */
  get endOffset(): number {
    return this.log.logEndOffset;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /** Snapshot ids on disk, oldest first. */
  snapshotIds(): SnapshotId[] {
    return [...this.snapshots];
  }

  onChange(listener: MetadataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Appends `records` as one batch: checks they apply to the current image (a
   * record that does not — a partition of an unknown topic, or a type the image
   * does not keep — throws MetadataReplayError and nothing is written), writes and fsyncs them, then
   * publishes the new image. Returns the offset of the last record.
   */
  append(records: readonly MetadataRecord[]): number {
    if (records.length === 0) return this.current.provenance.lastContainedOffset;
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
    const next = applyRecords(this.current, values.map(decodeMetadataRecord), {
      lastContainedOffset: lastOffset,
      lastContainedEpoch: this.raftEpoch,
      lastContainedLogTimeMs: now,
    });
    const written = this.appendBatch(
      values.map((value) => ({ key: null, value })),
      false,
      now,
    );
    this.bytesSinceSnapshot += written.size;
    this.oldestUnsnapshottedMs ??= now;
    const previous = this.current;
    this.current = next;
    const change: MetadataChange = { previous, records, baseOffset, lastOffset };
    for (const listener of [...this.listeners]) {
      try {
        listener(next, change);
      } catch (err) {
        // The change is durable whatever a listener does with it.
        this.logLine(`metadata listener failed at offset ${lastOffset}: ${(err as Error).message}`);
      }
    }
    this.maybeSnapshot();
    return lastOffset;
  }

  private maybeSnapshot(): void {
    const dueByTime =
      this.maxSnapshotIntervalMs > 0 &&
      this.oldestUnsnapshottedMs !== null &&
      this.clock() - this.oldestUnsnapshottedMs >= this.maxSnapshotIntervalMs;
    if (this.bytesSinceSnapshot >= this.maxBytesBetweenSnapshots || dueByTime) this.snapshot();
  }

  /**
   * Writes a snapshot of the current image (unless one at the same offset exists),
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

  /** Base offsets of the log's segments (tests, tools). */
  segmentBaseOffsets(): number[] {
    return this.log.segmentBaseOffsets();
  }

  close(): void {
    this.listeners.clear();
    this.log.flush();
    this.log.close();
  }
}
