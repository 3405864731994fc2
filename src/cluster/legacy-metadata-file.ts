/**
 * Durable snapshot of the cluster metadata: one JSON file
 * (`__cluster_metadata.json`) in the first log dir, replaced atomically
 * (write tmp → fsync → rename → fsync dir) so a crash leaves either the old or
 * the new snapshot, never a torn one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrokerInfo, TopicState } from '../broker/services/metadata-service.js';
import { writeFileAtomically } from '../storage/log-manager.js';

export const METADATA_SNAPSHOT_FILE = '__cluster_metadata.json';
const SNAPSHOT_VERSION = 1;

export interface MetadataSnapshot {
  version: number;
  clusterId: string;
  brokers: BrokerInfo[];
  topics: TopicState[];
}

export function snapshotPath(logDir: string): string {
  return path.join(logDir, METADATA_SNAPSHOT_FILE);
}

/** Reads the snapshot; undefined when there is none yet. A corrupt file is an error, not an empty cluster. */
export function readSnapshot(logDir: string): MetadataSnapshot | undefined {
  const file = snapshotPath(logDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<MetadataSnapshot>;
  if (parsed.version !== SNAPSHOT_VERSION || typeof parsed.clusterId !== 'string' || !Array.isArray(parsed.topics)) {
    throw new Error(`Unreadable cluster metadata snapshot ${file}`);
  }
  return {
    version: parsed.version,
    clusterId: parsed.clusterId,
    brokers: Array.isArray(parsed.brokers) ? parsed.brokers : [],
    topics: parsed.topics,
  };
}

/** Atomically replaces the snapshot. Synchronous so metadata changes are durable before they are acknowledged. */
export function writeSnapshot(logDir: string, snapshot: Omit<MetadataSnapshot, 'version'>): void {
  fs.mkdirSync(logDir, { recursive: true });
  writeFileAtomically(snapshotPath(logDir), JSON.stringify({ version: SNAPSHOT_VERSION, ...snapshot }, null, 1));
}
