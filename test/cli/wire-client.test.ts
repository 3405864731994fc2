/**
 * The CLI's adapter over src/network keeps the tools' words: the one-line
 * "Cannot connect" hint for a bootstrap list nobody answers, the socket's own
 * message for a broker that refuses later, `connection to <address> closed`,
 * `timed out`, and a CliError naming the broker for a version it lacks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConnection, BrokerErrorResponse, WireAdmin } from '../../src/cli/wire-client.js';
import { CliError } from '../../src/cli/errors.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { closedPort, FakeBroker } from '../network/fake-broker.js';

const HINT = 'Is a broker running there? Start one with kafka-server-start, or point --bootstrap-server at a running broker.';
const METADATA_REQUEST = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

let fake: FakeBroker | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: Error) => e);
}

describe('WireAdmin', () => {
  it('names every bootstrap address and each distinct reason in one line when none answers', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const servers = [`127.0.0.1:${a}`, `127.0.0.1:${b}`, 'no-such-host.invalid:9092'];
    const admin = new WireAdmin(servers, { clientId: 'test' });
    const err = await rejection(admin.bootstrap());
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toBe(`Cannot connect to the Kafka broker at ${servers.join(',')} (connection refused, unknown host). ${HINT}`);
    admin.close();
  });

  it('reports an ApiVersions error code as the broker\'s answer', async () => {
    fake = await FakeBroker.start({
      handler(request) {
        request.reply({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false });
        return true;
      },
    });
    const admin = new WireAdmin([`127.0.0.1:${fake.port}`], { clientId: 'test' });
    const err = await rejection(admin.bootstrap());
    expect(err.message).toBe(`Cannot connect to the Kafka broker at 127.0.0.1:${fake.port} (ApiVersions failed (CLUSTER_AUTHORIZATION_FAILED)). ${HINT}`);
    admin.close();
  });

  it('checks the security settings before connecting, naming the key', () => {
    expect(() => new WireAdmin(['localhost:9092'], { clientId: 'test', properties: { 'security.protocol': 'tls' } }))
      .toThrow(new CliError('Invalid value tls for configuration security.protocol: use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL'));
    expect(() => new WireAdmin(['localhost:9092'], { clientId: 'test', properties: { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'GSSAPI' } }))
      .toThrow(new CliError('sasl.mechanism=GSSAPI is not supported by this toolkit: set sasl.mechanism to PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512'));
    expect(() => new WireAdmin(['localhost:9092'], { clientId: 'test', properties: { 'security.protocol': 'SSL', 'ssl.truststore.location': '/nonexistent/ca.pem' } }))
      .toThrow(new CliError('Cannot read ssl.truststore.location /nonexistent/ca.pem: no such file'));
  });

  it('a broker Metadata names but that refuses: the socket\'s own message (what `-> ERROR:` lines print)', async () => {
    fake = await FakeBroker.start();
    const dead = await closedPort();
    const admin = new WireAdmin([`127.0.0.1:${fake.port}`], { clientId: 'test' });
    const err = await rejection(admin.connectTo({ nodeId: 1, host: '127.0.0.1', port: dead, rack: null }));
    expect(err.message).toBe(`connect ECONNREFUSED 127.0.0.1:${dead}`);
    // the bootstrap broker named by Metadata is the bootstrap connection itself
    expect(await admin.connectTo({ nodeId: 0, host: '127.0.0.1', port: fake.port, rack: null })).toBe(await admin.bootstrap());
    expect(fake.connections).toBe(1);
    admin.close();
  });
});

describe('BrokerConnection', () => {
  it('a broker that hangs up: `connection to <address> closed`', async () => {
    fake = await FakeBroker.start({ handler: (request) => { if (request.apiKey === ApiKey.Metadata) request.socket.end(); return request.apiKey === ApiKey.Metadata; } });
    const connection = await BrokerConnection.open(`127.0.0.1:${fake.port}`, 'test', 5000);
    const err = await rejection(connection.request(ApiKey.Metadata, 12, METADATA_REQUEST));
    expect(err.message).toBe(`connection to 127.0.0.1:${fake.port} closed`);
    expect(err).not.toBeInstanceOf(CliError);
  });

  it('a broker that does not answer in time: `timed out`', async () => {
    fake = await FakeBroker.start({ handler: (request) => request.apiKey === ApiKey.Metadata });
    const connection = await BrokerConnection.open(`127.0.0.1:${fake.port}`, 'test', 50);
    const err = await rejection(connection.request(ApiKey.Metadata, 12, METADATA_REQUEST));
    expect(err.message).toBe('timed out');
    connection.close();
  });

  it('a version the broker lacks is a CliError naming the broker and its range', async () => {
    fake = await FakeBroker.start({ versions: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 }, { apiKey: ApiKey.ListOffsets, minVersion: 0, maxVersion: 5 }] });
    const connection = await BrokerConnection.open(`127.0.0.1:${fake.port}`, 'test', 5000);
    expect(() => connection.usableVersion(ApiKey.ListOffsets, 7))
      .toThrow(new CliError(`The broker at 127.0.0.1:${fake.port} does not support ListOffsets version 7 or newer (it supports 0 to 5)`));
    expect(() => connection.usableVersion(ApiKey.Fetch)).toThrow(new CliError(`The broker at 127.0.0.1:${fake.port} does not support Fetch`));
    expect(connection.usableVersion(ApiKey.ListOffsets, 1)).toBe(5);
    connection.close();
  });

  it('an unparsable address is a CliError; BrokerErrorResponse keeps the broker\'s message and the error name', async () => {
    await expect(BrokerConnection.open('nonsense', 'test', 1000)).rejects.toThrow(new CliError('Invalid broker address nonsense'));
    expect(new BrokerErrorResponse(ErrorCode.INVALID_CONFIG, 'Unknown config x').message).toBe('Unknown config x (INVALID_CONFIG)');
  });
});
