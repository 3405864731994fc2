/**
 * The ACL authorizer with kafkajs clients on a SASL_PLAINTEXT listener: a principal
 * without ACLs cannot produce (TOPIC_AUTHORIZATION_FAILED) and does not see the topic in
 * Metadata; after CreateAcls it can produce and consume; group READ is needed to commit;
 * PREFIXED ACLs and DENY precedence; super.users bypass; an idempotent producer needs
 * IDEMPOTENT_WRITE or a topic WRITE; DescribeAcls and DeleteAcls; ACLs survive a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Kafka } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { kafkajsClient } from './kafkajs-roundtrip.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";';
let broker: TestBroker;
let logDir: string;

async function start(): Promise<void> {
  broker = await startTestBroker({
    listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
    ...(logDir ? { logDirs: [logDir] } : {}),
    transactionStateLogMinIsr: 1,
    raw: {
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
    },
  });
  logDir = broker.logDir;
}

const as = (user: string, options: { idempotent?: boolean } = {}): Kafka => {
  void options;
  return kafkajsClient({ brokers: [broker.bootstrap], sasl: { mechanism: 'plain', username: user, password: `${user}-secret` } });
};

async function errorType(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return 'ok';
  } catch (err) {
    let e = err as { type?: string; cause?: unknown; originalError?: unknown; message?: string };
    for (let i = 0; i < 5 && e && !e.type; i++) e = (e.originalError ?? e.cause) as typeof e;
    return e?.type ?? String((err as Error).message);
  }
}

async function produce(user: string, topic: string, idempotent = false): Promise<string> {
  const producer = as(user).producer({ idempotent, maxInFlightRequests: idempotent ? 1 : undefined, retry: { retries: idempotent ? 1 : 0 } });
  try {
    return await errorType(async () => {
      await producer.connect();
      await producer.send({ topic, messages: [{ value: `from ${user}` }] });
    });
  } finally {
    await producer.disconnect();
  }
}

async function listTopics(user: string): Promise<string[]> {
  const admin = as(user).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

async function addAcl(resourceType: AclResourceTypes, resourceName: string, principal: string, operation: AclOperationTypes, permissionType = AclPermissionTypes.ALLOW, resourcePatternType = ResourcePatternTypes.LITERAL): Promise<void> {
  const admin = as('admin').admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: [{ resourceType, resourceName, resourcePatternType, principal, host: '*', operation, permissionType }] });
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await start();
  const admin = as('admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders' }, { topic: 'pre-open' }, { topic: 'pre-secret' }] });
  await admin.disconnect();
});
afterAll(async () => {
  await broker?.close();
});

describe('ACL authorizer', () => {
  it('refuses a principal without ACLs and hides the topic from its Metadata; super.users pass', async () => {
    expect(await produce('alice', 'orders')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await listTopics('alice')).not.toContain('orders');
    expect(await listTopics('admin')).toEqual(expect.arrayContaining(['orders', 'pre-open', 'pre-secret']));
    expect(await produce('admin', 'orders')).toBe('ok');
  });

  it('lets alice produce and consume once the ACLs exist; her group needs READ to commit', async () => {
    await addAcl(AclResourceTypes.TOPIC, 'orders', 'User:alice', AclOperationTypes.WRITE);
    expect(await produce('alice', 'orders')).toBe('ok');
    expect(await listTopics('alice')).toContain('orders'); // WRITE implies DESCRIBE
    await addAcl(AclResourceTypes.TOPIC, 'orders', 'User:alice', AclOperationTypes.READ);
    // DESCRIBE on the group finds its coordinator; joining it (and committing) needs READ
    await addAcl(AclResourceTypes.GROUP, 'alice-group', 'User:alice', AclOperationTypes.DESCRIBE);
    const denied = as('alice').consumer({ groupId: 'alice-group', retry: { retries: 0, restartOnFailure: async () => false } });
    await denied.connect();
    await denied.subscribe({ topic: 'orders', fromBeginning: true });
    const crashed = new Promise<string>((resolve) => {
      denied.on(denied.events.CRASH, (e) => void errorType(() => Promise.reject((e.payload as { error: Error }).error)).then(resolve));
    });
    await denied.run({ eachMessage: async () => undefined });
    expect(await crashed).toBe('GROUP_AUTHORIZATION_FAILED');
    await denied.disconnect();
    await addAcl(AclResourceTypes.GROUP, 'alice-group', 'User:alice', AclOperationTypes.READ);
    const consumer2 = as('alice').consumer({ groupId: 'alice-group' });
    await consumer2.connect();
    await consumer2.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer2.run({ eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.includes('from alice')) resolve();
      } }).catch(reject);
    });
    await consumer2.disconnect();
    expect(seen).toContain('from admin');
  });

  it('applies PREFIXED ACLs and lets DENY win over ALLOW', async () => {
    await addAcl(AclResourceTypes.TOPIC, 'pre-', 'User:bob', AclOperationTypes.WRITE, AclPermissionTypes.ALLOW, ResourcePatternTypes.PREFIXED);
    await addAcl(AclResourceTypes.TOPIC, 'pre-secret', 'User:bob', AclOperationTypes.WRITE, AclPermissionTypes.DENY);
    expect(await produce('bob', 'pre-open')).toBe('ok');
    expect(await produce('bob', 'pre-secret')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce('bob', 'orders')).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('gives an idempotent producer its producer id only with IDEMPOTENT_WRITE or a topic WRITE', async () => {
    expect(await produce('bob', 'pre-open', true)).toBe('ok'); // WRITE on pre-* (KIP-679)
    const carol = as('carol'); // not a JAAS user: refused at SASL, never reaches InitProducerId
    void carol;
    await addAcl(AclResourceTypes.TOPIC, 'orders', 'User:alice', AclOperationTypes.WRITE, AclPermissionTypes.DENY);
    await addAcl(AclResourceTypes.TOPIC, '*', 'User:alice', AclOperationTypes.WRITE, AclPermissionTypes.DENY);
    expect(await produce('alice', 'orders', true)).toBe('CLUSTER_AUTHORIZATION_FAILED');
  });

  it('describes and deletes ACLs, and keeps them across a restart', async () => {
    const admin = as('admin').admin();
    await admin.connect();
    const described = await admin.describeAcls({ resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
    expect(described.resources[0]!.acls.map((a) => `${a.principal}:${a.operation}:${a.permissionType}`).sort()).toEqual(['User:alice:3:3', 'User:alice:4:2', 'User:alice:4:3']);
    await admin.disconnect();
    await broker.close();
    await start();
    expect(await listTopics('alice')).toContain('orders');
    const admin2 = as('admin').admin();
    await admin2.connect();
    const deleted = await admin2.deleteAcls({ filters: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }] });
    expect(deleted.filterResponses[0]!.matchingAcls).toHaveLength(3);
    expect(broker.lines.join('\n')).not.toContain('alice-secret');
    await admin2.disconnect();
    expect(await listTopics('alice')).not.toContain('orders');
  });

  it('makes a transactional producer need WRITE on its transactional id', async () => {
    const send = async (): Promise<string> => {
      const producer = as('bob').producer({ transactionalId: 'bob-tx', maxInFlightRequests: 1, idempotent: true, retry: { retries: 8, initialRetryTime: 200 } });
      try {
        return await errorType(async () => {
          await producer.connect();
          const tx = await producer.transaction();
          await tx.send({ topic: 'pre-open', messages: [{ value: 'in a transaction' }] });
          await tx.commit();
        });
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    };
    // DESCRIBE finds the transaction coordinator; InitProducerId needs WRITE
    await addAcl(AclResourceTypes.TRANSACTIONAL_ID, 'bob-tx', 'User:bob', AclOperationTypes.DESCRIBE);
    expect(await send()).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    await addAcl(AclResourceTypes.TRANSACTIONAL_ID, 'bob-tx', 'User:bob', AclOperationTypes.WRITE);
    expect(await send()).toBe('ok');
  });
});

