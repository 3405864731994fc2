/**
 * DescribeCluster (key 60), v0-1: cluster id, controller and brokers. v1 adds the
 * endpoint type; only brokers (1) are described, controllers (2) are refused.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/generated/types.js';
import { OPERATIONS_NOT_REQUESTED, ALL_CLUSTER_OPERATIONS } from '../authorized-operations.js';

const ENDPOINT_TYPE_BROKER = 1;

export default defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx, services) {
    const metadata = services.metadata;
    const endpointType = ctx.apiVersion >= 1 ? request.endpointType : ENDPOINT_TYPE_BROKER;
    const base = {
      throttleTimeMs: 0,
      endpointType,
      clusterId: metadata.clusterId,
      controllerId: metadata.controllerId,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPERATIONS : OPERATIONS_NOT_REQUESTED,
    };
    if (endpointType !== ENDPOINT_TYPE_BROKER) {
      return {
        ...base,
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
        brokers: [],
      };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: metadata.brokers(ctx.session?.listener.name).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    };
  },
});
