/**
 * The metadata file of earlier versions of this broker: one JSON document
 * (`__cluster_metadata.json` in the first log dir) rewritten whole on every change.
 * The metadata log (`__cluster_metadata-0`, src/metadata) replaced it; a broker
 * that finds one imports it into the log once and renames it aside.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrokerInfo, TopicState } from '../broker/services/metadata-service.js';
import { registerBrokerRecord, SecurityProtocol, topicRecords, type MetadataRecord } from '../metadata/index.js';
import { randomUuid } from './ids.js';

export const LEGACY_METADATA_FILE = '__cluster_metadata.json';
/** What the file is renamed to once imported (kept, not deleted, for a downgrade by hand). */
export const MIGRATED_SUFFIX = '.migrated';
const LEGACY_VERSION = 1;

export interface LegacyMetadata {
  clusterId: string;
  brokers: BrokerInfo[];
  topics: TopicState[];
}

export function legacyMetadataPath(logDir: string): string {
  return path.join(logDir, LEGACY_METADATA_FILE);
}

/** Reads the old file; undefined when there is none. A corrupt file is an error, not an empty cluster. */
export function readLegacyMetadata(logDir: string): LegacyMetadata | undefined {
  const file = legacyMetadataPath(logDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: Partial<LegacyMetadata> & { version?: unknown };
  try {
    parsed = JSON.parse(text) as Partial<LegacyMetadata> & { version?: unknown };
  } catch (err) {
    throw new Error(`Unreadable cluster metadata file ${file}: ${(err as Error).message}`);
  }
  if (parsed.version !== LEGACY_VERSION || typeof parsed.clusterId !== 'string' || !Array.isArray(parsed.topics)) {
    throw new Error(`Unreadable cluster metadata file ${file}: not a version ${LEGACY_VERSION} metadata document`);
  }
  return { clusterId: parsed.clusterId, brokers: Array.isArray(parsed.brokers) ? parsed.brokers : [], topics: parsed.topics };
}

/** Sets the imported file aside (`__cluster_metadata.json.migrated`) so it is not imported again. */
export function retireLegacyMetadata(logDir: string): string {
  const from = legacyMetadataPath(logDir);
  const to = from + MIGRATED_SUFFIX;
  fs.renameSync(from, to);
  return to;
}

/**
 * The old file as metadata records: its brokers registered (so the start-up that
 * follows fences the ones that are gone, moving their leadership as it would), then
 * each topic with its id, configs, replicas, ISR, leader and leader epoch.
 * `nextOffset` is where the first record lands (a registration's broker epoch).
 */
export function legacyMetadataRecords(legacy: LegacyMetadata, nextOffset: number): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const b of legacy.brokers) {
    out.push(
      registerBrokerRecord({
        id: b.nodeId,
        epoch: BigInt(nextOffset + out.length),
        incarnationId: randomUuid(),
        endpoints: [{ name: 'PLAINTEXT', host: b.host, port: b.port, securityProtocol: SecurityProtocol.PLAINTEXT }],
        rack: b.rack ?? null,
        fenced: false,
        inControlledShutdown: false,
      }),
    );
  }
  for (const t of legacy.topics) {
    out.push(...topicRecords({ name: t.name, topicId: t.topicId, configs: t.configs, partitions: t.partitions }));
  }
  return out;
}
