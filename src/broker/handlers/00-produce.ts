/**
 * Produce (key 0). Served v3-11 (magic-2 batches only); advertised from v0 because
 * librdkafka turns compression off unless the advertised range includes v0
 * (VERSIONS.md rule 1). acks=0 gets no response at all. zstd batches need v7+.
 * A legacy (magic 0/1) message set is INVALID_RECORD, checked on the first entry's
 * magic byte (offset 16 in both formats) as Kafka's ProduceRequest.validateRecords does.
 */
import { defineHandler, NO_RESPONSE } from '../handler.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/generated/types.js';
import { ErrorCode } from '../../protocol/errors.js';

const MAGIC_OFFSET = 16;
const RECORD_BATCH_MAGIC = 2;

export default defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  minVersion: 3,
  maxVersion: 11,
  advertisedMinVersion: 0,
  handle(request, ctx, services) {
    const responses = request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p) => {
        if (p.records && p.records.length > MAGIC_OFFSET && p.records[MAGIC_OFFSET] !== RECORD_BATCH_MAGIC) {
          return {
            index: p.index,
            errorCode: ErrorCode.INVALID_RECORD,
            baseOffset: -1n,
            logAppendTimeMs: -1n,
            logStartOffset: -1n,
            recordErrors: [],
            errorMessage: `Produce requests with version ${ctx.apiVersion} are only allowed to contain record batches with magic version 2`,
          };
        }
        const outcome = services.data.appendRecords(topic.name, p.index, p.records, {
          requiredAcks: request.acks,
          allowZstd: ctx.apiVersion >= 7,
        });
        return {
          index: p.index,
          errorCode: outcome.errorCode,
          baseOffset: BigInt(outcome.baseOffset),
          logAppendTimeMs: BigInt(outcome.logAppendTime),
          logStartOffset: BigInt(outcome.logStartOffset),
          recordErrors: (outcome.recordErrors ?? []).map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })),
          errorMessage: outcome.errorMessage,
        };
      }),
    }));
    if (request.acks === 0) return NO_RESPONSE;
    return { responses, throttleTimeMs: 0 } as unknown as ProduceResponse;
  },
});
