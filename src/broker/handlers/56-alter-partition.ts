/**
 * AlterPartition (key 56), v0-3 (KIP-497, KIP-841): a partition leader asks the active
 * controller to change the partition's ISR. Served by the controller only; any other
 * node answers NOT_CONTROLLER so the leader retries at the active controller. v0-1 name
 * topics, v2+ identify them by topic id; v3 sends broker epochs with the ISR.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { AlterPartitionRequest, AlterPartitionResponse } from '../../protocol/generated/types.js';

export default defineHandler<AlterPartitionRequest, AlterPartitionResponse>({
  apiKey: 56,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx, services) {
    const controller = services.controller;
    if (controller === undefined || !controller.isActive()) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] };
    }
    return controller.alterPartition(request, ctx.apiVersion);
  },
});
