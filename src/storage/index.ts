/** Public surface of the storage layer: partition logs, segments and the log manager. */
export * from './checkpoint-file.js';
export * from './leader-epoch-cache.js';
export * from './log-cleaner.js';
export * from './log-manager.js';
export * from './log-segment.js';
export * from './partition-log.js';
export * from './partition-metadata.js';
export { OffsetIndex, OFFSET_INDEX_ENTRY_SIZE, type OffsetPosition } from './offset-index.js';
export { TimeIndex, TIME_INDEX_ENTRY_SIZE, type TimestampOffset } from './time-index.js';
export * from './transaction-index.js';
export * from './producer-state.js';
