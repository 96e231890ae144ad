/**
 * Offers change rarely and are read on every decide: keep them in memory.
 * Writes through this process invalidate at once; a short TTL picks up writes
 * made by other servers behind the same database.
 */
import type { OfferDefinition } from '@tandem/core';
import type { Store } from './store/types.ts';

const TTL_MS = 5_000;

/** @example const offers = await cache.published(); cache.invalidate(); */
export class OfferCache {
  private all: OfferDefinition[] | null = null;
  private live: OfferDefinition[] = [];
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly ttlMs = TTL_MS,
  ) {}

  /** Published offers (what decide considers). */
  async published(now = Date.now()): Promise<OfferDefinition[]> {
    const live = this.fresh(now);
    if (live) return live;
    await this.load();
    return this.live;
  }

  /** The published offers when the copy is fresh (no await: decide asks on every request), else null. */
  fresh(now = Date.now()): OfferDefinition[] | null {
    return this.all === null || now - this.loadedAt > this.ttlMs ? null : this.live;
  }

  invalidate(): void {
    this.generation++;
    this.all = null;
  }

  private load(): Promise<void> {
    this.loading ??= (async () => {
      const generation = this.generation;
      try {
        const offers = await this.store.listOffers();
        // A write during the read makes this result stale: keep it for this call only.
        this.live = offers.filter((o) => o.status === 'published');
        if (generation === this.generation) {
          this.all = offers;
          this.loadedAt = Date.now();
        }
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}
