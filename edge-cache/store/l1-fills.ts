/**
 * @module store/l1-fills
 * Collapsing at L1 within an isolate: while one request fetches a key from the tier and stores
 * it in L1, concurrent misses for the same key wait for that store and then read L1, instead of
 * each calling the tier. Followers wait for the whole body to be stored, which is bounded by
 * L1's size limit; when the leader does not store (not cacheable, too large), followers go
 * upstream themselves.
 */
import { joinShared } from '../join-shared'

export class L1Fills {
  readonly #pending = new Map<string, Promise<boolean>>()

  /** Is a request of this isolate filling `key`? */
  filling(key: string): boolean {
    return this.#pending.has(key)
  }

  /**
   * @returns the fill in progress for `key` (resolves true once L1 holds it), if any, joined
   * from the calling request
   */
  waitFor(key: string): Promise<boolean> | undefined {
    const pending = this.#pending.get(key)
    return pending && joinShared(pending)
  }

  /**
   * Registers this request as the one filling `key`.
   * @returns the function to call exactly once with whether L1 now holds the key
   */
  begin(key: string): (stored: boolean) => void {
    let settle: (stored: boolean) => void = () => {}
    const fill = new Promise<boolean>((resolve) => {
      settle = resolve
    })
    this.#pending.set(key, fill)
    return (stored) => {
      if (this.#pending.get(key) === fill) this.#pending.delete(key)
      settle(stored)
    }
  }
}

/** One per isolate: requests of every PoP this isolate serves share it, keyed by cache name. */
export const l1Fills = new L1Fills()
