/**
 * ControllerForwarder: a forwarded admin request that finds no active controller before
 * its deadline answers REQUEST_TIMED_OUT naming the cause (the controller quorum has no
 * leader) rather than NOT_CONTROLLER or a network failure the client would wait out;
 * the controller's own per-topic errors pass through unchanged.
 */
import { describe, expect, it } from 'vitest';
import { ControllerForwarder, FORWARD_TIMEOUT_MS } from '../../src/cluster/controller-forwarder.js';
import type { ControllerChannel } from '../../src/cluster/controller-channel.js';
import { NetworkError } from '../../src/network/index.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';

function channelThat(send: (options: { timeoutMs?: number }) => Promise<unknown>): { channel: ControllerChannel; timeouts: Array<number | undefined> } {
  const timeouts: Array<number | undefined> = [];
  const fake = {
    send: (_apiKey: number, _body: unknown, options: { timeoutMs?: number }) => {
      timeouts.push(options.timeoutMs);
      return send(options);
    },
    describeTargets: () => '127.0.0.2:9093,127.0.0.3:9093',
  };
  return { channel: fake as unknown as ControllerChannel, timeouts };
}

const spec = { numPartitions: 1, replicationFactor: 3, assignments: null, configs: {} };

describe('ControllerForwarder without an active controller', () => {
  it('answers REQUEST_TIMED_OUT naming the quorum when every controller said NOT_CONTROLLER', async () => {
    const { channel, timeouts } = channelThat(() => Promise.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, '127.0.0.3:9093 is not the active controller.')));
    const err = await new ControllerForwarder(channel).createTopic('t', spec, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect((err as KafkaError).message).toContain('the controller quorum has no leader');
    expect((err as KafkaError).message).toContain('127.0.0.2:9093,127.0.0.3:9093');
    // bounded below the clients' 30 s request.timeout.ms, so they hear the answer
    expect(timeouts).toEqual([FORWARD_TIMEOUT_MS]);
    expect(FORWARD_TIMEOUT_MS).toBeLessThan(30_000);
  });

  it('answers REQUEST_TIMED_OUT when no controller could be reached', async () => {
    const { channel } = channelThat(() => Promise.reject(new NetworkError('connection refused', { kind: 'connection-refused', host: '127.0.0.2', port: 9093, phase: 'connect' })));
    const err = await new ControllerForwarder(channel, 500).deleteTopic('t').catch((e: unknown) => e);
    expect((err as KafkaError).code).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect((err as KafkaError).message).toMatch(/^No active controller answered within 500 ms/);
  });

  it('passes the controller\'s own refusal through', async () => {
    const { channel } = channelThat(() =>
      Promise.resolve({ version: 7, response: { throttleTimeMs: 0, topics: [{ name: 't', topicId: '', errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 't' already exists.", topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: null }] } }),
    );
    const err = await new ControllerForwarder(channel).createTopic('t', spec, false).catch((e: unknown) => e);
    expect((err as KafkaError).code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect((err as KafkaError).message).toBe("Topic 't' already exists.");
  });
});
