/**
 * AlterConfigs (key 33), v0-2: replaces a topic's whole set of config overrides
 * (keys left out return to their defaults). Broker resources are refused:
 * dynamic broker configs are not supported.
 */
import { defineHandler } from '../handler.js';
import { errorResult } from '../services/metadata-service.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  AlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/generated/types.js';

export default defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, _ctx, services) {
    const responses: AlterConfigsResponseAlterConfigsResourceResponse[] = [];
    for (const resource of request.resources) {
      const configs: Record<string, string | null> = {};
      for (const c of resource.configs) configs[c.name] = c.value;
      try {
        await services.metadata.replaceConfigs(resource.resourceType, resource.resourceName, configs, request.validateOnly);
        responses.push({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: resource.resourceType, resourceName: resource.resourceName });
      } catch (err) {
        const { errorCode, errorMessage } = errorResult(err, services.log, `AlterConfigs ${resource.resourceName}`);
        responses.push({ errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
