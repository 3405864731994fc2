#!/usr/bin/env node
// Prints the plain closing line "N passed, N failed, N skipped" from vitest's JSON
// report (written by vitest.config.ts), so any CI log reader can count the tests,
// then one line naming the suites that skipped for a missing peer (kcat, python3-kafka,
// Go, …; recorded in .tmp/skipped/ by test/helpers/skips.ts) and why. Under CI such a
// skip fails the run, naming the packages: a green CI run has run every suite.
// Usage: test-summary.mjs [report.json] [skips dir]   ($KAFKA_TS_SKIPS_DIR also sets the dir)
import fs from 'node:fs';
import path from 'node:path';

const file = process.argv[2] ?? '.tmp/vitest-results.json';
const skipsDir = process.argv[3] ?? (process.env.KAFKA_TS_SKIPS_DIR || '.tmp/skipped');
const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);

/** The skip records, sorted by suite; a file that does not parse is reported as such, not ignored. */
function readSkips(dir) {
  let names = [];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    } catch (err) {
      return { suite: name, reason: `unreadable skip record (${err.message})` };
    }
  });
}

// CI services set CI=true (GitHub Actions, GitLab, …); CI=false or 0 means a local run
const ci = Boolean(process.env.CI) && !/^(false|0)$/i.test(process.env.CI);
const skips = readSkips(skipsDir);
let failed = report.numFailedTests > 0 || report.success === false;
if (skips.length > 0) {
  const describe = (s) => `${s.suite} (${s.reason}${s.install ? `; ${s.install}` : ''})`;
  console.log(`not tested here: ${skips.map(describe).join('; ')}`);
  const packages = [...new Set(skips.filter((s) => s.package).map((s) => s.package))];
  if (ci && packages.length > 0) {
    console.log(`CI is set and test peers are missing: ${packages.join(', ')}; install them (.ci/run does) so these suites run`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
