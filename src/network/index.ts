/**
 * The outbound Kafka-protocol client: used by the CLI today, and meant for
 * broker-side follower fetchers and broker → controller traffic.
 */
export * from './errors.js';
export * from './versions.js';
export * from './backoff.js';
export * from './kafka-connection.js';
export * from './network-client.js';
export * from './sasl-client.js';
