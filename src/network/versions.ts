/**
 * Version negotiation: what this client can speak (the protocol codec's request
 * specs) against what a broker advertised in ApiVersions. Per API, the version
 * used is the highest both sides support, as Kafka's NodeApiVersions.latestUsableVersion.
 */
import { messageSpec } from '../protocol/codec.js';
import { ApiKey } from '../protocol/generated/api-keys.js';

/** An API version range, as ApiVersions reports it. */
export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

/**
 * The versions this client can speak for `apiKey` (the codec IR's request spec),
 * leaving out a latest version the spec marks unstable, as Java clients do.
 * undefined for keys the IR does not know.
 */
export function clientVersionRange(apiKey: number): VersionRange | undefined {
  const spec = messageSpec('request', apiKey);
  if (!spec?.validVersions) return undefined;
  const [minVersion, latest] = spec.validVersions;
  const maxVersion = spec.latestVersionUnstable ? latest - 1 : latest;
  // an API whose only version is unstable is not offered at all
  return maxVersion >= minVersion ? { minVersion, maxVersion } : undefined;
}

/** Every API key the codec IR knows, ascending. */
export function clientApiKeys(): number[] {
  return (Object.values(ApiKey) as number[]).filter((key) => clientVersionRange(key) !== undefined).sort((a, b) => a - b);
}

/**
 * The highest version in both ranges and within [floor, ceiling], or undefined
 * when there is none (either side missing, or the ranges do not meet).
 */
export function highestCommonVersion(
  client: VersionRange | undefined,
  broker: VersionRange | undefined,
  floor = 0,
  ceiling = 0x7fff,
): number | undefined {
  if (!client || !broker) return undefined;
  const low = Math.max(floor, client.minVersion, broker.minVersion);
  const high = Math.min(ceiling, client.maxVersion, broker.maxVersion);
  return high >= low ? high : undefined;
}
