/**
 * CreatePartitions (key 37), v0-3: grows topics to the requested partition
 * count, optionally with explicit replica lists for the new partitions.
 */
import { defineHandler } from '../handler.js';
import { errorResult } from '../services/metadata-service.js';
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
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
    for (const t of request.topics) {
      if ((counts.get(t.name) ?? 0) > 1) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' });
        continue;
      }
      try {
        await services.metadata.createPartitions(
          t.name,
          t.count,
          t.assignments?.map((a) => a.brokerIds) ?? null,
          request.validateOnly,
        );
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        const { errorCode, errorMessage } = errorResult(err);
        if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) services.log(`CreatePartitions ${t.name} failed: ${errorMessage}`);
        results.push({ name: t.name, errorCode, errorMessage });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
