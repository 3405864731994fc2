/**
 * The answer to a request whose handler failed as a whole, built from the message specs
 * the way Kafka's AbstractRequest.getErrorResponse builds one per API: the top-level
 * ErrorCode (where the response has one) and every topic, partition or resource the
 * request named, echoed with the error code; everything else at its default. Response
 * arrays are matched to the request arrays they answer by name (Kafka mostly reuses
 * the names; the exceptions are listed below). Null when nothing in the response can
 * carry the error (the connection is then closed, as Kafka does without an error response).
 */
import { encodeResponse, messageSpec } from '../protocol/codec.js';
import { inVersionRange, type FieldSpec } from '../protocol/schema-types.js';
import type { ApiError } from './api-error.js';

/** Request arrays a response array answers where Kafka names them differently. */
const ANSWERED_ARRAYS: Readonly<Record<string, readonly string[]>> = {
  responses: ['topicData', 'topics', 'topicNames', 'resources'], // Produce, Fetch, DeleteTopics, AlterConfigs, IncrementalAlterConfigs
  partitionResponses: ['partitionData'], // Produce
  results: ['topics', 'groupsNames'], // CreatePartitions, DeleteGroups
  partitions: ['partitionIndexes'], // OffsetFetch
};

/** Fields that identify what a response entry answers; copied from the request entry. */
const IDENTITY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  name: ['name', 'topic'],
  topic: ['topic', 'name'],
  topicId: ['topicId'],
  index: ['index', 'partition', 'partitionIndex'],
  partitionIndex: ['partitionIndex', 'partition', 'index'],
  partition: ['partition', 'partitionIndex', 'index'],
  resourceType: ['resourceType'],
  resourceName: ['resourceName'],
  groupId: ['groupId'],
  transactionalId: ['transactionalId'],
};

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
}

export function errorResponseFor(apiKey: number, apiVersion: number, request: unknown, error: ApiError): Buffer[] | null {
  const response = errorResponseObject(apiKey, apiVersion, request, error);
  if (response === null) return null;
  try {
    return encodeResponse(apiKey, apiVersion, response);
  } catch {
    return null; // an echoed value of the wrong type for the response: no answer then
  }
}

/** The error response as an object (not encoded), or null when nothing in it can carry the error. */
export function errorResponseObject(apiKey: number, apiVersion: number, request: unknown, error: ApiError): Obj | null {
  const spec = messageSpec('response', apiKey);
  if (!spec) return null;
  let carried = 0;
  const build = (fields: readonly FieldSpec[], answered: Obj | null): Obj => {
    const out: Obj = {};
    for (const f of fields) {
      if (!inVersionRange(f.versions, apiVersion)) continue;
      if (f.name === 'errorCode' && f.type === 'int16' && !f.array) {
        out.errorCode = error.errorCode;
        carried++;
      } else if (f.name === 'errorMessage' && f.type === 'string' && !f.array) {
        if (inVersionRange(f.nullableVersions, apiVersion)) out.errorMessage = error.errorMessage;
      } else if (f.array && f.type === 'struct' && answered) {
        const source = [f.name, ...(ANSWERED_ARRAYS[f.name] ?? [])].map((n) => answered[n]).find(Array.isArray);
        // an array of names or indexes answers one entry each, named by the entry's identity field
        const identity = f.fields?.find((sub) => IDENTITY_FIELDS[sub.name])?.name ?? '';
        if (source) out[f.name] = source.map((entry) => build(f.fields ?? [], isObject(entry) ? entry : { [identity]: entry }));
      } else if (answered && IDENTITY_FIELDS[f.name] && !f.array) {
        const value = IDENTITY_FIELDS[f.name]!.map((n) => answered[n]).find((v) => v !== undefined && v !== null);
        if (value !== undefined) out[f.name] = value;
      }
    }
    return out;
  };
  const response = build(spec.fields, isObject(request) ? request : null);
  return carried === 0 ? null : response;
}
