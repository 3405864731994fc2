/**
 * kafka-get-offsets without a broker: --time and --partitions parsing, and the
 * output order and filtering of GetOffsetShell (3.7+).
 */
import { describe, expect, it } from 'vitest';
import { formatOffsets, getOffsetsOptions, parsePartitionList, parseTime, spec } from '../../src/cli/commands/kafka-get-offsets.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseArgs } from '../../src/cli/options.js';

describe('parseTime', () => {
  it('accepts the names, -1..-5 and timestamps; latest by default', () => {
    expect(parseTime(undefined)).toBe(-1n);
    expect(['latest', 'earliest', 'max-timestamp', 'earliest-local', 'latest-tiered'].map(parseTime)).toEqual([-1n, -2n, -3n, -4n, -5n]);
    expect(parseTime('-2')).toBe(-2n);
    expect(parseTime('1700000000000')).toBe(1700000000000n);
  });

  it('refuses anything else', () => {
    expect(() => parseTime('yesterday')).toThrow(UsageError);
    expect(() => parseTime('-6')).toThrow('Malformed time argument -6');
  });
});

describe('parsePartitionList', () => {
  it('reads comma separated ids', () => {
    expect([...parsePartitionList('0, 2,5')]).toEqual([0, 2, 5]);
    expect(() => parsePartitionList('0,x')).toThrow("Invalid partition 'x'");
  });
});

describe('getOffsetsOptions', () => {
  it('takes --broker-list when --bootstrap-server is absent and needs one of them', () => {
    expect(getOffsetsOptions(parseArgs(spec, ['--broker-list', 'localhost:9092', '--topic', 't'])).bootstrapServers).toEqual(['localhost:9092']);
    expect(() => getOffsetsOptions(parseArgs(spec, ['--topic', 't']))).toThrow('Missing required argument "[bootstrap-server]"');
    expect(() => getOffsetsOptions(parseArgs(spec, ['--bootstrap-server', 'localhost']))).toThrow('Please provide valid host:port');
  });
});

describe('formatOffsets', () => {
  it('sorts by the string "topic-partition" (t-10 before t-2), leaves out -1 and notes failures on stderr', () => {
    const { stdout, stderr } = formatOffsets([
      { topic: 't', partition: 2, offset: 7n },
      { topic: 't', partition: 10, offset: 3n },
      { topic: 'a', partition: 0, offset: -1n },
      { topic: 't', partition: 1, offset: 0n },
      { topic: 'b', partition: 0, error: 'LEADER_NOT_AVAILABLE' },
    ]);
    expect(stdout).toEqual(['t:1:0', 't:10:3', 't:2:7']);
    expect(stderr).toEqual(['Skip getting offsets for topic-partition b-0 due to error: LEADER_NOT_AVAILABLE']);
  });
});
