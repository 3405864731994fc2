/**
 * Suites that skip because a peer they need is missing (kcat, python3-kafka, Go,
 * root for the init-script test, …) record why here, one JSON file per suite in
 * .tmp/skipped/ (cleared by test/global-setup.ts at the start of each run).
 * scripts/test-summary.mjs prints them in one line after the run and, when CI is
 * set, fails the run naming the packages: a green CI run must have tested them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface SkipRecord {
  /** what did not run, e.g. `kcat interop` */
  suite: string;
  /** why, e.g. `kcat is not installed` */
  reason: string;
  /** the package that would make it run, e.g. `kcat`; absent when no package can (an old Node, say) */
  package?: string;
  /** how to get it, e.g. `apt-get install kcat` */
  install?: string;
}

/** $KAFKA_TS_SKIPS_DIR, else .tmp/skipped in the checkout (what scripts/test-summary.mjs reads). */
export function skipsDir(): string {
  return process.env.KAFKA_TS_SKIPS_DIR || path.join(REPO_ROOT, '.tmp', 'skipped');
}

/** Prints why `suite` is skipped and records it for the run's summary. */
export function recordSkip(record: SkipRecord): void {
  console.warn(`${record.suite} skipped: ${record.reason}${record.install ? ` (${record.install})` : ''}`);
  const dir = skipsDir();
  fs.mkdirSync(dir, { recursive: true });
  const name = record.suite.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(record) + '\n');
}
