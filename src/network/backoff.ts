/**
 * Reconnect backoff with the semantics of Kafka's reconnect.backoff.ms and
 * reconnect.backoff.max.ms (KIP-144): after the n-th consecutive failure to
 * reach a node (n from 0) the client waits backoff.ms · 2^n, at most
 * backoff.max.ms, with ±20% jitter so a fleet of clients does not reconnect in
 * step. A connection that completes its ApiVersions handshake resets the count.
 */

export const DEFAULT_RECONNECT_BACKOFF_MS = 50;
export const DEFAULT_RECONNECT_BACKOFF_MAX_MS = 1000;
const MULTIPLIER = 2;
const JITTER = 0.2;

export class ExponentialBackoff {
  private readonly expMax: number;

  /**
   * @param random returns a number in [0, 1); injectable so tests can pin the jitter
   */
  constructor(
    readonly initialMs: number = DEFAULT_RECONNECT_BACKOFF_MS,
    readonly maxMs: number = DEFAULT_RECONNECT_BACKOFF_MAX_MS,
    private readonly random: () => number = Math.random,
  ) {
    if (!(initialMs >= 0) || !(maxMs >= 0)) throw new RangeError('backoff times must be non-negative');
    // as Kafka: a max below the initial value means "no growth", and the max wins
    this.expMax = maxMs > initialMs && initialMs > 0 ? Math.log(maxMs / initialMs) / Math.log(MULTIPLIER) : 0;
  }

  /** The wait after `failures` consecutive failures (0 = the first failure). */
  backoffMs(failures: number): number {
    if (this.expMax === 0) return Math.min(this.initialMs, this.maxMs);
    const term = this.initialMs * Math.pow(MULTIPLIER, Math.min(failures, this.expMax));
    const factor = 1 - JITTER + this.random() * 2 * JITTER;
    return Math.min(this.maxMs, Math.floor(term * factor));
  }
}

/** Per-endpoint reconnect state: how many attempts failed in a row and when the next may start. */
export class ReconnectState {
  private failures = 0;
  private notBefore = 0;

  constructor(private readonly backoff: ExponentialBackoff) {}

  /** Milliseconds to wait, from `now`, before the next connect attempt may start. */
  waitMs(now: number): number {
    return Math.max(0, this.notBefore - now);
  }

  /** A connect attempt failed or an established connection was lost at `now`. */
  failed(now: number): number {
    const wait = this.backoff.backoffMs(this.failures);
    this.failures++;
    this.notBefore = now + wait;
    return wait;
  }

  /** The connection is ready (ApiVersions answered): start over from the initial backoff. */
  succeeded(): void {
    this.failures = 0;
    this.notBefore = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
