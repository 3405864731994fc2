/**
 * Fetch (key 1), v4-12 (v13+ address topics by id only; a later step). Long poll:
 * when fewer than MinBytes are available the request waits for an append to one
 * of its partitions or for MaxWaitMs. Empty partitions carry a zero-length
 * records field, never null (librdkafka treats null as a protocol error).
 * Fetch sessions (KIP-227, v7+) are not created yet: answering SessionId 0 tells
 * clients to keep sending full fetches.
 */
import { defineHandler } from '../handler.js';
import type { FetchRequest, FetchResponse } from '../../protocol/generated/types.js';
import type { BrokerServices } from '../services/index.js';

type Partition = { topic: string; partition: number; fetchOffset: number; partitionMaxBytes: number };

function readAll(request: FetchRequest, partitions: Partition[], services: BrokerServices, version: number) {
  const isolation = request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
  let remaining = version >= 3 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
  let bytes = 0;
  const results = partitions.map((p) => {
    const maxBytes = Math.max(0, Math.min(p.partitionMaxBytes, remaining));
    const outcome = services.data.readRecords(p.topic, p.partition, p.fetchOffset, maxBytes, {
      isolation,
      // KIP-74: the first partition with data returns at least one whole batch
      minOneMessage: bytes === 0,
      allowZstd: version >= 10,
    });
    bytes += outcome.records.length;
    remaining -= outcome.records.length;
    return { p, outcome };
  });
  return { results, bytes, isolation };
}

export default defineHandler<FetchRequest, FetchResponse>({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 12,
  async handle(request, ctx, services) {
    const partitions: Partition[] = [];
    for (const t of request.topics) {
      for (const p of t.partitions) {
        partitions.push({
          topic: t.topic,
          partition: p.partition,
          fetchOffset: Number(p.fetchOffset),
          partitionMaxBytes: p.partitionMaxBytes,
        });
      }
    }
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    let read = readAll(request, partitions, services, ctx.apiVersion);
    while (
      read.bytes < request.minBytes &&
      read.results.every((r) => r.outcome.errorCode === 0) &&
      partitions.length > 0 &&
      Date.now() < deadline
    ) {
      await services.data.waitForData(partitions, deadline - Date.now());
      read = readAll(request, partitions, services, ctx.apiVersion);
    }
    const byTopic = new Map<string, FetchResponse['responses'][number]>();
    const responses: FetchResponse['responses'] = [];
    for (const { p, outcome } of read.results) {
      let topic = byTopic.get(p.topic);
      if (!topic) {
        topic = { topic: p.topic, partitions: [] } as unknown as FetchResponse['responses'][number];
        byTopic.set(p.topic, topic);
        responses.push(topic);
      }
      topic.partitions.push({
        partitionIndex: p.partition,
        errorCode: outcome.errorCode,
        highWatermark: BigInt(outcome.highWatermark),
        lastStableOffset: BigInt(outcome.lastStableOffset),
        logStartOffset: BigInt(outcome.logStartOffset),
        // read_committed: an (empty) aborted-transaction list; read_uncommitted: null
        abortedTransactions:
          read.isolation === 'read_committed'
            ? (outcome.abortedTransactions ?? []).map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) }))
            : null,
        preferredReadReplica: -1,
        records: outcome.records,
      } as unknown as FetchResponse['responses'][number]['partitions'][number]);
    }
    return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses } as unknown as FetchResponse;
  },
});
