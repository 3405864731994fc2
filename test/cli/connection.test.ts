/** The one-line "cannot connect" error names the option the brokers were given with. */
import { describe, expect, it } from 'vitest';
import { describeClientError, unreachableMessage } from '../../src/cli/connection.js';

describe('cannot-connect hints', () => {
  it('points at the option the user wrote', () => {
    expect(unreachableMessage(['h:9092'], 'connection refused', '--broker-list'))
      .toBe('Cannot connect to the Kafka broker at h:9092 (connection refused). Is a broker running there? Start one with kafka-server-start, or point --broker-list at a running broker.');
    expect(unreachableMessage(['a:1', 'b:2'], 'connection refused', '--bootstrap-server'))
      .toBe('Cannot connect to the Kafka broker at a:1,b:2 (connection refused). Is a broker running there? Start one with kafka-server-start, or point --bootstrap-server at a running broker.');
  });

  it('asks about the host name when it does not resolve', () => {
    expect(unreachableMessage(['nosuchhost:9092'], 'unknown host', '--broker-list'))
      .toBe('Cannot connect to the Kafka broker at nosuchhost:9092 (unknown host). Check the host name, or point --broker-list at a running broker.');
  });

  it('explains what --zookeeper stood for', () => {
    expect(unreachableMessage(['localhost:9092'], 'connection refused', '--zookeeper'))
      .toBe('Cannot connect to the Kafka broker at localhost:9092 (connection refused). Is a broker running there? Start one with kafka-server-start, or name a running broker with --bootstrap-server (this Kafka has no ZooKeeper, so --zookeeper only stands for localhost:9092).');
  });

  it('uses the same hint when kafkajs loses the connection later', () => {
    const err = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9'), { name: 'KafkaJSConnectionError' });
    expect(describeClientError(err, ['127.0.0.1:9'], '--broker-list')).toContain('point --broker-list at a running broker');
  });
});
