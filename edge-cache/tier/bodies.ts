/**
 * @module tier/bodies
 * Stored bodies as streams, read while they are being written (Apache Traffic Server's
 * read-while-writer): the writer appends chunks to SQLite as the origin sends them and every
 * reader follows at its own pace, so no waiter buffers for a slower one and memory stays at one
 * chunk per stream. A body that is replaced or evicted is deleted once its last reader is done.
 */
import { CHUNK_BYTES, type TierStore } from './tier-store'

/** How far a body's writer has got. */
export class BodyProgress {
  chunks = 0
  size = 0
  done = false
  error: unknown
  #wakers: (() => void)[] = []

  /** Resolves at the writer's next step (a chunk, the end, or a failure). */
  next(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve))
  }

  advance(): void {
    const wakers = this.#wakers
    this.#wakers = []
    for (const wake of wakers) wake()
  }

  static complete(chunks: number, size: number): BodyProgress {
    const progress = new BodyProgress()
    progress.chunks = chunks
    progress.size = size
    progress.done = true
    return progress
  }
}

export class Bodies {
  readonly #store: TierStore
  readonly #readers = new Map<string, number>()
  readonly #doomed = new Set<string>()

  constructor(store: TierStore) {
    this.#store = store
  }

  /**
   * Copies `source` into chunks of `bodyId`, advancing `progress` as it goes.
   * @returns resolves when the body is complete; rejects (and deletes the chunks) on failure
   */
  async write(bodyId: string, source: ReadableStream<Uint8Array>, progress: BodyProgress) {
    const reader = source.getReader()
    let pending: Uint8Array[] = []
    let pendingBytes = 0
    const flush = () => {
      if (pendingBytes === 0) return
      const data = concat(pending, pendingBytes)
      // One origin chunk can be larger than a row may hold: split it.
      for (let offset = 0; offset < data.byteLength; offset += CHUNK_BYTES) {
        this.#store.writeChunk(bodyId, progress.chunks, data.subarray(offset, offset + CHUNK_BYTES))
        progress.chunks++
      }
      progress.size += pendingBytes
      pending = []
      pendingBytes = 0
      progress.advance()
    }
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        pending.push(value)
        pendingBytes += value.byteLength
        if (pendingBytes >= CHUNK_BYTES) flush()
      }
      flush()
      progress.done = true
      progress.advance()
    } catch (error) {
      progress.error = error
      progress.advance()
      this.release(bodyId)
      throw error
    }
  }

  /** A stream of the body that follows the writer until `progress` is done. */
  read(bodyId: string, progress: BodyProgress): ReadableStream<Uint8Array> {
    let seq = 0
    let open = true
    this.#readers.set(bodyId, (this.#readers.get(bodyId) ?? 0) + 1)
    const finish = () => {
      if (!open) return
      open = false
      const left = (this.#readers.get(bodyId) ?? 1) - 1
      if (left > 0) this.#readers.set(bodyId, left)
      else {
        this.#readers.delete(bodyId)
        if (this.#doomed.delete(bodyId)) this.#store.deleteBody(bodyId)
      }
    }
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          while (seq >= progress.chunks && !progress.done && progress.error === undefined) {
            await progress.next()
          }
          if (progress.error !== undefined) {
            finish()
            controller.error(progress.error)
            return
          }
          if (seq >= progress.chunks) {
            finish()
            controller.close()
            return
          }
          const chunk = this.#store.readChunk(bodyId, seq++)
          if (!chunk) {
            finish()
            controller.error(new Error(`tier body ${bodyId} lost chunk ${seq - 1}`))
            return
          }
          controller.enqueue(chunk)
        },
        cancel: finish,
      },
      { highWaterMark: 0 }
    )
  }

  /** Deletes a body now, or when its last reader finishes. */
  release(bodyId: string): void {
    if (this.#readers.has(bodyId)) this.#doomed.add(bodyId)
    else this.#store.deleteBody(bodyId)
  }
}

function concat(parts: Uint8Array[], bytes: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0]
  const out = new Uint8Array(bytes)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}
