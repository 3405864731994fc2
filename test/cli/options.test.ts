/**
 * Option parsing for every command: Kafka's spellings (old and new), joptsimple
 * usage-error texts, and each tool's conflict rules.
 */
import { describe, expect, it } from 'vitest';
import { consumerSettings, spec as consumerSpec } from '../../src/cli/commands/kafka-console-consumer.js';
import { producerRetry, producerSettings, spec as producerSpec } from '../../src/cli/commands/kafka-console-producer.js';
import { serverStartArgs } from '../../src/cli/commands/kafka-server-start.js';
import { spec as topicsSpec, topicCommandOptions, validateTopicName } from '../../src/cli/commands/kafka-topics.js';
import { completionScript } from '../../src/cli/completion.js';
import { UsageError } from '../../src/cli/errors.js';
import { normalizeArgv, parseArgs } from '../../src/cli/options.js';
import { COMMANDS } from '../../src/cli/registry.js';
import fs from 'node:fs';
import path from 'node:path';
import { BIN_DIR } from '../helpers/cli.js';

const topics = (...argv: string[]) => topicCommandOptions(parseArgs(topicsSpec, normalizeArgv(argv)));
const producer = (...argv: string[]) => producerSettings(parseArgs(producerSpec, normalizeArgv(argv)));
const consumer = (...argv: string[]) => consumerSettings(parseArgs(consumerSpec, normalizeArgv(argv)), () => 0.5);

describe('shared parser', () => {
  it('accepts --name value and --name=value, and repeats', () => {
    const o = topics('--bootstrap-server=localhost:9092', '--create', '--topic', 't', '--config', 'a=1', '--config=b=2');
    expect(o.bootstrapServers).toEqual(['localhost:9092']);
    expect(o.configs).toEqual({ a: '1', b: '2' });
  });

  it('words usage errors like joptsimple', () => {
    expect(() => topics('--bootstrap-server', 'h:1', '--list', '--frobnicate')).toThrow(new UsageError('frobnicate is not a recognized option'));
    expect(() => topics('--bootstrap-server')).toThrow('Option bootstrap-server requires an argument');
    expect(() => topics('--bootstrap-server', 'h:1', '--list', 'extra')).toThrow('Found non argument parameters: extra');
    expect(() => topics('--bootstrap-server', 'h:1', '--create', '--topic', 't', '--partitions', 'x')).toThrow("Cannot parse argument 'x' of option partitions");
  });

  it('does not accept abbreviated option names', () => {
    expect(() => topics('--bootstrap', 'h:1', '--list')).toThrow('bootstrap is not a recognized option');
  });

  it('repairs typographic dashes and host lists split after commas, as pasted from tutorials', () => {
    expect(normalizeArgv(['—topic', 'x', '–list'])).toEqual(['--topic', 'x', '--list']);
    expect(normalizeArgv(['--broker-list', 'master:9092,', 'slave1:9092,', 'slave2:9092', '--topic', 't']))
      .toEqual(['--broker-list', 'master:9092,slave1:9092,slave2:9092', '--topic', 't']);
  });
});

describe('kafka-topics options', () => {
  it('needs exactly one action', () => {
    expect(() => topics('--bootstrap-server', 'h:1')).toThrow('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
    expect(() => topics('--bootstrap-server', 'h:1', '--list', '--describe')).toThrow('exactly one action');
  });

  it('needs --bootstrap-server, but takes the old --zookeeper as localhost:9092', () => {
    expect(() => topics('--list')).toThrow('--bootstrap-server must be specified');
    const o = topics('--list', '--zookeeper', 'master:2181');
    expect(o.viaZookeeper).toBe(true);
    expect(o.bootstrapServers).toEqual(['localhost:9092']);
  });

  it('validates host:port lists', () => {
    expect(() => topics('--bootstrap-server', 'localhost', '--list')).toThrow('Please provide valid host:port like host1:9091,host2:9092');
  });

  it('requires --topic for create/alter/delete and --partitions for alter', () => {
    expect(() => topics('--bootstrap-server', 'h:1', '--create')).toThrow('Missing required argument "[topic]"');
    expect(() => topics('--bootstrap-server', 'h:1', '--delete')).toThrow('Missing required argument "[topic]"');
    expect(() => topics('--bootstrap-server', 'h:1', '--alter', '--topic', 't')).toThrow('Missing required argument "[partitions]"');
    expect(topics('--bootstrap-server', 'h:1', '--describe').topic).toBeUndefined();
  });

  it('rejects options with the wrong action', () => {
    expect(() => topics('--bootstrap-server', 'h:1', '--list', '--partitions', '3')).toThrow('Option "[partitions]" can\'t be used with option');
    expect(() => topics('--bootstrap-server', 'h:1', '--alter', '--topic', 't', '--partitions', '3', '--replication-factor', '2')).toThrow('"[replication-factor]"');
    expect(() => topics('--bootstrap-server', 'h:1', '--alter', '--topic', 't', '--partitions', '3', '--config', 'a=b')).toThrow('kafka-configs');
    expect(() => topics('--bootstrap-server', 'h:1', '--create', '--topic', 't', '--if-exists')).toThrow('"[if-exists]"');
    expect(() => topics('--bootstrap-server', 'h:1', '--delete', '--topic', 't', '--if-not-exists')).toThrow('"[if-not-exists]"');
    expect(() => topics('--bootstrap-server', 'h:1', '--create', '--topic', 't', '--under-replicated-partitions')).toThrow('"[under-replicated-partitions]"');
  });

  it('rejects a --config without "="', () => {
    expect(() => topics('--bootstrap-server', 'h:1', '--create', '--topic', 't', '--config', 'retention.ms')).toThrow('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".');
  });

  it('checks topic names with Kafka\'s rules', () => {
    expect(() => validateTopicName('ok.name_1-x')).not.toThrow();
    expect(() => validateTopicName('bad name')).toThrow("Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'");
    expect(() => validateTopicName('..')).toThrow("Topic name is invalid: '..' is not allowed");
    expect(() => validateTopicName('x'.repeat(250))).toThrow('longer than the max allowed length 249');
  });
});

describe('kafka-console-producer options', () => {
  it('takes --bootstrap-server or the old --broker-list', () => {
    expect(producer('--broker-list', 'a:1,b:2', '--topic', 't').brokers).toEqual(['a:1', 'b:2']);
    expect(producer('--bootstrap-server', 'c:3', '--broker-list', 'a:1', '--topic', 't').brokers).toEqual(['c:3']);
    // hints name the option the user typed
    expect(producer('--broker-list', 'a:1', '--topic', 't').bootstrapOption).toBe('--broker-list');
    expect(producer('--bootstrap-server', 'c:3', '--broker-list', 'a:1', '--topic', 't').bootstrapOption).toBe('--bootstrap-server');
    expect(() => producer('--topic', 't')).toThrow('Missing required option(s) [bootstrap-server]');
    expect(() => producer('--bootstrap-server', 'c:3')).toThrow('Missing required argument "[topic]"');
  });

  it('defaults acks to all, linger to 1000 ms and compression to none', () => {
    const s = producer('--bootstrap-server', 'h:1', '--topic', 't');
    expect(s.acks).toBe(-1);
    expect(s.lingerMs).toBe(1000);
    expect(s.compression).toBe('none');
    expect(s.batchSizeBytes).toBe(16384);
  });

  it('applies file < --producer-property < explicit options', () => {
    const s = producer('--bootstrap-server', 'h:1', '--topic', 't', '--producer-property', 'acks=1', '--producer-property', 'linger.ms=5', '--producer-property', 'compression.type=lz4', '--batch-size', '100');
    expect(s.acks).toBe(1);
    expect(s.lingerMs).toBe(5);
    expect(s.compression).toBe('lz4');
    expect(s.batchSizeBytes).toBe(100);
    const explicit = producer('--bootstrap-server', 'h:1', '--topic', 't', '--producer-property', 'acks=1', '--request-required-acks', 'all', '--timeout', '50');
    expect(explicit.acks).toBe(-1);
    expect(explicit.lingerMs).toBe(50);
  });

  it('reads --retry-backoff-ms (else retry.backoff.ms, else 100) into kafkajs retry.initialRetryTime', () => {
    expect(producerRetry(producer('--bootstrap-server', 'h:1', '--topic', 't'))).toEqual({ retries: 3, initialRetryTime: 100, maxRetryTime: 1000 });
    expect(producerRetry(producer('--bootstrap-server', 'h:1', '--topic', 't', '--retry-backoff-ms', '250', '--message-send-max-retries', '5'))).toEqual({ retries: 5, initialRetryTime: 250, maxRetryTime: 1000 });
    expect(producerRetry(producer('--bootstrap-server', 'h:1', '--topic', 't', '--producer-property', 'retry.backoff.ms=40', '--producer-property', 'retry.backoff.max.ms=400'))).toEqual({ retries: 3, initialRetryTime: 40, maxRetryTime: 400 });
    // the option wins over the property; a backoff above the max raises the max (KIP-580)
    expect(producerRetry(producer('--bootstrap-server', 'h:1', '--topic', 't', '--producer-property', 'retry.backoff.ms=40', '--retry-backoff-ms', '3000'))).toEqual({ retries: 3, initialRetryTime: 3000, maxRetryTime: 3000 });
    expect(() => producer('--bootstrap-server', 'h:1', '--topic', 't', '--retry-backoff-ms', 'soon')).toThrow("Cannot parse argument 'soon' of option retry-backoff-ms");
  });

  it('treats a bare --compression-codec as gzip and rejects unknown codecs', () => {
    expect(producer('--bootstrap-server', 'h:1', '--topic', 't', '--compression-codec').compression).toBe('gzip');
    expect(producer('--bootstrap-server', 'h:1', '--compression-codec', '--topic', 't').compression).toBe('gzip');
    expect(producer('--bootstrap-server', 'h:1', '--topic', 't', '--compression-codec', 'snappy').compression).toBe('snappy');
    expect(() => producer('--bootstrap-server', 'h:1', '--topic', 't', '--compression-codec', 'brotli')).toThrow("Unknown compression codec 'brotli'");
  });

  it('rejects a bad acks value', () => {
    expect(() => producer('--bootstrap-server', 'h:1', '--topic', 't', '--request-required-acks', '2')).toThrow('Invalid value 2 for configuration acks');
  });
});

describe('kafka-console-consumer options', () => {
  it('needs exactly one of --topic / --include (or the old --whitelist)', () => {
    expect(() => consumer('--bootstrap-server', 'h:1')).toThrow('Exactly one of --include/--topic is required. ');
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--include', 'x.*')).toThrow('Exactly one of --include/--topic');
    const s = consumer('--bootstrap-server', 'h:1', '--whitelist', 'a.*');
    expect(s.include).toBe('a.*');
    expect(s.notes.join('\n')).toContain('--whitelist is deprecated');
  });

  it('uses a random console-consumer group without auto-commit unless --group is given', () => {
    const fresh = consumer('--bootstrap-server', 'h:1', '--topic', 't');
    expect(fresh.groupId).toMatch(/^console-consumer-\d{5}$/);
    expect(fresh.autoCommit).toBe(false);
    const named = consumer('--bootstrap-server', 'h:1', '--topic', 't', '--group', 'g1');
    expect(named.groupId).toBe('g1');
    expect(named.autoCommit).toBe(true);
  });

  it('enforces the partition/offset/group rules with Kafka\'s texts', () => {
    expect(() => consumer('--bootstrap-server', 'h:1', '--include', 'x', '--partition', '0')).toThrow('The topic is required when partition is specified.');
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--offset', '5')).toThrow('The partition is required when offset is specified.');
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--partition', '0', '--offset', '5', '--from-beginning')).toThrow('Options from-beginning and offset cannot be specified together.');
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--partition', '0', '--group', 'g')).toThrow('Options group and partition cannot be specified together.');
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--partition', '0', '--offset', 'soon')).toThrow("The provided offset value 'soon' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.");
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--group', 'a', '--consumer-property', 'group.id=b')).toThrow("Detected group ids: 'a', 'b'");
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--from-beginning', '--consumer-property', 'auto.offset.reset=latest')).toThrow("Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option");
  });

  it('refuses an empty group id and a heartbeat not below the session timeout, in its own words', () => {
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--group', '')).toThrow('The consumer group id is empty: give --group a name, or leave --group out to read with a fresh console-consumer group.');
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--consumer-property', 'session.timeout.ms=10'))
      .toThrow('heartbeat.interval.ms (3000) must be lower than session.timeout.ms (10); set heartbeat.interval.ms to about a third of session.timeout.ms');
    const ok = consumer('--bootstrap-server', 'h:1', '--topic', 't', '--consumer-property', 'session.timeout.ms=9000', '--consumer-property', 'heartbeat.interval.ms=3000');
    expect([ok.sessionTimeoutMs, ok.heartbeatIntervalMs]).toEqual([9000, 3000]);
  });

  it('starts a lone partition at the end unless told otherwise', () => {
    expect(consumer('--bootstrap-server', 'h:1', '--topic', 't', '--partition', '2').startOffset).toBe('latest');
    expect(consumer('--bootstrap-server', 'h:1', '--topic', 't', '--partition', '2', '--from-beginning').startOffset).toBe('earliest');
    expect(consumer('--bootstrap-server', 'h:1', '--topic', 't', '--partition', '2', '--offset', '42').startOffset).toBe(42n);
  });

  it('reads formatter properties and the old --zookeeper spelling', () => {
    const s = consumer('--zookeeper', 'slave1:2181', '--topic', 't', '--property', 'print.key=true', '--property', 'key.separator=:');
    expect(s.brokers).toEqual(['localhost:9092']);
    expect(s.bootstrapOption).toBe('--zookeeper');
    expect(consumer('--bootstrap-server', 'h:1', '--topic', 't').bootstrapOption).toBe('--bootstrap-server');
    expect(s.formatter.printKey).toBe(true);
    expect(s.formatter.keySeparator.toString()).toBe(':');
    expect(() => consumer('--bootstrap-server', 'h:1', '--topic', 't', '--formatter', 'kafka.tools.LoggingMessageFormatter')).toThrow('is not available');
  });
});

describe('kafka-server-start arguments', () => {
  it('takes -daemon first, a properties file and repeated --override', () => {
    const a = serverStartArgs(['-daemon', 'config/server.properties', '--override', 'broker.id=1', '--override', 'log.dirs=/tmp/x']);
    expect(a.daemon).toBe(true);
    expect(a.propertiesFile).toBe('config/server.properties');
    expect(a.overrides).toEqual({ 'broker.id': '1', 'log.dirs': '/tmp/x' });
    expect(a.foregroundArgv).toEqual(['config/server.properties', '--override', 'broker.id=1', '--override', 'log.dirs=/tmp/x']);
    expect(serverStartArgs([]).propertiesFile).toBeUndefined();
    expect(() => serverStartArgs(['a.properties', 'b.properties'])).toThrow('Found non argument parameters: b.properties');
  });

  it('takes the kafka.Kafka main class the .sh shim and the -daemon parent put first as no argument', () => {
    const a = serverStartArgs(['kafka.Kafka', 'config/server-1.properties', '--override', 'broker.id=1']);
    expect(a.daemon).toBe(false);
    expect(a.propertiesFile).toBe('config/server-1.properties');
    expect(a.foregroundArgv).toEqual(['config/server-1.properties', '--override', 'broker.id=1']);
    expect(serverStartArgs(['kafka.Kafka']).propertiesFile).toBeUndefined();
  });
});

describe('completion scripts', () => {
  it('complete every command and .sh name with the same options the parser accepts', () => {
    const bash = completionScript('bash');
    expect(bash).toContain('complete -F _kafka_topics kafka-topics kafka-topics.sh');
    expect(bash).toContain('complete -F _kafka_console_consumer kafka-console-consumer kafka-console-consumer.sh');
    for (const option of topicsSpec.options.filter((o) => !o.hidden)) expect(bash).toContain(`--${option.name}`);
    expect(bash).not.toContain('--zookeeper');
    expect(bash).toContain('--command-config) COMPREPLY=( $(compgen -f -- "$cur") )');
    const zsh = completionScript('zsh');
    const names = COMMANDS.flatMap((c) => [c.spec.name, `${c.spec.name}.sh`]);
    expect(names).toEqual(expect.arrayContaining(['kafka-server-start', 'kafka-topics.sh', 'kafka-console-consumer', 'kafka-dump-log']));
    expect(zsh.split('\n')[0]).toBe(`#compdef ${names.join(' ')}`);
    // every command has its two shims in bin/
    for (const name of names) expect(fs.existsSync(path.join(BIN_DIR, name)), name).toBe(true);
    // ... and is installed under both names by npm install -g
    const pkg = JSON.parse(fs.readFileSync(path.join(BIN_DIR, '..', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin).sort()).toEqual([...names].sort());
    expect(zsh).toContain("'*--config[");
    const fish = completionScript('fish');
    for (const name of names) expect(fish).toContain(`complete -c ${name} `);
    // --topic and --group complete live names from the broker on the line, in every shell
    expect(bash).toContain('--topic) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-topics)" -- "$cur") )');
    expect(bash).toContain('--group) COMPREPLY=( $(compgen -W "$(_kafka_ts_names kafka-consumer-groups)" -- "$cur") )');
    expect(zsh).toContain(':String topic:_kafka_ts_names kafka-topics\'');
    expect(fish).toContain("complete -c kafka-topics -l topic -x -a '(__kafka_ts_names kafka-topics)'");
    expect(fish).toContain("complete -c kafka-console-consumer.sh -l group -x -a '(__kafka_ts_names kafka-consumer-groups)'");
  });
});

describe('committed completions/', () => {
  it('are what the generator produces today (regenerate with kafka-topics --completion bash|zsh|fish)', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.resolve(import.meta.dirname, '..', '..');
    expect(fs.readFileSync(path.join(root, 'completions', 'kafka-ts.bash'), 'utf8')).toBe(completionScript('bash'));
    expect(fs.readFileSync(path.join(root, 'completions', '_kafka-ts'), 'utf8')).toBe(completionScript('zsh'));
    expect(fs.readFileSync(path.join(root, 'completions', 'kafka-ts.fish'), 'utf8')).toBe(completionScript('fish'));
  });
});

describe('forgiving the way tutorials are typed', () => {
  it('joins double dashes split by a space ("- -create", "- - topic")', () => {
    const o = topics('-', '-create', '-', '-zookeeper', 'master:2181', '-', '-partitions', '3', '-', '-', 'topic', 'test');
    expect(o.action).toBe('create');
    expect(o.viaZookeeper).toBe(true);
    expect(o.topic).toBe('test');
    expect(o.partitions).toBe(3);
  });

  it('refuses abbreviations as Kafka does, but names the option meant', () => {
    expect(() => consumer('--bootstrap', 'localhost:9092', '--topic', 't')).toThrow(
      new UsageError('bootstrap is not a recognized option (did you mean --bootstrap-server?)'),
    );
  });

  it('suggests the option a typo most likely meant', () => {
    expect(() => consumer('--bootstrap-server', 'h:1', '--from-begining', '--topic', 't')).toThrow(
      new UsageError('from-begining is not a recognized option (did you mean --from-beginning?)'),
    );
    expect(() => topics('--bootstrap-server', 'h:1', '--create', '--topic', 't', '--partitiosns', '3')).toThrow(
      'partitiosns is not a recognized option (did you mean --partitions?)',
    );
    expect(() => topics('--bootstrap-server', 'h:1', '--list', '--xyzzy')).toThrow(/^xyzzy is not a recognized option$/);
  });
});
