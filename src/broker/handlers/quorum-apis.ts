/**
 * Shared by the raft API handlers (52-55, 59): Vote, BeginQuorumEpoch, EndQuorumEpoch and
 * FetchSnapshot are served only by a voter of the metadata quorum, DescribeQuorum by any
 * node running one. Elsewhere Kafka does not enable them on the listener — they are
 * missing from ApiVersions and a request for one closes the connection — and so do we.
 */
import { apiName } from '../../protocol/generated/api-keys.js';
import { CloseConnection } from '../connection.js';
import type { RequestContext } from '../handler.js';
import type { BrokerServices, QuorumService } from '../services/index.js';
import { quorumApiAdvertised } from '../services/quorum-service.js';

export function requireQuorum(services: BrokerServices, ctx: RequestContext): QuorumService {
  const quorum = services.quorum;
  if (quorum === undefined || !quorumApiAdvertised(ctx.apiKey, quorum, ctx.session?.listener.name)) {
    const why =
      quorum === undefined
        ? 'it runs no metadata quorum'
        : quorum.controllerApis
          ? `listener ${ctx.session?.listener.name ?? '?'} is not one of controller.listener.names`
          : 'it is not a voter of the metadata quorum';
    throw new CloseConnection(`${apiName(ctx.apiKey)} is not enabled on this node: ${why}`);
  }
  return quorum;
}
