import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectNodes, stopSelection } from '../../src/cli/commands/kafka-server-stop.js';
import { UsageError } from '../../src/cli/errors.js';
import { readPidFile, writePidFile, type PidFileEntry } from '../../src/cli/pid-files.js';

function entry(pid: number, nodeId: string, roles: string): PidFileEntry {
  return { pid, listeners: [], logDirs: [], fields: { 'node.id': nodeId, 'process.roles': roles }, file: `${pid}.pid` };
}

describe('kafka-server-stop --node-id / --process-role', () => {
  const nodes = [entry(10, '1', 'controller'), entry(11, '2', 'broker'), entry(12, '3', 'broker'), entry(13, '4', 'broker,controller')];

  it('picks the node by node.id, or the nodes whose process.roles is exactly the role', () => {
    expect(selectNodes(nodes, { nodeId: 2 }).map((n) => n.pid)).toEqual([11]);
    expect(selectNodes(nodes, { processRole: 'broker' }).map((n) => n.pid)).toEqual([11, 12]);
    expect(selectNodes(nodes, { processRole: 'controller' }).map((n) => n.pid)).toEqual([10]);
    expect(selectNodes(nodes, { processRole: 'controller,broker' }).map((n) => n.pid)).toEqual([13]);
    expect(selectNodes(nodes, {}).map((n) => n.pid)).toEqual([10, 11, 12, 13]);
    expect(selectNodes(nodes, { nodeId: 9 })).toEqual([]);
  });

  it("says node id wins when both are given, with Kafka's sentence", () => {
    const { selection, notes } = stopSelection(['--node-id=3', '--process-role=controller']);
    expect(selection).toEqual({ nodeId: 3, processRole: 'controller' });
    expect(notes).toEqual(['When both node-id and process-role are provided, the value for node-id will take precedence']);
    expect(selectNodes(nodes, selection).map((n) => n.pid)).toEqual([12]);
  });

  it('refuses a role or id it cannot match', () => {
    expect(() => stopSelection(['--process-role=zookeeper'])).toThrow(UsageError);
    expect(() => stopSelection(['--node-id=one'])).toThrow(UsageError);
  });

  it('pid files carry node.id and process.roles for it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid-'));
    try {
      const file = writePidFile(4242, ['PLAINTEXT://localhost:9092'], ['/tmp/x'], dir, { 'node.id': '7', 'process.roles': 'broker' });
      expect(readPidFile(file)).toEqual({ pid: 4242, listeners: ['PLAINTEXT://localhost:9092'], logDirs: ['/tmp/x'], fields: { 'node.id': '7', 'process.roles': 'broker' }, file });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
