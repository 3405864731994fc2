/**
 * Admin operations a node receives while another node is the active controller
 * (Kafka 3.x's ForwardingManager, without the Envelope: the same request is sent on to
 * the controller through the ControllerChannel). Each method sends one request for one
 * resource and turns a per-resource error back into the KafkaError (code and message)
 * the controller answered, so the handler that received the request answers exactly as
 * the controller would have.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { NetworkError } from '../network/index.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type {
  AlterConfigsResponse,
  AlterPartitionReassignmentsResponse,
  CreatePartitionsResponse,
  CreateTopicsResponse,
  DeleteTopicsResponse,
  ElectLeadersResponse,
  IncrementalAlterConfigsResponse,
} from '../protocol/generated/types.js';
import type { AlterConfigOp, CreateTopicSpec, ElectionResult, PartitionRef } from '../broker/services/metadata-service.js';
import type { ControllerChannel } from './controller-channel.js';

/** IncrementalAlterConfigs OpType ids. */
const OP_TYPE = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
/** Controller-side timeout sent in admin requests (Kafka's default.api.timeout.ms is longer; the request waits for the commit only). */
const TIMEOUT_MS = 30_000;
/**
 * How long a forwarded admin request looks for an active controller and waits for its answer.
 * Below the clients' request.timeout.ms (30 s in Kafka's clients and kafkajs), so that with no
 * controller quorum the client hears REQUEST_TIMED_OUT with a reason instead of a silence.
 */
export const FORWARD_TIMEOUT_MS = 10_000;

interface SendOptions<T> {
  minVersion: number;
  maxVersion: number;
  notController: (response: T) => boolean;
}

export interface ForwardedTopic {
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
}

function fail(errorCode: number, errorMessage: string | null | undefined): never {
  throw new KafkaError(errorCode, errorMessage ?? '');
}

export class ControllerForwarder {
  constructor(
    private readonly channel: ControllerChannel,
    private readonly timeoutMs: number = FORWARD_TIMEOUT_MS,
  ) {}

  /**
   * One forwarded request. When no controller answered as active before the deadline (all
   * down, or the quorum has no leader because a majority of voters is down) the client gets
   * REQUEST_TIMED_OUT naming the cause, as Kafka's ForwardingManager answers a request whose
   * controller call timed out.
   */
  private async send<T>(apiKey: number, body: unknown, options: SendOptions<T>): Promise<{ version: number; response: T }> {
    try {
      return await this.channel.send<T>(apiKey, body, { ...options, timeoutMs: this.timeoutMs });
    } catch (err) {
      if (err instanceof NetworkError || (err instanceof KafkaError && err.code === ErrorCode.NOT_CONTROLLER)) {
        throw new KafkaError(
          ErrorCode.REQUEST_TIMED_OUT,
          `No active controller answered within ${this.timeoutMs} ms (asked ${this.channel.describeTargets()}): the controller quorum has no leader; a majority of controller.quorum.voters must be running (${err.message})`,
        );
      }
      throw err;
    }
  }

  async createTopic(name: string, spec: CreateTopicSpec, validateOnly: boolean): Promise<ForwardedTopic> {
    const { response } = await this.send<CreateTopicsResponse>(
      ApiKey.CreateTopics,
      {
        topics: [
          {
            name,
            numPartitions: spec.assignments && spec.assignments.length > 0 ? -1 : spec.numPartitions,
            replicationFactor: spec.assignments && spec.assignments.length > 0 ? -1 : spec.replicationFactor,
            assignments: (spec.assignments ?? []).map((a) => ({ partitionIndex: a.partition, brokerIds: [...a.brokerIds] })),
            configs: Object.entries(spec.configs ?? {}).map(([key, value]) => ({ name: key, value })),
          },
        ],
        timeoutMs: TIMEOUT_MS,
        validateOnly,
      },
      { minVersion: 5, maxVersion: 7, notController: (r) => r.topics.some((t) => t.errorCode === ErrorCode.NOT_CONTROLLER) },
    );
    const result = response.topics.find((t) => t.name === name) ?? fail(ErrorCode.UNKNOWN_SERVER_ERROR, `The controller did not answer for topic ${name}.`);
    if (result.errorCode !== ErrorCode.NONE) fail(result.errorCode, result.errorMessage);
    return { topicId: result.topicId, numPartitions: result.numPartitions, replicationFactor: result.replicationFactor };
  }

  async deleteTopic(name: string): Promise<void> {
    const { response } = await this.send<DeleteTopicsResponse>(
      ApiKey.DeleteTopics,
      { topics: [], topicNames: [name], timeoutMs: TIMEOUT_MS },
      { minVersion: 4, maxVersion: 5, notController: (r) => r.responses.some((t) => t.errorCode === ErrorCode.NOT_CONTROLLER) },
    );
    const result = response.responses.find((t) => t.name === name) ?? response.responses[0];
    if (result !== undefined && result.errorCode !== ErrorCode.NONE) fail(result.errorCode, result.errorMessage);
  }

  async createPartitions(name: string, totalCount: number, assignments: number[][] | null | undefined, validateOnly: boolean): Promise<void> {
    const { response } = await this.send<CreatePartitionsResponse>(
      ApiKey.CreatePartitions,
      {
        topics: [{ name, count: totalCount, assignments: assignments ? assignments.map((brokerIds) => ({ brokerIds: [...brokerIds] })) : null }],
        timeoutMs: TIMEOUT_MS,
        validateOnly,
      },
      { minVersion: 0, maxVersion: 3, notController: (r) => r.results.some((t) => t.errorCode === ErrorCode.NOT_CONTROLLER) },
    );
    const result = response.results.find((t) => t.name === name);
    if (result !== undefined && result.errorCode !== ErrorCode.NONE) fail(result.errorCode, result.errorMessage);
  }

  async replaceConfigs(resourceType: number, resourceName: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<void> {
    const { response } = await this.send<AlterConfigsResponse>(
      ApiKey.AlterConfigs,
      { resources: [{ resourceType, resourceName, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }], validateOnly },
      { minVersion: 0, maxVersion: 2, notController: (r) => r.responses.some((t) => t.errorCode === ErrorCode.NOT_CONTROLLER) },
    );
    const result = response.responses[0];
    if (result !== undefined && result.errorCode !== ErrorCode.NONE) fail(result.errorCode, result.errorMessage);
  }

  async incrementalAlterConfigs(resourceType: number, resourceName: string, ops: readonly AlterConfigOp[], validateOnly: boolean): Promise<void> {
    const { response } = await this.send<IncrementalAlterConfigsResponse>(
      ApiKey.IncrementalAlterConfigs,
      {
        resources: [{ resourceType, resourceName, configs: ops.map((op) => ({ name: op.name, configOperation: OP_TYPE[op.op], value: op.value })) }],
        validateOnly,
      },
      { minVersion: 0, maxVersion: 1, notController: (r) => r.responses.some((t) => t.errorCode === ErrorCode.NOT_CONTROLLER) },
    );
    const result = response.responses[0];
    if (result !== undefined && result.errorCode !== ErrorCode.NONE) fail(result.errorCode, result.errorMessage);
  }

  async electLeaders(electionType: number, partitions: readonly PartitionRef[] | null): Promise<ElectionResult[]> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const { response } = await this.send<ElectLeadersResponse>(
      ApiKey.ElectLeaders,
      {
        electionType,
        topicPartitions: partitions === null ? null : [...byTopic].map(([topic, ids]) => ({ topic, partitions: ids })),
        timeoutMs: TIMEOUT_MS,
      },
      { minVersion: 1, maxVersion: 2, notController: (r) => r.errorCode === ErrorCode.NOT_CONTROLLER },
    );
    if (response.errorCode !== ErrorCode.NONE) {
      const first = response.replicaElectionResults[0]?.partitionResult[0];
      fail(response.errorCode, first?.errorMessage);
    }
    return response.replicaElectionResults.flatMap((t) =>
      t.partitionResult.map((p) => ({ topic: t.topic, partition: p.partitionId, errorCode: p.errorCode, errorMessage: p.errorMessage })),
    );
  }

  async alterPartitionReassignment(topic: string, partition: number, replicas: readonly number[] | null): Promise<void> {
    const { response } = await this.send<AlterPartitionReassignmentsResponse>(
      ApiKey.AlterPartitionReassignments,
      { timeoutMs: TIMEOUT_MS, topics: [{ name: topic, partitions: [{ partitionIndex: partition, replicas: replicas === null ? null : [...replicas] }] }] },
      { minVersion: 0, maxVersion: 0, notController: (r) => r.errorCode === ErrorCode.NOT_CONTROLLER },
    );
    if (response.errorCode !== ErrorCode.NONE) fail(response.errorCode, response.errorMessage);
    const result = response.responses[0]?.partitions[0];
    if (result !== undefined && result.errorCode !== ErrorCode.NONE) fail(result.errorCode, result.errorMessage);
  }
}
