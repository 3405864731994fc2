#!/usr/bin/env node
/**
 * Micro-benchmark of the leader write path: PartitionLog.appendAsLeader on pre-built
 * batches of 1 KB records (16 per batch), uncompressed and lz4/zstd compressed, into a
 * fresh log in the temp dir. Not a test: it prints MB/s (of batch bytes) and µs per batch,
 * the median of BENCH_ROUNDS rounds.
 *
 *   node bench/append-validate.mjs [SOURCE_ROOT]
 *
 * SOURCE_ROOT (default this checkout) lets the same script measure another checkout, e.g.
 * the commit before a change: `git worktree add /tmp/before <commit>` (with node_modules
 * linked in). The sources are bundled with esbuild on the fly, so no build is needed.
 * When SOURCE_ROOT has src/protocol/records/validate.ts, a second table isolates the CPU
 * cost of validation (no disk): the framing/CRC pass alone (what appendAsLeader did before
 * record validation existed) against framing/CRC plus validateRecordsAsLeader, interleaved
 * in the same process so machine noise hits both alike.
 * Environment: BENCH_BATCHES (per round, default 2000), BENCH_ROUNDS (default 5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..'));
const BATCHES = Number(process.env.BENCH_BATCHES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RECORDS_PER_BATCH = 16;
const RECORD_BYTES = 1024;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'append-bench-'));
// the bundle sits inside the source tree so its external packages resolve from node_modules there
const bundleDir = fs.mkdtempSync(path.join(root, '.append-bench-'));
const entry = path.join(bundleDir, 'entry.ts');
const validatorPath = path.join(root, 'src/protocol/records/validate.ts');
const hasValidator = fs.existsSync(validatorPath);
fs.writeFileSync(
  entry,
  `export { PartitionLog, defaultLogConfig } from ${JSON.stringify(path.join(root, 'src/storage/partition-log.ts'))};\n` +
    `export { buildRecordBatch } from ${JSON.stringify(path.join(root, 'src/protocol/records/record.ts'))};\n` +
    `export { crc32c } from ${JSON.stringify(path.join(root, 'src/protocol/records/crc32c.ts'))};\n` +
    `export { validateBatches } from ${JSON.stringify(path.join(root, 'src/protocol/records/batch.ts'))};\n` +
    (hasValidator ? `export { validateRecordsAsLeader } from ${JSON.stringify(validatorPath)};\n` : ''),
);
const bundle = path.join(bundleDir, 'bundle.mjs');
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
const { PartitionLog, defaultLogConfig, buildRecordBatch, crc32c, validateBatches, validateRecordsAsLeader } = await import(pathToFileURL(bundle).href).finally(() =>
  fs.rmSync(bundleDir, { recursive: true, force: true }),
);

/** 1 KB values of words, compressible about as much as log lines are. */
function value(i) {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
  let s = `record-${i} `;
  let x = i * 2654435761;
  while (s.length < RECORD_BYTES) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += `${words[x % words.length]}-${x % 1000} `;
  }
  return Buffer.from(s.slice(0, RECORD_BYTES));
}

function makeBatches(codec, sentMaxTimestamp) {
  const now = Date.now();
  const out = [];
  for (let b = 0; b < BATCHES; b++) {
    const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: null, value: value(b * RECORDS_PER_BATCH + i), timestamp: now + i }));
    const batch = buildRecordBatch(records, { compression: codec });
    if (sentMaxTimestamp === -1) {
      // as sarama 1.22 sends it: maxTimestamp -1, CRC over attributes..end
      batch.writeBigInt64BE(-1n, 35);
      batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
    }
    out.push(batch);
  }
  return out;
}

const scenarios = [
  ['none', 'uncompressed', undefined],
  ['none', 'uncomp. max-1', -1],
  ['lz4', 'lz4', undefined],
  ['zstd', 'zstd', undefined],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

console.log(`source: ${root}`);
console.log(`${BATCHES} batches x ${RECORDS_PER_BATCH} records x ${RECORD_BYTES} B per round, median of ${ROUNDS} rounds`);
for (const [codec, label, sentMaxTimestamp] of scenarios) {
  const template = makeBatches(codec, sentMaxTimestamp);
  const bytes = template.reduce((n, b) => n + b.length, 0);
  const times = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const batches = template.map((b) => Buffer.from(b)); // appends patch batches in place
    const dir = path.join(work, `t-${label.replace(/\W+/g, '')}-${round}`, 'bench-0');
    const log = PartitionLog.open(dir, { ...defaultLogConfig(), maxMessageBytes: 4 * 1024 * 1024 });
    const start = process.hrtime.bigint();
    for (const batch of batches) log.appendAsLeader(batch, 0);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    log.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    if (round > 0) times.push(elapsed); // round 0 warms up
  }
  const ms = median(times);
  console.log(
    `${label.padEnd(13)} ${(bytes / BATCHES / 1024).toFixed(1).padStart(6)} KB/batch  ${((bytes / 1048576) / (ms / 1000)).toFixed(0).padStart(6)} MB/s  ${((ms * 1000) / BATCHES).toFixed(1).padStart(7)} µs/batch`,
  );
}
fs.rmSync(work, { recursive: true, force: true });

if (hasValidator) {
  console.log('CPU per batch, no disk (median of rounds): framing+CRC only | + record validation');
  const config = {
    topicPartition: 'bench-0',
    origin: 'client',
    now: Date.now(),
    timestampType: 'CreateTime',
    timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
    timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
    compactedTopic: false,
  };
  for (const [codec, label, sentMaxTimestamp] of scenarios) {
    const template = makeBatches(codec, sentMaxTimestamp);
    const crcOnly = [];
    const full = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const batches = template.map((b) => Buffer.from(b));
      let start = process.hrtime.bigint();
      for (const batch of template) validateBatches(batch, { skipCountCheck: true });
      const a = Number(process.hrtime.bigint() - start) / 1e3 / BATCHES;
      start = process.hrtime.bigint();
      for (const batch of batches) validateRecordsAsLeader(batch, validateBatches(batch, { skipCountCheck: true }), config);
      const b = Number(process.hrtime.bigint() - start) / 1e3 / BATCHES;
      if (round > 0) {
        crcOnly.push(a);
        full.push(b);
      }
    }
    console.log(`${label.padEnd(13)} ${median(crcOnly).toFixed(1).padStart(7)} µs | ${median(full).toFixed(1).padStart(7)} µs`);
  }
}
