/**
 * The per-API authorization table, request by request: a principal without ACLs gets the
 * API's *_AUTHORIZATION_FAILED code (per resource, or for the whole request) and no data;
 * a super user gets through. Sent over SASL_PLAINTEXT with src/network's client (the
 * third-party clients' view is in acl.test.ts and the interop suites).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { KafkaConnection } from '../../../src/network/index.js';
import { ApiKey, apiName } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_mallory="mallory-secret";';
let broker: TestBroker;
let admin: KafkaConnection;
let mallory: KafkaConnection;

const connect = (user: string): Promise<KafkaConnection> =>
  KafkaConnection.connect({ host: '127.0.0.1', port: broker.port }, { clientId: user, sasl: { mechanism: 'PLAIN', username: user, password: `${user}-secret` } });

/** Every errorCode in a decoded response. */
function codes(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) codes(v, out);
  else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'errorCode' && typeof v === 'number') out.push(v);
      else codes(v, out);
    }
  }
  return out;
}

const T = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const G = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const C = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const X = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

interface Case {
  apiKey: number;
  version: number;
  body: Record<string, unknown>;
  code: number;
  /** the response's own top-level code stays NONE (Fetch: errors are per partition) */
  topLevelNone?: boolean;
}

const topicParts = (name: string, partitionField = 'partitionIndex', extra: Record<string, unknown> = {}) => ({ name, partitions: [{ [partitionField]: 0, ...extra }] });

const CASES: Case[] = [
  { apiKey: ApiKey.ListOffsets, version: 5, body: { replicaId: -1, isolationLevel: 0, topics: [topicParts('secret', 'partitionIndex', { timestamp: -1n, currentLeaderEpoch: -1 })] }, code: T },
  { apiKey: ApiKey.Fetch, version: 11, body: { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'secret', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' }, code: T, topLevelNone: true },
  { apiKey: ApiKey.OffsetCommit, version: 7, body: { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: '' }] }] }, code: G },
  { apiKey: ApiKey.OffsetFetch, version: 5, body: { groupId: 'g', topics: null }, code: G },
  { apiKey: ApiKey.FindCoordinator, version: 2, body: { key: 'g', keyType: 0 }, code: G },
  { apiKey: ApiKey.JoinGroup, version: 5, body: { groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }, code: G },
  { apiKey: ApiKey.DescribeGroups, version: 3, body: { groups: ['g'], includeAuthorizedOperations: false }, code: G },
  { apiKey: ApiKey.DeleteGroups, version: 1, body: { groupsNames: ['g'] }, code: G },
  { apiKey: ApiKey.CreateTopics, version: 4, body: { topics: [{ name: 'new-one', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false }, code: T },
  { apiKey: ApiKey.DeleteTopics, version: 4, body: { topicNames: ['secret'], timeoutMs: 1000 }, code: T },
  { apiKey: ApiKey.CreatePartitions, version: 1, body: { topics: [{ name: 'secret', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false }, code: T },
  { apiKey: ApiKey.DeleteRecords, version: 1, body: { topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 1000 }, code: T },
  { apiKey: ApiKey.DescribeConfigs, version: 1, body: { resources: [{ resourceType: 2, resourceName: 'secret', configurationKeys: null }], includeSynonyms: false }, code: T },
  { apiKey: ApiKey.DescribeConfigs, version: 1, body: { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: null }], includeSynonyms: false }, code: C },
  { apiKey: ApiKey.IncrementalAlterConfigs, version: 0, body: { resources: [{ resourceType: 2, resourceName: 'secret', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: false }, code: T },
  { apiKey: ApiKey.InitProducerId, version: 1, body: { transactionalId: 'tx', transactionTimeoutMs: 10000 }, code: X },
  { apiKey: ApiKey.InitProducerId, version: 1, body: { transactionalId: null, transactionTimeoutMs: 10000 }, code: C },
  { apiKey: ApiKey.DescribeLogDirs, version: 3, body: { topics: null }, code: C },
  { apiKey: ApiKey.CreateAcls, version: 1, body: { creations: [{ resourceType: 2, resourceName: 'secret', resourcePatternType: 3, principal: 'User:mallory', host: '*', operation: 3, permissionType: 3 }] }, code: C },
  { apiKey: ApiKey.DescribeAcls, version: 1, body: { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }, code: C },
  { apiKey: ApiKey.AlterUserScramCredentials, version: 0, body: { deletions: [{ name: 'x', mechanism: 1 }], upsertions: [] }, code: C },
  { apiKey: ApiKey.ElectLeaders, version: 1, body: { electionType: 0, topicPartitions: null, timeoutMs: 1000 }, code: C },
  { apiKey: ApiKey.DeleteAcls, version: 1, body: { filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] }, code: C },
  { apiKey: ApiKey.AddOffsetsToTxn, version: 1, body: { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, groupId: 'g' }, code: X },
  { apiKey: ApiKey.EndTxn, version: 1, body: { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, committed: true }, code: X },
  // broker-to-broker APIs need CLUSTER_ACTION
  { apiKey: ApiKey.WriteTxnMarkers, version: 1, body: { markers: [{ producerId: 1n, producerEpoch: 0, transactionResult: true, topics: [{ name: 'secret', partitionIndexes: [0] }], coordinatorEpoch: 0 }] }, code: C },
  { apiKey: ApiKey.AllocateProducerIds, version: 0, body: { brokerId: 0, brokerEpoch: 0n }, code: C },
];

describe('authorization per API', () => {
  beforeAll(async () => {
    broker = await startTestBroker({
      listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
      raw: { 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': JAAS, 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:admin' },
    });
    admin = await connect('admin');
    mallory = await connect('mallory');
    await admin.request(ApiKey.CreateTopics, 4, { topics: [{ name: 'secret', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    await admin.request(ApiKey.Produce, 8, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [] });
  }, 30_000);
  afterAll(async () => {
    admin?.close();
    mallory?.close();
    await broker?.close();
  });

  for (const c of CASES) {
    it(`${apiName(c.apiKey)} v${c.version} without ACLs answers ${ErrorCode[c.code as never] ?? c.code}`, async () => {
      const response = await mallory.request(c.apiKey, c.version, c.body);
      const found = codes(response);
      expect(found, JSON.stringify(response, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toContain(c.code);
      expect(found.filter((code) => code === ErrorCode.NONE)).toHaveLength(c.topLevelNone ? 1 : 0);
    });
  }

  it('hides the topic from Metadata and lets a super user see it', async () => {
    const forMallory = await mallory.request<{ topics: { name: string; errorCode: number }[] }>(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(forMallory.topics.map((t) => t.name)).not.toContain('secret');
    const named = await mallory.request<{ topics: { name: string; errorCode: number }[] }>(ApiKey.Metadata, 9, { topics: [{ name: 'secret' }, { name: 'absent' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(named.topics.map((t) => [t.name, t.errorCode])).toEqual(expect.arrayContaining([['secret', T], ['absent', T]]));
    const forAdmin = await admin.request<{ topics: { name: string; topicAuthorizedOperations: number }[]; clusterAuthorizedOperations: number }>(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
    expect(forAdmin.topics.map((t) => t.name)).toContain('secret');
    expect(forAdmin.topics.find((t) => t.name === 'secret')!.topicAuthorizedOperations & (1 << 3)).not.toBe(0);
    expect(forAdmin.clusterAuthorizedOperations & (1 << 7)).not.toBe(0);
  });

  it('OffsetFetch v8 answers per group and hides the topics a principal may not describe', async () => {
    const { AclOperation, AclPermissionType, AclResourceType, PatternType } = await import('../../../src/broker/security/acl.js');
    await admin.request(ApiKey.CreateAcls, 1, { creations: [{ resourceType: AclResourceType.GROUP, resourceName: 'mine', resourcePatternType: PatternType.LITERAL, principal: 'User:mallory', host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW }] });
    // the offsets topic is created on first use: retry while its coordinator loads
    let committed: unknown;
    for (let attempt = 0; attempt < 100; attempt++) {
      committed = await admin.request(ApiKey.OffsetCommit, 8, { groupId: 'mine', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
      if (!codes(committed).includes(ErrorCode.COORDINATOR_NOT_AVAILABLE) && !codes(committed).includes(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(codes(committed), JSON.stringify(committed)).toEqual([ErrorCode.NONE]);
    type Groups = { groups: { groupId: string; errorCode: number; topics: { name: string; partitions: { errorCode: number; committedOffset: bigint }[] }[] }[] };
    const all = await mallory.request<Groups>(ApiKey.OffsetFetch, 8, { groups: [{ groupId: 'mine', topics: null }, { groupId: 'theirs', topics: null }], requireStable: false });
    expect(all.groups.map((g) => [g.groupId, g.errorCode, g.topics.length])).toEqual([['mine', 0, 0], ['theirs', G, 0]]);
    const named = await mallory.request<Groups>(ApiKey.OffsetFetch, 8, { groups: [{ groupId: 'mine', topics: [{ name: 'secret', partitionIndexes: [0] }] }], requireStable: false });
    expect(named.groups[0]!.topics[0]!.partitions.map((p) => [p.errorCode, p.committedOffset])).toEqual([[T, -1n]]);
    const forAdmin = await admin.request<Groups>(ApiKey.OffsetFetch, 8, { groups: [{ groupId: 'mine', topics: null }], requireStable: false });
    expect(forAdmin.groups[0]!.topics.map((t) => t.name)).toEqual(['secret']);
  });

  it('lets the super user through the same requests', async () => {
    const listed = await admin.request(ApiKey.DescribeConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'secret', configurationKeys: null }], includeSynonyms: false });
    expect(codes(listed).every((code) => code === ErrorCode.NONE)).toBe(true);
    const offsets = await admin.request(ApiKey.ListOffsets, 5, CASES[0]!.body);
    expect(codes(offsets)).toEqual([ErrorCode.NONE]);
  });
  it('re-checks READ on the partitions an incremental fetch session remembers: a removed ACL takes effect mid-session', async () => {
    const { AclOperation, AclPermissionType, AclResourceType, PatternType } = await import('../../../src/broker/security/acl.js');
    const acl = { resourceType: AclResourceType.TOPIC, resourceName: 'secret', resourcePatternType: PatternType.LITERAL, principal: 'User:mallory', host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW };
    await admin.request(ApiKey.CreateAcls, 1, { creations: [acl] });
    type FetchResponse = { errorCode: number; sessionId: number; responses: { topic: string; partitions: { partitionIndex: number; errorCode: number }[] }[] };
    const base = { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, forgottenTopicsData: [], rackId: '' };
    const full = await mallory.request<FetchResponse>(ApiKey.Fetch, 11, {
      ...base,
      sessionId: 0,
      sessionEpoch: 0,
      topics: [{ topic: 'secret', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    });
    expect(full.errorCode).toBe(ErrorCode.NONE);
    expect(full.sessionId).toBeGreaterThan(0);
    expect(full.responses.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([ErrorCode.NONE]);
    await admin.request(ApiKey.DeleteAcls, 1, { filters: [{ resourceTypeFilter: acl.resourceType, resourceNameFilter: 'secret', patternTypeFilter: PatternType.LITERAL, principalFilter: 'User:mallory', hostFilter: null, operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW }] });
    // an incremental fetch naming nothing: the session's partition is still authorized anew
    const incremental = await mallory.request<FetchResponse>(ApiKey.Fetch, 11, { ...base, sessionId: full.sessionId, sessionEpoch: 1, topics: [] });
    expect(incremental.responses.flatMap((t) => t.partitions.map((p) => [t.topic, p.errorCode]))).toEqual([['secret', T]]);
  });
});
