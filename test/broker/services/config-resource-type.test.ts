/**
 * DescribeConfigs/AlterConfigs resource types are Kafka's ConfigResource.Type ids,
 * the same ids ConfigRecord carries in the metadata log (GROUP is 32, KIP-848; 3 is
 * the ACL ResourceType's GROUP, another enum).
 */
import { describe, expect, it } from 'vitest';
import { ConfigResourceType } from '../../../src/broker/services/metadata-service.js';
import { ConfigResourceType as RecordConfigResourceType } from '../../../src/metadata/image.js';

describe('ConfigResourceType', () => {
  it('has Kafka\'s ConfigResource.Type ids, shared with the metadata records', () => {
    expect(ConfigResourceType).toEqual({ UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 });
    for (const [name, id] of Object.entries(RecordConfigResourceType)) expect(ConfigResourceType[name as keyof typeof ConfigResourceType]).toBe(id);
  });
});
