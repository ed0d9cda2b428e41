/**
 * @module stream-slice
 * Passes through bytes [start, end] of a byte stream, for Range answers from a stored body,
 * without buffering more than one chunk.
 */

/**
 * @param body the full body
 * @param start first byte offset, inclusive
 * @param end last byte offset, inclusive
 * @returns a stream of exactly `end - start + 1` bytes (fewer only if `body` is shorter)
 */
export function sliceStream(body: ReadableStream<Uint8Array>, start: number, end: number) {
  let offset = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const chunkStart = offset
        offset += chunk.byteLength
        if (offset <= start || chunkStart > end) return
        controller.enqueue(
          chunk.subarray(
            Math.max(0, start - chunkStart),
            Math.min(chunk.byteLength, end - chunkStart + 1)
          )
        )
        if (offset > end) controller.terminate()
      },
    })
  )
}
