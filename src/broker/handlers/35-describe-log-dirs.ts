/**
 * DescribeLogDirs (key 35), v0-4: per log dir of this broker, the partitions stored
 * there with their size on disk. `kafka-log-dirs.sh --describe` and
 * Admin.describeLogDirs / describeReplicaLogDirs call it.
 *
 * offsetLag is 0 (a current log's lag is max(HW - LEO, 0), and no future logs exist
 * here, since AlterReplicaLogDirs is not served); v4 adds the file system's total and
 * usable bytes (Kafka reports FileStore totalSpace/usableSpace; statfs gives the same).
 * A dir that cannot be inspected answers KAFKA_STORAGE_ERROR, as an offline dir does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  DescribeLogDirsResponseDescribeLogDirsResult,
  DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../../protocol/generated/types.js';
import type { BrokerServices } from '../services/index.js';

interface DirSpace {
  totalBytes: bigint;
  usableBytes: bigint;
}

function spaceOf(dir: string): DirSpace | null {
  try {
    if (!fs.statSync(dir).isDirectory()) return null;
    const stats = fs.statfsSync(dir, { bigint: true });
    return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
  } catch {
    return null;
  }
}

/** requested partitions per topic; null = every partition of every topic (topics null on the wire) */
function wantedPartitions(request: DescribeLogDirsRequest): Map<string, Set<number>> | null {
  if (request.topics === null) return null;
  const wanted = new Map<string, Set<number>>();
  for (const t of request.topics) {
    const set = wanted.get(t.topic) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    wanted.set(t.topic, set);
  }
  return wanted;
}

function describeDir(
  logDir: string,
  wanted: Map<string, Set<number>> | null,
  services: BrokerServices,
): DescribeLogDirsResponseDescribeLogDirsResult {
  const absolute = path.resolve(logDir);
  const space = spaceOf(absolute);
  if (!space) {
    return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: absolute, topics: [], totalBytes: -1n, usableBytes: -1n };
  }
  const topics: DescribeLogDirsResponseDescribeLogDirsTopic[] = [];
  for (const topic of services.metadata.topics()) {
    const wantedHere = wanted === null ? null : wanted.get(topic.name);
    if (wanted !== null && !wantedHere) continue;
    const partitions = [];
    for (const p of topic.partitions) {
      if (wantedHere && !wantedHere.has(p.partition)) continue;
      const log = services.metadata.getPartition(topic.name, p.partition)?.log;
      if (!log || path.resolve(path.dirname(log.dir)) !== absolute) continue;
      partitions.push({
        partitionIndex: p.partition,
        partitionSize: BigInt(log.sizeInBytes()),
        offsetLag: BigInt(Math.max(log.highWatermark - log.logEndOffset, 0)),
        isFutureKey: false,
      });
    }
    if (partitions.length > 0) topics.push({ name: topic.name, partitions });
  }
  return { errorCode: ErrorCode.NONE, logDir: absolute, topics, ...space };
}

export default defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: 35,
  minVersion: 0,
  maxVersion: 4,
  handle(request, _ctx, services) {
    const wanted = wantedPartitions(request);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: services.config.logDirs.map((dir) => describeDir(dir, wanted, services)),
    };
  },
});
