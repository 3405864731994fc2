/**
 * Test helpers for the cluster layer: a temp log dir and an in-memory stand-in
 * for storage's LogManager that records created/deleted logs and config updates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerConfig, type BrokerConfig } from '../../src/broker/config.js';
import { ClusterMetadata, type PartitionLogStore } from '../../src/cluster/cluster-metadata.js';
import type { LogConfig, PartitionLog } from '../../src/storage/partition-log.js';

export interface FakeLog {
  topic: string;
  partition: number;
  config: LogConfig;
  updateConfig(config: LogConfig): void;
}

export class FakeLogStore implements PartitionLogStore {
  readonly logs = new Map<string, FakeLog>();
  readonly deleted: string[] = [];

  createLog(topic: string, partition: number, config: LogConfig): PartitionLog {
    const log: FakeLog = {
      topic,
      partition,
      config,
      updateConfig(next: LogConfig) {
        this.config = next;
      },
    };
    this.logs.set(`${topic}-${partition}`, log);
    return log as unknown as PartitionLog;
  }

  deleteLog(topic: string, partition: number): void {
    this.logs.delete(`${topic}-${partition}`);
    this.deleted.push(`${topic}-${partition}`);
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(`${topic}-${partition}`) as unknown as PartitionLog | undefined;
  }

  fake(topic: string, partition: number): FakeLog | undefined {
    return this.logs.get(`${topic}-${partition}`);
  }
}

const createdDirs: string[] = [];

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-test-'));
  createdDirs.push(dir);
  return dir;
}

/** Removes every dir tempDir() made (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of createdDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export async function openCluster(
  dir: string,
  overrides: Partial<BrokerConfig> = {},
): Promise<{ cluster: ClusterMetadata; logs: FakeLogStore; config: BrokerConfig }> {
  const config = brokerConfig({ logDirs: [dir], ...overrides });
  const logs = new FakeLogStore();
  const cluster = new ClusterMetadata({ config, logs });
  await cluster.load();
  return { cluster, logs, config };
}
