/**
 * DescribeQuorum (key 55), v0-2 (KIP-595, KIP-836 timestamps, KIP-853 nodes): the
 * metadata quorum's leader, epoch, high watermark and every voter's and observer's log
 * end offset, as `kafka-metadata-quorum describe` prints them. The leader answers; a
 * voter that is not the leader says NOT_LEADER_OR_FOLLOWER; a broker (observer) asks
 * the leader for it.
 */
import { defineHandler } from '../handler.js';
import type { DescribeQuorumRequest, DescribeQuorumResponse } from '../../protocol/generated/types.js';
import { requireQuorum } from './quorum-apis.js';

export default defineHandler<DescribeQuorumRequest, DescribeQuorumResponse>({
  apiKey: 55,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx, services) {
    const quorum = requireQuorum(services, ctx);
    const listener = ctx.session?.listener.name;
    const names = quorum.controllerListenerNames;
    const viaBrokerListener = listener !== undefined && names !== undefined && names.length > 0 && !names.includes(listener);
    return quorum.describeQuorum(request, ctx.apiVersion, viaBrokerListener);
  },
});
