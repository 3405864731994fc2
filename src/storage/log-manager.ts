/**
 * LogManager: every PartitionLog on this broker, spread over the `log.dirs`.
 *
 * Per log dir it keeps Kafka's files: `recovery-point-offset-checkpoint`,
 * `log-start-offset-checkpoint`, `replication-offset-checkpoint` (high watermarks), the
 * `.kafka_cleanshutdown` marker and `meta.properties`. Checkpoint format (Kafka's
 * OffsetCheckpointFile): a version line "0", a count line, then one
 * "topic partition offset" line per partition; written to a .tmp file, fsynced, renamed.
 *
 * Owned by the broker's event loop; background retention/flush run on unref'd timers in
 * that same loop, so there are no concurrent writers. Not concurrency-safe otherwise.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  readOffsetCheckpoint,
  topicPartitionKey,
  writeFileAtomically,
  writeOffsetCheckpoint,
  type OffsetCheckpoint,
} from './checkpoint-file.js';
import { LogCleaner, type LogCleanerOptions } from './log-cleaner.js';
import { PartitionLog, parseTopicPartitionDir, type LogConfig } from './partition-log.js';
import { LogDirLock } from './log-dir-lock.js';
import { openFilePool } from './open-file-pool.js';

export { readOffsetCheckpoint, writeFileAtomically, writeOffsetCheckpoint, type OffsetCheckpoint } from './checkpoint-file.js';

export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const META_PROPERTIES_FILE = 'meta.properties';
/**
 * KRaft's metadata topic. Its log (`__cluster_metadata-0`) belongs to the metadata
 * layer's MetadataLog, never to the partition logs here: loadLogs leaves it alone,
 * as Kafka's LogManager does.
 */
export const METADATA_TOPIC = '__cluster_metadata';

export interface MetaProperties {
  version: number;
  clusterId: string;
  /** broker.id (ZooKeeper-era) or node.id (KRaft). */
  brokerId: number;
}

/** Writes meta.properties (version=1 as in KRaft; broker.id and node.id both set). */
export function writeMetaProperties(
  dir: string,
  props: { clusterId: string; brokerId?: number; nodeId?: number },
): void {
  const id = props.brokerId ?? props.nodeId;
  if (id === undefined) throw new Error('writeMetaProperties needs brokerId or nodeId');
  mkdirSync(dir, { recursive: true });
  const text = [
    '#',
    `#${new Date().toString()}`,
    'version=1',
    `broker.id=${id}`,
    `node.id=${id}`,
    `cluster.id=${props.clusterId}`,
    '',
  ].join('\n');
  writeFileAtomically(join(dir, META_PROPERTIES_FILE), text);
}

/** Reads meta.properties, or null when the directory has none. */
export function readMetaProperties(dir: string): MetaProperties | null {
  const path = join(dir, META_PROPERTIES_FILE);
  if (!existsSync(path)) return null;
  const values = new Map<string, string>();
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.search(/[=:]/);
    if (eq < 0) continue;
    values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const id = values.get('node.id') ?? values.get('broker.id');
  return {
    version: Number(values.get('version') ?? 0),
    clusterId: values.get('cluster.id') ?? '',
    brokerId: id === undefined ? -1 : Number(id),
  };
}

export interface BackgroundTaskIntervals {
  /** log.retention.check.interval.ms */
  retentionCheckIntervalMs: number;
  /** log.flush.scheduler.interval.ms (checks flush.ms per log) */
  flushSchedulerIntervalMs: number;
  /** log.flush.offset.checkpoint.interval.ms; default 60000 */
  checkpointIntervalMs?: number;
  /** how often segment/index files unused since the last sweep are closed; default 60000 */
  idleFileCloseIntervalMs?: number;
  /** log.cleaner.enable: when given, the log cleaner compacts cleanup.policy=compact logs with these options. */
  logCleaner?: LogCleanerOptions;
}

export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly dirOf = new Map<string, string>();
  /** partitions per log dir, kept with dirOf: choosing a dir must not scan every log (CreateTopics of thousands) */
  private readonly partitionsInDir = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private logCleaner: LogCleaner | null = null;
  private closed = false;
  private readonly locks: LogDirLock[] = [];

  constructor(
    readonly logDirs: string[],
    public defaults: LogConfig,
    private readonly logger: (msg: string) => void = () => {},
  ) {
    if (logDirs.length === 0) throw new Error('LogManager needs at least one log dir');
  }

  /**
   * Opens every `<topic>-<partition>` directory under every log dir, using the
   * checkpoints for recovery points, log start offsets and high watermarks. Recovery
   * is skipped where the clean-shutdown marker is present; the marker is then removed
   * so a crash before the next clean shutdown triggers recovery.
   */
  loadLogs(configFor: (topic: string) => LogConfig = () => this.defaults): PartitionLog[] {
    const loaded: PartitionLog[] = [];
    this.lockDirs();
    for (const logDir of this.logDirs) {
      mkdirSync(logDir, { recursive: true });
      const marker = join(logDir, CLEAN_SHUTDOWN_FILE);
      const hadCleanShutdown = existsSync(marker);
      const recoveryPoints = this.readCheckpointOrWarn(join(logDir, RECOVERY_POINT_CHECKPOINT_FILE));
      const logStartOffsets = this.readCheckpointOrWarn(join(logDir, LOG_START_OFFSET_CHECKPOINT_FILE));
      const highWatermarks = this.readCheckpointOrWarn(join(logDir, REPLICATION_OFFSET_CHECKPOINT_FILE));
      for (const name of readdirSync(logDir)) {
        const path = join(logDir, name);
        if (!statSync(path).isDirectory()) continue;
        if (name.endsWith('-delete')) {
          // A topic deletion interrupted by a crash: finish it.
          rmSync(path, { recursive: true, force: true });
          continue;
        }
        const parsed = parseTopicPartitionDir(name);
        if (parsed === null || parsed.topic === METADATA_TOPIC) continue;
        const key = topicPartitionKey(parsed.topic, parsed.partition);
        if (this.logs.has(key)) {
          this.logger(`${path}: duplicate log for ${key} (already in ${this.dirOf.get(key)}), skipping`);
          continue;
        }
        const log = PartitionLog.open(path, configFor(parsed.topic), {
          recoveryPoint: recoveryPoints.get(key)?.offset ?? 0,
          logStartOffset: logStartOffsets.get(key)?.offset,
          highWatermark: highWatermarks.get(key)?.offset,
          hadCleanShutdown,
          logger: this.logger,
        });
        this.place(key, log, logDir);
        loaded.push(log);
      }
      if (hadCleanShutdown) unlinkSync(marker);
    }
    // Loading touched every segment; what is used again reopens on demand, the rest holds no descriptor.
    openFilePool.closeIdle(true);
    return loaded;
  }

  private readCheckpointOrWarn(path: string): OffsetCheckpoint {
    try {
      return readOffsetCheckpoint(path);
    } catch (err) {
      this.logger(`${(err as Error).message}; ignoring it and recovering from the start`);
      return new Map();
    }
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topicPartitionKey(topic, partition));
  }

  /** Returns the existing log, or creates it in the log dir holding the fewest partitions. */
  createLog(topic: string, partition: number, config: LogConfig): PartitionLog {
    const key = topicPartitionKey(topic, partition);
    const existing = this.logs.get(key);
    if (existing) return existing;
    let logDir = this.logDirs[0]!;
    for (const dir of this.logDirs) {
      if ((this.partitionsInDir.get(dir) ?? 0) < (this.partitionsInDir.get(logDir) ?? 0)) logDir = dir;
    }
    const dir = join(logDir, key);
    let log: PartitionLog;
    try {
      log = PartitionLog.open(dir, config, { logger: this.logger });
    } catch (err) {
      // Half made (EMFILE, ENOSPC…): leave no directory behind that a restart would load.
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.place(key, log, logDir);
    return log;
  }

  private place(key: string, log: PartitionLog, logDir: string): void {
    this.logs.set(key, log);
    this.dirOf.set(key, logDir);
    this.partitionsInDir.set(logDir, (this.partitionsInDir.get(logDir) ?? 0) + 1);
  }

  private forget(key: string): void {
    const logDir = this.dirOf.get(key);
    if (logDir !== undefined) this.partitionsInDir.set(logDir, (this.partitionsInDir.get(logDir) ?? 1) - 1);
    this.logs.delete(key);
    this.dirOf.delete(key);
  }

  /**
   * Closes the log and removes its directory: renamed to `<topic>-<partition>.<id>-delete`
   * first (as Kafka does) so a crash mid-removal is finished on the next load.
   */
  deleteLog(topic: string, partition: number): boolean {
    const key = topicPartitionKey(topic, partition);
    const log = this.logs.get(key);
    if (!log) return false;
    log.close();
    this.forget(key);
    this.logCleaner?.forget(topic, partition);
    const doomed = `${log.dir}.${randomUUID().replace(/-/g, '')}-delete`;
    try {
      renameSync(log.dir, doomed);
      rmSync(doomed, { recursive: true, force: true });
    } catch {
      rmSync(log.dir, { recursive: true, force: true });
    }
    return true;
  }

  allLogs(): PartitionLog[] {
    return [...this.logs.values()];
  }

  /** The log dir holding a partition (DescribeLogDirs). */
  logDirOf(topic: string, partition: number): string | undefined {
    return this.dirOf.get(topicPartitionKey(topic, partition));
  }

  /** Writes recovery points, log start offsets and high watermarks for every log dir. */
  checkpoint(): void {
    for (const logDir of this.logDirs) {
      const logs = [...this.logs.entries()].filter(([key]) => this.dirOf.get(key) === logDir).map(([, log]) => log);
      const entry = (log: PartitionLog, offset: number) => ({ topic: log.topic, partition: log.partition, offset });
      mkdirSync(logDir, { recursive: true });
      writeOffsetCheckpoint(join(logDir, RECOVERY_POINT_CHECKPOINT_FILE), logs.map((l) => entry(l, l.recoveryPoint)));
      writeOffsetCheckpoint(join(logDir, LOG_START_OFFSET_CHECKPOINT_FILE), logs.map((l) => entry(l, l.logStartOffset)));
      writeOffsetCheckpoint(join(logDir, REPLICATION_OFFSET_CHECKPOINT_FILE), logs.map((l) => entry(l, l.highWatermark)));
    }
  }

  /** One retention pass over all logs; returns segments deleted. */
  runRetention(now: number = Date.now()): number {
    let deleted = 0;
    for (const log of this.logs.values()) {
      try {
        deleted += log.runRetention(now);
      } catch (err) {
        this.logger(`retention failed for ${log.topic}-${log.partition}: ${(err as Error).message}`);
      }
    }
    return deleted;
  }

  /** Flushes logs whose flush.ms has elapsed. */
  flushDueLogs(now: number = Date.now()): void {
    for (const log of this.logs.values()) {
      try {
        log.flushIfDue(now);
      } catch (err) {
        this.logger(`flush failed for ${log.topic}-${log.partition}: ${(err as Error).message}`);
      }
    }
  }

  /** Retention, time-based flush and periodic checkpoints on unref'd timers. */
  startBackgroundTasks(intervals: BackgroundTaskIntervals): void {
    this.stopBackgroundTasks();
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(() => {
        try {
          task();
        } catch (err) {
          this.logger(`storage background task failed: ${(err as Error).message}`);
        }
      }, Math.max(1, ms));
      timer.unref();
      this.timers.push(timer);
    };
    every(intervals.retentionCheckIntervalMs, () => this.runRetention(Date.now()));
    every(intervals.flushSchedulerIntervalMs, () => this.flushDueLogs(Date.now()));
    every(intervals.checkpointIntervalMs ?? 60_000, () => this.checkpoint());
    // files not used for a whole interval give their descriptors back (idle partitions hold none)
    every(intervals.idleFileCloseIntervalMs ?? 60_000, () => openFilePool.closeIdle());
    if (intervals.logCleaner !== undefined) {
      this.logCleaner = new LogCleaner(this, { logger: this.logger, ...intervals.logCleaner });
      this.logCleaner.start();
    }
  }

  /** The running log cleaner, or null when log.cleaner.enable is off or tasks are stopped. */
  get cleaner(): LogCleaner | null {
    return this.logCleaner;
  }

  stopBackgroundTasks(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.logCleaner?.stop();
    this.logCleaner = null;
  }

  /**
   * Takes every log dir's `.lock` before reading anything. When one is held by another
   * live broker this manager closes without touching any dir (its shutdown is a no-op).
   */
  private lockDirs(): void {
    if (this.locks.length > 0) return;
    try {
      for (const logDir of this.logDirs) {
        mkdirSync(logDir, { recursive: true });
        this.locks.push(LogDirLock.acquire(logDir));
      }
    } catch (err) {
      for (const lock of this.locks.splice(0)) lock.release();
      this.closed = true;
      throw err;
    }
  }

  /** Flush everything, checkpoint, mark a clean shutdown, close. Idempotent. */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopBackgroundTasks();
    for (const log of this.logs.values()) log.flush();
    // A full disk must not stop the shutdown half way (files open, dir locks held): without
    // its checkpoints the next start simply recovers the logs, as after a crash.
    let checkpointed = true;
    try {
      this.checkpoint();
    } catch (err) {
      checkpointed = false;
      this.logger(`WARN Could not write the checkpoints on shutdown (${(err as Error).message}); the next start recovers the logs`);
    }
    for (const log of this.logs.values()) {
      try {
        log.takeProducerSnapshot();
      } catch (err) {
        this.logger(`Could not write a producer snapshot of ${log.dir}: ${(err as Error).message}`);
      }
      log.close();
    }
    for (const logDir of checkpointed ? this.logDirs : []) {
      try {
        writeFileAtomically(join(logDir, CLEAN_SHUTDOWN_FILE), '');
      } catch (err) {
        this.logger(`WARN Could not mark ${logDir} cleanly shut down (${(err as Error).message}); the next start recovers its logs`);
      }
    }
    this.logs.clear();
    this.dirOf.clear();
    this.partitionsInDir.clear();
    for (const lock of this.locks.splice(0)) lock.release();
  }
}
