/**
 * Vitest global setup: forget the skip records of the previous run, so the
 * summary (scripts/test-summary.mjs) lists only what this run skipped.
 */
import fs from 'node:fs';
import { skipsDir } from './helpers/skips.js';

export default function setup(): void {
  fs.rmSync(skipsDir(), { recursive: true, force: true });
}
