/**
 * BrokerHeartbeat (key 63), v0-1 (KIP-631): a registered broker's periodic heartbeat
 * (broker.heartbeat.interval.ms) with its metadata offset; the answer says whether it is
 * caught up, fenced, and (after WantShutDown) whether it may shut down. Served by the
 * active controller only; other nodes answer NOT_CONTROLLER.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerHeartbeatRequest, BrokerHeartbeatResponse } from '../../protocol/generated/types.js';

export default defineHandler<BrokerHeartbeatRequest, BrokerHeartbeatResponse>({
  apiKey: 63,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _ctx, services) {
    const controller = services.controller;
    if (controller === undefined || !controller.isActive()) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    }
    return controller.brokerHeartbeat(request);
  },
});
