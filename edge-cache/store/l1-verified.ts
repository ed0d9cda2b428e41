/**
 * @module store/l1-verified
 * An L1 entry's body is checked against its recorded length the first time this isolate serves
 * it, and not after. A put whose stream failed can leave a partial entry behind (local Miniflare
 * keeps one even after the failed put's delete), so an unchecked hit could pass a cut body for
 * complete; but counting bytes in JS sends every chunk through a TransformStream, which made a
 * 1 MiB L1 hit cost several times the bare Worker's CPU. Once read whole, an entry's later hits
 * stream natively (Cache API body → answerClient's FixedLengthStream).
 */

/** How many verified entries an isolate remembers; the oldest are checked again. */
export const MAX_VERIFIED_ENTRIES = 10_000

export class VerifiedEntries {
  readonly #ids = new Set<string>()
  readonly #limit: number

  constructor(limit = MAX_VERIFIED_ENTRIES) {
    this.#limit = limit
  }

  has(id: string): boolean {
    return this.#ids.has(id)
  }

  add(id: string): void {
    this.#ids.add(id)
    if (this.#ids.size > this.#limit) {
      const oldest = this.#ids.values().next().value
      if (oldest !== undefined) this.#ids.delete(oldest)
    }
  }

  /**
   * The body to serve for an entry identified by `id`: as is once verified, else counted; a body
   * that ends before `size` bytes errors (the client never gets it as complete) and `onShort` is
   * called so the entry is dropped.
   */
  checked(
    id: string,
    body: ReadableStream<Uint8Array>,
    size: number,
    onShort: () => void
  ): ReadableStream<Uint8Array> {
    if (this.has(id)) return body
    let seen = 0
    return body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength
          controller.enqueue(chunk)
        },
        flush: (controller) => {
          if (seen >= size) {
            this.add(id)
            return
          }
          onShort()
          controller.error(new Error(`stored entry ended after ${seen} of ${size} bytes`))
        },
      })
    )
  }
}

/** One per isolate: entries are identified by cache name, key, variant and store time. */
export const l1Verified = new VerifiedEntries()
