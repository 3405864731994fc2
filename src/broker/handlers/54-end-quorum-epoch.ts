/**
 * EndQuorumEpoch (key 54), v0-1 (KIP-595): a leader shutting down tells the voters, with
 * its preferred successors, so they elect without waiting out the fetch timeout.
 * Answered by the node's raft (services.quorum); not served without one.
 */
import { defineHandler } from '../handler.js';
import type { EndQuorumEpochRequest, EndQuorumEpochResponse } from '../../protocol/generated/types.js';
import { requireQuorum } from './quorum-apis.js';

export default defineHandler<EndQuorumEpochRequest, EndQuorumEpochResponse>({
  apiKey: 54,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx, services) {
    return requireQuorum(services, ctx).endQuorumEpoch(request, ctx.apiVersion);
  },
});
