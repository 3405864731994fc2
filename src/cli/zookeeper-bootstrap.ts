/**
 * The legacy `--zookeeper host:2181[/chroot]` option of kafka-topics and
 * kafka-reassign-partitions: when a controller started by zookeeper-server-start answers
 * at those hosts it serves the request (it speaks the Kafka protocol); otherwise the
 * broker at localhost:9092 does, as the tools did before there was a controller to ask.
 */
import net from 'node:net';
import { splitHostPort } from './connection.js';

/** `h1:2181,h2:2181/chroot` → `['h1:2181', 'h2:2181']` (a host without a port means 2181). */
export function zookeeperHostList(value: string): string[] {
  const hosts = value.split('/')[0] ?? '';
  return hosts.split(',').map((h) => h.trim()).filter((h) => h.length > 0).map((h) => (splitHostPort(h) ? h : `${h}:2181`));
}

/** Whether something accepts TCP connections at `address` within a second. */
export function accepting(address: string): Promise<boolean> {
  const parsed = splitHostPort(address);
  if (!parsed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect({ host: parsed.host || 'localhost', port: parsed.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Where a --zookeeper request goes, and the note said on stderr about it. */
export async function zookeeperBootstrap(hosts: readonly string[]): Promise<{ servers: string[]; note: string }> {
  const answering: string[] = [];
  for (const host of hosts) if (await accepting(host)) answering.push(host);
  if (answering.length > 0) {
    return {
      servers: answering,
      note: `Note: --zookeeper was removed in Kafka 3.0; asking the controller zookeeper-server-start runs at ${answering.join(',')} over the Kafka protocol instead. Next time use --bootstrap-server with a broker.`,
    };
  }
  return {
    servers: ['localhost:9092'],
    note: 'Note: --zookeeper was removed in Kafka 3.0 and this toolkit has no ZooKeeper; using the broker at localhost:9092 instead. Next time use --bootstrap-server localhost:9092.',
  };
}
