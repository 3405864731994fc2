/**
 * scripts/test-summary.mjs, run as npm test runs it, on a made-up vitest report
 * and skip records: the closing count line, one line naming what was skipped
 * and why, and under CI a failing exit naming the missing packages (without
 * uninstalling anything: the records are what a suite writes when its peer is
 * missing, through test/helpers/skips.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { recordSkip, type SkipRecord } from '../helpers/skips.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'test-summary.mjs');

/** Runs the summary over a green report and `skips` recorded by recordSkip, with `ci` as the CI variable. */
function summary(skips: SkipRecord[], ci: string | undefined, report = { numPassedTests: 40, numFailedTests: 0, numPendingTests: 9, success: true }) {
  const dir = tempDir('kafka-ts-summary');
  const file = path.join(dir, 'report.json');
  fs.writeFileSync(file, JSON.stringify(report));
  const skipsDir = path.join(dir, 'skipped');
  const saved = process.env.KAFKA_TS_SKIPS_DIR;
  process.env.KAFKA_TS_SKIPS_DIR = skipsDir;
  try {
    for (const s of skips) recordSkip(s);
  } finally {
    if (saved === undefined) delete process.env.KAFKA_TS_SKIPS_DIR;
    else process.env.KAFKA_TS_SKIPS_DIR = saved;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  const result = spawnSync(process.execPath, [SCRIPT, file, skipsDir], { env, encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: result.status, lines: result.stdout.trimEnd().split('\n'), stderr: result.stderr };
}

const kcat: SkipRecord = { suite: 'kcat interop', reason: 'kcat is not installed', package: 'kcat', install: 'apt-get install kcat' };
const sarama: SkipRecord = { suite: 'sarama interop', reason: 'go is not installed', package: 'golang-go', install: 'apt-get install golang-go' };
const zstd: SkipRecord = { suite: '@platformatic/kafka interop (zstd)', reason: 'node:zlib has no zstd on Node 20.0.0 (22.15+ has)' };

describe('scripts/test-summary.mjs', () => {
  it('nothing skipped: the count line only, exit 0, CI or not', () => {
    for (const ci of [undefined, 'true']) {
      expect(summary([], ci)).toEqual({ code: 0, lines: ['40 passed, 0 failed, 9 skipped'], stderr: '' });
    }
  });

  it('outside CI a missing peer is one line saying what was skipped and why, and the run stays green', () => {
    const result = summary([kcat, sarama], undefined);
    expect(result.code).toBe(0);
    expect(result.lines).toEqual([
      '40 passed, 0 failed, 9 skipped',
      'not tested here: kcat interop (kcat is not installed; apt-get install kcat); sarama interop (go is not installed; apt-get install golang-go)',
    ]);
    expect(summary([kcat], 'false').code).toBe(0);
  });

  it('with CI set a missing peer fails the run with a line naming the package', () => {
    const result = summary([kcat, sarama], 'true');
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toBe('CI is set and test peers are missing: kcat, golang-go; install them (.ci/run does) so these suites run');
    expect(summary([sarama], '1').code).toBe(1);
  });

  it('with CI set a skip no package can fix (an old Node) is listed but does not fail', () => {
    const result = summary([zstd], 'true');
    expect(result.code).toBe(0);
    expect(result.lines[1]).toBe('not tested here: @platformatic/kafka interop (zstd) (node:zlib has no zstd on Node 20.0.0 (22.15+ has))');
  });

  it('a failed test fails the run whatever was skipped', () => {
    expect(summary([], undefined, { numPassedTests: 1, numFailedTests: 1, numPendingTests: 0, success: false }).code).toBe(1);
  });
});
