/**
 * CreatePartitions (key 37), v0-3: grows topics to the requested partition
 * count, optionally with explicit replica lists for the new partitions.
 */
import { defineHandler } from '../handler.js';
import { errorResult } from '../services/metadata-service.js';
import { duplicateNames } from './duplicate-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../../protocol/generated/types.js';

export default defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, _ctx, services) {
    // A name given twice grows by neither entry and is answered once, first, as Kafka's controller
    // does (CreatePartitions); librdkafka rejects a response that names a topic twice.
    const duplicates = duplicateNames(request.topics.map((t) => t.name));
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [...duplicates].map((name) => ({
      name,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Duplicate topic name.',
    }));
    for (const t of request.topics) {
      if (duplicates.has(t.name)) continue;
      try {
        await services.metadata.createPartitions(
          t.name,
          t.count,
          t.assignments?.map((a) => a.brokerIds) ?? null,
          request.validateOnly,
        );
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        const { errorCode, errorMessage } = errorResult(err, services.log, `CreatePartitions ${t.name}`);
        results.push({ name: t.name, errorCode, errorMessage });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
