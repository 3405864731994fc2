/**
 * What the controller-listener handlers (AlterPartition 56, BrokerRegistration 62,
 * BrokerHeartbeat 63, AllocateProducerIds 67) need: the active controller of the KRaft quorum. Declared here
 * (broker layer) and implemented by the cluster layer's QuorumController, so the
 * handlers never import cluster/. A node that is not a controller has none, and the
 * handlers answer NOT_CONTROLLER so the sender looks for the active one (Kafka's
 * brokers and controllers behave the same way).
 */
import type {
  AllocateProducerIdsRequest,
  AllocateProducerIdsResponse,
  AlterPartitionRequest,
  AlterPartitionResponse,
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
} from '../../protocol/generated/types.js';

export interface ControllerService {
  /** true while this node is the active controller (the quorum leader) */
  isActive(): boolean;
  brokerRegistration(request: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse>;
  brokerHeartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse>;
  /** `version` says whether topics are named (v0-1) or identified by topic id (v2+) */
  alterPartition(request: AlterPartitionRequest, version: number): Promise<AlterPartitionResponse>;
  /** AllocateProducerIds (67, KIP-730): the next block of producer ids for a registered broker */
  allocateProducerIds(request: AllocateProducerIdsRequest): Promise<AllocateProducerIdsResponse>;
}
