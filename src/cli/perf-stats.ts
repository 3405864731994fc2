/**
 * The bookkeeping and report lines of Kafka's perf tools: ProducerPerformance's
 * per-window and total lines (trunk formats), ConsumerPerformance's header and CSV-style
 * rows, the ThroughputThrottler both producer tools pace themselves with, and
 * ToolsUtils.printMetrics' table. Pure apart from the clock, so golden tests can pin
 * the text down.
 */
import { javaFixed, simpleDateFormat } from './java-format.js';

const MB = 1024 * 1024;

/** ProducerPerformance.Stats: latencies of acknowledged records, a window line every `reportingIntervalMs`. */
export class ProducerStats {
  private readonly start: number;
  private readonly latencies: Int32Array;
  private readonly sampling: number;
  private index = 0;
  /** records acknowledged so far (Kafka counts the sampling iteration on success only) */
  iteration = 0;
  count = 0;
  bytes = 0;
  private maxLatency = 0;
  private totalLatency = 0;
  private windowCount = 0;
  private windowMaxLatency = 0;
  private windowTotalLatency = 0;
  private windowBytes = 0;
  private windowStart: number;

  constructor(numRecords: number, private readonly reportingIntervalMs: number, private readonly print: (line: string) => void, private readonly now: () => number = Date.now) {
    this.start = now();
    this.windowStart = this.start;
    this.sampling = Math.floor(numRecords / Math.min(numRecords, 500000));
    this.latencies = new Int32Array(Math.floor(numRecords / this.sampling) + 1);
  }

  /** One acknowledged record: its latency (ms), size, and the time of the acknowledgement. */
  record(latencyMs: number, bytes: number, time: number): void {
    this.count += 1;
    this.bytes += bytes;
    this.totalLatency += latencyMs;
    this.maxLatency = Math.max(this.maxLatency, latencyMs);
    this.windowCount += 1;
    this.windowBytes += bytes;
    this.windowTotalLatency += latencyMs;
    this.windowMaxLatency = Math.max(this.windowMaxLatency, latencyMs);
    if (this.iteration % this.sampling === 0 && this.index < this.latencies.length) {
      this.latencies[this.index] = latencyMs;
      this.index += 1;
    }
    this.iteration += 1;
    if (time - this.windowStart >= this.reportingIntervalMs) {
      this.print(this.windowLine());
      this.newWindow();
    }
  }

  /** `%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.` */
  windowLine(): string {
    const elapsed = this.now() - this.windowStart;
    return formatProducerWindow(this.windowCount, this.windowBytes, elapsed, this.windowTotalLatency, this.windowMaxLatency);
  }

  private newWindow(): void {
    this.windowStart = this.now();
    this.windowCount = 0;
    this.windowMaxLatency = 0;
    this.windowTotalLatency = 0;
    this.windowBytes = 0;
  }

  /** The final line, with the 50th/95th/99th/99.9th percentiles of the sampled latencies. */
  totalLine(): string {
    const elapsed = this.now() - this.start;
    const size = Math.min(this.index, this.latencies.length);
    const sorted = this.latencies.slice(0, size).sort();
    const percentile = (p: number): number => (size === 0 ? 0 : sorted[Math.floor(p * size)]);
    return formatProducerTotal(this.count, this.bytes, elapsed, this.totalLatency, this.maxLatency,
      [percentile(0.5), percentile(0.95), percentile(0.99), percentile(0.999)]);
  }
}

/** Kafka divides by zero elapsed ms too (Infinity/NaN); keep its output for a sub-millisecond window. */
function perSecond(amount: number, elapsedMs: number): number {
  return (1000 * amount) / elapsedMs;
}

export function formatProducerWindow(count: number, bytes: number, elapsedMs: number, totalLatency: number, maxLatency: number): string {
  return `${count} records sent, ${javaFixed(perSecond(count, elapsedMs), 1)} records/sec (${javaFixed(perSecond(bytes, elapsedMs) / MB, 2)} MB/sec), ` +
    `${javaFixed(totalLatency / count, 1)} ms avg latency, ${javaFixed(maxLatency, 1)} ms max latency.`;
}

export function formatProducerTotal(count: number, bytes: number, elapsedMs: number, totalLatency: number, maxLatency: number, percentiles: readonly [number, number, number, number]): string {
  return `${count} records sent, ${javaFixed(perSecond(count, elapsedMs), 1)} records/sec (${javaFixed(perSecond(bytes, elapsedMs) / MB, 2)} MB/sec), ` +
    `${javaFixed(totalLatency / count, 2)} ms avg latency, ${javaFixed(maxLatency, 2)} ms max latency, ` +
    `${percentiles[0]} ms 50th, ${percentiles[1]} ms 95th, ${percentiles[2]} ms 99th, ${percentiles[3]} ms 99.9th.`;
}

/** ThroughputThrottler: keeps the average rate at `targetThroughput` per second (negative = unthrottled). */
export class ThroughputThrottler {
  private readonly sleepTimeNs: number;
  private sleepDeficitNs = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly targetThroughput: number, private readonly startMs: number) {
    this.sleepTimeNs = targetThroughput > 0 ? 1e9 / targetThroughput : Number.MAX_SAFE_INTEGER;
  }

  /** Ends a wait of throttle() (a target of 0 waits until woken, e.g. by a shutdown). */
  wakeup(): void {
    this.wake?.();
    this.wake = undefined;
  }

  shouldThrottle(amountSoFar: number, sendStartMs: number): boolean {
    if (this.targetThroughput < 0) return false;
    const elapsedSec = (sendStartMs - this.startMs) / 1000;
    return elapsedSec > 0 && amountSoFar / elapsedSec > this.targetThroughput;
  }

  /** Sleeps once enough deficit (2 ms) has built up; a target of 0 waits forever, as Kafka's does. */
  async throttle(): Promise<void> {
    if (this.targetThroughput === 0) {
      await new Promise<void>((resolve) => { this.wake = resolve; });
      return;
    }
    this.sleepDeficitNs += this.sleepTimeNs;
    if (this.sleepDeficitNs >= 2e6) {
      const ms = this.sleepDeficitNs / 1e6;
      const started = process.hrtime.bigint();
      await new Promise((resolve) => setTimeout(resolve, Math.floor(ms)));
      const slept = Number(process.hrtime.bigint() - started);
      // a timer that fired late counts its extra time against the next sleep
      this.sleepDeficitNs = Math.min(0, this.sleepDeficitNs - slept);
    }
  }
}

/** ConsumerPerformance's header: `start.time, end.time, ...` or, with detailed stats, `time, threadId, ...`. */
export function consumerPerfHeader(detailed: boolean): string {
  const extra = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
  return detailed
    ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}`
    : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}`;
}

export interface ConsumerTotals {
  startMs: number;
  endMs: number;
  bytes: number;
  messages: number;
  /** time spent joining the group (all rebalances) */
  joinTimeMs: number;
}

/** The summary row: `%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f`. */
export function formatConsumerTotal(totals: ConsumerTotals, dateFormat: string): string {
  const elapsedSec = (totals.endMs - totals.startMs) / 1000;
  const fetchTimeMs = totals.endMs - totals.startMs - totals.joinTimeMs;
  const mb = totals.bytes / MB;
  return [
    simpleDateFormat(dateFormat, totals.startMs),
    simpleDateFormat(dateFormat, totals.endMs),
    javaFixed(mb, 4),
    javaFixed(mb / elapsedSec, 4),
    String(totals.messages),
    javaFixed(totals.messages / elapsedSec, 4),
    String(totals.joinTimeMs),
    String(fetchTimeMs),
    javaFixed(mb / (fetchTimeMs / 1000), 4),
    javaFixed(totals.messages / (fetchTimeMs / 1000), 4),
  ].join(', ');
}

export interface ConsumerInterval {
  bytes: number;
  lastBytes: number;
  messages: number;
  lastMessages: number;
  startMs: number;
  endMs: number;
  /** join time within this interval */
  joinTimeMs: number;
}

/** One `--show-detailed-stats` row: `%s, %d, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f`. */
export function formatConsumerInterval(interval: ConsumerInterval, dateFormat: string, threadId = 0): string {
  const elapsedMs = interval.endMs - interval.startMs;
  const totalMb = interval.bytes / MB;
  const intervalMb = (interval.bytes - interval.lastBytes) / MB;
  const intervalMessages = interval.messages - interval.lastMessages;
  const fetchTimeMs = elapsedMs - interval.joinTimeMs;
  return [
    simpleDateFormat(dateFormat, interval.endMs),
    String(threadId),
    javaFixed(totalMb, 4),
    javaFixed((1000 * intervalMb) / elapsedMs, 4),
    String(interval.messages),
    javaFixed((intervalMessages / elapsedMs) * 1000, 4),
    String(interval.joinTimeMs),
    String(fetchTimeMs),
    javaFixed(fetchTimeMs <= 0 ? 0 : (1000 * intervalMb) / fetchTimeMs, 4),
    javaFixed(fetchTimeMs <= 0 ? 0 : (1000 * intervalMessages) / fetchTimeMs, 4),
  ].join(', ');
}

/** ToolsUtils.printMetrics: a blank line, `Metric Name   Value`, then `name : value` sorted by name (doubles with %.3f). */
export function formatMetrics(metrics: ReadonlyMap<string, number | string>): string[] {
  if (metrics.size === 0) return [];
  const names = [...metrics.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(...names.map((n) => n.length));
  const lines = ['', `${'Metric Name'.padEnd(width)}   Value`];
  for (const name of names) {
    const value = metrics.get(name)!;
    lines.push(`${name.padEnd(width)} : ${typeof value === 'number' ? javaFixed(value, 3) : value}`);
  }
  return lines;
}

/** Where producer-perf-test's payloads come from. */
export interface PayloadSettings {
  recordSize?: number;
  /** entries of --payload-file */
  payloads: Buffer[];
  payloadMonotonic: boolean;
}

/** Random A-Z payloads: a pool of letters, each record a different window of it (records are never modified after send). */
export class PayloadSource {
  private readonly pool: Buffer;
  private position = 0;

  constructor(private readonly settings: PayloadSettings) {
    const size = settings.recordSize ?? 0;
    this.pool = Buffer.alloc(size > 0 ? Math.max(size * 64, 1 << 20) : 0);
    for (let i = 0; i < this.pool.length; i++) this.pool[i] = 65 + Math.floor(Math.random() * 26);
  }

  next(index: number): Buffer {
    const { payloads, recordSize, payloadMonotonic } = this.settings;
    if (payloads.length > 0) return payloads[Math.floor(Math.random() * payloads.length)];
    if (payloadMonotonic || recordSize === undefined) return Buffer.from(String(index), 'utf8');
    if (this.position + recordSize > this.pool.length) this.position = 0;
    const payload = this.pool.subarray(this.position, this.position + recordSize);
    // step by an odd amount so consecutive payloads differ
    this.position += 13;
    return payload;
  }
}

export interface SendCounters {
  sent: number;
  failed: number;
  requests: number;
  startMs: number;
}

/** The metrics --print-metrics shows, named as Kafka's producer names them. */
export function producerMetrics(stats: ProducerStats, counters: SendCounters, clientId: string): Map<string, number | string> {
  const tags = `{client-id=${clientId}}`;
  const elapsedSec = Math.max(1e-3, (Date.now() - counters.startMs) / 1000);
  return new Map<string, number | string>([
    [`producer-metrics:record-send-total:${tags}`, stats.count],
    [`producer-metrics:record-send-rate:${tags}`, stats.count / elapsedSec],
    [`producer-metrics:record-error-total:${tags}`, counters.failed],
    [`producer-metrics:record-size-avg:${tags}`, stats.count === 0 ? 0 : stats.bytes / stats.count],
    [`producer-metrics:byte-total:${tags}`, stats.bytes],
    [`producer-metrics:outgoing-byte-rate:${tags}`, stats.bytes / elapsedSec],
  ]);
}
