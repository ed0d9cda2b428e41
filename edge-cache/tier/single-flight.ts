/**
 * @module tier/single-flight
 * One piece of work per key at a time: the first caller (the leader) starts it, callers that come
 * while it is open join it and get the leader's result. The rule for who may join lives here,
 * beside the map of flights, as in undici's deduplication handler (`addWaitingHandler` refuses
 * once the response has started): a flight stays open until its work settles and then for as
 * long as `openUntil` says, e.g. while the body the result describes is still being written, so
 * joiners read behind the writer.
 * @see https://github.com/nodejs/undici/blob/main/lib/handler/deduplication-handler.js
 */

export class SingleFlight<T> {
  readonly #flights = new Map<string, Promise<T>>()
  readonly #openUntil: (result: T) => Promise<unknown> | undefined

  /**
   * @param openUntil given a flight's result, resolves when the flight stops taking joiners;
   *   undefined closes it at once
   */
  constructor(openUntil: (result: T) => Promise<unknown> | undefined = () => undefined) {
    this.#openUntil = openUntil
  }

  /**
   * Joins the open flight for `key`, or starts one with `start`.
   * @returns the flight's result, and whether this caller joined rather than led
   */
  run(key: string, start: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const open = this.#flights.get(key)
    if (open) return { result: open, joined: true }
    const result = start()
    this.#flights.set(key, result)
    const close = () => {
      if (this.#flights.get(key) === result) this.#flights.delete(key)
    }
    result.then((value) => {
      const until = this.#openUntil(value)
      if (until) void until.then(close, close)
      else close()
    }, close)
    return { result, joined: false }
  }

  /** Is a flight for `key` taking joiners? */
  isOpen(key: string): boolean {
    return this.#flights.has(key)
  }
}
