/**
 * The console producer's partitioner: keyed records land where Kafka's producer puts
 * them (murmur2 vectors from Kafka's UtilsTest.testMurmur2), keyless records stick to one
 * partition per batch.size bytes (KIP-480/KIP-794).
 */
import type { Message, PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { StickyPartitioner } from '../../src/cli/partitioner.js';

function partitions(count: number, withoutLeader: number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: withoutLeader.includes(i) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));
}

/** murmur2 of the key as Kafka's Utils.murmur2 returns it (signed 32-bit), from Kafka's own test. */
const KAFKA_MURMUR2: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('keyed records: Kafka\'s murmur2 partition', () => {
  const partitioner = new StickyPartitioner({ stickyBatchBytes: 16384 });
  const choose = partitioner.createPartitioner();

  for (const [key, hash] of KAFKA_MURMUR2) {
    it(`key '${key}' goes to toPositive(${hash}) % n`, () => {
      for (const n of [1, 2, 3, 7, 10, 64, 1000, 65521]) {
        const expected = (hash & 0x7fffffff) % n;
        expect(choose({ topic: 't', partitionMetadata: partitions(n), message: { key, value: 'v' } })).toBe(expected);
        expect(choose({ topic: 't', partitionMetadata: partitions(n), message: { key: Buffer.from(key), value: 'v' } })).toBe(expected);
      }
    });
  }

  it('keeps a key on its partition even when that partition has no leader (as Kafka does)', () => {
    // toPositive(-985981536) % 3 = 1161502112 % 3 = 2
    expect(choose({ topic: 't', partitionMetadata: partitions(3, [2]), message: { key: 'a-little-bit-long-string', value: 'v' } })).toBe(2);
  });

  it('treats an empty key as a key (hashes it), not as no key', () => {
    // murmur2 of zero bytes is 275646681 (0x106AA7D9)
    expect(choose({ topic: 't', partitionMetadata: partitions(1000), message: { key: '', value: 'v' } })).toBe(275646681 % 1000);
  });
});

describe('keyless records: sticky batches', () => {
  function sequence(values: number[]): () => number {
    let i = 0;
    return () => values[i++ % values.length];
  }

  it('sends every record of a short input to one partition', () => {
    const partitioner = new StickyPartitioner({ stickyBatchBytes: 16384, random: sequence([5]) });
    const choose = partitioner.createPartitioner();
    const messages: Message[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((value) => ({ value }));
    for (const m of messages) partitioner.assign(m);
    const chosen = messages.map((message) => choose({ topic: 't', partitionMetadata: partitions(3), message }));
    expect(chosen).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('switches partition after batch.size bytes and keeps a batch\'s choice on retries', () => {
    // each record: 8 framing bytes + 92 value bytes = 100 bytes; batch.size 250 closes a batch after 3 records
    const partitioner = new StickyPartitioner({ stickyBatchBytes: 250, random: sequence([0, 1, 2]) });
    const choose = partitioner.createPartitioner();
    const messages: Message[] = Array.from({ length: 7 }, () => ({ value: 'x'.repeat(92) }));
    for (const m of messages) partitioner.assign(m);
    const first = messages.map((message) => choose({ topic: 't', partitionMetadata: partitions(3), message }));
    expect(first).toEqual([0, 0, 0, 1, 1, 1, 2]);
    // kafkajs asks again when it retries a send: the answer does not change
    const again = messages.map((message) => choose({ topic: 't', partitionMetadata: partitions(3), message }));
    expect(again).toEqual(first);
  });

  it('chooses only among partitions with a leader', () => {
    const partitioner = new StickyPartitioner({ stickyBatchBytes: 1, random: sequence([0, 1, 2, 3]) });
    const choose = partitioner.createPartitioner();
    const chosen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const message: Message = { value: String(i) };
      partitioner.assign(message);
      chosen.push(choose({ topic: 't', partitionMetadata: partitions(3, [1]), message }));
    }
    expect(chosen).toEqual([0, 2, 0, 2]);
  });

  it('keeps keyed records out of the sticky batch', () => {
    const partitioner = new StickyPartitioner({ stickyBatchBytes: 16384, random: sequence([0]) });
    const choose = partitioner.createPartitioner();
    const keyed: Message = { key: 'a-little-bit-long-string', value: 'v' };
    partitioner.assign(keyed);
    expect(choose({ topic: 't', partitionMetadata: partitions(3), message: keyed })).toBe(2);
  });

  it('with partitioner.ignore.keys=true, keyed records stick too', () => {
    const partitioner = new StickyPartitioner({ stickyBatchBytes: 16384, ignoreKeys: true, random: sequence([0]) });
    const choose = partitioner.createPartitioner();
    const keyed: Message = { key: 'a-little-bit-long-string', value: 'v' };
    partitioner.assign(keyed);
    expect(choose({ topic: 't', partitionMetadata: partitions(3), message: keyed })).toBe(0);
  });
});
