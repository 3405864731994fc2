/**
 * The `__transaction_state` record formats (Kafka's TransactionLogKey / TransactionLogValue):
 * key = int16 version (0) + string transactionalId; value = int16 version + struct.
 * We write value version 0 (non-flexible) and read versions 0 and 1 (1 is flexible, with
 * tagged fields we skip). A null value is a tombstone (the transactional id expired).
 * Also Kafka's transactional id → partition mapping.
 */
import { ByteReader, ByteWriter } from '../protocol/primitives.js';
import type { TransactionStateName, TxnTopicPartition } from '../broker/services/transaction-service.js';
import { javaStringHashCode } from './group-records.js';

export const TRANSACTION_LOG_KEY_VERSION = 0;
export const TRANSACTION_LOG_VALUE_VERSION = 0;

/** TransactionStatus ids as Kafka's TransactionState defines them. */
export const TRANSACTION_STATUS_IDS: Record<TransactionStateName, number> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

const STATE_BY_ID = new Map<number, TransactionStateName>(
  Object.entries(TRANSACTION_STATUS_IDS).map(([name, id]) => [id, name as TransactionStateName]),
);

export interface TransactionLogValue {
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  state: TransactionStateName;
  partitions: TxnTopicPartition[];
  lastUpdateTimestamp: number;
  /** -1 when no transaction is open */
  startTimestamp: number;
}

/** Kafka's partitionFor(transactionalId): Utils.abs(hashCode) % transaction.state.log.num.partitions. */
export function transactionPartitionFor(transactionalId: string, numPartitions: number): number {
  return (javaStringHashCode(transactionalId) & 0x7fffffff) % numPartitions;
}

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  return new ByteWriter().int16(TRANSACTION_LOG_KEY_VERSION).string(transactionalId).toBuffer();
}

/** The transactional id of a key, or null for a key version we do not know. */
export function decodeTransactionLogKey(buf: Buffer): string | null {
  const r = new ByteReader(buf);
  if (r.int16() !== TRANSACTION_LOG_KEY_VERSION) return null;
  return r.string();
}

/** Partitions grouped by topic, as the value's TransactionPartitions array holds them. */
function byTopic(partitions: TxnTopicPartition[]): Map<string, number[]> {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = topics.get(topic) ?? [];
    list.push(partition);
    topics.set(topic, list);
  }
  return topics;
}

export function encodeTransactionLogValue(v: TransactionLogValue): Buffer {
  const w = new ByteWriter()
    .int16(TRANSACTION_LOG_VALUE_VERSION)
    .int64(BigInt(v.producerId))
    .int16(v.producerEpoch)
    .int32(v.transactionTimeoutMs)
    .int8(TRANSACTION_STATUS_IDS[v.state]);
  const topics = byTopic(v.partitions);
  w.int32(topics.size);
  for (const [topic, ids] of topics) {
    w.string(topic).int32(ids.length);
    for (const id of ids) w.int32(id);
  }
  return w.int64(BigInt(v.lastUpdateTimestamp)).int64(BigInt(v.startTimestamp)).toBuffer();
}

function skipTaggedFields(r: ByteReader): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

/** Decodes value versions 0 and 1; null for an unknown version or status. */
export function decodeTransactionLogValue(buf: Buffer): TransactionLogValue | null {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version !== 0 && version !== 1) return null;
  const flexible = version === 1;
  const producerId = Number(r.int64());
  const producerEpoch = r.int16();
  const transactionTimeoutMs = r.int32();
  const state = STATE_BY_ID.get(r.int8());
  if (!state) return null;
  const partitions: TxnTopicPartition[] = [];
  const topicCount = flexible ? r.uvarint() - 1 : r.int32();
  for (let t = 0; t < topicCount; t++) {
    const topic = flexible ? r.compactString() : r.string();
    const idCount = flexible ? r.uvarint() - 1 : r.int32();
    for (let i = 0; i < idCount; i++) partitions.push({ topic, partition: r.int32() });
    if (flexible) skipTaggedFields(r);
  }
  const lastUpdateTimestamp = Number(r.int64());
  const startTimestamp = Number(r.int64());
  return { producerId, producerEpoch, transactionTimeoutMs, state, partitions, lastUpdateTimestamp, startTimestamp };
}
