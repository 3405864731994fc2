/**
 * What request handlers may use. Each service is an interface declared in the
 * broker layer and implemented by a later layer (cluster/, coordinator/) or by
 * the broker itself; the composition root (src/index.ts startBroker) wires them.
 */
import type { BrokerConfig } from '../config.js';
import type { FetchSessionCache } from '../fetch-sessions.js';
import type { MetadataService } from './metadata-service.js';
import type { GroupService, ProducerIdService } from './group-service.js';
import type { PartitionDataService } from './partition-data-service.js';
import type { TransactionService } from './transaction-service.js';
import type { QuorumService } from './quorum-service.js';
import type { SecurityStore } from './security-service.js';
import type { Authorizer } from '../security/authorizer.js';
import type { ControllerService } from './controller-service.js';

export type { MetadataService } from './metadata-service.js';
export type { GroupService, ProducerIdService } from './group-service.js';
export type { PartitionDataService } from './partition-data-service.js';
export type { TransactionService } from './transaction-service.js';
export type { QuorumService } from './quorum-service.js';
export type { SecurityStore } from './security-service.js';
export type { ControllerService } from './controller-service.js';

export interface BrokerServices {
  config: BrokerConfig;
  metadata: MetadataService;
  groups: GroupService;
  producerIds: ProducerIdService;
  transactions: TransactionService;
  data: PartitionDataService;
  /** this broker's incremental fetch sessions (KIP-227); one cache per broker, created at startup */
  fetchSessions: FetchSessionCache;
  /** ranges advertised by ApiVersions, derived from the handler registry */
  apiVersions: { apiKey: number; minVersion: number; maxVersion: number }[];
  log: (line: string) => void;
  /** the KRaft quorum of __cluster_metadata on this node (Vote, BeginQuorumEpoch, EndQuorumEpoch, DescribeQuorum, FetchSnapshot, metadata Fetch); absent: those APIs are not served */
  quorum?: QuorumService;
  /** the KRaft controller on this node (AlterPartition, BrokerRegistration, BrokerHeartbeat); absent on broker-only nodes */
  controller?: ControllerService;
  /** SCRAM credentials and ACLs in the cluster metadata; absent in tests that do not need them */
  security?: SecurityStore;
  /** authorizer.class.name set: every request is checked against the ACLs (null/absent: everything is allowed, as in Kafka) */
  authorizer?: Authorizer | null;
}
