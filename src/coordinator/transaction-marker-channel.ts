/**
 * Sends a transaction's COMMIT/ABORT markers to the leader of each of its partitions
 * (Kafka's TransactionMarkerChannelManager) and counts one as written once the partition's
 * ISR has it (acks=-1): partitions this broker leads are written in-process, the others are grouped by leader broker into one WriteTxnMarkers (27)
 * request each. Partitions whose leader is unknown, moved (NOT_LEADER_OR_FOLLOWER) or
 * briefly unable to take the write (NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, a lost
 * connection …) are retried after a backoff against the leader the metadata names then,
 * until every marker is written; a partition whose topic was deleted is dropped. It stops
 * (resolving false) when the coordinator no longer wants the markers (it resigned the
 * transaction's `__transaction_state` partition, or shut down) or a leader answers that
 * the producer epoch or coordinator is fenced — another coordinator completes it then.
 */
import { ErrorCode, errorName } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../protocol/generated/types.js';
import { NetworkClient, NetworkError } from '../network/index.js';
import type { TransactionMarkerWriter, TxnTopicPartition } from '../broker/services/transaction-service.js';

/** Where a partition's marker goes: a broker (this one included), nowhere yet, or nowhere ever (topic gone). */
export type MarkerDestination = { nodeId: number; host: string; port: number } | 'unknown' | 'gone';

export interface TransactionMarkerChannelOptions {
  brokerId: number;
  /** the partition's current leader from this broker's metadata */
  leaderOf(topic: string, partition: number): MarkerDestination;
  /** writes a marker to a partition this broker leads (plus the group coordinator's bookkeeping); resolves once the ISR has it */
  writeLocal: (marker: Parameters<TransactionMarkerWriter>[0]) => number | Promise<number>;
  /** retry.backoff.ms between rounds (Kafka's channel retries with the broker's backoff) */
  retryBackoffMs?: number;
  /** request.timeout.ms of one WriteTxnMarkers */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface TransactionMarkers {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  partitions: readonly TxnTopicPartition[];
}

/** Errors after which the same marker is sent again (to the leader of the moment). */
const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
]);
/** The coordinator is stale: leave the transaction to the new one (Kafka aborts sending). */
const FENCED = new Set<number>([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED, ErrorCode.TRANSACTION_COORDINATOR_FENCED]);
/** Markers the partition cannot hold are dropped, as Kafka does. */
const DROPPED = new Set<number>([ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, ErrorCode.UNSUPPORTED_VERSION]);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
const key = (tp: TxnTopicPartition): string => `${tp.topic}-${tp.partition}`;

export class TransactionMarkerChannelManager {
  private readonly client: NetworkClient;
  private readonly retryBackoffMs: number;
  private readonly logLine: (line: string) => void;
  private closed = false;

  constructor(private readonly options: TransactionMarkerChannelOptions) {
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.logLine = options.log ?? (() => {});
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.client = new NetworkClient({
      clientId: `broker-${options.brokerId}-txn-marker-sender`,
      connectTimeoutMs: Math.min(requestTimeoutMs, 5_000),
      requestTimeoutMs,
      reconnectBackoffMs: 50,
      reconnectBackoffMaxMs: 1_000,
    });
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }

  /**
   * Writes every marker of the transaction; resolves true once all are written (or their
   * topic is gone), false when it gave up (`stillWanted()` turned false, closed, fenced).
   */
  async writeMarkers(txn: TransactionMarkers, stillWanted: () => boolean): Promise<boolean> {
    let remaining = [...txn.partitions];
    const what = `${txn.commit ? 'COMMIT' : 'ABORT'} markers of ${txn.transactionalId} (producer ${txn.producerId}, epoch ${txn.producerEpoch})`;
    for (let round = 0; remaining.length > 0; round++) {
      if (round > 0) await sleep(this.retryBackoffMs);
      if (this.closed || !stillWanted()) return false;
      const retry: TxnTopicPartition[] = [];
      const remote = new Map<number, { host: string; port: number; partitions: TxnTopicPartition[] }>();
      let fenced = false;
      const local: Promise<void>[] = [];
      const outcome = (tp: TxnTopicPartition, errorCode: number): void => {
        if (errorCode === ErrorCode.NONE || DROPPED.has(errorCode)) return;
        if (FENCED.has(errorCode)) {
          fenced = true;
          this.logLine(`WARN [TransactionMarkerChannelManager] ${key(tp)} refused the ${what}: ${errorName(errorCode)}; leaving the transaction to the current coordinator`);
          return;
        }
        if (!RETRIABLE.has(errorCode) && round % 50 === 0) {
          this.logLine(`WARN [TransactionMarkerChannelManager] ${key(tp)} answered ${errorName(errorCode)} to the ${what}; retrying`);
        }
        retry.push(tp);
      };
      for (const tp of remaining) {
        const leader = this.options.leaderOf(tp.topic, tp.partition);
        if (leader === 'gone') {
          this.logLine(`[TransactionMarkerChannelManager] ${key(tp)} no longer exists: dropping its part of the ${what}`);
          continue;
        }
        if (leader === 'unknown') {
          retry.push(tp);
          continue;
        }
        if (leader.nodeId === this.options.brokerId) {
          const marker = { ...tp, producerId: txn.producerId, producerEpoch: txn.producerEpoch, commit: txn.commit, coordinatorEpoch: txn.coordinatorEpoch };
          local.push(Promise.resolve(this.options.writeLocal(marker)).then((code) => outcome(tp, code), () => outcome(tp, ErrorCode.UNKNOWN_SERVER_ERROR)));
          continue;
        }
        const group = remote.get(leader.nodeId) ?? { host: leader.host, port: leader.port, partitions: [] };
        group.partitions.push(tp);
        remote.set(leader.nodeId, group);
      }
      await Promise.all([
        ...local,
        ...[...remote].map(async ([nodeId, group]) => {
          const answers = await this.send(nodeId, group, txn);
          for (const tp of group.partitions) outcome(tp, answers?.get(key(tp)) ?? ErrorCode.NETWORK_EXCEPTION);
        }),
      ]);
      if (fenced) return false;
      remaining = retry;
    }
    return true;
  }

  /** One WriteTxnMarkers to a leader; per partition error codes, or null when the request failed. */
  private async send(
    nodeId: number,
    group: { host: string; port: number; partitions: TxnTopicPartition[] },
    txn: TransactionMarkers,
  ): Promise<Map<string, number> | null> {
    const byTopic = new Map<string, number[]>();
    for (const tp of group.partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const request: WriteTxnMarkersRequest = {
      markers: [
        {
          producerId: BigInt(txn.producerId),
          producerEpoch: txn.producerEpoch,
          transactionResult: txn.commit,
          topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          coordinatorEpoch: txn.coordinatorEpoch,
        },
      ],
    };
    try {
      const { response } = await this.client.send<WriteTxnMarkersResponse>({ host: group.host, port: group.port, nodeId }, ApiKey.WriteTxnMarkers, request, {
        minVersion: 0,
        maxVersion: 1,
      });
      const out = new Map<string, number>();
      for (const marker of response.markers) {
        for (const topic of marker.topics) for (const p of topic.partitions) out.set(`${topic.name}-${p.partitionIndex}`, p.errorCode);
      }
      return out;
    } catch (err) {
      if (!(err instanceof NetworkError)) this.logLine(`WARN [TransactionMarkerChannelManager] WriteTxnMarkers to broker ${nodeId} failed: ${(err as Error).message}`);
      return null;
    }
  }
}
