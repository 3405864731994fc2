/**
 * Golden tests for the perf tools' text (kafka-outputs-more.md §4.2, trunk tools):
 * ProducerPerformance's window and total lines, ConsumerPerformance's header and rows,
 * EndToEndLatency's lines, --print-metrics' table, and the tools' argument handling.
 */
import { describe, expect, it } from 'vitest';
import { producerPerfSettings, readPayloadFile } from '../../src/cli/commands/kafka-producer-perf-test.js';
import { consumerPerfSettings, spec as consumerSpec } from '../../src/cli/commands/kafka-consumer-perf-test.js';
import { formatLatencyProgress, formatLatencyResults, latencySettings } from '../../src/cli/commands/kafka-e2e-latency.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseArgs } from '../../src/cli/options.js';
import {
  consumerPerfHeader, formatConsumerInterval, formatConsumerTotal, formatMetrics, formatProducerTotal, formatProducerWindow,
  PayloadSource, ProducerStats, ThroughputThrottler,
} from '../../src/cli/perf-stats.js';
import { spreadMultiValueOption } from '../../src/cli/tool-args.js';
import { tempDir } from '../helpers/cli.js';
import { CONSUMER_ROW, PRODUCER_TOTAL, PRODUCER_WINDOW } from '../helpers/perf-lines.js';
import fs from 'node:fs';
import path from 'node:path';

// Lines of the real trunk tools (kafka-outputs-more.md §4.2); the numbers vary from run to run.
const TRUNK_PRODUCER_TOTAL = '100000 records sent, 45641.3 records/sec (4.35 MB/sec), 485.59 ms avg latency, 765.00 ms max latency, 507 ms 50th, 749 ms 95th, 763 ms 99th, 765 ms 99.9th.';
const TRUNK_PRODUCER_WINDOW = '249952 records sent, 49990.4 records/sec (4.77 MB/sec), 10.3 ms avg latency, 334.0 ms max latency.';
const TRUNK_CONSUMER_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const TRUNK_DETAILED_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const TRUNK_CONSUMER_ROW = '2026-12-03 01:55:56:749, 2026-12-03 01:55:57:450, 9.5367, 13.6045, 100000, 142653.3524, 473, 228, 41.8278, 438596.4912';
const TRUNK_DETAILED_ROW = '2026-12-03 01:56:31:415, 0, 6.0812, 30.4055, 63766, 318825.0000, 0, 200, 30.4055, 318825.0000';

describe('ProducerPerformance lines', () => {
  it('have the shapes of the real trunk lines', () => {
    expect(TRUNK_PRODUCER_TOTAL).toMatch(PRODUCER_TOTAL);
    expect(TRUNK_PRODUCER_WINDOW).toMatch(PRODUCER_WINDOW);
  });

  it('formats the total line character for character', () => {
    // 100000 records of 100 bytes in 2191 ms: 45641.3 records/s, 4.35 MB/s
    expect(formatProducerTotal(100000, 100000 * 100, 2191, 48559000, 765, [507, 749, 763, 765]))
      .toBe('100000 records sent, 45641.3 records/sec (4.35 MB/sec), 485.59 ms avg latency, 765.00 ms max latency, 507 ms 50th, 749 ms 95th, 763 ms 99th, 765 ms 99.9th.');
  });

  it('formats the window line with one decimal for the latencies', () => {
    expect(formatProducerWindow(249952, 249952 * 100, 5000, 249952 * 10.3, 334)).toBe('249952 records sent, 49990.4 records/sec (4.77 MB/sec), 10.3 ms avg latency, 334.0 ms max latency.');
  });

  it('computes percentiles over the sampled latencies and prints a window line every interval', () => {
    let clock = 1000;
    const printed: string[] = [];
    const stats = new ProducerStats(1000, 5000, (line) => printed.push(line), () => clock);
    for (let i = 0; i < 1000; i++) {
      clock += 10;
      stats.record(i % 100, 100, clock);
    }
    // 1000 records over 10 s: a window line after each 5 s
    expect(printed).toHaveLength(2);
    for (const line of printed) {
      expect(line).toMatch(PRODUCER_WINDOW);
      expect(line).toMatch(/^500 records sent, 100\.0 records\/sec \(0\.01 MB\/sec\), 49\.5 ms avg latency, 99\.0 ms max latency\.$/);
    }
    const total = stats.totalLine();
    const match = PRODUCER_TOTAL.exec(total)!;
    expect(match).not.toBeNull();
    expect(match.slice(1, 2)).toEqual(['1000']);
    expect(match[4]).toBe('49.50');
    expect(match[5]).toBe('99.00');
    expect(match.slice(6)).toEqual(['50', '95', '99', '99']);
  });
});

describe('ConsumerPerformance lines', () => {
  it('prints the header exactly as Kafka', () => {
    expect(consumerPerfHeader(false)).toBe(TRUNK_CONSUMER_HEADER);
    expect(consumerPerfHeader(true)).toBe(TRUNK_DETAILED_HEADER);
  });

  it('reproduces the real trunk result row from its inputs', () => {
    const startMs = new Date(2026, 11, 3, 1, 55, 56, 749).getTime();
    const row = formatConsumerTotal({ startMs, endMs: startMs + 701, bytes: 100000 * 100, messages: 100000, joinTimeMs: 473 }, 'yyyy-MM-dd HH:mm:ss:SSS');
    expect(row).toBe(TRUNK_CONSUMER_ROW);
    expect(row).toMatch(CONSUMER_ROW);
  });

  it('reproduces the real detailed row from its inputs', () => {
    const endMs = new Date(2026, 11, 3, 1, 56, 31, 415).getTime();
    const bytes = Math.round(6.0812 * 1024 * 1024);
    const lastBytes = bytes - Math.round(6.0811 * 1024 * 1024);
    const line = formatConsumerInterval({ bytes, lastBytes, messages: 63766, lastMessages: 1, startMs: endMs - 200, endMs, joinTimeMs: 0 }, 'yyyy-MM-dd HH:mm:ss:SSS');
    expect(line).toBe(TRUNK_DETAILED_ROW);
  });

  it('reads Kafka options: --broker-list as the old spelling, required ones named as joptsimple names them', () => {
    const settings = consumerPerfSettings(parseArgs(consumerSpec, ['--broker-list', 'localhost:9092', '--topic', 't', '--messages', '5']));
    expect(settings.brokers).toEqual(['localhost:9092']);
    expect(settings.group).toMatch(/^perf-consumer-\d{1,5}$/);
    expect(settings.timeoutMs).toBe(10000);
    expect(settings.reportingIntervalMs).toBe(5000);
    expect(() => consumerPerfSettings(parseArgs(consumerSpec, ['--bootstrap-server', 'localhost:9092', '--topic', 't']))).toThrow('Missing required argument "[messages]"');
    expect(() => consumerPerfSettings(parseArgs(consumerSpec, ['--topic', 't', '--messages', '1']))).toThrow('Missing required argument "[bootstrap-server]"');
    expect(() => consumerPerfSettings(parseArgs(consumerSpec, ['--bootstrap-server', 'h:1', '--topic', 't', '--messages', '1', '--reporting-interval', '0']))).toThrow('Reporting interval must be greater than 0.');
  });
});

describe('kafka-producer-perf-test arguments', () => {
  const base = ['--topic', 't', '--num-records', '10', '--throughput', '-1'];

  it('takes --producer-props as several key=value words (argparse nargs +)', () => {
    expect(spreadMultiValueOption(['--producer-props', 'a=1', 'b=2', '--topic', 't'], 'producer-props'))
      .toEqual(['--producer-props', 'a=1', '--producer-props', 'b=2', '--topic', 't']);
    const settings = producerPerfSettings([...base, '--record-size', '100', '--producer-props', 'bootstrap.servers=localhost:9092', 'acks=1', 'linger.ms=0']);
    expect(settings.bootstrapServers).toEqual(['localhost:9092']);
    expect(settings.acks).toBe(1);
    expect(settings.properties['client.id']).toBe('perf-producer-client');
    expect(settings.throughput).toBe(-1);
    expect(settings.transactionalId).toBeUndefined();
  });

  it("refuses what Kafka's tool refuses, one line each", () => {
    const props = ['--producer-props', 'bootstrap.servers=localhost:9092'];
    expect(() => producerPerfSettings([...base, ...props])).toThrow('one of the arguments --record-size --payload-file --payload-monotonic is required');
    expect(() => producerPerfSettings([...base, '--record-size', '10'])).toThrow('Either --producer-props or --producer.config must be specified.');
    expect(() => producerPerfSettings(['--topic', 't', '--num-records', '0', '--throughput', '-1', '--record-size', '1', ...props])).toThrow('--num-records should be greater than zero');
    expect(() => producerPerfSettings([...base, '--record-size', '1', '--producer-props', 'a=b=c'])).toThrow('Invalid property: a=b=c');
    expect(() => producerPerfSettings([...base, '--record-size', '1', '--producer-props', 'acks=1'])).toThrow('add bootstrap.servers');
    expect(() => producerPerfSettings([...base, '--record-size', 'x', ...props])).toThrow(UsageError);
  });

  it('turns transactions on with a transactional id or a duration (default 3000 ms)', () => {
    const props = ['--producer-props', 'bootstrap.servers=localhost:9092'];
    const byId = producerPerfSettings([...base, '--record-size', '1', ...props, '--transactional-id', 'tx']);
    expect([byId.transactionalId, byId.transactionDurationMs]).toEqual(['tx', 3000]);
    const byDuration = producerPerfSettings([...base, '--record-size', '1', ...props, '--transaction-duration-ms', '100']);
    expect(byDuration.transactionalId).toMatch(/^performance-producer-[0-9a-f-]{36}$/);
  });

  it('reads --payload-file split by the delimiter and notes it as Kafka does', () => {
    const dir = tempDir('perf-payload');
    const file = path.join(dir, 'payloads.txt');
    fs.writeFileSync(file, 'one\ntwo\nthree\n');
    const { payloads, notes } = readPayloadFile(file, '\n');
    expect(payloads.map(String)).toEqual(['one', 'two', 'three']);
    expect(notes).toEqual([`Reading payloads from: ${file}`, 'Number of messages read: 3']);
    expect(() => readPayloadFile(path.join(dir, 'missing.txt'), '\n')).toThrow('File does not exist or empty file provided');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes random A-Z payloads of the record size', () => {
    const source = new PayloadSource({ recordSize: 100, payloads: [], payloadMonotonic: false });
    const a = source.next(0);
    const b = source.next(1);
    expect(a.length).toBe(100);
    expect(a.toString()).toMatch(/^[A-Z]{100}$/);
    expect(a.equals(b)).toBe(false);
    expect(new PayloadSource({ payloads: [], payloadMonotonic: true }).next(42).toString()).toBe('42');
  });
});

describe('ThroughputThrottler', () => {
  it('throttles only above the target rate, never when unthrottled', () => {
    const throttler = new ThroughputThrottler(100, 0);
    expect(throttler.shouldThrottle(50, 1000)).toBe(false);
    expect(throttler.shouldThrottle(150, 1000)).toBe(true);
    expect(new ThroughputThrottler(-1, 0).shouldThrottle(1e9, 1)).toBe(false);
  });
});

describe('EndToEndLatency lines', () => {
  it('prints progress as i TAB a Java double, then average and percentiles (trunk: no blank line)', () => {
    expect(formatLatencyProgress(0, 107608398n)).toBe('0\t107.608398');
    expect(formatLatencyProgress(1000, 2000000n)).toBe('1000\t2.0');
    const latencies: number[] = Array.from({ length: 1000 }, (_, i) => (i < 500 ? 1 : i < 990 ? 2 : 11));
    latencies[999] = 107;
    const lines = formatLatencyResults(2.8001e6 * 1000, latencies);
    expect(lines).toEqual(['Avg latency: 2.8001 ms', 'Percentiles: 50th = 2, 99th = 11, 99.9th = 107']);
  });

  it("takes Kafka's five or six positional arguments", () => {
    expect(latencySettings(['localhost:9092', 't', '1000', '1', '100'])).toMatchObject({ topic: 't', numMessages: 1000, acks: 1, messageSize: 100 });
    expect(latencySettings(['localhost:9092', 't', '10', 'all', '100', '']).acks).toBe(-1);
    expect(() => latencySettings(['localhost:9092', 't', '10', '0', '100'])).toThrow('Latency testing requires synchronous acknowledgement. Please use 1 or all');
    expect(() => latencySettings(['localhost:9092', 't'])).toThrow('USAGE: java org.apache.kafka.tools.EndToEndLatency broker_list topic num_messages producer_acks message_size_bytes [optional] properties_file');
  });
});

describe('--print-metrics table', () => {
  it('is sorted, aligned and prints doubles with three decimals', () => {
    const lines = formatMetrics(new Map<string, number | string>([['producer-metrics:record-send-total:{client-id=c}', 10], ['producer-metrics:byte-total:{client-id=c}', 1000.5]]));
    expect(lines).toEqual([
      '',
      'Metric Name                                        Value',
      'producer-metrics:byte-total:{client-id=c}        : 1000.500',
      'producer-metrics:record-send-total:{client-id=c} : 10.000',
    ]);
  });
});
