/**
 * Incremental fetch sessions (KIP-227, Fetch v7+), modelled on Kafka's FetchSession /
 * FetchSessionCache / FetchManager. One cache per broker: sessions are keyed by id
 * only, so a client may continue a session on another connection.
 *
 * Request metadata (sessionId, sessionEpoch) picks the context:
 * - epoch -1 (FINAL): sessionless full fetch; a non-zero id names a session to close.
 * - epoch 0 (INITIAL): full fetch that creates a new session (closing the named one).
 * - otherwise: incremental fetch on session `id`, whose expected epoch must match.
 * The partitions of an incremental fetch are those of the session after applying the
 * request's added/updated partitions and forgotten topics; its response lists only
 * partitions with something new (records, a changed high watermark, last stable
 * offset or log start offset, or an error).
 */
import { ErrorCode } from '../protocol/errors.js';

export const INVALID_SESSION_ID = 0;
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;
/** max.incremental.fetch.session.cache.slots default */
export const DEFAULT_SESSION_CACHE_SLOTS = 1000;
/** Kafka's fetch session eviction time: an unused session may be evicted after this long. */
export const DEFAULT_SESSION_EVICTION_MS = 120_000;

/** Next expected session epoch, wrapping to 1 after Int32.MAX (Kafka's FetchMetadata.nextEpoch). */
export function nextSessionEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

/** What a fetch asks of one partition (request fields, offsets as numbers). */
export interface FetchPartitionParams {
  /** the topic's id (all-zero UUID below Fetch v13) */
  topicId: string;
  /** topic name as sent (v12-) or as resolved from the id when the session was updated (v13+); '' when unknown */
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** -1 when the client does not know it (Fetch v9+) */
  currentLeaderEpoch: number;
}

/** The parts of a partition's fetch result a session remembers to decide what changed. */
export interface FetchPartitionSummary {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  recordBytes: number;
}

interface CachedPartition extends FetchPartitionParams {
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

/** Sessions are keyed by topic id (v13+) or by topic name (v7-12). */
function partitionKey(topicKey: string, partition: number): string {
  return `${topicKey}\u0000${partition}`;
}

export class FetchSession {
  /** the epoch the next incremental fetch must carry */
  epoch: number;
  lastUsedMs: number;
  /** fetch order: insertion order, partitions that returned records move to the end */
  private readonly partitions = new Map<string, CachedPartition>();

  constructor(
    readonly id: number,
    readonly usesTopicIds: boolean,
    readonly createdMs: number,
  ) {
    this.epoch = nextSessionEpoch(INITIAL_EPOCH);
    this.lastUsedMs = createdMs;
  }

  private keyOf(p: { topicId: string; topic: string; partition: number }): string {
    return partitionKey(this.usesTopicIds ? p.topicId : p.topic, p.partition);
  }

  get size(): number {
    return this.partitions.size;
  }

  /** Adds a partition with what the response told the client about it. */
  add(params: FetchPartitionParams, result: FetchPartitionSummary): void {
    this.partitions.set(this.keyOf(params), {
      ...params,
      // An error leaves -1 so the partition is sent again once the error clears (as Kafka does).
      highWatermark: result.errorCode === ErrorCode.NONE ? result.highWatermark : -1,
      lastStableOffset: result.lastStableOffset,
      logStartOffset: result.logStartOffset,
    });
  }

  /**
   * Applies an incremental request: partitions sent are added or get their fetch
   * parameters updated; forgotten partitions are removed.
   */
  update(sent: readonly FetchPartitionParams[], forgotten: readonly { topicKey: string; partition: number }[]): void {
    for (const params of sent) {
      const key = this.keyOf(params);
      const cached = this.partitions.get(key);
      if (cached) {
        cached.fetchOffset = params.fetchOffset;
        cached.partitionMaxBytes = params.partitionMaxBytes;
        cached.currentLeaderEpoch = params.currentLeaderEpoch;
        if (params.topic !== '') cached.topic = params.topic;
      } else {
        // New to the session: nothing sent yet, so the first response must carry it.
        this.partitions.set(key, { ...params, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 });
      }
    }
    for (const f of forgotten) this.partitions.delete(partitionKey(f.topicKey, f.partition));
  }

  /** The session's partitions in fetch order. */
  fetchList(): FetchPartitionParams[] {
    return [...this.partitions.values()].map((c) => ({
      topicId: c.topicId,
      topic: c.topic,
      partition: c.partition,
      fetchOffset: c.fetchOffset,
      partitionMaxBytes: c.partitionMaxBytes,
      currentLeaderEpoch: c.currentLeaderEpoch,
    }));
  }

  /**
   * Whether an incremental response must include the partition, remembering what is
   * sent (Kafka's CachedPartition.maybeUpdateResponseData). Partitions that returned
   * records move to the end of the fetch order so others get their turn next time.
   */
  mustRespond(params: FetchPartitionParams, result: FetchPartitionSummary): boolean {
    const key = this.keyOf(params);
    const cached = this.partitions.get(key);
    if (!cached) return true;
    let respond = result.recordBytes > 0;
    if (cached.highWatermark !== result.highWatermark) {
      respond = true;
      cached.highWatermark = result.highWatermark;
    }
    if (cached.lastStableOffset !== result.lastStableOffset) {
      respond = true;
      cached.lastStableOffset = result.lastStableOffset;
    }
    if (cached.logStartOffset !== result.logStartOffset) {
      respond = true;
      cached.logStartOffset = result.logStartOffset;
    }
    if (result.errorCode !== ErrorCode.NONE) {
      respond = true;
      cached.highWatermark = -1;
    }
    if (result.recordBytes > 0) {
      this.partitions.delete(key);
      this.partitions.set(key, cached);
    }
    return respond;
  }
}

/** How a Fetch request is served, decided from its session id and epoch. */
export type FetchContext =
  /** top-level error, no partitions; response session id 0 */
  | { kind: 'error'; errorCode: number }
  /** full fetch, no session; response session id 0 */
  | { kind: 'sessionless'; partitions: FetchPartitionParams[] }
  /** full fetch that asks for a new session (created once the response is known) */
  | { kind: 'full'; partitions: FetchPartitionParams[]; usesTopicIds: boolean }
  /** incremental fetch on an existing session: partitions are the whole session */
  | { kind: 'incremental'; session: FetchSession; partitions: FetchPartitionParams[] };

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots */
  maxSlots?: number;
  evictionMs?: number;
  clock?: () => number;
  /** session id source, for tests; must return a positive Int32 */
  randomId?: () => number;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private readonly maxSlots: number;
  private readonly evictionMs: number;
  private readonly clock: () => number;
  private readonly randomId: () => number;
  /** sessions evicted to make room (observability and tests) */
  evictions = 0;

  constructor(opts: FetchSessionCacheOptions = {}) {
    this.maxSlots = opts.maxSlots ?? DEFAULT_SESSION_CACHE_SLOTS;
    this.evictionMs = opts.evictionMs ?? DEFAULT_SESSION_EVICTION_MS;
    this.clock = opts.clock ?? Date.now;
    this.randomId = opts.randomId ?? (() => 1 + Math.floor(Math.random() * 0x7ffffffe));
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  remove(id: number): boolean {
    return this.sessions.delete(id);
  }

  /**
   * Decides the context of a Fetch (Kafka's FetchManager.newContext). `usesTopicIds`
   * is true for Fetch v13+. `forgotten` keys are topic ids (v13+) or names.
   */
  newContext(
    sessionId: number,
    sessionEpoch: number,
    sent: FetchPartitionParams[],
    forgotten: { topicKey: string; partition: number }[],
    usesTopicIds: boolean,
  ): FetchContext {
    if (sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH) {
      // Any session named in a full fetch is closed.
      if (sessionId !== INVALID_SESSION_ID) this.sessions.delete(sessionId);
      return sessionEpoch === FINAL_EPOCH
        ? { kind: 'sessionless', partitions: sent }
        : { kind: 'full', partitions: sent, usesTopicIds };
    }
    const session = this.sessions.get(sessionId);
    if (!session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== sessionEpoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    if (session.usesTopicIds !== usesTopicIds) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
    session.update(sent, forgotten);
    if (session.size === 0) {
      // Nothing left to fetch: Kafka drops the session and answers sessionless.
      this.sessions.delete(session.id);
      return { kind: 'sessionless', partitions: [] };
    }
    session.lastUsedMs = this.clock();
    session.epoch = nextSessionEpoch(session.epoch);
    return { kind: 'incremental', session, partitions: session.fetchList() };
  }

  /**
   * Creates a session for a full fetch whose response is known; returns its id, or 0
   * when the cache is full and nothing may be evicted (the client then keeps sending
   * full fetches).
   */
  createSession(
    partitions: readonly { params: FetchPartitionParams; result: FetchPartitionSummary }[],
    usesTopicIds: boolean,
  ): number {
    const now = this.clock();
    if (this.sessions.size >= this.maxSlots && !this.evictOne(partitions.length, now)) return INVALID_SESSION_ID;
    let id = this.randomId();
    while (id === INVALID_SESSION_ID || this.sessions.has(id)) id = this.randomId();
    const session = new FetchSession(id, usesTopicIds, now);
    for (const { params, result } of partitions) session.add(params, result);
    this.sessions.set(id, session);
    return id;
  }

  /**
   * Makes room for a session of `newSize` partitions (Kafka's tryEvict for a
   * non-follower): a session unused for evictionMs goes first (least recently used);
   * otherwise the smallest session goes if the new one is bigger.
   */
  private evictOne(newSize: number, now: number): boolean {
    let stalest: FetchSession | undefined;
    let smallest: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (now - s.lastUsedMs > this.evictionMs && (!stalest || s.lastUsedMs < stalest.lastUsedMs)) stalest = s;
      if (!smallest || s.size < smallest.size || (s.size === smallest.size && s.lastUsedMs < smallest.lastUsedMs)) {
        smallest = s;
      }
    }
    const victim = stalest ?? (smallest && newSize > smallest.size ? smallest : undefined);
    if (!victim) return false;
    this.sessions.delete(victim.id);
    this.evictions++;
    return true;
  }
}
