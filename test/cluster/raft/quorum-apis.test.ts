/**
 * The raft APIs at the listener: advertised in ApiVersions and answered only when the
 * node runs a metadata quorum (a request for one elsewhere closes the connection, as a
 * Kafka broker listener that does not enable it), and DescribeQuorum on a single node
 * whose quorum is a LocalQuorum answering as Kafka's combined single node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerServer } from '../../../src/broker/server.js';
import type { BrokerServices } from '../../../src/broker/services/index.js';
import { onBrokerListener } from '../../../src/broker/services/quorum-service.js';
import { localQuorumService } from '../../../src/cluster/raft/local-quorum-service.js';
import { LocalQuorum } from '../../../src/metadata/local-quorum.js';
import { NetworkClient, NetworkError } from '../../../src/network/index.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import type { DescribeQuorumResponse, VoteResponse } from '../../../src/protocol/generated/types.js';
import { CLUSTER_ID, RAFT_HANDLERS, raftServices, topic } from './raft-harness.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function serve(services: BrokerServices): Promise<{ host: string; port: number }> {
  const server = new BrokerServer(RAFT_HANDLERS, services);
  const [bound] = await server.listen([{ name: 'CONTROLLER', host: '127.0.0.2', port: 0 }]);
  cleanup.push(() => server.close());
  return { host: '127.0.0.2', port: bound!.port };
}

function client(): NetworkClient {
  const c = new NetworkClient({ clientId: 'quorum-apis-test', requestTimeoutMs: 10_000 });
  cleanup.push(() => c.close());
  return c;
}

const describeBody = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] };

describe('raft APIs at the listener', () => {
  it('are neither advertised nor answered on a node without a quorum', async () => {
    const endpoint = await serve(raftServices(undefined));
    const c = client();
    const connection = await c.connection(endpoint);
    const advertised = [...connection.brokerVersions.keys()];
    expect(advertised).toContain(ApiKey.Fetch);
    for (const key of [ApiKey.Vote, ApiKey.BeginQuorumEpoch, ApiKey.EndQuorumEpoch, ApiKey.DescribeQuorum, ApiKey.FetchSnapshot]) {
      expect(advertised).not.toContain(key);
    }
    // sent anyway (bypassing negotiation): the connection is closed, as Kafka does for a disabled API
    const err = await connection.request<VoteResponse>(ApiKey.Vote, 1, {
      clusterId: CLUSTER_ID,
      voterId: 1,
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, candidateEpoch: 1, candidateId: 2, candidateDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', lastOffsetEpoch: 0, lastOffset: 0n }] }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).kind).toBe('disconnected');
  });

  it('DescribeQuorum on a single node with a LocalQuorum: itself the leader and only voter, the high watermark at its log end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-local-describe-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const quorum = LocalQuorum.open({ logDir: dir, nodeId: 4, clusterId: CLUSTER_ID });
    cleanup.push(() => quorum.close());
    await quorum.append(topic('described'));
    const services = { ...raftServices(undefined), quorum: localQuorumService(quorum, { endpoint: { listenerName: 'CONTROLLER', host: '127.0.0.2', port: 1 } }) };
    const endpoint = await serve(services);
    const c = client();
    // a broker listener: DescribeQuorum yes, the controller-only raft APIs no (Kafka's listener lists)
    const advertised = [...(await c.connection(endpoint)).brokerVersions.keys()];
    expect(advertised).toContain(ApiKey.DescribeQuorum);
    for (const key of [ApiKey.Vote, ApiKey.BeginQuorumEpoch, ApiKey.EndQuorumEpoch, ApiKey.FetchSnapshot]) expect(advertised).not.toContain(key);
    const { version, response } = await c.send<DescribeQuorumResponse>(endpoint, ApiKey.DescribeQuorum, describeBody);
    expect(version).toBe(2);
    const p = response.topics[0]!.partitions[0]!;
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(p.leaderId).toBe(4);
    expect(p.leaderEpoch).toBe(quorum.leaderAndEpoch().epoch);
    expect(p.highWatermark).toBe(BigInt(quorum.metadataLog.endOffset));
    expect(p.currentVoters.map((v) => [v.replicaId, v.logEndOffset])).toEqual([[4, BigInt(quorum.metadataLog.endOffset)]]);
    expect(p.observers).toEqual([]);
    expect(response.nodes).toEqual([{ nodeId: 4, listeners: [{ name: 'CONTROLLER', host: '127.0.0.2', port: 1 }] }]);
  });

  it("on a voter's listener all of them are advertised", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-local-describe-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const quorum = LocalQuorum.open({ logDir: dir, nodeId: 4, clusterId: CLUSTER_ID });
    cleanup.push(() => quorum.close());
    const endpoint = await serve({ ...raftServices(undefined), quorum: localQuorumService(quorum, { controllerApis: true }) });
    const advertised = [...(await client().connection(endpoint)).brokerVersions.keys()];
    for (const key of [ApiKey.Vote, ApiKey.BeginQuorumEpoch, ApiKey.EndQuorumEpoch, ApiKey.DescribeQuorum, ApiKey.FetchSnapshot]) expect(advertised).toContain(key);
    // the same quorum behind a broker listener: DescribeQuorum only
    const brokerSide = await serve({ ...raftServices(undefined), quorum: onBrokerListener(localQuorumService(quorum, { controllerApis: true })) });
    const onBroker = [...(await client().connection(brokerSide)).brokerVersions.keys()];
    expect(onBroker).toContain(ApiKey.DescribeQuorum);
    expect(onBroker).not.toContain(ApiKey.Vote);
  });

  it('with controller.listener.names, serves the controller-only APIs on those listeners only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-local-describe-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const quorum = LocalQuorum.open({ logDir: dir, nodeId: 4, clusterId: CLUSTER_ID });
    cleanup.push(() => quorum.close());
    const services = { ...raftServices(undefined), quorum: localQuorumService(quorum, { controllerApis: true, controllerListenerNames: ['CONTROLLER'] }) };
    const server = new BrokerServer(RAFT_HANDLERS, services);
    const [broker, controller] = await server.listen([
      { name: 'PLAINTEXT', host: '127.0.0.2', port: 0 },
      { name: 'CONTROLLER', host: '127.0.0.3', port: 0 },
    ]);
    cleanup.push(() => server.close());
    const c = client();
    const onBroker = [...(await c.connection({ host: '127.0.0.2', port: broker!.port })).brokerVersions.keys()];
    const onController = [...(await c.connection({ host: '127.0.0.3', port: controller!.port })).brokerVersions.keys()];
    expect(onBroker).toContain(ApiKey.DescribeQuorum);
    expect(onBroker).not.toContain(ApiKey.Vote);
    expect(onController).toContain(ApiKey.Vote);
    expect(onController).toContain(ApiKey.FetchSnapshot);
    // a Vote sent to the broker listener anyway closes the connection
    const brokerConnection = await c.connection({ host: '127.0.0.2', port: broker!.port });
    const err = await brokerConnection.request(ApiKey.Vote, 1, {
      clusterId: CLUSTER_ID,
      voterId: 4,
      topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, candidateEpoch: 9, candidateId: 5, candidateDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', lastOffsetEpoch: 0, lastOffset: 0n }] }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
  });
});
