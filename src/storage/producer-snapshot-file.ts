/**
 * Producer-state snapshot files of a partition directory: `<20-digit offset>.snapshot`,
 * named like Kafka's, holding the producer state as of that offset (every batch below
 * it applied). The bytes are the coordinator's business; this file only names, lists,
 * writes (atomically, through checkpoint-file's writeFileAtomically) and prunes them.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './checkpoint-file.js';

export const PRODUCER_SNAPSHOT_SUFFIX = '.snapshot';

export function producerSnapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}${PRODUCER_SNAPSHOT_SUFFIX}`;
}

/** Offsets of the snapshot files in `dir`, oldest first; [] when the directory is missing. */
export function listProducerSnapshots(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const offsets: number[] = [];
  for (const name of names) {
    const match = /^(\d{20})\.snapshot$/.exec(name);
    if (match) offsets.push(Number(match[1]));
  }
  return offsets.sort((a, b) => a - b);
}

export function readProducerSnapshot(dir: string, offset: number): Buffer {
  return readFileSync(join(dir, producerSnapshotFileName(offset)));
}

/** Writes the snapshot for `offset`, replacing any older file of that name, atomically. */
export function writeProducerSnapshot(dir: string, offset: number, bytes: Buffer): void {
  writeFileAtomically(join(dir, producerSnapshotFileName(offset)), bytes);
}

export function deleteProducerSnapshot(dir: string, offset: number): void {
  rmSync(join(dir, producerSnapshotFileName(offset)), { force: true });
}

/** Keeps the newest `keep` snapshots (the older ones are only fallbacks) and deletes the rest. */
export function pruneProducerSnapshots(dir: string, keep: number): void {
  const offsets = listProducerSnapshots(dir);
  for (const offset of offsets.slice(0, Math.max(0, offsets.length - keep))) deleteProducerSnapshot(dir, offset);
}
