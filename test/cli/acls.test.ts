/**
 * kafka-acls' option checks and the bindings they expand to, as Kafka's AclCommand:
 * principals and hosts, --operation (default All), --producer / --consumer / --idempotent,
 * resource pattern types, the operations each resource type supports, and Kafka's block
 * format for the ACL listings.
 */
import { describe, expect, it } from 'vitest';
import { aclBlock, aclCommandOptions, spec } from '../../src/cli/commands/kafka-acls.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { parseArgs } from '../../src/cli/options.js';

const options = (...argv: string[]) => aclCommandOptions(parseArgs(spec, ['--bootstrap-server', 'localhost:9092', ...argv]));
const entries = (o: ReturnType<typeof options>) => o.resources.map((r) => [r.pattern.resourceType, r.pattern.name, r.pattern.patternType, r.entries.map((e) => `${e.principal}@${e.host}:${e.operation}:${e.permissionType}`)]);

describe('kafka-acls options', () => {
  it('expands principals, hosts and operations per resource', () => {
    const o = options('--add', '--allow-principal', 'User:alice', '--deny-principal', 'User:mallory', '--deny-host', '10.0.0.1', '--operation', 'Read', '--operation', 'describe', '--topic', 't', '--group', 'g');
    expect(entries(o)).toEqual([
      [2, 't', 3, ['User:alice@*:3:3', 'User:alice@*:8:3', 'User:mallory@10.0.0.1:3:2', 'User:mallory@10.0.0.1:8:2']],
      [3, 'g', 3, ['User:alice@*:3:3', 'User:alice@*:8:3', 'User:mallory@10.0.0.1:3:2', 'User:mallory@10.0.0.1:8:2']],
    ]);
    expect(entries(options('--add', '--allow-principal', 'User:*', '--cluster'))).toEqual([[4, 'kafka-cluster', 3, ['User:*@*:2:3']]]);
  });

  it('gives the producer, consumer and idempotent roles their operations', () => {
    expect(entries(options('--add', '--producer', '--idempotent', '--topic', 't', '--transactional-id', 'tx', '--allow-principal', 'User:carol'))).toEqual([
      [2, 't', 3, ['User:carol@*:4:3', 'User:carol@*:5:3', 'User:carol@*:8:3']],
      [5, 'tx', 3, ['User:carol@*:4:3', 'User:carol@*:8:3']],
      [4, 'kafka-cluster', 3, ['User:carol@*:12:3']],
    ]);
    expect(entries(options('--add', '--consumer', '--topic', 't', '--group', 'g2', '--allow-principal', 'User:carol'))).toEqual([
      [2, 't', 3, ['User:carol@*:3:3', 'User:carol@*:8:3']],
      [3, 'g2', 3, ['User:carol@*:3:3']],
    ]);
  });

  it("refuses what Kafka's AclCommand refuses", () => {
    expect(() => options('--add', '--operation', 'Read', '--topic', 't')).toThrow(new UsageError('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.'));
    expect(() => options('--add', '--allow-principal', 'alice', '--topic', 't')).toThrow(new CliError('Error while executing ACL command: expected a string in format principalType:principalName but got alice'));
    expect(() => options('--add', '--allow-principal', 'User:a', '--operation', 'Write', '--group', 'g')).toThrow('ResourceType GROUP only supports operations READ,DESCRIBE,DELETE,ALL');
    expect(() => options('--add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'match')).toThrow("A 'resource-pattern-type' value of 'MATCH' is not valid when adding acls.");
    expect(() => options('--list', '--add', '--topic', 't')).toThrow(UsageError);
    expect(() => options('--add', '--allow-principal', 'User:a')).toThrow(/You must provide at least one resource/);
    expect(() => options('--add', '--allow-principal', 'User:a', '--operation', 'Fly', '--topic', 't')).toThrow(/Invalid operation Fly/);
  });

  it('lists everything without a resource, and filters by pattern type', () => {
    expect(options('--list').listAll).toBe(true);
    expect(entries(options('--list', '--topic', 'pre-abc', '--resource-pattern-type', 'match'))).toEqual([[2, 'pre-abc', 2, []]]);
  });

  it("prints Kafka's block: header, space-TAB entries, a trailing space, an empty line", () => {
    expect(aclBlock('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=t, patternType=LITERAL)`:', [
      { principal: 'User:alice', host: '*', operation: 8, permissionType: 3 },
      { principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
    ]) + '\n').toBe(
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=t, patternType=LITERAL)`: \n' +
      ' \t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)\n' +
      '\t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW) \n\n',
    );
  });
});
