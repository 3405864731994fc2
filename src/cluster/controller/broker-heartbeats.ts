/**
 * Broker sessions as the active controller sees them (Kafka's BrokerHeartbeatManager):
 * when each registered broker was last heard from. A broker whose last heartbeat (or
 * registration) is older than broker.session.timeout.ms has no valid session: it is
 * fenced, and its id may be taken by a new incarnation. Kept in memory by the active
 * controller only; a new active controller starts every registered broker's session
 * afresh (Kafka's ClusterControlManager.activate), so brokers are not fenced merely
 * because the controller moved.
 */
export class BrokerHeartbeats {
  private readonly lastContactMs = new Map<number, number>();

  constructor(
    private readonly sessionTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A heartbeat or registration from `brokerId` now. */
  touch(brokerId: number): void {
    this.lastContactMs.set(brokerId, this.now());
  }

  remove(brokerId: number): void {
    this.lastContactMs.delete(brokerId);
  }

  clear(): void {
    this.lastContactMs.clear();
  }

  /** true while `brokerId` was heard from within the session timeout */
  hasValidSession(brokerId: number): boolean {
    const last = this.lastContactMs.get(brokerId);
    return last !== undefined && this.now() - last < this.sessionTimeoutMs;
  }

  /** brokers tracked whose session has expired, ascending */
  expired(): number[] {
    const now = this.now();
    return [...this.lastContactMs]
      .filter(([, last]) => now - last >= this.sessionTimeoutMs)
      .map(([id]) => id)
      .sort((a, b) => a - b);
  }
}
