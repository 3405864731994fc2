/**
 * Fetch (key 1), v4-17. Long poll: when fewer than MinBytes are available the
 * request waits for an append to one of its partitions or for MaxWaitMs. Empty
 * partitions carry a zero-length records field, never null (librdkafka treats null
 * as a protocol error).
 *
 * v7+: fetch sessions (KIP-227, see ../fetch-sessions.ts). v9+: CurrentLeaderEpoch
 * is checked (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH). v12+: NOT_LEADER and
 * FENCED errors carry the `currentLeader` tagged field; v16+ adds the leader's
 * endpoint in NodeEndpoints. v13+: topics are named by topic id only; an unknown id
 * is UNKNOWN_TOPIC_ID for each of its partitions. v15 moves ReplicaId into
 * ReplicaState; v17's ReplicaDirectoryId concerns followers and is ignored.
 * A fetch of `__cluster_metadata` goes to the metadata quorum (services.quorum) when the
 * node runs one.
 */
import { defineHandler, int64ToNumber, type RequestContext } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  FetchRequest,
  FetchResponse,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../../protocol/generated/types.js';
import type { BrokerServices } from '../services/index.js';
import { isMetadataFetch } from '../services/quorum-service.js';
import { AclOperation, AclResourceType } from '../security/acl.js';
import { isAllowed } from '../security/request-authorization.js';
import type { ReadOutcome } from '../services/partition-data-service.js';
import {
  FINAL_EPOCH,
  INVALID_SESSION_ID,
  type FetchPartitionParams,
  type FetchPartitionSummary,
} from '../fetch-sessions.js';
import { ZERO_UUID } from '../../protocol/primitives.js';

/** first Fetch version that names topics by id */
const TOPIC_ID_VERSION = 13;
const NO_EPOCH = -1;
/** first Fetch version a client must be able to decode zstd at (KIP-110) */
const ZSTD_FETCH_VERSION = 10;

interface PartitionRead {
  params: FetchPartitionParams;
  outcome: ReadOutcome;
  /** set for NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH when the leader is known */
  currentLeader: { leaderId: number; leaderEpoch: number } | null;
}

function failed(errorCode: number): ReadOutcome {
  return { errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: Buffer.alloc(0) };
}

/** Topic name for a partition: by id from v13 (re-resolved every fetch: the topic may be gone). */
function topicNameOf(params: FetchPartitionParams, version: number, services: BrokerServices): string | null {
  if (version < TOPIC_ID_VERSION) return params.topic;
  return services.metadata.topicById(params.topicId)?.name ?? null;
}

/** The topic's effective compression.type: its override, else the broker default (values are case-insensitive). */
function topicCompressionType(topic: string, services: BrokerServices): string {
  return (services.metadata.topic(topic)?.configs['compression.type'] ?? services.config.compressionType).toLowerCase();
}

function readPartition(
  params: FetchPartitionParams,
  maxBytes: number,
  minOneMessage: boolean,
  request: FetchRequest,
  version: number,
  services: BrokerServices,
): PartitionRead {
  const topic = topicNameOf(params, version, services);
  if (topic === null) return { params, outcome: failed(ErrorCode.UNKNOWN_TOPIC_ID), currentLeader: null };
  const found = services.metadata.getPartition(topic, params.partition);
  // KIP-110, as Kafka's KafkaApis.maybeConvertFetchedData: below v10 a partition of a topic whose
  // compression.type is zstd is refused; stored zstd batches of other topics go to any version.
  if (found && version < ZSTD_FETCH_VERSION && topicCompressionType(topic, services) === 'zstd') {
    return { params, outcome: failed(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE), currentLeader: null };
  }
  if (found) {
    const { leader, leaderEpoch } = found.state;
    const leaderInfo = leader >= 0 ? { leaderId: leader, leaderEpoch } : null;
    // Kafka checks the client's leader epoch before leadership (Partition.localLogWithEpochOrThrow).
    if (version >= 9 && params.currentLeaderEpoch !== NO_EPOCH) {
      if (params.currentLeaderEpoch < leaderEpoch) {
        return { params, outcome: failed(ErrorCode.FENCED_LEADER_EPOCH), currentLeader: leaderInfo };
      }
      if (params.currentLeaderEpoch > leaderEpoch) {
        return { params, outcome: failed(ErrorCode.UNKNOWN_LEADER_EPOCH), currentLeader: null };
      }
    }
    if (leader !== services.metadata.brokerId) {
      return { params, outcome: failed(ErrorCode.NOT_LEADER_OR_FOLLOWER), currentLeader: leaderInfo };
    }
  }
  const outcome = services.data.readRecords(topic, params.partition, params.fetchOffset, maxBytes, {
    isolation: request.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted',
    minOneMessage,
    replicaId: version >= 15 ? request.replicaState.replicaId : request.replicaId,
  });
  return { params, outcome, currentLeader: null };
}

function readAll(
  request: FetchRequest,
  partitions: FetchPartitionParams[],
  services: BrokerServices,
  version: number,
  readable: (params: FetchPartitionParams) => boolean = () => true,
) {
  let remaining = request.maxBytes;
  let bytes = 0;
  const results = partitions.map((params): PartitionRead => {
    if (!readable(params)) return { params, outcome: failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED), currentLeader: null };
    const maxBytes = Math.max(0, Math.min(params.partitionMaxBytes, remaining));
    // KIP-74: the first partition with data returns at least one whole batch
    const read = readPartition(params, maxBytes, bytes === 0, request, version, services);
    bytes += read.outcome.records.length;
    remaining -= read.outcome.records.length;
    return read;
  });
  return { results, bytes };
}

/** READ on each partition's topic for a consumer's fetch (a follower's is checked as CLUSTER_ACTION before the handler). */
function consumerReadCheck(
  request: FetchRequest,
  version: number,
  ctx: RequestContext,
  services: BrokerServices,
): ((params: FetchPartitionParams) => boolean) | undefined {
  if (!services.authorizer) return undefined;
  const replicaId = version >= 15 ? request.replicaState.replicaId : request.replicaId;
  if (replicaId >= 0) return undefined;
  const byTopic = new Map<string, boolean>();
  return (params) => {
    const topic = topicNameOf(params, version, services);
    if (topic === null) return true;
    let allowed = byTopic.get(topic);
    if (allowed === undefined) {
      allowed = isAllowed(ctx, services, AclOperation.READ, AclResourceType.TOPIC, topic);
      byTopic.set(topic, allowed);
    }
    return allowed;
  };
}

function summaryOf(read: PartitionRead): FetchPartitionSummary {
  const o = read.outcome;
  return {
    errorCode: o.errorCode,
    highWatermark: o.highWatermark,
    lastStableOffset: o.lastStableOffset,
    logStartOffset: o.logStartOffset,
    recordBytes: o.records.length,
  };
}

function requestedPartitions(request: FetchRequest, version: number, services: BrokerServices): FetchPartitionParams[] {
  const out: FetchPartitionParams[] = [];
  for (const t of request.topics) {
    const byId = version >= TOPIC_ID_VERSION;
    const topic = byId ? (services.metadata.topicById(t.topicId)?.name ?? '') : t.topic;
    for (const p of t.partitions) {
      out.push({
        topicId: byId ? t.topicId : ZERO_UUID,
        topic,
        partition: p.partition,
        fetchOffset: int64ToNumber(p.fetchOffset),
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: version >= 9 ? p.currentLeaderEpoch : NO_EPOCH,
      });
    }
  }
  return out;
}

function buildResponse(
  reads: PartitionRead[],
  sessionId: number,
  readCommitted: boolean,
  version: number,
  services: BrokerServices,
): FetchResponse {
  const topics = new Map<string, FetchResponseFetchableTopicResponse>();
  const leaders = new Set<number>();
  for (const { params, outcome, currentLeader } of reads) {
    const key = version >= TOPIC_ID_VERSION ? params.topicId : params.topic;
    let topic = topics.get(key);
    if (!topic) {
      topic = { topic: params.topic, topicId: params.topicId, partitions: [] };
      topics.set(key, topic);
    }
    if (currentLeader) leaders.add(currentLeader.leaderId);
    const partition: Partial<FetchResponsePartitionData> = {
      partitionIndex: params.partition,
      errorCode: outcome.errorCode,
      highWatermark: BigInt(outcome.highWatermark),
      lastStableOffset: BigInt(outcome.lastStableOffset),
      logStartOffset: BigInt(outcome.logStartOffset),
      currentLeader: currentLeader ?? { leaderId: -1, leaderEpoch: -1 },
      // read_committed: an (empty) aborted-transaction list; read_uncommitted: null
      abortedTransactions: readCommitted
        ? (outcome.abortedTransactions ?? []).map((a) => ({
            producerId: BigInt(a.producerId),
            firstOffset: BigInt(a.firstOffset),
          }))
        : null,
      preferredReadReplica: -1,
      records: outcome.records,
    };
    topic.partitions.push(partition as FetchResponsePartitionData);
  }
  // v16 (KIP-951): endpoints of the leaders named in currentLeader fields
  const nodeEndpoints =
    version >= 16
      ? services.metadata
          .brokers()
          .filter((b) => leaders.has(b.nodeId))
          .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }))
      : [];
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId, responses: [...topics.values()], nodeEndpoints };
}

export default defineHandler<FetchRequest, FetchResponse>({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 17,
  async handle(request, ctx, services) {
    const version = ctx.apiVersion;
    // KIP-595: followers and observers of the metadata quorum fetch __cluster_metadata-0 from its leader
    if (services.quorum !== undefined && isMetadataFetch(request, version)) return services.quorum.fetch(request, version);
    const usesTopicIds = version >= TOPIC_ID_VERSION;
    const sent = requestedPartitions(request, version, services);
    const forgotten = (version >= 7 ? request.forgottenTopicsData : []).flatMap((t) =>
      t.partitions.map((partition) => ({ topicKey: usesTopicIds ? t.topicId : t.topic, partition })),
    );
    const sessions = services.fetchSessions;
    // Below v7 there are no session fields: always sessionless.
    const sessionId = version >= 7 ? request.sessionId : INVALID_SESSION_ID;
    const sessionEpoch = version >= 7 ? request.sessionEpoch : FINAL_EPOCH;
    const context = sessions.newContext(sessionId, sessionEpoch, sent, forgotten, usesTopicIds);
    if (context.kind === 'error') {
      return { throttleTimeMs: 0, errorCode: context.errorCode, sessionId: INVALID_SESSION_ID, responses: [], nodeEndpoints: [] };
    }
    const partitions = context.partitions;
    // Kafka authorizes every partition of the fetch context on every request, the ones an
    // incremental session remembers included, so an ACL removed mid-session takes effect
    // (the partitions the request names were already checked before this handler).
    const readable = consumerReadCheck(request, version, ctx, services);
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    let read = readAll(request, partitions, services, version, readable);
    while (
      read.bytes < request.minBytes &&
      read.results.every((r) => r.outcome.errorCode === ErrorCode.NONE) &&
      partitions.length > 0 &&
      Date.now() < deadline
    ) {
      const waitOn = partitions.map((p) => ({ topic: topicNameOf(p, version, services) ?? '', partition: p.partition }));
      await services.data.waitForData(waitOn, deadline - Date.now());
      read = readAll(request, partitions, services, version, readable);
    }

    let responseSessionId = INVALID_SESSION_ID;
    let reads = read.results;
    if (context.kind === 'full') {
      responseSessionId = sessions.createSession(
        reads.map((r) => ({ params: r.params, result: summaryOf(r) })),
        context.usesTopicIds,
      );
    } else if (context.kind === 'incremental') {
      responseSessionId = context.session.id;
      reads = reads.filter((r) => context.session.mustRespond(r.params, summaryOf(r)));
    }
    return buildResponse(reads, responseSessionId, request.isolationLevel === 1, version, services);
  },
});
