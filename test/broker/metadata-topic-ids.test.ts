/**
 * Metadata v10-11 carry a TopicId field, but Kafka serves topics by id only from v12: an id
 * there is INVALID_REQUEST for each topic, and so is a null name (answered with an empty
 * one: the field is not nullable there). Found by the protocol fuzz test, where the
 * v10-11 response failed to encode a null topic name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { WireClient } from './fetch-wire.js';
import { ErrorCode } from '../../src/protocol/errors.js';

let broker: TestBroker;
let topicId: string;
beforeAll(async () => {
  broker = await startTestBroker();
  const client = await WireClient.connect(broker.port);
  topicId = await client.createTopic('by-id');
  client.close();
});
afterAll(async () => {
  await broker.close();
});

const request = (topics: { name: string | null; topicId: string }[]) => ({
  topics,
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
});

describe('Metadata by topic id', () => {
  it('answers INVALID_REQUEST per topic for an id below v12, and serves it from v12', async () => {
    const client = await WireClient.connect(broker.port);
    try {
      for (const version of [10, 11]) {
        const res = await client.send(3, version, request([{ name: 'by-id', topicId }]));
        expect(res.topics.map((t: { name: string; errorCode: number }) => [t.name, t.errorCode])).toEqual([['by-id', ErrorCode.INVALID_REQUEST]]);
      }
      const v12 = await client.send(3, 12, request([{ name: null, topicId }]));
      expect(v12.topics.map((t: { name: string; errorCode: number }) => [t.name, t.errorCode])).toEqual([['by-id', ErrorCode.NONE]]);
    } finally {
      client.close();
    }
  });

  it('answers a null topic name below v12 with INVALID_REQUEST, logging no unexpected error', async () => {
    const client = await WireClient.connect(broker.port);
    try {
      const res = await client.send(3, 11, request([{ name: null, topicId }]));
      expect(res.topics.map((t: { name: string; errorCode: number }) => [t.name, t.errorCode])).toEqual([['', ErrorCode.INVALID_REQUEST]]);
    } finally {
      client.close();
    }
    expect(broker.lines.filter((l) => l.includes('failed unexpectedly'))).toEqual([]);
  });
});
