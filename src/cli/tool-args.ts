/**
 * Argument shapes of Kafka's argparse4j tools (producer-perf-test, the verifiable
 * producer/consumer) on top of the shared joptsimple-style parser, and producer
 * settings those tools read from client properties.
 */
import { UsageError } from './errors.js';
import { COMPRESSION_CODECS, type CompressionCodec } from '../protocol/records/compression.js';

/**
 * argparse's `nargs("+")`: `--producer-props a=1 b=2 --topic t` becomes
 * `--producer-props a=1 --producer-props b=2 --topic t`, so the shared parser's
 * repeatable option collects every value.
 */
export function spreadMultiValueOption(argv: readonly string[], name: string): string[] {
  const flag = `--${name}`;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith(`${flag}=`)) {
      out.push(flag, arg.slice(flag.length + 1));
      continue;
    }
    if (arg !== flag) {
      out.push(arg);
      continue;
    }
    let values = 0;
    while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out.push(flag, argv[i + 1]);
      i += 1;
      values += 1;
    }
    if (values === 0) throw new UsageError(`argument ${flag}: expected at least one argument (key=value)`);
  }
  return out;
}

/** `acks` as Kafka's producer reads it: all, -1, 0, 1. */
export function parseProducerAcks(value: string): -1 | 0 | 1 {
  const v = value.trim().toLowerCase();
  if (v === 'all' || v === '-1') return -1;
  if (v === '0') return 0;
  if (v === '1') return 1;
  throw new UsageError(`Invalid value ${value} for configuration acks: String must be one of: all, -1, 0, 1`);
}

/** compression.type from producer properties (none when unset). */
export function producerCompression(properties: Record<string, string>): CompressionCodec {
  const value = (properties['compression.type'] ?? 'none').trim().toLowerCase();
  if (!(COMPRESSION_CODECS as readonly string[]).includes(value)) {
    throw new UsageError(`Invalid value ${properties['compression.type']} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`);
  }
  return value as CompressionCodec;
}

/** An integer argument of an argparse4j tool; argparse's wording when it is not one. */
export function integerArgument(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`argument --${name}: could not convert '${raw}' to an integer`);
  return Number(raw.trim());
}
