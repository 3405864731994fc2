/**
 * DescribeCluster (key 60), v0-1: cluster id, controller and brokers. v1 adds the
 * endpoint type; only brokers (1) are described, controllers (2) are refused.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/generated/types.js';

const ENDPOINT_TYPE_BROKER = 1;
const OPERATIONS_NOT_REQUESTED = -2147483648;
/** no authorizer: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE */
const ALL_CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

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
      brokers: metadata.brokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    };
  },
});
