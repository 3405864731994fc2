/**
 * The perf and verifiable tools run with no arguments at all print their help on
 * stdout and exit 0, as Kafka's argparse-based tools do (scripts probe them that way).
 */
import { describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli } from '../helpers/cli.js';

await requireBuiltBroker();

describe('tools run with no arguments', () => {
  for (const [command, option] of [
    ['kafka-producer-perf-test', '--num-records'],
    ['kafka-verifiable-producer', '--max-messages'],
    ['kafka-verifiable-consumer', '--group-id'],
  ] as const) {
    it(`${command} prints its help on stdout and exits 0`, async () => {
      const result = await runCli(command, []);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(option);
      expect(result.stderr).toBe('');
    });
  }
});
