/**
 * Starts an in-process broker on an ephemeral port with a temp log dir, for
 * tests that talk to it over the wire with third-party clients.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerConfig, startBroker, type BrokerConfig, type RunningBroker } from '../../src/index.js';

export interface TestBroker extends RunningBroker {
  bootstrap: string;
  logDir: string;
  lines: string[];
}

export function tempDir(prefix = 'kafka-ts-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestBroker(overrides: Partial<BrokerConfig> = {}): Promise<TestBroker> {
  const logDir = overrides.logDirs?.[0] ?? tempDir();
  const lines: string[] = [];
  const config = brokerConfig({
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    logDirs: [logDir],
    groupInitialRebalanceDelayMs: 0,
    offsetsTopicNumPartitions: 5,
    ...overrides,
  });
  const broker = await startBroker(config, { log: (l) => lines.push(l) });
  return { ...broker, close: () => broker.close(), bootstrap: `127.0.0.1:${broker.port}`, logDir, lines };
}
