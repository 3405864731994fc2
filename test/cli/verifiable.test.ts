/**
 * Golden tests for the verifiable producer/consumer JSON events (kafka-outputs-more.md §3:
 * the real lines with their timestamps put back in), their arguments, and the
 * RangeAssignor the consumer uses by default.
 */
import { describe, expect, it } from 'vitest';
import { consumerEvents, rangeAssign, verifiableConsumerSettings } from '../../src/cli/commands/kafka-verifiable-consumer.js';
import { producerEvents, verifiableProducerSettings } from '../../src/cli/commands/kafka-verifiable-producer.js';

describe('verifiable producer events', () => {
  it('are the real lines, field for field', () => {
    expect(producerEvents.startupComplete(1796262980456)).toBe('{"timestamp":1796262980456,"name":"startup_complete"}');
    expect(producerEvents.sendSuccess(1796262980689, null, '0', 'vt', 0, 0n))
      .toBe('{"timestamp":1796262980689,"name":"producer_send_success","key":null,"value":"0","offset":0,"topic":"vt","partition":0}');
    expect(producerEvents.sendSuccess(1796262983529, '0', '7.0', 'vt', 0, 5n))
      .toBe('{"timestamp":1796262983529,"name":"producer_send_success","key":"0","value":"7.0","offset":5,"topic":"vt","partition":0}');
    expect(producerEvents.shutdownComplete(1796262980701)).toBe('{"timestamp":1796262980701,"name":"shutdown_complete"}');
    expect(producerEvents.toolData(1796262980702, 5, 5, -1, 20.080321285140563))
      .toBe('{"timestamp":1796262980702,"name":"tool_data","sent":5,"acked":5,"target_throughput":-1,"avg_throughput":20.080321285140563}');
  });

  it('write a whole-number throughput as a Java double and an error with its exception class', () => {
    expect(producerEvents.toolData(1, 10, 10, 100, 20)).toBe('{"timestamp":1,"name":"tool_data","sent":10,"acked":10,"target_throughput":100,"avg_throughput":20.0}');
    expect(producerEvents.sendError(2, null, '7.4', 't', 'org.apache.kafka.common.errors.NotEnoughReplicasException', 'Messages are rejected since there are fewer in-sync replicas than required.'))
      .toBe('{"timestamp":2,"name":"producer_send_error","topic":"t","key":null,"value":"7.4","exception":"class org.apache.kafka.common.errors.NotEnoughReplicasException","message":"Messages are rejected since there are fewer in-sync replicas than required."}');
  });

  it('reads the options, --broker-list included, with Kafka defaults', () => {
    const s = verifiableProducerSettings(['--topic', 'vt', '--broker-list', 'localhost:9092', '--value-prefix', '7', '--repeating-keys', '2']);
    expect(s).toMatchObject({ topic: 'vt', brokers: ['localhost:9092'], maxMessages: -1, throughput: -1, acks: -1, valuePrefix: 7, repeatingKeys: 2 });
    expect(s.properties.retries).toBe('0');
    expect(() => verifiableProducerSettings(['--topic', 'vt'])).toThrow('one of the arguments --bootstrap-server --broker-list is required');
    expect(() => verifiableProducerSettings(['--bootstrap-server', 'h:1'])).toThrow('argument --topic is required');
    expect(() => verifiableProducerSettings(['--topic', 't', '--bootstrap-server', 'h:1', '--acks', '2'])).toThrow("argument --acks: invalid choice: '2' (choose from 0, 1, -1)");
    expect(() => verifiableProducerSettings(['--topic', 't', '--bootstrap-server', 'h:1', '--max-messages', 'ten'])).toThrow("argument --max-messages: could not convert 'ten' to an integer");
  });
});

describe('verifiable consumer events', () => {
  const vt0 = [{ topic: 'vt', partition: 0 }];

  it('are the real lines, field for field', () => {
    expect(consumerEvents.startupComplete(1796262981799)).toBe('{"timestamp":1796262981799,"name":"startup_complete"}');
    expect(consumerEvents.partitionsAssigned(1796262982096, vt0)).toBe('{"timestamp":1796262982096,"name":"partitions_assigned","partitions":[{"topic":"vt","partition":0}]}');
    expect(consumerEvents.recordsConsumed(1796262982153, 5, [{ topic: 'vt', partition: 0, count: 5, minOffset: 0n, maxOffset: 4n }]))
      .toBe('{"timestamp":1796262982153,"name":"records_consumed","count":5,"partitions":[{"topic":"vt","partition":0,"count":5,"minOffset":0,"maxOffset":4}]}');
    expect(consumerEvents.offsetsCommitted(1796262982159, [{ topic: 'vt', partition: 0, offset: 5n }], null))
      .toBe('{"timestamp":1796262982159,"name":"offsets_committed","offsets":[{"topic":"vt","partition":0,"offset":5}],"success":true}');
    expect(consumerEvents.partitionsRevoked(1796262982163, vt0)).toBe('{"timestamp":1796262982163,"name":"partitions_revoked","partitions":[{"topic":"vt","partition":0}]}');
    expect(consumerEvents.shutdownComplete(1796262982169)).toBe('{"timestamp":1796262982169,"name":"shutdown_complete"}');
    expect(consumerEvents.recordData(1796262984973, '0', '7.0', 'vt', 0, 5n))
      .toBe('{"timestamp":1796262984973,"name":"record_data","key":"0","value":"7.0","topic":"vt","partition":0,"offset":5}');
    expect(consumerEvents.recordData(1796262984971, null, '0', 'vt', 0, 0n))
      .toBe('{"timestamp":1796262984971,"name":"record_data","key":null,"value":"0","topic":"vt","partition":0,"offset":0}');
  });

  it('report a failed commit with its error before success', () => {
    expect(consumerEvents.offsetsCommitted(1, [{ topic: 't', partition: 1, offset: 3n }], 'the group is rebalancing'))
      .toBe('{"timestamp":1,"name":"offsets_committed","offsets":[{"topic":"t","partition":1,"offset":3}],"error":"the group is rebalancing","success":false}');
  });

  it('reads the options with Kafka defaults and names what is missing', () => {
    const s = verifiableConsumerSettings(['--group-id', 'vg', '--topic', 'vt', '--broker-list', 'localhost:9092', '--group-instance-id', 'vi']);
    expect(s).toMatchObject({ groupId: 'vg', topic: 'vt', maxMessages: -1, sessionTimeoutMs: 30000, autoCommit: false, resetPolicy: 'earliest', assignor: 'range', verbose: false });
    expect(verifiableConsumerSettings(['--group-id', 'g', '--topic', 't', '--bootstrap-server', 'h:1', '--assignment-strategy', 'org.apache.kafka.clients.consumer.RoundRobinAssignor']).assignor).toBe('roundrobin');
    expect(() => verifiableConsumerSettings(['--topic', 't', '--bootstrap-server', 'h:1'])).toThrow('argument --group-id is required');
    expect(() => verifiableConsumerSettings(['--group-id', 'g', '--topic', 't', '--bootstrap-server', 'h:1', '--reset-policy', 'oldest'])).toThrow('Invalid --reset-policy oldest');
    expect(() => verifiableConsumerSettings(['--group-id', 'g', '--topic', 't', '--bootstrap-server', 'h:1', '--assignment-strategy', 'org.example.Mine'])).toThrow('--assignment-strategy org.example.Mine is not available');
  });
});

describe('rangeAssign (RangeAssignor)', () => {
  it('splits each topic into contiguous ranges over members sorted by id, the first ones larger', () => {
    const members = [{ memberId: 'b', topics: ['t'] }, { memberId: 'a', topics: ['t', 'u'] }];
    const result = rangeAssign(members, new Map([['t', 5], ['u', 2]]));
    expect(Object.fromEntries(result.get('a')!)).toEqual({ t: [0, 1, 2], u: [0, 1] });
    expect(Object.fromEntries(result.get('b')!)).toEqual({ t: [3, 4] });
  });

  it('leaves members without partitions when there are fewer partitions than members', () => {
    const result = rangeAssign([{ memberId: 'x', topics: ['t'] }, { memberId: 'y', topics: ['t'] }], new Map([['t', 1]]));
    expect(Object.fromEntries(result.get('x')!)).toEqual({ t: [0] });
    expect(result.get('y')!.size).toBe(0);
  });
});
