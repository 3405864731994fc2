/**
 * Produce (key 0). Served v3-11 (magic-2 batches only); advertised from v0 because
 * librdkafka turns compression off unless the advertised range includes v0
 * (VERSIONS.md rule 1). acks=0 gets no response at all. zstd batches need v7+.
 * A legacy (magic 0/1) message set is INVALID_RECORD, checked on the first entry's
 * magic byte (offset 16 in both formats) as Kafka's ProduceRequest.validateRecords does.
 */
import { defineHandler, NO_RESPONSE, type NoResponse } from '../handler.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/generated/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { AppendEntry, AppendOutcome } from '../services/partition-data-service.js';

const MAGIC_OFFSET = 16;
const RECORD_BATCH_MAGIC = 2;
/** Kafka's Topic.isInternal topics: only their coordinators (and the admin client id) may append. */
const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);
/** the client id Kafka lets append to internal topics (ReplicaManager internalTopicsAllowed) */
const ADMIN_CLIENT_ID = '__admin_client';

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

export default defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  minVersion: 3,
  maxVersion: 11,
  advertisedMinVersion: 0,
  handle(request, ctx, services) {
    // Every partition is appended before the response waits (acks=all); the connection
    // keeps answering in request order meanwhile (connection.ts), as Kafka's muting does.
    const entries: AppendEntry[] = [];
    /** the response of each entry, filled in once its outcome is known */
    const slots: PartitionResponse[] = [];
    const responses = request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p): PartitionResponse => {
        if (INTERNAL_TOPICS.has(topic.name) && ctx.clientId !== ADMIN_CLIENT_ID) {
          return partitionResponse(p.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic.name}`);
        }
        if (p.records && p.records.length > MAGIC_OFFSET && p.records[MAGIC_OFFSET] !== RECORD_BATCH_MAGIC) {
          return partitionResponse(
            p.index,
            ErrorCode.INVALID_RECORD,
            `Produce requests with version ${ctx.apiVersion} are only allowed to contain record batches with magic version 2`,
          );
        }
        entries.push({ topic: topic.name, partition: p.index, records: p.records });
        const response = partitionResponse(p.index, ErrorCode.NONE, null);
        slots.push(response);
        return response;
      }),
    }));
    const appended = services.data.appendRecords(entries, {
      requiredAcks: request.acks,
      allowZstd: ctx.apiVersion >= 7,
      timeoutMs: request.timeoutMs,
    });
    const respond = (outcomes: AppendOutcome[]): ProduceResponse | NoResponse => {
      if (request.acks === 0) return NO_RESPONSE;
      fillResponses(slots, outcomes);
      return { responses, throttleTimeMs: 0 } as unknown as ProduceResponse;
    };
    // acks=all waiting for followers answers later; anything else in this turn
    return appended instanceof Promise ? appended.then(respond) : respond(appended);
  },
});

function fillResponses(slots: PartitionResponse[], outcomes: AppendOutcome[]): void {
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i]!;
    const response = slots[i]!;
    response.errorCode = outcome.errorCode;
    response.baseOffset = BigInt(outcome.baseOffset);
    response.logAppendTimeMs = BigInt(outcome.logAppendTime);
    response.logStartOffset = BigInt(outcome.logStartOffset);
    response.recordErrors = (outcome.recordErrors ?? []).map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message }));
    response.errorMessage = outcome.errorMessage;
  }
}

function partitionResponse(index: number, errorCode: number, errorMessage: string | null): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
  } as unknown as PartitionResponse;
}
