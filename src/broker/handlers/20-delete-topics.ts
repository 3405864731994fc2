/**
 * DeleteTopics (key 20), v1-6. Topics are named in `topicNames` up to v5 and in
 * `topics` (name or topic id) from v6. Each topic fails or succeeds on its own:
 * UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID when absent,
 * TOPIC_DELETION_DISABLED when delete.topic.enable=false.
 */
import { defineHandler } from '../handler.js';
import { errorResult } from '../services/metadata-service.js';
import { duplicateNames } from './duplicate-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DeleteTopicsResponseDeletableTopicResult,
} from '../../protocol/generated/types.js';
import { ZERO_UUID } from '../../protocol/primitives.js';

export default defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  minVersion: 1,
  maxVersion: 6,
  async handle(request, ctx, services) {
    const wanted: Array<{ name: string | null; topicId: string }> =
      ctx.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    // A name (or id) given twice deletes nothing and is answered once with INVALID_REQUEST, as
    // Kafka's controller does (DeleteTopics); librdkafka rejects a response naming a topic twice.
    const duplicateTopicNames = duplicateNames(wanted.flatMap((w) => (w.name ? [w.name] : [])));
    const duplicateTopicIds = duplicateNames(wanted.flatMap((w) => (!w.name && w.topicId !== ZERO_UUID ? [w.topicId] : [])));
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    for (const name of duplicateTopicNames) {
      responses.push({ name, topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
    }
    for (const topicId of duplicateTopicIds) {
      responses.push({ name: null, topicId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic id.' });
    }
    for (const w of wanted) {
      if (w.name ? duplicateTopicNames.has(w.name) : duplicateTopicIds.has(w.topicId)) continue;
      let name = w.name;
      if ((name === null || name === '') && w.topicId !== ZERO_UUID) {
        const byId = services.metadata.topicById(w.topicId);
        if (!byId) {
          responses.push({ name: null, topicId: w.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' });
          continue;
        }
        name = byId.name;
      }
      if (name === null) {
        responses.push({ name: null, topicId: w.topicId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Neither topic name nor id were specified.' });
        continue;
      }
      try {
        const deleted = await services.metadata.deleteTopic(name);
        responses.push({ name, topicId: deleted.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        const { errorCode, errorMessage } = errorResult(err, services.log, `DeleteTopics ${name}`);
        responses.push({ name, topicId: w.topicId, errorCode, errorMessage });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
