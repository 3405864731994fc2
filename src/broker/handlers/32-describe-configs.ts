/**
 * DescribeConfigs (key 32), v0-4, for TOPIC (2) and BROKER (4) resources.
 * v0 reports isDefault; v1+ the config source and (when asked) synonyms; v3+ the
 * config type and (when asked) documentation. Unknown keys in
 * configurationKeys are skipped, as Kafka does.
 */
import { defineHandler } from '../handler.js';
import { errorResult } from '../services/metadata-service.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResult,
} from '../../protocol/generated/types.js';

export default defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx, services) {
    const includeSynonyms = ctx.apiVersion >= 1 && request.includeSynonyms;
    const includeDocumentation = ctx.apiVersion >= 3 && request.includeDocumentation;
    const results: DescribeConfigsResponseDescribeConfigsResult[] = request.resources.map((resource) => {
      try {
        const configs = services.metadata.describeConfigs(
          resource.resourceType,
          resource.resourceName,
          resource.configurationKeys,
        );
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          configs: configs.map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: c.isDefault,
            configSource: c.source,
            isSensitive: c.isSensitive,
            synonyms: includeSynonyms ? c.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })) : [],
            configType: c.configType,
            documentation: includeDocumentation ? c.documentation : null,
          })),
        };
      } catch (err) {
        const { errorCode, errorMessage } = errorResult(err, services.log, `DescribeConfigs ${resource.resourceName}`);
        return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] };
      }
    });
    return { throttleTimeMs: 0, results };
  },
});
