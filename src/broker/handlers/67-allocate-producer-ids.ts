/**
 * AllocateProducerIds (key 67), v0 (KIP-730): a broker asks the active controller for
 * its next block of producer ids. Served by the active controller only; any other node
 * answers NOT_CONTROLLER so the broker's controller channel looks further. A controller
 * that loses leadership while deciding answers the error it failed with.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse } from '../../protocol/generated/types.js';

const failure = (errorCode: number): AllocateProducerIdsResponse => ({ throttleTimeMs: 0, errorCode, producerIdStart: -1n, producerIdLen: 0 });

export default defineHandler<AllocateProducerIdsRequest, AllocateProducerIdsResponse>({
  apiKey: 67,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, _ctx, services) {
    const controller = services.controller;
    if (controller === undefined || !controller.isActive()) return failure(ErrorCode.NOT_CONTROLLER);
    try {
      return await controller.allocateProducerIds(request);
    } catch (err) {
      if (err instanceof KafkaError) return failure(err.code);
      throw err;
    }
  },
});
