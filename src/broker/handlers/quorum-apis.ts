/**
 * Shared by the raft API handlers (52-55, 59): they are served only by a node that runs
 * the metadata quorum. Elsewhere Kafka does not enable them on the listener — they are
 * missing from ApiVersions and a request for one closes the connection — and so do we.
 */
import { apiName } from '../../protocol/generated/api-keys.js';
import { CloseConnection } from '../connection.js';
import type { RequestContext } from '../handler.js';
import type { BrokerServices, QuorumService } from '../services/index.js';

export function requireQuorum(services: BrokerServices, ctx: RequestContext): QuorumService {
  if (services.quorum === undefined) {
    throw new CloseConnection(`${apiName(ctx.apiKey)} is not enabled on this node: it runs no metadata quorum`);
  }
  return services.quorum;
}
