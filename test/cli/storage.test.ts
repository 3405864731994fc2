import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatStorage, METADATA_VERSION, storageArgs, storageInfo } from '../../src/cli/commands/kafka-storage.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { readMetaProperties } from '../../src/storage/log-manager.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function node(lines: string[]): { file: string; base: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-storage-'));
  dirs.push(base);
  const file = path.join(base, 'server.properties');
  fs.writeFileSync(file, lines.map((l) => l.replaceAll('$BASE', base)).join('\n') + '\n');
  return { file, base };
}

const COMBINED = [
  'process.roles=broker,controller', 'node.id=1', 'controller.quorum.voters=1@localhost:9093',
  'listeners=PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names=CONTROLLER', 'log.dirs=$BASE/a,$BASE/b',
];
const ID = 'MkU3OEVBNTcwNTJENDM2Qk';
const OTHER = 'q1Sh-9_ISia_zwGINzRvyQ';

function run(argv: string[]): { lines: string[]; code: number } {
  const lines: string[] = [];
  const args = storageArgs(argv);
  const code = args.subcommand === 'format' ? (formatStorage(args, (l) => lines.push(l)), 0) : storageInfo(args, (l) => lines.push(l));
  return { lines, code };
}

describe('kafka-storage format', () => {
  it("formats every log dir with Kafka's line and writes meta.properties version=1, cluster.id, node.id", () => {
    const { file, base } = node(COMBINED);
    const { lines } = run(['format', '-t', ID, '-c', file]);
    expect(lines).toEqual([
      `Formatting ${base}/a with metadata.version ${METADATA_VERSION}.`,
      `Formatting ${base}/b with metadata.version ${METADATA_VERSION}.`,
    ]);
    expect(readMetaProperties(path.join(base, 'a'))).toEqual({ version: 1, clusterId: ID, brokerId: 1 });
    expect(fs.readFileSync(path.join(base, 'b', 'meta.properties'), 'utf8')).toMatch(/^version=1$/m);
  });

  it('refuses a formatted dir unless --ignore-formatted, and then says all are formatted', () => {
    const { file, base } = node(COMBINED);
    run(['format', '--cluster-id', ID, '--config', file]);
    expect(() => run(['format', '-t', ID, '-c', file])).toThrow(new CliError(`Log directory ${base}/a is already formatted. Use --ignore-formatted to ignore this directory and format the others.`));
    expect(run(['format', '-t', ID, '-c', file, '-g']).lines).toEqual(['All of the log directories are already formatted.']);
  });

  it("refuses a dir formatted for another cluster with MetaPropertiesEnsemble's words, even with --ignore-formatted", () => {
    const { file, base } = node(COMBINED);
    run(['format', '-t', ID, '-c', file]);
    expect(() => run(['format', '-t', OTHER, '-c', file, '--ignore-formatted']))
      .toThrow(new CliError(`Invalid cluster.id in: ${base}/a/meta.properties. Expected ${OTHER}, but read ${ID}`));
  });

  it('refuses ZooKeeper-style configs, --standalone on a broker, and a controller without voters or --standalone', () => {
    const zk = node(['broker.id=0', 'zookeeper.connect=localhost:2181', 'log.dirs=$BASE/d']);
    expect(() => run(['format', '-t', ID, '-c', zk.file])).toThrow('The kafka configuration file appears to be for a legacy cluster. Formatting is only supported for clusters in KRaft mode.');
    const broker = node(['process.roles=broker', 'node.id=2', 'controller.quorum.voters=1@localhost:9093', 'controller.listener.names=CONTROLLER', 'listeners=PLAINTEXT://:9092', 'log.dirs=$BASE/d']);
    expect(() => run(['format', '-t', ID, '-c', broker.file, '--standalone'])).toThrow('You can only use --standalone on a controller.');
    const controller = node(['process.roles=controller', 'node.id=1', 'controller.quorum.bootstrap.servers=localhost:9093', 'controller.listener.names=CONTROLLER', 'listeners=CONTROLLER://:9093', 'log.dirs=$BASE/d']);
    expect(() => run(['format', '-t', ID, '-c', controller.file])).toThrow('Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.');
    expect(run(['format', '-t', ID, '-c', controller.file, '-s']).lines).toEqual([`Formatting ${controller.base}/d with metadata.version ${METADATA_VERSION}.`]);
  });

  it('refuses a zookeeper.properties file, naming it', () => {
    const zk = node(['dataDir=$BASE/zk', 'clientPort=2181']);
    expect(() => run(['format', '-t', ID, '-c', zk.file])).toThrow(`${zk.file} is a zookeeper.properties file; zookeeper-server-start formats its dataDir itself.`);
  });

  it('the stock single-broker file (no process.roles) may be formatted too, as Kafka 4.0 tutorials do with config/server.properties', () => {
    const { file, base } = node(['broker.id=0', 'log.dirs=$BASE/logs']);
    expect(run(['format', '--standalone', '-t', ID, '-c', file]).lines).toEqual([`Formatting ${base}/logs with metadata.version ${METADATA_VERSION}.`]);
  });

  it('usage errors name the missing argument', () => {
    expect(() => storageArgs(['format', '-c', 'x'])).toThrow(new UsageError('argument --cluster-id/-t is required'));
    expect(() => storageArgs(['info'])).toThrow(new UsageError('argument --config/-c is required'));
    expect(() => storageArgs([])).toThrow(UsageError);
  });
});

describe('kafka-storage info', () => {
  it("prints Kafka's report of a formatted node, exit 0", () => {
    const { file, base } = node(COMBINED);
    run(['format', '-t', ID, '-c', file]);
    expect(run(['info', '-c', file])).toEqual({
      code: 0,
      lines: ['Found log directories:', `  ${base}/a`, `  ${base}/b`, '', `Found metadata: {cluster.id=${ID}, node.id=1, version=1}`, ''],
    });
  });

  it('lists the problems of an unformatted node, exit 1', () => {
    const { file, base } = node(COMBINED);
    fs.mkdirSync(path.join(base, 'a'));
    expect(run(['info', '-c', file])).toEqual({
      code: 1,
      lines: ['Found log directory:', `  ${base}/a`, '', 'Found problems:', `  ${base}/a is not formatted.`, `  ${base}/b does not exist`, ''],
    });
  });
});
