/**
 * DescribeConfigs on a BROKER resource as kafkajs (a client not written here) reads it:
 * every key of the broker config table, STATIC_BROKER_CONFIG for what the broker's
 * properties set and DEFAULT_CONFIG otherwise, Kafka's synonym lists (log.retention.*),
 * read-only flags and sensitive keys without values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { BROKER_KEYS } from '../../src/broker/config-keys.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

// ConfigSource ids (DescribeConfigs v1+)
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

let broker: TestBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker({
    raw: {
      'log.retention.hours': '24',
      'num.partitions': '3',
      'log.cleaner.backoff.ms': '50',
      'my.own.key': 'kept',
    },
  });
  admin = new Kafka({ clientId: 'broker-configs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
});

interface Entry {
  configName: string;
  configValue: string | null;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
  configSource: number;
  configSynonyms: { configName: string; configValue: string | null; configSource: number }[];
}

async function brokerEntries(includeSynonyms: boolean, configNames?: string[]): Promise<Map<string, Entry>> {
  const res = await admin.describeConfigs({ includeSynonyms, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames }] });
  expect(res.resources[0].errorCode).toBe(0);
  return new Map((res.resources[0].configEntries as unknown as Entry[]).map((e) => [e.configName, e]));
}

const synonyms = (e: Entry | undefined): string[] => (e?.configSynonyms ?? []).map((s) => `${s.configSource}:${s.configName}=${s.configValue}`);

describe('DescribeConfigs for a broker, read by kafkajs', () => {
  it('lists every key of the table plus the keys the properties set', async () => {
    const entries = await brokerEntries(false);
    for (const def of BROKER_KEYS) expect(entries.has(def.name), def.name).toBe(true);
    expect(entries.size).toBe(BROKER_KEYS.length + 1);
    expect(entries.get('my.own.key')).toMatchObject({ configValue: 'kept', configSource: STATIC_BROKER_CONFIG, isDefault: false });
  });

  it('reports sources, values and flags as Kafka does', async () => {
    const entries = await brokerEntries(true);
    expect(entries.get('num.partitions')).toMatchObject({ configValue: '3', configSource: STATIC_BROKER_CONFIG, isDefault: false, readOnly: false });
    expect(synonyms(entries.get('num.partitions'))).toEqual([`${STATIC_BROKER_CONFIG}:num.partitions=3`, `${DEFAULT_CONFIG}:num.partitions=1`]);
    expect(entries.get('log.segment.bytes')).toMatchObject({ configValue: '1073741824', configSource: DEFAULT_CONFIG, isDefault: true });
    expect(entries.get('log.cleaner.backoff.ms')).toMatchObject({ configValue: '50', configSource: STATIC_BROKER_CONFIG });
    expect(entries.get('log.flush.interval.messages')?.configValue).toBe('9223372036854775807');
    expect(entries.get('broker.id')).toMatchObject({ configValue: '0', readOnly: true });
    expect(entries.get('ssl.keystore.password')).toMatchObject({ configValue: null, isSensitive: true });
  });

  it("gives log.retention.* Kafka's synonym lists: entries before the key's own name are dropped", async () => {
    const entries = await brokerEntries(true, ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours', 'log.flush.interval.ms']);
    expect(entries.get('log.retention.hours')).toMatchObject({ configValue: '24', configSource: STATIC_BROKER_CONFIG });
    expect(synonyms(entries.get('log.retention.hours'))).toEqual([`${STATIC_BROKER_CONFIG}:log.retention.hours=24`, `${DEFAULT_CONFIG}:log.retention.hours=168`]);
    expect(entries.get('log.retention.ms')).toMatchObject({ configValue: null, configSource: DEFAULT_CONFIG });
    expect(synonyms(entries.get('log.retention.ms'))).toEqual([]);
    expect(synonyms(entries.get('log.retention.minutes'))).toEqual([]);
    expect(synonyms(entries.get('log.flush.interval.ms'))).toEqual([]);
    expect(entries.size).toBe(4);
  });
});
