/**
 * Vote (key 52), v0-1 (KIP-595): a candidate asks for this node's vote in its epoch.
 * Answered by the node's raft (services.quorum); a node running no quorum does not
 * serve it (as a Kafka broker listener, where it is not enabled): the connection is closed.
 */
import { defineHandler } from '../handler.js';
import type { VoteRequest, VoteResponse } from '../../protocol/generated/types.js';
import { requireQuorum } from './quorum-apis.js';

export default defineHandler<VoteRequest, VoteResponse>({
  apiKey: 52,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx, services) {
    return requireQuorum(services, ctx).vote(request, ctx.apiVersion);
  },
});
