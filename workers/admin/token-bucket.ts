/**
 * @module admin/token-bucket
 * Token buckets keyed by a string (a client IP), held in memory. Used to slow down guessing of
 * admin tokens. Best effort by nature: each isolate has its own buckets and loses them when it is
 * evicted, so a distributed guesser gets (isolates × capacity) attempts per refill period, which
 * against 256-bit tokens is still nothing. Pure: the caller passes `now`.
 */

export interface TokenBucketOptions {
  /** Attempts a fresh key may make in a burst. */
  capacity: number
  /** Milliseconds to earn back one attempt. */
  refillMs: number
  /** Keys tracked at most; the oldest is forgotten first. Bounds the isolate's memory. */
  maxKeys?: number
}

interface Bucket {
  tokens: number
  at: number
}

/** Buckets per key; a key not seen (or fully refilled) holds `capacity` tokens. */
export class TokenBuckets {
  readonly #options: Required<TokenBucketOptions>
  readonly #buckets = new Map<string, Bucket>()

  /** @throws TypeError when capacity or refillMs is not a positive number */
  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !(options.refillMs > 0)) {
      throw new TypeError(
        `expected capacity >= 1 and refillMs > 0, got ${options.capacity} and ${options.refillMs}`
      )
    }
    this.#options = { maxKeys: 10_000, ...options }
  }

  /**
   * @param key the client
   * @param now the current time in ms
   * @returns 0 when the key may make an attempt, else the milliseconds until it may
   */
  waitMs(key: string, now: number): number {
    const tokens = this.#tokens(key, now)
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * this.#options.refillMs)
  }

  /**
   * Spends one token of the key (never below zero).
   * @param key the client
   * @param now the current time in ms
   */
  take(key: string, now: number): void {
    const tokens = Math.max(0, this.#tokens(key, now) - 1)
    this.#buckets.delete(key)
    if (this.#buckets.size >= this.#options.maxKeys) {
      const oldest = this.#buckets.keys().next()
      if (!oldest.done) this.#buckets.delete(oldest.value)
    }
    this.#buckets.set(key, { tokens, at: now })
  }

  /** Number of keys held: those that spent a token and have not yet refilled. */
  get size(): number {
    return this.#buckets.size
  }

  #tokens(key: string, now: number): number {
    const bucket = this.#buckets.get(key)
    if (!bucket) return this.#options.capacity
    const earned = Math.max(0, now - bucket.at) / this.#options.refillMs
    const tokens = Math.min(this.#options.capacity, bucket.tokens + earned)
    if (tokens >= this.#options.capacity) this.#buckets.delete(key)
    return tokens
  }
}
