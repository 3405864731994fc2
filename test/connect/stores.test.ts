/**
 * The internal topics' records as a Java Connect cluster writes them (keys and JSON
 * from Kafka's KafkaConfigBackingStore / KafkaStatusBackingStore / offsets), applied in
 * order: task configs appear only with their commit record, tombstones remove, configs
 * read back list in HashMap order; and what this worker writes has those same keys.
 */
import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ConfigStore, KafkaOffsetStore, StatusStore } from '../../src/connect/distributed/stores.js';

const b = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s));

/** A producer that records what it was asked to send. */
function recordingProducer(): { producer: Producer; sent: Array<{ topic: string; key: string; value: string | null }> } {
  const sent: Array<{ topic: string; key: string; value: string | null }> = [];
  const producer = {
    send: async (record: { topic: string; messages: Array<{ key: string; value: string | null }> }) => {
      for (const m of record.messages) sent.push({ topic: record.topic, key: m.key, value: m.value });
      return [];
    },
  } as unknown as Producer;
  return { producer, sent };
}

describe('ConfigStore', () => {
  it('applies connector, task, commit and target-state records as Kafka writes them', () => {
    const store = new ConfigStore(recordingProducer().producer, 'connect-configs');
    const changes: string[] = [];
    store.onChange = (c) => changes.push(`${c.kind}:${c.connector}`);
    let offset = 0n;
    const apply = (key: string, value: string | null): void => store.apply(b(key), b(value), 0, offset++);
    apply('connector-local-file-source', '{"properties":{"connector.class":"FileStreamSource","tasks.max":"1","file":"test.txt","topic":"connect-test","name":"local-file-source"}}');
    apply('task-local-file-source-0', '{"properties":{"topic":"connect-test","file":"test.txt","task.class":"org.apache.kafka.connect.file.FileStreamSourceTask","batch.size":"2000"}}');
    expect(store.taskConfigs.has('local-file-source')).toBe(false); // not before the commit record
    apply('commit-local-file-source', '{"tasks":1}');
    apply('target-state-local-file-source', '{"state":"PAUSED"}');
    expect(Object.keys(store.connectors.get('local-file-source')!)).toEqual(['connector.class', 'file', 'tasks.max', 'name', 'topic']);
    expect(Object.keys(store.taskConfigs.get('local-file-source')![0]!)).toEqual(['file', 'task.class', 'batch.size', 'topic']);
    expect(store.targetState('local-file-source')).toBe('PAUSED');
    expect(store.position).toBe(4n);
    apply('connector-local-file-source', null);
    expect(store.connectors.has('local-file-source')).toBe(false);
    expect(store.taskConfigs.has('local-file-source')).toBe(false);
    expect(store.targetState('local-file-source')).toBe('STARTED');
    expect(changes).toEqual(['connector:local-file-source', 'tasks:local-file-source', 'target-state:local-file-source', 'connector:local-file-source']);
  });

  it('writes the same keys and JSON', async () => {
    const { producer, sent } = recordingProducer();
    const store = new ConfigStore(producer, 'connect-configs');
    await store.putConnector('s', { 'connector.class': 'FileStreamSink', topics: 't', name: 's' }, [{ topics: 't', 'task.class': 'x' }]);
    await store.putTargetState('s', 'PAUSED');
    await store.removeConnector('s');
    expect(sent.map((m) => [m.key, m.value])).toEqual([
      ['connector-s', '{"properties":{"connector.class":"FileStreamSink","topics":"t","name":"s"}}'],
      ['task-s-0', '{"properties":{"topics":"t","task.class":"x"}}'],
      ['commit-s', '{"tasks":1}'],
      ['target-state-s', '{"state":"PAUSED"}'],
      ['connector-s', null],
      ['target-state-s', null],
    ]);
  });
});

describe('StatusStore and KafkaOffsetStore', () => {
  it('read Kafka\'s status records and write them back in the same shape', async () => {
    const { producer, sent } = recordingProducer();
    const statuses = new StatusStore(producer, 'connect-status');
    statuses.apply(b('status-task-local-file-sink-0'), b('{"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:8083","generation":7}'));
    expect(statuses.tasks.get('local-file-sink-0')).toEqual({ state: 'RUNNING', trace: null, workerId: '127.0.0.1:8083', generation: 7 });
    statuses.apply(b('status-task-local-file-sink-0'), null);
    expect(statuses.tasks.size).toBe(0);
    await statuses.putConnector('c', { state: 'FAILED', trace: 'boom', workerId: 'w:1', generation: 2 });
    expect(sent[0]).toEqual({ topic: 'connect-status', key: 'status-connector-c', value: '{"state":"FAILED","trace":"boom","worker_id":"w:1","generation":2}' });
  });

  it('keep source offsets under the JSON key of connector and partition', async () => {
    const { producer, sent } = recordingProducer();
    const offsets = new KafkaOffsetStore(producer, 'connect-offsets');
    offsets.apply(b('["local-file-source",{"filename":"test.txt"}]'), b('{"position":21}'));
    expect(offsets.get('["local-file-source",{"filename":"test.txt"}]')).toBe('{"position":21}');
    await offsets.set(new Map([['["local-file-source",{"filename":"test.txt"}]', '{"position":30}']]));
    expect(sent).toEqual([{ topic: 'connect-offsets', key: '["local-file-source",{"filename":"test.txt"}]', value: '{"position":30}' }]);
    expect(offsets.entries()).toEqual([['["local-file-source",{"filename":"test.txt"}]', '{"position":30}']]);
  });
});
