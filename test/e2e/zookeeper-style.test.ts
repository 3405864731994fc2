/**
 * End-to-end: zookeeper-server-start runs this toolkit's controller node on clientPort
 * (the Kafka protocol, not Apache ZooKeeper) through bin/*.sh, -daemon as tutorials type
 * it; zookeeper-server-stop stops it; kafka-server-stop leaves it alone.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, requireBuiltBroker, runCli, tempDir } from '../helpers/cli.js';

await requireBuiltBroker();

const base = tempDir('kafka-ts-zk');
const env = { KAFKA_TS_RUN_DIR: path.join(base, 'run'), LOG_DIR: path.join(base, 'logs') };
afterAll(async () => {
  // a failed assertion must not leave a daemon behind
  await runCli('zookeeper-server-stop', [], { env });
  fs.rmSync(base, { recursive: true, force: true });
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('zookeeper-server-start / zookeeper-server-stop', () => {
  it('start -daemon serves on clientPort and says plainly it is not Apache ZooKeeper; only zookeeper-server-stop stops it', async () => {
    const port = await freePort();
    const file = path.join(base, 'zookeeper.properties');
    fs.writeFileSync(file, `dataDir=${path.join(base, 'zk')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nadmin.enableServer=false\n`);
    const start = await runCli('zookeeper-server-start', ['-daemon', file], { env, timeoutMs: 60_000 });
    expect(start.code).toBe(0);
    expect(start.stderr).toBe(`zookeeper-server-start runs kafka-ts-toolkit's controller (node 3000, voters 3000@127.0.0.1:${port}) speaking the Kafka protocol on port ${port}; it is not Apache ZooKeeper. Brokers with zookeeper.connect pointing here join its cluster. Metadata in ${path.join(base, 'zk')}.\n`);
    expect(start.stdout).toMatch(new RegExp(`^The controller \\(zookeeper-server-start\\) started in the background \\(pid \\d+\\), listening on CONTROLLER://127\\.0\\.0\\.1:${port}`));
    expect(fs.readFileSync(path.join(env.LOG_DIR, 'zookeeper.out'), 'utf8')).toContain('started; listening on');
    expect(await connects(port)).toBe(true);

    // kafka-server-stop stops brokers, not the controller (Kafka's greps kafka.Kafka, not QuorumPeerMain)
    const brokerStop = await runCli('kafka-server-stop', [], { env });
    expect(brokerStop).toMatchObject({ code: 1, stdout: 'No kafka server to stop\n' });
    expect(await connects(port)).toBe(true);

    const stop = await runCli('zookeeper-server-stop', [], { env, timeoutMs: 40_000 });
    expect(stop).toMatchObject({ code: 0, stdout: '' });
    expect(await connects(port)).toBe(false);
    expect(await runCli('zookeeper-server-stop', [], { env })).toMatchObject({ code: 1, stdout: 'No zookeeper server to stop\n' });
  }, 90_000);

  it('three members (server.N lines + myid, hosts on 127.0.0.2-4) form one quorum of voters 3001-3003 with one leader', async () => {
    const port = await freePort();
    const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
    const files = hosts.map((_, i) => {
      const dataDir = path.join(base, `ens-${i + 1}`);
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'myid'), `${i + 1}\n`);
      const file = path.join(base, `zk-${i + 1}.properties`);
      fs.writeFileSync(file, [`dataDir=${dataDir}`, `clientPort=${port}`, 'tickTime=2000', 'initLimit=10', 'syncLimit=5', ...hosts.map((h, j) => `server.${j + 1}=${h}:2888:3888`)].join('\n') + '\n');
      return file;
    });
    const starts = await Promise.all(files.map((file) => runCli('zookeeper-server-start', ['-daemon', file], { env, timeoutMs: 60_000 })));
    for (const [i, start] of starts.entries()) {
      expect(start.code).toBe(0);
      expect(start.stdout).toContain(`listening on CONTROLLER://${hosts[i]}:${port}`);
    }
    const controllers = hosts.map((h) => `${h}:${port}`).join(',');
    let status = '';
    for (let i = 0; i < 40 && !/^LeaderId: +300[123]$/m.test(status); i++) {
      status = (await runCli('kafka-metadata-quorum', ['--bootstrap-controller', controllers, 'describe', '--status'])).stdout;
      if (!/^LeaderId: +300[123]$/m.test(status)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toMatch(/^LeaderId: +300[123]$/m);
    expect(status).toContain(`CurrentVoters:          [{"id": 3001, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.2:${port}"]}, {"id": 3002, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.3:${port}"]}, {"id": 3003, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.4:${port}"]}]`);
    const stop = await runCli('zookeeper-server-stop', [], { env, timeoutMs: 60_000 });
    expect(stop).toMatchObject({ code: 0, stdout: '' });
  }, 120_000);

  it('an ensemble member without its myid file is refused in one line naming the file', async () => {
    const file = path.join(base, 'ensemble.properties');
    const dataDir = path.join(base, 'zk-ensemble');
    fs.writeFileSync(file, `dataDir=${dataDir}\nclientPort=2181\nserver.1=127.0.0.2:2888:3888\nserver.2=127.0.0.3:2888:3888\nserver.3=127.0.0.4:2888:3888\n`);
    const result = await runCli('zookeeper-server-start', [file], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Invalid config, exiting abnormally: ${dataDir}/myid file is missing; write this server's N from its server.N line into it (e.g. echo 1 > ${dataDir}/myid)\n`);
  });

  it("without a file prints Kafka's usage and exits 1", async () => {
    expect(await runCli('zookeeper-server-start', [], { env })).toMatchObject({ code: 1, stdout: 'USAGE: zookeeper-server-start [-daemon] zookeeper.properties\n', stderr: '' });
  });
});
