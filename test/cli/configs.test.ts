/**
 * kafka-configs without a broker: --add-config parsing (Kafka's bracket syntax),
 * ConfigCommand's flag checks and their messages, and the describe line format.
 */
import { describe, expect, it } from 'vitest';
import {
  configCommandOptions,
  configSourceName,
  describeHeading,
  formatConfigEntry,
  parseAddConfig,
  spec,
} from '../../src/cli/commands/kafka-configs.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { parseArgs } from '../../src/cli/options.js';

const options = (...argv: string[]) => configCommandOptions(parseArgs(spec, argv));
const BOOT = ['--bootstrap-server', 'localhost:9092'];

describe('parseAddConfig', () => {
  it('splits pairs at commas outside brackets and drops the brackets from values', () => {
    expect(parseAddConfig('k1=v1,k2=[a,b,c],k3=v3')).toEqual([['k1', 'v1'], ['k2', 'a,b,c'], ['k3', 'v3']]);
    expect(parseAddConfig('cleanup.policy=[compact,delete]')).toEqual([['cleanup.policy', 'compact,delete']]);
  });

  it('trims around "=", keeps an empty value, ignores a trailing comma', () => {
    expect(parseAddConfig('retention.ms = 1000 ,ssl.endpoint.identification.algorithm=,')).toEqual([
      ['retention.ms', '1000'],
      ['ssl.endpoint.identification.algorithm', ''],
    ]);
  });

  it('refuses an item that is not exactly key=val (a value holding "=" must be bracketed)', () => {
    expect(() => parseAddConfig('novalue')).toThrow('Invalid entity config: all configs to be added must be in the format "key=val".');
    expect(() => parseAddConfig('k=a=b')).toThrow(CliError);
    expect(parseAddConfig('k=[a=b]')).toEqual([['k', 'a=b']]);
  });
});

describe('configCommandOptions', () => {
  it('accepts the tutorial forms: --entity-type/--entity-name and the --topic shortcut', () => {
    const generic = options(...BOOT, '--entity-type', 'topics', '--entity-name', 't1', '--alter', '--add-config', 'retention.ms=1000', '--delete-config', 'a,b', '--delete-config', 'c');
    expect(generic).toMatchObject({ action: 'alter', entityType: 'topics', entityName: 't1', configsToAdd: [['retention.ms', '1000']], configsToDelete: ['a', 'b', 'c'] });
    expect(options(...BOOT, '--topic', 't1', '--describe', '--all')).toMatchObject({ action: 'describe', entityType: 'topics', entityName: 't1', describeAll: true });
    expect(options(...BOOT, '--entity-type', 'brokers', '--describe').entityName).toBeUndefined();
    expect(options(...BOOT, '--entity-type', 'brokers', '--entity-default', '--describe').entityName).toBe('');
    expect(options(...BOOT, '--broker-defaults', '--alter', '--delete-config', 'x').entityName).toBe('');
  });

  it('needs exactly one action, and --describe takes no config changes (usage errors)', () => {
    expect(() => options(...BOOT, '--topic', 't')).toThrow(new UsageError('Command must include exactly one action: --describe, --alter'));
    expect(() => options(...BOOT, '--topic', 't', '--describe', '--alter')).toThrow('exactly one action');
    expect(() => options(...BOOT, '--topic', 't', '--describe', '--add-config', 'a=1')).toThrow('Option "[describe]" can\'t be used with option "[add-config]"');
  });

  it("words ConfigCommand's argument errors as it does", () => {
    expect(() => options(...BOOT, '--describe')).toThrow('At least one entity type must be specified');
    expect(() => options(...BOOT, '--entity-type', 'tables', '--describe')).toThrow('Invalid entity type tables, the entity type must be one of topics, clients, users, brokers');
    expect(() => options(...BOOT, '--entity-type', 'topics', '--topic', 't', '--describe')).toThrow('Duplicate entity type(s) specified: topics');
    expect(() => options(...BOOT, '--entity-name', 't', '--broker', '0', '--describe')).toThrow('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
    expect(() => options('--topic', 't', '--describe')).toThrow('One of the required --bootstrap-server');
    expect(() => options(...BOOT, '--broker', 'zero', '--describe')).toThrow('The entity name for brokers must be a valid integer broker id, but it is: zero');
    expect(() => options(...BOOT, '--entity-type', 'topics', '--alter', '--add-config', 'a=1')).toThrow('an entity name must be specified with --alter of topics');
    expect(() => options(...BOOT, '--entity-type', 'brokers', '--alter', '--add-config', 'a=1')).toThrow('an entity-name or default entity must be specified with --alter of users, clients, brokers or ips');
    expect(() => options(...BOOT, '--topic', 't', '--alter')).toThrow('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    expect(() => options(...BOOT, '--topic', 't', '--alter', '--add-config', 'bad key=1')).toThrow('Invalid character found for config key: bad key');
  });

  it('says plainly that entity types other than topics, brokers and users are not kept by this broker', () => {
    expect(() => options(...BOOT, '--entity-type', 'clients', '--entity-name', 'c', '--describe')).toThrow('Entity type clients is not supported by this broker');
  });

  it('takes SCRAM credentials for users, and refuses quotas there', () => {
    const parsed = options(...BOOT, '--entity-type', 'users', '--entity-name', 'alice', '--alter', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=a,b]');
    expect(parsed.entityType).toBe('users');
    expect(parsed.configsToAdd).toEqual([['SCRAM-SHA-256', 'iterations=8192,password=a,b']]);
    expect(options(...BOOT, '--user', 'alice', '--describe').entityName).toBe('alice');
    expect(() => options(...BOOT, '--entity-type', 'users', '--entity-name', 'alice', '--alter', '--add-config', 'producer_byte_rate=1024'))
      .toThrow('Invalid config(s) for users: producer_byte_rate; this broker keeps only SCRAM credentials for users (SCRAM-SHA-256, SCRAM-SHA-512)');
  });

  it('maps the legacy --zookeeper flag to the local broker', () => {
    const parsed = options('--zookeeper', 'localhost:2181', '--entity-type', 'topics', '--entity-name', 't', '--describe');
    expect(parsed.viaZookeeper).toBe(true);
    expect(parsed.bootstrapServers).toEqual(['localhost:9092']);
  });
});

describe('describe output', () => {
  it('prints an entry with its synonyms as ConfigCommand does', () => {
    expect(formatConfigEntry({
      name: 'cleanup.policy',
      value: 'compact',
      isSensitive: false,
      source: 1,
      synonyms: [{ name: 'cleanup.policy', value: 'compact', source: 1 }, { name: 'log.cleanup.policy', value: 'delete', source: 5 }],
    })).toBe('  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact, DEFAULT_CONFIG:log.cleanup.policy=delete}');
    expect(formatConfigEntry({ name: 'ssl.key.password', value: null, isSensitive: true, source: 4, synonyms: [] }))
      .toBe('  ssl.key.password=null sensitive=true synonyms={}');
  });

  it('names config sources by their DescribeConfigs ids', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(configSourceName)).toEqual([
      'UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG',
    ]);
  });

  it('heads each entity as trunk does', () => {
    expect(describeHeading('topics', 't1', false)).toBe('Dynamic configs for topic t1 are:');
    expect(describeHeading('topics', 't1', true)).toBe('All configs for topic t1 are:');
    expect(describeHeading('brokers', '0', false)).toBe('Dynamic configs for broker 0 are:');
    expect(describeHeading('brokers', '', false)).toBe('Default configs for brokers in the cluster are:');
  });
});
