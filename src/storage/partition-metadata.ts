/**
 * `partition.metadata` in each partition directory (Kafka's PartitionMetadataFile, KIP-516):
 * "version: 0" and "topic_id: <base64 topic id>" lines, so a directory can be matched to
 * its topic id even when a topic of the same name was deleted and recreated.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './checkpoint-file.js';

export const PARTITION_METADATA_FILE = 'partition.metadata';

/**
 * Writes `<dir>/partition.metadata` unless it already holds exactly this topic id.
 * `durable: false` skips the two fsyncs (file and directory): for partitions just created,
 * whose topic id the metadata snapshot holds and which every start-up rewrites when the file
 * is missing or torn; a CreateTopics of thousands of partitions would spend seconds in them.
 */
export function writePartitionMetadata(dir: string, topicId: string, opts: { durable?: boolean } = {}): void {
  const contents = `version: 0\ntopic_id: ${topicId}\n`;
  const path = join(dir, PARTITION_METADATA_FILE);
  if (existsSync(path) && readFileSync(path, 'utf8') === contents) return;
  if (opts.durable === false) {
    try {
      writeFileSync(`${path}.tmp`, contents);
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      rmSync(`${path}.tmp`, { force: true });
      throw err;
    }
    return;
  }
  writeFileAtomically(path, contents);
}

/** The topic id recorded in `<dir>/partition.metadata`, or null when absent or unreadable. */
export function readPartitionMetadata(dir: string): { version: number; topicId: string } | null {
  const path = join(dir, PARTITION_METADATA_FILE);
  if (!existsSync(path)) return null;
  const fields = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const topicId = fields.get('topic_id');
  const version = Number(fields.get('version'));
  return topicId === undefined || !Number.isInteger(version) ? null : { version, topicId };
}
