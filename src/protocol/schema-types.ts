/**
 * Shape of the compact message IR that scripts/gen-protocol.mjs writes into
 * generated/schemas.ts (one entry per Kafka JSON message definition).
 */

/** Inclusive [lowest, highest] version; open-ended "N+" ranges end at 0x7fff. null = "none". */
export type VersionRange = readonly [number, number] | null;

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface FieldSpec {
  /** JSON name with its first letter lower-cased (ErrorCode → errorCode) */
  readonly name: string;
  readonly type: PrimitiveType | 'struct';
  /** name of the struct type in the JSON spec (only for type 'struct') */
  readonly struct?: string;
  /** the field is an array of `type` */
  readonly array?: true;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  readonly tag?: number;
  readonly taggedVersions?: VersionRange;
  /** field-level override of the message's flexible versions (RequestHeader.ClientId = none) */
  readonly flexibleVersions?: VersionRange;
  /**
   * Spec default: number for int8..uint32/float64, decimal string for int64, boolean,
   * string, or null ("null" default of nullable fields).
   */
  readonly default?: number | string | boolean | null;
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  /** 'metadata': a KRaft metadata-log record (its apiKey is the record type) */
  readonly kind: 'request' | 'response' | 'header' | 'data' | 'metadata';
  readonly name: string;
  readonly apiKey?: number;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  readonly latestVersionUnstable?: true;
  readonly fields: readonly FieldSpec[];
}

export function inVersionRange(range: VersionRange | undefined, version: number): boolean {
  return range !== null && range !== undefined && version >= range[0] && version <= range[1];
}
