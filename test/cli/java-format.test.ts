/**
 * How Kafka's Java tools print numbers, dates and HashMaps (src/cli/java-format.ts), and
 * the murmur2 the record sender partitions keys with.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  copiedHashMapCapacity, growingHashMapCapacity, javaDoubleToString, javaFixed, javaHashMapOrder, javaStringHash,
  presizedHashMapCapacity, simpleDateFormat, topicPartitionHash,
} from '../../src/cli/java-format.js';
import { keyPartition, murmur2 } from '../../src/cli/record-sender.js';

describe('javaFixed (String.format %.Nf)', () => {
  it('rounds HALF_UP on the shortest decimal form, where toFixed rounds the binary value', () => {
    expect(javaFixed(0.15, 1)).toBe('0.2');
    expect((0.15).toFixed(1)).toBe('0.1');
    expect(javaFixed(1.005, 2)).toBe('1.01');
    expect(javaFixed(2.5, 0)).toBe('3');
  });

  it('pads, carries and keeps the sign as Java does', () => {
    expect(javaFixed(9.5367431640625, 4)).toBe('9.5367');
    expect(javaFixed(0, 4)).toBe('0.0000');
    expect(javaFixed(999.96, 1)).toBe('1000.0');
    expect(javaFixed(-0.00001, 4)).toBe('-0.0000');
    expect(javaFixed(52438.384898, 1)).toBe('52438.4');
    expect(javaFixed(1e21, 2)).toBe('1000000000000000000000.00');
  });

  it('prints Infinity and NaN for a zero-millisecond window, as Java does', () => {
    expect(javaFixed(1 / 0, 1)).toBe('Infinity');
    expect(javaFixed(0 / 0, 2)).toBe('NaN');
  });
});

describe('javaDoubleToString', () => {
  it('always has a fraction digit and switches to E notation outside [1e-3, 1e7)', () => {
    expect(javaDoubleToString(42.141299)).toBe('42.141299');
    expect(javaDoubleToString(20)).toBe('20.0');
    expect(javaDoubleToString(20.080321285140563)).toBe('20.080321285140563');
    expect(javaDoubleToString(0.0001)).toBe('1.0E-4');
    expect(javaDoubleToString(12345678.9)).toBe('1.23456789E7');
  });
});

describe('simpleDateFormat', () => {
  it("formats ConsumerPerformance's default yyyy-MM-dd HH:mm:ss:SSS in local time", () => {
    const ms = new Date(2026, 11, 3, 1, 56, 26, 201).getTime();
    expect(simpleDateFormat('yyyy-MM-dd HH:mm:ss:SSS', ms)).toBe('2026-12-03 01:56:26:201');
    expect(simpleDateFormat("HH 'h' mm", ms)).toBe('01 h 56');
  });
});

describe('Java HashMap iteration order', () => {
  it('hashes strings and TopicPartitions as Java does', () => {
    expect(javaStringHash('t')).toBe(116);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(topicPartitionHash('t', 0)).toBe(31 * 31 + 116);
  });

  it("orders t-0..t-2 as the real log-dirs output lists them (t-2, t-1, t-0)", () => {
    const partitions = [0, 1, 2];
    expect(javaHashMapOrder(partitions, (p) => topicPartitionHash('t', p), growingHashMapCapacity(3))).toEqual([2, 1, 0]);
  });

  it("puts LogDirsCommand's keys where trunk's HashMaps put them", () => {
    const order = (keys: string[]): string[] => javaHashMapOrder(keys, javaStringHash, 16);
    expect(order(['version', 'brokers'])).toEqual(['brokers', 'version']);
    expect(order(['broker', 'logDirs'])).toEqual(['broker', 'logDirs']);
    expect(order(['logDir', 'error', 'partitions'])).toEqual(['partitions', 'error', 'logDir']);
    expect(order(['partition', 'size', 'offsetLag', 'isFuture'])).toEqual(['partition', 'size', 'offsetLag', 'isFuture']);
  });

  it('sizes tables as HashMap does', () => {
    expect(growingHashMapCapacity(12)).toBe(16);
    expect(growingHashMapCapacity(13)).toBe(32);
    expect(presizedHashMapCapacity(3, 3)).toBe(4);
    expect(copiedHashMapCapacity(1)).toBe(2);
    expect(copiedHashMapCapacity(3)).toBe(8);
  });
});

describe('murmur2 partitioning', () => {
  it("agrees with kafkajs' Java-compatible murmur2 (a third-party implementation)", () => {
    const require = createRequire(import.meta.url);
    const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
    for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'key-17', 'some longer key with spaces', '\u00e9t\u00e9']) {
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(Buffer.from(key)));
    }
    expect(keyPartition(Buffer.from('0'), 3)).toBe((kafkajsMurmur2(Buffer.from('0')) & 0x7fffffff) % 3);
  });
});
