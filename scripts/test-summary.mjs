#!/usr/bin/env node
// Prints the plain closing line "N passed, N failed, N skipped" from vitest's JSON
// report (written by vitest.config.ts), so any CI log reader can count the tests.
import fs from 'node:fs';

const file = process.argv[2] ?? '.tmp/vitest-results.json';
const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
process.exit(report.numFailedTests > 0 || report.success === false ? 1 : 0);
