/**
 * A topic's effective config (topic-config.ts) as storage's LogConfig, the settings
 * a partition log is opened and re-configured with.
 */
import type { LogConfig } from '../storage/partition-log.js';

/**
 * Effective topic config (string values, every key present) → storage's LogConfig.
 * Long.MAX_VALUE ("never") does not fit a double exactly, so it becomes
 * Number.MAX_SAFE_INTEGER.
 */
export function toLogConfig(effective: Record<string, string | null>): LogConfig {
  const num = (key: string): number => {
    const n = Number(effective[key] ?? NaN);
    if (!Number.isFinite(n)) throw new Error(`topic config ${key} has no numeric value`);
    return Math.min(n, Number.MAX_SAFE_INTEGER);
  };
  const optionalNum = (key: string): number => (effective[key] == null ? Number.MAX_SAFE_INTEGER : num(key));
  const timestampBound = (key: string): number => {
    const own = optionalNum(key);
    return own < Number.MAX_SAFE_INTEGER ? own : optionalNum('message.timestamp.difference.max.ms');
  };
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    indexIntervalBytes: num('index.interval.bytes'),
    maxIndexSizeBytes: num('segment.index.bytes'),
    flushIntervalMessages: num('flush.messages'),
    flushIntervalMs: num('flush.ms'),
    cleanupPolicy: (effective['cleanup.policy'] ?? 'delete') as LogConfig['cleanupPolicy'],
    deleteRetentionMs: num('delete.retention.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    segmentJitterMs: num('segment.jitter.ms'),
    messageTimestampType: (effective['message.timestamp.type'] ?? 'CreateTime') as LogConfig['messageTimestampType'],
    // Kafka 3.6+: the deprecated difference.max.ms applies to a side left at its default
    messageTimestampBeforeMaxMs: timestampBound('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: timestampBound('message.timestamp.after.max.ms'),
    maxMessageBytes: num('max.message.bytes'),
  };
}
