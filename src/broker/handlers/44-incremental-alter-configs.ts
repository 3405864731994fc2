/**
 * IncrementalAlterConfigs (key 44), v0-1: SET (0), DELETE (1), APPEND (2) and
 * SUBTRACT (3) on individual topic config keys; APPEND/SUBTRACT only for LIST
 * keys such as cleanup.policy. `kafka-configs --alter` uses this for topics.
 */
import { defineHandler } from '../handler.js';
import { errorResult, type AlterConfigOpType } from '../services/metadata-service.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/generated/types.js';

const OPERATIONS: readonly AlterConfigOpType[] = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

export default defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _ctx, services) {
    const responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[] = [];
    for (const resource of request.resources) {
      const result = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      const badOp = resource.configs.find((c) => OPERATIONS[c.configOperation] === undefined);
      if (badOp) {
        responses.push({ ...result, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown operation type ${badOp.configOperation} for ${badOp.name}` });
        continue;
      }
      try {
        await services.metadata.incrementalAlterConfigs(
          resource.resourceType,
          resource.resourceName,
          resource.configs.map((c) => ({ name: c.name, op: OPERATIONS[c.configOperation]!, value: c.value })),
          request.validateOnly,
        );
        responses.push({ ...result, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        const { errorCode, errorMessage } = errorResult(err, services.log, `IncrementalAlterConfigs ${resource.resourceName}`);
        responses.push({ ...result, errorCode, errorMessage });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
