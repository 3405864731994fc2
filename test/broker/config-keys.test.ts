/**
 * The broker config table (src/broker/config-keys.ts): every default parses by its own
 * type and renders back unchanged, the typed defaults come from it, validators give
 * Kafka's reasons, and no other source file reads a key out of config.raw with its own
 * inline default.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerConfig, defaultBrokerConfig } from '../../src/broker/config.js';
import {
  BROKER_KEYS,
  BrokerValueError,
  brokerKeyDef,
  brokerSynonyms,
  effectiveDefault,
  parseBrokerValue,
  renderBrokerValue,
} from '../../src/broker/config-keys.js';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('broker config table', () => {
  it('lists each key once, sorted by name', () => {
    const names = BROKER_KEYS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
  });

  it("parses every key's default (Kafka's and ours) by its type and renders it back unchanged", () => {
    for (const def of BROKER_KEYS) {
      for (const text of [def.default, effectiveDefault(def)]) {
        if (text === null) continue;
        const value = parseBrokerValue(def, text);
        expect(renderBrokerValue(def, value), def.name).toBe(text);
      }
      expect(def.doc.length, def.name).toBeGreaterThan(0);
      expect(def.doc, def.name).not.toContain('\n');
    }
  });

  it('derives every typed default from the table', () => {
    const config = defaultBrokerConfig() as unknown as Record<string, unknown>;
    let fields = 0;
    for (const def of BROKER_KEYS) {
      if (def.field === undefined) continue;
      fields++;
      const text = effectiveDefault(def);
      expect(config[def.field], def.name).toEqual(text === null ? null : parseBrokerValue(def, text));
    }
    expect(fields).toBeGreaterThan(30);
    expect(defaultBrokerConfig().transactionStateLogNumPartitions).toBe(50);
    expect(defaultBrokerConfig().logRetentionMs).toBe(168 * 3600_000);
  });

  it('gives the time-unit synonyms in Kafka precedence order', () => {
    expect(brokerSynonyms('log.retention.hours')).toEqual(['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']);
    expect(brokerSynonyms('log.roll.hours')).toEqual(['log.roll.ms', 'log.roll.hours']);
    expect(brokerSynonyms('log.flush.interval.ms')).toEqual(['log.flush.interval.ms', 'log.flush.scheduler.interval.ms']);
    expect(brokerSynonyms('num.partitions')).toEqual(['num.partitions']);
  });

  it("refuses values with Kafka's reasons", () => {
    const reason = (name: string, text: string): string => {
      try {
        parseBrokerValue(brokerKeyDef(name)!, text);
      } catch (err) {
        expect(err).toBeInstanceOf(BrokerValueError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(reason('num.partitions', 'three')).toBe('Not a number of type INT');
    expect(reason('num.partitions', '0')).toBe('Value must be at least 1');
    expect(reason('offsets.topic.replication.factor', '40000')).toBe('Not a number of type SHORT');
    expect(reason('log.retention.bytes', '1.5')).toBe('Not a number of type LONG');
    expect(reason('log.cleaner.min.cleanable.ratio', '1.5')).toBe('Value must be no more than 1');
    expect(reason('log.cleaner.min.cleanable.ratio', 'half')).toBe('Not a number of type DOUBLE');
    expect(reason('delete.topic.enable', 'yes')).toBe('Expected value to be either true or false');
    expect(reason('log.message.timestamp.type', 'NowTime')).toBe('String must be one of: CreateTime, LogAppendTime');
    expect(reason('log.cleanup.policy', 'delete,forever')).toBe('use delete, compact or delete,compact');
    expect(reason('log.cleanup.policy', ' compact , delete ')).toBe('accepted');
    expect(parseBrokerValue(brokerKeyDef('log.flush.interval.messages')!, '9223372036854775807')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('lets embedders configure by server.properties names through raw', () => {
    const config = brokerConfig({ raw: { 'min.insync.replicas': '2', 'transaction.state.log.num.partitions': '7' } });
    expect(config.minInsyncReplicas).toBe(2);
    expect(config.transactionStateLogNumPartitions).toBe(7);
    // a typed field given alongside wins
    expect(brokerConfig({ minInsyncReplicas: 3, raw: { 'min.insync.replicas': '2' } }).minInsyncReplicas).toBe(3);
    expect(() => brokerConfig({ raw: { 'min.insync.replicas': 'two' } })).toThrow('Invalid value "two" for configuration min.insync.replicas: Not a number of type INT');
  });

  it('is the only place a key is read: no source file looks a literal key up in config.raw', () => {
    // server-errors.ts only asks which spelling the user wrote (host.name vs listeners) to word its errors
    const allowed = new Set(['cli/server-errors.ts']);
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      if (allowed.has(rel)) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/raw\[\s*['"`]([^'"`]+)['"`]\s*\]/g)) offenders.push(`${rel}: raw['${match[1]}']`);
    }
    expect(offenders).toEqual([]);
  });
});
