/**
 * @module store/pop-fill
 * One refill per PoP for a hot key. A PoP's isolates share its Cache API but not their memory:
 * when a popular L1 entry expires or is purged, every isolate that asks before the refill lands
 * goes to the tier (each collapses only its own misses, store/l1-fills.ts), so a key asked
 * 1,000 times a second per PoP with 1 s of freshness puts 132 PoPs × 10 isolates = 1,320
 * requests a second on its one tier shard (`npm run bench:tier-model`).
 *
 * For a key this isolate served from L1 lately, a miss first reads the PoP's fill claim: none,
 * and this isolate claims the refill and goes upstream; one, and it waits for L1 to be refilled,
 * looking after 10, 10, 20, 40 … ms until the claim runs out or is released, then goes upstream
 * itself. A claim is no lock (the Cache API has no compare-and-set): isolates that read before
 * the first claim lands all go, as with the purge windows. Cold keys never pay a read.
 *
 * Pure decisions here; the Cache API reads are in edge-pop-fill.ts.
 */

/** How long a claim makes the PoP's other isolates wait for its refill, at most. */
export const POP_FILL_WAIT_MS = 500
/** The first look after a claim was seen; each later one waits twice as long. */
export const POP_FILL_FIRST_LOOK_MS = 10
/** A key served from this isolate's L1 within this long is hot. */
export const HOT_WITHIN_MS = 10_000
/** How many hot keys an isolate remembers; the longest unhit are forgotten first. */
export const RECENT_HITS_LIMIT = 10_000

/** Keys this isolate served from L1 lately, by fill key (`<cache name>\n<key>`). */
export class RecentHits {
  readonly #hitAt = new Map<string, number>()
  readonly #limit: number

  constructor(limit = RECENT_HITS_LIMIT) {
    this.#limit = limit
  }

  note(id: string, now: number): void {
    // Re-inserted, so the Map's order is least recently hit first.
    this.#hitAt.delete(id)
    this.#hitAt.set(id, now)
    if (this.#hitAt.size > this.#limit) {
      const oldest = this.#hitAt.keys().next().value
      if (oldest !== undefined) this.#hitAt.delete(oldest)
    }
  }

  isHot(id: string, now: number): boolean {
    const at = this.#hitAt.get(id)
    return at !== undefined && now - at <= HOT_WITHIN_MS
  }
}

/** One per isolate. */
export const recentL1Hits = new RecentHits()

/**
 * @param waited how long the waiter has paused so far, ms (bounds the wait whatever the clock)
 * @param claimUntil until when the claim holds
 * @param now current time
 * @returns how long to pause before the next look (10, 10, 20, 40 … ms: the wait doubles), or
 *   undefined when the claim has run out or the waiter has waited POP_FILL_WAIT_MS
 */
export function nextLookIn(waited: number, claimUntil: number, now: number): number | undefined {
  const left = Math.min(claimUntil - now, POP_FILL_WAIT_MS - waited)
  if (left <= 0) return undefined
  return Math.min(Math.max(POP_FILL_FIRST_LOOK_MS, waited), left)
}
