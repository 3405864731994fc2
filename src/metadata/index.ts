/**
 * Public API of the metadata layer (between storage and broker): the metadata
 * image, replaying KRaft metadata records onto it, building those records, and
 * the metadata log with its snapshots that makes the image durable.
 */
export * from './image.js';
export * from './apply.js';
export * from './records.js';
export * from './snapshot-file.js';
export * from './metadata-log.js';
export * from './views.js';
export * from './quorum.js';
export * from './security-image.js';
export * from './local-quorum.js';
export {
  decodeMetadataRecord,
  encodeMetadataRecord,
  metadataRecord,
  MetadataRecordType,
  type MetadataRecord,
  type MetadataRecordName,
  type MetadataRecordOf,
} from '../protocol/metadata-records.js';
