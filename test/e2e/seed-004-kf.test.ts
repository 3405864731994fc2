/**
 * Seed 004 as typed, on one machine: hosts hadoop102..104 are 127.0.0.2..4, each with its
 * own install directory holding the seed's config/server.properties (broker.id 102/103/104,
 * zookeeper.connect with the /kafka chroot; listeners added with the host's address, as the
 * issue maps hosts), a three-member zookeeper-server-start ensemble (this toolkit's
 * controllers), and the tutorial's `kf.sh` loop: `kf.sh start` runs
 * `bin/kafka-server-start.sh -daemon config/server.properties` in each directory and forms one
 * three-broker cluster; `kf.sh stop` runs `bin/kafka-server-stop.sh` in each and stops them all.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN_DIR, requireBuiltBroker, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

const HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const NAMES = ['hadoop102', 'hadoop103', 'hadoop104'];

/** A port free on all three addresses. */
async function portOnAll(): Promise<number> {
  const free = (host: string, port: number): Promise<boolean> => new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if ((await Promise.all(HOSTS.map((h) => free(h, port)))).every(Boolean)) return port;
  }
}

const base = tempDir('kafka-ts-seed004');
const env = { KAFKA_TS_RUN_DIR: path.join(base, 'run'), LOG_DIR: path.join(base, 'logs') };
afterAll(async () => {
  await runCli('kafka-server-stop', [], { env, timeoutMs: 60_000 });
  await runCli('zookeeper-server-stop', [], { env, timeoutMs: 60_000 });
  fs.rmSync(base, { recursive: true, force: true });
});

function bash(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('seed 004: kf.sh start / stop', () => {
  it('starts three brokers with zookeeper.connect …/kafka into one cluster and stops them all', async () => {
    const clientPort = await portOnAll();
    const brokerPort = await portOnAll();
    const connect = HOSTS.map((h) => `${h}:${clientPort}`).join(',') + '/kafka';
    const dirs = NAMES.map((name) => path.join(base, name));
    dirs.forEach((dir, i) => {
      fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'zkdata'), { recursive: true });
      fs.symlinkSync(BIN_DIR, path.join(dir, 'bin'));
      fs.writeFileSync(path.join(dir, 'zkdata', 'myid'), `${i + 1}\n`);
      fs.writeFileSync(path.join(dir, 'config', 'zookeeper.properties'), [
        `dataDir=${path.join(dir, 'zkdata')}`, `clientPort=${clientPort}`, 'tickTime=2000', 'initLimit=10', 'syncLimit=5',
        ...HOSTS.map((h, j) => `server.${j + 1}=${h}:2888:3888`),
      ].join('\n') + '\n');
      // the seed's file, with its comments and its ' num.IO.threads' typo, on this "host"
      fs.writeFileSync(path.join(dir, 'config', 'server.properties'), [
        '#broker的全局唯一编号，不能重复只能是数字', `broker.id=${102 + i}`, 'num.network.threads=3', ' num.IO.threads=8',
        'socket.send.buffer.bytes=102400', 'socket.receive.buffer.bytes=102400', 'socket.request.max.bytes=104857600',
        `log.dirs=${path.join(dir, 'datas')}`, 'num.partitions=1', 'num.recovery.threads.per.data.dir=1', 'offsets.topic.replication.factor=1',
        'log.retention.hours=168', 'log.segment.bytes=1073741824', 'log.retention.check.interval.ms=300000',
        '#配置连接Zookeeper集群地址，（在zookeeper根目录创建/kafka,方便管理）', `zookeeper.connect=${connect}`,
        `listeners=PLAINTEXT://${HOSTS[i]}:${brokerPort}`,
      ].join('\n') + '\n');
    });
    for (const dir of dirs) {
      const zk = await runCli('zookeeper-server-start', ['-daemon', path.join(dir, 'config', 'zookeeper.properties')], { env, timeoutMs: 60_000 });
      expect(zk.code).toBe(0);
    }

    // the tutorial's script, its syntax mended, ssh replaced by a cd into each host's directory
    const kf = path.join(base, 'kf.sh');
    fs.writeFileSync(kf, [
      '#!/bin/bash',
      'if [ $# == 0 ]; then echo "usage: kf.sh start|stop"; exit 1; fi',
      'case $1 in',
      '"start")',
      ...dirs.map((d, i) => `  echo "============== ${NAMES[i]} 启动 kafka 集群 ==============="; (cd ${d}; bin/kafka-server-start.sh -daemon config/server.properties)`),
      '  ;;',
      '"stop")',
      ...dirs.map((d, i) => `  echo "============== ${NAMES[i]} 关闭 kafka 集群 ==============="; (cd ${d}; bin/kafka-server-stop.sh)`),
      '  ;;',
      'esac',
    ].join('\n') + '\n');
    const started = await bash(kf, ['start']);
    expect(started.code).toBe(0);
    expect(started.stdout.match(/started in the background/g)).toHaveLength(3);

    const boot = ['--bootstrap-server', `${HOSTS[0]}:${brokerPort}`];
    const created = await runCli('kafka-topics', [...boot, '--create', '--partitions', '1', '--replication-factor', '3', '--topic', 'first'], { env });
    expect(created.stdout).toBe('Created topic first.\n');
    let line = '';
    for (let i = 0; i < 60 && !/Isr: (\d+,\d+,\d+)\t/.test(line); i++) {
      line = (await runCli('kafka-topics', [...boot, '--describe', '--topic', 'first'], { env })).stdout.split('\n')[1] ?? '';
      if (!/Isr: (\d+,\d+,\d+)\t/.test(line)) await new Promise((r) => setTimeout(r, 500));
    }
    const replicas = /Replicas: ([\d,]+)/.exec(line)?.[1]?.split(',').map(Number).sort();
    expect(replicas).toEqual([102, 103, 104]);
    expect(/Isr: ([\d,]+)/.exec(line)?.[1]?.split(',').map(Number).sort()).toEqual([102, 103, 104]);

    // kf.sh stop: the first kafka-server-stop stops every broker on this machine, the next two find none (Kafka's words, exit 1, ignored by the script)
    const stopped = await bash(kf, ['stop']);
    expect(stopped.stdout.match(/No kafka server to stop/g)).toHaveLength(2);
    expect(await runCli('kafka-server-stop', [], { env })).toMatchObject({ code: 1, stdout: 'No kafka server to stop\n' });
    expect(await runCli('zookeeper-server-stop', [], { env, timeoutMs: 60_000 })).toMatchObject({ code: 0 });
  }, 180_000);
});
