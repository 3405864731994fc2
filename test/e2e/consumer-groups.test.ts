/**
 * End-to-end: bin/kafka-consumer-groups.sh against a real broker — list, describe a
 * group after its console consumer left, describe while a member is active (and
 * refuse to reset or delete it then), reset --to-earliest --execute so the next
 * consumer reads everything again, delete-offsets and --delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBroker, runCli, startTestBroker, type TestBroker } from '../helpers/cli.js';

await requireBuiltBroker();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const HEADER = 'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID';

describe('kafka-consumer-groups', () => {
  let broker: TestBroker;
  const groups = (...args: string[]) => runCli('kafka-consumer-groups', ['--bootstrap-server', broker.bootstrap, ...args]);
  const consume = (group: string, max: number) => runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'demo', '--group', group, '--from-beginning', '--max-messages', String(max), '--timeout-ms', '10000']);

  beforeAll(async () => {
    broker = await startTestBroker();
    const created = await runCli('kafka-topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'demo', '--partitions', '3']);
    expect(created.code).toBe(0);
    const input = Array.from({ length: 30 }, (_, i) => `k${i}\tv${i}`).join('\n') + '\n';
    const produced = await runCli('kafka-console-producer', ['--bootstrap-server', broker.bootstrap, '--topic', 'demo', '--property', 'parse.key=true'], { input });
    expect(produced.code).toBe(0);
    const consumed = await consume('g1', 30);
    expect(consumed.stdout.trimEnd().split('\n')).toHaveLength(30);
  }, 60_000);
  afterAll(async () => {
    await broker?.stop();
  });

  it('lists groups, with their state on request', async () => {
    const listed = await groups('--list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')).toContain('g1');
    const withState = await groups('--list', '--state', 'empty');
    expect(withState.stdout).toMatch(/^GROUP {21}STATE {15}\ng1 {24}Empty {15}\n/);
  });

  it('describes a group with no active members: note on stderr, table on stdout', async () => {
    const described = await groups('--describe', '--group', 'g1');
    expect(described.code).toBe(0);
    expect(described.stderr).toBe("\nConsumer group 'g1' has no active members.\n");
    const lines = described.stdout.split('\n');
    expect(lines[0]).toBe('');
    expect(lines[1]).toBe(HEADER);
    const rows = lines.slice(2).filter(Boolean).map((l) => l.split(/ +/));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([['g1', 'demo', '0'], ['g1', 'demo', '1'], ['g1', 'demo', '2']]);
    const committed = rows.reduce((sum, r) => sum + Number(r[3]), 0);
    expect(committed).toBe(30);
    for (const r of rows) {
      expect(r[3]).toBe(r[4]); // consumed to the end: CURRENT-OFFSET = LOG-END-OFFSET
      expect(r.slice(5)).toEqual(['0', '-', '-', '-']);
    }
  });

  it('reports an unknown group on stdout and still exits 0', async () => {
    const described = await groups('--describe', '--group', 'nobody');
    expect(described.code).toBe(0);
    expect(described.stdout).toBe("\nError: Consumer group 'nobody' does not exist.\n");
  });

  it('describes an active member; reset and delete are refused while it is there', async () => {
    const member = runCli('kafka-console-consumer', ['--bootstrap-server', broker.bootstrap, '--topic', 'demo', '--group', 'live', '--timeout-ms', '5000', '--consumer-property', 'heartbeat.interval.ms=300'], { timeoutMs: 40_000 });
    try {
      let described = await groups('--describe', '--group', 'live');
      for (let i = 0; i < 20 && !/console-consumer/.test(described.stdout); i++) {
        await sleep(300);
        described = await groups('--describe', '--group', 'live');
      }
      expect(described.stderr).toBe('');
      const rows = described.stdout.split('\n').slice(2).filter(Boolean).map((l) => l.split(/ +/));
      expect(rows).toHaveLength(3);
      for (const r of rows) {
        expect(r[3]).toBe('-'); // nothing committed yet (started at the end)
        expect(r[5]).toBe('-');
        expect(r[6]).toMatch(/^console-consumer-/);
        expect(r[7]).toMatch(/127\.0\.0\.1/);
      }

      const members = await groups('--describe', '--group', 'live', '--members', '--verbose');
      expect(members.stdout).toMatch(/#PARTITIONS {5}CURRENT-EPOCH/);
      expect(members.stdout).toMatch(/ 3 +- +demo:0,1,2 /);

      const state = await groups('--describe', '--group', 'live', '--state');
      expect(state.stdout).toMatch(new RegExp(`\nlive +127\\.0\\.0\\.1:${broker.port}  \\(0\\) +\\S+ +Stable +1\n$`));

      const reset = await groups('--reset-offsets', '--group', 'live', '--topic', 'demo', '--to-earliest', '--execute');
      expect(reset.code).toBe(0);
      expect(reset.stdout).toBe("\nError: Assignments can only be reset if the group 'live' is inactive, but the current state is Stable.\n\nGROUP           TOPIC           PARTITION  NEW-OFFSET\n");

      const deleted = await groups('--delete', '--group', 'live');
      expect(deleted.stdout).toBe("\nError: Deletion of some consumer groups failed:\n* Group 'live' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n");
    } finally {
      await member;
    }
  }, 60_000);

  it('reset --to-earliest: dry run changes nothing; --execute makes the group read everything again', async () => {
    const dry = await groups('--reset-offsets', '--group', 'g1', '--topic', 'demo', '--to-earliest');
    expect(dry.stderr).toMatch(/^WARN: No action will be performed as the --execute option is missing\.In a future major release/);
    expect(dry.stdout).toBe('\nGROUP           TOPIC           PARTITION  NEW-OFFSET\n' + [0, 1, 2].map((p) => `g1              demo            ${p}          0`).join('\n') + '\n');
    const stillConsumed = await groups('--describe', '--group', 'g1');
    expect(stillConsumed.stdout).toMatch(/ 0 +- +- +-\n/); // lag 0 everywhere still
    expect(stillConsumed.stdout).not.toMatch(/demo +\d +0 +[1-9]/);

    const executed = await groups('--reset-offsets', '--group', 'g1', '--all-topics', '--to-earliest', '--execute');
    expect(executed.stderr).toBe('');
    expect(executed.stdout).toBe(dry.stdout);
    const again = await consume('g1', 30);
    expect(again.stdout.trimEnd().split('\n').sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
  }, 60_000);

  it('reset --to-offset clamps to the log end with a WARN; --export prints CSV', async () => {
    const planned = await groups('--reset-offsets', '--group', 'g1', '--topic', 'demo:0', '--to-offset', '1000000', '--dry-run', '--export');
    expect(planned.stderr).toMatch(/WARN New offset \(1000000\) is higher than latest offset for topic partition demo-0\. Value will be set to \d+\. \(org\.apache\.kafka\.tools\.GroupOffsetsResetter\)/);
    expect(planned.stdout).toMatch(/^demo,0,\d+\n\n$/);
  });

  it('delete-offsets, then --delete removes the group', async () => {
    const deletedOffsets = await groups('--delete-offsets', '--group', 'g1', '--topic', 'demo:1');
    expect(deletedOffsets.stdout).toBe('Request succeeded for deleting offsets from group g1.\n\nTOPIC           PARTITION  STATUS         \ndemo            1          Successful     \n');
    const described = await groups('--describe', '--group', 'g1');
    expect(described.stdout).not.toMatch(/demo +1 /);

    const deleted = await groups('--delete', '--group', 'g1');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe("Deletion of requested consumer groups ('g1') was successful.\n");
    const listed = await groups('--list');
    expect(listed.stdout.split('\n')).not.toContain('g1');
  });

  it('usage errors go to stderr with the option table and exit 1', async () => {
    const result = await groups('--describe');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Option \[describe\] takes one of these options: \[group\], \[all-groups\]\n/);
    expect(result.stderr).toContain('--reset-offsets');
  });
});
