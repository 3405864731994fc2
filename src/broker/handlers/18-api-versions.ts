/**
 * ApiVersions (key 18), v0-4. The ranges come from the handler registry. The
 * response always travels with response header v0 (handled in protocol/frame),
 * and an unsupported request version is answered by the server in v0 layout.
 */
import { defineHandler } from '../handler.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/generated/types.js';
import { quorumApiAdvertised } from '../services/quorum-service.js';

export default defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 4,
  handle(_request, ctx, services) {
    return {
      errorCode: 0,
      // the raft APIs only where a metadata quorum runs (Kafka enables them on controller listeners only)
      apiKeys: services.apiVersions
        .filter((a) => quorumApiAdvertised(a.apiKey, services.quorum, ctx.session?.listener.name))
        .map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })),
      throttleTimeMs: 0,
    } as ApiVersionsResponse;
  },
});
