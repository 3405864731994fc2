/**
 * The controller: every decision that changes cluster metadata, as pure functions
 * over the metadata image that return the records to append (topics, partitions,
 * configs, leaders, broker registrations, reassignment checks). ClusterMetadata
 * appends what they return to the metadata log; request handlers only translate.
 */
export * from './brokers.js';
export * from './leadership.js';
export * from './topics.js';
export * from './replica-placement.js';
export * from './producer-ids.js';
