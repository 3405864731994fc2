#!/usr/bin/env node
/**
 * `npm run bench -- --cluster` (also `npm run bench:cluster`): the cost of replication
 * and the time a failover takes, with real processes (bin/kafka-server-start.sh, dist/),
 * each node on its own loopback address.
 *
 *  1. Throughput: 1 KiB records in 64-record batches, 5 requests in flight, sent to the
 *     partition leader with the project's own codec (bench/raw-client.js):
 *     - acks=1 to a single broker (embedded controller, RF 1 topic);
 *     - acks=all to an RF 3 topic (min.insync.replicas=2) over three brokers
 *       (process.roles=broker) and one KRaft controller (process.roles=controller).
 *     Both set-ups run side by side and their rounds alternate (a shared machine's noise
 *     hits both alike); the median of BENCH_ROUNDS rounds of BENCH_CLUSTER_MB each.
 *  2. Failover: BENCH_KILLS times, kill -9 the leader of an RF 3 partition
 *     (min.insync.replicas=2) and measure until a Produce with acks=all succeeds on the
 *     partition's new leader (asked through Metadata on the survivors); the killed
 *     broker is restarted and back in the ISR before the next kill. The controller
 *     fences a broker after broker.session.timeout.ms without a heartbeat, which
 *     dominates this time: Kafka's default 9000 unless BENCH_SESSION_TIMEOUT_MS says
 *     otherwise (set on the controller, where Kafka reads it).
 *
 * Environment: BENCH_DIR (default the OS temp dir), BENCH_CLUSTER_MB (per round,
 * default 64), BENCH_ROUNDS (default 5), BENCH_KILLS (default 10, 0 skips the failover
 * part), BENCH_SESSION_TIMEOUT_MS (default: unset, i.e. 9000).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawClient } from './raw-client.js';
import { buildRecordBatch } from '../dist/protocol/records/record.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;
const RECORD_SIZE = 1024;
const MEASURE_BYTES = Number(process.env.BENCH_CLUSTER_MB ?? 64) * MB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const KILLS = Number(process.env.BENCH_KILLS ?? 10);
const SESSION_TIMEOUT_MS = process.env.BENCH_SESSION_TIMEOUT_MS;

const PRODUCE = 0;
const METADATA = 3;
const CREATE_TOPICS = 19;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** Nearest-rank percentile (p50 of 10 values = the 5th smallest). */
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)];

function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A node: bin/kafka-server-start with `props`, restartable with the same properties. */
class Node {
  constructor(name, host, port, props, base) {
    Object.assign(this, { name, host, port, props, base, child: null, output: '' });
    this.file = path.join(base, `${name}.properties`);
    fs.writeFileSync(this.file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  }

  start() {
    this.output = '';
    const child = spawn(path.join(ROOT, 'bin', 'kafka-server-start'), [this.file], {
      env: { ...process.env, KAFKA_TS_RUN_DIR: path.join(this.base, 'run'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (c) => { this.output += c; });
    child.stderr.on('data', (c) => { this.output += c; });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start:\n${this.output}`)), 120_000);
      child.stdout.on('data', () => {
        if (/started; listening on|started \(/.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${signal ?? code}):\n${this.output}`));
      });
    });
  }

  get alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  stop(signal = 'SIGTERM') {
    return new Promise((resolve) => {
      if (!this.alive) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}

function batchOf(count) {
  const value = Buffer.alloc(RECORD_SIZE - 16, 'x');
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(String(i).padStart(16, '0')), value })),
    { timestamp: Date.now() },
  );
}

function produceRequest(client, topic, records, acks, timeoutMs = 30_000) {
  return client.request(PRODUCE, 7, { transactionalId: null, acks, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
}

async function produceOnce(client, topic, records, acks, timeoutMs) {
  const partition = (await produceRequest(client, topic, records, acks, timeoutMs)).responses[0].partitionResponses[0];
  if (partition.errorCode !== 0) throw new Error(`produce failed with error code ${partition.errorCode}`);
}

/** Sends `totalBytes` of 64-record batches with 5 requests in flight; MB/s. */
async function produceRate(client, topic, acks, totalBytes) {
  const records = batchOf(64);
  const requests = Math.ceil(totalBytes / records.length);
  let sent = 0;
  const started = process.hrtime.bigint();
  const lane = async () => {
    while (sent < requests) {
      sent++;
      await produceOnce(client, topic, records, acks, 30_000);
    }
  };
  await Promise.all(Array.from({ length: 5 }, lane));
  return (requests * records.length) / MB / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function createTopic(client, name, replicationFactor, configs = []) {
  const r = await client.request(CREATE_TOPICS, 4, {
    topics: [{ name, numPartitions: 1, replicationFactor, assignments: [], configs }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const code = r.topics[0].errorCode;
  if (code !== 0 && code !== 36) throw new Error(`CreateTopics ${name} failed: error code ${code} ${r.topics[0].errorMessage ?? ''}`);
}

/** Partition 0 of `topic` as `node` sees it: { leader, isr } or undefined. */
async function partitionOf(node, topic) {
  const client = await RawClient.connect(node.port, node.host);
  try {
    const r = await Promise.race([
      client.request(METADATA, 9, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
      sleep(5000).then(() => { throw new Error('metadata timed out'); }),
    ]);
    const p = r.topics[0]?.partitions.find((x) => x.partitionIndex === 0);
    return p && r.topics[0].errorCode === 0 ? { leader: p.leaderId, isr: p.isrNodes } : undefined;
  } finally {
    client.close();
  }
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch {
      // a node that is starting or just died: ask again
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function fullIsr(brokers, topic) {
  return waitFor(async () => {
    const p = await partitionOf(brokers.find((b) => b.alive), topic);
    return p && p.leader >= 0 && p.isr.length === brokers.length ? p : undefined;
  }, 120_000, `an ISR of ${brokers.length} for ${topic}`);
}

async function setUp(base) {
  // the single broker: no process.roles, its own embedded controller
  const singlePort = await freePort('127.0.0.1');
  const single = new Node('single', '127.0.0.1', singlePort, {
    'broker.id': '0', listeners: `PLAINTEXT://127.0.0.1:${singlePort}`, 'log.dirs': path.join(base, 'single'), 'offsets.topic.replication.factor': '1',
  }, base);
  // the cluster: one KRaft controller and three brokers, each on its own loopback address
  const controllerHost = '127.0.0.2';
  const controllerPort = await freePort(controllerHost);
  const voters = `3001@${controllerHost}:${controllerPort}`;
  const controller = new Node('controller', controllerHost, controllerPort, {
    'process.roles': 'controller', 'node.id': '3001', 'controller.quorum.voters': voters,
    listeners: `CONTROLLER://${controllerHost}:${controllerPort}`, 'controller.listener.names': 'CONTROLLER',
    'log.dirs': path.join(base, 'controller'),
    ...(SESSION_TIMEOUT_MS ? { 'broker.session.timeout.ms': SESSION_TIMEOUT_MS } : {}),
  }, base);
  const brokers = [];
  for (let id = 1; id <= 3; id++) {
    const host = `127.0.0.${id + 2}`;
    const port = await freePort(host);
    brokers.push(new Node(`broker-${id}`, host, port, {
      'process.roles': 'broker', 'node.id': String(id), 'controller.quorum.voters': voters, 'controller.listener.names': 'CONTROLLER',
      listeners: `PLAINTEXT://${host}:${port}`, 'log.dirs': path.join(base, `broker-${id}`), 'offsets.topic.replication.factor': '3',
    }, base));
  }
  await single.start();
  await controller.start();
  await Promise.all(brokers.map((b) => b.start()));
  return { single, controller, brokers };
}

async function throughput({ single, brokers }) {
  const singleClient = await RawClient.connect(single.port, single.host);
  await createTopic(singleClient, 'bench', 1);
  const admin = await RawClient.connect(brokers[0].port, brokers[0].host);
  await createTopic(admin, 'bench', 3, [{ name: 'min.insync.replicas', value: '2' }]);
  admin.close();
  const { leader } = await fullIsr(brokers, 'bench');
  const leaderNode = brokers.find((b) => b.props['node.id'] === String(leader));
  const clusterClient = await RawClient.connect(leaderNode.port, leaderNode.host);
  await produceRate(singleClient, 'bench', 1, 32 * MB); // warm-up (JIT, page cache), not measured
  await produceRate(clusterClient, 'bench', -1, 32 * MB);
  const one = [];
  const all = [];
  for (let round = 0; round < ROUNDS; round++) {
    one.push(await produceRate(singleClient, 'bench', 1, MEASURE_BYTES));
    all.push(await produceRate(clusterClient, 'bench', -1, MEASURE_BYTES));
    process.stderr.write(`  round ${round + 1}: acks=1 one broker ${one.at(-1).toFixed(1)} MB/s, acks=all RF 3 ${all.at(-1).toFixed(1)} MB/s\n`);
  }
  singleClient.close();
  clusterClient.close();
  return { acks1: median(one), acksAll: median(all) };
}

/** Kill -9 → a Produce with acks=all succeeding on the partition's new leader, in ms. */
async function failoverOnce(brokers, topic, probe) {
  const before = await fullIsr(brokers, topic);
  const victim = brokers.find((b) => b.props['node.id'] === String(before.leader));
  const started = process.hrtime.bigint();
  await victim.stop('SIGKILL');
  const clients = new Map();
  try {
    await waitFor(async () => {
      const survivor = brokers.find((b) => b.alive);
      const p = await partitionOf(survivor, topic);
      const leader = p && brokers.find((b) => b.alive && b.props['node.id'] === String(p.leader));
      if (!leader) return false;
      if (!clients.has(leader)) clients.set(leader, await RawClient.connect(leader.port, leader.host));
      try {
        await produceOnce(clients.get(leader), topic, probe, -1, 1000);
        return true;
      } catch (err) {
        if (/connection closed/.test(err.message)) clients.delete(leader);
        return false;
      }
    }, 120_000, 'a new leader taking acks=all');
  } finally {
    for (const c of clients.values()) c.close();
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await victim.start();
  return ms;
}

async function failover({ brokers }) {
  const admin = await RawClient.connect(brokers[0].port, brokers[0].host);
  await createTopic(admin, 'failover', 3, [{ name: 'min.insync.replicas', value: '2' }]);
  admin.close();
  const probe = batchOf(1);
  const times = [];
  for (let i = 0; i < KILLS; i++) {
    times.push(await failoverOnce(brokers, 'failover', probe));
    process.stderr.write(`  kill ${i + 1}: new leader serving after ${(times.at(-1) / 1000).toFixed(2)} s\n`);
  }
  await fullIsr(brokers, 'failover');
  return times;
}

const base = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'kafka-ts-bench-cluster-'));
let nodes;
try {
  process.stderr.write('cluster benchmark: one broker, and one KRaft controller + three brokers\n');
  nodes = await setUp(base);
  const t = await throughput(nodes);
  console.log(`\n1 KiB records, 64-record batches, 5 in flight, ${MEASURE_BYTES / MB} MB per round, median of ${ROUNDS} rounds`);
  console.log(`acks=1, RF 1, one broker: ${t.acks1.toFixed(1)} MB/s`);
  console.log(`acks=all, RF 3, min.insync.replicas=2, three brokers: ${t.acksAll.toFixed(1)} MB/s`);
  console.log(`ratio acks=all RF 3 / acks=1 one broker: ${(t.acksAll / t.acks1).toFixed(2)}`);
  if (KILLS > 0) {
    const times = await failover(nodes);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`\nleader kill -9 → acks=all produce served by the new leader, ${KILLS} kills, broker.session.timeout.ms=${SESSION_TIMEOUT_MS ?? '9000 (default)'}`);
    console.log(`p50 ${(percentile(times, 50) / 1000).toFixed(2)} s, max ${(sorted.at(-1) / 1000).toFixed(2)} s (all: ${sorted.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s)`);
  }
} finally {
  if (nodes) for (const n of [nodes.single, ...nodes.brokers, nodes.controller]) await n.stop('SIGKILL');
  fs.rmSync(base, { recursive: true, force: true });
}
