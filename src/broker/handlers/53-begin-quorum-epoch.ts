/**
 * BeginQuorumEpoch (key 53), v0-1 (KIP-595): a newly elected leader announces its epoch
 * to the voters. Answered by the node's raft (services.quorum); not served without one.
 */
import { defineHandler } from '../handler.js';
import type { BeginQuorumEpochRequest, BeginQuorumEpochResponse } from '../../protocol/generated/types.js';
import { requireQuorum } from './quorum-apis.js';

export default defineHandler<BeginQuorumEpochRequest, BeginQuorumEpochResponse>({
  apiKey: 53,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx, services) {
    return requireQuorum(services, ctx).beginQuorumEpoch(request, ctx.apiVersion);
  },
});
