/**
 * FindCoordinator (key 10), v0-6: the coordinator of a group (a transactional id) is
 * the leader of its partition of `__consumer_offsets` (`__transaction_state`), so a
 * single broker answers itself and a cluster names the partition's leader. Looking up
 * a coordinator creates the internal topic on first use, as Kafka does. v4+ batches
 * keys (coordinatorKeys, KIP-699); key type 0 = group, 1 = transaction.
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

/**
 * The coordinator of one key: the leader of the key's partition of `__consumer_offsets`
 * (groups) or `__transaction_state` (transactional ids), created first if missing (Kafka's
 * FindCoordinator does the same). COORDINATOR_NOT_AVAILABLE while that partition has no
 * leader or the leader is not a live broker (as Kafka's KafkaApis answers).
 */
async function coordinatorFor(keyType: number, key: string, services: BrokerServices, listenerName: string | undefined): Promise<CoordinatorAnswer> {
  if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION) {
    return failure(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}`);
  }
  const topic = keyType === KEY_TYPE_GROUP ? '__consumer_offsets' : '__transaction_state';
  try {
    if (keyType === KEY_TYPE_GROUP) {
      await services.metadata.ensureInternalTopic(topic);
      services.groups.ensureReady();
    } else {
      await services.transactions.ensureReady();
    }
  } catch (err) {
    services.log(`FindCoordinator: cannot create ${topic}: ${(err as Error).message}`);
    return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  }
  const partition = keyType === KEY_TYPE_GROUP ? services.groups.partitionFor(key) : services.transactions.partitionFor(key);
  const leader = services.metadata.topic(topic)?.partitions[partition]?.leader ?? -1;
  if (leader === services.config.brokerId) return { errorCode: ErrorCode.NONE, errorMessage: null, ...thisBroker(services, listenerName) };
  const broker = leader < 0 ? undefined : services.metadata.brokers(listenerName).find((b) => b.nodeId === leader);
  if (broker === undefined) return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: broker.nodeId, host: broker.host, port: broker.port };
}

export default defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx, services) {
    const keyType = ctx.apiVersion >= 1 ? request.keyType : KEY_TYPE_GROUP;
    const listenerName = ctx.session?.listener.name;
    if (ctx.apiVersion >= 4) {
      // KIP-699: one answer per key, each key's own partition leader
      const coordinators = [];
      for (const key of request.coordinatorKeys) coordinators.push({ key, ...(await coordinatorFor(keyType, key, services, listenerName)) });
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators };
    }
    const answer = await coordinatorFor(keyType, request.key, services, listenerName);
    // Fields outside the version's range are skipped by the encoder.
    return { throttleTimeMs: 0, ...answer, coordinators: [] };
  },
});
