/**
 * Public API of the protocol layer: wire primitives, the spec-driven message
 * codec, framing, API keys, generated message types and error codes.
 */
export * from './primitives.js';
export * from './codec.js';
export * from './frame.js';
export * from './errors.js';
export * from './generated/api-keys.js';
export type * from './generated/types.js';
export type { FieldSpec, MessageSpec, PrimitiveType, VersionRange } from './schema-types.js';
export { inVersionRange } from './schema-types.js';
