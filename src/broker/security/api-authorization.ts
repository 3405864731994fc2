/**
 * What each API needs the authorizer to allow, in one table, as Kafka's KafkaApis checks
 * it (handleProduceRequest, handleFetchRequest, ...). Three kinds of rule:
 *
 * - `whole`: checks on the request as a whole (the group of a JoinGroup, the
 *   transactional id of an EndTxn, CLUSTER_ACTION of a follower Fetch); the first one
 *   that fails answers the whole request with its *_AUTHORIZATION_FAILED code;
 * - `items`: per resource named in a request array (the topics of a Produce, the
 *   resources of a DescribeConfigs); denied entries are taken out before the handler
 *   runs and answered with the error code next to the handler's answers, so no data of
 *   a denied resource is read or written;
 * - `filter`: answers that list resources the request did not name (Metadata for all
 *   topics, ListGroups, ListTransactions) keep only what the principal may describe.
 *
 * Without an authorizer (authorizer.class.name unset) nothing here runs.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { errorResponseObject } from '../error-response.js';
import { NO_RESPONSE, type ApiHandler, type NoResponse, type RequestContext } from '../handler.js';
import type { BrokerServices } from '../services/index.js';
import { AclOperation, AclResourceType, CLUSTER_NAME } from './acl.js';
import type { Authorizer, RequestIdentity } from './authorizer.js';
import { identityOf } from './request-authorization.js';

type Obj = Record<string, unknown>;

/** One authorization question and the code that answers a "no". */
interface Check {
  operation: number;
  resourceType: number;
  name: string;
  errorCode: number;
  /** CreateTopics: CREATE on the cluster also allows it */
  orCluster?: boolean;
  /** InitProducerId without a transactional id: WRITE on any topic also allows IDEMPOTENT_WRITE (KIP-679) */
  orAnyTopicWrite?: boolean;
}

interface ItemRule {
  /** the request array naming the resources */
  array: string;
  /** the response array answering it */
  responseArray: string;
  /** the check for one entry; undefined leaves it to the handler (an unknown topic id, say) */
  check(entry: unknown, ctx: RequestContext, services: BrokerServices): Check | undefined;
}

interface ApiRule {
  whole?(request: Obj, ctx: RequestContext): Check[];
  /** the answer to a whole-request refusal where Kafka's error response has nowhere to put the code */
  refused?(request: Obj, errorCode: number): Obj;
  items?(request: Obj, ctx: RequestContext): ItemRule[];
  filter?(response: Obj, request: Obj, allowed: (check: Omit<Check, 'errorCode'>) => boolean, ctx: RequestContext, services: BrokerServices): void;
}

const topic = (operation: number, name: string): Check => ({ operation, resourceType: AclResourceType.TOPIC, name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
const group = (operation: number, name: string): Check => ({ operation, resourceType: AclResourceType.GROUP, name, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
const txn = (operation: number, name: string): Check => ({ operation, resourceType: AclResourceType.TRANSACTIONAL_ID, name, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
const cluster = (operation: number): Check => ({ operation, resourceType: AclResourceType.CLUSTER, name: CLUSTER_NAME, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const field = (entry: unknown, ...names: string[]): string | undefined => {
  if (typeof entry === 'string') return entry;
  if (entry === null || typeof entry !== 'object') return undefined;
  for (const n of names) {
    const v = (entry as Obj)[n];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
};

/** Topics named by name, or by id (Fetch v13+, DeleteTopics v6+): the name from the metadata. */
function topicItems(array: string, responseArray: string, operation: number, ...nameFields: string[]): ItemRule {
  return {
    array,
    responseArray,
    check(entry, _ctx, services) {
      let name = field(entry, ...(nameFields.length > 0 ? nameFields : ['name']));
      if (name === undefined && entry && typeof entry === 'object' && typeof (entry as Obj).topicId === 'string') {
        name = services.metadata.topicById((entry as Obj).topicId as string)?.name;
      }
      return name === undefined ? undefined : topic(operation, name);
    },
  };
}

const groupWhole = (operation: number) => (r: Obj): Check[] => (str(r.groupId) !== undefined ? [group(operation, r.groupId as string)] : []);
const clusterWhole = (operation: number) => (): Check[] => [cluster(operation)];

/** Config resources: topics by TOPIC, brokers and broker loggers by the cluster. */
function configItems(array: string, responseArray: string, operation: number): ItemRule {
  return {
    array,
    responseArray,
    check(entry) {
      const e = entry as Obj;
      if (e.resourceType === 2) return topic(operation, String(e.resourceName));
      if (e.resourceType === 4 || e.resourceType === 8) return cluster(operation);
      if (e.resourceType === 32) return group(operation, String(e.resourceName));
      return undefined;
    },
  };
}

const isFollower = (r: Obj): boolean => {
  const state = r.replicaState as Obj | undefined;
  const id = typeof state?.replicaId === 'number' && (state.replicaId as number) >= 0 ? state.replicaId : r.replicaId;
  return typeof id === 'number' && id >= 0;
};

export const API_AUTHORIZATION: Readonly<Record<number, ApiRule>> = {
  0: {
    whole: (r) => (str(r.transactionalId) ? [txn(AclOperation.WRITE, r.transactionalId as string)] : []),
    items: () => [topicItems('topicData', 'responses', AclOperation.WRITE)],
  },
  1: {
    whole: (r) => (isFollower(r) ? [cluster(AclOperation.CLUSTER_ACTION)] : []),
    items: (r) => (isFollower(r) ? [] : [topicItems('topics', 'responses', AclOperation.READ, 'topic')]),
  },
  2: { items: () => [topicItems('topics', 'topics', AclOperation.DESCRIBE)] },
  3: {
    items: (r, ctx) =>
      Array.isArray(r.topics)
        ? [
            topicItems('topics', 'topics', AclOperation.DESCRIBE),
            {
              // auto-creation needs CREATE on the cluster or the topic; without it a missing topic is unknown
              array: 'topics',
              responseArray: 'topics',
              check: (t, _ctx, services) => {
                const name = field(t, 'name');
                const autoCreate = ctx.apiVersion < 4 || r.allowAutoTopicCreation === true;
                if (name === undefined || !autoCreate || services.metadata.topic(name) !== undefined) return undefined;
                return { operation: AclOperation.CREATE, resourceType: AclResourceType.TOPIC, name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, orCluster: true };
              },
            },
          ]
        : [],
    filter: (response, request, allowed, ctx, services) => metadataFilter(response, request, allowed, ctx, services),
  },
  8: { whole: groupWhole(AclOperation.READ), items: () => [topicItems('topics', 'topics', AclOperation.READ)] },
  9: {
    whole: (r, ctx) => (ctx.apiVersion < 8 ? groupWhole(AclOperation.DESCRIBE)(r) : []),
    items: (r, ctx) =>
      ctx.apiVersion >= 8
        ? [{ array: 'groups', responseArray: 'groups', check: (g) => group(AclOperation.DESCRIBE, field(g, 'groupId') ?? '') }]
        : Array.isArray(r.topics) ? [topicItems('topics', 'topics', AclOperation.DESCRIBE)] : [],
    filter: (response, request, allowed, ctx) => {
      const describable = (t: Obj): boolean => allowed(topic(AclOperation.DESCRIBE, String(t.name)));
      if (ctx.apiVersion < 8) {
        if (!Array.isArray(request.topics)) response.topics = (response.topics as Obj[] | undefined)?.filter(describable);
        return;
      }
      // v8+: per group, all-topics answers keep describable topics; named ones answer TOPIC_AUTHORIZATION_FAILED
      const asked = new Map(((request.groups as Obj[] | undefined) ?? []).map((g) => [String(g.groupId), g.topics]));
      for (const g of (response.groups as Obj[] | undefined) ?? []) {
        const topics = (g.topics as Obj[] | undefined) ?? [];
        if (!Array.isArray(asked.get(String(g.groupId)))) {
          g.topics = topics.filter(describable);
          continue;
        }
        for (const t of topics) {
          if (describable(t)) continue;
          t.partitions = ((t.partitions as Obj[] | undefined) ?? []).map((p) => ({ ...p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }));
        }
      }
    },
  },
  10: {
    whole: (r, ctx) => {
      const keys = ctx.apiVersion >= 4 ? ((r.coordinatorKeys as string[]) ?? []) : [String(r.key ?? '')];
      return keys.map((k) => (r.keyType === 1 ? txn(AclOperation.DESCRIBE, k) : group(AclOperation.DESCRIBE, k)));
    },
  },
  11: { whole: groupWhole(AclOperation.READ) },
  12: { whole: groupWhole(AclOperation.READ) },
  13: { whole: groupWhole(AclOperation.READ) },
  14: { whole: groupWhole(AclOperation.READ) },
  15: {
    items: () => [{ array: 'groups', responseArray: 'groups', check: (g) => group(AclOperation.DESCRIBE, field(g) ?? '') }],
    filter: (response, _request, _allowed, ctx, services) => {
      for (const g of (response.groups as Obj[] | undefined) ?? []) {
        if (typeof g.authorizedOperations === 'number' && g.authorizedOperations !== NOT_REQUESTED && g.errorCode === ErrorCode.NONE) {
          g.authorizedOperations = services.authorizer!.authorizedOperations(identityOf(ctx), AclResourceType.GROUP, String(g.groupId), GROUP_OPERATIONS);
        }
      }
    },
  },
  16: {
    filter: (response, _request, allowed) => {
      if (allowed(cluster(AclOperation.DESCRIBE))) return;
      response.groups = (response.groups as Obj[] | undefined)?.filter((g) => allowed(group(AclOperation.DESCRIBE, String(g.groupId))));
    },
  },
  19: {
    items: () => [{ array: 'topics', responseArray: 'topics', check: (t) => ({ ...topic(AclOperation.CREATE, field(t, 'name') ?? ''), orCluster: true }) }],
  },
  20: { items: (_r, ctx) => [ctx.apiVersion >= 6 ? topicItems('topics', 'responses', AclOperation.DELETE) : topicItems('topicNames', 'responses', AclOperation.DELETE)] },
  21: { items: () => [topicItems('topics', 'topics', AclOperation.DELETE)] },
  22: {
    whole: (r) => (str(r.transactionalId) ? [txn(AclOperation.WRITE, r.transactionalId as string)] : [{ ...cluster(AclOperation.IDEMPOTENT_WRITE), orAnyTopicWrite: true }]),
  },
  23: {
    whole: (r) => (typeof r.replicaId === 'number' && r.replicaId >= 0 ? [cluster(AclOperation.CLUSTER_ACTION)] : []),
    items: (r) => (typeof r.replicaId === 'number' && r.replicaId >= 0 ? [] : [topicItems('topics', 'topics', AclOperation.DESCRIBE, 'topic')]),
  },
  24: {
    whole: (r, ctx) => (ctx.apiVersion < 4 && str(r.v3AndBelowTransactionalId) ? [txn(AclOperation.WRITE, r.v3AndBelowTransactionalId as string)] : []),
    items: (_r, ctx) => (ctx.apiVersion < 4 ? [topicItems('v3AndBelowTopics', 'resultsByTopicV3AndBelow', AclOperation.WRITE)] : []),
  },
  25: { whole: (r) => [txn(AclOperation.WRITE, String(r.transactionalId)), group(AclOperation.READ, String(r.groupId))] },
  26: { whole: (r) => [txn(AclOperation.WRITE, String(r.transactionalId))] },
  28: {
    whole: (r) => [txn(AclOperation.WRITE, String(r.transactionalId)), group(AclOperation.READ, String(r.groupId))],
    items: () => [topicItems('topics', 'topics', AclOperation.READ)],
  },
  29: { whole: clusterWhole(AclOperation.DESCRIBE) },
  30: {
    whole: clusterWhole(AclOperation.ALTER),
    refused: (r, errorCode) => ({ throttleTimeMs: 0, results: ((r.creations as unknown[]) ?? []).map(() => ({ errorCode, errorMessage: null })) }),
  },
  31: {
    whole: clusterWhole(AclOperation.ALTER),
    refused: (r, errorCode) => ({ throttleTimeMs: 0, filterResults: ((r.filters as unknown[]) ?? []).map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) }),
  },
  // broker-to-broker: only brokers (CLUSTER_ACTION) may write transaction markers
  27: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  32: { items: () => [configItems('resources', 'results', AclOperation.DESCRIBE_CONFIGS)] },
  33: { items: () => [configItems('resources', 'responses', AclOperation.ALTER_CONFIGS)] },
  // Kafka answers an unauthorized DescribeLogDirs with no log dirs (and the code from v3)
  35: { whole: clusterWhole(AclOperation.DESCRIBE), refused: (_r, errorCode) => ({ throttleTimeMs: 0, errorCode, results: [] }) },
  37: { items: () => [topicItems('topics', 'results', AclOperation.ALTER)] },
  42: { items: () => [{ array: 'groupsNames', responseArray: 'results', check: (g) => group(AclOperation.DELETE, field(g) ?? '') }] },
  43: { whole: clusterWhole(AclOperation.ALTER) },
  44: { items: () => [configItems('resources', 'responses', AclOperation.ALTER_CONFIGS)] },
  45: { whole: clusterWhole(AclOperation.ALTER) },
  46: { whole: clusterWhole(AclOperation.DESCRIBE) },
  47: { whole: groupWhole(AclOperation.DELETE), items: () => [topicItems('topics', 'topics', AclOperation.READ)] },
  52: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  53: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  54: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  55: { whole: clusterWhole(AclOperation.DESCRIBE) },
  56: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  59: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  62: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  63: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  67: { whole: clusterWhole(AclOperation.CLUSTER_ACTION) },
  61: { items: () => [topicItems('topics', 'topics', AclOperation.READ)] },
  65: { items: () => [{ array: 'transactionalIds', responseArray: 'transactionStates', check: (t) => txn(AclOperation.DESCRIBE, field(t) ?? '') }] },
  66: {
    filter: (response, _request, allowed) => {
      response.transactionStates = (response.transactionStates as Obj[] | undefined)?.filter((t) => allowed(txn(AclOperation.DESCRIBE, String(t.transactionalId))));
    },
  },
  60: {
    filter: (response, _request, _allowed, ctx, services) => {
      if (typeof response.clusterAuthorizedOperations === 'number' && response.clusterAuthorizedOperations !== NOT_REQUESTED) {
        response.clusterAuthorizedOperations = services.authorizer!.authorizedOperations(identityOf(ctx), AclResourceType.CLUSTER, CLUSTER_NAME, CLUSTER_OPERATIONS);
      }
    },
  },
  75: {
    items: () => [topicItems('topics', 'topics', AclOperation.DESCRIBE)],
    filter: (response, _request, _allowed, ctx, services) => {
      for (const t of (response.topics as Obj[] | undefined) ?? []) {
        if (typeof t.topicAuthorizedOperations === 'number' && t.topicAuthorizedOperations !== NOT_REQUESTED && typeof t.name === 'string') {
          t.topicAuthorizedOperations = services.authorizer!.authorizedOperations(identityOf(ctx), AclResourceType.TOPIC, t.name, TOPIC_OPERATIONS);
        }
      }
    },
  },
};

const TOPIC_OPERATIONS = [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS];
const CLUSTER_OPERATIONS = [AclOperation.CREATE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE];
const GROUP_OPERATIONS = [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE];
const NOT_REQUESTED = -2147483648;

/**
 * Metadata: all-topics answers keep only describable topics; a topic that does not
 * exist is created only with CREATE on the cluster or the topic (else
 * UNKNOWN_TOPIC_OR_PARTITION, as Kafka answers); authorized operations are the
 * principal's own.
 */
function metadataFilter(response: Obj, request: Obj, allowed: (check: Omit<Check, 'errorCode'>) => boolean, ctx: RequestContext, services: BrokerServices): void {
  const authorizer = services.authorizer!;
  const who = identityOf(ctx);
  let topics = (response.topics as Obj[] | undefined) ?? [];
  if (!Array.isArray(request.topics)) topics = topics.filter((t) => allowed(topic(AclOperation.DESCRIBE, String(t.name))));
  for (const t of topics) {
    if (typeof t.topicAuthorizedOperations === 'number' && t.topicAuthorizedOperations !== NOT_REQUESTED && typeof t.name === 'string') {
      t.topicAuthorizedOperations = authorizer.authorizedOperations(who, AclResourceType.TOPIC, t.name, TOPIC_OPERATIONS);
    }
  }
  response.topics = topics;
  if (typeof response.clusterAuthorizedOperations === 'number' && response.clusterAuthorizedOperations !== NOT_REQUESTED) {
    response.clusterAuthorizedOperations = authorizer.authorizedOperations(who, AclResourceType.CLUSTER, CLUSTER_NAME, CLUSTER_OPERATIONS);
  }
}

function isAllowed(authorizer: Authorizer, who: RequestIdentity, check: Omit<Check, 'errorCode'>): boolean {
  if (authorizer.authorize(who, check.operation, check.resourceType, check.name)) return true;
  if (check.orCluster && authorizer.authorize(who, check.operation, AclResourceType.CLUSTER, CLUSTER_NAME)) return true;
  if (check.orAnyTopicWrite && authorizer.authorizeAny(who, AclOperation.WRITE, AclResourceType.TOPIC)) return true;
  return false;
}

/** Kafka's exception text for a whole-request refusal. */
function refusal(check: Check): KafkaError {
  const what = check.errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED ? `Not authorized to access group: ${check.name}`
    : check.errorCode === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED ? 'Transactional Id authorization failed.'
      : check.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ? 'Cluster authorization failed.'
        : `Not authorized to access topics: [${check.name}]`;
  return new KafkaError(check.errorCode, what);
}

/**
 * Runs `handler` under the API's rules (see the table). A whole-request refusal throws
 * a KafkaError the server answers as Kafka's error response.
 */
export function authorizedHandle(handler: ApiHandler, request: unknown, ctx: RequestContext, services: BrokerServices): unknown {
  const authorizer = services.authorizer;
  const rule = API_AUTHORIZATION[ctx.apiKey];
  if (!authorizer || !rule || request === null || typeof request !== 'object') return handler.handle(request, ctx, services);
  const who = identityOf(ctx);
  const allowed = (check: Omit<Check, 'errorCode'>): boolean => isAllowed(authorizer, who, check);
  const req = request as Obj;
  for (const check of rule.whole?.(req, ctx) ?? []) {
    if (allowed(check)) continue;
    if (rule.refused) return rule.refused(req, check.errorCode);
    throw refusal(check);
  }
  let effective: Obj = req;
  const denied: { rule: ItemRule; entries: unknown[]; errorCode: number }[] = [];
  for (const item of rule.items?.(req, ctx) ?? []) {
    const entries = effective[item.array];
    if (!Array.isArray(entries)) continue;
    const keep: unknown[] = [];
    const byCode = new Map<number, unknown[]>();
    for (const entry of entries) {
      const check = item.check(entry, ctx, services);
      if (check === undefined || allowed(check)) keep.push(entry);
      else byCode.set(check.errorCode, [...(byCode.get(check.errorCode) ?? []), entry]);
    }
    if (byCode.size === 0) continue;
    effective = { ...effective, [item.array]: keep };
    for (const [errorCode, list] of byCode) denied.push({ rule: item, entries: list, errorCode });
  }
  const finish = (response: unknown): unknown => {
    if (response === NO_RESPONSE || response === null || typeof response !== 'object') return response as NoResponse;
    const res = response as Obj;
    for (const d of denied) {
      const errors = errorResponseObject(ctx.apiKey, ctx.apiVersion, { [d.rule.responseArray]: d.entries }, { errorCode: d.errorCode, errorMessage: null });
      const answered = errors?.[d.rule.responseArray];
      if (Array.isArray(answered)) res[d.rule.responseArray] = [...((res[d.rule.responseArray] as unknown[]) ?? []), ...answered];
    }
    rule.filter?.(res, req, allowed, ctx, services);
    return res;
  };
  const result = handler.handle(effective, ctx, services);
  return result instanceof Promise ? result.then(finish) : finish(result);
}
