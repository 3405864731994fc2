/**
 * End-to-end: the perf and admin scripts (bin/*.sh) against a broker started by
 * bin/kafka-server-start.sh — kafka-producer-perf-test, kafka-consumer-perf-test,
 * kafka-e2e-latency, kafka-run-class, kafka-delete-records, kafka-log-dirs — checking
 * that the numbers they print agree with what was sent (record counts, bytes, offsets)
 * and that mistakes are one line on stderr.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBuiltBroker, runCli, startTestBroker, tempDir, type TestBroker } from '../helpers/cli.js';
import { CONSUMER_ROW, PRODUCER_TOTAL } from '../helpers/perf-lines.js';

await requireBuiltBroker();

const MB = 1024 * 1024;

describe('perf and admin tools against a real broker', () => {
  let broker: TestBroker;
  let dir: string;

  beforeAll(async () => {
    broker = await startTestBroker({ 'auto.create.topics.enable': 'true', 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1' });
    dir = tempDir('perf-tools');
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    expect(await broker?.stop()).toBe(0);
  });

  it('kafka-producer-perf-test sends every record and says so in its total line', async () => {
    const result = await runCli('kafka-producer-perf-test', ['--topic', 'perf', '--num-records', '3000', '--record-size', '100', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=all'], { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const total = PRODUCER_TOTAL.exec(lines[lines.length - 1]);
    expect(total, result.stdout).not.toBeNull();
    const [count, recordsPerSec, mbPerSec, avg, max, p50, p95, p99, p999] = total!.slice(1).map(Number);
    expect(count).toBe(3000);
    // records/sec and MB/sec describe the same run: MB/sec = records/sec * 100 bytes / 1 MiB (rounded to 2 places)
    expect(Math.abs(mbPerSec - (recordsPerSec * 100) / MB)).toBeLessThanOrEqual(0.006);
    expect(avg).toBeLessThanOrEqual(max);
    expect(p50 <= p95 && p95 <= p99 && p99 <= p999 && p999 <= max).toBe(true);
    const offsets = await runCli('kafka-get-offsets', ['--bootstrap-server', broker.bootstrap, '--topic', 'perf']);
    expect(offsets.stdout).toBe('perf:0:3000\n');
  });

  it('kafka-producer-perf-test --transaction-duration-ms commits its records in transactions a read_committed consumer sees', async () => {
    const result = await runCli('kafka-producer-perf-test', ['--topic', 'perf-tx', '--num-records', '500', '--record-size', '20', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`, '--transaction-duration-ms', '100'], { timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(PRODUCER_TOTAL.exec(result.stdout.trimEnd())?.[1]).toBe('500');
    const consumed = await runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'perf-tx', '--from-beginning', '--isolation-level', 'read_committed', '--max-messages', '500'], { timeoutMs: 30_000 });
    expect(consumed.stderr).toContain('Processed a total of 500 messages');
    expect(consumed.stdout.trimEnd().split('\n').every((line) => /^[A-Z]{20}$/.test(line))).toBe(true);
  });

  it('kafka-consumer-perf-test reads them back and reports the same count and size', async () => {
    const result = await runCli('kafka-consumer-perf-test', ['--bootstrap-server', broker.bootstrap, '--topic', 'perf', '--messages', '3000', '--group', 'perf-group'], { timeoutMs: 40_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    expect(lines).toHaveLength(2);
    const row = CONSUMER_ROW.exec(lines[1]);
    expect(row, lines[1]).not.toBeNull();
    expect(row![3]).toBe((3000 * 100 / MB).toFixed(4)); // 0.2861 MB: 3000 records of 100 bytes
    expect(row![5]).toBe('3000');
    const elapsed = Date.parse(row![2].replace(' ', 'T').replace(/:(\d{3})$/, '.$1')) - Date.parse(row![1].replace(' ', 'T').replace(/:(\d{3})$/, '.$1'));
    // rebalance.time.ms + fetch.time.ms = end.time - start.time
    expect(Number(row![7]) + Number(row![8])).toBe(elapsed);
  });

  it('kafka-consumer-perf-test --show-detailed-stats prints the detailed header and rows only; --hide-header drops it', async () => {
    const detailed = await runCli('kafka-consumer-perf-test', ['--broker-list', broker.bootstrap, '--topic', 'perf', '--messages', '3000', '--show-detailed-stats', '--reporting-interval', '1'], { timeoutMs: 40_000 });
    expect(detailed.code).toBe(0);
    const lines = detailed.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    for (const line of lines.slice(1)) expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, 0, \d+\.\d{4}, /);
    const hidden = await runCli('kafka-consumer-perf-test', ['--bootstrap-server', broker.bootstrap, '--topic', 'perf', '--messages', '10', '--hide-header'], { timeoutMs: 40_000 });
    expect(hidden.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(hidden.stdout.trimEnd()).toMatch(CONSUMER_ROW);
  });

  it('kafka-e2e-latency creates its topic, prints progress, average and percentiles', async () => {
    const result = await runCli('kafka-e2e-latency', [broker.bootstrap, 'latency', '30', '1', '64'], { timeoutMs: 40_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Topic "latency" does not exist. Will create topic with 1 partition(s) and replication factor = 1');
    expect(lines[1]).toMatch(/^0\t\d+\.\d+$/);
    expect(lines[2]).toMatch(/^Avg latency: \d+\.\d{4} ms$/);
    expect(lines[3]).toMatch(/^Percentiles: 50th = \d+, 99th = \d+, 99\.9th = \d+$/);
    expect(lines).toHaveLength(4);
    const offsets = await runCli('kafka-run-class', ['kafka.tools.GetOffsetShell', '--broker-list', broker.bootstrap, '--topic', 'latency', '--time', '-1']);
    expect(offsets.stdout).toBe('latency:0:30\n');
    expect(offsets.code).toBe(0);
  });

  it('kafka-run-class runs EndToEndLatency by its class name and refuses an unknown class in one line', async () => {
    const run = await runCli('kafka-run-class', ['kafka.tools.EndToEndLatency', broker.bootstrap, 'latency', '5', 'all', '10'], { timeoutMs: 30_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^0\t\d+\.\d+\nAvg latency: \d+\.\d{4} ms\nPercentiles: /);
    const unknown = await runCli('kafka-run-class', ['kafka.tools.NoSuchClass']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^Error: Could not find or load main class kafka\.tools\.NoSuchClass: this toolkit runs kafka\.Kafka, .*kafka\.tools\.EndToEndLatency/);
  });

  it('kafka-delete-records moves log start offsets and kafka-log-dirs shows the partitions', async () => {
    await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'dr', '--partitions', '2']);
    const input = Array.from({ length: 10 }, (_, i) => `${i % 2}:v${i}`).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'dr', '--property', 'parse.key=true', '--property', 'key.separator=:'], { input });
    expect(produced.code).toBe(0);
    const before = await runCli('kafka-get-offsets', ['--bootstrap-server', broker.bootstrap, '--topic', 'dr']);
    const ends = new Map(before.stdout.trimEnd().split('\n').map((l) => l.split(':')).map(([, p, o]) => [Number(p), Number(o)]));
    expect([...ends.values()].reduce((a, b) => a + b, 0)).toBe(10);
    const file = path.join(dir, 'offsets.json');
    fs.writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'dr', partition: 0, offset: 2 }, { topic: 'dr', partition: 1, offset: -1 }, { topic: 'dr', partition: 7, offset: 1 }], version: 1 }));
    const result = await runCli('kafka-delete-records', ['--bootstrap-server', broker.bootstrap, '--offset-json-file', file]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['Executing records delete operation', 'Records delete operation completed:']);
    expect(lines.slice(2).sort()).toEqual([
      'partition: dr-0\tlow_watermark: 2',
      `partition: dr-1\tlow_watermark: ${ends.get(1)}`,
      'partition: dr-7\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
    ]);
    const earliest = await runCli('kafka-get-offsets', ['--bootstrap-server', broker.bootstrap, '--topic', 'dr', '--time', '-2']);
    expect(earliest.stdout).toBe(`dr:0:2\ndr:1:${ends.get(1)}\n`);

    const logDirs = await runCli('kafka-log-dirs', ['--bootstrap-server', broker.bootstrap, '--describe', '--topic-list', 'dr']);
    expect(logDirs.code).toBe(0);
    const [querying, received, json, ...rest] = logDirs.stdout.split('\n');
    expect([querying, received, rest]).toEqual(['Querying brokers for log directories information', 'Received log directory information from brokers 0', ['']]);
    expect(json).toMatch(/^\{"brokers":\[\{"broker":0,"logDirs":\[\{"partitions":\[\{"partition":"dr-\d","size":\d+,"offsetLag":0,"isFuture":false\},\{"partition":"dr-\d".*\],"error":null,"logDir":".*"\}\]\}\],"version":1\}$/);
    const parsed = JSON.parse(json) as { brokers: Array<{ logDirs: Array<{ logDir: string; partitions: Array<{ partition: string; size: number }> }> }> };
    const logDir = parsed.brokers[0].logDirs[0];
    expect(logDir.logDir).toBe(broker.logDir);
    expect(logDir.partitions.map((p) => p.partition).sort()).toEqual(['dr-0', 'dr-1']);
    for (const p of logDir.partitions) expect(p.size).toBe(fs.statSync(path.join(broker.logDir, p.partition, '00000000000000000000.log')).size);
  });

  it('names the mistake in one line: unreachable broker, missing option, unknown topic, unknown broker id, missing file', async () => {
    const port = await freePort();
    const cases: Array<[string, string[], RegExp]> = [
      ['kafka-producer-perf-test', ['--topic', 'x', '--num-records', '1', '--record-size', '1', '--throughput', '-1', '--producer-props', `bootstrap.servers=127.0.0.1:${port}`], /^Cannot connect to the Kafka broker at 127\.0\.0\.1:\d+ \(connection refused\)\. .*bootstrap\.servers/],
      ['kafka-consumer-perf-test', ['--bootstrap-server', broker.bootstrap, '--topic', 'no-such-topic', '--messages', '1'], /^Topic 'no-such-topic' does not exist; create it with kafka-topics/],
      ['kafka-log-dirs', ['--bootstrap-server', broker.bootstrap, '--describe', '--broker-list', '0,5'], /^ERROR: The given brokers do not exist from --broker-list: 5\. Current existent brokers: 0$/],
      ['kafka-delete-records', ['--bootstrap-server', broker.bootstrap, '--offset-json-file', path.join(dir, 'missing.json')], /^Cannot read offset json file .*missing\.json: no such file\./],
      ['kafka-e2e-latency', [broker.bootstrap, 'latency', '5', '0', '10'], /^Latency testing requires synchronous acknowledgement\. Please use 1 or all$/],
    ];
    for (const [tool, args, pattern] of cases) {
      const result = await runCli(tool, args, { timeoutMs: 20_000 });
      expect(result.code, `${tool} ${args.join(' ')}`).not.toBe(0);
      expect(result.stderr.split('\n')[0], tool).toMatch(pattern);
    }
    const missing = await runCli('kafka-producer-perf-test', ['--topic', 'x', '--num-records', '1', '--throughput', '-1', '--producer-props', `bootstrap.servers=${broker.bootstrap}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')[0]).toBe('one of the arguments --record-size --payload-file --payload-monotonic is required');
  });
});
