/**
 * Producer ids for InitProducerId (Kafka's RPCProducerIdManager, KIP-730: allocation
 * only; each partition's idempotent-producer state belongs to its log,
 * storage/producer-state.ts).
 *
 * Ids come in blocks the active controller hands out (AllocateProducerIds, recorded in
 * the metadata log as a ProducerIdsRecord), so ids are unique across the brokers of a
 * cluster and across restarts: a block is never handed out twice, and a restart only
 * wastes the rest of its block. The next block is requested once 90% of the current one
 * is used, so a busy broker rarely waits; while no id is at hand, InitProducerId answers
 * COORDINATOR_LOAD_IN_PROGRESS (retriable) rather than waiting.
 *
 * Before blocks came from the controller, a broker kept its own block file
 * (`producer-id-block` in the first log dir); `readLegacyProducerIdBlockEnd` lets the
 * single broker raise the metadata's next id above it once, so ids never go backwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InitProducerIdParams, InitProducerIdResult, ProducerIdService } from '../broker/services/group-service.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** the per-broker block file of earlier versions */
export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
/** Kafka bumps to a new producer id once the epoch would reach Short.MAX_VALUE. */
const MAX_PRODUCER_EPOCH = 32767;
/** RPCProducerIdManager: the next block is requested once this share of the current one is used */
const PREFETCH_RATIO = 0.9;
/** RPCProducerIdManager.RetryBackoffMs */
const RETRY_BACKOFF_MS = 50;

export interface ProducerIdBlock {
  start: bigint | number;
  length: number;
}

export interface ProducerIdManagerOptions {
  /** asks the active controller for the next block (AllocateProducerIds, or the local quorum of a single broker) */
  allocateBlock: () => Promise<ProducerIdBlock>;
  /** transaction.max.timeout.ms */
  transactionMaxTimeoutMs?: number;
  retryBackoffMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

interface Block {
  next: number;
  /** exclusive */
  end: number;
  /** the id whose hand-out triggers the prefetch of the following block */
  prefetchAt: number;
}

export class ProducerIdManager implements ProducerIdService {
  private readonly transactionMaxTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly logLine: (line: string) => void;
  private readonly now: () => number;
  private current: Block | null = null;
  private prefetched: Block | null = null;
  private inFlight: Promise<void> | null = null;
  private backoffUntil = 0;
  private closed = false;
  private readonly transactional = new Map<string, { producerId: number; producerEpoch: number }>();
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly opts: ProducerIdManagerOptions) {
    this.transactionMaxTimeoutMs = opts.transactionMaxTimeoutMs ?? 900_000;
    this.retryBackoffMs = opts.retryBackoffMs ?? RETRY_BACKOFF_MS;
    this.logLine = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
  }

  /**
   * Requests the first block now and keeps retrying (backoff) until one arrives, so the
   * first InitProducerId rarely has to wait; resolves once ids are at hand.
   */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve) => {
      if (this.current !== null || this.prefetched !== null) resolve();
      else this.waiters.push(resolve);
    });
    const attempt = (): void => {
      if (this.closed || this.current !== null || this.prefetched !== null) return;
      void this.requestBlock(true).then(() => {
        if (!this.closed && this.current === null && this.prefetched === null) setTimeout(attempt, this.retryBackoffMs).unref();
      });
    };
    attempt();
    return ready;
  }

  close(): void {
    this.closed = true;
  }

  /**
   * The next unused producer id. Throws KafkaError COORDINATOR_LOAD_IN_PROGRESS while
   * no block is at hand (one has been requested).
   */
  generateProducerId(): number {
    for (;;) {
      const block = this.current;
      if (block !== null && block.next < block.end) {
        const id = block.next++;
        if (id >= block.prefetchAt && this.prefetched === null) this.maybeRequestBlock();
        return id;
      }
      if (this.prefetched !== null) {
        this.current = this.prefetched;
        this.prefetched = null;
        continue;
      }
      this.maybeRequestBlock();
      throw new KafkaError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'Producer ID block is full. Waiting for next block.');
    }
  }

  private maybeRequestBlock(): void {
    if (this.inFlight !== null || this.closed || this.now() < this.backoffUntil) return;
    void this.requestBlock(false);
  }

  /** One AllocateProducerIds; resolves (never rejects) once it settled. */
  private requestBlock(quiet: boolean): Promise<void> {
    if (this.inFlight !== null) return this.inFlight;
    const run = (async () => {
      try {
        const { start, length } = await this.opts.allocateBlock();
        const first = Number(start);
        if (!Number.isSafeInteger(first) || first < 0 || length <= 0) throw new Error(`the controller granted an invalid block (${start}, ${length})`);
        const block: Block = { next: first, end: first + length, prefetchAt: first + Math.floor(length * PREFETCH_RATIO) };
        if (this.current === null || this.current.next >= this.current.end) this.current = block;
        else this.prefetched = block;
        for (const wake of this.waiters.splice(0)) wake();
      } catch (err) {
        this.backoffUntil = this.now() + this.retryBackoffMs;
        if (!quiet || !(err instanceof KafkaError)) this.logLine(`WARN [RPCProducerIdManager] Could not get a producer id block: ${(err as Error).message}`);
      } finally {
        this.inFlight = null;
      }
    })();
    this.inFlight = run;
    return run;
  }

  initProducerId(params: InitProducerIdParams): InitProducerIdResult {
    try {
      return this.initProducerIdOrThrow(params);
    } catch (err) {
      if (err instanceof KafkaError) return { errorCode: err.code, producerId: -1, producerEpoch: -1 };
      throw err;
    }
  }

  private initProducerIdOrThrow(params: InitProducerIdParams): InitProducerIdResult {
    if (params.transactionalId === null || params.transactionalId === '') {
      // Idempotent-only producers always get a fresh id with epoch 0.
      return { errorCode: ErrorCode.NONE, producerId: this.generateProducerId(), producerEpoch: 0 };
    }
    if (params.transactionTimeoutMs <= 0 || params.transactionTimeoutMs > this.transactionMaxTimeoutMs) {
      return { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1 };
    }
    const current = this.transactional.get(params.transactionalId);
    if (!current) {
      const fresh = { producerId: this.generateProducerId(), producerEpoch: 0 };
      this.transactional.set(params.transactionalId, fresh);
      return { errorCode: ErrorCode.NONE, ...fresh };
    }
    // KIP-360: a producer that names its old id/epoch must still own the transactional id.
    if (
      params.producerId >= 0 &&
      (params.producerId !== current.producerId || params.producerEpoch !== current.producerEpoch)
    ) {
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, producerId: -1, producerEpoch: -1 };
    }
    const next =
      current.producerEpoch + 1 >= MAX_PRODUCER_EPOCH
        ? { producerId: this.generateProducerId(), producerEpoch: 0 }
        : { producerId: current.producerId, producerEpoch: current.producerEpoch + 1 };
    this.transactional.set(params.transactionalId, next);
    return { errorCode: ErrorCode.NONE, ...next };
  }
}

/** The end of the last block the old per-broker file reserved in `dir`, if there is such a file. */
export function readLegacyProducerIdBlockEnd(dir: string): number | undefined {
  const file = path.join(dir, PRODUCER_ID_BLOCK_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const match = /^blockEnd=(\d+)$/m.exec(text);
  if (!match) throw new Error(`${file}: no blockEnd line`);
  return Number(match[1]);
}

/** Renames the old block file aside once the metadata log carries its mark; returns the new name. */
export function retireLegacyProducerIdBlockFile(dir: string): string {
  const from = path.join(dir, PRODUCER_ID_BLOCK_FILE);
  const to = `${from}.migrated`;
  fs.renameSync(from, to);
  return to;
}
