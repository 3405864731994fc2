/**
 * FetchSnapshot (key 59), v0-1 (KIP-630): a follower behind the leader's log start reads
 * the leader's newest metadata snapshot in chunks. Answered by the node's raft
 * (services.quorum); not served without one.
 */
import { defineHandler } from '../handler.js';
import type { FetchSnapshotRequest, FetchSnapshotResponse } from '../../protocol/generated/types.js';
import { requireQuorum } from './quorum-apis.js';

export default defineHandler<FetchSnapshotRequest, FetchSnapshotResponse>({
  apiKey: 59,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx, services) {
    return requireQuorum(services, ctx).fetchSnapshot(request, ctx.apiVersion);
  },
});
