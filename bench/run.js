#!/usr/bin/env node
/**
 * `npm run bench`: produce and consume throughput (MB/s of 1 KB records) over the wire
 * against a real broker process (bin/kafka-server-start.sh, dist/), first with 100 MB
 * of existing log in the partition, then with 10 GB. The client speaks the Kafka
 * protocol directly with the project's own codec (dist/protocol), so the figures
 * measure the broker rather than a client library.
 *
 * Per scenario: start a broker on a fresh log dir, create a 1-partition topic, pre-fill
 * it through Produce with large requests (one ~800 KB batch each, 4 in flight: Kafka's
 * LogValidator takes one batch per partition per request). The brokers then
 * run side by side and measured rounds alternate between them (a shared machine's
 * noise hits both alike). A round:
 *  - produce: 64-record batches of 1 KB records (~66 KB), acks=1, 5 requests in flight;
 *  - consume: Fetch from where the measured produce began to the end, 1 MB per
 *    partition per fetch, one fetch in flight (a consumer's pattern).
 * Before measuring, the pre-fills' dirty page cache is left to drain (see
 * waitForWriteback). After one unmeasured warm-up round each, ROUNDS rounds run per
 * scenario; the median is printed. Data is deleted afterwards.
 *
 * `npm run bench -- --cluster` runs bench/cluster.js instead (acks=all on RF 3 vs acks=1, failover time).
 *
 * Environment: BENCH_DIR (default the OS temp dir), BENCH_SIZES_MB (default "100,10240"),
 * BENCH_MEASURE_MB (per round, default 256), BENCH_ROUNDS (default 5).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawClient } from './raw-client.js';
import { buildRecordBatch } from '../dist/protocol/records/record.js';

// `npm run bench -- --cluster`: replication and failover instead (bench/cluster.js)
if (process.argv.includes('--cluster')) {
  await import('./cluster.js');
  process.exit(0);
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;
const RECORD_SIZE = 1024;
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? '100,10240').split(',').map(Number);
const MEASURE_BYTES = Number(process.env.BENCH_MEASURE_MB ?? 256) * MB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TOPIC = 'bench';

const PRODUCE = 0;
const FETCH = 1;
const CREATE_TOPICS = 19;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startBroker(base, port) {
  const props = {
    'broker.id': '0',
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': path.join(base, 'data'),
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
  };
  const file = path.join(base, 'server.properties');
  fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  // What bin/kafka-server-start.sh execs; BENCH_BROKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the broker.
  const nodeArgs = (process.env.BENCH_BROKER_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin', 'kafka-server-start'), file], {
    env: { ...process.env, KAFKA_TS_RUN_DIR: path.join(base, 'run'), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => { output += c; });
  child.stderr.on('data', (c) => { output += c; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${output}`)), 120_000);
    child.stdout.on('data', () => {
      if (/started; listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`broker exited (${code}):\n${output}`)));
  });
  return {
    child,
    output: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** `count` 1 KB records in one batch (the broker assigns offsets; the same bytes can be sent again). */
function batchOf(count) {
  const value = Buffer.alloc(RECORD_SIZE - 16, 'x');
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(String(i).padStart(16, '0')), value })),
    { timestamp: Date.now() },
  );
}

function produceBody(records) {
  return { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] };
}

function checkProduce(response) {
  const partition = response.responses[0].partitionResponses[0];
  if (partition.errorCode !== 0) throw new Error(`produce failed with error code ${partition.errorCode}`);
  return Number(partition.baseOffset);
}

/** Sends `totalBytes` of `records` payloads with `inFlight` concurrent requests; returns MB/s and the first offset written. */
async function produce(client, records, totalBytes, inFlight) {
  const requests = Math.ceil(totalBytes / records.length);
  let sent = 0;
  let firstOffset = -1;
  const started = process.hrtime.bigint();
  const lane = async () => {
    while (sent < requests) {
      sent++;
      const offset = checkProduce(await client.request(PRODUCE, 7, produceBody(records)));
      if (firstOffset < 0 || offset < firstOffset) firstOffset = offset;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { mbPerSec: (requests * records.length) / MB / seconds, firstOffset };
}

/** Fetches from `fromOffset` until `endOffset`, one request at a time; returns MB/s of record bytes. */
async function consume(client, fromOffset, endOffset) {
  let offset = fromOffset;
  let bytes = 0;
  const started = process.hrtime.bigint();
  while (offset < endOffset) {
    const response = await client.request(FETCH, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 50 * MB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 1 * MB }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const partition = response.responses[0].partitions[0];
    if (partition.errorCode !== 0) throw new Error(`fetch failed with error code ${partition.errorCode}`);
    const records = partition.records ?? Buffer.alloc(0);
    if (records.length === 0) throw new Error(`fetch at ${offset} returned nothing before ${endOffset}`);
    // walk the batches: next offset = lastOffset + 1 of the last whole batch
    let pos = 0;
    while (pos + 61 <= records.length) {
      const size = records.readInt32BE(pos + 8) + 12;
      if (pos + size > records.length) break;
      offset = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1;
      pos += size;
    }
    bytes += pos;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return bytes / MB / seconds;
}

/**
 * Waits until the kernel has written back the pre-fill's dirty pages (Linux
 * /proc/meminfo Dirty + Writeback below 64 MB). Without this, a 10 GB pre-fill leaves
 * gigabytes of dirty page cache (vm.dirty_ratio of RAM) being flushed during the
 * measurement, and the broker's writes are throttled by the kernel: that measures the
 * disk's write-back of the pre-fill, not the broker at 10 GB. Elsewhere: `sync`.
 */
async function waitForWriteback() {
  const started = Date.now();
  const pending = () => {
    const info = fs.readFileSync('/proc/meminfo', 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return (kb('Dirty') + kb('Writeback')) * 1024;
  };
  if (!fs.existsSync('/proc/meminfo')) {
    await new Promise((resolve) => spawn('sync', [], { stdio: 'ignore' }).once('exit', resolve));
    return 0;
  }
  while (pending() > 64 * MB && Date.now() - started < 10 * 60_000) await new Promise((r) => setTimeout(r, 500));
  return (Date.now() - started) / 1000;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Starts a broker on a fresh dir, creates the topic and pre-fills `existingMb` through Produce. */
async function setUp(existingMb) {
  const base = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'kafka-ts-bench-'));
  const port = await freePort();
  let broker;
  try {
    broker = await startBroker(base, port);
  } catch (err) {
    fs.rmSync(base, { recursive: true, force: true });
    throw err;
  }
  const client = await RawClient.connect(port);
  const created = await client.request(CREATE_TOPICS, 4, {
    topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000, validateOnly: false,
  });
  if (created.topics[0].errorCode !== 0) throw new Error(`CreateTopics failed: ${created.topics[0].errorCode}`);
  // Pre-fill through the Produce path: one batch of 800 records (~800 KB) per request, as the
  // broker (like Kafka's LogValidator) takes a single batch per partition per request.
  const prefill = batchOf(800);
  const fillStart = Date.now();
  const filled = await produce(client, prefill, existingMb * MB, 4);
  process.stderr.write(`  pre-filled ${existingMb} MB in ${((Date.now() - fillStart) / 1000).toFixed(1)} s (${filled.mbPerSec.toFixed(0)} MB/s)\n`);
  return { existingMb, base, broker, port, client, produceRates: [], consumeRates: [], produceCpu: [], consumeCpu: [], logBytes: 0 };
}

/**
 * CPU seconds the broker process has used (Linux /proc/<pid>/stat utime + stime, in
 * clock ticks of 1/100 s); NaN elsewhere. Unlike MB/s it barely moves when other
 * processes compete for the machine's cores.
 */
function brokerCpuSeconds(s) {
  try {
    const fields = fs.readFileSync(`/proc/${s.broker.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** One measured round: MEASURE_BYTES produced in 64-record batches, then fetched back. */
async function measureRound(s, bytes = MEASURE_BYTES) {
  const measureBatch = batchOf(64);
  const cpu0 = brokerCpuSeconds(s);
  const { mbPerSec, firstOffset } = await produce(s.client, measureBatch, bytes, 5);
  const cpu1 = brokerCpuSeconds(s);
  const endOffset = firstOffset + Math.ceil(bytes / measureBatch.length) * 64;
  const consumeMbPerSec = await consume(s.client, firstOffset, endOffset);
  const cpu2 = brokerCpuSeconds(s);
  const mb = bytes / MB;
  return { produce: mbPerSec, consume: consumeMbPerSec, produceCpuMsPerMb: ((cpu1 - cpu0) * 1000) / mb, consumeCpuMsPerMb: ((cpu2 - cpu1) * 1000) / mb };
}

async function tearDown(s) {
  s.client.close();
  const dataDir = path.join(s.base, 'data', `${TOPIC}-0`);
  s.logBytes = fs.readdirSync(dataDir).filter((f) => f.endsWith('.log')).reduce((sum, f) => sum + fs.statSync(path.join(dataDir, f)).size, 0);
  await s.broker.stop();
  fs.rmSync(s.base, { recursive: true, force: true });
}

/**
 * The CLI's own producer on the same broker: bin/kafka-producer-perf-test.sh with 1 KB
 * records, acks=1 and 64 KB batches (the raw rounds' batch size), BENCH_PERF_TEST_MB of
 * them (default 128). Returns the MB/sec of its total line.
 */
async function producerPerfTest(s) {
  const records = Number(process.env.BENCH_PERF_TEST_MB ?? 128) * 1024;
  const child = spawn(path.join(ROOT, 'bin', 'kafka-producer-perf-test.sh'), [
    '--topic', 'perf-test', '--num-records', String(records), '--record-size', String(RECORD_SIZE), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=127.0.0.1:${s.port}`, 'acks=1', 'batch.size=65536',
  ], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  const match = /records sent, [\d.]+ records\/sec \(([\d.]+) MB\/sec\)[^\n]*99\.9th\.\s*$/.exec(out);
  if (code !== 0 || !match) throw new Error(`kafka-producer-perf-test failed (${code}):\n${out}`);
  return Number(match[1]);
}

let perfTestMbPerSec;

// Both brokers run side by side and their rounds alternate, so whatever else the
// machine is doing at a given moment affects every scenario alike.
const results = [];
try {
  for (const size of SIZES_MB) {
    process.stderr.write(`scenario: ${size} MB of existing log\n`);
    results.push(await setUp(size));
  }
  const waited = await waitForWriteback();
  process.stderr.write(`waited ${waited.toFixed(1)} s for the kernel to write back the pre-fills' dirty pages\n`);
  for (const s of results) await measureRound(s, 32 * MB); // warm-up, not measured
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of results) {
      const r = await measureRound(s);
      s.produceRates.push(r.produce);
      s.consumeRates.push(r.consume);
      s.produceCpu.push(r.produceCpuMsPerMb);
      s.consumeCpu.push(r.consumeCpuMsPerMb);
      process.stderr.write(`  round ${round + 1} ${s.existingMb} MB: produce ${r.produce.toFixed(0)} MB/s (${r.produceCpuMsPerMb.toFixed(2)} broker CPU ms/MB), consume ${r.consume.toFixed(0)} MB/s (${r.consumeCpuMsPerMb.toFixed(2)} ms/MB)\n`);
    }
  }
  perfTestMbPerSec = await producerPerfTest(results[0]);
} finally {
  for (const s of results) await tearDown(s);
}
for (const s of results) {
  s.produce = median(s.produceRates);
  s.consume = median(s.consumeRates);
  s.produceCpuMs = median(s.produceCpu);
  s.consumeCpuMs = median(s.consumeCpu);
}

const label = (mb) => (mb >= 1024 ? `${(mb / 1024).toFixed(0)} GB` : `${mb} MB`);
console.log(`\n1 KB records, ${MEASURE_BYTES / MB} MB per round, median of ${ROUNDS} rounds`);
console.log('existing log | log at end | produce MB/s | consume MB/s | broker CPU ms/MB produce | consume');
console.log('-------------|------------|--------------|--------------|--------------------------|--------');
for (const r of results) {
  console.log(`${label(r.existingMb).padEnd(12)} | ${`${(r.logBytes / MB / 1024).toFixed(2)} GB`.padEnd(10)} | ${r.produce.toFixed(1).padStart(12)} | ${r.consume.toFixed(1).padStart(12)} | ${r.produceCpuMs.toFixed(2).padStart(24)} | ${r.consumeCpuMs.toFixed(2).padStart(7)}`);
}
console.log(`\nkafka-producer-perf-test (1 KB records, acks=1, batch.size=65536) on the ${label(results[0].existingMb)} broker: ${perfTestMbPerSec.toFixed(1)} MB/s (raw produce rounds: ${results[0].produce.toFixed(1)} MB/s)`);
if (results.length >= 2) {
  const [small, big] = [results[0], results[results.length - 1]];
  const p = big.produce / small.produce;
  const c = big.consume / small.consume;
  console.log(`\nratio ${label(big.existingMb)} / ${label(small.existingMb)}: produce ${p.toFixed(2)}, consume ${c.toFixed(2)} (target >= 0.90)`);
}
