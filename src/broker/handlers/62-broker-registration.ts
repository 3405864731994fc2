/**
 * BrokerRegistration (key 62), v0-4 (KIP-631): a broker registers with the active
 * controller at start-up (cluster id, incarnation id, listeners, features) and gets its
 * broker epoch. Served by the active controller only; other nodes answer NOT_CONTROLLER.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerRegistrationRequest, BrokerRegistrationResponse } from '../../protocol/generated/types.js';

export default defineHandler<BrokerRegistrationRequest, BrokerRegistrationResponse>({
  apiKey: 62,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, _ctx, services) {
    const controller = services.controller;
    if (controller === undefined || !controller.isActive()) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, brokerEpoch: -1n };
    }
    return controller.brokerRegistration(request);
  },
});
