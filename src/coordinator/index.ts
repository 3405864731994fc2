/** The coordinator layer: consumer groups, transactions and producer-id allocation. */
export { GroupCoordinator, groupCoordinatorConfig } from './group-coordinator.js';
export type { GroupCoordinatorConfig, GroupCoordinatorOptions } from './group-coordinator.js';
export type { OffsetsLog } from './offsets-log.js';
export { InternalTopicLog } from './internal-topic-log.js';
export type { CoordinatorAppender, InternalTopicLogOptions } from './internal-topic-log.js';
export { ManualScheduler, systemScheduler } from './clock.js';
export type { Scheduler, TimerHandle } from './clock.js';
export { offsetsPartitionFor, javaStringHashCode } from './group-records.js';
export {
  ProducerIdManager,
  PRODUCER_ID_BLOCK_SIZE,
  PRODUCER_ID_BLOCK_FILE,
  readLegacyProducerIdBlockEnd,
  retireLegacyProducerIdBlockFile,
} from './producer-id-manager.js';
export type { ProducerIdBlock, ProducerIdManagerOptions } from './producer-id-manager.js';
export {
  TransactionCoordinator,
  transactionCoordinatorConfig,
  TRANSACTION_STATE_TOPIC,
} from './transaction-coordinator.js';
export type { TransactionCoordinatorConfig, TransactionCoordinatorOptions } from './transaction-coordinator.js';
export { TransactionMarkerChannelManager } from './transaction-marker-channel.js';
export type { MarkerDestination, TransactionMarkerChannelOptions, TransactionMarkers } from './transaction-marker-channel.js';
