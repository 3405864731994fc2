/**
 * FindCoordinator (key 10), v0-6: a single broker coordinates every group and
 * transactional id, so the answer is always this broker. Looking up a group
 * coordinator creates `__consumer_offsets` (a transaction coordinator `__transaction_state`)
 * on first use, as Kafka does. v4+ batches
 * keys (coordinatorKeys); key type 0 = group, 1 = transaction.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/generated/types.js';
import type { BrokerServices } from '../services/index.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

interface CoordinatorAnswer {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

function thisBroker(services: BrokerServices, listenerName: string | undefined): { nodeId: number; host: string; port: number } {
  const nodeId = services.config.brokerId;
  // Same endpoint Metadata advertises for this broker, so clients connect to one address.
  const registered = services.metadata.brokers(listenerName).find((b) => b.nodeId === nodeId);
  if (registered) return { nodeId, host: registered.host, port: registered.port };
  const listener = services.config.advertisedListeners[0];
  return { nodeId, host: listener?.host ?? 'localhost', port: listener?.port ?? 9092 };
}

function failure(errorCode: number, errorMessage: string): CoordinatorAnswer {
  return { errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

async function prepare(keyType: number, services: BrokerServices, listenerName: string | undefined): Promise<CoordinatorAnswer> {
  if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION) {
    return failure(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}`);
  }
  if (keyType === KEY_TYPE_GROUP) {
    try {
      await services.metadata.ensureInternalTopic('__consumer_offsets');
      services.groups.ensureReady();
    } catch (err) {
      services.log(`FindCoordinator: cannot create __consumer_offsets: ${(err as Error).message}`);
      return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
    }
  } else {
    try {
      await services.transactions.ensureReady();
    } catch (err) {
      services.log(`FindCoordinator: cannot create __transaction_state: ${(err as Error).message}`);
      return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
    }
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, ...thisBroker(services, listenerName) };
}

export default defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx, services) {
    const keyType = ctx.apiVersion >= 1 ? request.keyType : KEY_TYPE_GROUP;
    const answer = await prepare(keyType, services, ctx.session?.listener.name);
    // Fields outside the version's range are skipped by the encoder.
    return {
      throttleTimeMs: 0,
      ...answer,
      coordinators: ctx.apiVersion >= 4 ? request.coordinatorKeys.map((key) => ({ key, ...answer })) : [],
    };
  },
});
