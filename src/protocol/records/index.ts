/** Public surface of RecordBatch v2 framing, records and compression codecs. */
export * from './batch.js';
export * from './compression.js';
export * from './crc32c.js';
export * from './record.js';
export * from './validate.js';
