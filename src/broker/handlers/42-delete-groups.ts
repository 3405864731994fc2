/** DeleteGroups (key 42), v0-2: deletes Empty groups and their offsets (NON_EMPTY_GROUP otherwise). */
import { defineHandler } from '../handler.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/generated/types.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  handle(request, _ctx, services) {
    return { throttleTimeMs: 0, results: services.groups.deleteGroups(request.groupsNames) };
  },
});
