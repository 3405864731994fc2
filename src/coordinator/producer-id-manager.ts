/**
 * Producer ids for InitProducerId (Kafka's ProducerIdManager: allocation only; each
 * partition's idempotent-producer state belongs to its log, storage/producer-state.ts).
 *
 * Ids are handed out from blocks of 1000 (as Kafka's controller allocates them); the
 * end of the last reserved block is persisted atomically in the first log dir before
 * any id of the block is used, so ids never repeat across restarts (a crash wastes at
 * most the rest of a block). Transactional ids map to a stable producer id whose
 * epoch is bumped on each InitProducerId; that mapping is in memory only for now (no
 * `__transaction_state` yet), so it does not survive a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InitProducerIdParams, InitProducerIdResult, ProducerIdService } from '../broker/services/group-service.js';
import { ErrorCode } from '../protocol/errors.js';
import { writeFileAtomically } from '../storage/checkpoint-file.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000;
export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
/** Kafka bumps to a new producer id once the epoch would reach Short.MAX_VALUE. */
const MAX_PRODUCER_EPOCH = 32767;

export interface ProducerIdManagerOptions {
  /** directory for the block file: the first of log.dirs */
  dir: string;
  /** transaction.max.timeout.ms */
  transactionMaxTimeoutMs?: number;
  blockSize?: number;
}

export class ProducerIdManager implements ProducerIdService {
  private readonly file: string;
  private readonly blockSize: number;
  private readonly transactionMaxTimeoutMs: number;
  private nextId = 0;
  /** exclusive end of the block currently being handed out */
  private blockEnd = 0;
  private readonly transactional = new Map<string, { producerId: number; producerEpoch: number }>();

  constructor(opts: ProducerIdManagerOptions) {
    this.file = path.join(opts.dir, PRODUCER_ID_BLOCK_FILE);
    this.blockSize = opts.blockSize ?? PRODUCER_ID_BLOCK_SIZE;
    this.transactionMaxTimeoutMs = opts.transactionMaxTimeoutMs ?? 900_000;
    const persisted = this.readBlockEnd();
    this.nextId = persisted;
    this.blockEnd = persisted;
  }

  private readBlockEnd(): number {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const match = /^blockEnd=(\d+)$/m.exec(text);
    if (!match) throw new Error(`${this.file}: no blockEnd line`);
    return Number(match[1]);
  }

  /** The next unused producer id; reserves (and persists) a new block when needed. */
  generateProducerId(): number {
    if (this.nextId >= this.blockEnd) {
      const end = this.blockEnd + this.blockSize;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileAtomically(this.file, `version=1\nblockEnd=${end}\n`);
      this.nextId = this.blockEnd;
      this.blockEnd = end;
    }
    return this.nextId++;
  }

  initProducerId(params: InitProducerIdParams): InitProducerIdResult {
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
