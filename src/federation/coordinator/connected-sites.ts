// The sites currently connected, by id: one connection per site.

import type { SiteConnection } from "./site-connection.js";

export class ConnectedSites {
  private readonly sites = new Map<string, SiteConnection>();
  private waiters: { count: number; resolve: () => void }[] = [];

  add(connection: SiteConnection): SiteConnection | undefined {
    const previous = this.sites.get(connection.siteId);
    this.sites.set(connection.siteId, connection);
    connection.onClose(() => {
      if (this.sites.get(connection.siteId) === connection) this.sites.delete(connection.siteId);
    });
    this.notify();
    return previous;
  }

  /** The site's open connection, if any. */
  get(siteId: string): SiteConnection | undefined {
    const c = this.sites.get(siteId);
    return c === undefined || c.closed ? undefined : c;
  }

  get size(): number {
    return this.sites.size;
  }

  /** Open connections in site-id order. */
  list(): SiteConnection[] {
    return [...this.sites.values()].filter((c) => !c.closed).sort((a, b) => (a.siteId < b.siteId ? -1 : 1));
  }

  /** Resolves true once at least count sites are connected, false after timeoutMs. */
  waitFor(count: number, timeoutMs: number): Promise<boolean> {
    if (this.list().length >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.waiters = this.waiters.filter((w) => w !== waiter);
            resolve(false);
          }, timeoutMs)
        : undefined;
      this.waiters.push(waiter);
    });
  }

  private notify(): void {
    const n = this.list().length;
    const ready = this.waiters.filter((w) => n >= w.count);
    this.waiters = this.waiters.filter((w) => n < w.count);
    for (const w of ready) w.resolve();
  }
}
